"""pdfminer made safe for hostile PDFs: what it decodes is bounded, a reference cycle ends,
what it raises on damaged bytes is bad input, and what it logs is the document's warnings.

pdfminer.six reads a PDF lazily and trusts it: a 1.5 MB stream that inflates to 1.5 GB is
inflated whole (and kept, since decoded streams are cached for the document's life); an
object that refers to itself (``8 0 obj 8 0 R endobj``) makes ``resolve1`` loop for ever;
damaged bytes raise whatever the code met (``PSSyntaxError``, ``ValueError: Non-Ascii85
digit``, ``TypeError: 'int' object is not iterable``); and its warnings go to stderr with no
file name. Its stream classes are made by its parser, so they cannot be subclassed from here:
``install`` replaces the few module globals its decoder uses (``zlib``, ``lzwdecode``,
``decompress_corrupted``) and ``PDFObjRef.resolve``. ``tests/test_robust_files.py`` fails,
saying so, when an installed pdfminer no longer has them (pyproject.toml pins the versions
this was written for).

Use ``guarded()`` around everything that reads one PDF: it gives the document its budget of
decoded bytes and collects pdfminer's log lines.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import Any

import pdfminer
import pdfminer.pdftypes as pdftypes
from pdfminer.lzw import LZWDecoder
from pdfminer.pdftypes import PDFObjRef

from schemas.errors import CorruptDocumentError, DocumentTooLargeError, InputError

MAX_DECODED_BYTES = 256 * 1024 * 1024
"""Most the streams of one PDF may decode to (content, fonts, forms: images are not decoded).
The real reports of ../shared/realdocs decode to 3 MB at most."""
MAX_WARNINGS = 10
"""Distinct pdfminer warnings kept on a document; the rest are counted."""
_CHUNK = 1 << 20
_BLOCK = 1 << 12

_LIBRARIES = tuple(
    str(Path(module.__file__).parent)
    for module in (pdfminer, __import__("pdfplumber"), __import__("pypdfium2"))
    if module.__file__
)


class _Budget:
    """What is left of one document's decoded bytes, and what pdfminer said about it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.said: Counter[str] = Counter()

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise DocumentTooLargeError(
                f"the PDF's streams decode to more than {self.limit // (1 << 20):,} MB "
                "(a decompression bomb?); reading stopped there"
            )

    def warnings(self) -> list[str]:
        said = [
            f"the PDF reader warned: {message}" + (f" ({count} times)" if count > 1 else "")
            for message, count in self.said.items()
        ]
        if len(said) > MAX_WARNINGS:
            said = [*said[:MAX_WARNINGS], f"and {len(said) - MAX_WARNINGS} other PDF warnings"]
        return said


_budget: ContextVar[_Budget | None] = ContextVar("ita_etl_pdf_budget", default=None)


def _current() -> _Budget:
    """The budget of the document being read; outside ``guarded()`` each stream gets one."""
    return _budget.get() or _Budget(MAX_DECODED_BYTES)


@contextlib.contextmanager
def guarded(limit: int = MAX_DECODED_BYTES) -> Iterator[list[str]]:
    """Read one PDF inside this: its streams may decode to ``limit`` bytes in all
    (``DocumentTooLargeError`` past it); what pdfminer or pdfplumber raise on its bytes
    becomes ``CorruptDocumentError``; and the list given fills, on leaving, with what pdfminer
    warned about (once per message, counted). Inside another ``guarded()`` (a second reading
    of the same document) the outer one's budget and warnings serve."""
    install()
    if _budget.get() is not None:
        yield []
        return
    budget = _Budget(limit)
    token = _budget.set(budget)
    said: list[str] = []
    try:
        yield said
    except (InputError, MemoryError):
        raise
    except Exception as error:
        inner = _input_error_inside(error)
        if inner is not None:
            raise inner from None
        if isinstance(error, RecursionError) or raised_by_pdf_library(error):
            raise damaged(error) from None
        raise
    finally:
        _budget.reset(token)
        said.extend(budget.warnings())


# --- decoding within the budget -----------------------------------------------------------


def _inflate(data: bytes, *_args: Any) -> bytes:
    """``zlib.decompress`` that stops at the budget; raises ``zlib.error`` where it does
    (a stream cut short), so that pdfminer tries its lenient decoder as before."""
    budget = _current()
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    pending = data
    while pending and not inflater.eof:
        part = inflater.decompress(pending, _CHUNK)
        budget.take(len(part))
        parts.append(part)
        pending = inflater.unconsumed_tail
    if not inflater.eof:
        part = inflater.flush()
        budget.take(len(part))
        parts.append(part)
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return b"".join(parts)


def _inflate_damaged(data: bytes) -> bytes:
    """What pdfminer's ``decompress_corrupted`` gives (the bytes of a stream whose damage is
    in its checksum, else ``zlib.error``), in linear time and within the budget: its own
    feeds one byte at a time and copies all it has each time, which a large damaged stream
    turns into hours. Here the input goes in blocks, and only the block holding the damage
    goes byte by byte."""
    budget = _current()
    inflater = zlib.decompressobj()
    parts: list[bytes] = []

    def feed(piece: bytes) -> None:
        while piece and not inflater.eof:
            part = inflater.decompress(piece, _CHUNK)
            budget.take(len(part))
            parts.append(part)
            piece = inflater.unconsumed_tail

    for start in range(0, len(data), _BLOCK):
        block = data[start : start + _BLOCK]
        saved, mark = inflater.copy(), len(parts)
        try:
            feed(block)
        except zlib.error:
            inflater = saved
            del parts[mark:]
            try:
                for offset in range(len(block)):
                    feed(block[offset : offset + 1])
            except zlib.error:
                if start + offset < len(data) - 3:  # damaged before the checksum, as pdfminer
                    raise
                logging.getLogger("pdfminer.pdftypes").warning(
                    "Data-loss while decompressing corrupted data"
                )
            break
        if inflater.eof:
            break
    return b"".join(parts)


def _lzw(data: bytes) -> bytes:
    budget = _current()
    parts: list[bytes] = []
    for part in LZWDecoder(BytesIO(data)).run():
        budget.take(len(part))
        parts.append(part)
    return b"".join(parts)


def _counted(decode: Callable[..., bytes]) -> Callable[..., bytes]:
    """A decoder whose output (at most ~128 times its input) is charged to the budget."""

    def decode_counted(*args: Any) -> bytes:
        out = decode(*args)
        _current().take(len(out))
        return out

    return decode_counted


class _Zlib:
    """What ``pdfminer.pdftypes`` sees as ``zlib``: the real one, inflating within budget."""

    error = zlib.error
    decompress = staticmethod(_inflate)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


# --- reference cycles ----------------------------------------------------------------------

_original_resolve = PDFObjRef.resolve


def _resolve(self: PDFObjRef, default: object = None) -> Any:
    """The object at the end of a chain of references; ``CorruptDocumentError`` when the
    chain comes back on itself (``resolve1`` would loop for ever)."""
    seen = {self.objid}
    found = _original_resolve(self, default)
    while isinstance(found, PDFObjRef):
        if found.objid in seen:
            if len(seen) == 1:
                raise CorruptDocumentError(
                    f"the PDF is damaged (object {found.objid} refers to itself)"
                )
            cycle = ", ".join(str(objid) for objid in sorted(seen))
            raise CorruptDocumentError(
                f"the PDF is damaged (objects {cycle} refer to one another in a cycle)"
            )
        seen.add(found.objid)
        found = _original_resolve(found, default)
    return found


# --- pdfminer's log lines ------------------------------------------------------------------


class _Collect(logging.Handler):
    """pdfminer's warnings go to the document being read; outside ``guarded()``, to stderr as
    before."""

    def emit(self, record: logging.LogRecord) -> None:
        budget = _budget.get()
        if budget is None:
            logging.lastResort.handle(record) if logging.lastResort else None
            return
        with contextlib.suppress(Exception):
            budget.said[" ".join(record.getMessage().split())[:200]] += 1


_installed = False
REPLACED = ("zlib", "lzwdecode", "decompress_corrupted")
"""The globals of ``pdfminer.pdftypes`` that ``PDFStream.decode`` uses and ``install``
replaces (with ``COUNTED_DECODERS``, wrapped)."""
COUNTED_DECODERS = ("rldecode", "ascii85decode", "asciihexdecode", "ccittfaxdecode")


def install() -> None:
    """Put the guards in place (once per process)."""
    global _installed
    if _installed:
        return
    replaced: dict[str, Any] = {
        "zlib": _Zlib(),
        "lzwdecode": _lzw,
        "decompress_corrupted": _inflate_damaged,
    }
    for name in COUNTED_DECODERS:
        replaced[name] = _counted(getattr(pdftypes, name))
    for name, value in replaced.items():
        setattr(pdftypes, name, value)
    PDFObjRef.resolve = _resolve  # type: ignore[method-assign]
    logger = logging.getLogger("pdfminer")
    handler = _Collect(logging.WARNING)
    logger.addHandler(handler)
    logger.propagate = False
    _installed = True


# --- what pdfminer raises -------------------------------------------------------------------


def raised_by_pdf_library(error: BaseException) -> bool:
    """Whether ``error`` was raised inside pdfminer, pdfplumber or pypdfium2 (reading the
    document's bytes, so bad input), not in ita-etl's own code (a bug)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _innermost_file(current.__traceback__).startswith(_LIBRARIES):
            return True
        current = current.__cause__ or current.__context__
    return False


def _input_error_inside(error: BaseException) -> InputError | None:
    """An ``InputError`` of ours that pdfplumber wrapped (``PdfminerException``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, InputError):
            return current
        found = next((a for a in current.args if isinstance(a, InputError)), None)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _innermost_file(tb: TracebackType | None) -> str:
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last


def damaged(error: BaseException) -> CorruptDocumentError:
    """The one line for a PDF that pdfminer could not read."""
    if isinstance(error, RecursionError) or "recursion" in str(error):
        return CorruptDocumentError("the PDF is damaged (objects nested too deeply to read)")
    detail = " ".join(str(error).split())[:160] or type(error).__name__
    return CorruptDocumentError(f"the PDF is truncated or damaged ({detail})")

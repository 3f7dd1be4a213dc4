"""A page's content streams read into the objects pdfminer's interpreter executes, in one
regular-expression pass instead of pdfminer's byte-by-byte state machine.

pdfminer's ``PDFContentParser`` was about two fifths of ``extract``'s time (issue 15,
``benchmarks/profile_extract.py``): it calls a Python function and a logging call for every
few bytes. ``content_objects`` gives the same objects, in the same order, for the same bytes:
the same tokens (numbers, names with their ``#xx`` escapes, strings with their escapes,
hex strings, keywords), the same arrays and dictionaries, the same things dropped (a lone
``-``, a stray ``]``, an array never closed). Where pdfminer's reading depends on something
this pass does not model (an inline image, a token cut by the end of a stream, an escaped
line break at pdfminer's 4096-byte buffer edge, a dictionary with a key and no value),
it returns None and pdfminer reads the streams as before. tests/test_pdf_content.py holds
the two to the same objects on every committed PDF and on generated streams.
"""

from __future__ import annotations

import binascii
import logging
import re
from collections.abc import Sequence
from typing import Any

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import (
    HEX_PAIR,
    KWD,
    LIT,
    SPC,
    PSKeyword,
    literal_name,
)
from pdfminer.utils import choplist

log = logging.getLogger("pdfminer.pdfinterp")
"""The warnings pdfminer's ``execute`` gives, under its logger, so that ``pdfguard`` hears
them as the document's warnings as before."""

_TOKEN = re.compile(
    rb"[\s\x00]*(?:"
    rb"(?P<number>[-+0-9][0-9]*(?:\.[0-9]*)?|\.[0-9]*)"
    rb"|(?P<keyword>[A-Za-z][^#/%\[\]()<>{}\s]*)"
    rb"|(?P<dict_begin><<)"
    rb"|<(?P<hex>[0-9a-fA-F\s]*)(?=[^0-9a-fA-F\s])"
    rb"|(?P<name>/(?:[^#/%\[\]()<>{}\s]|#[0-9a-fA-F]{0,2})*)"
    rb"|\((?P<string>(?:[^()\\]|\\[\s\S]|\((?:[^()\\]|\\[\s\S])*\))*)\)"
    rb"|(?P<array_begin>\[)|(?P<array_end>\])"
    rb"|(?P<dict_end>>>)"
    rb"|(?P<proc_begin>\{)|(?P<proc_end>\})"
    rb"|(?P<close>>)"
    rb"|(?P<comment>%[^\r\n]*)"
    rb"|(?P<cut>[<(])"
    rb"|(?P<other>[\s\S])"
    rb")?"
)
"""One token after any blanks, ended where pdfminer's ``PSBaseParser`` ends it. A lone
``>`` (``close``) is read and dropped, as pdfminer drops it. ``cut``: a hex string with no
end before the stream's, or a string with no end or brackets nested three deep."""

_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{0,2})")
_STRING_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n)|([\s\S]))")
_STRING_ESCAPES = {
    b"b": b"\b",
    b"t": b"\t",
    b"n": b"\n",
    b"f": b"\f",
    b"r": b"\r",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}
_PDFMINER_BUFFER = 4096
"""pdfminer reads a stream in buffers of this size (``PSBaseParser.BUFSIZ``)."""

_OPENS = {"array_begin": "a", "proc_begin": "p", "dict_begin": "d"}
_CLOSES = {"array_end": "a", "proc_end": "p", "dict_end": "d"}
_INLINE_IMAGE = (KWD(b"BI"), KWD(b"ID"))
_TRUE, _FALSE = b"true", b"false"


class _Declined(Exception):
    """Something pdfminer reads in a way this pass does not model."""


def content_objects(streams: Sequence[PDFStream]) -> list[Any] | None:
    """The objects pdfminer's ``PDFContentParser`` would hand the interpreter for these
    streams, read as one; None where pdfminer must read them itself.

    A stream that cannot be decoded raises here what it raises in pdfminer's parser, once:
    decoding it again would count it twice against ``pdfguard``'s budget. Streams over
    ``LARGEST`` are left to pdfminer, which holds one token at a time where this holds them
    all."""
    data = [stream.get_data() or b"" for stream in streams]
    if sum(map(len, data)) > LARGEST:
        return None
    try:
        return _objects(data)
    except _Declined:
        return None
    except MemoryError:
        raise  # the worker's memory limit, not an odd stream
    except Exception:
        return None  # not foreseen here: pdfminer reads the stream as it always did


LARGEST = 4 * 1024 * 1024
"""Bytes of content a page or form may have to be read here: 30 times the largest page of
samples/, tests/fixtures and ../shared/realdocs (126 kB; half are under 12 kB)."""


def _objects(streams: Sequence[bytes]) -> list[Any]:
    """Tokens as pdfminer's ``PSBaseParser`` cuts them, built into arrays, dictionaries and
    procedures as its ``PSStackParser`` builds them: a stray closing bracket is dropped,
    and what an array left open holds is lost."""
    out: list[Any] = []
    stack = out
    kind: str | None = None
    context: list[tuple[str | None, list[Any]]] = []
    last = len(streams) - 1
    for index, data in enumerate(streams):
        for m in _TOKEN.finditer(data):
            group = m.lastgroup
            if group == "number":
                text = m[group]
                try:  # noqa: SIM105 (contextlib.suppress costs more, on the commonest token)
                    stack.append(float(text) if b"." in text else int(text))
                except ValueError:
                    pass  # "-", "." and the like: pdfminer drops them too
            elif group == "keyword":
                text = m[group]
                if text == _TRUE:
                    stack.append(True)
                elif text == _FALSE:
                    stack.append(False)
                else:
                    keyword = KWD(text)
                    if keyword in _INLINE_IMAGE:
                        raise _Declined  # pdfminer reads the image's bytes itself
                    stack.append(keyword)
            elif group == "hex":
                stack.append(_hex_string(m[group]))
            elif group == "name":
                text = m[group]
                if m.end() == len(data) and (text == b"/" or b"#" in text[-3:]):
                    raise _Declined  # cut by the stream's end: pdfminer reads on
                stack.append(LIT(_name(text)))
            elif group == "string":
                text = m[group]
                stack.append(_unescape(text, m.start(group)) if b"\\" in text else text)
            elif group in _OPENS:
                context.append((kind, stack))
                kind, stack = _OPENS[group], []
            elif group in _CLOSES:
                if kind == _CLOSES[group]:  # else a stray close: pdfminer drops it
                    done = _dictionary(stack) if kind == "d" else stack
                    kind, stack = context.pop()
                    stack.append(done)
            elif group == "other":
                stack.append(KWD(m[group]))
            elif group == "close":
                if m.end() == len(data) and index != last:
                    raise _Declined  # pdfminer pairs it with the next stream's first byte
            elif group == "cut":
                raise _Declined
            # a comment, or blanks to the end
    return out


def _dictionary(items: list[Any]) -> dict[str, Any]:
    if len(items) % 2:
        raise _Declined  # pdfminer raises PSSyntaxError
    return {literal_name(k): v for (k, v) in choplist(2, items) if v is not None}


def _hex_string(text: bytes) -> bytes:
    try:
        return binascii.unhexlify(text)
    except binascii.Error:  # blanks inside, or an odd digit at the end
        return HEX_PAIR.sub(_hex_byte, SPC.sub(b"", text))


def _hex_byte(m: re.Match[bytes]) -> bytes:
    return bytes((int(m[0], 16),))


def _name(text: bytes) -> str | bytes:
    raw = _NAME_ESCAPE.sub(_name_byte, text[1:]) if b"#" in text else text[1:]
    try:
        return str(raw, "utf-8")
    except UnicodeDecodeError:
        return raw


def _name_byte(m: re.Match[bytes]) -> bytes:
    return bytes((int(m[1], 16),)) if m[1] else b""


def _unescape(text: bytes, start: int) -> bytes:
    """A literal string's escapes, read as pdfminer's ``_parse_string_1`` reads them: an
    octal code, a named escape, a backslash before a line break or any other byte dropped.
    ``start``: where the string's text begins in its stream."""

    def escape(m: re.Match[bytes]) -> bytes:
        octal, crlf, other = m.groups()
        if octal:
            code = int(octal, 8)
            if code > 255:
                raise _Declined  # pdfminer fails an assertion here
            return bytes((code,))
        if crlf:
            if (start + m.start() + 1) % _PDFMINER_BUFFER == _PDFMINER_BUFFER - 1:
                raise _Declined  # pdfminer sees the CR and the LF in two buffers
            return b""
        return _STRING_ESCAPES.get(other, b"")

    return _STRING_ESCAPE.sub(escape, text)


class Interpreter(PDFPageInterpreter):
    """pdfminer's page interpreter, reading its content streams with ``content_objects``
    and finding each operator's method once per page rather than once per use."""

    def execute(self, streams: Sequence[object]) -> None:
        valid = self._valid_streams(streams)
        objects = content_objects(valid)
        if objects is None:
            super().execute(valid)
            return
        operators: dict[PSKeyword, tuple[Any, int] | None] = {}
        for obj in objects:
            if not isinstance(obj, PSKeyword):
                self.argstack.append(obj)
                continue
            if obj in operators:
                operator = operators[obj]
            else:
                operator = operators[obj] = self._operator(obj)
            if operator is None:
                continue
            method, count = operator
            if count:
                args = self.pop(count)
                if len(args) == count:
                    method(*args)
            else:
                method()

    def _operator(self, keyword: PSKeyword) -> tuple[Any, int] | None:
        """The method pdfminer's ``execute`` calls for an operator, and how many operands
        it takes; None for an operator it ignores."""
        name = str(keyword.name, "utf-8", "ignore")
        attribute = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
        method = getattr(self, attribute, None)
        if method is None:
            return None
        return method, method.__code__.co_argcount - 1

    def _valid_streams(self, streams: Sequence[object]) -> list[PDFStream]:
        """The streams pdfminer's ``execute`` reads (none it is already inside, none
        without an object number), noted as being read, and its warnings for the others,
        as it gives them."""
        valid: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None:
                log.warning("Execute called on non-indirect object (inline image?) %r", stream)
            elif stream.objid in self.parent_stream_ids:
                log.warning(
                    "Refusing to execute circular reference to content stream %d", stream.objid
                )
            else:
                valid.append(stream)
                self.stream_ids.add(stream.objid)
        return valid

"""OCR results kept on disk, by page image and engine: ``DIR/ab/<key>.json``.

The key is the sha256 of the rendered page's pixels with the engine's identity (version,
model, settings) and the page-cutting layout version: a re-run, or a new parser version
that reads the same pages, does not OCR again, while a new Tesseract model does. Written
to a temporary file and renamed into place (as the blob store does), so a killed run never
leaves half a result under a real name; an unreadable entry is OCR'd again.

Rendering a page at 300 dpi only to hash its pixels was most of a cached re-run's time, so
what a page renders to is kept too (``DIR/ab/<key>.rendered``): the pixels' hash and dpi,
keyed by the PDF's own bytes (sha256), the page, the dpi asked for, the largest image
allowed and PDFium's version. A re-run of the same file finds its pages' OCR without
rendering them; the same page in another file (or another PDFium) is rendered, hashed and
still found by its pixels."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from extractors.ocr import budget
from extractors.ocr.engine import OcrWord
from extractors.ocr.render import MAX_PIXELS
from extractors.ocr.scan import LAYOUT_VERSION, ScannedPage

FORMAT = "2"
"""How an entry is written; part of the key, so entries of an older format are not read.
2: every field of each word (format 1 lost ``space_before``, which joins Thai words)."""
RENDERED_FORMAT = "1"
"""How what a page renders to is written (``rendered``); part of its key."""


class OcrCache:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def key(self, image_hash: str, engine: str, dpi: float) -> str:
        text = f"{image_hash}\n{engine}\nlayout {LAYOUT_VERSION}\ndpi {dpi:.2f}\nformat {FORMAT}"
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str, suffix: str = ".json") -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def rendered_key(self, file_hash: str, index: int, dpi: int) -> str:
        """Page ``index`` (0-based) of the PDF whose bytes hash to ``file_hash``, rendered
        at ``dpi`` by this PDFium under this size limit."""
        from pypdfium2.version import PDFIUM_INFO

        text = (
            f"{file_hash}\npage {index}\ndpi {dpi}\nmax pixels {MAX_PIXELS}\n"
            f"pdfium {PDFIUM_INFO}\nformat {RENDERED_FORMAT}"
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def rendered(self, key: str) -> tuple[str, float] | None:
        """What the page under ``key`` (``rendered_key``) renders to: its pixels' hash
        (``scan.image_key``) and the dpi used, or None when not known."""
        try:
            data = json.loads(self.path(key, ".rendered").read_text(encoding="utf-8"))
            return str(data["image"]), float(data["dpi"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_rendered(self, key: str, image_hash: str, dpi: float) -> None:
        """Keep what the page under ``key`` renders to (never an error, as ``put``)."""
        self._write(self.path(key, ".rendered"), {"image": image_hash, "dpi": dpi})

    def get(self, key: str) -> ScannedPage | None:
        """The page kept under ``key`` (counted in ``budget``), or None. Every field is read
        back as it was written (``put``): a cached page reads exactly as the OCR'd one did."""
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
            words = tuple(
                OcrWord(**{**w, "box": tuple(w["box"]), "line_box": tuple(w["line_box"])})
                for w in data.pop("words")
            )
            edges = tuple(tuple(e) for e in data.pop("edges"))
            page = ScannedPage(**data, edges=edges, words=words)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        budget.page_cached()
        return page

    def put(self, key: str, page: ScannedPage) -> None:
        """Keep a result; a cache that cannot be written is only slower, never an error."""
        self._write(self.path(key), asdict(page))

    @staticmethod
    def _write(final: Path, data: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            final.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".partial-", dir=final.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False)
                Path(temp).replace(final)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(temp).unlink()
                raise

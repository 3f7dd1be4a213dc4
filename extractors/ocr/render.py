"""Pages to pixels with PDFium (pypdfium2, already under pdfplumber): grey, at 300 dpi.

PDFium is not thread-safe: pages are rendered one at a time by the caller's thread, and
only recognition runs in parallel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractors.ocr.engine import OcrPageError

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PIXELS = 80_000_000
"""Largest page image rendered (A0 at 200 dpi; 80 MB grey): a bigger page is rendered at a
lower resolution, down to ``MIN_DPI``, or skipped."""
MIN_DPI = 150


def render_page(document: Any, index: int, dpi: int) -> tuple[Image, float]:
    """Page ``index`` (0-based) of a ``pypdfium2.PdfDocument`` as a grey image, and the
    dpi it was rendered at. Raises ``OcrPageError`` for a page too large to render."""
    page = document[index]
    try:
        width, height = page.get_size()
        used = float(dpi)
        pixels = width * height * (used / 72) ** 2
        if pixels > MAX_PIXELS:
            used = 72 * (MAX_PIXELS / (width * height)) ** 0.5
        if used < MIN_DPI:
            raise OcrPageError(
                f"too large to render for OCR ({width:.0f} × {height:.0f} pt: more than "
                f"{MAX_PIXELS:,} pixels at {MIN_DPI} dpi)"
            )
        bitmap = page.render(scale=used / 72, grayscale=True)
        try:
            image = bitmap.to_pil().convert("L")
        finally:
            bitmap.close()
        return image, used
    finally:
        page.close()

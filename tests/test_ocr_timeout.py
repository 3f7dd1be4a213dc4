"""A page's OCR time-out stops Tesseract, and is named with the page's whole budget.

Real Tesseract on a real line cut from a committed scan (tests/fixtures/ocr, made by
make_ocr_fixtures.py): finding the line alone takes Tesseract 10 ms or more, so a limit under
that cannot be met. Nothing here waits on a clock or asserts one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import needs_tesseract

from extractors.ocr.engine import OcrPageError, open_engine
from extractors.ocr.options import OcrOptions

if TYPE_CHECKING:
    from PIL.Image import Image

HERE = Path(__file__).parent
LINE = HERE / "fixtures" / "ocr" / "ocr_timeout_under_a_millisecond.png"
SCAN = HERE / "fixtures" / "scans" / "dla_2567__libreoffice__Garuda__ruled__landscape__scan.pdf"


pytestmark = [needs_tesseract]


def _line() -> Image:
    from PIL import Image, ImageOps

    return ImageOps.expand(Image.open(LINE).convert("L"), 10, fill=255)


def test_ocr_timeout_under_a_millisecond_was_no_limit() -> None:
    """Regression: ``Recognize(int(seconds * 1000))`` gave tesserocr 0 ms for the last
    sub-millisecond of a page's budget, and tesserocr reads 0 as no limit: the line was read
    in full, however long it took. Any time left is now at least a 1 ms limit."""
    engine = open_engine(OcrOptions())
    with pytest.raises(OcrPageError, match="OCR timed out"):
        engine.words(_line(), block=True, timeout=0.0004)
    # the same engine, with time to read, reads the line (the report's title)
    words = engine.words(_line(), block=True, timeout=60)
    assert "รายงานผลการดำเนินการ" in "".join(w.text for w in words).replace("ํา", "ำ")


def test_a_spent_budget_is_not_given_to_tesseract_as_no_limit() -> None:
    """A budget already spent (0 or less left) stops before Tesseract starts."""
    from extractors.ocr.tesseract import TesseractEngine

    engine = TesseractEngine.open()
    for spent in (0.0, -1.0):
        with pytest.raises(OcrPageError, match="OCR timed out"):
            engine.words(_line(), block=True, timeout=spent)
        with pytest.raises(OcrPageError, match="OCR timed out"):
            engine.digits(_line(), timeout=spent)


def test_a_page_timing_out_is_named_with_the_page_budget() -> None:
    """Whichever step runs out of time (cutting the page, or Tesseract on a line given what
    was left of the page's budget), the page's line names the budget it was given."""
    import pypdfium2

    from extractors.ocr.render import render_page
    from extractors.ocr.scan import scan_page

    engine = open_engine(OcrOptions())
    document = pypdfium2.PdfDocument(SCAN.read_bytes())
    try:
        image, dpi = render_page(document, 0, 300)
        width, height = document[0].get_size()
    finally:
        document.close()
    with pytest.raises(OcrPageError) as raised:
        scan_page(engine, image, dpi, 1, width, height, 0.05)
    assert str(raised.value) == "OCR timed out after 0.05 s"

"""The OCR cache finds a re-run's pages by the PDF's bytes, without rendering them, and
other bytes of the same page by their pixels.

Real Tesseract on a one-page image-only PDF cut from a committed scan
(tests/fixtures/ocr/ocr_cache_lost_word_spacing.pdf, made by make_ocr_fixtures.py); what
each run did is counted by ``extractors.ocr.budget`` (pages OCR'd, taken from the cache,
rendered), and the text a page reads as comes from the first run, which OCR'd it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import needs_tesseract

from extractors.ocr import budget
from extractors.ocr.options import OcrOptions
from extractors.pdf import read_pdf_text

HERE = Path(__file__).parent
PDF = HERE / "fixtures" / "ocr" / "ocr_cache_lost_word_spacing.pdf"


pytestmark = [needs_tesseract]


@dataclass(frozen=True)
class FirstRun:
    cache: Path
    text: str


def read(data: bytes, cache: Path) -> tuple[str, budget.OcrCount]:
    before = budget.counted()
    document, _ = read_pdf_text(data, ocr=OcrOptions(cache=str(cache)))
    return document.text, budget.counted() - before


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    cache = tmp_path_factory.mktemp("ocr-cache")
    text, count = read(PDF.read_bytes(), cache)
    assert count == budget.OcrCount(run=1, cached=0, rendered=1)
    return FirstRun(cache, text)


def test_a_rerun_of_the_same_file_renders_no_page(first_run: FirstRun) -> None:
    text, count = read(PDF.read_bytes(), first_run.cache)
    assert count == budget.OcrCount(run=0, cached=1, rendered=0)
    assert text == first_run.text


def test_the_same_page_in_other_bytes_is_found_by_its_pixels(first_run: FirstRun) -> None:
    """A PDF saved again with something appended (an incremental update, a comment) is
    other bytes drawing the same page: rendered, and not OCR'd again."""
    text, count = read(PDF.read_bytes() + b"\n% saved again\n", first_run.cache)
    assert count == budget.OcrCount(run=0, cached=1, rendered=1)
    assert text == first_run.text


def test_an_unreadable_rendering_entry_only_costs_a_rendering(
    first_run: FirstRun, tmp_path: Path
) -> None:
    import hashlib
    import shutil

    from extractors.ocr.cache import OcrCache

    cache = tmp_path / "cache"
    shutil.copytree(first_run.cache, cache)
    store = OcrCache(cache)
    key = store.rendered_key(hashlib.sha256(PDF.read_bytes()).hexdigest(), 0, 300)
    assert store.rendered(key) is not None
    store.path(key, ".rendered").write_text("{half an entr", encoding="utf-8")
    text, count = read(PDF.read_bytes(), cache)
    assert count == budget.OcrCount(run=0, cached=1, rendered=1)
    assert text == first_run.text
    # the entry was written again: the next re-run renders nothing
    assert read(PDF.read_bytes(), cache)[1] == budget.OcrCount(run=0, cached=1, rendered=0)

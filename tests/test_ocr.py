"""OCR of scanned and garbage-text PDFs (issue 10), against the source documents' text.

The scans in tests/fixtures/scans/ were made by samples/make_scans.py from sample PDFs whose true
text is the source in samples/ (MANIFEST.tsv names it): expected values come from reading
those sources with the text/HTML/Markdown readers, never from the OCR output. Needs Tesseract
and its Thai model; where they are missing every test here is skipped, saying so.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import needs_tesseract
from rapidfuzz.fuzz import ratio

from etl import ExtractedDocument, extract_file
from extractors.ocr.options import OcrOptions
from schemas.errors import InputError

SAMPLES = Path(__file__).parents[1] / "samples"
SCANS = Path(__file__).parent / "fixtures" / "scans"
MANIFEST = list(csv.DictReader((SCANS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
PAPER = [row for row in MANIFEST if row["angles"]]
GARBLED = [row for row in MANIFEST if not row["angles"]]


pytestmark = [pytest.mark.slow]


def key(text: str) -> str:
    return re.sub(r"\s", "", text)


@cache
def source(name: str) -> ExtractedDocument:
    return extract_file(SAMPLES / name)


@cache
def scanned(name: str, cache_dir: str) -> ExtractedDocument:
    return extract_file(SCANS / name, ocr=OcrOptions(cache=cache_dir, workers=2))


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("ocr-cache"))


def similarities(got: ExtractedDocument, want: ExtractedDocument) -> list[float]:
    """For each measure of the source, the best character similarity (0–1) of a measure
    read from the scan (white space aside)."""
    found = [key(m.text) for m in got.items("measure")]
    return [
        max((ratio(key(m.text), f) / 100 for f in found), default=0.0)
        for m in want.items("measure")
    ]


@needs_tesseract
@pytest.mark.parametrize("row", PAPER + GARBLED, ids=[r["file"] for r in PAPER + GARBLED])
def test_measures_read_from_the_page_images(row: dict[str, str], ocr_cache: str) -> None:
    got, want = scanned(row["file"], ocr_cache), source(row["source"])
    scores = similarities(got, want)
    assert want.items("measure"), "the source has measures"
    close = sum(1 for s in scores if s >= 0.95)
    assert close >= 0.9 * len(scores), (close, len(scores), sorted(scores)[:5])
    assert sum(scores) / len(scores) >= 0.97, scores
    assert got.report.agency == want.report.agency
    assert all(r.read_by == "ocr" for r in got.pages_read)
    assert any("read by OCR" in w for w in got.warnings)


@needs_tesseract
@pytest.mark.parametrize("row", PAPER + GARBLED, ids=[r["file"] for r in PAPER + GARBLED])
def test_fiscal_year_read_from_the_page_images(row: dict[str, str], ocr_cache: str) -> None:
    got, want = scanned(row["file"], ocr_cache), source(row["source"])
    assert want.report.fiscal_year_be is not None
    assert got.report.fiscal_year_be == want.report.fiscal_year_be


@needs_tesseract
@pytest.mark.parametrize("row", GARBLED, ids=[r["file"] for r in GARBLED])
def test_a_garbage_text_layer_is_detected_and_read_by_ocr(
    row: dict[str, str], ocr_cache: str
) -> None:
    got = scanned(row["file"], ocr_cache)
    assert [r.read_by for r in got.pages_read] == ["ocr"] * int(row["pages"])
    assert all(r.text_score is not None and r.text_score > 0.45 for r in got.pages_read)
    assert any("text layer is garbage" in w for w in got.warnings)
    # the same bytes with --ocr never: the garbage is read as it is, and says nothing true
    # (not even the header, so no report table is recognised in it)
    from extractors.pdf import read_pdf

    as_is = read_pdf((SCANS / row["file"]).read_bytes(), ocr=OcrOptions(mode="never"))
    assert all(r.read_by in ("text_layer", "repaired") for r in as_is.readings)
    layer = " ".join(c.text for t in as_is.tables for r in t.rows for c in r.cells)
    assert "ตัวชี้วัด" not in layer
    with pytest.raises(InputError, match=r"no table found|could not recognise its columns"):
        extract_file(SCANS / row["file"], ocr=OcrOptions(mode="never"))


def test_sound_text_layers_are_not_ocrd() -> None:
    doc = extract_file(SAMPLES / "pdf" / "dla_2567__weasyprint__Loma__ruled__portrait.pdf")
    assert doc.pages_read and all(r.read_by != "ocr" for r in doc.pages_read)
    assert not any("OCR" in w for w in doc.warnings)


def test_never_leaves_a_scan_unread_with_one_line() -> None:
    name = PAPER[0]["file"]
    with pytest.raises(InputError, match="OCR needed"):
        extract_file(SCANS / name, ocr=OcrOptions(mode="never"))


def test_a_missing_thai_model_is_one_line_naming_what_to_install(tmp_path: Path) -> None:
    env = {"TESSDATA_PREFIX": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "etl.app.cli", "extract", str(SCANS / PAPER[0]["file"])],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
        timeout=120,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-tha" in lines[0]
    assert PAPER[0]["file"] in lines[0]


@needs_tesseract
def test_an_ocr_time_out_names_the_page_and_fails_the_document_cleanly() -> None:
    options = OcrOptions(page_timeout=0.01)
    with pytest.raises(InputError, match=r"OCR failed on every page \(page 1: OCR timed out"):
        extract_file(SCANS / PAPER[0]["file"], ocr=options)


def test_a_page_too_large_to_render_is_named() -> None:
    import pypdfium2
    from conftest import minimal_pdf

    from extractors.ocr.engine import OcrPageError
    from extractors.ocr.render import render_page

    huge = minimal_pdf(b"x\x9c\x03\x00\x00\x00\x00\x01").replace(
        b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 14400 14400]"
    )
    document = pypdfium2.PdfDocument(huge)
    with pytest.raises(OcrPageError, match="too large to render for OCR"):
        render_page(document, 0, 300)
    document.close()


LINES = Path(__file__).parent / "fixtures" / "ocr_lines"
LINE_CROPS = list(csv.DictReader((LINES / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
_TRUE_TEXT = "text (read from samples/dla_2567.html)"
MARK_CROPS = list(csv.DictReader((LINES / "MARKS.tsv").open(encoding="utf-8"), delimiter="\t"))


def _read_lines(name: str, whole_rows: bool = True) -> list[str]:
    import numpy as np
    from PIL import Image, ImageOps

    from extractors.ocr.engine import open_engine
    from extractors.ocr.image import ink_mask
    from extractors.ocr.lines import text_lines

    grey = np.asarray(Image.open(LINES / name).convert("L"))
    engine = open_engine(OcrOptions())
    out = []
    for line in text_lines(grey, ink_mask(grey), whole_rows=whole_rows):
        picture = ImageOps.expand(Image.fromarray(line.image), 10, fill=255)
        words = engine.words(picture, block=True, timeout=60)
        out.append("".join(w.text for w in words).replace("\u0e4d\u0e32", "\u0e33"))
    return out


@needs_tesseract
@pytest.mark.parametrize("crop", LINE_CROPS, ids=[c["file"] for c in LINE_CROPS])
def test_upper_marks_stay_with_their_letters(crop: dict[str, str]) -> None:
    """Garuda leaves a gap between a letter and the marks over it: Tesseract's own line
    finder read the marks as a line of their own ("บ บ สอู่" over "กองการเจาหนาท"). The
    lines cut out by ``extractors.ocr.lines`` keep them together."""
    want = [key(line) for line in crop[_TRUE_TEXT].split("|")]
    got = [key(line) for line in _read_lines(crop["file"])]
    assert len(got) == len(want), got
    for read, true in zip(got, want, strict=True):
        assert ratio(read, true) / 100 >= 0.95, (read, true)


def test_a_mark_goes_with_the_letter_it_sits_on_not_a_line_of_its_own() -> None:
    import numpy as np

    from extractors.ocr.lines import text_lines

    grey = np.full((120, 200), 255, np.uint8)
    grey[60:90, 20:40] = 0  # a letter
    grey[60:90, 60:80] = 0  # another
    grey[40:56, 24:36] = 0  # a mark just over the first, 4 px above it
    grey[94:100, 64:76] = 0  # a mark just under the second
    grey[5:7, 150:152] = 0  # a speck far from any letter
    lines = text_lines(grey, grey < 128, whole_rows=True)
    assert len(lines) == 1
    line = lines[0]
    assert (line.top, line.bottom) == (40, 100)
    assert (line.core_top, line.core_bottom) == (60, 90)
    assert (line.image[40 - line.top + 5, 30 - line.x0]) == 0  # the mark's ink is in


def _components(ink: Any) -> list[Any]:
    import cv2
    import numpy as np

    count, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    return [labels == n for n in range(1, count)]


def test_tone_mark_stacked_on_a_mark_was_dropped() -> None:
    """Regression: a tone mark over ั (ขั้น, นั้น in TH Sarabun, realdocs EB1_1.6.pdf) is as
    tall as the ั under it, so only taller components being bases it found none, and the ั
    took the tone mark for its base (just under it): both went to a line of marks of their
    own, dropped as specks, and the line read "ขนตอน", "นนๆ". Every mark of the two lines
    is now in a line's image."""
    import numpy as np
    from PIL import Image

    from extractors.ocr.image import ink_mask
    from extractors.ocr.lines import text_lines

    grey = np.asarray(Image.open(LINES / "tone_marks_stacked_on_marks__eb1_1.6_p2.png"))
    ink = ink_mask(grey)
    lines = text_lines(grey, ink, whole_rows=False)
    kept = np.zeros_like(ink)
    for line in lines:
        box = kept[line.top : line.bottom, line.x0 : line.x1]
        box |= line.image < 160
    lost = [c for c in _components(ink) if not (kept & c).any() and c.sum() > 20]
    assert not lost, [tuple(np.argwhere(c).min(axis=0)) for c in lost]


@needs_tesseract
def test_tone_marks_stacked_on_marks_are_read() -> None:
    true = MARK_CROPS[0]["true text (the source's own)"].removesuffix(" (text layer)")
    got = _read_lines(MARK_CROPS[0]["file"], whole_rows=False)
    assert len(got) == 2, got
    for read, want in zip(got, true.split("|"), strict=True):
        assert read.count("ขั้นตอน") == want.count("ขั้นตอน"), read
        assert read.count("นั้นๆ") == want.count("นั้นๆ"), read


def test_phrases_are_placed_in_the_gaps_of_their_ink() -> None:
    """Tesseract's Thai word boxes run up to a letter past their ink; a phrase ends where
    its ink does, so that a gutter of a borderless table is not taken for a word space."""
    import numpy as np

    from extractors.ocr.lines import TextLine, phrase_spans

    image = np.full((40, 300), 255, np.uint8)
    image[5:35, 10:100] = 0
    image[5:35, 140:200] = 0
    line = TextLine(0, 0, 300, 40, 5.0, 35.0, 3.0, image)
    assert phrase_spans(line, [(10, 128), (150, 215)]) == [(10, 100), (140, 200)]


def test_the_ocr_cache_keeps_what_the_clean_up_needs(tmp_path: Path) -> None:
    from extractors.ocr.cache import OcrCache
    from extractors.ocr.engine import OcrWord
    from extractors.ocr.scan import ScannedPage

    word = OcrWord("๒๕๖๗", 80.0, (1, 2, 3, 4), 0, (0, 1, 5, 4), False, "๒๕๒๓ ๒๕๓๓", True, "๒๕๒")
    page = ScannedPage(100.0, 200.0, 4.0, 0.5, (("h", 0.0, 1.0, 2.0, 1.0),), (word,))
    cache = OcrCache(tmp_path)
    cache.put("k" * 64, page)
    assert cache.get("k" * 64) == page


def test_thai_digits_are_read_again_by_their_shape() -> None:
    """Tesseract's Thai model read these digits of a real memo (realdocs EB1_1.3.pdf, TH
    Sarabun; cut into tests/fixtures/ocr_lines) as "๐๓๕-๒๑๕๒๓๒" and "๕๓๓"; the text layer
    of the same PDF says "๐๓๘-๒๑๙๒๓๒" and "๘๗๓"."""
    import numpy as np
    from PIL import Image

    from extractors.ocr.glyphs import read_digits

    for name, read, true in (
        ("thai_digits_misread__phone.png", "โทร.๐๓๕-๒๑๕๒๓๒-๓", "โทร.๐๓๘-๒๑๙๒๓๒-๓"),
        ("thai_digits_misread__amount.png", "๕๓๓", "๘๗๓"),
        ("thai_digits_misread__norasi_year.png", "๒๕๒๒", "๒๕๖๖"),
    ):
        grey = np.asarray(Image.open(LINES / name).convert("L"))
        assert read_digits(read, grey, 0, grey.shape[1]) == true
        assert read_digits(true, grey, 0, grey.shape[1]) is None  # read right: left alone


def test_thai_digits_touching_and_read_as_guillemets() -> None:
    """Regression (realdocs EB2_2.5.pdf, EB1_1.7.pdf; DIGITS.tsv): TH SarabunIT๙ sets ๕ so
    that it touches the ๖ after it, so every year of the 2560s had a glyph like no digit
    in it and was left as the engine read it ("๒๕๒๓", "๑๐๑/๒๕๒๐๒" for ๑๖๑/๒๕๖๒); a ๙ the
    engine read "«" was never looked at. The crops hold 20 px either side of where the
    phrase was placed (the ๙'s curl lies outside it: the glyph is taken whole)."""
    import numpy as np
    from PIL import Image

    from extractors.ocr.glyphs import read_digits

    for name, read, true in (
        ("thai_digits_touching__memo_number.png", "๑๒๐๑/๒๕๒๐๒", "๑๖๑/๒๕๖๒"),
        ("thai_digit_read_as_guillemet__day.png", "«", "๙"),
    ):
        grey = np.asarray(Image.open(LINES / name).convert("L"))
        span = (20, grey.shape[1] - 20)
        assert read_digits(read, grey, *span) == true
        assert read_digits(true, grey, *span) is None

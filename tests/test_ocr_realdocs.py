"""OCR of real pages that read badly, one test per defect (issue 10).

The pages are excerpts of ../shared/realdocs with a text layer (tests/fixtures/realdocs/,
cut by cut_excerpts.py there; MANIFEST.tsv names each one's public source): each test
renders its page at 300 dpi in grey, as benchmarks/ocr_quality.py does, so the OCR sees an
image only, and reads a region of it through the OCR stage (``scan.scan_page``). Expected
text was read off the rendered page by eye, not taken from the OCR output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import needs_tesseract
from rapidfuzz.fuzz import ratio

from extractors.ocr.options import OcrOptions

FIXTURES = Path(__file__).parent / "fixtures" / "realdocs"
DPI = 300

pytestmark = [pytest.mark.slow]


def _key(text: str) -> str:
    """White space aside, ``ํา`` as ``ำ`` and Thai digits as their values (TH SarabunIT๙
    and these posters' fonts draw digits either way)."""
    text = text.replace("\u0e4d\u0e32", "\u0e33").translate(
        str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
    )
    return re.sub(r"\s", "", text)


def read_region(name: str, box: tuple[int, int, int, int]) -> list[str]:
    """The lines OCR reads in ``box`` (pixels at 300 dpi) of the excerpt's only page."""
    import pypdfium2

    from extractors.ocr.engine import open_engine
    from extractors.ocr.render import render_page
    from extractors.ocr.scan import scan_page

    document = pypdfium2.PdfDocument((FIXTURES / name).read_bytes())
    image, dpi = render_page(document, 0, DPI)
    document.close()
    crop = image.crop(box)
    size = (crop.width * 72 / dpi, crop.height * 72 / dpi)
    page = scan_page(open_engine(OcrOptions()), crop, dpi, 1, *size, timeout=300)
    lines: dict[int, str] = {}
    for word in page.words:
        lines[word.line] = lines.get(word.line, "") + word.text
    return [_key(text) for text in lines.values()]


def assert_each_line_read(want: list[str], got: list[str]) -> None:
    """Each line read off the page by eye is among the OCR's lines, at 90 % similarity or
    more (a line's few misread characters are the clean-up's business, not these tests')."""
    for line in want:
        best = max((ratio(_key(line), read) for read in got), default=0.0)
        assert best >= 90, (line, got)


BANNERS = "white_text_on_dark_banners_eb2_2.7_p1.pdf"


@needs_tesseract
def test_white_text_on_a_dark_banner_was_dropped_as_a_picture() -> None:
    """The poster's title is white on a dark blue banner, its vision yellow on a green
    triangle (grey 142 and 112 at 300 dpi, darker than the page's threshold for ink): each
    banner was one component of ink, which the line finder dropped as a picture, and not
    one of these lines was read. A dark fill is now turned into dark text on white."""
    got = read_region(BANNERS, (0, 0, 3251, 430))
    want = [
        "ยุทธศาสตร์และตัวชี้วัดสำคัญตามคำรับรองปฏิบัติราชการ",
        "และบันทึกข้อตกลงความร่วมมือการดำเนินงานพัฒนาด้านสาธารณสุข",
        "ประจำปีงบประมาณ พ.ศ.2564",
        "วิสัยทัศน์",
        "2579 ชลบุรีเป็นผู้นำ",
        "ด้านสุขภาพระดับชาติ",
        "สู่เมืองสุขภาพดี",
        "ที่ยั่งยืน",
    ]
    assert_each_line_read(want, got)


UNDERLINES = "underline_erased_marks_below_eb2_2.6_p8.pdf"


@needs_tesseract
def test_underline_erased_the_marks_below_drawn_into_it() -> None:
    """The poster's headings are underlined, and their ุ and ู are drawn into the underline.
    Rules were erased before OCR and the underline with them, marks and all: the lines read
    "บคลากร", "สาธารณสข มีความสขในการ", "ความคงอย่อย่าง", "กลยทธ์ที่ 2". The underline is
    now given back to the line it underlines."""
    column = "".join(read_region(UNDERLINES, (2520, 955, 2970, 1080)))
    for word in ("บุคลากร", "สาธารณสุข", "มีความสุขในการ", "ความคงอยู่อย่าง"):
        assert word in column, (word, column)
    heading = "".join(read_region(UNDERLINES, (820, 1105, 1500, 1160)))
    assert "กลยุทธ์ที่2" in heading, heading


@needs_tesseract
def test_a_letter_was_taken_for_a_mark_of_the_line_under_it() -> None:
    """The poster's column headers are set tight, in print smaller than its title and
    banners, so the page's letter height (26 px outside the tables) is larger than theirs
    (17–20 px): a letter sat within a mark's reach over the ascender of ป or ฟ on the line
    under it, went to that line as its mark, and the headers came apart ("ารจัดระบบบริ",
    "การพัฒาคุ", "ทุกกลุ่มวัย" lost). A component standing in a row of letters of its own
    size is now a letter of its line, never a mark."""
    got = read_region(UNDERLINES, (0, 0, 3000, 960))
    want = [
        "ประเด็นยุทธศาสตร์ที่ 1",
        "การพัฒนาคุณภาพชีวิต",
        "ทุกกลุ่มวัย",
        "ประเด็นยุทธศาสตร์ที่ 2",
        "การจัดการภัยสุขภาพ",
        "ประเด็นยุทธศาสตร์ที่ 3",
        "การจัดระบบบริการสุขภาพ",
        "ที่มีคุณภาพ และบริการเป็นเลิศ",
        "ประเด็นยุทธศาสตร์ที่ 4",
        "การบริหารจัดการเพื่อ",
        "สนับสนุนระบบบริการ",
        "สุขภาพที่มีประสิทธิภาพ",
    ]
    assert_each_line_read(want, got)

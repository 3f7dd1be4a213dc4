"""PDF text layers: glyph recovery, lines, repaired text, and every kind of bad PDF.

The fixtures under tests/fixtures/pdf/ are made by tests/fixtures/make_pdfs.py (run by hand);
word_like_thai.pdf reproduces the defects of Thai Word/PowerPoint exports with a known text.
Tests marked ``realdocs`` read ../shared/realdocs and skip when it is absent.
"""

from __future__ import annotations

import logging
from collections import Counter
from functools import cache
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from conftest import REALDOCS, needs_realdocs
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from etl.app.cli import app
from extractors.pdf_glyphs import (
    SYMBOL_FONTS,
    GlyphRecovery,
    _quiet_fonttools,
    _recover,
    _walk,
    annotated_layout,
    base_font_name,
    recover_chars,
)
from extractors.pdf_text import document_text, lines_from_chars, read_document_text
from extractors.pdfdoc import open_pdf, pages_without_text, require_text_layer
from extractors.thai.quality import count_defects, measure, non_thai_added
from schemas.errors import (
    CorruptDocumentError,
    EmptyInputError,
    EncryptedDocumentError,
    ScannedDocumentError,
    UnsupportedFormatError,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
EXCERPTS = Path(__file__).parent / "fixtures" / "realdocs"
realdocs = needs_realdocs("these tests read whole real PDFs (excerpts: test_realdocs_regressions)")

WORD_LIKE = [
    "สำนักงานสาธารณสุขอำเภอ",  # nikhahit and sara u glyphs mapped to " "
    "การดำเนินงานตามมาตรการ",  # sara aa mapped to ำ, nikhahit to " "
    "ผู้ใหญ่ที่ดี",  # a PUA mark variant, mai ek left out of ToUnicode: (cid:N)
    "วิสัยทัศน์",  # marks placed past the next letter, as PowerPoint does
    "น้ำดื่ม",  # /ActualText over glyphs with no Unicode (LibreOffice)
    "ตัวชี้วัด",  # drawn twice, 0.3 pt apart: Word's fake bold
    "มาตรการ",  # rotated 90°
]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- the Word-like fixture: every glyph-level defect with a known answer ---------------------


def test_fixture_reproduces_the_defects_of_raw_pdfplumber() -> None:
    raw = document_text(fixture("word_like_thai.pdf"), raw=True)
    assert set(count_defects(raw)) >= {"split_sara_am", "cid", "pua", "orphan_mark"}
    assert "กำรด ำเนินงำน" in raw


def test_word_like_text_is_recovered() -> None:
    text = document_text(fixture("word_like_thai.pdf"))
    assert text == "\n".join(WORD_LIKE) + "\n\f"
    assert not count_defects(text)


def test_recoveries_are_counted_by_name() -> None:
    repairs = read_document_text(fixture("word_like_thai.pdf")).repairs
    assert repairs["tounicode"] >= 4  # nikhahit, sara u, sara aa read from the font's cmap
    assert repairs["cid_recovered"] == 2  # mai ek, twice
    assert repairs["pua"] == 1
    assert repairs["actual_text"] == 1  # one span, over three glyphs
    assert repairs["sara_am"] >= 3  # ํ + า put back together per line
    assert not [name for name in repairs if name.endswith("_unrecovered")]


def test_recovered_chars_keep_pdfplumber_shape_and_raw_text() -> None:
    with open_pdf(fixture("word_like_thai.pdf")) as pdf:
        page = pdf.pages[0]
        chars, counts = GlyphRecovery(pdf).recover_chars(page)
        assert len(chars) == len(page.chars)
        assert set(page.chars[0]) < set(chars[0])
        nikhahit = chars[1]  # ส ํ า น ...
        assert (nikhahit["raw_text"], nikhahit["text"]) == (" ", "\u0e4d")
        assert nikhahit["recovery"] == "tounicode"
        by_glyph = Counter(c["recovery"] for c in chars if c["recovery"])
        assert counts - Counter(actual_text=1) == by_glyph - Counter(actual_text=3)


def test_one_parse_serves_recovery_and_tables() -> None:
    with open_pdf(fixture("word_like_thai.pdf")) as pdf:
        page = pdf.pages[0]
        assert pages_without_text(pdf) == []
        layout = page.layout
        recover_chars(page)
        page.find_tables()
        assert page.layout is layout


def test_lines_of_a_cell() -> None:
    with open_pdf(fixture("word_like_thai.pdf")) as pdf:
        page = pdf.pages[0]
        chars, _ = recover_chars(page)
        second = [c for c in chars if 55 < c["top"] < 85 and c["upright"]]
        (line,) = lines_from_chars(second)
    assert line.text == "การดำเนินงานตามมาตรการ"
    assert line.raw.startswith("กำรด ำเนิน")
    assert dict(line.repairs) == {"sara_am": 1}
    assert line.fontname == "Laksaman" and not line.bold
    assert line.x0 < line.x1 and line.top < line.bottom
    assert lines_from_chars(second, repair=False)[0].text.startswith("การดํา")


class _Font:
    """What ``_recover`` asks of an embedded font: what the glyph is, and the symbol set."""

    def __init__(self, known: set[str], *, symbols: bool = False, trusted: bool = True) -> None:
        self.known = frozenset(known)
        self.trusted = trusted
        self.symbols = SYMBOL_FONTS["wingdings"] if symbols else None

    def identity(self, cid: int) -> frozenset[str]:
        return self.known

    def is_blank(self, cid: int) -> bool:
        return False

    def _symbol(self, code: int) -> str:
        assert self.symbols is not None
        return self.symbols.get(code & 0xFF, chr(0xF000 + (code & 0xFF)))


@pytest.mark.parametrize(
    ("tounicode", "font", "expected"),
    [
        (" ", _Font({"\u0e4d"}), ("\u0e4d", "tounicode")),  # zero-width nikhahit
        ("\u0e33", _Font({"\u0e32"}), ("\u0e32", "tounicode")),  # กำร for การ
        ("l", _Font({"\u0e49"}), ("\u0e49", "tounicode")),  # ดlาน for ด้าน
        ("(cid:4)", _Font({"\u0e32"}), ("\u0e32", "cid_recovered")),
        ("\uf70b", _Font({"\u0e49"}), ("\u0e49", "pua")),
        ("\uf70b", _Font(set()), ("\u0e49", "pua")),  # HarfBuzz's table without the font
        ("\uf0a7", _Font(set(), symbols=True), ("\u25aa", "symbol")),
        ("\u0e32", _Font({"\u0e32"}), ("\u0e32", None)),  # ToUnicode and font agree
        ("ffi", _Font({"\ufb03"}), ("ffi", None)),  # a ligature keeps its letters
        ("\u2010", _Font({"-"}), ("\u2010", None)),  # non-Thai: ToUnicode stands
        (" ", _Font({"\u0e48", "\u0e49"}), (" ", "glyph_ambiguous")),
        (" ", _Font({"\u0e4d"}, trusted=False), (" ", None)),  # re-encoded cmap proves nothing
    ],
)
def test_glyph_decision(tounicode: str, font: _Font, expected: tuple[str, str | None]) -> None:
    assert _recover(tounicode, 7, font) == expected  # type: ignore[arg-type]


_GLYPH_TEXTS = [" ", "", "l", "A", "1", ".", "@", "-", "ffi", *"\u0e32\u0e33\u0e4d\u0e01"]
_UNUSABLE_TEXTS = ["\ufffd", "\uf70b", "\uf0a7", "\ue123", "(cid:7)"]
_FONT_SAYS = ["\u0e4d", "\u0e38", "\u0e32", "\u0e49", "@", " ", "-", "A", "\u25aa", "\ufb03"]


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(_GLYPH_TEXTS + _UNUSABLE_TEXTS),
    st.sets(st.sampled_from(_FONT_SAYS), max_size=2),
    st.booleans(),
    st.booleans(),
)
def test_glyph_recovery_never_damages(
    tounicode: str, known: set[str], symbols: bool, trusted: bool
) -> None:
    """What the PDF says of a glyph changes only where it says nothing usable ((cid:N),
    U+FFFD, Private Use) or where the font proves a Thai glyph was given another character;
    a space, a Latin letter, a digit or punctuation never becomes another non-Thai
    character (EB1_1.6's spaces became "@")."""
    font = _Font(known, symbols=symbols, trusted=trusted)
    text, _ = _recover(tounicode, 7, font)  # type: ignore[arg-type]
    if text == tounicode or tounicode in _UNUSABLE_TEXTS:
        return
    proved = trusted and known == {text}
    assert proved and len(text) == 1 and "\u0e01" <= text <= "\u0e5b", (tounicode, text)
    assert len(tounicode) <= 1 or tounicode.startswith("(cid:")


def test_embedded_font_identity() -> None:
    with open_pdf(fixture("word_like_thai.pdf")) as pdf:
        page = pdf.pages[0]
        recovery = GlyphRecovery(pdf)
        recovery.recover_chars(page)
        layout, _ = annotated_layout(page)
        glyph = next(g for g in _walk(layout._objs) if g.get_text() == "\uf70b")
        font = recovery.glyphs(glyph.ita_font)  # type: ignore[attr-defined]
        assert font.trusted
        assert font.identity(glyph.ita_cid) == {"\u0e49"}  # type: ignore[attr-defined]
        assert font.glyph(glyph.ita_cid) == "uniF70B"  # type: ignore[attr-defined]


@pytest.mark.parametrize("own_level", [logging.NOTSET, logging.INFO, logging.CRITICAL])
def test_fonttools_warnings_are_kept_off_stderr_and_its_level_restored(
    own_level: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Reading a font program quiets fontTools' warnings (a text dump must not carry them);
    a block inside another changes nothing, and after the outer one the logger has its own
    level again."""
    logger = logging.getLogger("fontTools.ttLib")
    parent = logging.getLogger("fontTools")
    parent.setLevel(own_level)
    try:
        with caplog.at_level(logging.DEBUG, logger="ita-etl-test"):
            with _quiet_fonttools():
                logger.warning("inside the outer block")
                with _quiet_fonttools():
                    logger.warning("inside the inner block")
                assert parent.level == max(own_level, logging.ERROR)
                logger.warning("after the inner block")
            assert parent.level == own_level
            logger.error("an error is said as before")
        said = [r.getMessage() for r in caplog.records if r.name.startswith("fontTools")]
        assert said == ([] if own_level > logging.ERROR else ["an error is said as before"])
    finally:
        parent.setLevel(logging.NOTSET)


def test_base_font_name() -> None:
    assert base_font_name("ABCDEE+TH SarabunPSK,Bold") == "TH SarabunPSK,Bold"
    assert base_font_name("b'ABCDEE+TH SarabunIT\\xf9'") == "TH SarabunIT๙"


def test_libreoffice_actual_text() -> None:
    data = fixture("libreoffice_thai.pdf")
    assert count_defects(document_text(data, raw=True))["cid"] > 0
    text = document_text(data)
    assert "สำนักงานสาธารณสุขอำเภอ ดำเนินการตามตัวชี้วัด" in text
    assert "การใช้อำนาจ ประชุมชี้แจง ทำความเข้าใจ" in text
    assert not count_defects(text)


# --- bad PDFs: one error each, naming the reason ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "error", "words"),
    [
        ("encrypted.pdf", None, EncryptedDocumentError, "encrypted; open it with --password"),
        ("encrypted.pdf", "wrong", EncryptedDocumentError, "password given is wrong"),
        ("truncated.pdf", None, CorruptDocumentError, "truncated or damaged"),
        ("scanned.pdf", None, ScannedDocumentError, "no text layer on pages 1–3: OCR needed"),
        ("blank.pdf", None, EmptyInputError, "no text and no images"),
        ("not_a_pdf.pdf", None, UnsupportedFormatError, "not a PDF"),
    ],
)
def test_bad_pdfs(name: str, password: str | None, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        read_document_text(fixture(name), password=password)


def test_scanned_error_lists_the_pages() -> None:
    with pytest.raises(ScannedDocumentError) as raised:
        read_document_text(fixture("scanned.pdf"))
    assert raised.value.pages == (1, 2, 3)


def test_encrypted_opens_with_the_password() -> None:
    assert document_text(fixture("encrypted.pdf"), password="secret").startswith(
        "รายงานผลการดำเนินการ"
    )


def test_partly_scanned_reads_what_it_can() -> None:
    doc = read_document_text(fixture("partly_scanned.pdf"))
    assert doc.pages_without_text == (2,)
    assert doc.text == "รายงานผลการดำเนินการ\n\f\f"
    with open_pdf(fixture("partly_scanned.pdf")) as pdf:
        assert require_text_layer(pdf) == [2]


def test_empty_file() -> None:
    with pytest.raises(EmptyInputError):
        open_pdf(b"  \n")


# --- the command -----------------------------------------------------------------------------


def test_text_command(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["text", str(FIXTURES / "word_like_thai.pdf"), "--stats"])
    assert done.exit_code == 0
    assert done.stdout.startswith("สำนักงานสาธารณสุขอำเภอ\n")
    raw = runner.invoke(app, ["text", "--raw", str(FIXTURES / "word_like_thai.pdf")])
    assert raw.stdout.startswith("ส านักงาน")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["encrypted.pdf"], "encrypted.pdf: the PDF is encrypted; open it with --password"),
        (["scanned.pdf", "--ocr", "never"], "scanned.pdf: no text layer on pages 1–3: OCR needed"),
        (["not_a_pdf.pdf"], "not_a_pdf.pdf: not a PDF"),
        (["missing.pdf"], "missing.pdf: cannot read the file"),
    ],
)
def test_text_command_errors_are_one_line(args: list[str], message: str) -> None:
    done = CliRunner().invoke(app, ["text", str(FIXTURES / args[0]), *args[1:]])
    assert done.exit_code == 2
    (line,) = done.stderr.strip().splitlines()
    assert message in line


def test_text_command_warns_about_pages_without_text() -> None:
    path = str(FIXTURES / "partly_scanned.pdf")
    done = CliRunner().invoke(app, ["text", path, "--ocr", "never"])
    assert done.exit_code == 0
    assert "no text layer on page 2: OCR needed" in done.stderr


# --- real Thai PDFs ----------------------------------------------------------------------------


def real(name: str) -> bytes:
    return next(REALDOCS.rglob(name)).read_bytes()


@realdocs
@pytest.mark.realdocs
def test_zero_width_nikhahit_eb1_1_2() -> None:
    text = document_text(real("EB1_1.2.pdf"))
    assert "สำนักงานสาธารณสุขอำเภอหนองใหญ่" in text
    assert "คำนำ" in text
    # EB1_1.2.txt beside it is poppler's `pdftotext -layout`, which drops the nikhahit.
    poppler = next(REALDOCS.rglob("EB1_1.2.txt")).read_text(encoding="utf-8")
    assert "สานักงานสาธารณสุขอาเภอหนองใหญ่" in poppler and "คานา" in poppler


@realdocs
@pytest.mark.realdocs
def test_sara_aa_mapped_to_sara_am_dr02() -> None:
    text = document_text(real("child_support_grant_form_dr02.pdf"))
    assert "จำนวนสมาชิกของครัวเรือนทั้งหมด" in text
    assert "สมำชิก" not in text


@realdocs
@pytest.mark.realdocs
def test_powerpoint_marks_eb2_2_7() -> None:
    text = document_text(real("EB2_2.7.pdf"))
    assert "วิสัยทัศน์" in text and "ยุทธศาสตร์" in text and "ชลบุรีเป็นผู้นำ" in text


@realdocs
@pytest.mark.realdocs
def test_slides_with_scanned_pages_eb2_2_6() -> None:
    doc = read_document_text(real("EB2_2.6.pdf"))
    assert doc.pages_without_text == (2, 3, 4, 5, 11, 12, 13, 14)
    assert "ยุทธศาสตร์และตัวชี้วัดสำคัญ" in doc.text


@cache
def repaired_text(path: Path) -> str:
    """``ita-etl text`` of a file, read once for every test that asks."""
    return document_text(path.read_bytes())


def raw_layers(path: Path) -> tuple[str, str]:
    """pdfplumber's and pypdfium2's own text of the file, unrepaired."""
    with pdfplumber.open(path) as pdf:
        plumber = "\n".join(page.extract_text() or "" for page in pdf.pages)
    document = pdfium.PdfDocument(path)
    try:
        pdfium_text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return plumber, pdfium_text


def test_space_read_as_at_sign_eb1_1_6() -> None:
    """A subset TH SarabunIT๙ (TrueType, WinAnsi, no ToUnicode) keeps a Mac (1,0) cmap that
    maps code 32 to the glyph of "@"; read before the font's Unicode cmap, it made every
    space "@" (page 1 of realdocs EB1_1.6.pdf)."""
    path = EXCERPTS / "space_read_as_at_sign_eb1_1_6.pdf"
    text = document_text(path.read_bytes())
    assert "มาตรฐานเว็บไซต์ภาครัฐ\n(Government Website Standard) เพื่อให้บริการ" in text
    assert "ข้อมูลหน่วยงาน (General Information)" in text
    assert "@" not in text
    assert non_thai_added(text, *raw_layers(path)).changed == 0
    with open_pdf(path.read_bytes()) as pdf:
        recovery = GlyphRecovery(pdf)
        page = pdf.pages[0]
        recovery.recover_chars(page)
        layout, _ = annotated_layout(page)
        space = next(g for g in _walk(layout._objs) if g.get_text() == " ")
        assert recovery.glyphs(space.ita_font).glyph(32) == "space"  # type: ignore[attr-defined]


REALDOC_PDFS = sorted(REALDOCS.rglob("*.pdf")) if REALDOCS.is_dir() else []


@realdocs
@pytest.mark.realdocs
@pytest.mark.slow
@pytest.mark.parametrize("path", REALDOC_PDFS, ids=lambda p: p.name)
def test_realdocs_non_thai_characters_are_the_raw_layers(path: Path) -> None:
    """Repairs change Thai only: every letter, digit, punctuation mark and symbol of the
    repaired text is in the raw layers as often (symbols may stand for Private Use codes)."""
    change = non_thai_added(repaired_text(path), *raw_layers(path))
    assert change.changed == 0, change.added


@realdocs
@pytest.mark.realdocs
@pytest.mark.slow
def test_realdocs_meet_the_target() -> None:
    """Issue 4's bar: under 1 defect per 1,000 Thai characters and under 6% non-dictionary
    Thai words over all of ../shared/realdocs (raw pdfplumber: about 26 and 28%)."""
    total = None
    for path in REALDOC_PDFS:
        quality = measure(repaired_text(path))
        total = quality if total is None else total + quality
    assert total is not None
    assert total.defects_per_1000 < 1.0
    assert total.non_dictionary_share < 0.06


@realdocs
@pytest.mark.realdocs
def test_pdfplumber_page_text_is_untouched_by_recovery() -> None:
    with pdfplumber.open(next(REALDOCS.rglob("EB1_1.1.pdf"))) as pdf:
        before = pdf.pages[0].extract_text()
    with open_pdf(real("EB1_1.1.pdf")) as pdf:
        recover_chars(pdf.pages[0])
        assert pdf.pages[0].extract_text() == before

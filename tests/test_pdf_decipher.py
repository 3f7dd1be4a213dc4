"""Glyphs a PDF gives no usable text for, read from the document itself
(``extractors.pdf_decipher``, ``extractors.pdf_cipher``).

Real pages cut from ../shared/realdocs/budget_bill_2565/budget-pdf_14.pdf are under
tests/fixtures/realdocs/ (MANIFEST.tsv names their source); the generated
stripped_font_map_laksaman.pdf and period_as_so_sala.pdf are written by
tests/fixtures/make_pdfs.py from the text below. Expected text is read off the pages.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein
from typer.testing import CliRunner

from etl.app.cli import app
from extractors.pdf import read_pdf
from extractors.pdf_decipher import (
    MIN_RUNS,
    GlyphDecision,
    GlyphKey,
    has_placeholder,
    is_mark_placeholder,
)
from extractors.pdf_text import DocumentText, read_document_text
from extractors.thai.quality import count_defects

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPTS = FIXTURES / "realdocs"
SOURCES = Path(__file__).parent / "data" / "pdf_sources"
"""The texts generated fixture PDFs were made from (read by tests/fixtures/make_pdfs.py too)."""

STRIPPED_FONT_MAP = (
    (SOURCES / "stripped_font_map_laksaman.txt").read_text(encoding="utf-8").splitlines()
)
"""The text stripped_font_map_laksaman.pdf was made from (tests/fixtures/make_pdfs.py)."""

PERIOD_AS_SO_SALA = (SOURCES / "period_as_so_sala.txt").read_text(encoding="utf-8").splitlines()


def read(name: str) -> DocumentText:
    folder = EXCERPTS if (EXCERPTS / name).exists() else FIXTURES / "pdf"
    return read_document_text((folder / name).read_bytes())


def decision(doc: DocumentText, glyph: int, font: str) -> GlyphDecision:
    return next(d for d in doc.glyph_decisions if d.glyph == glyph and font in d.font)


# --- real pages of the Budget Bureau's volume --------------------------------------------------


def test_glyphs_read_from_the_words_budget_p11() -> None:
    """Subset DilleniaUPC: no cmap, no glyph names, no ToUnicode for its raised tone marks.
    No other font on the page names them; the page's words do."""
    doc = read("glyphs_without_unicode_dilleniaupc_budget_p11.pdf")
    assert "เป็นองค์กรสมรรถนะสูงในการขับเคลื่อนนโยบายและจัดการระบบงบประมาณ" in doc.text
    assert "เพื่อให้เกิดความคุ้มค่าในการลงทุนเพื่อการพัฒนาประเทศ" in doc.text
    assert "หมายเหตุ* เป็นจำนวนเงินนอกงบประมาณเฉพาะที่นำมาสมทบกับงบประมาณรายจ่าย" in doc.text
    mai_ek = decision(doc, 201, "DilleniaUPC")
    assert mai_ek.text == "\u0e48" and mai_ek.occurrences == 13
    assert "13 vote '\u0e48'" in mai_ek.evidence
    # (cid:202) and (cid:205) are drawn once each on this page: one word is no margin.
    for glyph in (202, 205):
        assert decision(doc, glyph, "DilleniaUPC").text is None
    assert "ผลสัมฤทธิ(cid:205)ของหน่วยงาน" in doc.text
    assert doc.repairs["cid_unrecovered"] == 2
    assert doc.repairs["glyph_deciphered"] == 13


def test_replacement_for_nikhahit_budget_cover() -> None:
    """The nikhahit of ำ mapped to U+FFFD: "ส�านัก", which a dictionary repair of the one
    string made "ส่านัก" (ส่า and นัก are words); the five uses on the page read ํ."""
    doc = read("replacement_for_nikhahit_budget_cover.pdf")
    assert "สำนักงบประมาณ สำนักนายกรัฐมนตรี" in doc.text
    assert doc.text.count("ประจำปีงบประมาณ พ.ศ. ๒๕๖๕") >= 2
    assert "ส่านัก" not in doc.text and "\ufffd" not in doc.text
    nikhahit = decision(doc, 108, "DBComYardX-Bold")
    assert nikhahit.given == "\ufffd" and nikhahit.text == "\u0e4d"
    # Glyphs whose ToUnicode gives a mark another glyph also has are checked and kept.
    kept = [d for d in doc.glyph_decisions if d.given != "\ufffd"]
    assert kept and all(d.text is None and d.evidence.startswith("kept") for d in kept)


def test_actual_text_doubles_marks_budget_toc() -> None:
    """Acrobat spells a cluster ("วิ") in /ActualText over the base glyph and draws the mark
    after the span; the font's ToUnicode maps consonants to consonant + mark. PDFium prints
    "วิิสััยทััศน์์"."""
    doc = read("actual_text_doubles_marks_budget_toc.pdf")
    for line in (
        "1.\tวิสัยทัศน์\t 1",
        "2.\tพันธกิจ\t 1",
        "3.\tผลสัมฤทธิ์และประโยชน์ที่คาดว่าจะได้รับจากการใช้จ่ายงบประมาณ\t 2",
        "4.\tเปรียบเทียบงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. 2563 - 2565",
        "จำแนกตามประเภทงบประมาณรายจ่าย\t 3",
        "(89)\t สำนักงานคณะกรรมการส่งเสริมวิทยาศาสตร์ วิจัยและนวัตกรรม\t 1 ถึง 10",
    ):
        assert line in doc.text
    assert not count_defects(doc.text)


def test_glyph_outline_named_by_another_font_budget() -> None:
    """A glyph met twice is too rare for words alone to be sure of, but its outline is the
    same as a glyph that another subset of the font names (through its GSUB): that proves
    it."""
    doc = read("glyph_outline_named_by_another_font_budget_p18_p22.pdf")
    thanthakhat = decision(doc, 205, "DilleniaUPCBold")
    assert thanthakhat.text == "\u0e4c" and thanthakhat.occurrences == 2
    assert "its outline is a glyph ABCDEE+DilleniaUPCBold" in thanthakhat.evidence
    assert "3. ผลสัมฤทธิ์และประโยชน์ที่คาดว่าจะได้รับจากการใช้จ่ายงบประมาณ" in doc.text
    assert "(cid:" not in doc.text


def test_tables_get_the_readings_too() -> None:
    """``ita-etl extract`` builds its tables while the glyphs are still placeholders; they get
    the same readings at the end."""
    path = EXCERPTS / "glyph_outline_named_by_another_font_budget_p18_p22.pdf"
    raw = read_pdf(path.read_bytes())
    cells = [c.text for t in raw.tables for r in t.rows for c in r.cells]
    assert "ผลสัมฤทธิ์ และประโยชน์ที่คาดว่าจะได้รับ" in cells
    assert "รวมทั้งสิ้น" in cells
    above = [line for table in raw.tables for line in table.preceding_lines]
    assert "3. ผลสัมฤทธิ์และประโยชน์ที่คาดว่าจะได้รับจากการใช้จ่ายงบประมาณ" in above
    everything = "\n".join(cells + above)
    assert not has_placeholder(everything) and "(cid:" not in everything
    assert raw.repairs["glyph_deciphered"] > 0


# --- generated: a stripped font map, and "." mapped to ศ ---------------------------------------


def test_stripped_font_map_comes_back() -> None:
    """No ToUnicode, no cmap, no glyph names: every glyph is (cid:N). Read as a cipher of
    Thai letters, then each glyph checked against the dictionary: the text comes back at
    99% or better, and no glyph is guessed below the margin (ฑ, met once, stays unknown)."""
    doc = read("stripped_font_map_laksaman.pdf")
    text = doc.text.replace("\f", "").strip()
    assert Levenshtein.normalized_similarity("\n".join(STRIPPED_FONT_MAP), text) >= 0.99
    assert "หลักเกณ(cid:259)์" in text
    undecided = [d for d in doc.glyph_decisions if d.text is None]
    assert [(d.glyph, d.occurrences) for d in undecided] == [(259, 1)]
    lines = text.splitlines()
    assert sum(a == b for a, b in zip(lines, STRIPPED_FONT_MAP, strict=True)) == 35


def test_period_mapped_to_so_sala() -> None:
    """A ToUnicode that gives the full stop ศ: "พศศศ" for พ.ศ., "4ศ3ศ3" for 4.3.3. The glyph
    shares ศ with the real ศ glyph, so both are in doubt; the words keep the real one and
    read the other as "." (the pages are then read again with it)."""
    doc = read("period_as_so_sala.pdf")
    assert doc.text == "\n".join(PERIOD_AS_SO_SALA) + "\n\f"
    period = next(d for d in doc.glyph_decisions if d.text == ".")
    assert period.given == "\u0e28" and period.occurrences == 14
    real = next(d for d in doc.glyph_decisions if d.glyph != period.glyph)
    assert real.text is None and real.evidence.startswith("kept")
    assert doc.repairs["glyph_deciphered"] == 14
    # ``ita-etl extract`` reads the pages again too (the page has no table to show it).
    raw = read_pdf((FIXTURES / "pdf" / "period_as_so_sala.pdf").read_bytes())
    assert raw.repairs["glyph_deciphered"] == 14


def test_text_command_lists_the_decisions() -> None:
    path = EXCERPTS / "replacement_for_nikhahit_budget_cover.pdf"
    done = CliRunner().invoke(app, ["text", str(path), "--stats"])
    assert done.exit_code == 0
    line = next(ln for ln in done.stderr.splitlines() if "glyph 108" in ln)
    assert line.split()[0] == "glyph"
    assert "TAERHC+DBComYardX-Bold (CID) glyph 108 '\ufffd' -> 'ํ': " in line
    assert "5 vote 'ํ'" in line


# --- the key itself ----------------------------------------------------------------------------


def _chars(texts: list[str]) -> list[dict[str, object]]:
    """Glyphs drawn left to right on one line, 8 pt apart (marks at the pen)."""
    chars: list[dict[str, object]] = []
    x = 0.0
    for text in texts:
        mark = is_mark_placeholder(text) or "\u0e31" <= text[:1] <= "\u0e4e"
        width = 0.0 if mark else 8.0
        chars.append(
            {"text": text, "x0": x, "x1": x + width, "top": 0.0, "bottom": 16.0, "size": 16.0}
        )
        x += width
    return chars


def test_never_a_guess_below_the_margin() -> None:
    """A glyph drawn only where two letters make words (ประกา_: ประการ, ประกาศ) stays
    unknown however often it is met."""
    key = GlyphKey()
    for _ in range(6):
        glyph = key.placeholder("F", 9, "(cid:9)", mark=False, suspect=False)
        texts = [*"ประกา", glyph]
        key.collect(_chars(texts), texts)
    (found,) = key.decide()
    assert found.text is None and found.evidence.startswith("no clear reading")
    assert key.apply(f"ประกา{glyph}") == ("ประกา(cid:9)", Counter(cid_unrecovered=1))


def test_enough_runs_and_a_clear_margin_read_a_glyph() -> None:
    key = GlyphKey()
    words = ["เพื", "ที", "เริ", "ต้นที"]
    for n in range(MIN_RUNS + 1):
        glyph = key.placeholder("F", 201, "(cid:201)", mark=True, suspect=False)
        texts = [*words[n % len(words)], glyph]
        key.collect(_chars(texts), texts)
    (found,) = key.decide()
    assert found.text == "\u0e48"
    assert key.apply(f"ที{glyph}") == ("ที่", Counter(glyph_deciphered=1))


@pytest.mark.parametrize("mark", [True, False])
def test_a_glyph_with_no_width_is_read_as_a_mark(mark: bool) -> None:
    key = GlyphKey()
    glyph = key.placeholder("F", 1, "(cid:1)", mark=mark, suspect=False)
    assert is_mark_placeholder(glyph) is mark


def test_no_thai_reading_without_thai_around() -> None:
    """A glyph met only among Latin letters is never read as Thai, though a lone Thai
    letter can be a word (ณ)."""
    key = GlyphKey()
    for _ in range(6):
        glyph = key.placeholder("F", 5, "(cid:5)", mark=False, suspect=False)
        texts = [*"Info", glyph, *"mation"]
        key.collect(_chars(texts), texts)
    (found,) = key.decide()
    assert found.text is None


def test_a_page_with_glyphs_not_read_yet_shows_defects() -> None:
    """Until the whole document is seen a page's chars hold placeholders: a per-page quality
    check (extractors.thai.quality) counts them as Private Use, as the (cid:N) they were."""
    key = GlyphKey()
    glyph = key.placeholder("F", 201, "(cid:201)", mark=True, suspect=False)
    assert count_defects(f"เพือ{glyph}") == Counter(pua=1)

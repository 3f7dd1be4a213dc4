"""String-level Thai repair: one regression test per defect class of ../shared/domain.md (broken
strings as real PDFs give them, the right Thai written by hand), what must stay unrepaired, and
properties: clean text is left alone and repairing twice changes nothing."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extractors.thai.quality import count_defects
from extractors.thai.repair import PUA_THAI, orphan_marks, repair_thai
from extractors.thai.words import dictionary


def repaired(text: str) -> str:
    return repair_thai(text)[0]


# --- one test per defect class ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "right"),
    [
        ("ส านักงานสาธารณสุข", "สำนักงานสาธารณสุข"),  # EB1_1.2: nikhahit -> " "
        ("จ ำนวนสมาชิก", "จำนวนสมาชิก"),  # dr02: nikhahit -> " ", sara aa -> ำ
        ("น ้า", "น้ำ"),  # the tone mark between the pieces, as Uniscribe draws it
        ("ค่ าใช้จ่าย", "ค่ำใช้จ่าย"),
    ],
)
def test_split_sara_am(broken: str, right: str) -> None:
    assert repair_thai(broken) == (right, Counter(sara_am=1))


@pytest.mark.parametrize(
    ("broken", "right"),
    [("นํา", "นำ"), ("คํ่า", "ค่ำ"), ("ค่ํา", "ค่ำ"), ("ทำา", "ทำ"), ("จัดทําแผน", "จัดทำแผน")],
)
def test_sara_am_spelled_out_or_doubled(broken: str, right: str) -> None:
    assert repair_thai(broken) == (right, Counter(sara_am=1))


def test_mark_after_a_space() -> None:
    text, counts = repair_thai("ตัวชีว้ ัด")
    assert text == "ตัวชี้วัด"
    assert counts["space_before_mark"] == 1


def test_tone_mark_typed_before_the_vowel() -> None:
    assert repair_thai("เพ่ือนบ้าน") == ("เพื่อนบ้าน", Counter(mark_order=1))


@pytest.mark.parametrize(("broken", "right"), [("ตัวชีว้ ัด", "ตัวชี้วัด"), ("สนุ ัข", "สุนัข")])
def test_marks_on_the_wrong_letter(broken: str, right: str) -> None:
    # A mark after a space is the evidence; the dictionary says which letter it belongs to.
    text, counts = repair_thai(broken)
    assert text == right
    assert counts["mark_position_dictionary"] == 1


@pytest.mark.parametrize(("broken", "right"), [("ร้้", "รู้"), ("ค่่มือ", "คู่มือ")])
def test_glyph_mapped_to_the_wrong_mark(broken: str, right: str) -> None:
    assert repair_thai(broken) == (right, Counter(doubled_mark_dictionary=1))


def test_latin_letter_for_a_tone_mark() -> None:
    assert repair_thai("ดlาน") == ("ด้าน", Counter(latin_in_thai_dictionary=1))


def test_replacement_character_for_sara_am() -> None:
    assert repair_thai("ส\ufffdนักงาน") == ("สำนักงาน", Counter(replacement_dictionary=1))
    assert repair_thai("ค\ufffdสั่ง") == ("คำสั่ง", Counter(replacement_dictionary=1))


@pytest.mark.parametrize(
    ("broken", "right"),
    [
        ("ผู\uf70bใหญ่", "ผู้ใหญ่"),  # Windows PUA: mai tho shifted down
        ("ผู\uf88eใหญ่", "ผู้ใหญ่"),  # Mac PUA, same glyph
        ("ที\uf70aดี", "ที่ดี"),
        ("ญ\uf718", "ญุ"),  # sara u shifted down (the descender of ญ)
        ("\uf70fาติ", "ญาติ"),  # yo ying without its descender
    ],
)
def test_pua_glyph_codes(broken: str, right: str) -> None:
    text, counts = repair_thai(broken)
    assert text == right
    assert counts["pua"] == 1


def test_word_bullets() -> None:
    assert repair_thai("\uf0b7 ข้อ \uf0a7 ข้อ \uf0d8 ข้อ \uf0fc ข้อ") == (
        "• ข้อ ▪ ข้อ ➢ ข้อ ✓ ข้อ",
        Counter(pua=4),
    )


def test_pua_table_is_harfbuzz_s() -> None:
    # hb-ot-shaper-thai.cc: 27 Windows codes U+F700–U+F71A and 27 Mac codes U+F884–U+F89E.
    assert sorted(PUA_THAI) == [chr(c) for c in [*range(0xF700, 0xF71B), *range(0xF884, 0xF89F)]]


def test_nfc_never_nfkc() -> None:
    # NFKC would split ำ into ํ + า; NFC composes a decomposed Latin letter and keeps ำ.
    assert repair_thai("คำ cafe\u0301") == ("คำ café", Counter(nfc=1))


# --- what stays as it is, and is reported ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unrecovered"),
    [
        ("(cid:5)การ", {"cid_unrecovered": 1}),
        ("ข้อ\ue123", {"pua_unrecovered": 1}),
        ("กขฃ\ufffd", {"replacement_unrecovered": 1}),
        ("า่", {"orphan_mark_unrecovered": 1}),
        ("กxyzก", {}),  # three Latin letters: a word, not a mapped glyph
    ],
)
def test_unrepairable_is_kept_and_counted(text: str, unrecovered: dict[str, int]) -> None:
    assert repair_thai(text) == (text, Counter(unrecovered))


@pytest.mark.parametrize(
    "text",
    [
        "กำร",  # sara aa mapped to ำ: only the embedded font can tell (extractors.pdf_glyphs)
        "คานา",  # a nikhahit lost without a trace reads as real words
        # Marks sorted onto the next letter, with nothing but the dictionary to say so: left
        # alone here (names would be "repaired" too); glyph order in the PDF fixes them.
        "เพ่อื",
        "สวมหน้ากาอนามยั",
        "วสิ ยั ทศั น์",
        "เกวลิน",  # a name, not a misplaced mark
        "ITA ตัวชี้วัด HDC 2566",
    ],
)
def test_no_evidence_no_change(text: str) -> None:
    assert repair_thai(text) == (text, Counter())


# --- properties --------------------------------------------------------------------------------

_WELL_FORMED = re.compile("[\u0e01-\u0e2e\u0e40-\u0e44][\u0e01-\u0e4e]*")
CLEAN_WORDS = sorted(
    w
    for w in dictionary()
    if _WELL_FORMED.fullmatch(w) and not count_defects(w) and not orphan_marks(w)
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(CLEAN_WORDS), min_size=1, max_size=8),
    st.sampled_from([" ", "\n", " ๑. ", " (ITA) "]),
)
def test_clean_text_is_left_alone(words: list[str], separator: str) -> None:
    text = separator.join(words)
    assert repair_thai(text) == (text, Counter())


_PIECES = [*"กขคงจนมรสอาำะเแไโใ ิีึืุูั็่้๊๋์ํ ", "\uf70a", "\uf711", "\ufffd", "l", "(cid:3)"]
_BROKEN = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)


@settings(max_examples=400, deadline=None)
@given(_BROKEN)
@example("ำํํํํ")  # regression: one extra nikhahit survived each round, three rounds left one
def test_repair_is_idempotent(text: str) -> None:
    once, _ = repair_thai(text)
    twice, counts = repair_thai(once)
    assert twice == once
    assert all(name.endswith("_unrecovered") for name in counts)

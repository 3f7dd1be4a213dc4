"""String-level Thai repair: one regression test per defect class of docs/domain.md (broken
strings as real PDFs give them, the right Thai written by hand), what must stay unrepaired, and
properties: clean text is left alone and repairing twice changes nothing."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extractors.thai.quality import count_defects, non_thai_added
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


def test_replacement_character_for_the_nikhahit_of_sara_am() -> None:
    # realdocs budget-pdf_14.pdf: the nikhahit glyph of a decomposed ำ mapped to U+FFFD.
    # ส่า and นัก are words too: this repair once made it "ส่านัก".
    assert repair_thai("ส\ufffdานัก ประจ\ufffdาปี") == (
        "สำนัก ประจำปี",
        Counter(replacement_dictionary=2),
    )


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


# --- repairs never damage non-Thai text ---------------------------------------------------------
#
# A repair may change Thai code points, Private Use codes, (cid:N) and U+FFFD. Of everything
# else (Latin letters, digits, punctuation, symbols, spaces) it may touch only what cannot be
# there in Thai: a space or zero-width character between a Thai letter and a mark, า or ำ
# that must sit on it ("ส านัก", "ตัวชีว้ ัด"), and a Latin letter or two inside a Thai word
# where a tone mark was mapped to a Latin code point ("ดlาน"); either side may be an unknown
# glyph (PUA, U+FFFD) that the repair reads as Thai. Canonically equal text (NFC) is the same text.

_NON_THAI_PIECES = [
    *"กขนมรสอาำเ่้ัิีุ์ํ",
    " ",
    "  ",
    "\n",
    "\u200b",
    *"lAx019.,-()/@:%•",
    "e\u0301",
    "\uf70b",
    "\uf0b7",
    "\ue123",
    "\ufffd",
    "(cid:7)",
]
_MIXED = st.lists(st.sampled_from(_NON_THAI_PIECES), max_size=30).map("".join)
_THAI_LETTER = re.compile("[\u0e01-\u0e4e]")
_SITS_ON_LETTER = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e\u0e32]")
_UNUSABLE = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\ufffd]")


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def _protected(text: str) -> tuple[list[str], list[str]]:
    """(the non-Thai characters a repair must keep, in order; those it may change)."""
    unusable = bytearray(len(text))
    for match in _UNUSABLE.finditer(text):
        unusable[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    kept: list[str] = []
    free: list[str] = []
    for i, char in enumerate(text):
        if _is_thai(char):
            continue
        if unusable[i]:
            free.append(char)
            continue
        before = text[:i].rstrip(" \u200b")
        after = text[i + 1 :].lstrip(" \u200b")
        between_letter_and_mark = (
            char in " \u200b"
            and bool(before)
            and (bool(_THAI_LETTER.match(before[-1])) or bool(unusable[len(before) - 1]))
            and (
                bool(_SITS_ON_LETTER.match(after[:1]))
                or bool(unusable[len(text) - len(after)] if after else False)
            )
        )
        left = text[:i].rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        right = text[i + 1 :].lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        latin_in_word = (
            char.isascii()
            and char.isalpha()
            and i - len(left) + len(right) - (len(text) - i - 1) <= 2
            and bool(left)
            and bool(right)
            and (bool(_THAI_LETTER.match(left[-1])) or bool(unusable[len(left) - 1]))
            and (bool(_THAI_LETTER.match(right[0])) or bool(unusable[len(text) - len(right)]))
        )
        (free if between_letter_and_mark or latin_in_word else kept).append(char)
    return kept, free


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(any(c == h for h in rest) for c in needle)


def _assert_no_damage(before: str, after: str) -> None:
    import unicodedata

    before = unicodedata.normalize("NFC", before)
    after = unicodedata.normalize("NFC", after)
    kept, free = _protected(before)
    out = [c for c in after if not _is_thai(c)]
    assert _is_subsequence(kept, out), (before, after)
    symbols = Counter({b: len(re.findall("[\ue000-\uf8ff]", before)) for b in "▪•➢✓"})
    assert not (Counter(out) - Counter(kept)) - (Counter(free) + symbols), (before, after)


@settings(max_examples=600, deadline=None)
@given(_MIXED)
@example("ดlาน 1.2 (ITA)")
@example("ส านัก @ ก า")
def test_repair_never_damages_non_thai_text(text: str) -> None:
    _assert_no_damage(text, repair_thai(text)[0])


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_no_repair_step_damages_non_thai_text(text: str) -> None:
    from extractors.thai.repair import STEPS, _Work

    for step in STEPS:
        work = _Work(text)
        step(work)
        _assert_no_damage(text, work.text)


def test_non_thai_added_sees_a_space_become_at() -> None:
    raw = "มาตรฐานเว็บไซต์ภาครัฐ (Government Website Standard)"
    broken = "มาตรฐานเว็บไซต์ภาครัฐ @ (Government@ Website@ Standard)@"
    assert non_thai_added(broken, raw, raw).changed == 4
    assert non_thai_added(raw.replace("ภาค", "ภำค"), raw).changed == 0  # Thai is not counted


def test_non_thai_added_allows_symbols_for_private_use_codes() -> None:
    # Wingdings bullets: the raw layers give U+F0A7, the repaired text ▪.
    change = non_thai_added("▪ ข้อ ▪ ข้อ", "\uf0a7 ข้อ \uf0a7 ข้อ")
    assert (change.symbols, change.unusable_in_raw, change.changed) == (2, 2, 0)
    assert non_thai_added("▪ ข้อ ▪ ข้อ", "\uf0a7 ข้อ - ข้อ").changed == 1
    # Unknown glyphs in the raw layers never excuse an ASCII character or a letter.
    assert non_thai_added("@ ข้อ A", "(cid:3) ข้อ (cid:4)").changed == 2

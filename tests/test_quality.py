"""The defect counter and dictionary measure behind benchmarks/text_quality.py, on strings whose
counts can be read off by eye."""

from __future__ import annotations

from collections import Counter

import pytest

from extractors.thai.quality import (
    TextQuality,
    count_defects,
    measure,
    non_dictionary_share,
    thai_char_count,
)

CLEAN = "สำนักงานสาธารณสุขอำเภอหนองใหญ่ ดำเนินการตามตัวชี้วัดที่ ๑ เพื่อพัฒนาคุณภาพ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ส านักงาน", {"split_sara_am": 1}),  # nikhahit lost to a space
        ("ค่ าใช้จ่าย", {"split_sara_am": 1}),  # ... after a tone mark
        ("ตัวชีว้ ัด", {"orphan_mark": 1}),  # ั after a space
        ("ร้้", {"orphan_mark": 1}),  # a second tone mark on one letter
        ("า่", {"orphan_mark": 1}),  # a tone mark on a vowel
        ("ทำา", {"doubled_sara_am": 1}),
        ("นํา", {"doubled_sara_am": 1}),  # nikhahit + sara aa spelled out
        ("(cid:5)การ (cid:12)", {"cid": 2}),
        ("ส\ufffdนัก", {"replacement": 1}),
        ("\uf70aก \uf0b7", {"pua": 2}),
        ("ดlาน", {"latin_in_thai": 1}),
        ("ITA ตัวชี้วัด HDC", {}),  # Latin next to Thai, not inside a word
        ("กำร", {}),  # a wrong letter is not visible to the counter: the dictionary sees it
        (CLEAN, {}),
    ],
)
def test_count_defects(text: str, expected: dict[str, int]) -> None:
    assert count_defects(text) == Counter(expected)


@pytest.mark.parametrize(
    "word",
    ["ก็", "นั้น", "ที่", "ผู้", "น้ำ", "ค่ำ", "กล้ำ", "ฤดู", "ปฏิบัติ", "ญาติ", "ฐาน", "ๆ", "ฯลฯ", "พระพุทธ"],
)
def test_clean_words_have_no_defects(word: str) -> None:
    assert count_defects(word) == Counter()


def test_thai_char_count_counts_letters_not_digits_or_spaces() -> None:
    assert thai_char_count("ข้อ ๑ ABC") == 3


def test_non_dictionary_share() -> None:
    assert non_dictionary_share("") == 0.0
    assert non_dictionary_share(CLEAN) == 0.0
    assert non_dictionary_share("ตวั ชวี้ ดั") == 1.0  # ตัวชี้วัด sorted by x
    assert non_dictionary_share("เพ่อื") == 0.5  # marks on the wrong letters: เพ่|อื
    assert non_dictionary_share("กาหนด") > 0.0  # กำหนด with its nikhahit lost
    # A blind spot: คำนำ with its nikhahit lost reads as two real words, คา|นา. Lost letters
    # lower the share less than they damage the text, so the defect counts are kept beside it.
    assert non_dictionary_share("คานา") == 0.0


def test_measure_adds_up_by_size() -> None:
    total = measure("ส านักงาน") + measure(CLEAN)
    assert total.thai_chars == thai_char_count("ส านักงาน") + thai_char_count(CLEAN)
    assert total.defects == Counter(split_sara_am=1)
    assert total.defects_per_1000 == pytest.approx(1000 / total.thai_chars)
    # the share is of all words, not the mean of the parts' shares: three garbled words
    # (ตวั|ชวี้|ดั, none in the dictionary) and one clean one (สำนักงาน) are 3 of 4, not 0.5
    mixed = measure("ตวั ชวี้ ดั") + measure("สำนักงาน")
    assert (mixed.thai_words, mixed.non_dictionary_words) == (4, 3)
    assert mixed.non_dictionary_share == 0.75
    assert TextQuality(0, Counter(), 0, 0).defects_per_1000 == 0.0

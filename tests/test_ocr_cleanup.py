"""The OCR clean-up (extractors/ocr/cleanup.py) changes text only on clear evidence: what it
fixes, and that it leaves right text alone. No Tesseract needed."""

from __future__ import annotations

import itertools

from extractors.ocr.cleanup import clean_line, fix_terms, fix_year_by_evidence, ita_terms


def test_misread_report_terms_are_put_right() -> None:
    # Tesseract read these on the sample scans (bold header fonts): ช as ข, ี as ึ
    assert fix_terms("ตัวขี้วัด") == "ตัวชี้วัด"
    assert fix_terms("ปึงบประมาณ") == "ปีงบประมาณ"
    assert fix_terms("ผลลพธ์") == "ผลลัพธ์"


def test_terms_read_right_are_never_changed() -> None:
    terms = ita_terms()
    assert terms
    assert [t for t in terms if fix_terms(t)] == []
    joined = [(a, b) for a, b in itertools.product(terms, repeat=2) if fix_terms(a + b)]
    assert joined == []
    for text in ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๗", "ผู้รับผิดชอบ", "ขอบเขตการดำเนินงาน"):
        assert fix_terms(text) is None


def test_a_year_read_with_a_digit_lost_is_put_right_only_on_clear_evidence() -> None:
    table = frozenset({2566, 2567})  # "ตุลาคม 2566", "พ.ศ. 2567 (O13)" on the same page
    assert fix_year_by_evidence("๒๕๒", "๒๕๒๓ ๒๕๒๑๓", table) == "๒๕๖๗"
    assert fix_year_by_evidence("๒๕๒", "๒๕๓๓ ๒๕๒๓", table) == "๒๕๖๗"
    assert fix_year_by_evidence("๒๕๒", "", table) is None  # 2566 or 2567: no telling
    assert fix_year_by_evidence("๒๕๒", "๒๕๒๓", frozenset()) is None  # no evidence
    assert fix_year_by_evidence("๒๕๒", "๒๕๒๓", frozenset({2563, 2567})) is None  # two fit
    # a plausible year is left alone: a law of 2563 cited on a page of 2567
    assert fix_year_by_evidence("๒๕๖๓", "๒๕๒๓", frozenset({2567})) is None


def test_clean_line_says_what_it_changed() -> None:
    cleaned = clean_line(
        [("ประจําปีงบประมาณ", 91, ""), ("พ.ศ.", 92, ""), ("๒๕๒", 75, "๒๕๒๓ ๒๕๓๓")],
        frozenset({2566, 2567}),
    )
    assert cleaned == [
        ("ประจำปีงบประมาณ", ("ocr_sara_am",)),
        ("พ.ศ.", ()),
        ("๒๕๖๗", ("ocr_year_digit",)),
    ]

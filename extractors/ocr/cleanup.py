"""Thai-aware clean-up of OCR text: only corrections with clear evidence.

- Sara am that Tesseract spells as nikhahit + sara aa (ํา → ำ): always (the two are never
  meant apart in Thai text).
- Thai digits Tesseract confuses (๖/๒, ๓/๗, ๕/๔, ๐/๘, ๙/๘): a year after พ.ศ./ปี, or a day
  of a date, that cannot be what the report means (a Buddhist-era year outside
  ``YEARS_BE``, a day past 31) is corrected when exactly one swap of a confusable digit makes
  it parse.
- A low-confidence word whose Thai does not segment into dictionary words is corrected
  when exactly one edit (a tone or vowel mark added, dropped or swapped, a look-alike
  letter swapped) makes it all dictionary words.

What the engine read is kept as the item's ``raw``; benchmarks/ocr_quality.py counts what
each correction fixes and what it breaks against the true text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from extractors.thai.chars import THAI_LETTER

YEARS_BE = range(2500, 2601)
"""Years a report of this corpus can name (พ.ศ. 2500–2600)."""
LOW_CONFIDENCE = 75.0
"""Word confidence below which a non-dictionary word may be corrected."""
_CONFUSED_DIGITS = {
    "๖": "๒",
    "๒": "๖",
    "๓": "๗",
    "๗": "๓",
    "๕": "๔",
    "๔": "๕",
    "๐": "๘",
    "๘": "๙๐",
    "๙": "๘",
}
_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
_LOOK_ALIKE = {
    "ต": "ด",
    "ด": "ต",
    "ถ": "ภ",
    "ภ": "ถ",
    "บ": "ป",
    "ป": "บ",
    "ข": "ซ",
    "ซ": "ข",
    "ผ": "ฝ",
    "พ": "ฟ",
    "ฟ": "พ",
    "ร": "ธ",
    "ว": "ร",
    "ค": "ด",
    "ศ": "ส",
    "ส": "ศ",
    "ท": "ห",
    "ห": "ท",
    "ญ": "ฌ",
    "ย": "ฆ",
}
_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_YEAR_AFTER = re.compile(r"(พ\.?\s?ศ\.?|ปี(?:งบประมาณ)?|ค\.?\s?ศ\.?)\s*$")
_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
_THAI_RUN = re.compile(f"[{THAI_LETTER}]+")


def _value(digits: str) -> int:
    return int("".join(str(_THAI_DIGITS.index(d)) if d in _THAI_DIGITS else d for d in digits))


def _digit_swaps(token: str) -> list[str]:
    out = []
    for i, digit in enumerate(token):
        for other in _CONFUSED_DIGITS.get(digit, ""):
            out.append(token[:i] + other + token[i + 1 :])
    return out


def fix_year(token: str) -> str | None:
    """A Thai-digit year outside ``YEARS_BE`` that one confusable swap brings inside."""
    if len(token) != 4 or not all(d in _THAI_DIGITS for d in token) or _value(token) in YEARS_BE:
        return None
    fits = {s for s in _digit_swaps(token) if _value(s) in YEARS_BE}
    return fits.pop() if len(fits) == 1 else None


def fix_day(token: str) -> str | None:
    """A Thai-digit day past 31 (or 0) that one confusable swap makes a day."""
    if not 1 <= len(token) <= 2 or not all(d in _THAI_DIGITS for d in token):
        return None
    if 1 <= _value(token) <= 31:
        return None
    fits = {s for s in _digit_swaps(token) if 1 <= _value(s) <= 31}
    return fits.pop() if len(fits) == 1 else None


def _non_words(text: str) -> int:
    from extractors.thai.words import is_word, thai_words_of

    return sum(1 for w in thai_words_of(text) if not is_word(w))


def _edits(word: str) -> set[str]:
    """Words one Thai edit away: a mark added, dropped or swapped; a look-alike letter."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        for mark in _MARKS:
            out.add(word[:i] + mark + word[i:])
    for i, char in enumerate(word):
        if char in _MARKS:
            out.add(word[:i] + word[i + 1 :])
            for mark in _MARKS:
                out.add(word[:i] + mark + word[i + 1 :])
        for other in _LOOK_ALIKE.get(char, ""):
            out.add(word[:i] + other + word[i + 1 :])
    out.discard(word)
    return out


@lru_cache(maxsize=8192)
def fix_word(word: str) -> str | None:
    """The one edit that makes every Thai word of ``word`` a dictionary word, if exactly one
    does (runs of Thai only; digits and Latin are left alone)."""
    runs = _THAI_RUN.findall(word)
    if not runs or sum(len(r) for r in runs) < 2 or _non_words(word) == 0:
        return None
    if len(runs) != 1 or len(runs[0]) > 30:
        return None
    run = runs[0]
    fits = {e for e in _edits(run) if _non_words(e) == 0}
    if len(fits) != 1:
        return None
    return word.replace(run, fits.pop(), 1)


def clean_line(words: Sequence[tuple[str, float]]) -> tuple[list[str], Counter[str]]:
    """Each word of one OCR line cleaned (same count, same order) and the corrections made
    by kind. ``words``: (text, confidence 0–100)."""
    counts: Counter[str] = Counter()
    texts = [text for text, _ in words]
    for i, text in enumerate(texts):
        fixed = text.replace("\u0e4d\u0e32", "\u0e33").replace("\u0e4d \u0e32", "\u0e33")
        if fixed != text:
            counts["ocr_sara_am"] += 1
            texts[i] = text = fixed
    for i, text in enumerate(texts):
        before = " ".join(texts[:i])
        after = texts[i + 1] if i + 1 < len(texts) else ""
        if _YEAR_AFTER.search(before) or (before.split()[-1:] and before.split()[-1] in _MONTHS):
            year = fix_year(text)
            if year is not None:
                texts[i] = year
                counts["ocr_year_digit"] += 1
                continue
        if after in _MONTHS or any(after.startswith(m) for m in _MONTHS):
            day = fix_day(text)
            if day is not None:
                texts[i] = day
                counts["ocr_day_digit"] += 1
                continue
        confidence = words[i][1]
        if 0 <= confidence < LOW_CONFIDENCE:
            word = fix_word(text)
            if word is not None:
                texts[i] = word
                counts["ocr_dictionary_word"] += 1
    return texts, counts

"""Thai letters, marks and digits as regex class bodies and tests: no dictionary, no pythainlp,
so that anything may import them cheaply."""

from __future__ import annotations

import re

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
THAI_LETTER = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e"
"""Thai consonants, vowels and marks: the characters that make up Thai words (not digits,
not ฯ or ๏ ๚ ๛)."""
CONSONANT = "\u0e01-\u0e2e"
ABOVE_VOWEL = "\u0e31\u0e34-\u0e37\u0e47"
BELOW_VOWEL = "\u0e38-\u0e3a"
VOWEL_MARK = ABOVE_VOWEL + BELOW_VOWEL
TONE = "\u0e48-\u0e4c\u0e4e"
"""Tone marks, thanthakhat and yamakkan: the marks that sit on top of a vowel mark."""
NIKHAHIT = "\u0e4d"
SARA_AA = "\u0e32"
SARA_AM = "\u0e33"
MARK = VOWEL_MARK + TONE + NIKHAHIT
"""Every combining mark (a regex class body, like the names above)."""
PUA = re.compile("[\ue000-\uf8ff]")
CID = re.compile(r"\(cid:\d+\)")
"""pdfminer's stand-in for a glyph with no Unicode."""


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def is_thai_letter(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e4e" and not ("\u0e3b" <= ch <= "\u0e3f") and ch != "\u0e2f"

"""How broken a Thai text layer is: defect counts and the share of non-dictionary words.

The defect kinds are the ones docs/domain.md measures real PDFs by, so figures printed by
``benchmarks/text_quality.py`` compare with it:

- ``pua``: Private Use Area characters (legacy Thai font variants, Wingdings bullets, and the
  placeholders of glyphs not read yet);
- ``replacement``: U+FFFD, a glyph the producer could not map;
- ``cid``: pdfminer's ``(cid:N)`` for a glyph with no Unicode at all;
- ``orphan_mark``: a Thai combining mark with no base it can sit on (after a space, a vowel, a
  digit, or a second tone mark on the same consonant);
- ``split_sara_am``: a consonant, a space and า, where ำ lost its nikhahit to a space;
- ``doubled_sara_am``: ำา or ํา (U+0E4D U+0E32), the nikhahit written twice or spelled out;
- ``latin_in_thai``: a Latin letter with Thai letters on both sides (a tone mark mapped to a
  Latin code point, "ดlาน").

Defect counts see only Thai. ``non_thai_added`` sees the rest: a repair must not add or change
letters, digits, punctuation or symbols that the raw text layers agree on (a space read as
"@" is invisible to every Thai measure).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from extractors.thai.chars import (
    CID,
    CONSONANT,
    MARK,
    NIKHAHIT,
    PUA,
    SARA_AM,
    THAI_LETTER,
    TONE,
    VOWEL_MARK,
)
from extractors.thai.words import is_word, thai_words_of

# A well-formed cluster tail: a consonant, at most one vowel mark, at most one tone-class mark
# (a tone mark, thanthakhat, yamakkan or nikhahit), then optionally ำ. Any mark not consumed
# by this is an orphan.
_CLUSTER = re.compile(f"[{CONSONANT}][{VOWEL_MARK}]?[{TONE}{NIKHAHIT}]?{SARA_AM}?")
_MARK_RUN = re.compile(f"[{MARK}{SARA_AM}]+")
_SPLIT_SARA_AM = re.compile(f"[{CONSONANT}][{TONE}{NIKHAHIT}]? \u0e32")
_DOUBLED_SARA_AM = re.compile("[\u0e33\u0e4d]\u0e32")
_LATIN_IN_THAI = re.compile(f"(?<=[{THAI_LETTER}])[A-Za-z]+(?=[{THAI_LETTER}])")

_SUPPLEMENTARY_PUA = re.compile("[\U000f0000-\U0010fffd]")
"""Private Use planes 15-16: where ``extractors.pdf_decipher`` holds a glyph it has not read
yet (a page's chars carry these until the whole document is seen)."""

DEFECT_KINDS = (
    "pua",
    "replacement",
    "cid",
    "orphan_mark",
    "split_sara_am",
    "doubled_sara_am",
    "latin_in_thai",
)


def _orphan_marks(text: str) -> int:
    """Marks (and ำ) that no consonant cluster accounts for."""
    covered = bytearray(len(text))
    for match in _CLUSTER.finditer(text):
        covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return sum(
        1
        for run in _MARK_RUN.finditer(text)
        for i in range(run.start(), run.end())
        if not covered[i]
    )


def count_defects(text: str) -> Counter[str]:
    """How many of each defect kind the text has (kinds with none are absent)."""
    counts: Counter[str] = Counter(
        pua=len(PUA.findall(text)) + len(_SUPPLEMENTARY_PUA.findall(text)),
        replacement=text.count("\ufffd"),
        cid=len(CID.findall(text)),
        orphan_mark=_orphan_marks(text),
        split_sara_am=len(_SPLIT_SARA_AM.findall(text)),
        doubled_sara_am=len(_DOUBLED_SARA_AM.findall(text)),
        latin_in_thai=len(_LATIN_IN_THAI.findall(text)),
    )
    return +counts


def thai_char_count(text: str) -> int:
    return len(re.findall(f"[{THAI_LETTER}]", text))


@dataclass(frozen=True)
class TextQuality:
    """The figures the benchmark adds up over files: counts, not ratios, so totals are
    weighted by size."""

    thai_chars: int
    defects: Counter[str]
    thai_words: int
    non_dictionary_words: int

    @property
    def defects_per_1000(self) -> float:
        return 1000 * sum(self.defects.values()) / self.thai_chars if self.thai_chars else 0.0

    @property
    def non_dictionary_share(self) -> float:
        return self.non_dictionary_words / self.thai_words if self.thai_words else 0.0

    def __add__(self, other: TextQuality) -> TextQuality:
        return TextQuality(
            self.thai_chars + other.thai_chars,
            self.defects + other.defects,
            self.thai_words + other.thai_words,
            self.non_dictionary_words + other.non_dictionary_words,
        )


def measure(text: str) -> TextQuality:
    tokens = thai_words_of(text)
    return TextQuality(
        thai_char_count(text),
        count_defects(text),
        len(tokens),
        sum(1 for t in tokens if not is_word(t)),
    )


def non_dictionary_share(text: str) -> float:
    """Share of the text's Thai words (newmm over pythainlp's dictionary) not in the dictionary:
    0.00–0.03 for clean text, 0.16–0.22 for a garbled text layer."""
    tokens = thai_words_of(text)
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if not is_word(t)) / len(tokens)


_UNUSABLE = re.compile("\\(cid:\\d+\\)|[\ue000-\uf8ff\U000f0000-\U0010fffd\ufffd]")


def non_thai_chars(text: str) -> Counter[str]:
    """The multiset of a text's characters that are neither Thai nor whitespace nor
    formatting, and not a stand-in for an unknown glyph ((cid:N), U+FFFD, Private Use):
    what every tool must agree on. A multiset, because tools order table cells and lines
    differently; NFC, because canonically equal text is the same text."""
    text = _UNUSABLE.sub(" ", unicodedata.normalize("NFC", text))
    return Counter(
        c
        for c in text
        if not ("\u0e00" <= c <= "\u0e7f")
        and not c.isspace()
        and unicodedata.category(c)[0] not in "CZ"
    )


def unusable_glyphs(text: str) -> int:
    """How many glyphs the text gives no usable character for: (cid:N), U+FFFD, PUA."""
    return len(_UNUSABLE.findall(text))


@dataclass(frozen=True)
class NonThaiChange:
    """Non-Thai characters of a repaired text against the raw layers of the same file:
    ``added`` are more of a character than any raw layer has (a changed character counts
    here too, as the one it became); ``symbols`` are added symbols and punctuation, which a
    raw layer's Private Use codes or unknown glyphs may stand for (Wingdings bullets, a
    LibreOffice "•" the font names but the layers give as (cid:N)), allowed up to that
    number. Letters, digits and ASCII characters ("@") are never allowed."""

    added: Counter[str]
    symbols: int
    unusable_in_raw: int

    @property
    def changed(self) -> int:
        """Characters added or changed beyond what the raw layers' unknown glyphs explain."""
        return sum(self.added.values()) - min(self.symbols, self.unusable_in_raw)


def non_thai_added(text: str, *raw_layers: str) -> NonThaiChange:
    """Compare a repaired text's non-Thai characters with raw text layers of the same PDF
    (pdfplumber's and pypdfium2's): what the repaired text has more of than every layer."""
    ours = non_thai_chars(text)
    most: Counter[str] = Counter()
    for layer in raw_layers:
        most |= non_thai_chars(layer)
    added = +(ours - most)
    symbols = sum(
        n for c, n in added.items() if not c.isascii() and unicodedata.category(c)[0] in "SP"
    )
    unusable = max((unusable_glyphs(layer) for layer in raw_layers), default=0)
    return NonThaiChange(added, symbols, unusable)

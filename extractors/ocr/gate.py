"""Whether a page's text layer is garbage: a measured score, and the threshold it is held to.

The score is over the page's text as the reader gives it (glyphs recovered, Thai repaired):

- ``non_dictionary_share``: share of its Thai words (newmm over pythainlp's dictionary) that
  are not words (``extractors.thai.quality``). Clean text: 0.00–0.03; the garbled-but-
  repairable layers of ../shared/realdocs: at most ``REALDOCS_MAX`` per page after repair;
  Thai glyphs mapped to wrong code points: 0.6–0.95;
- ``bad_glyph_share``: share of its letters that are no text at all — PUA glyphs,
  ``(cid:N)``, U+FFFD, and Latin-1 letters where a legacy Thai font's codes were read as
  Latin-1 ("ÃÒÂ§Ò¹" for รายงาน).

A page is garbage when either passes its threshold, with enough text to judge. The thresholds
were calibrated by benchmarks/ocr_quality.py (``gate`` section, docs/ocr.md): every
text-bearing page of realdocs scores below them, every page of the mis-mapped PDFs above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.thai.chars import CID, PUA
from extractors.thai.quality import thai_char_count

GARBAGE_NON_DICTIONARY = 0.45
"""Non-dictionary share above which a Thai text layer is garbage: benchmarks/ocr_gate.py
measured 0.000–0.389 (median 0.037) on the 68 text pages of realdocs with 12 or more Thai
words (the highest a Budget Bureau page whose DilleniaUPC glyphs are partly unmapped), and
0.517–0.588 on the garbled-ToUnicode samples."""
GARBAGE_BAD_GLYPHS = 0.3
"""Share of letters that are no text (PUA, cid, U+FFFD, Latin-1 mojibake) above which the
layer is garbage."""
MIN_THAI_WORDS = 12
"""Fewer Thai words than this say nothing either way (a page number, a signature line)."""
MIN_LETTERS = 40

_LATIN1_LETTERS = re.compile("[\u00c0-\u00ff]")
_LETTERS = re.compile(r"\w")


@dataclass(frozen=True)
class LayerScore:
    thai_words: int
    non_dictionary_share: float
    letters: int
    bad_glyph_share: float

    @property
    def garbage(self) -> bool:
        thai = self.thai_words >= MIN_THAI_WORDS and (
            self.non_dictionary_share > GARBAGE_NON_DICTIONARY
        )
        glyphs = self.letters >= MIN_LETTERS and self.bad_glyph_share > GARBAGE_BAD_GLYPHS
        return thai or glyphs


def score_text(text: str) -> LayerScore:
    from extractors.thai.words import is_word, thai_words_of

    tokens = thai_words_of(text)
    non_words = sum(1 for t in tokens if not is_word(t))
    bad = len(PUA.findall(text)) + len(CID.findall(text)) + text.count("\ufffd")
    bad += len(_LATIN1_LETTERS.findall(text))
    letters = len(_LETTERS.findall(text)) + bad
    return LayerScore(
        len(tokens),
        round(non_words / len(tokens), 3) if tokens else 0.0,
        max(letters, thai_char_count(text)),
        round(bad / letters, 3) if letters else 0.0,
    )

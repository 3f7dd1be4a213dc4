"""How likely a sequence of Thai letters is, as PDFs draw them: a letter trigram model.

Built, on first use, from the Thai National Corpus word frequencies that pythainlp ships
(``extractors.thai.words.word_frequencies``): words are drawn by frequency into phrases, the
phrases written the way a PDF draws Thai (ำ as nikhahit then sara aa, a tone mark between
them as Uniscribe puts it), with a boundary symbol where a phrase ends (a space, a line
end). Used to read a font that says nothing about its glyphs (``extractors.pdf_cipher``):
the letters each glyph stands for are the ones that make the document likeliest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from extractors.thai.words import word_frequencies

BOUNDARY = "#"
MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d"
"""Letters drawn with no advance width, over or under the letter before them."""
SPACING = (
    "".join(chr(c) for c in range(0x0E01, 0x0E2F))
    + "\u0e30\u0e32\u0e40\u0e41\u0e42\u0e43\u0e44\u0e45\u0e2f\u0e46"
)
"""Letters with a width of their own: consonants, vowels, ฯ and ๆ (ำ is drawn as ํ + า)."""
ALPHABET = BOUNDARY + SPACING + MARKS

_SAMPLE_WORDS = 300_000
_PHRASE_WORDS = 6
_SMOOTHING = 0.5
_DRAWN_SARA_AM = re.compile("([\u0e48-\u0e4b]*)\u0e33")


def drawn(text: str) -> str:
    """Thai text in the order a PDF draws its glyphs: ำ as ํ + า, tone marks between."""
    return _DRAWN_SARA_AM.sub("\u0e4d\\1\u0e32", text)


@dataclass(frozen=True)
class LetterModel:
    """log P(c | a b) over ``ALPHABET`` (index 0 is the phrase boundary)."""

    log_probability: npt.NDArray[np.float64]
    """Indexed [a, b, c]."""
    unigram: npt.NDArray[np.float64]
    """How often each letter occurs (drawn order), for a first guess."""

    def index(self, letter: str) -> int:
        return ALPHABET.index(letter)


@cache
def letter_model() -> LetterModel:
    """The trigram model (about a second to build; once per process)."""
    frequencies = [(w, f) for w, f in sorted(word_frequencies().items()) if _is_thai_word(w)]
    words = [drawn(w) for w, _ in frequencies]
    weights = np.array([f for _, f in frequencies], dtype=np.float64)
    rng = np.random.default_rng(2568)
    picks = rng.choice(len(words), size=_SAMPLE_WORDS, p=weights / weights.sum())
    lengths = rng.integers(1, _PHRASE_WORDS + 1, size=_SAMPLE_WORDS)
    parts: list[str] = []
    remaining = 0
    for pick, length in zip(picks.tolist(), lengths.tolist(), strict=True):
        if remaining == 0:
            parts.append(BOUNDARY)
            remaining = length
        parts.append(words[pick])
        remaining -= 1
    parts.append(BOUNDARY)
    table = str.maketrans({c: chr(i) for i, c in enumerate(ALPHABET)})
    codes = np.frombuffer("".join(parts).translate(table).encode("latin-1"), dtype=np.uint8)
    size = len(ALPHABET)
    codes = codes.astype(np.int64)
    trigrams = np.bincount(
        (codes[:-2] * size + codes[1:-1]) * size + codes[2:], minlength=size**3
    ).reshape(size, size, size)
    bigrams = trigrams.sum(axis=0)
    unigrams = bigrams.sum(axis=0).astype(np.float64)
    unigram_p = (unigrams + _SMOOTHING) / (unigrams.sum() + _SMOOTHING * size)
    bigram_p = (bigrams + _SMOOTHING * size * unigram_p[None, :]) / (
        bigrams.sum(axis=1, keepdims=True) + _SMOOTHING * size
    )
    trigram_p = (trigrams + _SMOOTHING * size * bigram_p[None, :, :]) / (
        trigrams.sum(axis=2, keepdims=True) + _SMOOTHING * size
    )
    return LetterModel(np.log(trigram_p), unigrams)


def _is_thai_word(word: str) -> bool:
    return (
        bool(word)
        and all("\u0e01" <= c <= "\u0e4e" for c in word)
        and not any(c in "\u0e3b\u0e3c\u0e3d\u0e3e\u0e3f" for c in word)
    )

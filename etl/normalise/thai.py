"""Thai letters, digits and words: the pythainlp-backed primitives the other normalisers use."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

# pythainlp writes ~/pythainlp-data and may try to download unless told not to.
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import dict_trie

from schemas.framework import abbreviations

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
_THAI_RUN = re.compile(f"[{THAI_LETTER}]+")
_TRAILING_THAI = re.compile(f"[{THAI_LETTER}]+$")


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def is_thai_letter(ch: str) -> bool:
    return "\u0e01" <= ch <= "\u0e4e" and not ("\u0e3b" <= ch <= "\u0e3f") and ch != "\u0e2f"


@cache
def dictionary() -> frozenset[str]:
    """pythainlp's word list and the abbreviation table (so "สถ." is one token, not ส|ถ.)."""
    words = set(thai_words())
    words.update(a.abbr for a in abbreviations() if is_thai_letter(a.abbr[0]))
    return frozenset(words)


@cache
def _segmenter() -> Callable[[str], list[str]]:
    """newmm over our dictionary: nlpO3's (Rust) where installed, pythainlp's otherwise.
    Both give the same words; nlpO3 loads the dictionary in a tenth of the time pythainlp
    takes to build its trie (0.09 s against 0.9 s: paid by every worker process)."""
    try:
        import nlpo3
    except ImportError:
        trie = dict_trie(dictionary())
        return lambda text: word_tokenize(text, custom_dict=trie, engine="newmm")
    with tempfile.TemporaryDirectory(prefix="ita-etl-") as folder:
        path = Path(folder) / "words.txt"
        path.write_text("\n".join(sorted(dictionary())), encoding="utf-8")
        nlpo3.load_dict(str(path), _NLPO3_DICT)
    return lambda text: nlpo3.segment(text, _NLPO3_DICT)


_NLPO3_DICT = "ita-etl"


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Dictionary-based (newmm) word segmentation of a Thai run."""
    return tuple(t for t in _segmenter()(text) if t.strip())


def is_word(text: str) -> bool:
    return text in dictionary()


def _boundaries(text: str) -> set[int]:
    offsets, position = {0}, 0
    for token in words(text):
        position += len(token)
        offsets.add(position)
    return offsets


def _forms_one_word(left: str, right: str) -> bool:
    """True when the dictionary says the end of ``left`` and the start of ``right`` are one
    word: segmenting the joined text puts a dictionary word across the join, and either
    that word starts and ends on word boundaries of the two parts, or joining makes the
    whole segment into fewer words. Precision over recall: "งบประมาณ|การ" must not join on
    "ประมาณการ", which only appears by breaking "งบประมาณ" up."""
    joined = words(left + right)
    apart = len(words(left)) + len(words(right))
    if len(joined) > apart:
        return False
    offset = 0
    for token in joined:
        end = offset + len(token)
        if offset < len(left) < end:
            if not is_word(token):
                return False
            aligned = offset in _boundaries(left) and end - len(left) in _boundaries(right)
            return aligned or len(joined) < apart
        if end >= len(left):
            return False
        offset = end
    return False


def join_wrapped_words(text: str) -> tuple[str, int]:
    """Remove spaces that a line wrap left inside a Thai word; keep phrase-separating spaces.

    Joins only on positive evidence from the dictionary, because Thai separates phrases with
    spaces and deleting a real one changes the text. Returns the text and the count removed.
    """
    chunks = text.split(" ")
    if len(chunks) == 1:
        return text, 0
    out = [chunks[0]]
    removed = 0
    for before, after in pairwise(chunks):
        left = _TRAILING_THAI.search(before)
        right = _THAI_RUN.match(after)
        abbreviation = right is not None and after[right.end() : right.end() + 1] == "."
        if left and right and not abbreviation and _forms_one_word(left.group(0), right.group(0)):
            out[-1] += after
            removed += 1
        else:
            out.append(after)
    return " ".join(out), removed


def thai_words_of(text: str) -> list[str]:
    """The Thai words of a text (for dictionary-coverage measures)."""
    return [w for run in _THAI_RUN.findall(text) for w in words(run)]


@cache
def _frequencies() -> dict[str, int]:
    from pythainlp.corpus import tnc

    return dict(tnc.word_freqs())


def word_frequency(word: str) -> int:
    """How often the Thai National Corpus has the word (0 when it does not)."""
    return _frequencies().get(word, 0)


_BREAKABLE = re.compile(rf"\s+|[{THAI_LETTER}][{THAI_LETTER}.]*|[^\s{THAI_LETTER}]+")


def line_break_pieces(text: str) -> list[str]:
    """The text cut wherever a line may wrap: at spaces (kept as pieces) and between the
    dictionary words of a Thai run. Thai writes no spaces between words, so a display that
    wraps only at spaces, or anywhere, breaks words apart ("ข่|าวสาร")."""
    pieces: list[str] = []
    for match in _BREAKABLE.finditer(text):
        piece = match.group(0)
        pieces.extend(words(piece) if is_thai_letter(piece[0]) else (piece,))
    return pieces

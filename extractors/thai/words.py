"""Thai words: dictionary segmentation (pythainlp, nlpO3), wrap spaces, line-break points.

pythainlp is imported on first use, not with this module: reading the store or printing a
comparison must not pay for loading a dictionary."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

from extractors.thai.chars import THAI_LETTER, is_thai_letter
from schemas.framework import abbreviations

_THAI_RUN = re.compile(f"[{THAI_LETTER}]+")
_TRAILING_THAI = re.compile(f"[{THAI_LETTER}]+$")


def offline_pythainlp() -> None:
    """Tell pythainlp not to write ~/pythainlp-data or download anything (call before
    importing it)."""
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")


@cache
def dictionary() -> frozenset[str]:
    """pythainlp's word list and the abbreviation table (so "สถ." is one token, not ส|ถ.)."""
    offline_pythainlp()
    from pythainlp.corpus import thai_words

    words = set(thai_words())
    words.update(a.abbr for a in abbreviations() if is_thai_letter(a.abbr[0]))
    return frozenset(words)


@cache
def _segmenter() -> Callable[[str], list[str]]:
    """newmm over our dictionary, by nlpO3 (Rust): it gives pythainlp's newmm words and
    loads the dictionary in a tenth of the time pythainlp takes to build its trie (0.09 s
    against 0.9 s, paid by every worker process)."""
    import nlpo3

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
    offline_pythainlp()
    from pythainlp.corpus import tnc

    return dict(tnc.word_freqs())


def word_frequency(word: str) -> int:
    """How often the Thai National Corpus has the word (0 when it does not)."""
    return _frequencies().get(word, 0)


def word_frequencies() -> dict[str, int]:
    """The Thai National Corpus word counts (a shared dict: do not change it)."""
    return _frequencies()


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

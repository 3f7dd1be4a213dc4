"""Thai text repair: put back what a PDF's text layer lost, in a fixed order, and count it.

``repair_thai`` works on one string (a PDF line, a cell) with no access to the file; what the
embedded fonts say is used earlier, by ``extractors.pdf_glyphs``. Each step fixes one defect
class of docs/domain.md and the order matters:

1. ``nfc``: canonical composition only. Never NFKC/NFKD, which split ำ into ํ + า.
2. ``pua``: Private Use Area glyph codes to the Thai letters they draw (the table of HarfBuzz's
   hb-ot-shaper-thai.cc, Windows U+F700–U+F71A and Mac U+F884–U+F89E) and Word's default
   bullets (U+F0A7 ▪, U+F0B7 •, U+F0D8 ➢, U+F0FC ✓). Done first so the steps below see marks.
3. ``sara_am``: ำ rebuilt from its pieces before spaces are touched, because the space is
   often the nikhahit itself (a zero-width glyph whose ToUnicode says " "): "ส านัก",
   "จ ำนวน", "น ้า", "นํา", "ำา". Uniscribe moves the nikhahit before tone marks
   (<ด ๋ ำ> is drawn ด ํ ๋ า), so the tone marks in between are kept in front of ำ.
4. ``space_before_mark``: a space (or zero-width character) between a letter and a combining
   mark removed: no Thai mark can follow a space ("ตัวชีว้ ัด").
5. ``mark_order``: within a cluster the vowel mark comes before the tone mark ("เพ่ือ" ->
   "เพื่อ"), as every Thai input method types it.
6. ``*_dictionary``: last, and only where a definite defect is (U+FFFD, a Latin letter inside
   a Thai word, two marks of one kind on a letter, a mark with no base or one that followed a
   space), candidate edits at that spot are tried; one is kept only when it leaves no
   non-dictionary word around it and is ten times likelier (Thai National Corpus word
   frequencies) than any other: "ร้้" -> "รู้", "ดlาน" -> "ด้าน", "ส�นัก" -> "สำนัก",
   "ตัวชีว้ ัด" -> "ตัวชี้วัด". A non-word alone is no evidence: names are not words either,
   and moving their marks around "repairs" them. So "เพ่อื" (marks x-sorted onto the next
   letter, nothing else wrong) is left to glyph order in the PDF (``extractors.pdf_text``).

What cannot be repaired is kept as it is and counted under ``*_unrecovered`` (``cid``,
``replacement``, ``pua``, ``orphan_mark``, ``latin_in_thai``): nothing is deleted to make text
look clean. Spaces a line wrap left inside a word are not touched here: a space inside one PDF
line is a gap the page really shows. Lines are joined into items, and wrap spaces inside words
removed with dictionary evidence, by ``etl.transform.normalise.split`` and
``etl.transform.normalise.text``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from extractors.thai.chars import (
    CID,
    CONSONANT,
    MARK,
    NIKHAHIT,
    PUA,
    SARA_AA,
    SARA_AM,
    THAI_LETTER,
    TONE,
    VOWEL_MARK,
)
from extractors.thai.words import is_word, word_frequency, words

_MARKS = frozenset(chr(c) for c in range(0x0E31, 0x0E4F) if re.match(f"[{MARK}]", chr(c)))
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

# HarfBuzz hb-ot-shaper-thai.cc: positioned variants (shift down, down-left, left) of the
# marks, and the consonants with their descender removed; Windows and Mac code points.
_PUA_SOURCE: dict[str, tuple[int, ...]] = {
    "\u0e48": (0xF70A, 0xF88B, 0xF705, 0xF88C, 0xF713, 0xF88A),
    "\u0e49": (0xF70B, 0xF88E, 0xF706, 0xF88F, 0xF714, 0xF88D),
    "\u0e4a": (0xF70C, 0xF891, 0xF707, 0xF892, 0xF715, 0xF890),
    "\u0e4b": (0xF70D, 0xF894, 0xF708, 0xF895, 0xF716, 0xF893),
    "\u0e4c": (0xF70E, 0xF897, 0xF709, 0xF898, 0xF717, 0xF896),
    "\u0e38": (0xF718, 0xF89B),
    "\u0e39": (0xF719, 0xF89C),
    "\u0e3a": (0xF71A, 0xF89D),
    "\u0e31": (0xF710, 0xF884),
    "\u0e34": (0xF701, 0xF885),
    "\u0e35": (0xF702, 0xF886),
    "\u0e36": (0xF703, 0xF887),
    "\u0e37": (0xF704, 0xF888),
    "\u0e47": (0xF712, 0xF889),
    "\u0e4d": (0xF711, 0xF899),
    "\u0e0d": (0xF70F, 0xF89A),
    "\u0e10": (0xF700, 0xF89E),
}
PUA_THAI: dict[str, str] = {
    chr(code): letter for letter, codes in _PUA_SOURCE.items() for code in codes
}
"""Thai PUA glyph code point -> the Thai letter it is a positioned form of."""
WORD_BULLETS: dict[str, str] = {
    "\uf0a7": "\u25aa",  # Wingdings § ▪ (Word's square bullet)
    "\uf0b7": "\u2022",  # Symbol · • (Word's round bullet)
    "\uf0d8": "\u27a2",  # Wingdings Ø ➢
    "\uf0fc": "\u2713",  # Wingdings ü ✓
}
"""Word's default bullets, which reach text with no font name to tell the symbol set."""

# Step 3: the pieces of ำ. The consonant is kept in group 1, tone marks in group 2.
_NIKHAHIT_AA = re.compile(f"([{CONSONANT}])\u0e4d([{TONE}]*)\u0e32")
_TONE_NIKHAHIT_AA = re.compile(f"([{CONSONANT}])([{TONE}]+)\u0e4d[\u0e32\u0e33]")
_SPACE_AA = re.compile(f"([{CONSONANT}])[ {_ZERO_WIDTH}]+([{TONE}]*)[\u0e32\u0e33]")
_TONE_SPACE_AA = re.compile(f"([{CONSONANT}])([{TONE}]+)[ {_ZERO_WIDTH}]+[\u0e32\u0e33]")
_DOUBLED_AM = re.compile("\u0e33[\u0e32\u0e4d]+|\u0e4d+\u0e33")
"""ำ with the aa or nikhahit glyphs it was drawn from left beside it, however many (a fake-bold
redraw repeats them): one pass removes them all, so that repairing is idempotent."""
# Step 4.
_SPACE_BEFORE_MARK = re.compile(f"(?<=[{THAI_LETTER}])[ {_ZERO_WIDTH}]+(?=[{MARK}])")
# Step 5: a tone-class mark typed before the vowel mark of the same cluster.
_TONE_BEFORE_VOWEL = re.compile(f"([{CONSONANT}])([{TONE}])([{VOWEL_MARK}])")
# Well-formed cluster: consonant, at most one vowel mark, at most one tone-class mark, ำ.
_CLUSTER = re.compile(f"[{CONSONANT}][{VOWEL_MARK}]?[{TONE}]?{SARA_AM}?")
_LATIN_IN_THAI = re.compile(f"(?<=[{THAI_LETTER}])[A-Za-z](?=[{THAI_LETTER}])")

_VOWEL_MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47"
_TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b\u0e4c"


def pua_to_unicode(char: str) -> str | None:
    """The standard character a PUA glyph code stands for, if the code is a known one."""
    return PUA_THAI.get(char) or WORD_BULLETS.get(char)


def orphan_marks(text: str) -> list[int]:
    """Offsets of marks (and ำ) that no well-formed consonant cluster accounts for."""
    covered = bytearray(len(text))
    for match in _CLUSTER.finditer(text):
        covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return [
        i for i, char in enumerate(text) if (char in _MARKS or char == SARA_AM) and not covered[i]
    ]


class _Work:
    """The text being repaired, the counts so far, and where a removed space stood before a
    mark (evidence that the marks around it may sit on the wrong letter)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.counts: Counter[str] = Counter()
        self.junctions: list[int] = []


def _nfc(work: _Work) -> None:
    fixed = unicodedata.normalize("NFC", work.text)
    if fixed != work.text:
        work.counts["nfc"] += 1
        work.text = fixed


def _pua(work: _Work) -> None:
    def replace(match: re.Match[str]) -> str:
        mapped = pua_to_unicode(match.group(0))
        if mapped is None:
            return match.group(0)
        work.counts["pua"] += 1
        return mapped

    work.text = PUA.sub(replace, work.text)


def _sara_am(work: _Work) -> None:
    total = 0
    for pattern, repl in (
        (_TONE_SPACE_AA, "\\1\\2\u0e33"),
        (_SPACE_AA, "\\1\\2\u0e33"),
        (_NIKHAHIT_AA, "\\1\\2\u0e33"),
        (_TONE_NIKHAHIT_AA, "\\1\\2\u0e33"),
        (_DOUBLED_AM, "\u0e33"),
    ):
        work.text, n = pattern.subn(repl, work.text)
        total += n
    if total:
        work.counts["sara_am"] += total


def _space_before_mark(work: _Work) -> None:
    parts, junctions, last = [], [], 0
    for match in _SPACE_BEFORE_MARK.finditer(work.text):
        parts.append(work.text[last : match.start()])
        junctions.append(sum(map(len, parts)))
        last = match.end()
    if junctions:
        work.text = "".join(parts) + work.text[last:]
        work.junctions = junctions
        work.counts["space_before_mark"] += len(junctions)


def _mark_order(work: _Work) -> None:
    work.text, n = _TONE_BEFORE_VOWEL.subn("\\1\\3\\2", work.text)
    if n:
        work.counts["mark_order"] += n


# --- step 6: dictionary decisions at a definite defect --------------------------------------


@lru_cache(maxsize=65536)
def _damage(window: str) -> int:
    """How many characters of a window fall in non-dictionary words (0 for clean text)."""
    return sum(len(token) for token in words(window) if not is_word(token))


def _likelihood(window: str) -> float:
    """Log probability of the window's words under a unigram model of the Thai National
    Corpus: breaks ties between candidates that are all dictionary words."""
    return sum(math.log((word_frequency(t) + 0.5) / _CORPUS_SIZE) for t in words(window))


def _clusters(run: str) -> list[tuple[int, int]]:
    """(start, end) of each base letter with the marks that follow it."""
    spans: list[tuple[int, int]] = []
    for i, char in enumerate(run):
        if char in _MARKS and spans:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _mark_moves(window: str, evidence: Sequence[int]) -> Iterator[str]:
    """Each mark of the clusters at and next to the evidence moved to the end of the previous
    or the next cluster: what an x-sorted text layer does to marks ("ตัวชีว้ ัด", "สนุ ัข")."""
    spans = _clusters(window)
    near = {
        k + d
        for k, (start, end) in enumerate(spans)
        if any(start <= e <= end for e in evidence)
        for d in (-1, 0, 1)
    }
    for k in sorted(n for n in near if 0 <= n < len(spans)):
        start, end = spans[k]
        first = start + 1 if window[start] not in _MARKS else start
        for i in range(first, end):
            without = window[:i] + window[i + 1 :]
            if k > 0 and first == start + 1:
                at = spans[k - 1][1]
                yield without[:at] + window[i] + without[at:]
            if k + 1 < len(spans):
                at = spans[k + 1][1] - 1
                yield without[:at] + window[i] + without[at:]


def _substitutions(window: str, at: Sequence[int], alphabet: str) -> Iterator[str]:
    for i in at:
        for char in alphabet:
            if char != window[i]:
                yield window[:i] + char + window[i + 1 :]


def _doubled_marks(window: str) -> list[int]:
    """Offsets of both of two marks of one class on one cluster ("ร้้", "ค่่มือ")."""
    found = []
    for start, end in _clusters(window):
        marks = window[start + 1 : end]
        for a in range(len(marks) - 1):
            if (marks[a] in _TONE_MARKS) == (marks[a + 1] in _TONE_MARKS):
                found += [start + 1 + a, start + 2 + a]
    return found


_MARK_ALPHABET = _VOWEL_MARKS + _TONE_MARKS
# U+FFFD stands for a glyph the producer could not name: a positioned mark, the nikhahit of a
# decomposed ำ, or a vowel drawn from pieces, never a consonant (consonant glyphs are always
# in the font's cmap).
_LOST_GLYPH_ALPHABET = _MARK_ALPHABET + NIKHAHIT + "\u0e30\u0e32\u0e33\u0e45"
_CORPUS_SIZE = 1e8
_CLEAR_MARGIN = math.log(10)


def _candidates(window: str, junctions: Sequence[int]) -> Iterator[tuple[str, Iterator[str]]]:
    """(repair name, candidate edits) for each kind of definite defect the window shows."""
    replacement = [i for i, c in enumerate(window) if c == "\ufffd"]
    if replacement:
        yield "replacement", _substitutions(window, replacement, _LOST_GLYPH_ALPHABET)
    latin = [i for i, c in enumerate(window) if c.isascii() and c.isalpha()]
    if latin:
        yield "latin_in_thai", _substitutions(window, latin, _MARK_ALPHABET)
    doubled = _doubled_marks(window)
    if doubled:
        yield "doubled_mark", _substitutions(window, doubled, _MARK_ALPHABET)
    evidence = [*orphan_marks(window), *junctions]
    if evidence:
        yield "mark_position", _mark_moves(window, evidence)


def _drawing_order(text: str) -> str:
    """A candidate with its drawing order repaired as steps 3 and 5 would (ํ + า is ำ), so
    that "ส\ufffdานัก" can become สำนัก, not ส่านัก (ส่า and นัก are words too)."""
    work = _Work(text)
    _sara_am(work)
    _mark_order(work)
    return work.text


def _repair_window(window: str, junctions: Sequence[int]) -> tuple[str, str] | None:
    """(repair name, repaired window) when the edits for one defect in the window leave no
    non-dictionary word and one of them is at least ten times likelier than any other; None
    when nothing fits or the choice is not clear."""
    for name, candidates in _candidates(window, junctions):
        found = {
            fixed
            for candidate in candidates
            if (fixed := _drawing_order(candidate)) != window and _damage(fixed) == 0
        }
        if not found:
            continue
        ranked = sorted(found, key=_likelihood, reverse=True)
        if len(ranked) == 1 or _likelihood(ranked[0]) - _likelihood(ranked[1]) >= _CLEAR_MARGIN:
            return name, ranked[0]
        return None
    return None


def _damaged_windows(run: str) -> list[tuple[int, int]]:
    """(start, end) of each stretch of non-dictionary words with one word either side,
    overlapping stretches merged."""
    spans: list[tuple[int, int]] = []
    position = 0
    for token in words(run):
        spans.append((position, position + len(token)))
        position += len(token)
    windows: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(spans):
        if is_word(run[start:end]):
            continue
        low, high = spans[max(k - 1, 0)][0], spans[min(k + 1, len(spans) - 1)][1]
        if windows and low < windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


_SITE = re.compile(f"[{THAI_LETTER}](?:[{THAI_LETTER}]|\ufffd|[A-Za-z]{{1,2}}(?=[{THAI_LETTER}]))*")


def _dictionary(work: _Work) -> None:
    """Dictionary decisions for each run of Thai letters (with any U+FFFD or Latin letter
    inside). An edit may shorten its window (ํ + า read as ำ), so windows are repaired from
    the last to the first: the offsets of those before it stay valid."""
    text = work.text
    windows = []
    for site in _SITE.finditer(text):
        run = site.group(0)
        if not any(c in _MARKS or not ("\u0e00" <= c <= "\u0e7f") for c in run):
            continue
        windows += [(site.start() + start, end - start) for start, end in _damaged_windows(run)]
    for offset, length in reversed(windows):
        junctions = [j - offset for j in work.junctions if offset <= j <= offset + length]
        repaired = _repair_window(text[offset : offset + length], junctions)
        if repaired is not None:
            name, fixed = repaired
            work.counts[f"{name}_dictionary"] += 1
            text = text[:offset] + fixed + text[offset + length :]
    work.text = text


def _count_unrecovered(work: _Work) -> None:
    for name, n in (
        ("cid_unrecovered", len(CID.findall(work.text))),
        ("replacement_unrecovered", work.text.count("\ufffd")),
        ("pua_unrecovered", len(PUA.findall(work.text))),
        ("orphan_mark_unrecovered", len(orphan_marks(work.text))),
        ("latin_in_thai_unrecovered", len(_LATIN_IN_THAI.findall(work.text))),
    ):
        if n:
            work.counts[name] += n


STEPS: tuple[Callable[[_Work], None], ...] = (
    _nfc,
    _pua,
    _sara_am,
    _space_before_mark,
    _mark_order,
    _dictionary,
)
_ROUNDS = 3
"""A repair can expose another ("ำ ํ า": the PUA nikhahit becomes a doubled ำ), so the steps
run again until nothing changes."""


_SUSPECT = re.compile(
    "|".join(
        (
            f"[\ue000-\uf8ff\ufffd{NIKHAHIT}{_ZERO_WIDTH}]",
            r"\(cid:",
            f"{SARA_AM}{SARA_AA}",
            f"[{CONSONANT}][{TONE}]* +[{TONE}]*[{SARA_AA}{SARA_AM}]",
            f"(?<=[{THAI_LETTER}]) +(?=[{MARK}])",
            f"[{TONE}][{VOWEL_MARK}]|[{VOWEL_MARK}][{VOWEL_MARK}]|[{TONE}][{TONE}]",
            f"(?:^|[^{CONSONANT}{MARK}])[{MARK}]",
            f"[{THAI_LETTER}][A-Za-z][{THAI_LETTER}]",
        )
    )
)
"""Anything any step could act on. Most lines of most PDFs have none, and are returned
untouched without running the steps (this runs on every line of every page)."""


def repair_thai(text: str, *, dictionary: bool = True) -> tuple[str, Counter[str]]:
    """Repair one string's Thai and count each repair by name (see the module docstring).

    A no-op on clean Thai text; idempotent. Unrepairable damage is kept and counted under
    ``*_unrecovered``. ``dictionary=False`` makes only the repairs of drawing order (steps
    1–5), none that the dictionary chooses: to judge a reading of a glyph by what it gives,
    not by what the dictionary step would make of it.
    """
    if not _SUSPECT.search(text) and unicodedata.is_normalized("NFC", text):
        return text, Counter()
    work = _Work(text)
    steps = STEPS if dictionary else STEPS[:-1]
    for _ in range(_ROUNDS):
        before = work.text
        work.junctions = []
        for step in steps:
            step(work)
        if work.text == before:
            break
    _count_unrecovered(work)
    return work.text, work.counts

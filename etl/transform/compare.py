"""Year-on-year pairing of one agency's measures: carried, changed, new or dropped.

Pure: two lists of measures in, a list of pairs out; the store and the CLI fetch the measures.
The rules (docs/compare.md):

1. Both texts are reduced to a *measure key*: NFC, Thai digits to Arabic, known expansions
   contracted to their abbreviation (กรมส่งเสริมการปกครองท้องถิ่น -> สถ.), Latin case folded,
   numbers masked to ``#`` (years and counts change every year), all white space removed
   (line wraps put spaces inside Thai words).
2. Equal keys are *carried*, wherever they are filed that year (a measure may move between
   indicators), pairs under overlapping indicators first.
3. Of the rest, pairs whose 3-gram similarity is at least ``CHANGED_THRESHOLD`` are *changed*,
   taken greedily: overlapping indicators first, then by similarity.
4. What is left is *new* (only this year) or *dropped* (only last year).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from etl.transform.normalise.abbreviations import contract_expansions
from extractors.thai.chars import to_arabic_digits

Status = Literal["carried", "changed", "new", "dropped"]

CHANGED_THRESHOLD = 0.6
"""Least 3-gram Dice similarity of a reworded measure, chosen on tests/data/measure_pairs.tsv
(benchmarks/compare_threshold.py prints the separation; docs/compare.md has the figures)."""

NGRAM = 3
_WHITE_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")


@dataclass(frozen=True)
class Measure:
    """One measure of one year: the indicators its row is filed under and its text."""

    indicators: tuple[int, ...]
    text: str
    ordinal: int = 0
    """Position in the report, to keep the output in document order."""


@dataclass(frozen=True)
class Pair:
    status: Status
    before: Measure | None
    after: Measure | None
    similarity: float

    @property
    def indicators(self) -> tuple[int, ...]:
        """This year's indicators, or last year's for a dropped measure."""
        measure = self.after or self.before
        return measure.indicators if measure else ()

    @property
    def indicator_label(self) -> str:
        """The indicator number(s) as one string: "9" or "9+10"."""
        return indicator_label(self.indicators)


def indicator_label(numbers: Sequence[int]) -> str:
    return "+".join(str(n) for n in sorted(numbers))


def text_key(text: str) -> str:
    """The text as compared: what two spellings of the same words have in common.

    NFC, Thai digits to Arabic, white space removed, expansions contracted to their
    abbreviation, Latin case folded. Numbers are kept (a changed figure is a changed text);
    ``measure_key`` masks them.
    """
    text = _WHITE_SPACE.sub("", to_arabic_digits(unicodedata.normalize("NFC", text)))
    return contract_expansions(text).casefold()


def measure_key(text: str) -> str:
    """``text_key`` with every number masked, so "ปี 2566" and "ปี 2567" compare equal."""
    return _NUMBER.sub("#", text_key(text))


def ngrams(key: str, n: int = NGRAM) -> Counter[str]:
    """The multiset of character n-grams of a key (the whole key when it is shorter)."""
    if len(key) <= n:
        return Counter([key]) if key else Counter()
    return Counter(key[i : i + n] for i in range(len(key) - n + 1))


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient of two multisets: 2|a ∩ b| / (|a| + |b|)."""
    total = a.total() + b.total()
    if not total:
        return 1.0
    return 2 * (a & b).total() / total


def similarity(a: str, b: str) -> float:
    """3-gram Dice similarity of two measure texts after ``measure_key`` (0..1)."""
    return dice(ngrams(measure_key(a)), ngrams(measure_key(b)))


def pair_measures(
    before: Sequence[Measure],
    after: Sequence[Measure],
    *,
    threshold: float = CHANGED_THRESHOLD,
) -> list[Pair]:
    """Pair last year's measures (``before``) with this year's (``after``).

    Each measure is in exactly one pair. Output is in this year's order, dropped measures
    placed by their indicator.
    """
    keys_before = [measure_key(m.text) for m in before]
    keys_after = [measure_key(m.text) for m in after]
    grams_before = [ngrams(k) for k in keys_before]
    grams_after = [ngrams(k) for k in keys_after]
    scores = [[dice(a, b) for b in grams_after] for a in grams_before]
    matched: dict[int, tuple[int, Status]] = {}
    taken_after: set[int] = set()

    def overlap(i: int, j: int) -> bool:
        return bool(set(before[i].indicators) & set(after[j].indicators))

    def take(candidates: list[tuple[int, int]], status: Status) -> None:
        for i, j in candidates:
            if i not in matched and j not in taken_after:
                matched[i] = (j, status)
                taken_after.add(j)

    equal = [
        (i, j)
        for i, key in enumerate(keys_before)
        for j, other in enumerate(keys_after)
        if key == other
    ]
    take(sorted(equal, key=lambda ij: not overlap(*ij)), "carried")
    similar = [
        (i, j)
        for i in range(len(before))
        for j in range(len(after))
        if i not in matched and j not in taken_after and scores[i][j] >= threshold
    ]
    take(sorted(similar, key=lambda ij: (not overlap(*ij), -scores[ij[0]][ij[1]])), "changed")

    def best(row: Sequence[float]) -> float:
        return round(max(row, default=0.0), 4)

    by_after = {j: (i, status) for i, (j, status) in matched.items()}
    pairs: list[Pair] = []
    for j, measure in enumerate(after):
        if j in by_after:
            i, status = by_after[j]
            score = 1.0 if status == "carried" else round(scores[i][j], 4)
            pairs.append(Pair(status, before[i], measure, score))
        else:
            pairs.append(Pair("new", None, measure, best([row[j] for row in scores])))
    for i, measure in enumerate(before):
        if i not in matched:
            pair = Pair("dropped", measure, None, best(scores[i]))
            pairs.insert(_position_for(pairs, measure.indicators), pair)
    return pairs


def _position_for(pairs: list[Pair], indicators: tuple[int, ...]) -> int:
    """Where a dropped measure goes: after the last pair filed under an indicator not above
    its first one."""
    first = min(indicators, default=0)
    position = 0
    for index, pair in enumerate(pairs):
        if min(pair.indicators, default=0) <= first:
            position = index + 1
    return position

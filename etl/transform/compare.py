"""Year-on-year pairing of one agency's measures: carried, changed, new or dropped.

Pure: two lists of measures in, a list of pairs out; the store and the CLI fetch the measures.
The rules (docs/compare.md):

1. Both texts are reduced to a *measure key*: NFC, Thai digits to Arabic, known expansions
   contracted to their abbreviation (กรมส่งเสริมการปกครองท้องถิ่น -> สถ.), Latin case folded,
   numbers masked to ``#`` (years and counts change every year), all white space removed
   (line wraps put spaces inside Thai words).
2. Equal keys are *carried*, wherever they are filed that year (a measure may move between
   indicators), pairs under overlapping indicators first.
3. Of the rest, *changed* pairs, in three passes: (a) within an indicator, the optimal
   assignment (rapidfuzz ``process.cdist`` scores, scipy ``linear_sum_assignment``) of pairs
   whose 3-gram similarity is at least ``CHANGED_THRESHOLD``; (b) a pair left alone in its
   indicator on both sides and mutually best, from ``ALONE_FLOOR``; (c) across indicators (a
   measure moved and reworded), the optimal assignment at ``CHANGED_THRESHOLD``.
4. What is left is *new* (only this year) or *dropped* (only last year).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from etl.transform.normalise.abbreviations import contract_expansions
from extractors.thai.chars import to_arabic_digits

Status = Literal["carried", "changed", "new", "dropped"]
Scores = npt.NDArray[np.float64]

CHANGED_THRESHOLD = 0.6
"""Least 3-gram Dice similarity of a reworded measure, chosen on tests/data/measure_pairs.tsv
(benchmarks/compare_threshold.py prints the separation; docs/compare.md has the figures)."""

ALONE_FLOOR = 0.5
"""Least 3-gram similarity of a reworded measure alone in its indicator and mutually best,
chosen on the labelled pairs and tests/data/measure_groups.tsv (benchmarks/compare_threshold.py
prints the sweep; docs/compare.md has the figures)."""

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


def similarity_matrix(keys_before: Sequence[str], keys_after: Sequence[str]) -> Scores:
    """3-gram Dice similarity of every pair of measure keys, computed by rapidfuzz in one call.

    Each key becomes the sorted list of its 3-grams. The longest common subsequence of two
    sorted lists is their multiset intersection, so their Indel distance is |A| + |B| - 2|A ∩ B|
    and (|A| + |B| - distance) / (|A| + |B|) is exactly ``dice`` (the same integers divided).
    """
    grams_before = [sorted(ngrams(key).elements()) for key in keys_before]
    grams_after = [sorted(ngrams(key).elements()) for key in keys_after]
    if not grams_before or not grams_after:
        return np.zeros((len(grams_before), len(grams_after)))
    distance = process.cdist(grams_before, grams_after, scorer=Indel.distance, dtype=np.int64)
    total = np.add.outer([len(g) for g in grams_before], [len(g) for g in grams_after])
    scores: Scores = np.ones(distance.shape)
    np.divide(total - distance, total, out=scores, where=total > 0)
    return scores


def pair_measures(
    before: Sequence[Measure],
    after: Sequence[Measure],
    *,
    threshold: float = CHANGED_THRESHOLD,
    floor: float = ALONE_FLOOR,
) -> list[Pair]:
    """Pair last year's measures (``before``) with this year's (``after``).

    Each measure is in exactly one pair. Output is in this year's order, dropped measures
    placed by their indicator.
    """
    keys_before = [measure_key(m.text) for m in before]
    keys_after = [measure_key(m.text) for m in after]
    scores = similarity_matrix(keys_before, keys_after)
    matched: dict[int, tuple[int, Status]] = {}
    taken_after: set[int] = set()

    def overlap(i: int, j: int) -> bool:
        return bool(set(before[i].indicators) & set(after[j].indicators))

    equal = [
        (i, j)
        for i, key in enumerate(keys_before)
        for j, other in enumerate(keys_after)
        if key == other
    ]
    for i, j in sorted(equal, key=lambda ij: not overlap(*ij)):
        if i not in matched and j not in taken_after:
            matched[i] = (j, "carried")
            taken_after.add(j)

    def unmatched() -> tuple[list[int], list[int]]:
        rows = [i for i in range(len(before)) if i not in matched]
        return rows, [j for j in range(len(after)) if j not in taken_after]

    def change(candidates: list[tuple[int, int]]) -> None:
        for i, j in candidates:
            matched[i] = (j, "changed")
            taken_after.add(j)

    rows, cols = unmatched()
    within = [(i, j) for i in rows for j in cols if overlap(i, j)]
    change(_assign(scores, rows, cols, within, threshold))
    rows, cols = unmatched()
    change(_alone_and_mutually_best(before, after, scores, rows, cols, min(floor, threshold)))
    rows, cols = unmatched()
    across = [(i, j) for i in rows for j in cols if not overlap(i, j)]
    change(_assign(scores, rows, cols, across, threshold))

    def best(row: Sequence[float]) -> float:
        return round(max(row, default=0.0), 4)

    by_after = {j: (i, status) for i, (j, status) in matched.items()}
    pairs: list[Pair] = []
    for j, measure in enumerate(after):
        if j in by_after:
            i, status = by_after[j]
            score = 1.0 if status == "carried" else round(float(scores[i, j]), 4)
            pairs.append(Pair(status, before[i], measure, score))
        else:
            pairs.append(Pair("new", None, measure, best(scores[:, j].tolist())))
    for i, measure in enumerate(before):
        if i not in matched:
            pair = Pair("dropped", measure, None, best(scores[i].tolist()))
            pairs.insert(_position_for(pairs, measure.indicators), pair)
    return pairs


def _assign(
    scores: Scores, rows: list[int], cols: list[int], allowed: list[tuple[int, int]], bar: float
) -> list[tuple[int, int]]:
    """Of the allowed pairs scoring at least ``bar``, as many as can be taken together, and of
    those sets the one with the highest total similarity (an optimal assignment).

    Every candidate already cleared the bar, so a set that explains more measures as
    continuing wins: a greedy pass lets a wrong pair that scores a little higher take a measure
    from its true partner and leave two measures unpaired (dropped + new) instead of none.
    """
    from scipy.optimize import linear_sum_assignment  # a quarter second to import: not for loaders

    candidates = [(i, j) for i, j in allowed if scores[i, j] >= bar]
    if not candidates:
        return []
    row_of = {i: r for r, i in enumerate(rows)}
    col_of = {j: c for c, j in enumerate(cols)}
    weight = np.zeros((len(rows), len(cols)))
    for i, j in candidates:
        weight[row_of[i], col_of[j]] = scores[i, j]
    chosen = set(zip(*linear_sum_assignment(weight, maximize=True), strict=True))
    return [(i, j) for i, j in candidates if (row_of[i], col_of[j]) in chosen]


def _alone_and_mutually_best(
    before: Sequence[Measure],
    after: Sequence[Measure],
    scores: Scores,
    rows: list[int],
    cols: list[int],
    floor: float,
) -> list[tuple[int, int]]:
    """Unmatched pairs scoring at least ``floor`` that are alone and mutually best.

    Alone: the two share an indicator and no other unmatched measure of either year is filed
    under any of their indicators. Mutually best: each is strictly the most similar to the
    other of all the unmatched measures of the other year, in any indicator.
    """
    if not rows or not cols:
        return []
    open_scores = scores[np.ix_(rows, cols)]
    filed_before = _filed_under(before, rows)
    filed_after = _filed_under(after, cols)
    found = []
    for r, i in enumerate(rows):
        c = int(np.argmax(open_scores[r]))
        j, score = cols[c], open_scores[r, c]
        shared = set(before[i].indicators) & set(after[j].indicators)
        filed = set(before[i].indicators) | set(after[j].indicators)
        if (
            score >= floor
            and shared
            and np.count_nonzero(open_scores[r] == score) == 1
            and np.count_nonzero(open_scores[:, c] >= score) == 1
            and set().union(*(filed_before.get(n, set()) for n in filed)) == {i}
            and set().union(*(filed_after.get(n, set()) for n in filed)) == {j}
        ):
            found.append((i, j))
    return found


def _filed_under(measures: Sequence[Measure], open_ones: list[int]) -> dict[int, set[int]]:
    """Indicator -> the open measures filed under it."""
    filed: dict[int, set[int]] = {}
    for k in open_ones:
        for number in measures[k].indicators:
            filed.setdefault(number, set()).add(k)
    return filed


def _position_for(pairs: list[Pair], indicators: tuple[int, ...]) -> int:
    """Where a dropped measure goes: after the last pair filed under an indicator not above
    its first one."""
    first = min(indicators, default=0)
    position = 0
    for index, pair in enumerate(pairs):
        if min(pair.indicators, default=0) <= first:
            position = index + 1
    return position

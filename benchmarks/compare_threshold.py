"""How well each similarity separates reworded measures from different ones.

Reads the labelled pairs in tests/data/measure_pairs.tsv and prints, per similarity: the lowest
score of a true pair, the highest of a different pair, the gap between them, the threshold
that makes the fewest mistakes (the middle of the widest such interval) and the mistakes made
at ``etl.transform.compare.CHANGED_THRESHOLD``. Run by hand from the repository root:

    .venv/bin/python benchmarks/compare_threshold.py
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from rapidfuzz import fuzz

from etl.transform.compare import CHANGED_THRESHOLD, dice, measure_key, ngrams, similarity
from extractors.thai.words import words

PAIRS = Path(__file__).parents[1] / "tests" / "data" / "measure_pairs.tsv"


def load_pairs(path: Path = PAIRS) -> list[tuple[bool, str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return [
        (r["label"] == "same", r["before"], r["after"])
        for r in csv.DictReader(lines, delimiter="\t")
    ]


def _word_bag(text: str) -> Counter[str]:
    return Counter(w for w in words(measure_key(text)) if w.strip())


SIMILARITIES: dict[str, Callable[[str, str], float]] = {
    "char 3-gram Dice (multiset)": similarity,
    "char 2-gram Dice (multiset)": lambda a, b: dice(
        ngrams(measure_key(a), 2), ngrams(measure_key(b), 2)
    ),
    "char 4-gram Dice (multiset)": lambda a, b: dice(
        ngrams(measure_key(a), 4), ngrams(measure_key(b), 4)
    ),
    "char 3-gram Jaccard (set)": lambda a, b: _jaccard(
        set(ngrams(measure_key(a))), set(ngrams(measure_key(b)))
    ),
    "rapidfuzz ratio (Indel)": lambda a, b: fuzz.ratio(measure_key(a), measure_key(b)) / 100,
    "rapidfuzz token_set_ratio, newmm words": lambda a, b: (
        fuzz.token_set_ratio(list(_word_bag(a).elements()), list(_word_bag(b).elements())) / 100
    ),
    "word Dice, newmm words": lambda a, b: dice(_word_bag(a), _word_bag(b)),
}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def best_threshold(scored: list[tuple[bool, float]]) -> tuple[float, int]:
    """The middle of the widest interval of thresholds with the fewest mistakes."""
    cuts = sorted({s for _, s in scored} | {0.0, 1.0})
    best: tuple[int, float, float] | None = None
    for low, high in pairwise(cuts):
        t = (low + high) / 2
        errors = sum((s >= t) != same for same, s in scored)
        key = (errors, -(high - low), t)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2], best[0]


def main() -> None:
    pairs = load_pairs()
    n_same = sum(same for same, _, _ in pairs)
    print(f"{len(pairs)} labelled pairs: {n_same} same, {len(pairs) - n_same} different\n")
    header = (
        f"{'similarity':42} {'min same':>8} {'max diff':>8} {'gap':>6} {'best t':>6} {'err':>4}"
    )
    print(header + f" {'err@' + format(CHANGED_THRESHOLD, '.2f'):>8}")
    for name, score in SIMILARITIES.items():
        scored = [(same, score(a, b)) for same, a, b in pairs]
        low_same = min(s for same, s in scored if same)
        high_diff = max(s for same, s in scored if not same)
        t, errors = best_threshold(scored)
        at_chosen = sum((s >= CHANGED_THRESHOLD) != same for same, s in scored)
        print(
            f"{name:42} {low_same:8.3f} {high_diff:8.3f} {low_same - high_diff:+6.3f} "
            f"{t:6.3f} {errors:4d} {at_chosen:8d}"
        )
    print("\nchar 3-gram Dice per pair, lowest 'same' and highest 'different' first:")
    scored_pairs = [(same, similarity(a, b), a, b) for same, a, b in pairs]
    for same, s, a, b in sorted(scored_pairs, key=lambda p: (not p[0], p[1] if p[0] else -p[1])):
        flag = "" if (s >= CHANGED_THRESHOLD) == same else "  <- wrong side"
        print(f"  {'same' if same else 'diff'} {s:.3f} {a[:28]} | {b[:28]}{flag}")


if __name__ == "__main__":
    main()

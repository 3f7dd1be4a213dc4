"""How well the year-on-year pairing finds reworded measures, today's rule against the new one.

Reads the labelled pairs in tests/data/measure_pairs.tsv and the labelled indicator scenarios in
tests/data/measure_groups.tsv and prints, in one run:

1. per similarity: the lowest score of a true pair, the highest of a different pair, the gap
   between them, the threshold that makes the fewest mistakes (the middle of the widest such
   interval) and the mistakes made at ``etl.transform.compare.CHANGED_THRESHOLD``;
2. the errors of the pairing rules on the pairs (each pair taken as the only unmatched
   measures of its indicator, the case the floor is for) and on the scenarios (whole
   indicators, where the other measures decide what is alone and mutually best): today's greedy
   threshold rule (main before issue 11, copied below as the baseline), the optimal assignment
   without the floor, ``pair_measures`` as it is (assignment and ``ALONE_FLOOR``), and, for
   reference, the assignment with the floor as the threshold everywhere (no context rule);
3. the same errors for every floor, and the floor with the fewest (how ALONE_FLOOR was chosen);
4. each pair's and each scenario's outcome under today's rule and the new one.

Run by hand from the repository root:

    .venv/bin/python benchmarks/compare_threshold.py
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rapidfuzz import fuzz

from etl.transform.compare import (
    ALONE_FLOOR,
    CHANGED_THRESHOLD,
    Measure,
    dice,
    measure_key,
    ngrams,
    pair_measures,
    similarity,
)
from extractors.thai.words import words

DATA = Path(__file__).parents[1] / "tests" / "data"
PAIRS = DATA / "measure_pairs.tsv"
GROUPS = DATA / "measure_groups.tsv"


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def load_pairs(path: Path = PAIRS) -> list[tuple[bool, str, str]]:
    return [(r["label"] == "same", r["before"], r["after"]) for r in _rows(path)]


@dataclass(frozen=True)
class Scenario:
    """One labelled scenario: both years' measures (by id) and the true pairs (before, after)."""

    name: str
    before: tuple[tuple[str, Measure], ...]
    after: tuple[tuple[str, Measure], ...]
    truth: frozenset[tuple[str, str]]


def load_scenarios(path: Path = GROUPS) -> list[Scenario]:
    sides: dict[str, dict[str, list[tuple[str, Measure]]]] = {}
    truth: dict[str, set[tuple[str, str]]] = {}
    for position, r in enumerate(_rows(path)):
        indicators = tuple(int(n) for n in r["indicators"].split("+"))
        name = r["scenario"]
        sides.setdefault(name, {"before": [], "after": []})[r["side"]].append(
            (r["id"], Measure(indicators, r["text"], position))
        )
        if r["side"] == "before" and r["partner"]:
            truth.setdefault(name, set()).add((r["id"], r["partner"]))
    return [
        Scenario(name, tuple(s["before"]), tuple(s["after"]), frozenset(truth.get(name, ())))
        for name, s in sides.items()
    ]


Rule = Callable[[Sequence[Measure], Sequence[Measure]], set[tuple[int, int]]]


def greedy_today(
    before: Sequence[Measure], after: Sequence[Measure], threshold: float = CHANGED_THRESHOLD
) -> set[tuple[int, int]]:
    """The rule on main before issue 11, kept as the baseline: equal keys carried, then pairs at
    or above the threshold taken greedily, overlapping indicators first, then by similarity."""
    keys_before = [measure_key(m.text) for m in before]
    keys_after = [measure_key(m.text) for m in after]
    scores = [[similarity(a.text, b.text) for b in after] for a in before]
    taken: dict[int, int] = {}

    def overlap(i: int, j: int) -> bool:
        return bool(set(before[i].indicators) & set(after[j].indicators))

    def take(candidates: list[tuple[int, int]]) -> None:
        for i, j in candidates:
            if i not in taken and j not in taken.values():
                taken[i] = j

    everything = [(i, j) for i in range(len(before)) for j in range(len(after))]
    take(
        sorted(
            [(i, j) for i, j in everything if keys_before[i] == keys_after[j]],
            key=lambda ij: not overlap(*ij),
        )
    )
    take(
        sorted(
            [(i, j) for i, j in everything if scores[i][j] >= threshold],
            key=lambda ij: (not overlap(*ij), -scores[ij[0]][ij[1]]),
        )
    )
    return set(taken.items())


def assignment(floor: float, threshold: float = CHANGED_THRESHOLD) -> Rule:
    def rule(before: Sequence[Measure], after: Sequence[Measure]) -> set[tuple[int, int]]:
        index_before = {id(m): i for i, m in enumerate(before)}
        index_after = {id(m): j for j, m in enumerate(after)}
        return {
            (index_before[id(p.before)], index_after[id(p.after)])
            for p in pair_measures(before, after, threshold=threshold, floor=floor)
            if p.before and p.after
        }

    return rule


@dataclass(frozen=True)
class Errors:
    missed: int
    """True pairs not made (a rewording reported as dropped + new)."""
    wrong: int
    """Pairs made that are not true (two different measures reported as one)."""
    scenarios_wrong: int = 0

    @property
    def total(self) -> int:
        return self.missed + self.wrong


def pair_errors(rule: Rule, pairs: list[tuple[bool, str, str]]) -> Errors:
    """Each labelled pair as the only unmatched measures of one indicator."""
    made = [bool(rule([Measure((1,), a)], [Measure((1,), b)])) for _, a, b in pairs]
    return Errors(
        missed=sum(same and not m for (same, _, _), m in zip(pairs, made, strict=True)),
        wrong=sum(m and not same for (same, _, _), m in zip(pairs, made, strict=True)),
    )


def scenario_outcome(rule: Rule, scenario: Scenario) -> tuple[set[tuple[str, str]], Errors]:
    ids_before = [k for k, _ in scenario.before]
    ids_after = [k for k, _ in scenario.after]
    made = {
        (ids_before[i], ids_after[j])
        for i, j in rule([m for _, m in scenario.before], [m for _, m in scenario.after])
    }
    missed, wrong = len(scenario.truth - made), len(made - scenario.truth)
    return made, Errors(missed, wrong, int(bool(missed or wrong)))


def scenario_errors(rule: Rule, scenarios: list[Scenario]) -> Errors:
    outcomes = [scenario_outcome(rule, s)[1] for s in scenarios]
    return Errors(
        sum(e.missed for e in outcomes),
        sum(e.wrong for e in outcomes),
        sum(e.scenarios_wrong for e in outcomes),
    )


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


def print_similarities(pairs: list[tuple[bool, str, str]]) -> None:
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


def print_rules(pairs: list[tuple[bool, str, str]], scenarios: list[Scenario]) -> None:
    n_true = sum(len(s.truth) for s in scenarios)
    print(
        f"{'rule':52} {'pairs: missed':>13} {'wrong':>5} {'errors':>6}"
        f" {'scenarios: missed':>17} {'wrong':>5} {'errors':>6} {'wrong scen.':>11}"
    )
    rules: dict[str, Rule] = {
        f"today: greedy, >= {CHANGED_THRESHOLD:.2f}": greedy_today,
        f"assignment, >= {CHANGED_THRESHOLD:.2f}, no floor": assignment(CHANGED_THRESHOLD),
        f"new: assignment + floor {ALONE_FLOOR:.2f} (alone, mutually best)": assignment(
            ALONE_FLOOR
        ),
        f"(for reference) assignment, >= {ALONE_FLOOR:.2f} everywhere": assignment(
            ALONE_FLOOR, threshold=ALONE_FLOOR
        ),
    }
    for name, rule in rules.items():
        p, s = pair_errors(rule, pairs), scenario_errors(rule, scenarios)
        print(
            f"{name:52} {p.missed:13d} {p.wrong:5d} {p.total:6d}"
            f" {s.missed:17d} {s.wrong:5d} {s.total:6d} {s.scenarios_wrong:11d}"
        )
    print(
        f"({len(pairs)} pairs, {sum(same for same, _, _ in pairs)} same; "
        f"{len(scenarios)} scenarios, {n_true} true pairs)"
    )


def print_floors(pairs: list[tuple[bool, str, str]], scenarios: list[Scenario]) -> None:
    """Errors for a floor in each interval between two scores that could matter (a floor in
    (low, high] pairs what scores high and not what scores low)."""
    scores = {similarity(a, b) for _, a, b in pairs} | {
        similarity(a.text, b.text) for s in scenarios for _, a in s.before for _, b in s.after
    }
    cuts = sorted({s for s in scores if 0.3 <= s < CHANGED_THRESHOLD} | {0.3, CHANGED_THRESHOLD})
    rows = []
    for low, high in pairwise(cuts):
        floor = (low + high) / 2
        rule = assignment(floor)
        p, s = pair_errors(rule, pairs), scenario_errors(rule, scenarios)
        rows.append((low, high, p.total, s.total))
    runs: list[tuple[float, float, int, int]] = []
    for low, high, p_err, s_err in rows:
        if runs and runs[-1][2:] == (p_err, s_err):
            runs[-1] = (runs[-1][0], high, p_err, s_err)
        else:
            runs.append((low, high, p_err, s_err))
    print(f"{'floor in':>15} {'pairs':>6} {'scenarios':>9} {'sum':>4}")
    for low, high, p_err, s_err in runs:
        print(f"({low:.3f}, {high:.3f}] {p_err:6d} {s_err:9d} {p_err + s_err:4d}")
    fewest = min(p + s for _, _, p, s in runs)
    low, high, _, _ = max((r for r in runs if r[2] + r[3] == fewest), key=lambda r: r[1] - r[0])
    print(
        f"fewest errors ({fewest}) over the widest interval: floor in ({low:.3f}, {high:.3f}];"
        f" ALONE_FLOOR = {ALONE_FLOOR:.2f}"
    )


def print_details(pairs: list[tuple[bool, str, str]], scenarios: list[Scenario]) -> None:
    new = assignment(ALONE_FLOOR)
    print("char 3-gram Dice per pair, lowest 'same' and highest 'different' first")
    print("(today = paired at >= threshold; new = paired when alone: >= floor):")
    scored_pairs = [(same, similarity(a, b), a, b) for same, a, b in pairs]
    for same, s, a, b in sorted(scored_pairs, key=lambda p: (not p[0], p[1] if p[0] else -p[1])):
        today_ok = (s >= CHANGED_THRESHOLD) == same
        new_ok = bool(new([Measure((1,), a)], [Measure((1,), b)])) == same
        flags = ("" if today_ok else " today wrong") + ("" if new_ok else " new wrong")
        print(f"  {'same' if same else 'diff'} {s:.3f} {a[:26]} | {b[:26]}{flags}")
    print("\nscenarios (made pairs, with their similarity; true pairs marked *):")
    for scenario in scenarios:
        scores = {
            (kb, ka): similarity(b.text, a.text)
            for kb, b in scenario.before
            for ka, a in scenario.after
        }
        outcomes = []
        for label, rule in (("today", greedy_today), ("new", new)):
            made, errors = scenario_outcome(rule, scenario)
            shown = " ".join(
                f"{b}-{a}{'*' if (b, a) in scenario.truth else ''}:{scores[b, a]:.2f}"
                for b, a in sorted(made)
            )
            outcomes.append(f"{label} {'ok ' if not errors.total else 'ERR'} {shown or '-'}")
        truth = " ".join(f"{b}-{a}" for b, a in sorted(scenario.truth)) or "-"
        print(f"  {scenario.name:36} true {truth:12} | " + " | ".join(outcomes))


def main() -> None:
    pairs = load_pairs()
    scenarios = load_scenarios()
    n_same = sum(same for same, _, _ in pairs)
    print(f"{len(pairs)} labelled pairs: {n_same} same, {len(pairs) - n_same} different\n")
    print_similarities(pairs)
    print("\nPairing rules (errors = missed + wrong pairs):")
    print_rules(pairs, scenarios)
    print("\nThe floor for a pair alone in its indicator and mutually best:")
    print_floors(pairs, scenarios)
    print()
    print_details(pairs, scenarios)


if __name__ == "__main__":
    main()

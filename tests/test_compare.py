"""Year-on-year pairing, on the two sample years of สถ. and on labelled measure pairs.

The expected statuses were written by reading samples/dla_2566.txt and samples/dla_2567.html
side by side (2566: 13 measures; 2567: 15).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from conftest import ingest_into
from hypothesis import given
from hypothesis import strategies as st

from etl.transform.compare import (
    ALONE_FLOOR,
    CHANGED_THRESHOLD,
    Measure,
    Pair,
    measure_key,
    pair_measures,
    similarity,
    similarity_matrix,
    text_key,
)
from etl.transform.pipeline import extract_file
from loaders.queries import compare, open_store
from loaders.store import Store

SAMPLES = Path(__file__).parents[1] / "samples"
PAIRS = Path(__file__).parent / "data" / "measure_pairs.tsv"

# (status, indicator of the pair, start of the 2566 text, start of the 2567 text)
EXPECTED = [
    ("carried", "1", "กำหนดเครื่องมือให้บุคลากร", "กำหนดเครื่องมือให้บุคลากร"),
    ("changed", "1", "ส่งเสริมให้บุคลากรในสังกัด", "ส่งเสริมให้บุคลากรในสังกัด"),
    ("new", "1", None, "จัดทำประมวลจริยธรรม"),
    ("dropped", "1", "กำหนดคู่มือหรือแนวทางหรือหนังสือสั่งการ", None),
    ("carried", "2", "กำหนดให้มีการติดตามการดำเนินงาน", "กำหนดให้มีการติดตามการดำเนินงาน"),
    ("changed", "2", "ส่งเสริมการรับรู้วิธีการ", "ส่งเสริมการรับรู้วิธีการ"),
    ("carried", "3", "กำหนดกลไกในการใช้อำนาจผู้บริหารของ สถ.", "กำหนดกลไกในการใช้อำนาจผู้บริหารของกรม"),
    ("carried", "4", "กำหนดแนวทาง/คู่มือการใช้ ทรัพย์สิน", "กำหนดแนวทาง/คู่มือการใช้ทรัพย์สิน"),
    ("carried", "5", "กำหนดกลไกในการดำเนินงาน", "กำหนดกลไกในการดำเนินงาน"),
    ("new", "5", None, "จัดให้มีช่องทางการแจ้งเบาะแส"),
    ("carried", "6", "พัฒนาระบบการดำเนินงานที่", "พัฒนาระบบการดำเนินงานที่"),
    ("changed", "7", "กำหนดช่องทางผู้ใช้บริการ/ผู้มา", "กำหนดช่องทางให้ผู้ใช้บริการและ"),
    ("carried", "8", "มีการสำรวจความพึงพอใจ", "มีการสำรวจความพึงพอใจ"),
    ("carried", "9", "กำหนดทีมปฏิบัติงาน", "กำหนดทีมปฏิบัติงาน"),
    ("carried", "10", "ถอดบทเรียนการดำเนินงาน", "ถอดบทเรียนการดำเนินงาน"),
    ("new", "10", None, "เผยแพร่ผลการประเมิน ITA"),
]


def _measures(name: str) -> list[Measure]:
    doc = extract_file(SAMPLES / name)
    numbers = [tuple(i.number for i in e.indicators if i.number) for e in doc.entries]
    return [
        Measure(n, item.text, position)
        for position, (n, item) in enumerate(
            (n, item)
            for n, e in zip(numbers, doc.entries, strict=True)
            for item in e.items
            if item.role == "measure"
        )
    ]


def _summary(pairs: list[Pair]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (
            p.status,
            p.indicator_label,
            p.before.text if p.before else None,
            p.after.text if p.after else None,
        )
        for p in pairs
    ]


def _assert_expected(rows: list[tuple[str, str, str | None, str | None]]) -> None:
    assert len(rows) == len(EXPECTED)
    for (status, indicator, before, after), (e_status, e_indicator, e_before, e_after) in zip(
        rows, EXPECTED, strict=True
    ):
        assert (status, indicator) == (e_status, e_indicator), (before, after)
        assert (before is None) == (e_before is None) and (after is None) == (e_after is None)
        assert before is None or e_before is None or before.startswith(e_before)
        assert after is None or e_after is None or after.startswith(e_after)


def test_the_sample_years_pair_as_read() -> None:
    before, after = _measures("dla_2566.txt"), _measures("dla_2567.html")
    assert (len(before), len(after)) == (13, 15)
    pairs = pair_measures(before, after)
    _assert_expected(_summary(pairs))
    assert Counter(p.status for p in pairs) == {"carried": 9, "changed": 3, "new": 3, "dropped": 1}


def test_a_measure_moves_between_indicators() -> None:
    pairs = pair_measures(_measures("dla_2566.txt"), _measures("dla_2567.html"))
    moved = {
        p.after.indicators: p.before.indicators
        for p in pairs
        if p.status == "carried"
        and p.before
        and p.after
        and p.before.indicators != p.after.indicators
    }
    assert moved == {(9,): (9, 10), (10,): (9, 10)}


def test_measure_key_normalises_digits_abbreviations_spaces_and_numbers() -> None:
    assert text_key("ประจำปี ๒๕๖๖") == text_key("ประจำปี2566") == "ประจำปี2566"
    assert text_key("ของกรมส่งเสริมการปกครองท้องถิ่น ใน") == text_key("ของ สถ. ใน")
    assert text_key("ITA  ของ") == "itaของ"
    assert measure_key("ปี 2566 จำนวน ๘ ครั้ง") == measure_key("ปี 2567 จำนวน 12 ครั้ง")
    assert text_key("ร้อยละ 92.43") != text_key("ร้อยละ 94.10")


_EARLIER_SET = 48
"""The pairs the threshold was chosen on; the rows after them (issue 11, with a kind) include
rewordings below it, which only the floor for a lone pair can find (see the tests below)."""


def _labelled() -> list[tuple[bool, str, str, str]]:
    lines = [ln for ln in PAIRS.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return [
        (r["label"] == "same", r["before"], r["after"], r["source"])
        for r in csv.DictReader(lines, delimiter="\t")
    ]


def test_the_threshold_separates_the_labelled_pairs() -> None:
    pairs = _labelled()[:_EARLIER_SET]
    assert len(pairs) >= 30
    same = [similarity(a, b) for ok, a, b, _ in pairs if ok]
    different = [similarity(a, b) for ok, a, b, _ in pairs if not ok]
    # every rewording is found; at most 2 of the 23 hard negatives (topic word swapped in
    # the same template) score as high (docs/compare.md)
    assert min(same) >= CHANGED_THRESHOLD
    assert sum(s >= CHANGED_THRESHOLD for s in different) <= 2
    for ok, a, b, source in pairs:
        if source == "samples":
            assert (similarity(a, b) >= CHANGED_THRESHOLD) == ok, (a, b)


_thai = st.text(alphabet="กขคงจการทุจริตงบประมาณ สถ.๑๒3", min_size=1, max_size=30)


@given(
    st.lists(st.tuples(st.integers(1, 10), _thai), max_size=8),
    st.lists(st.tuples(st.integers(1, 10), _thai), max_size=8),
)
def test_every_measure_is_in_exactly_one_pair(
    before: list[tuple[int, str]], after: list[tuple[int, str]]
) -> None:
    b = [Measure((n,), t, i) for i, (n, t) in enumerate(before)]
    a = [Measure((n,), t, i) for i, (n, t) in enumerate(after)]
    pairs = pair_measures(b, a)
    assert sorted(id(p.before) for p in pairs if p.before) == sorted(id(m) for m in b)
    assert sorted(id(p.after) for p in pairs if p.after) == sorted(id(m) for m in a)
    for p in pairs:
        assert 0.0 <= p.similarity <= 1.0
        if p.status == "carried":
            assert p.before and p.after and measure_key(p.before.text) == measure_key(p.after.text)


@given(st.lists(st.tuples(st.integers(1, 10), _thai), max_size=8))
def test_a_year_against_itself_is_all_carried(year: list[tuple[int, str]]) -> None:
    measures = [Measure((n,), t, i) for i, (n, t) in enumerate(year)]
    assert {p.status for p in pair_measures(measures, measures)} <= {"carried"}


def test_compare_from_the_store(db_url: str, two_years: Path) -> None:
    with Store(db_url) as store:
        ingest_into(store, [two_years])
    with open_store(db_url) as store, store.reading() as c:
        comparison = compare(c, "สถ", 2023, 2024)  # CE years, abbreviation without the dot
        by_name = compare(c, "กรมส่งเสริมการปกครองท้องถิ่น", 2566, 2567)
    assert (comparison.agency, comparison.from_year, comparison.to_year) == ("สถ.", 2566, 2567)
    _assert_expected(_summary(comparison.pairs))
    assert comparison.to_dict() == by_name.to_dict()
    rows = comparison.to_dict()["measures"]
    assert set(rows[0]) >= {"indicator", "status", "from", "to", "similarity"}


@pytest.mark.parametrize("agency", ["ไม่มี", "อบต."])
def test_compare_names_an_unknown_agency(db_url: str, two_years: Path, agency: str) -> None:
    from schemas.errors import UsageError

    with Store(db_url) as store:
        ingest_into(store, [two_years])
    with open_store(db_url) as store, store.reading() as c, pytest.raises(UsageError):
        compare(c, agency, 2566, 2567)


# Issue 11: changed pairs by an optimal assignment, and a lower floor for a pair alone in its
# indicator and mutually best (docs/compare.md). Texts and true pairings were written by reading.

GROUPS = Path(__file__).parent / "data" / "measure_groups.tsv"

STAFF_MANUAL = "จัดทำคู่มือการปฏิบัติงานของเจ้าหน้าที่"
SERVICE_MANUAL = "จัดทำคู่มือการให้บริการประชาชน"
STAFF_MANUAL_PUBLISHED = "เผยแพร่คู่มือการปฏิบัติงานของเจ้าหน้าที่ทุกกระบวนงานบนเว็บไซต์"
SERVICE_MANUAL_WIDENED = "จัดทำคู่มือการให้บริการประชาชนและการปฏิบัติงานของเจ้าหน้าที่"
REGISTRATION = "ลดขั้นตอนและระยะเวลาการให้บริการจดทะเบียนพาณิชย์"
REGISTRATION_REWORDED = "ปรับลดขั้นตอนการให้บริการงานทะเบียนพาณิชย์ให้แล้วเสร็จภายในวันเดียว"
LAND_TAX = "ให้บริการรับชำระภาษีที่ดินและสิ่งปลูกสร้างนอกสถานที่"


def _by_status(pairs: list[Pair]) -> set[tuple[str, str | None, str | None]]:
    return {
        (p.status, p.before.text if p.before else None, p.after.text if p.after else None)
        for p in pairs
    }


def test_an_assignment_keeps_both_rewordings_where_the_best_single_pair_is_wrong() -> None:
    # the service manual now also covers staff work, so it is the staff manual's closest text:
    # taken first (greedy), it would leave the service manual dropped and the staff manual new
    assert similarity(STAFF_MANUAL, SERVICE_MANUAL_WIDENED) > max(
        similarity(STAFF_MANUAL, STAFF_MANUAL_PUBLISHED),
        similarity(SERVICE_MANUAL, SERVICE_MANUAL_WIDENED),
    )
    assert (
        min(
            similarity(STAFF_MANUAL, STAFF_MANUAL_PUBLISHED),
            similarity(SERVICE_MANUAL, SERVICE_MANUAL_WIDENED),
        )
        >= CHANGED_THRESHOLD
    )
    before = [Measure((1,), STAFF_MANUAL, 0), Measure((1,), SERVICE_MANUAL, 1)]
    after = [Measure((1,), STAFF_MANUAL_PUBLISHED, 0), Measure((1,), SERVICE_MANUAL_WIDENED, 1)]
    assert _by_status(pair_measures(before, after)) == {
        ("changed", STAFF_MANUAL, STAFF_MANUAL_PUBLISHED),
        ("changed", SERVICE_MANUAL, SERVICE_MANUAL_WIDENED),
    }


def test_a_lone_rewording_under_the_threshold_is_changed() -> None:
    score = similarity(REGISTRATION, REGISTRATION_REWORDED)
    assert ALONE_FLOOR <= score < CHANGED_THRESHOLD
    before, after = [Measure((6,), REGISTRATION)], [Measure((6,), REGISTRATION_REWORDED)]
    [pair] = pair_measures(before, after)
    assert (pair.status, pair.before, pair.after) == ("changed", before[0], after[0])
    assert pair.similarity == round(score, 4)
    # without the floor: the dropped + new that issue 11 reported
    assert _by_status(pair_measures(before, after, floor=CHANGED_THRESHOLD)) == {
        ("dropped", REGISTRATION, None),
        ("new", None, REGISTRATION_REWORDED),
    }
    # a floor above the threshold changes nothing
    assert pair_measures(before, after, floor=0.9, threshold=0.5)[0].status == "changed"


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(("after", (6,)), id="another new measure in the indicator"),
        pytest.param(("before", (6,)), id="another dropped measure in the indicator"),
        pytest.param(("after", (6, 7)), id="another new measure filed under 6 and 7"),
    ],
)
def test_the_floor_needs_the_pair_alone_in_its_indicator(
    other: tuple[str, tuple[int, ...]],
) -> None:
    side, indicators = other
    before = [Measure((6,), REGISTRATION, 0)]
    after = [Measure((6,), REGISTRATION_REWORDED, 0)]
    (after if side == "after" else before).append(Measure(indicators, LAND_TAX, 1))
    statuses = _by_status(pair_measures(before, after))
    assert ("dropped", REGISTRATION, None) in statuses
    assert ("new", None, REGISTRATION_REWORDED) in statuses


def test_a_measure_filed_under_two_indicators_is_alone_only_if_both_are_clear() -> None:
    before = [Measure((6, 7), REGISTRATION, 0)]
    after = [Measure((6,), REGISTRATION_REWORDED, 0), Measure((7,), LAND_TAX, 1)]
    assert ("new", None, REGISTRATION_REWORDED) in _by_status(pair_measures(before, after))
    alone = pair_measures(before, after[:1])
    assert [p.status for p in alone] == ["changed"]


def test_the_floor_needs_the_pair_mutually_best() -> None:
    # the complaint channels moved from indicator 5 to 7 and widened; indicator 5 got a new
    # fact-finding measure, alone there with last year's channels but not their closest text
    channels = Measure((5,), "จัดให้มีช่องทางการร้องเรียนการทุจริตทางโทรศัพท์และเว็บไซต์", 0)
    widened = Measure(
        (7,), "จัดให้มีช่องทางร้องเรียนการทุจริตที่หลากหลาย ทั้งทางโทรศัพท์ เว็บไซต์ และไลน์ของหน่วยงาน", 0
    )
    fact_finding = Measure((5,), "จัดทำแนวทางการตรวจสอบข้อเท็จจริงเมื่อมีเรื่องร้องเรียนการทุจริต", 1)
    low_floor = similarity(channels.text, fact_finding.text) - 0.01
    assert low_floor > 0
    pairs = pair_measures([channels], [widened, fact_finding], floor=low_floor)
    assert _by_status(pairs) == {
        ("changed", channels.text, widened.text),
        ("new", None, fact_finding.text),
    }
    # the same texts filed twice this year: neither is strictly the closest, so no floor pair
    twice = [Measure((6,), REGISTRATION_REWORDED, 0), Measure((8,), REGISTRATION_REWORDED, 1)]
    assert {p.status for p in pair_measures([Measure((6,), REGISTRATION)], twice)} == {
        "dropped",
        "new",
    }


@given(st.lists(_thai, max_size=6), st.lists(_thai, max_size=6))
def test_the_similarity_matrix_is_the_similarity_of_each_pair(
    before: list[str], after: list[str]
) -> None:
    matrix = similarity_matrix([measure_key(t) for t in before], [measure_key(t) for t in after])
    assert matrix.shape == (len(before), len(after))
    for i, a in enumerate(before):
        for j, b in enumerate(after):
            assert matrix[i, j] == similarity(a, b)


_indicators = st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True).map(tuple)
# measures built from a few words of the register, sharing words as one template's measures do
_wording = st.lists(
    st.sampled_from(["จัดทำ", "คู่มือ", "การป้องกัน", "การทุจริต", "งบประมาณ", "ของ สถ.", " ๒"]),
    min_size=1,
    max_size=6,
).map("".join)


@given(
    st.lists(st.tuples(_indicators, _wording), max_size=6),
    st.lists(st.tuples(_indicators, _wording), max_size=6),
)
def test_rows_under_two_indicators_pair_once_and_changed_pairs_clear_their_bar(
    before: list[tuple[tuple[int, ...], str]], after: list[tuple[tuple[int, ...], str]]
) -> None:
    b = [Measure(n, t, i) for i, (n, t) in enumerate(before)]
    a = [Measure(n, t, i) for i, (n, t) in enumerate(after)]
    pairs = pair_measures(b, a)
    assert sorted(id(p.before) for p in pairs if p.before) == sorted(id(m) for m in b)
    assert sorted(id(p.after) for p in pairs if p.after) == sorted(id(m) for m in a)
    for p in pairs:
        if p.status == "changed" and p.before and p.after:
            assert similarity(p.before.text, p.after.text) >= ALONE_FLOOR
            if similarity(p.before.text, p.after.text) < CHANGED_THRESHOLD:
                assert set(p.before.indicators) & set(p.after.indicators)


Scenario = tuple[list[tuple[str, Measure]], list[tuple[str, Measure]], set[tuple[str, str]]]


def _scenarios() -> dict[str, Scenario]:
    lines = [ln for ln in GROUPS.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    scenarios: dict[str, Scenario] = {}
    for position, r in enumerate(csv.DictReader(lines, delimiter="\t")):
        before, after, truth = scenarios.setdefault(r["scenario"], ([], [], set()))
        measure = Measure(tuple(int(n) for n in r["indicators"].split("+")), r["text"], position)
        (before if r["side"] == "before" else after).append((r["id"], measure))
        if r["side"] == "before" and r["partner"]:
            truth.add((r["id"], r["partner"]))
    return scenarios


def _made(
    before: list[tuple[str, Measure]], after: list[tuple[str, Measure]], floor: float
) -> set[tuple[str, str]]:
    name = {id(m): key for key, m in before + after}
    pairs = pair_measures([m for _, m in before], [m for _, m in after], floor=floor)
    return {(name[id(p.before)], name[id(p.after)]) for p in pairs if p.before and p.after}


# Scenarios the rule still gets wrong, and why (benchmarks/compare_threshold.py prints them).
KNOWN_WRONG = {
    "replaced-alone-quarterly-report": "a replacement in the same template scores 0.62",
    "replaced-alone-team": "a lone replacement in the same template scores 0.55 (floor 0.50)",
    "replaced-alone-inspection": "a lone replacement in the same template scores 0.58",
    "health-office-two-rewordings": "สสอ. written out and the measure renamed: 0.30",
    "two-disclosures-reworded": "the lone rewording scores 0.48, under the floor",
    "rewording-alone-ita-term": "ITA written out (terms are not contracted): 0.44",
    "rewording-alone-questions": "reworded almost throughout: 0.32",
}


def test_the_labelled_scenarios_pair_as_read() -> None:
    scenarios = _scenarios()
    assert len(scenarios) >= 20 and set(KNOWN_WRONG) <= set(scenarios)
    for name, (before, after, truth) in scenarios.items():
        if name not in KNOWN_WRONG:
            assert _made(before, after, ALONE_FLOOR) == truth, name


def test_the_floor_makes_fewer_errors_on_the_enlarged_labelled_set() -> None:
    """Each labelled pair as the only unmatched measures of its indicator, and each scenario
    whole: the floor finds more rewordings than it makes wrong pairs."""
    pairs = _labelled()
    assert len(pairs) - _EARLIER_SET >= 30

    def errors(floor: float) -> int:
        wrong_pairs = sum(
            (
                pair_measures([Measure((1,), a)], [Measure((1,), b)], floor=floor)[0].status
                in ("carried", "changed")
            )
            != same
            for same, a, b, _ in pairs
        )
        wrong_scenarios = sum(
            len(_made(before, after, floor) ^ truth)
            for before, after, truth in _scenarios().values()
        )
        return wrong_pairs + wrong_scenarios

    assert errors(ALONE_FLOOR) < errors(CHANGED_THRESHOLD)

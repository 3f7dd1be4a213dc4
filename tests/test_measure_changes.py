"""Stored comparisons (measure_changes): kept current by ingest, equal however the reports
were loaded, rebuilt by a command; compare --all and version-to-version diffs.

Expected statuses are those docs/compare.md read from the two สถ. reports: 9 carried,
3 changed, 3 new, 1 dropped. The edited copies below change one known sentence.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, ingest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from etl.app.cli import app
from etl.app.database import Database
from loaders.db import resolve_url

runner = CliRunner()
REWORDED = "ถอดบทเรียนการดำเนินงาน เพื่อกำหนดแนวทางการดำเนินงานของ สถ."
"""A measure of 2567 (indicator 10) carried from 2566's row for 9 and 10."""


def edited_copy(source: Path, folder: Path, old: str, new: str, name: str) -> Path:
    """``source`` with one passage replaced (it must be there)."""
    content = source.read_text(encoding="utf-8")
    assert content.count(old) == 1, old
    path = folder / name
    path.write_text(content.replace(old, new), encoding="utf-8")
    return path


def stored(url: str) -> list[tuple[Any, ...]]:
    """measure_changes without ids, in its order."""
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT agency_key, from_year_be, to_year_be, position, status, indicator, "
                    "from_indicator, to_indicator, similarity, from_text, to_text "
                    "FROM measure_changes ORDER BY agency_key, from_year_be, position"
                )
            )
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_stored_pairs_are_the_comparison(db_url: str, two_years: Path) -> None:
    ingest(db_url, [two_years], workers=0)
    with Database(db_url) as database:
        rows = database.changes().records
        comparison = database.compare("สถ.", 2566, 2567)
    assert Counter(r["status"] for r in rows) == {
        "carried": 9,
        "changed": 3,
        "new": 3,
        "dropped": 1,
    }
    assert [
        (r["indicator"], r["status"], r["from_text"], r["to_text"], r["similarity"]) for r in rows
    ] == [
        (p["indicator"], p["status"], p["from"], p["to"], p["similarity"])
        for p in comparison.rows()
    ]
    assert {(r["agency_key"], r["agency"], r["from_year_be"], r["to_year_be"]) for r in rows} == {
        ("สถ.", "กรมส่งเสริมการปกครองท้องถิ่น", 2566, 2567)
    }
    new = [r for r in rows if r["status"] == "new"]
    assert all(r["from_item_id"] is None and r["to_item_id"] for r in new)


def test_the_same_rows_however_the_reports_were_loaded(
    fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    """One run of everything; one ingest per report in the order named; the later year
    first. The rows depend only on what is current."""
    files = [SAMPLES / n for n in ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")]
    together, one_by_one, reversed_ = fresh_db(), fresh_db(), fresh_db()
    ingest(together, files, workers=0)
    for file in files:
        ingest(one_by_one, [file], workers=0)
    for file in reversed(files):
        ingest(reversed_, [file], workers=0)
    rows = stored(together)
    assert len(rows) == 16  # สถ. 2566 → 2567; อบต.หนองบัว has one year: nothing to pair
    assert stored(one_by_one) == rows
    assert stored(reversed_) == rows


def test_a_new_version_is_paired_and_the_old_one_dropped(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, [SAMPLES / "dla_2566.txt", SAMPLES / "dla_2567.html"], workers=0)
    second = edited_copy(
        SAMPLES / "dla_2567.html", tmp_path, REWORDED, REWORDED + " ทุกไตรมาส", "dla_2567_v2.html"
    )
    summary = ingest(db_url, [second], workers=0, keep_results=True)
    assert [r.status for r in summary.results] == ["updated"]
    engine = create_engine(resolve_url(db_url))
    try:
        with engine.connect() as c:
            superseded = c.execute(
                text("SELECT id FROM reports WHERE superseded AND fiscal_year_be = 2567")
            ).scalar_one()
            refer = c.execute(
                text("SELECT count(*) FROM measure_changes WHERE to_report_id = :r"),
                {"r": superseded},
            ).scalar_one()
    finally:
        engine.dispose()
    assert refer == 0
    rows = stored(db_url)
    assert Counter(r[4] for r in rows) == {"carried": 8, "changed": 4, "new": 3, "dropped": 1}
    [edited] = [r for r in rows if r[10] == REWORDED + " ทุกไตรมาส"]
    assert (edited[4], edited[5], edited[6], edited[7]) == ("changed", "10", "9+10", "10")

    with Database(db_url) as database:
        versions = database.compare_versions("สถ.", 2567)
    assert (versions.from_version, versions.to_version) == (1, 2)
    assert versions.counts() == {"carried": 14, "changed": 1, "new": 0, "dropped": 0}
    [changed] = [p for p in versions.rows() if p["status"] == "changed"]
    assert (changed["from"], changed["to"]) == (REWORDED, REWORDED + " ทุกไตรมาส")


def test_a_year_loaded_between_two_others(db_url: str, tmp_path: Path) -> None:
    """2565 and 2567 are paired while 2566 is missing; loading 2566 pairs 2565 → 2566 and
    2566 → 2567 instead."""
    earlier = edited_copy(
        SAMPLES / "dla_2566.txt",
        tmp_path,
        "ประจำปีงบประมาณ พ.ศ. ๒๕๖๖\n",
        "ประจำปีงบประมาณ พ.ศ. ๒๕๖๕\n",
        "dla_2565.txt",
    )
    ingest(db_url, [earlier, SAMPLES / "dla_2567.html"], workers=0)
    assert {(r[1], r[2]) for r in stored(db_url)} == {(2565, 2567)}
    ingest(db_url, [SAMPLES / "dla_2566.txt"], workers=0)
    rows = stored(db_url)
    assert {(r[1], r[2]) for r in rows} == {(2565, 2566), (2566, 2567)}
    # 2565 is 2566's text with another year in the title: every measure carried
    assert {r[4] for r in rows if r[1] == 2565} == {"carried"}
    assert Counter(r[4] for r in rows if r[1] == 2566)["carried"] == 9


def test_rebuild_derives_the_same_rows(db_url: str, two_years: Path) -> None:
    ingest(db_url, [two_years], workers=0)
    before = stored(db_url)
    engine = create_engine(resolve_url(db_url))
    try:
        with engine.begin() as c:
            c.execute(text("DELETE FROM measure_changes"))
            c.execute(text("UPDATE items SET unit_name = NULL"))
    finally:
        engine.dispose()
    with Database(db_url) as database:
        rebuilt = database.rebuild()
        units = database.measure_details(agency="สถ.", fiscal_year=2567).records
    assert rebuilt.measure_changes == len(before) == 16
    assert rebuilt.units == 13 + 15  # unit items: 13 in 2566's cells, 15 rows of 2567
    assert stored(db_url) == before
    assert all(r["unit_names"] for r in units)


def test_compare_all_and_compare_versions_on_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    files = [SAMPLES / n for n in ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")]
    ingest(db, files, workers=0)
    table = runner.invoke(app, ["compare", "--all", "--db", db])
    assert table.exit_code == 0, table.output
    assert "16 pairs of measures, 1 agency" in table.stdout
    as_csv = runner.invoke(app, ["compare", "--all", "--db", db, "-f", "csv", "--from", "2566"])
    lines = as_csv.stdout.splitlines()
    assert lines[0].startswith("agency_key,agency,from_year_be,to_year_be,indicator,status")
    assert len(lines) == 1 + 16
    none = runner.invoke(app, ["compare", "--all", "--db", db, "-f", "json", "--to", "2566"])
    assert json.loads(none.stdout) == []

    no_versions = runner.invoke(app, ["compare", "-a", "สถ.", "--year", "2567", "--db", db])
    assert no_versions.exit_code == 64
    assert "สถ.'s 2567 report has one version (1): nothing to compare" in no_versions.stderr
    both = runner.invoke(
        app, ["compare", "-a", "สถ.", "--year", "2567", "--from", "2566", "--db", db]
    )
    assert both.exit_code == 64
    alone = runner.invoke(app, ["compare", "--from", "2566", "--to", "2567", "--db", db])
    assert alone.exit_code == 64 and "--agency" in alone.stderr


@pytest.mark.parametrize("order", ["one run", "one by one"])
def test_the_quick_start_comparison_is_unchanged(order: str, tmp_path: Path) -> None:
    """README's quick start prints the same comparison it always did."""
    db = str(tmp_path / "ita.db")
    if order == "one run":
        ingest(db, [SAMPLES], workers=0)
    else:
        for name in ("dla_2566.txt", "dla_2567.html"):
            ingest(db, [SAMPLES / name], workers=0)
    result = runner.invoke(
        app, ["compare", "--agency", "สถ.", "--from", "2566", "--to", "2567", "--db", db]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "สถ. กรมส่งเสริมการปกครองท้องถิ่น: 2566 → 2567"
    statuses = Counter(word for line in result.stdout.splitlines() for word in line.split("│")[2:3])
    assert {k.strip(): v for k, v in statuses.items() if k.strip()} == {
        "carried": 9,
        "changed": 3,
        "new": 3,
        "dropped": 1,
    }

"""Loading into SQLite and PostgreSQL: idempotent, versioned, one transaction per document.

Expected counts come from reading the samples: dla_2566.txt has 9 table rows (entries) with
13 measures; dla_2567.html has 15 rows, one measure each.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ingest_into
from sqlalchemy import event, func, select, text

from etl.orchestrate.parse import parse_source
from etl.orchestrate.sources import enumerate_sources
from etl.transform import pipeline
from loaders.content import agency_key, content_sha256
from loaders.models import Base, items, reports, sources
from loaders.store import Store
from schemas.errors import UsageError
from schemas.records import Report

SAMPLES = Path(__file__).parents[1] / "samples"

TABLES = [t.name for t in Base.metadata.sorted_tables]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        yield s


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def statuses(summary: Any) -> list[str]:
    return [r.status for r in summary.results]


def test_ingest_twice_changes_nothing(store: Store, two_years: Path) -> None:
    first = ingest_into(store, [two_years])
    assert statuses(first) == ["new", "new"]
    after_first = counts(store)
    assert after_first["reports"] == 2
    assert after_first["entries"] == 9 + 15
    with store.engine.connect() as c:
        measures = c.execute(select(func.count()).where(items.c.role == "measure")).scalar()
    assert measures == 13 + 15

    second = ingest_into(store, [two_years])
    assert statuses(second) == ["unchanged", "unchanged"]
    assert counts(store) == after_first


def test_the_same_report_in_another_format_is_one_version(store: Store, tmp_path: Path) -> None:
    for name in ("dla_2566.txt", "dla_2566.html"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    summary = ingest_into(store, [tmp_path / "dla_2566.txt", tmp_path / "dla_2566.html"])
    assert statuses(summary) == ["new", "duplicate"]
    c = counts(store)
    assert (c["sources"], c["reports"], c["entries"]) == (2, 1, 9)
    with store.engine.connect() as conn:
        linked = conn.execute(select(sources.c.report_id).order_by(sources.c.id)).scalars().all()
    assert linked[0] == linked[1] is not None


def test_a_changed_file_becomes_a_new_version_and_the_old_is_kept(
    store: Store, two_years: Path
) -> None:
    ingest_into(store, [two_years])
    before = counts(store)
    report = two_years / "dla_2567.html"
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "จัดให้มีช่องทางการแจ้งเบาะแส", "จัดให้มีช่องทางการรับแจ้งเบาะแส"
        ),
        encoding="utf-8",
    )
    summary = ingest_into(store, [two_years])
    assert statuses(summary) == ["unchanged", "updated"]
    assert summary.results[1].version == 2
    after = counts(store)
    assert after["reports"] == before["reports"] + 1
    # the old version keeps all its rows; 2567 has 15 rows, row 1 with two results
    assert after["items"] == before["items"] + 15 + 16 + 15 + 15
    with store.engine.connect() as c:
        versions = c.execute(
            select(reports.c.version, reports.c.superseded)
            .where(reports.c.fiscal_year_be == 2567)
            .order_by(reports.c.version)
        ).all()
        current = c.execute(
            text("SELECT text FROM measures WHERE fiscal_year_be = 2567 AND indicators = '5'")
        ).scalars()
        assert sorted(current)[1].startswith("จัดให้มีช่องทางการรับแจ้งเบาะแส")
    assert [tuple(v) for v in versions] == [(1, True), (2, False)]


def test_a_failing_document_is_recorded_and_the_batch_goes_on(
    store: Store, two_years: Path
) -> None:
    (two_years / "empty.txt").write_bytes(b"")
    (two_years / "minutes.md").write_text("# minutes\n\nno table here\n", encoding="utf-8")
    summary = ingest_into(store, [two_years])
    assert summary.counts["new"] == 2
    assert summary.counts["failed"] == 2
    with store.engine.connect() as c:
        failed = c.execute(
            select(sources.c.path, sources.c.stage, sources.c.error_type, sources.c.error)
            .where(sources.c.status == "failed")
            .order_by(sources.c.path)
        ).all()
    assert [Path(f.path).name for f in failed] == ["empty.txt", "minutes.md"]
    assert failed[0].stage == "input" and failed[0].error_type == "EmptyInputError"
    assert failed[0].error == "the file is empty"
    # rejected input is not parsed again: reported failed, nothing written
    before = counts(store)
    again = ingest_into(store, [two_years])
    assert again.counts["failed_before"] == 2 and again.counts["unchanged"] == 2
    assert again.counts["failed"] == 0 and again.failed == []
    assert counts(store) == before


class Interrupt(RuntimeError):
    """Raised from inside a loading transaction, as a crash would."""


def test_an_interrupted_document_leaves_no_rows_and_loads_on_a_rerun(
    store: Store, two_years: Path
) -> None:
    state = {"after_items": False, "rows": 0, "counting": False, "crashed": False}

    def crash_after_items(
        conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        """Once the report's row is in, count the item rows the transaction holds before each
        statement; crash at 20. (On PostgreSQL the rows go in by COPY, which SQLAlchemy does
        not see: the statements after it see the rows.)"""
        if state["counting"] or state["crashed"]:
            return
        if statement.lstrip().upper().startswith("INSERT INTO REPORTS"):
            state["after_items"] = True
        elif state["after_items"]:
            state["counting"] = True
            try:
                state["rows"] = conn.exec_driver_sql("SELECT count(*) FROM items").scalar()
            finally:
                state["counting"] = False
            if state["rows"] >= 20:
                state["crashed"] = True
                raise Interrupt(f"injected after {state['rows']} item rows")

    event.listen(store.engine, "before_cursor_execute", crash_after_items)
    try:
        summary = ingest_into(store, [two_years / "dla_2566.txt"])
    finally:
        event.remove(store.engine, "before_cursor_execute", crash_after_items)
    assert state["rows"] == 13 + 21 + 9 + 13  # all of the seed's items were in, then undone
    assert statuses(summary) == ["failed"]
    assert "Interrupt" in (summary.results[0].reason or "")
    c = counts(store)
    assert {t: c[t] for t in ("reports", "entries", "items", "refs", "agencies")} == dict.fromkeys(
        ("reports", "entries", "items", "refs", "agencies"), 0
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(sources.c.status, sources.c.stage)).one()
    assert tuple(row) == ("failed", "load")

    rerun = ingest_into(store, [two_years / "dla_2566.txt"])
    assert statuses(rerun) == ["new"]
    c = counts(store)
    assert (c["sources"], c["reports"], c["entries"]) == (1, 1, 9)


def test_a_new_parser_version_parses_again(
    store: Store, two_years: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_into(store, [two_years])
    before = counts(store)
    monkeypatch.setattr(pipeline, "PARSER_VERSION", "1.0+test")
    summary = ingest_into(store, [two_years])
    # same records from the new parser: recorded as another source of the same versions
    assert statuses(summary) == ["duplicate", "duplicate"]
    after = counts(store)
    assert after["sources"] == before["sources"] + 2
    assert {k: v for k, v in after.items() if k != "sources"} == {
        k: v for k, v in before.items() if k != "sources"
    }


def test_parse_source_never_raises(tmp_path: Path) -> None:
    missing = parse_source(tmp_path / "missing.pdf")
    assert missing.document is None and missing.stage == "input"
    assert missing.error == "cannot read the file: No such file or directory"
    (tmp_path / "zip.pdf").write_bytes(b"PK\x03\x04rest")
    rejected = parse_source(tmp_path / "zip.pdf")
    assert rejected.stage == "input" and rejected.error_type == "CorruptDocumentError"
    ok = parse_source(SAMPLES / "dla_2567.html")
    assert ok.document is not None and ok.document.report.fiscal_year_be == 2567


def test_enumerate_sources_takes_files_folders_and_globs(two_years: Path) -> None:
    (two_years / "sub").mkdir()
    (two_years / "sub" / "x.md").write_text("x", encoding="utf-8")
    (two_years / "script.py").write_text("", encoding="utf-8")
    (two_years / "README.md").write_text("| a | b |\n|---|---|\n", encoding="utf-8")
    (two_years / "sub" / "MANIFEST.tsv").write_text("a\tb\tc\n", encoding="utf-8")
    names = [p.name for p in enumerate_sources([two_years])]
    assert names == ["dla_2566.txt", "dla_2567.html", "x.md"]
    assert [p.name for p in enumerate_sources([str(two_years / "*.html")])] == ["dla_2567.html"]
    assert len(enumerate_sources([two_years, two_years / "dla_2566.txt"])) == 3
    assert [p.name for p in enumerate_sources([two_years / "README.md"])] == ["README.md"]
    with pytest.raises(UsageError):
        enumerate_sources([two_years / "nothing-*.pdf"])
    with pytest.raises(UsageError):
        enumerate_sources([two_years / "missing.txt"])


def test_agency_key_is_the_abbreviation_for_a_name_or_an_abbreviation() -> None:
    assert agency_key(Report(None, "กรมส่งเสริมการปกครองท้องถิ่น", None, 2567, 2024)) == "สถ."
    assert agency_key(Report(None, None, "สถ.", 2567, 2024)) == "สถ."
    assert agency_key(Report(None, "องค์การบริหารส่วนตำบลบ้าน ใหม่", None, 2567, 2024)) == ("อบต.บ้านใหม่")
    assert agency_key(Report(None, None, None, 2567, 2024)) is None


def test_content_hash_ignores_format_and_layout_but_not_figures() -> None:
    text_doc = pipeline.extract_file(SAMPLES / "dla_2566.txt")
    html_doc = pipeline.extract_file(SAMPLES / "dla_2566.html")
    assert text_doc.source.sha256 != html_doc.source.sha256
    assert content_sha256(text_doc) == content_sha256(html_doc)
    assert content_sha256(text_doc) != content_sha256(
        pipeline.extract_file(SAMPLES / "dla_2567.html")
    )

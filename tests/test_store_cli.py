"""The store's commands end to end: exit statuses, the failure lines on stderr, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.app.cli import app
from loaders import migrate

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_ingest_compare_search_status_export(db: str, two_years: Path, tmp_path: Path) -> None:
    (two_years / "broken.html").write_text("<html><body>ไม่มีตาราง</body></html>", "utf-8")
    result = runner.invoke(app, ["ingest", str(two_years), "--db", db])
    assert result.exit_code == 1
    assert f"{two_years / 'broken.html'}: " in result.stderr
    assert "2 new, 0 updated, 0 unchanged, 0 duplicate" in result.stdout
    assert "1 failed" in result.stdout

    again = runner.invoke(app, ["ingest", str(two_years / "dla_2566.txt"), "--db", db, "-q"])
    assert again.exit_code == 0 and "1 unchanged" in again.stdout

    compared = runner.invoke(
        app,
        ["compare", "--agency", "สถ.", "--from", "2566", "--to", "2567", "--db", db, "-f", "json"],
    )
    assert compared.exit_code == 0, compared.output
    data = json.loads(compared.stdout)
    assert (data["agency"], data["from"], data["to"]) == ("สถ.", 2566, 2567)
    assert [m["status"] for m in data["measures"]].count("carried") == 9

    as_csv = runner.invoke(
        app, ["compare", "-a", "สถ.", "--from", "2023", "--to", "2024", "--db", db, "-f", "csv"]
    )
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.stdout.splitlines()[0] == "indicator,status,from,to,similarity"
    assert len(as_csv.stdout.splitlines()) == 1 + 16

    found = runner.invoke(app, ["search", "งบ", "--db", db, "-f", "json"])
    assert found.exit_code == 0 and json.loads(found.stdout)

    listed = runner.invoke(app, ["status", "--db", db, "--failed", "-f", "json"])
    rows = json.loads(listed.stdout)
    assert [Path(r["path"]).name for r in rows] == ["broken.html"]
    assert rows[0]["stage"] == "input"

    out = tmp_path / "export"
    exported = runner.invoke(app, ["export", "--db", db, "-f", "csv", "-o", str(out)])
    assert exported.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "indicator_coverage.csv",
        "measure_changes.csv",
        "measure_details.csv",
        "measures.csv",
        "report_summary.csv",
    ]

    current = runner.invoke(app, ["db", "current", "--db", db])
    head = migrate.head()
    assert f"at revision {head}, newest {head}" in current.stdout


def test_errors_have_their_exit_statuses(db: str, two_years: Path) -> None:
    assert runner.invoke(app, ["ingest", "no/such/file.pdf", "--db", db]).exit_code == 64
    missing = runner.invoke(app, ["compare", "-a", "สถ.", "--from", "1", "--to", "2", "--db", db])
    assert missing.exit_code == 3 and "no database" in missing.stderr
    runner.invoke(app, ["ingest", str(two_years), "--db", db])
    unknown = runner.invoke(
        app, ["compare", "-a", "ไม่มี", "--from", "2566", "--to", "2567", "--db", db]
    )
    assert unknown.exit_code == 64
    no_year = runner.invoke(
        app, ["compare", "-a", "สถ.", "--from", "2560", "--to", "2567", "--db", db]
    )
    assert no_year.exit_code == 64 and "years loaded: 2566, 2567" in no_year.stderr
    assert runner.invoke(app, ["db", "upgrade", "--db", "notaurl://x"]).exit_code != 0


def test_the_database_comes_from_the_environment(
    two_years: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ITA_ETL_DB", str(tmp_path / "env.db"))
    assert runner.invoke(app, ["ingest", str(two_years)]).exit_code == 0
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("ITA_ETL_DB")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (tmp_path / "ita.db").exists()


def test_a_database_in_a_missing_folder_is_one_clear_line(two_years: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "ita.db"
    result = runner.invoke(app, ["ingest", str(two_years), "--db", str(missing)])
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"error: {missing}: cannot create the database: {missing.parent} does not exist"
    )

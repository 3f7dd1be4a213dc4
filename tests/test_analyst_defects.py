"""The defects an analyst's trial found (issue 12), one regression test each.

Expected values come from the sample documents: samples/dla_2567.html has 15 measures (one
per row of its table); the cells holding ทุจริต are counted in test_analyst_search.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import ingest
from typer.testing import CliRunner

from etl.app import api
from etl.app.cli import app
from etl.transform.normalise.dates import year_to_be
from schemas.errors import UsageError

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
runner = CliRunner()


@pytest.fixture
def loaded(tmp_path: Path, two_years: Path) -> str:
    db = str(tmp_path / "trial.db")
    ingest(db, [two_years], workers=0)
    return db


# 1. etl.measures(fiscal_year='2567') raised a raw TypeError


def test_fiscal_year_as_text(loaded: str) -> None:
    assert len(api.measures(loaded, fiscal_year="2567")) == 15  # type: ignore[arg-type]
    assert len(api.measures(loaded, fiscal_year="๒๕๖๗")) == 15  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not a fiscal year"):
        api.measures(loaded, fiscal_year="next year")  # type: ignore[arg-type]


# 2. --agency given twice kept the last; a part of a name matched while it was unique


def test_agency_given_twice_is_refused(loaded: str) -> None:
    twice = ["compare", "-a", "สถ.", "-a", "อบต.หนองบัว", "--from", "2566", "--to", "2567"]
    result = runner.invoke(app, [*twice, "--db", loaded])
    assert result.exit_code == 64
    assert "--agency once" in result.stderr


def test_agency_part_of_a_name_lists_candidates(loaded: str) -> None:
    result = runner.invoke(
        app, ["compare", "-a", "กรม", "--from", "2566", "--to", "2567", "--db", loaded]
    )
    assert result.exit_code == 64
    assert "'กรม' matches no agency" in result.stderr
    assert "สถ. (กรมส่งเสริมการปกครองท้องถิ่น)" in result.stderr  # the candidate, named


# 3. search showed no total and printed an empty table on no hits


def test_search_shows_the_total_and_says_when_nothing_matches(loaded: str) -> None:
    found = runner.invoke(app, ["search", "ทุจริต", "-n", "2", "--db", loaded])
    assert found.exit_code == 0
    assert re.search(r"^2 of (\d+) items", found.stdout, re.M), found.stdout
    nothing = runner.invoke(app, ["search", "ไม่มีข้อความนี้", "--db", loaded])
    assert nothing.exit_code == 0
    assert "no item contains 'ไม่มีข้อความนี้'" in nothing.stderr
    assert "┏" not in nothing.stdout  # no empty table
    as_json = runner.invoke(app, ["search", "ไม่มีข้อความนี้", "-f", "json", "--db", loaded])
    assert json.loads(as_json.stdout) == []


# 4. export --view items did not list the views; export/ not ignored; no --version; a rate
#    of sources/s when nothing was parsed


def test_export_unknown_view_lists_every_view(loaded: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--view", "items", "-o", str(tmp_path), "--db", loaded])
    assert result.exit_code == 64
    for view in ("measures", "report_summary", "measure_details", "indicator_coverage"):
        assert view in result.stderr
    assert "measure_changes" in result.stderr


def test_export_folder_is_ignored_by_git() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/export/" in lines


def test_version_option() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ita-etl {version('ita-etl')}")


def test_nothing_parsed_prints_no_rate(loaded: str, two_years: Path) -> None:
    again = runner.invoke(app, ["ingest", str(two_years), "--db", loaded, "--workers", "0"])
    assert again.exit_code == 0
    assert "2 unchanged" in again.stdout
    assert "/s" not in again.stdout
    assert "nothing parsed" in again.stdout


# 5. the documents said what the code does not do


def _python_example(markdown: str) -> tuple[str, str]:
    """The paragraph before api.md's example code block, and the code."""
    found = re.search(r"## Example\n\n(.*?)\n\n```python\n(.*?)```", markdown, re.S)
    assert found, "api.md has an example"
    return found.group(1), found.group(2)


def test_api_md_example_says_where_it_runs(tmp_path: Path) -> None:
    """The example reads samples/: its introduction must say so, and it must then run there
    (a copy of samples/ in an otherwise empty folder)."""
    intro, code = _python_example((DOCS / "api.md").read_text(encoding="utf-8"))
    assert "samples/" in code
    assert "samples/" in intro, intro
    (tmp_path / "samples").mkdir()
    for name in ("dla_2566.txt", "dla_2566.html", "dla_2567.html"):
        (tmp_path / "samples" / name).write_bytes((ROOT / "samples" / name).read_bytes())
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "3 sources: 2 new, 0 updated, 0 unchanged, 1 duplicate" in run.stdout


def test_api_md_says_what_a_year_not_loaded_gives(loaded: str) -> None:
    assert api.measures(loaded, fiscal_year=2560).empty
    with pytest.raises(UsageError, match="years loaded"):
        api.compare_years("สถ.", 2560, 2567, db=loaded)
    text = " ".join((DOCS / "api.md").read_text(encoding="utf-8").split())
    assert "a year not loaded gives an empty DataFrame" in text
    assert "UsageError` for an unknown agency or a year not loaded" not in text


def test_status_json_has_every_source_column(loaded: str) -> None:
    result = runner.invoke(app, ["status", "--db", loaded, "-f", "json"])
    rows = json.loads(result.stdout)
    assert {"size_bytes", "pages", "report_id", "format", "sha256"} <= set(rows[0])
    assert rows[0]["size_bytes"] == (ROOT / "samples" / "dla_2566.txt").stat().st_size


def test_compare_md_says_how_years_are_read() -> None:
    text = (DOCS / "compare.md").read_text(encoding="utf-8")
    paragraph = re.search(r"\*\*Years\.\*\*(.*?)\n\n", text, re.S)
    assert paragraph
    examples = re.findall(r"(\d+) → (\d+)", paragraph.group(1))
    assert ("66", "2566") in examples, paragraph.group(1)
    for written, meant in examples:
        assert year_to_be(int(written)) == int(meant), (written, meant)
    assert "below 2400" not in paragraph.group(1)


def test_schema_md_percentage_query_says_which_role(loaded: str) -> None:
    """The documented query for figures given as a percentage: every row names its role,
    and the title names every role it returns. The samples give them in outcomes only:
    2566 indicator 8 (ร้อยละ ๙๒.๔๓); 2567 indicators 1, 2 and 8 (95.50, 98.20, 94.10)."""
    from sqlalchemy import create_engine, text

    markdown = (DOCS / "schema.md").read_text(encoding="utf-8")
    found = re.search(r"\n(-- [^\n]*percentage[^\n]*)\n(.*?;)", markdown, re.S)
    assert found
    title, sql = found.group(1), found.group(2)
    engine = create_engine(f"sqlite:///{loaded}")
    with engine.connect() as c:
        rows = [r._asdict() for r in c.execute(text(sql))]
    engine.dispose()
    assert sorted((r["fiscal_year_be"], r["value_number"]) for r in rows) == [
        (2566, 92.43),
        (2567, 94.1),
        (2567, 95.5),
        (2567, 98.2),
    ]
    assert {r["role"] for r in rows} == {"outcome"}
    assert "outcome" in title

"""Batch ingestion: the same contents whatever the worker count, re-runs that parse nothing,
--retry-failed, list files, the command's output and exit statuses.

Expected values come from the corpus manifest (benchmarks/make_corpus.py writes what each file
is): a bad file is rejected as input; every report file names an agency (its type contracted:
องค์การบริหารส่วนตำบล → อบต., เทศบาลตำบล → ทต., เทศบาลเมือง → ทม.) and a fiscal year, and
the first file of each (agency, year) is new.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ITA_ETL, SAMPLES, Corpus, CorpusFile, canonical_dump, ingest

from etl.orchestrate.sources import expand_sources
from etl.orchestrate.workers import Limits
from schemas.errors import UsageError

AGENCY_TYPES = {"องค์การบริหารส่วนตำบล": "อบต.", "เทศบาลตำบล": "ทต.", "เทศบาลเมือง": "ทม."}


def expected_key(file: CorpusFile) -> tuple[str, int]:
    prefix = next(p for p in AGENCY_TYPES if file.agency.startswith(p))
    assert file.year_be is not None
    return AGENCY_TYPES[prefix] + file.agency[len(prefix) :], file.year_be


def add_two_versions(folder: Path) -> None:
    """The seed and a corrected copy of it, one after the other: version 1 then version 2 of
    สถ. 2566 in one batch (which one is current must not depend on timing)."""
    seed = (SAMPLES / "dla_2566.txt").read_text(encoding="utf-8")
    changed = seed.replace("จัดทำคู่มือแผนกลยุทธ์", "จัดทำคู่มือแผนยุทธศาสตร์", 1)
    assert changed != seed
    (folder / "zz_dla_2566_a.txt").write_text(seed, encoding="utf-8")
    (folder / "zz_dla_2566_b.txt").write_text(changed, encoding="utf-8")


@pytest.mark.slow
def test_parallel_and_serial_ingest_give_identical_contents(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 60, seed=11, bad_share=0.08)
    assert corpus.of_kind("pdf") and corpus.of_kind("bad")
    add_two_versions(corpus.folder)
    # the same bytes twice in one batch: a report, and a bad file
    first_report = corpus.folder / corpus.of_kind("report")[0].name
    (corpus.folder / "zz_copy" / "report.md").parent.mkdir()
    (corpus.folder / "zz_copy" / "report.md").write_bytes(first_report.read_bytes())
    (corpus.folder / "zz_copy" / "empty1.txt").write_bytes(b"")
    (corpus.folder / "zz_copy" / "empty2.txt").write_bytes(b"")
    serial, parallel = fresh_db(), fresh_db()
    one = ingest(serial, [str(corpus.folder)], workers=0, keep_results=True)
    two = ingest(parallel, [str(corpus.folder)], workers=2, keep_results=True)
    assert [r.line() for r in one.results] == [r.line() for r in two.results]
    by_name = {Path(r.path).name: r for r in one.results}
    assert by_name["report.md"].status == "unchanged"  # the copy, after its original
    assert (by_name["empty1.txt"].reason or "").startswith("the file is empty")
    # the same bytes as empty1.txt, failing in the same run: a failure of this run
    assert (by_name["empty2.txt"].status, by_name["empty2.txt"].reason) == (
        "failed",
        "the file is empty",
    )
    assert len(one.results) == len(corpus.ingested) + 2 + 3
    assert one.counts["updated"] >= 1
    dump = canonical_dump(serial)
    assert dump == canonical_dump(parallel)
    versions = [(r[1], r[2], r[7]) for r in dump["reports"] if r[0] == "สถ." and r[1] == 2566]
    assert (2566, 2, False) in versions


def test_a_rerun_of_an_unchanged_corpus_parses_nothing(
    db_url: str, corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 150, seed=5, bad_share=0.1, with_pdfs=False)
    reports, bad = corpus.of_kind("report"), [f for f in corpus.ingested if f.kind == "bad"]
    assert reports and bad

    first = ingest(db_url, [str(corpus.folder)], workers=2)
    keys = {expected_key(f) for f in reports}
    assert first.parsed == len(corpus.ingested)
    assert first.counts["failed"] == len(bad)
    assert first.counts["new"] == len(keys)
    assert sum(first.counts[s] for s in ("new", "updated", "duplicate", "unchanged")) == len(
        reports
    )
    before = canonical_dump(db_url)
    assert {(r[0], r[1]) for r in before["reports"]} == keys
    assert len(before["reports"]) == first.counts["new"] + first.counts["updated"]
    assert {r[7] for r in before["sources"] if r[6] == "failed"} == {"input"}

    second = ingest(db_url, [str(corpus.folder)], workers=2)
    assert second.parsed == 0
    assert second.counts["unchanged"] == len(reports)
    assert second.counts["failed_before"] == len(bad)
    assert second.counts["failed"] == 0 and second.failed == []
    assert canonical_dump(db_url) == before


@pytest.mark.slow
def test_retry_failed_parses_only_what_failed(
    tmp_path: Path, endless_pdf: bytes, corpus_maker: Callable[..., Corpus]
) -> None:
    corpus = corpus_maker(tmp_path / "corpus", 20, seed=2, bad_share=0.2, with_pdfs=False)
    (corpus.folder / "zz_slow.pdf").write_bytes(endless_pdf)
    db = str(tmp_path / "ita.db")
    bad = [f for f in corpus.ingested if f.kind == "bad"]
    first = ingest(db, [str(corpus.folder)], workers=2, limits=Limits(doc_timeout=15))
    assert first.counts["failed"] == len(bad) + 1
    slow = next(r for r in first.failed if r.path.endswith("zz_slow.pdf"))
    assert slow.reason == "timed out after 15 s"

    rerun = ingest(db, [str(corpus.folder)], workers=2, limits=Limits(doc_timeout=15))
    assert rerun.parsed == 0  # the timeout is recorded, not tried again on every run

    retried = ingest(db, [], retry_failed=True, workers=2, limits=Limits(doc_timeout=15))
    assert retried.parsed == retried.total == len(bad) + 1
    narrowed = ingest(
        db,
        [str(corpus.folder / "zz_slow.pdf")],
        retry_failed=True,
        workers=1,
        limits=Limits(doc_timeout=15),
    )
    assert narrowed.parsed == narrowed.total == 1


def test_sources_come_from_paths_globs_urls_and_a_list_file(two_years: Path) -> None:
    listing = two_years.parent / "sources.txt"
    listing.write_text(
        "# reports to load\n\n"
        f"{two_years / 'dla_2566.txt'}\n"
        f"{two_years}/*.html\n"
        "https://example.org/ita/2567.pdf\n",
        encoding="utf-8",
    )
    found = expand_sources([str(two_years / "dla_2566.txt")], from_list=listing)
    assert found == [
        str(two_years / "dla_2566.txt"),
        str(two_years / "dla_2567.html"),
        "https://example.org/ita/2567.pdf",
    ]
    with pytest.raises(UsageError, match="no such file"):
        expand_sources([str(two_years / "missing.txt")])
    with pytest.raises(UsageError, match="cannot read the list"):
        expand_sources([], from_list=two_years / "missing.txt")
    with pytest.raises(UsageError, match="nothing to ingest"):
        ingest(str(two_years.parent / "ita.db"), [])


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ITA_ETL, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_the_command_logs_json_and_exits_for_schedulers(two_years: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "ita.db")
    (two_years / "empty.txt").write_bytes(b"")
    logged = run_cli("ingest", str(two_years), "--db", db, "--log-format", "json", "-w", "2")
    assert logged.returncode == 1, logged.stderr
    events = [json.loads(line) for line in logged.stdout.splitlines()]
    documents = [e for e in events if e["event"] == "document"]
    assert [(Path(e["path"]).name, e["status"]) for e in documents] == [
        ("dla_2566.txt", "new"),
        ("dla_2567.html", "new"),
        ("empty.txt", "failed"),
    ]
    assert documents[2]["error"] == "the file is empty"
    assert all(e["seconds"] > 0 for e in documents)
    assert events[-1] | {"seconds": 0} == {
        "event": "summary",
        "sources": 3,
        "new": 2,
        "updated": 0,
        "older": 0,
        "unchanged": 0,
        "duplicate": 0,
        "failed": 1,
        "failed_before": 0,
        "skipped": 0,
        "parsed": 3,
        "seconds": 0,
        "interrupted": False,
    }

    (two_years / "empty.txt").unlink()
    quiet = run_cli("ingest", str(two_years), "--db", db, "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.splitlines() == [
        "2 sources: 0 new, 0 updated, 2 unchanged, 0 duplicate (same content as a loaded "
        "version), 0 failed"
    ]
    nothing = run_cli("ingest", "--db", db)
    assert nothing.returncode == 64 and "nothing to ingest" in nothing.stderr
    # the failure recorded earlier is tried again, and is still a failure: only it
    retried = run_cli("ingest", "--retry-failed", "--db", db, "-q")
    assert retried.returncode == 1 and "empty.txt: cannot read the file" in retried.stderr
    summary = run_cli("status", "--db", db, "--summary", "-f", "json")
    counts = {(r["status"], r["stage"]): r["sources"] for r in json.loads(summary.stdout)}
    assert counts == {("new", None): 2, ("failed", "input"): 1}


def test_workers_zero_runs_in_process_and_bad_options_are_usage_errors(
    two_years: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "ita.db")
    summary = ingest(db, [str(two_years)], workers=0, keep_results=True)
    assert [r.status for r in summary.results] == ["new", "new"]
    with pytest.raises(UsageError, match="unknown executor"):
        ingest(db, [str(two_years)], executor="threads")
    with pytest.raises(UsageError, match="dask://HOST:PORT"):
        ingest(db, [str(two_years)], executor="dask://")
    copy = tmp_path / "copy"
    shutil.copytree(two_years, copy)
    with pytest.raises(UsageError, match="--workers"):
        ingest(db, [str(copy)], workers=-1)

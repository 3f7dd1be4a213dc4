"""Ingest in three steps, spread over worker processes by ``loaders.batch``:

1. ``enumerate_sources``: files, folders (recursive) and globs to a sorted list of files;
2. ``parse_source``: a file to a ``ParseOutcome`` — a document or a failure. Pure, picklable,
   never raises for bad input; a file whose bytes and parser version are already in the store
   is not parsed again (``fingerprint`` first, then ``Store.known_many``);
3. ``Store.load``: one transaction per document, in the main process only.

``ingest`` is the whole of it in the calling process (the notebook API); ``ita-etl ingest``
runs ``loaders.batch.run_batch`` with worker processes.
"""

from __future__ import annotations

import glob
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl import pipeline
from loaders.content import agency_key
from loaders.store import LoadResult, ParseOutcome, Store
from schemas.errors import InputError, UsageError

REPORT_SUFFIXES = frozenset({".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".tsv"})
"""Files a folder or glob contributes; a file named on its own is tried whatever its name."""
NOT_REPORTS = frozenset({"readme", "manifest", "license", "changelog", "notes"})
"""File names (without extension) a folder or glob skips: the notes that travel with a
folder of reports (samples/README.md, samples/pdf/MANIFEST.tsv) are not reports."""
_GLOB_CHARS = frozenset("*?[")


def enumerate_sources(paths: Iterable[str | Path]) -> list[Path]:
    """Every report file named by ``paths``, each once, in a stable order.

    Raises ``UsageError`` for a path or glob that matches nothing (a typo should not pass as
    an empty, successful run).
    """
    found: dict[Path, None] = {}
    for spec in paths:
        spec = str(spec)
        if _GLOB_CHARS & set(spec) and not Path(spec).exists():
            matches = [Path(m) for m in sorted(glob.glob(spec, recursive=True))]
            files = [p for p in matches if p.is_file() and _looks_like_a_report(p)]
            files += [f for p in matches if p.is_dir() for f in _reports_under(p)]
        elif Path(spec).is_dir():
            files = _reports_under(Path(spec))
        elif Path(spec).exists():
            files = [Path(spec)]
        else:
            raise UsageError(f"no such file or folder: {spec}")
        if not files:
            raise UsageError(f"no report files (PDF, HTML, Markdown, text) in {spec}")
        found.update(dict.fromkeys(files))
    return list(found)


def _reports_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and _looks_like_a_report(p))


def _looks_like_a_report(path: Path) -> bool:
    return path.suffix.lower() in REPORT_SUFFIXES and path.stem.lower() not in NOT_REPORTS


def fingerprint(path: str | Path) -> tuple[str, int]:
    """The file's sha256 and size, read in blocks (cheap next to parsing)."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), Path(path).stat().st_size


def parse_source(path: str | Path, location: str | None = None) -> ParseOutcome:
    """Parse one file into a document, or say why not. Never raises for bad input: an
    ``InputError`` or any unexpected exception becomes a failure with its type and message.

    ``location`` is what the source is recorded as when ``path`` is only where its bytes are
    (a URL's download in the blob store; an absolute path handed to a worker)."""
    read_from, path = str(path), location or str(path)
    started = time.perf_counter()
    sha256, size = "", 0
    try:
        if Path(read_from).stat().st_size > pipeline.MAX_BYTES:
            sha256, size = fingerprint(read_from)
            raise InputError(f"{size:,} bytes is more than the {pipeline.MAX_BYTES:,}-byte limit")
        with open(read_from, "rb") as handle:
            data = handle.read()
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
        doc = pipeline.extract_bytes(data, path)
        if agency_key(doc.report) is None:
            raise InputError("the report names no agency, so it cannot be filed")
        if doc.report.fiscal_year_be is None:
            raise InputError("the report gives no fiscal year, so it cannot be filed")
        outcome = ParseOutcome(
            path, doc.source.sha256, doc.source.size_bytes, doc.parser_version, doc
        ).with_derived()
        return replace(outcome, parse_seconds=time.perf_counter() - started)
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)
    except InputError as error:
        return ParseOutcome.failure(path, sha256, size, error, error.reason, started)
    except MemoryError as error:
        reason = "ran out of memory (over the worker's memory limit, --doc-memory)"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)
    except Exception as error:
        reason = f"unexpected {type(error).__name__}: {error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)


_WARM_UP_REPORT = (
    "รายงานผลการดำเนินการ ของกรมส่งเสริมการปกครองท้องถิ่น\nประจำปีงบประมาณ พ.ศ. ๒๕๖๖\n\n"
    "ตัวชี้วัด ITA\tมาตรการ/กิจกรรม\tสรุปผลการดำเนินการ\tผลลัพธ์\tหน่วยงาน รับผิดชอบ\n"
    "ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่\t- จัดทำคู่มือ\t- ดำเนินการแล้ว ร้อยละ ๑๐๐\tบุคลากรทราบ\tกพส.\n"
)


def warm_up() -> None:
    """Parse a tiny report once, so that a worker has loaded what parsing loads lazily (the
    Thai dictionaries, the PDF readers) before its first real document's time limit starts."""
    import extractors.pdf  # noqa: F401

    doc = pipeline.extract_bytes(_WARM_UP_REPORT.encode(), "warm-up.txt")
    ParseOutcome("warm-up.txt", "", 0, doc.parser_version, doc).with_derived()


@dataclass
class IngestSummary:
    """What an ingest did: counts by status and the failures; every result only when
    ``keep_results`` (the API's few files), so that a batch of thousands streams."""

    keep_results: bool = True
    results: list[LoadResult] = field(default_factory=list)
    failed: list[LoadResult] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)
    parsed: int = 0
    """Sources handed to a parser (the rest were known: unchanged or recorded failures)."""
    seconds: float = 0.0
    interrupted: bool = False

    def add(self, result: LoadResult) -> None:
        self.tally[result.status] += 1
        if self.keep_results:
            self.results.append(result)
        if result.status == "failed":
            self.failed.append(result)

    @property
    def total(self) -> int:
        return sum(self.tally.values())

    @property
    def counts(self) -> Counter[str]:
        statuses = ("new", "updated", "unchanged", "duplicate", "failed", "failed_before")
        counts = Counter({s: 0 for s in statuses})
        counts.update(self.tally)
        return counts

    def line(self) -> str:
        c = self.counts
        before = (
            f", {c['failed_before']} failed before (not retried; --retry-failed tries them)"
            if c["failed_before"]
            else ""
        )
        return (
            f"{self.total} sources: {c['new']} new, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['duplicate']} duplicate (same content as a "
            f"loaded version), {c['failed']} failed{before}"
        )


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    on_result: Callable[[LoadResult], None] | None = None,
    parser_version: str | None = None,
) -> IngestSummary:
    """Load every report under ``paths`` into ``store``, one transaction per document, parsing
    in this process (no worker, no time limit: ``loaders.batch.run_batch`` has those).

    A source whose bytes were loaded by the same parser version is reported unchanged without
    parsing; one rejected as input then is reported failed again with the recorded reason;
    one that crashed the parser or failed to load is tried again.
    """
    from loaders.batch import run_batch
    from loaders.workers import InlineExecutor

    return run_batch(
        [str(p) for p in enumerate_sources(paths)],
        store,
        InlineExecutor(),
        on_result=on_result,
        keep_results=True,
        parser_version=parser_version,
    )

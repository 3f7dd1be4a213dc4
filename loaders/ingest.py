"""Ingest in three steps that a later version can spread over workers without a rewrite:

1. ``enumerate_sources``: files, folders (recursive) and globs to a sorted list of files;
2. ``parse_source``: a file to a ``ParseOutcome`` — a document or a failure. Pure, picklable,
   never raises for bad input; a file whose bytes and parser version are already in the store
   is not parsed again (``fingerprint`` first, then ``Store.known``);
3. ``Store.load``: one transaction per document.
"""

from __future__ import annotations

import glob
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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


def parse_source(path: str | Path) -> ParseOutcome:
    """Parse one file into a document, or say why not. Never raises for bad input: an
    ``InputError`` or any unexpected exception becomes a failure with its type and message."""
    path = str(path)
    started = time.perf_counter()
    sha256, size = "", 0
    try:
        sha256, size = fingerprint(path)
        if size > pipeline.MAX_BYTES:
            raise InputError(f"{size:,} bytes is more than the {pipeline.MAX_BYTES:,}-byte limit")
        with open(path, "rb") as handle:
            data = handle.read()
        doc = pipeline.extract_bytes(data, path)
        if agency_key(doc.report) is None:
            raise InputError("the report names no agency, so it cannot be filed")
        if doc.report.fiscal_year_be is None:
            raise InputError("the report gives no fiscal year, so it cannot be filed")
        return ParseOutcome(
            path,
            doc.source.sha256,
            doc.source.size_bytes,
            doc.parser_version,
            doc,
            parse_seconds=time.perf_counter() - started,
        )
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)
    except InputError as error:
        return ParseOutcome.failure(path, sha256, size, error, error.reason, started)
    except Exception as error:
        reason = f"unexpected {type(error).__name__}: {error}"
        return ParseOutcome.failure(path, sha256, size, error, reason, started)


@dataclass
class IngestSummary:
    """What an ingest did, source by source."""

    results: list[LoadResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        counts = Counter({s: 0 for s in ("new", "updated", "unchanged", "duplicate", "failed")})
        counts.update(r.status for r in self.results)
        return counts

    @property
    def failed(self) -> list[LoadResult]:
        return [r for r in self.results if r.status == "failed"]

    def line(self) -> str:
        c = self.counts
        return (
            f"{len(self.results)} sources: {c['new']} new, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['duplicate']} duplicate (same content as a "
            f"loaded version), {c['failed']} failed"
        )


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    on_result: Callable[[LoadResult], None] | None = None,
    parser_version: str | None = None,
) -> IngestSummary:
    """Load every report under ``paths`` into ``store``, one transaction per document.

    A source whose bytes were loaded by the same parser version is reported unchanged without
    parsing; one rejected as input then is reported failed again with the recorded reason;
    one that crashed the parser or failed to load is tried again.
    """
    summary = IngestSummary()
    version = parser_version or pipeline.PARSER_VERSION
    for path in enumerate_sources(paths):
        result = _ingest_one(path, store, version)
        summary.results.append(result)
        if on_result:
            on_result(result)
    return summary


def _ingest_one(path: Path, store: Store, parser_version: str) -> LoadResult:
    try:
        sha256, _size = fingerprint(path)
    except OSError as error:
        return LoadResult(str(path), "failed", f"cannot read the file: {error.strerror}")
    known = store.known(sha256, parser_version)
    if known is not None and known.settled:
        return known.as_result(str(path))
    return store.load(parse_source(path))

"""The only writer: one parsed document (or its failure) into the store, in one transaction.

``Store.load`` decides what a document is to the store (docs/schema.md, "Versions"):

- new: the first report of its agency and fiscal year;
- updated: different content from every loaded version, and the newest by the sources' own
  dates (else first seen, ``loaders.versions``): the current version; the one before is kept
  and marked superseded;
- older: different content, but older than the current version by the sources' dates: kept
  as an earlier version, the current one stays current;
- duplicate: the same content as a loaded version, current or not (the same report in
  another format, a copy of an earlier version, or re-parsed by a new parser version),
  recorded as another source of that version; an earlier version does not become current;
- failed: the reason is recorded on the source; nothing else is written.

Rows are written in bulk (``loaders.copy_writer``: COPY on PostgreSQL, one executemany on
SQLite), never an ORM object at a time; ``Store.load_many`` writes a group of documents in
one transaction, each in a savepoint. A failure rolls every row of that document back (its
transaction, or its savepoint), then the failure is recorded.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from etl.transform import pipeline
from loaders import derived, migrate, versions
from loaders.changes import lost_items_warning
from loaders.content import agency_key, content_sha256
from loaders.copy_writer import bulk_insert
from loaders.db import WRITE, is_busy, make_engine, resolve_url, store_errors
from loaders.models import (
    agencies,
    reports,
    source_pages,
    sources,
    sources_with_reports,
)
from loaders.records import Written, allocate_ids, write_records, write_records_many
from loaders.search import cluster_tokens, search_text
from schemas.errors import (
    InputError,
    Stage,
    StoreBusyError,
    StoreError,
    retryable_stage,
    stage_of,
)
from schemas.records import ExtractedDocument, Report

_FAILED_BEFORE = " (failed before, not retried)"
"""Said after the reason of a source that failed in an earlier run."""
Status = Literal["new", "updated", "older", "unchanged", "duplicate", "failed", "failed_before"]
"""``failed_before``: these bytes failed in an earlier run and are not tried again (a
scheduled re-run reports them but does not fail for them; ``--retry-failed`` tries them)."""
_RETRIES = 3
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one file gave: a document, or the reason there is none. Picklable, so a
    worker process can return it."""

    path: str
    sha256: str
    size_bytes: int
    parser_version: str
    document: ExtractedDocument | None
    error_type: str | None = None
    error: str | None = None
    parse_seconds: float = 0.0
    stage: Stage | None = None
    """For a failure: input (an ``InputError``: the bytes were rejected, so the same bytes and
    parser version are not parsed again), parse (the parser raised unexpectedly) or worker
    (over the time or memory limit, or the worker died: not parsed again either, until
    ``--retry-failed``)."""
    content_sha256: str | None = None
    search: tuple[tuple[str, str], ...] | None = None
    """The content hash and every item's (search_text, search_tokens) in document order,
    computed where the parse ran (``with_derived``) so that the single writer does not."""
    ocr_pages: int = 0
    """Pages read by OCR in this parse; ``ocr_cached`` of them came from the OCR cache."""
    ocr_cached: int = 0
    source_date: datetime | None = None
    """The date the source gives itself (PDF ModDate, HTTP Last-Modified): the order of the
    report's versions (``loaders.versions``)."""

    def with_derived(self) -> ParseOutcome:
        """This outcome with the content hash and search fields filled in."""
        doc = self.document
        if doc is None:
            return self
        derived = tuple(
            (search_text(item.text), cluster_tokens(item.text))
            for entry in doc.entries
            for item in entry.items
        )
        return replace(self, content_sha256=content_sha256(doc), search=derived)

    @classmethod
    def failure(
        cls,
        path: str,
        sha256: str,
        size: int,
        error: BaseException,
        reason: str,
        started: float,
    ) -> ParseOutcome:
        return cls(
            path,
            sha256,
            size,
            pipeline.PARSER_VERSION,
            None,
            type(error).__name__,
            " ".join(reason.split()),
            time.perf_counter() - started,
            stage_of(error),
        )


@dataclass(frozen=True)
class LoadResult:
    """What became of one source."""

    path: str
    status: Status
    reason: str | None = None
    agency_key: str | None = None
    fiscal_year_be: int | None = None
    version: int | None = None
    report_id: int | None = None
    seconds: float | None = None
    """Parsing and loading it took (None when it was not parsed)."""
    ocr_pages: int = 0
    """Pages read by OCR when it was parsed; ``ocr_cached`` of them from the OCR cache."""
    ocr_cached: int = 0
    warnings: tuple[str, ...] = ()
    """What loading found worth saying (a new version that lost many items)."""

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.path}: {self.reason}"
        if self.status == "failed_before":
            return f"{self.path}: {self.reason}{_FAILED_BEFORE}"
        what = f"{self.agency_key} {self.fiscal_year_be} version {self.version}"
        if self.status == "older":
            what += ", older than the current version: kept, not current"
        if self.ocr_pages:
            what += f"; {self.ocr_pages} pages by OCR, {self.ocr_cached} from the OCR cache"
        said = "".join(f"; warning: {w}" for w in self.warnings)
        return f"{self.path}: {self.status} ({what}){said}"


@dataclass(frozen=True)
class KnownSource:
    """A source already in the store with the same bytes and parser version."""

    status: str
    stage: str | None
    error: str | None

    agency_key: str | None
    fiscal_year_be: int | None
    version: int | None
    report_id: int | None

    @property
    def settled(self) -> bool:
        """Nothing to do: loaded, rejected as input, or over a worker's limits (parse and
        load failures are retried; ``--retry-failed`` retries every failure)."""
        return self.status != "failed" or not retryable_stage(self.stage)

    def skips(self, retry_failed: bool) -> bool:
        """Whether a batch leaves these bytes alone (``retry_failed``: not if they failed)."""
        return self.settled and not (retry_failed and self.status == "failed")

    def as_result(self, path: str) -> LoadResult:
        if self.status == "failed":
            return LoadResult(path, "failed_before", self.error)
        return LoadResult(
            path,
            "unchanged",
            None,
            self.agency_key,
            self.fiscal_year_be,
            self.version,
            self.report_id,
        )


def unreadable_key(path: str) -> str:
    """What a file that cannot be read (its bytes unknown) is recorded under instead of
    their sha256: a hash of its absolute path, so that the next run finds the failure (and a
    run that can read the file removes it)."""
    return hashlib.sha256(b"unreadable file\0" + os.fsencode(os.path.abspath(path))).hexdigest()


class Store:
    """A database holding reports: opened (and upgraded) once, then fed documents."""

    def __init__(
        self,
        db: str | None = None,
        *,
        upgrade: bool = True,
        timeout: float | None = None,
        read_only: bool = False,
    ) -> None:
        """``timeout``: seconds to wait to connect or for a lock; ``read_only``: for the
        reading commands, which write nothing, not even beside a SQLite file
        (``loaders.db.make_engine``)."""
        self.url = resolve_url(db)
        self.engine: Engine = make_engine(self.url, timeout=timeout, read_only=read_only)
        if upgrade:
            with store_errors(self.url):
                migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A connection for queries; database errors come out as ``StoreError``.

        ``snapshot``: every query sees the same committed state (PostgreSQL: one REPEATABLE
        READ, read-only transaction; SQLite in WAL mode: one read transaction already does)."""
        with store_errors(self.url), self.engine.connect() as connection:
            if snapshot and connection.dialect.name == "postgresql":
                connection = connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with connection.begin():
                yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction (SQLite: holding the write lock from BEGIN); database errors
        come out as ``StoreError``."""
        with store_errors(self.url), self._writing() as connection:
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    def known(self, sha256: str, parser_version: str) -> KnownSource | None:
        """The source with these bytes and parser version, if already recorded."""
        return self.known_many([sha256], parser_version).get(sha256)

    def known_many(self, hashes: Iterable[str], parser_version: str) -> dict[str, KnownSource]:
        """The recorded sources among ``hashes`` (for this parser version), by sha256: one
        query for many files, so that a re-run of an unchanged corpus costs little."""
        wanted = sorted(set(hashes))
        found: dict[str, KnownSource] = {}
        if not wanted:
            return found
        with store_errors(self.url), self.engine.connect() as connection:
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                found.update(_known(connection, chunk, parser_version))
        return found

    def failed_locations(self, parser_version: str) -> list[str]:
        """Where the sources whose last attempt by ``parser_version`` failed were found."""
        query = (
            select(sources.c.path)
            .where(sources.c.status == "failed", sources.c.parser_version == parser_version)
            .order_by(sources.c.id)
        )
        with self.reading() as connection:
            return list(dict.fromkeys(connection.execute(query).scalars()))

    def load(self, outcome: ParseOutcome, *, retry_failed: bool = False) -> LoadResult:
        """Write one document (or record its failure) in one transaction.

        Bytes already recorded for this parser version write nothing and give what a look-up
        before parsing would have given (unchanged, or the recorded failure unless
        ``retry_failed``): a batch that parsed the same bytes twice, because it looked ahead
        before the first copy was loaded, ends as a serial run would."""
        started = time.perf_counter()
        result = self._load_once(outcome, retry_failed)
        return replace(result, seconds=outcome.parse_seconds + time.perf_counter() - started)

    def load_many(
        self, outcomes: Sequence[ParseOutcome], *, retry_failed: bool = False
    ) -> list[LoadResult]:
        """Write several documents in one transaction, each in a savepoint of its own; what
        ``load`` of each in turn would give, one commit instead of one a document.

        The group's first versions (``_load_first_versions``) are written together first,
        with one bulk insert per table. Every other document is loaded in a savepoint of
        its own; one that fails rolls back to it, and its failure is recorded in the same
        transaction, so it loses only its own rows. The year-on-year pairs are refreshed
        once at the end, for every agency the group touched. If the group as a whole fails
        (another writer filed the same agency and year first, a failure in the derived
        step), nothing of it is kept and each document is loaded alone, as ``load`` does."""
        if len(outcomes) < 2:
            return [self.load(o, retry_failed=retry_failed) for o in outcomes]
        try:
            with self._writing() as connection:
                pending = derived.Pending()
                firsts = _load_first_versions(connection, outcomes, pending)
                results = [
                    firsts.get(n) or _load_in_savepoint(connection, outcome, retry_failed, pending)
                    for n, outcome in enumerate(outcomes)
                ]
                pending.write(connection)
            return results
        except OperationalError as error:
            if is_busy(error):
                raise StoreBusyError(f"the database is busy: {error.orig}") from error
            raise StoreError(f"the database failed: {error.orig}") from error
        except Exception:
            return [self.load(o, retry_failed=retry_failed) for o in outcomes]

    def _load_once(self, outcome: ParseOutcome, retry_failed: bool) -> LoadResult:
        if not outcome.sha256:
            return LoadResult(outcome.path, "failed", outcome.error or "cannot read the file")
        started = time.perf_counter()
        problem: BaseException | None = None
        for _attempt in range(_RETRIES):
            try:
                with self._writing() as connection:
                    pending = derived.Pending()
                    result = _load(connection, outcome, started, retry_failed, pending)
                    pending.write(connection)
                    return result
            except IntegrityError as error:
                problem = error  # another writer filed this agency-year first: read again
            except OperationalError as error:
                if is_busy(error):
                    raise StoreBusyError(f"the database is busy: {error.orig}") from error
                raise StoreError(f"the database failed: {error.orig}") from error
            except Exception as error:
                problem = error
                break
        assert problem is not None
        with store_errors(self.url), self._writing() as connection:
            return _record_load_failure(connection, outcome, problem, started)


def _load_first_versions(
    connection: Connection, outcomes: Sequence[ParseOutcome], pending: derived.Pending
) -> dict[int, LoadResult]:
    """The results of the documents in ``outcomes`` (by position) that are the first
    report of their agency and fiscal year, written together: what ``_load`` of each
    would write (all of a first ingest, most of a new year's), with a few statements for
    the group instead of some twenty a document.

    Taken together are the documents whose bytes the store has not seen, of an agency and
    year it holds no report of, and that no other document of the group shares (bytes,
    agency and year, or agency: the order of loading matters there). If writing them fails,
    their savepoint is rolled back and they are left, as the others are, to ``_load``."""
    started = time.perf_counter()
    firsts = _first_versions(connection, outcomes)
    if not firsts:
        return {}
    try:
        with connection.begin_nested():
            return _write_first_versions(connection, outcomes, firsts, started, pending)
    except (IntegrityError, OperationalError):
        raise
    except Exception:
        return {}


def _first_versions(connection: Connection, outcomes: Sequence[ParseOutcome]) -> list[int]:
    """Positions in ``outcomes`` of the documents ``_load_first_versions`` may write."""
    if len({o.parser_version for o in outcomes}) != 1:  # the look-up below is for one
        return []
    filed: dict[int, tuple[str, int]] = {}
    for n, outcome in enumerate(outcomes):
        doc = outcome.document
        if doc is not None and outcome.sha256:
            key, year = agency_key(doc.report), doc.report.fiscal_year_be
            if key is not None and year is not None:
                filed[n] = (key, year)
    bytes_seen = Counter(o.sha256 for o in outcomes)
    agency_years = Counter(filed.values())
    candidates = {
        n
        for n, key_year in filed.items()
        if bytes_seen[outcomes[n].sha256] == 1 and agency_years[key_year] == 1
    }
    known = _known(connection, [o.sha256 for o in outcomes], outcomes[0].parser_version)
    keys = {key for key, _ in filed.values()}
    held = {
        (row.agency_key, row.fiscal_year_be)
        for row in connection.execute(
            select(agencies.c.agency_key, reports.c.fiscal_year_be)
            .join(reports, reports.c.agency_id == agencies.c.id)
            .where(agencies.c.agency_key.in_(keys))
            .distinct()
        )
    }
    candidates = {n for n in candidates if outcomes[n].sha256 not in known and filed[n] not in held}
    elsewhere = {key for n, (key, _) in filed.items() if n not in candidates}
    return sorted(n for n in candidates if filed[n][0] not in elsewhere)


def _write_first_versions(
    connection: Connection,
    outcomes: Sequence[ParseOutcome],
    firsts: list[int],
    started: float,
    pending: derived.Pending,
) -> dict[int, LoadResult]:
    chosen = [outcomes[n] for n in firsts]
    docs = [o.document for o in chosen]
    assert all(doc is not None for doc in docs)
    reports_of = [doc.report for doc in docs if doc is not None]
    keys = [agency_key(report) or "" for report in reports_of]
    agency_ids = _agency_ids(connection, list(zip(keys, reports_of, strict=True)))
    source_ids = allocate_ids(connection, sources, len(chosen))
    bulk_insert(
        connection,
        sources,
        [
            {
                **_source_row(o, "new"),
                "id": source_id,
                "sha256": o.sha256,
                "parser_version": o.parser_version,
            }
            for o, source_id in zip(chosen, source_ids, strict=True)
        ],
    )
    pages = [
        row
        for o, source_id in zip(chosen, source_ids, strict=True)
        for row in _page_rows(source_id, o.document)
    ]
    if pages:
        bulk_insert(connection, source_pages, pages)
    report_ids = allocate_ids(connection, reports, len(chosen))
    written: list[Written] = []
    report_rows = []
    for o, key, source_id, report_id in zip(chosen, keys, source_ids, report_ids, strict=True):
        doc = o.document
        assert doc is not None
        content = o.content_sha256 or content_sha256(doc)
        row = _report_row(doc, agency_ids[key], 1, content, source_id)
        report_rows.append({**row, "id": report_id})
        written.append(Written(doc, report_id, o.search))
    bulk_insert(connection, reports, report_rows)
    connection.execute(
        update(sources)
        .where(sources.c.id == bindparam("source"))
        .values(report_id=bindparam("report")),
        [{"source": s, "report": r} for s, r in zip(source_ids, report_ids, strict=True)],
    )
    write_records_many(connection, written)
    connection.execute(
        delete(sources).where(
            sources.c.sha256.in_([unreadable_key(o.path) for o in chosen]),
            sources.c.status == "failed",
        )
    )
    seconds = (time.perf_counter() - started) / len(chosen)
    connection.execute(
        update(sources).where(sources.c.id.in_(source_ids)).values(load_seconds=seconds)
    )
    pending.agencies.update(agency_ids.values())
    return {
        n: LoadResult(
            o.path,
            "new",
            None,
            key,
            report.fiscal_year_be,
            1,
            report_id,
            seconds=o.parse_seconds + seconds,
        )
        for n, o, key, report, report_id in zip(
            firsts, chosen, keys, reports_of, report_ids, strict=True
        )
    }


def _load_in_savepoint(
    connection: Connection, outcome: ParseOutcome, retry_failed: bool, pending: derived.Pending
) -> LoadResult:
    """One document of ``Store.load_many``: ``_load`` in a savepoint; a failure other than
    an integrity error (which fails the group) is recorded in its place."""
    started = time.perf_counter()
    if not outcome.sha256:
        result = LoadResult(outcome.path, "failed", outcome.error or "cannot read the file")
    else:
        try:
            with connection.begin_nested():
                result = _load(connection, outcome, started, retry_failed, pending)
        except (IntegrityError, OperationalError):
            raise
        except Exception as error:
            result = _record_load_failure(connection, outcome, error, started)
    return replace(result, seconds=outcome.parse_seconds + time.perf_counter() - started)


def _record_load_failure(
    connection: Connection, outcome: ParseOutcome, problem: BaseException, started: float
) -> LoadResult:
    """Record that loading ``outcome`` failed (its rows already rolled back)."""
    reason = (
        problem.reason
        if isinstance(problem, InputError)
        else (f"not loaded: {type(problem).__name__}: {problem}")
    )
    reason = " ".join(reason.split())
    _record_source(
        connection,
        outcome,
        status="failed",
        stage="load",
        error_type=type(problem).__name__,
        error=reason,
        report_id=None,
        load_seconds=time.perf_counter() - started,
    )
    return LoadResult(outcome.path, "failed", reason)


def _now() -> datetime:
    return datetime.now(UTC)


def _record_source(
    connection: Connection,
    outcome: ParseOutcome,
    *,
    status: str,
    stage: str | None = None,
    error_type: str | None = None,
    error: str | None = None,
    report_id: int | None = None,
    load_seconds: float | None = None,
) -> int:
    """Insert or update the source row for (sha256, parser version); its id."""
    doc = outcome.document
    values = _source_row(outcome, status, stage, error_type, error, report_id, load_seconds)
    key = (sources.c.sha256 == outcome.sha256, sources.c.parser_version == outcome.parser_version)
    existing = connection.execute(select(sources.c.id).where(*key)).scalar()
    if existing is not None:  # tried before and failed: path stays where it was first seen
        del values["path"]
        connection.execute(update(sources).where(sources.c.id == existing).values(values))
        connection.execute(delete(source_pages).where(source_pages.c.source_id == existing))
        _record_pages(connection, int(existing), doc)
        return int(existing)
    values.update(sha256=outcome.sha256, parser_version=outcome.parser_version)
    source_id = int(
        connection.execute(insert(sources).returning(sources.c.id), values).scalar_one()
    )
    _record_pages(connection, source_id, doc)
    return source_id


def _source_row(
    outcome: ParseOutcome,
    status: str,
    stage: str | None = None,
    error_type: str | None = None,
    error: str | None = None,
    report_id: int | None = None,
    load_seconds: float | None = None,
) -> dict[str, Any]:
    """A source row's values but its key (sha256, parser version)."""
    doc = outcome.document
    return {
        "path": outcome.path,
        "size_bytes": outcome.size_bytes,
        "format": doc.source.format if doc else None,
        "pages": doc.source.pages if doc else None,
        "status": status,
        "stage": stage,
        "error_type": error_type,
        "error": error,
        "report_id": report_id,
        "parse_seconds": outcome.parse_seconds,
        "load_seconds": load_seconds,
        "loaded_at": _now(),
        "source_date": outcome.source_date,
    }


def _record_pages(connection: Connection, source_id: int, doc: ExtractedDocument | None) -> None:
    """How each page of the source was read (PDF only)."""
    rows = _page_rows(source_id, doc)
    if rows:
        bulk_insert(connection, source_pages, rows)


def _page_rows(source_id: int, doc: ExtractedDocument | None) -> list[dict[str, Any]]:
    if doc is None or not doc.pages_read:
        return []
    return [
        {
            "source_id": source_id,
            "page": p.page,
            "read_by": p.read_by,
            "engine": p.engine,
            "confidence": p.confidence,
            "text_score": p.text_score,
            "note": p.note,
        }
        for p in doc.pages_read
    ]


def _known(
    connection: Connection, hashes: Sequence[str], parser_version: str
) -> dict[str, KnownSource]:
    query = (
        select(
            sources.c.sha256,
            sources.c.status,
            sources.c.stage,
            sources.c.error,
            agencies.c.agency_key,
            reports.c.fiscal_year_be,
            reports.c.version,
            reports.c.id,
        )
        .select_from(sources_with_reports())
        .where(sources.c.sha256.in_(hashes), sources.c.parser_version == parser_version)
    )
    return {sha256: KnownSource(*rest) for sha256, *rest in connection.execute(query)}


def _load(
    connection: Connection,
    outcome: ParseOutcome,
    started: float,
    retry_failed: bool,
    pending: derived.Pending,
) -> LoadResult:
    """What ``Store.load`` does inside its transaction; the derived tables are left to
    ``pending``."""
    known = _known(connection, [outcome.sha256], outcome.parser_version).get(outcome.sha256)
    if known is not None and known.skips(retry_failed):
        return known.as_result(outcome.path)
    doc = outcome.document
    if doc is None:
        reason = outcome.error or "parse failed"
        _record_source(
            connection,
            outcome,
            status="failed",
            stage=outcome.stage or "parse",
            error_type=outcome.error_type,
            error=reason,
        )
        return LoadResult(outcome.path, "failed", reason)
    key, year = agency_key(doc.report), doc.report.fiscal_year_be
    if key is None or year is None:
        raise InputError("the report names no agency or no fiscal year, so it cannot be filed")
    agency_id = _agency_id(connection, key, doc.report)
    content = outcome.content_sha256 or content_sha256(doc)
    current = connection.execute(
        select(reports.c.id, reports.c.version, reports.c.content_sha256)
        .where(
            reports.c.agency_id == agency_id,
            reports.c.fiscal_year_be == year,
            reports.c.superseded.is_(False),
        )
        .with_for_update()
    ).first()
    same = connection.execute(
        select(reports.c.id)
        .where(
            reports.c.agency_id == agency_id,
            reports.c.fiscal_year_be == year,
            reports.c.content_sha256 == content,
        )
        .order_by(reports.c.version)
        .limit(1)
    ).first()
    if same is not None:  # a copy of a loaded version, current or earlier
        _record_source(
            connection,
            outcome,
            status="duplicate",
            report_id=same.id,
            load_seconds=time.perf_counter() - started,
        )
        _forget_unreadable(connection, outcome.path)
        ordered = versions.order_versions(connection, agency_id, year)
        if current is not None and ordered.current_id != current.id:  # its date moved it
            pending.agencies.add(agency_id)
        number = ordered.numbers[same.id]
        return LoadResult(outcome.path, "duplicate", None, key, year, number, same.id)
    lost = None
    if current is not None:  # out of the way of the one current row; ordering decides
        lost = lost_items_warning(connection, current.id, current.version, doc)
        if lost is not None:
            doc = replace(doc, warnings=(*doc.warnings, lost))
        connection.execute(
            update(reports)
            .where(reports.c.id == current.id)
            .values(superseded=True, superseded_at=_now())
        )
    source_id = _record_source(connection, outcome, status="updated")
    _forget_unreadable(connection, outcome.path)
    version = _next_version(connection, agency_id, year)
    report_id = _insert_report(connection, doc, agency_id, version, content, source_id)
    connection.execute(update(sources).where(sources.c.id == source_id).values(report_id=report_id))
    write_records(connection, doc, report_id, search=outcome.search)
    ordered = versions.order_versions(connection, agency_id, year)
    pending.agencies.add(agency_id)
    connection.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(load_seconds=time.perf_counter() - started)
    )
    status: Status = (
        "new" if current is None else "updated" if ordered.current_id == report_id else "older"
    )
    warnings = () if lost is None else (lost,)
    number = ordered.numbers[report_id]
    return LoadResult(outcome.path, status, None, key, year, number, report_id, warnings=warnings)


def _forget_unreadable(connection: Connection, path: str) -> None:
    """The file was read: an earlier run's failure to read it no longer holds."""
    connection.execute(
        delete(sources).where(
            sources.c.sha256 == unreadable_key(path), sources.c.status == "failed"
        )
    )


def _agency_id(connection: Connection, key: str, report: Report) -> int:
    """The agency's id, created on first sight; its name and abbreviation kept current."""
    return _agency_ids(connection, [(key, report)])[key]


def _agency_ids(connection: Connection, named: Sequence[tuple[str, Report]]) -> dict[str, int]:
    """Each agency's id, created on first sight; its name and abbreviation kept current:
    the last of ``named`` (in loading order) to give one says it."""
    latest: dict[str, dict[str, str | None]] = {}
    for key, report in named:
        said = latest.setdefault(key, {"name": None, "abbr": None})
        for column, value in (("name", report.agency), ("abbr", report.agency_abbr)):
            if value:
                said[column] = value
    rows = [{"agency_key": key, **said} for key, said in latest.items()]
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        upsert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(agencies)
        connection.execute(upsert.on_conflict_do_nothing(), rows)
    else:
        there = set(
            connection.execute(
                select(agencies.c.agency_key).where(agencies.c.agency_key.in_(latest))
            ).scalars()
        )
        if new := [row for row in rows if row["agency_key"] not in there]:
            connection.execute(insert(agencies), new)
    ids: dict[str, int] = {}
    for row in connection.execute(
        select(agencies.c.id, agencies.c.agency_key, agencies.c.name, agencies.c.abbr).where(
            agencies.c.agency_key.in_(latest)
        )
    ):
        said = latest[row.agency_key]
        changes = {
            column: value
            for column, value in said.items()
            if value and value != getattr(row, column)
        }
        if changes:
            connection.execute(update(agencies).where(agencies.c.id == row.id).values(changes))
        ids[row.agency_key] = int(row.id)
    return ids


def _next_version(connection: Connection, agency_id: int, year: int) -> int:
    latest = connection.execute(
        select(func.max(reports.c.version)).where(
            reports.c.agency_id == agency_id, reports.c.fiscal_year_be == year
        )
    ).scalar()
    return int(latest or 0) + 1


def _insert_report(
    connection: Connection,
    doc: ExtractedDocument,
    agency_id: int,
    version: int,
    content: str,
    source_id: int,
) -> int:
    values = _report_row(doc, agency_id, version, content, source_id)
    return int(connection.execute(insert(reports).returning(reports.c.id), values).scalar_one())


def _report_row(
    doc: ExtractedDocument, agency_id: int, version: int, content: str, source_id: int
) -> dict[str, Any]:
    r = doc.report
    return {
        "agency_id": agency_id,
        "fiscal_year_be": r.fiscal_year_be,
        "fiscal_year_ce": r.fiscal_year_ce,
        "title": r.title,
        "agency_name": r.agency,
        "agency_abbr": r.agency_abbr,
        "version": version,
        "superseded": False,
        "content_sha256": content,
        "source_id": source_id,
        "parser_version": doc.parser_version,
        "warnings": list(doc.warnings),
        "repairs": dict(doc.repairs),
        "loaded_at": _now(),
    }


def database_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)

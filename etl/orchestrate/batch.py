"""A batch of thousands of reports: parsed in parallel, loaded by one writer, streamed.

::

    locations ─▶ feeder thread ───────────────▶ main thread ─────────────▶ executor
                 (I/O threads: hash each file,   known & settled: a result  (worker processes
                  or fetch each URL into the     else: submit parse_source  or a Dask cluster:
                  blob store; one query per      results loaded in the      parse_source, pure)
                  chunk for what is known)       order submitted, one
                                                 transaction each

- **Same result whatever the worker count.** Results are loaded in the order the sources
  were named, whichever finishes first: which version of a report is current, and even the
  ids on SQLite, are those of a serial run. At most ``window`` documents are parsed ahead of
  the oldest one not loaded yet.
- **Memory does not grow with the batch.** Sources flow through bounded queues; a summary
  keeps counts and failures, not every result (unless asked, for the API).
- **Cheap re-runs.** A source whose sha256 is recorded for this parser version is not sent to
  a worker: hashing is all it costs. A URL is fetched with a conditional GET.
- **Killed at any point, run again.** Each document is one transaction; a blob is on disk
  before any row names it. The next run loads what is missing and skips the rest.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from pathlib import Path
from typing import Protocol

from etl.orchestrate import fetch
from etl.orchestrate.blobs import BlobStore
from etl.orchestrate.parse import parse_source
from etl.orchestrate.sources import Skipped, fingerprint
from etl.orchestrate.workers import InlineExecutor, Limits, SandboxPool
from etl.transform import pipeline
from extractors.ocr.options import OcrOptions
from loaders import urls
from loaders.locks import ingest_lock
from loaders.store import (
    KnownSource,
    LoadResult,
    ParseOutcome,
    Store,
    database_path,
    unreadable_key,
)
from schemas.errors import InputError, ItaEtlError, UsageError

CHUNK = 64
"""Sources hashed (or fetched) together and looked up in one query."""
FETCH_THREADS = 4
_BACKLOG = 1024
"""Settled results that may wait behind a slow document before the feeder is held back."""
_POLL_SECONDS = 0.1
LOAD_GROUP = 32
"""Finished documents at the head of the line loaded in one transaction (``Store.load_many``):
one commit for the group instead of one a document. A group is said once committed, so a
run killed between the commit and the saying leaves at most this many documents loaded
but unsaid; the next run finds them unchanged."""
BLOBS_DIR_NAME = "ita-etl-blobs"
WINDOW_PER_WORKER = 32
"""Documents parsed ahead of the oldest not yet loaded, per worker: enough that one slow PDF
at the head of the line does not leave the other workers idle."""


# --- how a batch runs, and who hears about it ---------------------------------------------


@dataclass(frozen=True)
class IngestOptions:
    """How a batch runs; every field's default is the ``ita-etl ingest`` default."""

    workers: int | None = None
    """Worker processes parsing at once; None: one per core; 0: in this process, with no
    time limit or isolation."""
    executor: str = "local"
    """``local``, or ``dask://HOST:PORT`` for a Dask cluster."""
    limits: Limits = field(default_factory=Limits)
    retry_failed: bool = False
    """Parse again only the sources recorded as failed (narrowed to the sources named)."""
    blobs: str | Path | None = None
    """Folder keeping downloaded reports; None: ``ita-etl-blobs`` beside a SQLite file."""
    wait: bool = False
    """Wait for another ingest holding the database instead of failing."""
    keep_results: bool = True
    """Keep every source's result in the summary (a batch of thousands keeps failures only)."""
    ocr: OcrOptions | None = None
    """How PDF pages without a usable text layer are read (None: OCR'd, no cache)."""
    download_timeout: float = fetch.DOWNLOAD_TIMEOUT_SECONDS
    """Seconds one URL's download may take in all (0: no limit; each read has its own)."""


class Reporter(Protocol):
    """Who hears how a batch goes: the CLI's progress bar and log lines, or nobody."""

    def start(self, total: int) -> None:
        """How many sources the batch has, before the first one."""

    def waiting(self, message: str) -> None:
        """Another ingest holds the database and this one waits (``wait``); said once."""

    def result(self, result: LoadResult) -> None:
        """What became of one source, in the order the sources were named."""


class Silent:
    """A reporter that hears nothing (the default for notebooks)."""

    def start(self, total: int) -> None:
        pass

    def waiting(self, message: str) -> None:
        pass

    def result(self, result: LoadResult) -> None:
        pass


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
    skipped: list[Skipped] = field(default_factory=list)
    """What the folders held named like a report but that is no file to read (a symbolic
    link loop, a dangling link, a folder): not sources, but said."""

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
        statuses = (
            "new",
            "updated",
            "older",
            "unchanged",
            "duplicate",
            "failed",
            "failed_before",
        )
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
        older = f", {c['older']} older (kept, not current)" if c["older"] else ""
        skipped = (
            f"; {len(self.skipped)} skipped (named like reports but not files to read)"
            if self.skipped
            else ""
        )
        return (
            f"{self.total} sources: {c['new']} new, {c['updated']} updated{older}, "
            f"{c['unchanged']} unchanged, {c['duplicate']} duplicate (same content as a "
            f"loaded version), {c['failed']} failed{before}{skipped}"
        )


# --- the whole ingest -------------------------------------------------------------------


def ingest(
    store: Store,
    locations: Sequence[str],
    options: IngestOptions | None = None,
    reporter: Reporter | None = None,
) -> IngestSummary:
    """Ingest ``locations`` (files and URLs, ``sources.expand_sources``) into ``store`` on the
    executor ``options`` names. With ``retry_failed`` the sources are those recorded as failed,
    narrowed to ``locations`` when some are given."""
    options = options or IngestOptions()
    reporter = reporter or Silent()
    if options.retry_failed:
        wanted = set(locations)
        failed = store.failed_locations(pipeline.PARSER_VERSION)
        locations = [loc for loc in failed if not wanted or loc in wanted]
    elif not locations:
        raise UsageError("nothing to ingest: name files, folders, globs or URLs, or --from-list")
    blobs = default_blobs(store, options.blobs)
    if blobs is None and any(urls.is_url(loc) for loc in locations):
        raise UsageError("URLs need a folder to keep the downloads in: pass --blobs DIR")
    if not locations:
        reporter.start(0)
        return IngestSummary(keep_results=options.keep_results)
    with open_executor(options.executor, workers=options.workers, limits=options.limits) as (
        pool,
        window,
    ):
        reporter.start(len(locations))
        return run_batch(locations, store, pool, options, reporter, window=window, blobs=blobs)


def default_blobs(store: Store, folder: str | Path | None) -> BlobStore | None:
    """Where downloads are kept: ``folder`` if given, else ``ita-etl-blobs`` beside a SQLite
    file; None for another database (the caller must name a folder to ingest URLs)."""
    if folder is not None:
        return BlobStore(folder)
    database = database_path(store.url)
    return BlobStore(database.parent / BLOBS_DIR_NAME) if database is not None else None


# --- where parsing runs -----------------------------------------------------------------


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def open_executor(
    spec: str = "local", *, workers: int | None = None, limits: Limits | None = None
) -> Iterator[tuple[Executor, int]]:
    """The executor ``spec`` names and how many documents to keep in flight on it.

    ``local``: ``workers`` sandboxed processes (default: one per core; 0: in this process,
    with no time limit or isolation). ``dask://HOST:PORT``: the Dask cluster there. Closing
    stops every worker, killing any still parsing (the batch is over or was interrupted).
    """
    limits = limits or Limits()
    executor: Executor
    if spec.startswith("dask://"):
        from etl.orchestrate.cluster import DaskExecutor

        dask = DaskExecutor(spec, limits)
        executor, window = dask, WINDOW_PER_WORKER * dask.threads
    elif spec == "local":
        count = default_workers() if workers is None else workers
        if count < 0:
            raise UsageError(f"--workers must be 0 or more, not {count}")
        executor = InlineExecutor() if count == 0 else SandboxPool(count, limits)
        window = WINDOW_PER_WORKER * max(1, count)
    else:
        raise UsageError(f"unknown executor {spec!r}: use local or dask://HOST:PORT")
    try:
        yield executor, window
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


# --- the batch --------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One location, hashed or fetched: where a worker reads it and what the store knows."""

    location: str
    read_from: str | None = None
    sha256: str | None = None
    size_bytes: int = 0
    error: str | None = None
    fetched: urls.Fetched | None = None
    known: KnownSource | None = None


@dataclass
class _Slot:
    """A place in the loading order: a result already, or a parse under way."""

    prepared: Prepared
    result: LoadResult | None = None
    future: Future[ParseOutcome] | None = None
    submitted: float = 0.0
    failure: ParseOutcome | None = None
    """A failure to record when the slot's turn comes (a file that cannot be read)."""


def run_batch(
    locations: Sequence[str],
    store: Store,
    executor: Executor,
    options: IngestOptions,
    reporter: Reporter,
    *,
    window: int = 16,
    blobs: BlobStore | None = None,
    parser_version: str | None = None,
) -> IngestSummary:
    """Ingest ``locations`` into ``store``, parsing on ``executor``; holds the store's ingest
    lock throughout (``options.wait``: queue behind another ingest).

    ``options.retry_failed`` parses again sources recorded as failed (any stage) instead of
    reporting the recorded failure. Ctrl-C (KeyboardInterrupt) stops the batch between
    documents: the summary says ``interrupted`` and what was loaded stays loaded.
    """
    batch = _Batch(store, executor, window, options, reporter)
    version = parser_version or pipeline.PARSER_VERSION
    with ingest_lock(store, wait=options.wait, on_wait=reporter.waiting):
        feeder = _Feeder(
            locations,
            store,
            version,
            blobs,
            lookahead=max(2 * window, CHUNK),
            download_timeout=options.download_timeout,
        )
        try:
            batch.run(feeder)
        except KeyboardInterrupt:
            batch.summary.interrupted = True
            batch.cancel()
        finally:
            feeder.stop()
    return batch.summary


class _Batch:
    """The main thread's part: submit in order, load in order, at most ``window`` ahead."""

    def __init__(
        self,
        store: Store,
        executor: Executor,
        window: int,
        options: IngestOptions,
        reporter: Reporter,
    ) -> None:
        self.store = store
        self.executor = executor
        self.window = max(1, window)
        self.retry_failed = options.retry_failed
        self.ocr = options.ocr
        self.reporter = reporter
        self.summary = IngestSummary(keep_results=options.keep_results)
        self.pending: deque[_Slot] = deque()
        self.in_flight = 0
        self.failed_here: set[str] = set()
        """The bytes that failed in this run: a copy of them failed now, not "before"."""
        self.started = time.perf_counter()

    def run(self, feeder: _Feeder) -> None:
        self.started = time.perf_counter()
        for prepared in feeder.items(idle=lambda: self.settle(block=False)):
            self.pending.append(self.dispatch(prepared))
            self.settle(block=False)
        self.settle(block=True)
        self.summary.seconds = time.perf_counter() - self.started

    def dispatch(self, prepared: Prepared) -> _Slot:
        """A source's place in line: its result when nothing needs parsing, else a parse."""
        if prepared.fetched is not None:
            urls.record_fetches(self.store, [prepared.fetched])
        known = prepared.known
        if prepared.error is not None and prepared.sha256 and prepared.fetched is None:
            if known is not None and known.skips(self.retry_failed):  # unreadable last time
                return _Slot(prepared, known.as_result(prepared.location))
            failure = ParseOutcome(
                prepared.location,
                prepared.sha256,
                0,
                pipeline.PARSER_VERSION,
                None,
                "OSError",
                prepared.error,
                stage="input",
            )
            return _Slot(prepared, failure=failure)
        if prepared.error is not None or prepared.read_from is None:
            reason = prepared.error or "nothing to read"
            return _Slot(prepared, LoadResult(prepared.location, "failed", reason))
        if known is not None and known.skips(self.retry_failed):
            return _Slot(prepared, known.as_result(prepared.location))
        self.summary.parsed += 1
        self.in_flight += 1
        future = self.executor.submit(parse_source, prepared.read_from, prepared.location, self.ocr)
        return _Slot(prepared, future=future, submitted=time.perf_counter())

    def settle(self, *, block: bool) -> None:
        """Load the finished parses at the head of the line, in order, up to ``LOAD_GROUP``
        at a time. Waits for the head while the window (or the backlog behind it) is full;
        with ``block``, until the line is empty."""
        while self.pending:
            head = self.pending[0]
            if head.future is not None and not head.future.done():
                full = self.in_flight >= self.window or len(self.pending) > self.window + _BACKLOG
                if not (block or full):
                    return
                wait_for([head.future])
            group = self._finished_group()
            for slot, result in zip(group, self._load_group(group), strict=True):
                self.pending.popleft()
                sha256 = slot.prepared.sha256 or ""
                if result.status == "failed":
                    self.failed_here.add(sha256)
                elif result.status == "failed_before" and sha256 in self.failed_here:
                    result = replace(result, status="failed")
                self.summary.add(result)
                self.reporter.result(result)

    def _finished_group(self) -> list[_Slot]:
        """The slots at the head of the line whose parse is over (the head's is)."""
        group: list[_Slot] = []
        for slot in self.pending:
            if len(group) == LOAD_GROUP or (slot.future is not None and not slot.future.done()):
                break
            group.append(slot)
        return group

    def _load_group(self, group: list[_Slot]) -> list[LoadResult]:
        """The slots' results in order: those known already, the rest loaded together."""
        to_load = [(slot, self._outcome(slot)) for slot in group if slot.result is None]
        loaded = self.store.load_many([o for _, o in to_load], retry_failed=self.retry_failed)
        found = {
            id(slot): (outcome, result)
            for (slot, outcome), result in zip(to_load, loaded, strict=True)
        }
        results: list[LoadResult] = []
        for slot in group:
            if slot.result is not None:
                results.append(slot.result)
                continue
            outcome, result = found[id(slot)]
            if outcome.ocr_pages:
                result = replace(result, ocr_pages=outcome.ocr_pages, ocr_cached=outcome.ocr_cached)
            results.append(result)
        return results

    def _outcome(self, slot: _Slot) -> ParseOutcome:
        """What the slot's document came to: a failure to record, or its parse."""
        if slot.failure is not None:
            return slot.failure
        assert slot.future is not None
        self.in_flight -= 1
        p = slot.prepared
        try:
            outcome = slot.future.result()
        except Exception as error:  # the worker's failure, not the parser's
            outcome = ParseOutcome.failure(
                p.location, p.sha256 or "", p.size_bytes, error, _reason(error), slot.submitted
            )
        fetched = p.fetched
        if outcome.source_date is None and fetched is not None and fetched.last_modified:
            outcome = replace(outcome, source_date=http_date(fetched.last_modified))
        return outcome

    def cancel(self) -> None:
        for slot in self.pending:
            if slot.future is not None:
                slot.future.cancel()
        self.pending.clear()
        self.summary.seconds = time.perf_counter() - self.started


def http_date(value: str) -> datetime | None:
    """An HTTP date (Last-Modified) in UTC; None when it is not one."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _reason(error: BaseException) -> str:
    """What the failure of a worker (not of the parser) is recorded as."""
    if isinstance(error, MemoryError):
        return "ran out of memory"
    if isinstance(error, ItaEtlError):
        return error.reason
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


# --- the feeder -------------------------------------------------------------------------

_END = object()


class _Feeder:
    """Hashes files and fetches URLs ahead of the main thread, in order, in a thread of its
    own (with I/O threads under it), and asks the store what it knows, a chunk at a time."""

    def __init__(
        self,
        locations: Sequence[str],
        store: Store,
        parser_version: str,
        blobs: BlobStore | None,
        *,
        lookahead: int,
        download_timeout: float = fetch.DOWNLOAD_TIMEOUT_SECONDS,
    ) -> None:
        self.locations = locations
        self.download_timeout = download_timeout
        self.store = store
        self.parser_version = parser_version
        self.blobs = blobs
        self.queue: queue.Queue[object] = queue.Queue(maxsize=lookahead)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ita-etl feeder", daemon=True)
        self.thread.start()

    def items(self, *, idle: Callable[[], None]) -> Iterator[Prepared]:
        """The prepared sources in order; ``idle`` runs while the next one is not ready."""
        while True:
            try:
                item = self.queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                idle()
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Prepared)
            yield item

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _put(self, item: object) -> bool:
        while not self.stopping.is_set():
            try:
                self.queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            with ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="ita-etl io") as io:
                it = iter(self.locations)
                while chunk := list(islice(it, CHUNK)):
                    if not self._feed(chunk, io):
                        return
        except BaseException as error:
            self._put(error)
            return
        self._put(_END)

    def _feed(self, chunk: list[str], io: ThreadPoolExecutor) -> bool:
        remembered = urls.validators(self.store, chunk)
        prepared = list(io.map(lambda loc: self._prepare(loc, remembered), chunk))
        hashes = [p.sha256 for p in prepared if p.sha256]
        known = self.store.known_many(hashes, self.parser_version)
        for p in prepared:
            if self.stopping.is_set():
                return False
            if not self._put(replace(p, known=known.get(p.sha256 or ""))):
                return False
        return True

    def _prepare(self, location: str, remembered: dict[str, urls.Validators]) -> Prepared:
        if urls.is_url(location):
            assert self.blobs is not None
            got = fetch.fetch(
                location, remembered.get(location), self.blobs, deadline=self.download_timeout
            )
            if got.sha256 is None:
                return Prepared(location, error=got.error, fetched=got)
            read_from = str(self.blobs.path(got.sha256))
            return Prepared(location, read_from, got.sha256, got.size_bytes or 0, fetched=got)
        try:
            sha256, size = fingerprint(location)
        except OSError as error:
            reason = f"cannot read the file: {error.strerror or error}"
            if isinstance(error, FileNotFoundError):  # gone since it was named: nothing to keep
                return Prepared(location, error=reason)
            # there but unreadable: recorded under a key of its path (store.unreadable_key)
            return Prepared(location, sha256=unreadable_key(location), error=reason)
        except InputError as error:  # not a regular file
            return Prepared(location, error=error.reason)
        return Prepared(location, str(Path(location).resolve()), sha256, size)

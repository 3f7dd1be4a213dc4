"""Shared fixtures. ``db_url`` runs a test once on SQLite and once on the real PostgreSQL.

PostgreSQL: a fresh schema per test on the server at ``$ITA_ETL_TEST_PG_URL`` (default
127.0.0.1:5432, database ``test``, user ``postgres``, trust auth), dropped afterwards. Where no
server answers the test is skipped with the reason, unless ``ITA_ETL_REQUIRE_POSTGRES=1`` (CI),
where it fails. OCR tests are marked ``@needs_tesseract`` the same way
(``ITA_ETL_REQUIRE_OCR=1``).

Real documents: the whole real PDFs live outside the repository in ../shared/realdocs (or
``$ITA_ETL_REALDOCS``); tests that read them are marked ``@needs_realdocs(...)`` and skip
saying so. Excerpts of them that show each defect are committed in tests/fixtures/realdocs/
and always run (tests/test_realdocs_regressions.py).

Processes: tests that run ``ita-etl`` as a real process wait on what it prints
(``Lines``) and on its processes ending (``wait_until_gone``), never on a clock; a timeout
there only keeps a broken run from hanging the suite.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import select
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import pytest
from sqlalchemy.engine import make_url

from etl.app.database import Database
from etl.orchestrate import batch
from etl.orchestrate.batch import IngestOptions, IngestSummary
from etl.orchestrate.sources import expand_sources
from loaders.store import Store

SAMPLES = Path(__file__).parents[1] / "samples"
_SHARED = Path(__file__).resolve().parents[2] / "shared"
REALDOCS = Path(os.environ.get("ITA_ETL_REALDOCS") or _SHARED / "realdocs")
"""The real PDFs of ../shared/realdocs (MANIFEST.tsv there names their sources)."""


def _tesseract_missing() -> str | None:
    from extractors.ocr.engine import OcrUnavailableError, open_engine
    from extractors.ocr.options import OcrOptions

    try:
        open_engine(OcrOptions())
    except OcrUnavailableError as error:
        return f"Tesseract is not usable here ({error})"
    return None


TESSERACT_MISSING = _tesseract_missing()
if TESSERACT_MISSING is not None and os.environ.get("ITA_ETL_REQUIRE_OCR") == "1":
    raise RuntimeError(f"{TESSERACT_MISSING}, and ITA_ETL_REQUIRE_OCR=1 (CI) needs it")
needs_tesseract = pytest.mark.skipif(TESSERACT_MISSING is not None, reason=TESSERACT_MISSING or "")
"""OCR tests skip, saying why, where Tesseract's Thai model is not installed; under
``ITA_ETL_REQUIRE_OCR=1`` (CI) the run fails instead, so a failed install hides nothing."""


def needs_realdocs(what: str) -> pytest.MarkDecorator:
    """Skip, saying why, where ../shared/realdocs is not beside the checkout."""
    return pytest.mark.skipif(
        not REALDOCS.is_dir(),
        reason=f"../shared/realdocs not present: {what} (set ITA_ETL_REALDOCS to its path)",
    )


def pytest_report_header() -> str:
    if REALDOCS.is_dir():
        return f"realdocs: {REALDOCS}"
    return (
        f"realdocs: ../shared/realdocs not present ({REALDOCS}): tests of whole real PDFs "
        "skip; the excerpts in tests/fixtures/realdocs run"
    )


def ingest(db: str, sources: Sequence[str | Path], **options: Any) -> IngestSummary:
    """Ingest through ``etl.Database``, the object the CLI uses; ``options`` are
    ``IngestOptions`` fields (and ``from_list``)."""
    from_list = options.pop("from_list", None)
    with Database(db) as database:
        return database.ingest(sources, from_list=from_list, options=IngestOptions(**options))


def ingest_into(store: Store, sources: Sequence[str | Path], **options: Any) -> IngestSummary:
    """Ingest into an open ``Store`` (a test watching its engine), in this process unless
    ``options`` say otherwise."""
    options.setdefault("workers", 0)
    return batch.ingest(store, expand_sources(sources), IngestOptions(**options))


PG_URL = os.environ.get("ITA_ETL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_schema() -> Iterator[str]:
    import psycopg

    server = make_url(PG_URL).set(drivername="postgresql")
    dsn = server.render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        message = f"PostgreSQL not reachable on {server.host}:{server.port or 5432}: {reason}"
        if os.environ.get("ITA_ETL_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ita.db'}"
    else:
        yield from _postgres_schema()


@pytest.fixture
def two_years(tmp_path: Path) -> Path:
    """A folder holding the seed's 2566 report (text) and the 2567 report (HTML)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("dla_2566.txt", "dla_2567.html"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    return folder


# --- batch ingestion (issue 5): corpora, several fresh databases, canonical dumps ------------

ROOT = Path(__file__).parents[1]
ITA_ETL = [sys.executable, "-m", "etl.app.cli"]
"""The command line, run as a real process (the batch tests kill it, time it, race it)."""


def _corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_corpus", ROOT / "benchmarks" / "make_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class CorpusFile:
    """One line of the MANIFEST.tsv make_corpus writes: what the file is meant to be."""

    name: str
    kind: str  # report | pdf | bad
    agency: str
    year_be: int | None
    template: str


@dataclass(frozen=True)
class Corpus:
    folder: Path
    files: list[CorpusFile]

    def of_kind(self, *kinds: str) -> list[CorpusFile]:
        return [f for f in self.files if f.kind in kinds]

    @property
    def ingested(self) -> list[CorpusFile]:
        """The files a folder ingest takes (report suffixes only: a .bin is not tried)."""
        suffixes = (".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".tsv")
        return [f for f in self.files if f.name.endswith(suffixes)]


@pytest.fixture(scope="session")
def corpus_maker() -> Callable[..., Corpus]:
    """``make(folder, count, seed=0, bad_share=0.03, with_pdfs=True) -> Corpus``."""
    module = _corpus_module()

    def make(folder: Path, count: int, **options: Any) -> Corpus:
        module.make_corpus(folder, count, **options)
        lines = (folder / module.MANIFEST).read_text(encoding="utf-8").splitlines()[1:]
        files = []
        for line in lines:
            name, kind, agency, year, template = line.split("\t")
            files.append(CorpusFile(name, kind, agency, int(year) if year else None, template))
        return Corpus(folder, files)

    return make


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A maker of empty databases of one kind (SQLite files, or PostgreSQL schemas), for tests
    that compare two runs."""
    with ExitStack() as stack:
        made = 0

        def make() -> str:
            nonlocal made
            made += 1
            if request.param == "sqlite":
                (tmp_path / f"db{made}").mkdir()
                return f"sqlite:///{tmp_path / f'db{made}' / 'ita.db'}"
            return stack.enter_context(contextmanager(_postgres_schema)())

        yield make


def canonical_dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows by natural keys (agency key, fiscal year, version, ordinals), without
    ids, timestamps or timings: equal dumps mean the same contents however they were loaded."""
    from sqlalchemy import create_engine, text

    from loaders.db import resolve_url

    report = "a.agency_key, r.fiscal_year_be, r.version"
    joins = "JOIN reports r ON r.id = e.report_id JOIN agencies a ON a.id = r.agency_id"
    item = (
        f"{report}, e.ordinal, i.role, i.ordinal, i.text FROM items i "
        f"JOIN entries e ON e.id = i.entry_id {joins}"
    )
    queries = {
        "agencies": "SELECT agency_key, name, abbr FROM agencies",
        "sources": (
            "SELECT s.path, s.sha256, s.parser_version, s.size_bytes, s.format, s.pages, s.status, "
            "s.stage, s.error_type, s.error, a.agency_key, r.fiscal_year_be, r.version "
            "FROM sources s LEFT JOIN reports r ON r.id = s.report_id "
            "LEFT JOIN agencies a ON a.id = r.agency_id"
        ),
        "reports": (
            f"SELECT {report}, r.fiscal_year_ce, r.title, r.agency_name, r.agency_abbr, "
            "r.superseded, r.content_sha256, r.parser_version, r.warnings, r.repairs, s.sha256 "
            "FROM reports r JOIN agencies a ON a.id = r.agency_id "
            "JOIN sources s ON s.id = r.source_id"
        ),
        "entries": (
            f"SELECT {report}, e.ordinal, e.tool, e.tool_weight_pct, e.indicators, "
            f"e.indicator_names, e.page_first, e.page_last, e.warnings FROM entries e {joins}"
        ),
        "entry_indicators": (
            f"SELECT {report}, e.ordinal, ei.position, ei.number, ei.name, ei.raw "
            f"FROM entry_indicators ei JOIN entries e ON e.id = ei.entry_id {joins}"
        ),
        "items": (
            f"SELECT {report}, e.ordinal, i.role, i.ordinal, i.heading, i.text, i.raw, i.marker, "
            f"i.search_text, i.search_tokens, i.unit_name FROM items i "
            f"JOIN entries e ON e.id = i.entry_id "
            f"{joins}"
        ),
        "refs": (
            f"SELECT f.position, f.kind, f.raw, f.value, f.value_number, f.unit, "
            f"{item} JOIN refs f ON f.item_id = i.id"
        ),
        "corrections": (
            f"SELECT c.position, c.kind, c.original, c.corrected, "
            f"{item} JOIN corrections c ON c.item_id = i.id"
        ),
        "measure_changes": (
            "SELECT agency_key, from_year_be, to_year_be, position, status, indicator, "
            "from_indicator, to_indicator, similarity, from_text, to_text FROM measure_changes"
        ),
        "urls": (
            "SELECT url, etag, last_modified, sha256, size_bytes, content_type, http_status, "
            "error FROM urls"
        ),
    }
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                queries["items_fts"] = (  # the items the search index holds
                    f"SELECT {item} JOIN items_fts_docsize s ON s.id = i.id"
                )
            return {
                table: sorted((tuple(row) for row in connection.execute(text(sql))), key=repr)
                for table, sql in queries.items()
            }
    finally:
        engine.dispose()


def table_counts(url: str) -> dict[str, int]:
    return {table: len(rows) for table, rows in canonical_dump(url).items()}


def minimal_pdf(flate_stream: bytes) -> bytes:
    """One page whose content is ``flate_stream`` (FlateDecode), Helvetica as its font."""
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(flate_stream)
            + flate_stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def pdf_of_objects(objects: Sequence[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog) and its xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture(scope="session")
def endless_pdf() -> bytes:
    """A report whose parse never ends on its own: only a limit stops it, however loaded the
    machine (a merely slow file would race the limit)."""
    return endless_pdf_bytes()


def memory_bomb_pdf(megabytes: int = 1024) -> bytes:
    """A valid one-page PDF of about 1 MB whose content stream inflates to ``megabytes``: a
    parser that reads the page holds all of it in memory."""
    squeeze = zlib.compressobj(9)
    block = b" " * (1 << 20)
    stream = b"".join(squeeze.compress(block) for _ in range(megabytes)) + squeeze.flush()
    return minimal_pdf(stream)


# --- waiting on a running process: its words and its end, not the clock ------------------------

HANG_GUARD = 120.0
"""Seconds after which a wait that should have ended fails instead of hanging the suite."""


class Lines:
    """What a running process prints on one stream, line by line as it prints it (a thread
    reads the pipe), so that a test acts on the process's own words: a document loaded, a
    lock waited for."""

    def __init__(self, stream: IO[str] | None) -> None:
        assert stream is not None, "start the process with this stream piped"
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._ended = False
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def _next(self, timeout: float) -> str | None:
        if self._ended:
            return None
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"nothing printed for {timeout} s; last lines: {self.lines[-5:]}")
        if line is None:
            self._ended = True
        else:
            self.lines.append(line)
        return line

    def wait_for(
        self, matches: Callable[[str], bool], count: int = 1, timeout: float = HANG_GUARD
    ) -> list[str]:
        """Read on until ``count`` lines have matched; the lines read so far. Fails if the
        stream ends first."""
        found = sum(1 for line in self.lines if matches(line))
        while found < count:
            line = self._next(timeout)
            if line is None:
                pytest.fail(
                    f"the output ended after {found} of {count} lines awaited; "
                    f"last lines: {self.lines[-5:]}"
                )
            found += matches(line)
        return list(self.lines)

    def rest(self, timeout: float = HANG_GUARD) -> list[str]:
        """Every line, once the process has closed the stream."""
        while self._next(timeout) is not None:
            pass
        return list(self.lines)


def process_group(pgid: int) -> list[int]:
    """The processes of group ``pgid`` (a run started with ``start_new_session``: the run and
    its workers), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(fields[2]) == pgid:  # state, ppid, pgrp
            found.append(int(stat.parent.name))
    return found


def wait_until_gone(pids: Sequence[int], timeout: float = HANG_GUARD) -> list[int]:
    """Wait for each process to end (a pidfd becomes readable when its process exits, zombie
    or reaped); the pids still running after ``timeout`` (none: all ended)."""
    running = []
    deadline = time.monotonic() + timeout
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                running.append(pid)
        finally:
            os.close(fd)
    return running


def endless_pdf_bytes(draws: int = 100_000, pairs: int = 10_000) -> bytes:
    """A valid one-page PDF of 3 KB whose page draws a form ``draws`` times, the form being
    ``pairs`` q/Q operator pairs: 2e9 operators, hours of parsing (about 30 s per 1e6
    operators for pdfminer here) in flat memory. A parse of it ends only if it is stopped."""
    form = zlib.compress(b"q Q " * pairs, 9)
    page = zlib.compress(b"/Fm0 Do " * draws, 9)
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Fm0 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Filter /FlateDecode "
            b"/Length %d >>\nstream\n" % len(form) + form + b"\nendstream",
        ]
    )

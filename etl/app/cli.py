"""The ``ita-etl`` command: a thin layer over the library API (see docs/cli.md).

Every command turns an ``ItaEtlError`` into one line on stderr naming the file and the reason,
and exits with the error's status (2 bad input, 3 store, 64 usage); docs/cli.md lists them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from schemas.errors import ItaEtlError

if TYPE_CHECKING:
    from etl.app.database import Database
    from etl.orchestrate.batch import IngestSummary
    from loaders.store import LoadResult

app = typer.Typer(
    name="ita-etl",
    help="Extract Thai ITA integrity-measure reports (PDF, HTML, text) and load them into SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
BROKEN_PIPE = 141
"""Exit status when the reader of stdout went away (``| head``): 128 + SIGPIPE, as a
command the signal ended would give."""


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that nothing more (not even the flush at exit) fails."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        _stdout_gone()
        raise SystemExit(BROKEN_PIPE)


stdout = _Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        stdout.print(f"ita-etl {version('ita-etl')}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Extract Thai ITA integrity-measure reports (PDF, HTML, text) and load them into SQL."""


def fail(message: str, code: int) -> typer.Exit:
    stderr.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def handles_errors(command: F) -> F:
    """One line and an exit status instead of a traceback (set ITA_ETL_DEBUG=1 to see it)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ItaEtlError as error:
            raise fail(f"error: {error.one_line()}", error.exit_code) from None
        except BrokenPipeError:  # the reader of stdout went away: nothing to say, nobody to hear
            _stdout_gone()
            raise typer.Exit(BROKEN_PIPE) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("ITA_ETL_DEBUG"):
                raise
            raise fail(f"error: unexpected {type(error).__name__}: {error}", 1) from None

    return wrapper  # type: ignore[return-value]


class ExtractFormat(StrEnum):
    json = "json"
    table = "table"


class OcrMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class OcrEngineName(StrEnum):
    tesseract = "tesseract"
    typhoon = "typhoon"


OcrOption = Annotated[
    OcrMode,
    typer.Option(
        "--ocr",
        help="auto: OCR pages with no text layer or a garbage one; always: every page; "
        "never: text layers only (docs/ocr.md).",
    ),
]
OcrEngineOption = Annotated[
    OcrEngineName,
    typer.Option("--ocr-engine", help="tesseract (CPU), or typhoon (an OpenAI-compatible server)."),
]
OcrCacheOption = Annotated[
    str | None,
    typer.Option(
        "--ocr-cache",
        envvar="ITA_ETL_OCR_CACHE",
        help="Folder keeping OCR results; 'off' for none. Default: ~/.cache/ita-etl/ocr "
        "($ITA_ETL_OCR_CACHE).",
        show_default=False,
    ),
]
TyphoonUrlOption = Annotated[
    str | None,
    typer.Option(
        "--typhoon-url",
        envvar="TYPHOON_BASE_URL",
        help="Base URL of the typhoon-ocr server, e.g. http://host:8000/v1 ($TYPHOON_BASE_URL).",
        show_default=False,
    ),
]
TyphoonKeyOption = Annotated[
    str | None,
    typer.Option(
        "--typhoon-key",
        envvar="TYPHOON_OCR_API_KEY",
        help="API key of the typhoon-ocr server ($TYPHOON_OCR_API_KEY; safer than the option, "
        "which other users can see in the process list).",
        show_default=False,
    ),
]
TyphoonModelOption = Annotated[
    str,
    typer.Option(
        "--typhoon-model",
        envvar="TYPHOON_OCR_MODEL",
        help="Model name the typhoon-ocr server serves ($TYPHOON_OCR_MODEL).",
    ),
]
OcrPageTimeoutOption = Annotated[
    float,
    typer.Option(
        "--ocr-page-timeout",
        min=0.001,
        help="Seconds the OCR of one page may take; a page over it is not read, and named.",
    ),
]
DocTimeoutOption = Annotated[
    float,
    typer.Option(
        "--doc-timeout",
        help="Seconds one document may take to parse, plus --ocr-page-timeout for each "
        "page it OCRs; 0: no limit.",
    ),
]
DocMemoryOption = Annotated[
    int,
    typer.Option("--doc-memory", help="Megabytes of memory per worker; 0: no limit."),
]


def _limited(path: Path, doc_timeout: float, doc_memory: int, fn: Any, /, **kwargs: Any) -> Any:
    """``fn(path, **kwargs)`` in a sandboxed worker under ingest's limits, so that a file
    that loops or explodes in memory is stopped, and named (ITA_ETL_DEBUG=1: in this
    process, for a traceback)."""
    from etl.orchestrate.workers import Limits, run_alone

    if os.environ.get("ITA_ETL_DEBUG"):
        return fn(path, **kwargs)
    try:
        return run_alone(Limits(doc_timeout or None, doc_memory or None), fn, path, **kwargs)
    except ItaEtlError as error:
        error.path = error.path or str(path)
        raise


def _ocr_options(
    mode: OcrMode,
    engine: OcrEngineName,
    cache: str | None,
    workers: int = 1,
    typhoon_url: str | None = None,
    typhoon_key: str | None = None,
    typhoon_model: str = "typhoon-ocr",
    page_timeout: float = 120.0,
) -> Any:
    from extractors.ocr.options import OcrOptions, default_cache_dir

    folder = None if cache == "off" else cache or default_cache_dir()
    return OcrOptions(
        mode=mode.value,
        engine=engine.value,
        workers=max(1, workers),
        cache=folder,
        page_timeout=page_timeout,
        typhoon_url=typhoon_url,
        typhoon_key=typhoon_key,
        typhoon_model=typhoon_model,
    )


@app.command()
@handles_errors
def extract(
    path: Annotated[
        Path,
        typer.Argument(help="A report: PDF, HTML, Markdown or tab-separated text.", readable=False),
    ],
    format: Annotated[
        ExtractFormat, typer.Option("--format", "-f", help="json or table.")
    ] = ExtractFormat.json,
    password: Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")] = None,
    ocr: OcrOption = OcrMode.auto,
    ocr_engine: OcrEngineOption = OcrEngineName.tesseract,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Pages OCR'd at once.")] = 1,
    ocr_cache: OcrCacheOption = None,
    typhoon_url: TyphoonUrlOption = None,
    typhoon_key: TyphoonKeyOption = None,
    typhoon_model: TyphoonModelOption = "typhoon-ocr",
    ocr_page_timeout: OcrPageTimeoutOption = 120.0,
    doc_timeout: DocTimeoutOption = 60.0,
    doc_memory: DocMemoryOption = 2048,
) -> None:
    """Parse one report and print its records (nothing is stored). It is parsed in a
    worker process under the limits ingest gives each document (--doc-timeout,
    --doc-memory)."""
    from etl.app.output import print_table, to_json
    from etl.transform.pipeline import extract_file

    options = _ocr_options(
        ocr,
        ocr_engine,
        ocr_cache,
        workers,
        typhoon_url,
        typhoon_key,
        typhoon_model,
        ocr_page_timeout,
    )
    doc = _limited(path, doc_timeout, doc_memory, extract_file, password=password, ocr=options)
    if format is ExtractFormat.json:
        sys.stdout.write(to_json(doc) + "\n")
    else:
        print_table(doc, stdout)


@app.command()
@handles_errors
def text(
    path: Annotated[Path, typer.Argument(help="A PDF.", readable=False)],
    raw: Annotated[bool, typer.Option("--raw", help="pdfplumber's own text, unrepaired.")] = False,
    password: Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")] = None,
    stats: Annotated[
        bool,
        typer.Option("--stats", help="Also list the repairs made and the glyphs read, on stderr."),
    ] = False,
    ocr: OcrOption = OcrMode.auto,
    ocr_engine: OcrEngineOption = OcrEngineName.tesseract,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Pages OCR'd at once.")] = 1,
    ocr_cache: OcrCacheOption = None,
    typhoon_url: TyphoonUrlOption = None,
    typhoon_key: TyphoonKeyOption = None,
    typhoon_model: TyphoonModelOption = "typhoon-ocr",
    ocr_page_timeout: OcrPageTimeoutOption = 120.0,
    doc_timeout: DocTimeoutOption = 60.0,
    doc_memory: DocMemoryOption = 2048,
) -> None:
    """Print a PDF's text in reading order, Thai repaired (docs/thai-text.md): its text layer,
    or OCR for pages without a usable one (docs/ocr.md); pages end with a form feed, like
    pdftotext. Read in a worker process under ingest's limits (--doc-timeout, --doc-memory)."""
    from etl.transform.pipeline import pdf_text_file

    options = _ocr_options(
        ocr,
        ocr_engine,
        ocr_cache,
        workers,
        typhoon_url,
        typhoon_key,
        typhoon_model,
        ocr_page_timeout,
    )
    result = _limited(
        path, doc_timeout, doc_memory, pdf_text_file, password=password, raw=raw, ocr=options
    )
    sys.stdout.write(result.text)
    for warning in result.warnings:
        stderr.print(f"warning: {path}: {warning}", markup=False)
    if stats:
        for name, count in result.repairs:
            stderr.print(f"{name}\t{count}", markup=False, highlight=False)
        for glyph in result.glyphs:
            stderr.print(f"glyph\t{glyph}", markup=False, highlight=False)


# --- the store: ingest, compare, search, export, status, db (docs/cli.md) -------------------

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL (postgresql://… works) or SQLite file. "
        "Default: $ITA_ETL_DB, else ./ita.db.",
        show_default=False,
    ),
]


DbTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--db-timeout",
        envvar="ITA_ETL_DB_TIMEOUT",
        min=0,
        help="Seconds to wait for the database to connect, or for a lock another session "
        "holds; 0: for ever. Default: 30 ($ITA_ETL_DB_TIMEOUT).",
        show_default=False,
    ),
]


class RowsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


RowsFormatOption = Annotated[RowsFormat, typer.Option("--format", "-f", help="table, json or csv.")]


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


class Role(StrEnum):
    measure = "measure"
    result = "result"
    outcome = "outcome"
    unit = "unit"


def _print_rows(columns: list[str], rows: list[dict[str, Any]], format: RowsFormat) -> None:
    """Rows as a table for people, or JSON / CSV for programs."""
    import csv
    import json

    if format is RowsFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif format is RowsFormat.csv:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=columns, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    else:
        from etl.app.output import rows_table

        cells = (("" if row[c] is None else str(row[c]) for c in columns) for row in rows)
        stdout.print(rows_table(columns, cells))


class LogFormat(StrEnum):
    text = "text"
    json = "json"


INTERRUPTED = 130
TERMINATED = 143


class _Signals:
    """SIGTERM (a scheduler stopping the run) handled like Ctrl-C, remembering which came."""

    def __init__(self) -> None:
        self.terminated = False

    def __call__(self, _signum: int, _frame: object) -> None:
        self.terminated = True
        raise KeyboardInterrupt

    @property
    def exit_code(self) -> int:
        return TERMINATED if self.terminated else INTERRUPTED


class _IngestReport:
    """What ``ingest`` shows as it goes: a progress bar on a terminal, else a line per
    document (text or JSON); failures always, on stderr (text) or as JSON objects."""

    def __init__(self, quiet: bool, log_format: LogFormat) -> None:
        self.quiet = quiet
        self.json = log_format is LogFormat.json
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int) -> None:
        if self.quiet or self.json or not stderr.is_terminal or total == 0:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=stderr,
            transient=True,
        )
        self.task = self.bar.add_task("ingest", total=total, rate="")
        self.bar.start()

    def waiting(self, message: str) -> None:
        if not self.quiet or self.json:
            self._error(message)

    def result(self, result: LoadResult) -> None:
        if self.json:
            if not self.quiet or result.status == "failed":
                self._json(
                    event="document",
                    path=result.path,
                    status=result.status,
                    seconds=None if result.seconds is None else round(result.seconds, 4),
                    error=result.reason,
                    agency_key=result.agency_key,
                    fiscal_year_be=result.fiscal_year_be,
                    version=result.version,
                    ocr_pages=result.ocr_pages,
                    ocr_cached=result.ocr_cached,
                    warnings=list(result.warnings),
                )
        elif result.status == "failed":
            self._error(result.line())
        elif not self.quiet and self.bar is None:
            stdout.print(result.line(), markup=False, highlight=False)
        if self.bar is not None:
            speed = self.bar.tasks[0].speed
            rate = f"{speed:.1f} files/s" if speed else ""
            self.bar.update(self.task, advance=1, rate=rate)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def finish(self, summary: IngestSummary) -> None:
        self.stop()
        if self.json:
            for entry in summary.skipped:
                self._json(event="skipped", path=entry.path, reason=entry.reason)
            self._json(
                event="summary",
                sources=summary.total,
                **summary.counts,
                skipped=len(summary.skipped),
                parsed=summary.parsed,
                seconds=round(summary.seconds, 3),
                interrupted=summary.interrupted,
            )
            return
        for entry in summary.skipped:
            self._error(entry.line())
        if summary.interrupted:
            self._error(
                f"interrupted after {summary.total} sources; what was loaded stays loaded, "
                "run the same command again to finish"
            )
        stdout.print(summary.line(), markup=False, highlight=False)
        if not self.quiet:
            stdout.print(_parsed_line(summary), markup=False, highlight=False)

    def _error(self, line: str) -> None:
        console = self.bar.console if self.bar is not None else stderr
        console.print(line, markup=False, highlight=False)

    def _json(self, **fields: Any) -> None:
        import json

        sys.stdout.write(json.dumps(fields, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


def _parsed_line(summary: IngestSummary) -> str:
    """How many documents were parsed and how fast; no rate when none was."""
    if not summary.parsed:
        sources = "source" if summary.total == 1 else "sources"
        return f"nothing parsed ({summary.total} {sources} looked at in {summary.seconds:.1f} s)"
    rate = summary.parsed / summary.seconds if summary.seconds else 0.0
    return f"{summary.parsed} parsed in {summary.seconds:.1f} s ({rate:.1f} documents/s)"


@app.command()
@handles_errors
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Report files, folders (searched recursively), globs or http(s) URLs.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
    from_list: Annotated[
        Path | None,
        typer.Option(
            "--from-list",
            help="A file naming more sources, one per line (# comments); - for stdin.",
            readable=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            help="Worker processes parsing at once. Default: one per core; "
            "0: in this process (no time limit or isolation).",
            show_default=False,
        ),
    ] = None,
    executor: Annotated[
        str,
        typer.Option("--executor", help="local, or dask://HOST:PORT for a Dask cluster."),
    ] = "local",
    doc_timeout: DocTimeoutOption = 60.0,
    doc_memory: DocMemoryOption = 2048,
    retry_failed: Annotated[
        bool,
        typer.Option("--retry-failed", help="Only parse again the sources recorded as failed."),
    ] = False,
    blobs: Annotated[
        Path | None,
        typer.Option(
            "--blobs",
            envvar="ITA_ETL_BLOBS",
            help="Folder keeping downloaded reports. Default: ita-etl-blobs beside a SQLite "
            "database ($ITA_ETL_BLOBS).",
            show_default=False,
        ),
    ] = None,
    download_timeout: Annotated[
        float,
        typer.Option(
            "--download-timeout",
            min=0,
            help="Seconds one URL's download may take in all; 0: no limit (each wait for the "
            "server is limited to 60 s anyway).",
        ),
    ] = 600.0,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another ingest holds the database, wait for it."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only failures and the summary.")
    ] = False,
    log_format: Annotated[
        LogFormat,
        typer.Option("--log-format", help="text, or json: one JSON object per document."),
    ] = LogFormat.text,
    ocr: OcrOption = OcrMode.auto,
    ocr_engine: OcrEngineOption = OcrEngineName.tesseract,
    ocr_cache: OcrCacheOption = None,
    typhoon_url: TyphoonUrlOption = None,
    typhoon_key: TyphoonKeyOption = None,
    typhoon_model: TyphoonModelOption = "typhoon-ocr",
    ocr_page_timeout: OcrPageTimeoutOption = 120.0,
) -> None:
    """Load reports into the database, parsed in parallel; a failed document loses its rows only.

    The same bytes again are not parsed; a changed report of the same agency and year becomes
    the current version and the old one is kept, marked superseded. A failing document is
    recorded and printed as `path: reason` on stderr, and the rest go on. URLs are fetched
    with a conditional GET and their bytes kept in the blobs folder.

    Exit status: 0 when none failed in this run; 1 when a document failed (the batch finished;
    a failure of an earlier run, not tried again, does not count);
    3 when the database failed or another ingest holds it (see --wait); 64 for bad
    arguments (a path that matches nothing, nothing to ingest); 130 on Ctrl-C and 143 on
    SIGTERM (what was loaded stays loaded: run again to finish).
    """
    import signal

    from etl.orchestrate.batch import IngestOptions
    from etl.orchestrate.workers import Limits

    report = _IngestReport(quiet, log_format)
    options = IngestOptions(
        workers=workers,
        executor=executor,
        limits=Limits(doc_timeout or None, doc_memory or None),
        retry_failed=retry_failed,
        blobs=blobs,
        wait=wait,
        keep_results=False,
        download_timeout=download_timeout,
        ocr=_ocr_options(
            ocr,
            ocr_engine,
            ocr_cache,
            1,
            typhoon_url,
            typhoon_key,
            typhoon_model,
            ocr_page_timeout,
        ),
    )
    signals = _Signals()
    previous = signal.signal(signal.SIGTERM, signals)
    try:
        with _database(db, db_timeout) as database:
            summary = database.ingest(
                paths or [], from_list=from_list, options=options, reporter=report
            )
    except KeyboardInterrupt:  # before the first document or inside a load: rolled back
        report.stop()
        raise typer.Exit(signals.exit_code) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    report.finish(summary)
    if summary.interrupted:
        raise typer.Exit(signals.exit_code)
    if summary.failed:
        raise typer.Exit(1)


AgencyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--agency", "-a", help="Abbreviation (สถ.), agency key or full name.", show_default=False
    ),
]


def _one_agency(agency: list[str] | None, alternative: str) -> str:
    """The one agency a command is about: given once, or ``UsageError``."""
    from schemas.errors import UsageError

    if not agency:
        raise UsageError(f"name an agency with --agency ({alternative})")
    if len(agency) > 1:
        raise UsageError(
            f"give --agency once, not {len(agency)} times ({', '.join(agency)}); {alternative}"
        )
    return agency[0]


@app.command()
@handles_errors
def compare(
    agency: AgencyOption = None,
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from", help="Earlier fiscal year, BE (2566) or CE (2023).", show_default=False
        ),
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to", help="Later fiscal year, BE or CE.", show_default=False)
    ] = None,
    all_agencies: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every agency's stored comparisons of consecutive years (measure_changes); "
            "--agency, --from and --to narrow them.",
        ),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Compare two versions of this year's report instead (what a re-publication "
            "changed).",
            show_default=False,
        ),
    ] = None,
    from_version: Annotated[
        int | None,
        typer.Option(
            "--from-version",
            help="With --year: the earlier version (default: the one before --to-version).",
            show_default=False,
        ),
    ] = None,
    to_version: Annotated[
        int | None,
        typer.Option(
            "--to-version",
            help="With --year: the later version (default: the current one).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
    format: RowsFormatOption = RowsFormat.table,
) -> None:
    """Pair an agency's measures of two years: carried, changed, new or dropped.

    Uses the current version of each year's report; --year pairs two versions of one report
    instead, and --all lists the comparisons stored for every agency. docs/compare.md
    explains the statuses and the similarity threshold.
    """
    import json

    from loaders.queries import COMPARE_COLUMNS
    from schemas.errors import UsageError

    if all_agencies:
        if year is not None:
            raise UsageError(
                "--all lists years compared with the year before; --year is for one agency"
            )
        with _database(db, db_timeout) as database:
            rows = database.changes(agency=agency, from_year=from_year, to_year=to_year)
        columns = [
            "agency_key",
            "from_year_be",
            "to_year_be",
            "indicator",
            "status",
            "from_text",
            "to_text",
            "similarity",
        ]
        _print_rows(
            rows.columns if format is not RowsFormat.table else columns, rows.records, format
        )
        if format is RowsFormat.table:
            agencies = len({r["agency_key"] for r in rows.records})
            named = "agency" if agencies == 1 else "agencies"
            stdout.print(f"{len(rows.records)} pairs of measures, {agencies} {named}", markup=False)
        return
    name = _one_agency(agency, "or --all for every agency")
    with _database(db, db_timeout) as database:
        if year is not None:
            if from_year is not None or to_year is not None:
                raise UsageError("--year compares versions of one year: leave out --from and --to")
            comparison = database.compare_versions(name, year, from_version, to_version)
        else:
            if from_year is None or to_year is None:
                raise UsageError("give --from and --to (or --year to compare versions)")
            comparison = database.compare(name, from_year, to_year)
    if format is RowsFormat.json:
        sys.stdout.write(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if format is RowsFormat.table:
        stdout.print(comparison.title(), markup=False, highlight=False)
    _print_rows(list(COMPARE_COLUMNS[:5]), comparison.rows(), format)


@app.command()
@handles_errors
def search(
    query: Annotated[str, typer.Argument(help="Text to find; Thai needs no spaces.")],
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many items; 0: all.")
    ] = 50,
    agency: Annotated[
        list[str] | None,
        typer.Option(
            "--agency",
            "-a",
            help="Only this agency's items (repeatable: any of them).",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        list[int] | None,
        typer.Option(
            "--year",
            "-y",
            help="Only this fiscal year's (repeatable), BE or CE.",
            show_default=False,
        ),
    ] = None,
    role: Annotated[
        list[Role] | None,
        typer.Option(
            "--role",
            "-r",
            help="measure, result, outcome or unit (repeatable).",
            show_default=False,
        ),
    ] = None,
    format: RowsFormatOption = RowsFormat.table,
) -> None:
    """Find items (measures, results, outcomes, units) of current reports containing text.

    An agency or unit is found by its abbreviation or its full name (สถ. finds
    กรมส่งเสริมการปกครองท้องถิ่น, and the other way round).
    """
    with _database(db, db_timeout) as database:
        hits = database.search(
            query,
            limit=limit,
            agency=agency,
            fiscal_year=year,
            role=[r.value for r in role or ()],
        )
    if not hits.records:
        stderr.print(f"no item contains {query!r}", markup=False, highlight=False)
        if format is not RowsFormat.table:  # still valid JSON / CSV for a program
            _print_rows(hits.columns, [], format)
        return
    columns = ["agency_key", "fiscal_year_be", "indicator", "role", "text"]
    _print_rows(hits.columns if format is not RowsFormat.table else columns, hits.records, format)
    more = f" (--limit {limit})" if hits.total > len(hits.records) else ""
    line = f"{len(hits.records)} of {hits.total} items{more}"
    (stdout if format is RowsFormat.table else stderr).print(line, markup=False, highlight=False)


@app.command()
@handles_errors
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv, parquet or xlsx.")
    ] = ExportFormat.csv,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder to write <view>.csv or .parquet, or views.xlsx, into."
        ),
    ] = Path("export"),
    view: Annotated[
        list[str] | None,
        typer.Option(
            "--view",
            help="measures, report_summary, measure_details, indicator_coverage or "
            "measure_changes (repeatable); default all.",
        ),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option(
            "--bom/--no-bom",
            help="CSV: begin with a UTF-8 byte-order mark, so that Excel reads the Thai.",
        ),
    ] = True,
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
) -> None:
    """Write the analysts' views to CSV or Parquet files, or to one Excel workbook."""
    with _database(db, db_timeout) as database:
        written = database.export(out, format.value, views=view or None, bom=bom)
    for path in written:
        stdout.print(str(path), markup=False, highlight=False)


@app.command()
@handles_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    agency: Annotated[
        list[str] | None,
        typer.Option(
            "--agency", "-a", help="The agency to report on (repeatable).", show_default=False
        ),
    ] = None,
    all_agencies: Annotated[
        bool, typer.Option("--all", help="Every agency, with an overview first.")
    ] = False,
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
) -> None:
    """Write a self-contained HTML page (it opens offline) about an agency's loaded years,
    or every agency's: counts by status and coverage per indicator as charts, changed
    measures with a word-level diff, new and dropped measures, the reports' warnings."""
    from schemas.errors import UsageError

    if all_agencies == bool(agency):
        raise UsageError("give --agency or --all (one of them)")
    with _database(db, db_timeout) as database:
        page = database.report_html(None if all_agencies else agency)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{out}: cannot write the report: {error.strerror}") from None
    stdout.print(str(out), markup=False, highlight=False)


@app.command()
@handles_errors
def status(
    db: DbOption = None,
    db_timeout: DbTimeoutOption = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only sources that failed.")] = False,
    summary: Annotated[
        bool,
        typer.Option("--summary", help="Only the number of sources in each state."),
    ] = False,
    urls: Annotated[
        bool,
        typer.Option("--urls", help="The URLs instead: validators, last answer, last error."),
    ] = False,
    format: RowsFormatOption = RowsFormat.table,
) -> None:
    """List the sources loaded or tried, and what became of each (read only: no lock)."""
    with _database(db, db_timeout) as database:
        if summary:
            rows = database.source_counts(failed_only=failed)
        elif urls:
            rows = database.urls(failed_only=failed)
        else:
            rows = database.sources(failed_only=failed)
    if summary or urls:
        _print_rows(rows.columns, rows.records, format)
        return
    columns = ["id", "path", "status", "agency_key", "fiscal_year_be", "version", "error"]
    _print_rows(rows.columns if format is not RowsFormat.table else columns, rows.records, format)


db_app = typer.Typer(
    name="db", help="Create, upgrade or inspect the database schema.", no_args_is_help=True
)
app.add_typer(db_app)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(db: DbOption = None, db_timeout: DbTimeoutOption = None) -> None:
    """Create the tables or bring them to the newest revision, and rewrite the reference
    tables (ITA framework, abbreviations) from this version's data."""
    from loaders.db import display_url

    with _database(db, db_timeout) as database:
        revision = database.upgrade()
        stdout.print(f"{display_url(database.url)}: at revision {revision} (newest)", markup=False)


@db_app.command("rebuild")
@handles_errors
def db_rebuild(db: DbOption = None, db_timeout: DbTimeoutOption = None) -> None:
    """Order every report's versions by their sources' dates, and derive the canonical unit
    names and the stored comparisons (measure_changes) again from the loaded records: after
    an upgrade of ita-etl changed how they are made."""
    with _database(db, db_timeout) as database:
        rebuilt = database.rebuild()
    stdout.print(
        f"{rebuilt.units} unit names, {rebuilt.measure_changes} pairs of measures, "
        f"{rebuilt.reordered} reports' versions reordered",
        markup=False,
        highlight=False,
    )


@db_app.command("current")
@handles_errors
def db_current(db: DbOption = None, db_timeout: DbTimeoutOption = None) -> None:
    """Print the database's schema revision and the newest one this version knows."""
    from loaders.db import display_url

    with _database(db, db_timeout) as database:
        revision, newest = database.revision()
        stdout.print(
            f"{display_url(database.url)}: at revision {revision or 'none (empty)'}, "
            f"newest {newest}",
            markup=False,
        )


def _database(db: str | None, timeout: float | None = None) -> Database:
    from etl.app.database import Database

    return Database(db, timeout=timeout)


def main() -> None:
    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_gone()
            sys.exit(BROKEN_PIPE)


if __name__ == "__main__":
    main()

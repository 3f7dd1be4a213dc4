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
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from schemas.errors import ItaEtlError

app = typer.Typer(
    name="ita-etl",
    help="Extract Thai ITA integrity-measure reports (PDF, HTML, text) and load them into SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _root() -> None:
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


@app.command()
@handles_errors
def extract(
    path: Annotated[
        Path, typer.Argument(help="A report: PDF, HTML, Markdown or tab-separated text.")
    ],
    format: Annotated[
        ExtractFormat, typer.Option("--format", "-f", help="json or table.")
    ] = ExtractFormat.json,
    password: Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")] = None,
) -> None:
    """Parse one report and print its records (nothing is stored)."""
    from etl.output import print_table, to_json
    from etl.pipeline import extract_file

    doc = extract_file(path, password=password)
    if format is ExtractFormat.json:
        sys.stdout.write(to_json(doc) + "\n")
    else:
        print_table(doc, stdout)


@app.command()
@handles_errors
def text(
    path: Annotated[Path, typer.Argument(help="A PDF.")],
    raw: Annotated[bool, typer.Option("--raw", help="pdfplumber's own text, unrepaired.")] = False,
    password: Annotated[str | None, typer.Option(help="Password of an encrypted PDF.")] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Also list the repairs made, on stderr.")
    ] = False,
) -> None:
    """Print a PDF's text layer in reading order, Thai repaired (docs/thai-text.md); pages end
    with a form feed, like pdftotext."""
    from extractors.pdf_text import document_text, read_document_text
    from extractors.pdfdoc import describe_pages
    from schemas.errors import InputError

    try:
        data = path.read_bytes()
        if raw:
            sys.stdout.write(document_text(data, password=password, raw=True))
            return
        doc = read_document_text(data, password=password)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=str(path)) from None
    except ItaEtlError as error:
        error.path = error.path or str(path)
        raise
    sys.stdout.write(doc.text)
    if doc.pages_without_text:
        pages = describe_pages(doc.pages_without_text)
        stderr.print(f"warning: {path}: no text layer on {pages}: OCR needed", markup=False)
    if stats:
        for name, count in sorted(doc.repairs.items()):
            stderr.print(f"{name}\t{count}", markup=False, highlight=False)


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


class RowsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


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
        from rich.table import Table

        table = Table(show_lines=True)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        stdout.print(table)


@app.command()
@handles_errors
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Report files, folders (searched recursively) or globs.")
    ],
    db: DbOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only failures and the summary.")
    ] = False,
) -> None:
    """Load reports into the database, one transaction per document.

    The same bytes again change nothing; a changed report of the same agency and year becomes
    the current version and the old one is kept, marked superseded. A failing document is
    recorded and printed as `path: reason` on stderr, and the rest go on.

    Exit status: 0 when none failed, 1 when any document failed, 3 when the database failed,
    64 for bad arguments (a path that matches nothing).
    """
    from loaders.ingest import enumerate_sources
    from loaders.ingest import ingest as load_all
    from loaders.store import LoadResult, Store

    def show(result: LoadResult) -> None:
        if result.status == "failed":
            stderr.print(result.line(), markup=False, highlight=False)
        elif not quiet:
            stdout.print(result.line(), markup=False, highlight=False)

    files = enumerate_sources(paths)  # bad paths fail before the database is touched
    with Store(db) as store:
        summary = load_all(files, store, on_result=show)
    stdout.print(summary.line(), markup=False, highlight=False)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
@handles_errors
def compare(
    agency: Annotated[
        str, typer.Option("--agency", "-a", help="Abbreviation (สถ.), agency key or name.")
    ],
    from_year: Annotated[
        int, typer.Option("--from", help="Earlier fiscal year, BE (2566) or CE (2023).")
    ],
    to_year: Annotated[int, typer.Option("--to", help="Later fiscal year, BE or CE.")],
    db: DbOption = None,
    format: Annotated[
        RowsFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = RowsFormat.table,
) -> None:
    """Pair an agency's measures of two years: carried, changed, new or dropped.

    Uses the current version of each year's report. docs/compare.md explains the statuses and
    the similarity threshold.
    """
    import json

    from etl.api import COMPARE_COLUMNS
    from loaders.queries import compare as compare_years
    from loaders.queries import open_store

    with open_store(db) as store, store.reading() as connection:
        comparison = compare_years(connection, agency, from_year, to_year)
    if format is RowsFormat.json:
        sys.stdout.write(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if format is RowsFormat.table:
        stdout.print(
            f"{comparison.agency} {comparison.agency_name or ''}: "
            f"{comparison.from_year} → {comparison.to_year}",
            markup=False,
            highlight=False,
        )
    _print_rows(COMPARE_COLUMNS[:5], comparison.rows(), format)


@app.command()
@handles_errors
def search(
    query: Annotated[str, typer.Argument(help="Text to find; Thai needs no spaces.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many items.")] = 50,
    format: Annotated[
        RowsFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = RowsFormat.table,
) -> None:
    """Find items (measures, results, outcomes, units) of current reports containing text."""
    from loaders.queries import open_store, search_items

    with open_store(db) as store, store.reading() as connection:
        rows = search_items(connection, query, limit=limit)
    columns = ["agency_key", "fiscal_year_be", "indicator", "role", "text"]
    _print_rows(rows.columns if format is not RowsFormat.table else columns, rows.records, format)


@app.command()
@handles_errors
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or parquet.")
    ] = ExportFormat.csv,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write <view>.csv or .parquet into.")
    ] = Path("export"),
    view: Annotated[
        list[str] | None,
        typer.Option("--view", help="measures or report_summary (repeatable); default both."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the analysts' views (measures, report_summary) to CSV or Parquet files."""
    from etl.api import export_views

    for path in export_views(out, format.value, db=db, views=view or None):
        stdout.print(str(path), markup=False, highlight=False)


@app.command()
@handles_errors
def status(
    db: DbOption = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only sources that failed.")] = False,
    format: Annotated[
        RowsFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = RowsFormat.table,
) -> None:
    """List the sources loaded or tried, and what became of each."""
    from loaders.queries import open_store, source_rows

    with open_store(db) as store, store.reading() as connection:
        rows = source_rows(connection, failed_only=failed)
    columns = ["id", "path", "status", "agency_key", "fiscal_year_be", "version", "error"]
    _print_rows(rows.columns if format is not RowsFormat.table else columns, rows.records, format)


db_app = typer.Typer(
    name="db", help="Create, upgrade or inspect the database schema.", no_args_is_help=True
)
app.add_typer(db_app)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(db: DbOption = None) -> None:
    """Create the tables or bring them to the newest revision (ingest does this itself)."""
    from loaders import migrate
    from loaders.db import display_url
    from loaders.store import Store

    with Store(db) as store:
        revision = migrate.current(store.engine)
        stdout.print(f"{display_url(store.url)}: at revision {revision} (newest)", markup=False)


@db_app.command("current")
@handles_errors
def db_current(db: DbOption = None) -> None:
    """Print the database's schema revision and the newest one this version knows."""
    from loaders import migrate
    from loaders.db import display_url, store_errors
    from loaders.store import Store

    with Store(db, upgrade=False) as store, store_errors(store.url):
        revision = migrate.current(store.engine)
        stdout.print(
            f"{display_url(store.url)}: at revision {revision or 'none (empty)'}, "
            f"newest {migrate.head()}",
            markup=False,
        )


def main() -> None:
    app()


if __name__ == "__main__":
    main()

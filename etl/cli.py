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


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""docs/cli.md documents every command and every option the CLI has."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from etl.app.cli import app

DOCS = (Path(__file__).parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(command: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full name, command) of every leaf command of typer's click command tree."""
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, f"{prefix} {name}".strip())
    else:
        yield prefix, command


def test_every_command_and_option_is_documented() -> None:
    commands = list(_commands(typer.main.get_command(app)))
    names = {name for name, _ in commands}
    assert {"ingest", "compare", "search", "export", "status", "db upgrade"} <= names
    missing = []
    for name, command in commands:
        if not re.search(rf"^#+ `ita-etl {re.escape(name)}`", DOCS, re.M):
            missing.append(f"command {name!r} has no heading")
        for param in command.params:
            if getattr(param, "param_type_name", "") != "option":
                continue
            for option in (*param.opts, *param.secondary_opts):
                if option.startswith("--") and f"`{option}" not in DOCS:
                    missing.append(f"{name}: option {option}")
    assert missing == []


def test_the_generated_reference_is_current() -> None:
    """docs/cli-reference.md is what docs/cli_reference.py writes from the commands today."""
    import importlib.util

    path = Path(__file__).parents[1] / "docs" / "cli_reference.py"
    spec = importlib.util.spec_from_file_location("cli_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (Path(__file__).parents[1] / "docs" / "cli-reference.md").read_text("utf-8")
    assert module.reference() == committed, "run: .venv/bin/python docs/cli_reference.py"

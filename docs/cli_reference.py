"""Write docs/cli-reference.md from the ``ita-etl`` commands' own help (run by hand).

    .venv/bin/python docs/cli_reference.py          # rewrite docs/cli-reference.md
    .venv/bin/python docs/cli_reference.py --check  # exit 1 if it is out of date

Every command, argument and option, with its type, default and help text, comes from the
typer/click command tree, so the reference cannot say what the CLI does not.
tests/test_cli_docs.py runs the check: adding an option without regenerating fails CI.
"""

from __future__ import annotations

import enum
import inspect
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path as _Path
from typing import Any

import typer
from typer.models import ArgumentInfo, OptionInfo

ROOT = _Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.app.cli import app  # noqa: E402

TARGET = ROOT / "docs" / "cli-reference.md"


def commands(group: typer.Typer, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full name, function) of every command, in the order the CLI declares them."""
    for info in group.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.replace("_", "-")
        yield f"{prefix} {name}".strip(), info.callback
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        sub_name = sub.name or sub.typer_instance.info.name
        yield from commands(sub.typer_instance, f"{prefix} {sub_name}".strip())


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _kind(annotation: Any) -> str:
    """What a parameter takes, from its type: flag, a choice, int, path…"""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return _kind(typing.get_args(annotation)[0]) + " (repeatable)"
    if annotation is bool:
        return "flag"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(str(m.value) for m in annotation)
    return getattr(annotation, "__name__", str(annotation)).lower()


def _default(value: Any, info: OptionInfo | ArgumentInfo) -> str:
    if value is inspect.Parameter.empty or value is None or info.show_default is False:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return str(getattr(value, "value", value))


def reference() -> str:
    lines = [
        "# `ita-etl` command reference",
        "",
        "Generated from the commands' own declarations and help by `docs/cli_reference.py`; do",
        "not edit by hand. [cli.md](cli.md) explains the commands, exit statuses and examples.",
        "",
    ]
    for name, function in commands(app):
        hints = typing.get_type_hints(function, include_extras=True)
        arguments, options = [], []
        for param in inspect.signature(function).parameters.values():
            hint = hints[param.name]
            annotation, *extras = typing.get_args(hint) or (hint,)
            info = next((e for e in extras if isinstance(e, OptionInfo | ArgumentInfo)), None)
            if isinstance(info, OptionInfo):
                # in Annotated[..., typer.Option("--format", "-f")] the first name lands in
                # ``default``: typer reads it as a name there
                first = [info.default] if str(info.default).startswith("-") else []
                flags = [*first, *info.param_decls] or [f"--{param.name.replace('_', '-')}"]
                options.append((flags, _kind(annotation), _default(param.default, info), info.help))
            else:
                help_text = info.help if info is not None else ""
                arguments.append((param.name.upper(), _kind(annotation), help_text))
        usage = " ".join(["[OPTIONS]", *(a[0] for a in arguments)])
        doc = inspect.cleandoc(function.__doc__ or "")
        lines += [f"## `ita-etl {name}`", "", "```", f"ita-etl {name} {usage}", "```", ""]
        lines += [doc, ""]
        if arguments:
            lines += ["| argument | value | help |", "|---|---|---|"]
            lines += [f"| `{a}` | {k} | {_cell(h or '')} |" for a, k, h in arguments]
            lines.append("")
        if options:
            lines += ["| option | value | default | help |", "|---|---|---|---|"]
            for flags, kind, default, help_text in options:
                names = ", ".join(f"`{f}`" for f in flags)
                lines.append(f"| {names} | {kind} | {_cell(default)} | {_cell(help_text or '')} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    text = reference()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run docs/cli_reference.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

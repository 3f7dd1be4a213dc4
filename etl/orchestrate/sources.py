"""What to ingest: files, folders, globs, http(s) URLs and list files, to a list of
locations, each once, in a stable order; and a file's fingerprint (its sha256 and size), by
which the store knows whether it has seen the bytes before."""

from __future__ import annotations

import glob
import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from etl.transform.pipeline import check_file, not_a_file
from loaders.urls import is_url
from schemas.errors import UsageError

REPORT_SUFFIXES = frozenset(
    {".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".tsv", ".docx", ".xlsx"}
)
"""Files a folder or glob contributes; a file named on its own is tried whatever its name."""
NOT_REPORTS = frozenset({"readme", "manifest", "license", "changelog", "notes"})
"""File names (without extension) a folder or glob skips: the notes that travel with a
folder of reports (samples/README.md, samples/pdf/MANIFEST.tsv) are not reports."""
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Skipped:
    """An entry named like a report that a folder or glob met but that is no file to read:
    a symbolic link loop, a dangling link, a folder, a named pipe."""

    path: str
    reason: str

    def line(self) -> str:
        return f"{self.path}: skipped ({self.reason})"


def enumerate_sources(
    paths: Iterable[str | Path], skipped: list[Skipped] | None = None
) -> list[Path]:
    """Every report file named by ``paths``, each once, in a stable order; what a folder or
    glob met named like a report but that is no file to read goes in ``skipped``.

    Raises ``UsageError`` for a path or glob that matches nothing (a typo should not pass as
    an empty, successful run).
    """
    found: dict[Path, None] = {}
    for spec in paths:
        spec = str(spec)
        passed: list[Skipped] = []
        if _GLOB_CHARS & set(spec) and not Path(spec).exists():
            matches = [Path(m) for m in sorted(glob.glob(spec, recursive=True))]
            files = _files(
                (p for p in matches if not p.is_dir() and _looks_like_a_report(p)), passed
            )
            files += [f for p in matches if p.is_dir() for f in _reports_under(p, passed)]
        elif Path(spec).is_dir():
            files = _reports_under(Path(spec), passed)
        elif Path(spec).exists():
            files = [Path(spec)]
        else:
            raise UsageError(f"no such file or folder: {spec}")
        if skipped is not None:
            skipped += passed
        if not files:
            also = f" (skipped: {passed[0].line()})" if passed else ""
            raise UsageError(
                f"no report files (PDF, HTML, Markdown, text, Word, Excel) in {spec}{also}"
            )
        found.update(dict.fromkeys(files))
    return list(found)


def _reports_under(folder: Path, skipped: list[Skipped]) -> list[Path]:
    return _files((p for p in sorted(folder.rglob("*")) if _looks_like_a_report(p)), skipped)


def _files(candidates: Iterable[Path], skipped: list[Skipped]) -> list[Path]:
    """The regular files among ``candidates`` (through links); why each other one is not."""
    files = []
    for path in candidates:
        if path.is_file():
            files.append(path)
        else:
            skipped.append(Skipped(str(path), _not_a_file(path)))
    return files


def _not_a_file(path: Path) -> str:
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except FileNotFoundError:
            return f"a dangling link to {os.readlink(path)}"
        except (OSError, RuntimeError):
            return "a symbolic link loop"
    return not_a_file(path) or "not a file"


def _looks_like_a_report(path: Path) -> bool:
    return path.suffix.lower() in REPORT_SUFFIXES and path.stem.lower() not in NOT_REPORTS


def fingerprint(path: str | Path) -> tuple[str, int]:
    """The file's sha256 and size, read in blocks (cheap next to parsing). ``InputError``
    for what is not a regular file: opening a FIFO would wait for a writer for ever."""
    check_file(path)
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), Path(path).stat().st_size


def expand_sources(
    specs: Iterable[str | Path],
    *,
    from_list: Path | None = None,
    skipped: list[Skipped] | None = None,
) -> list[str]:
    """Files, folders, globs and http(s) URLs, plus the lines of a list file (``-``: stdin;
    blank lines and ``#`` comments skipped), to the locations to ingest: each once, files in
    a stable order; what a folder held named like a report but unreadable goes in
    ``skipped``. Raises ``UsageError`` for a path that matches nothing, before any work."""
    given = [str(s) for s in specs]
    if from_list is not None:
        given += read_list(from_list)
    found: dict[str, None] = {}
    for spec in given:
        if is_url(spec):
            found[spec] = None
        else:
            found.update((str(p), None) for p in enumerate_sources([spec], skipped))
    return list(found)


def read_list(path: Path) -> list[str]:
    """The sources a list file names (``-``: stdin), one per line, # comments skipped."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read the list {path}: {error.strerror}") from None
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]

"""What to ingest: files, folders, globs, http(s) URLs and list files, to a list of
locations, each once, in a stable order; and a file's fingerprint (its sha256 and size), by
which the store knows whether it has seen the bytes before."""

from __future__ import annotations

import glob
import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from etl.transform.pipeline import check_file
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
            raise UsageError(f"no report files (PDF, HTML, Markdown, text, Word, Excel) in {spec}")
        found.update(dict.fromkeys(files))
    return list(found)


def _reports_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and _looks_like_a_report(p))


def _looks_like_a_report(path: Path) -> bool:
    return path.suffix.lower() in REPORT_SUFFIXES and path.stem.lower() not in NOT_REPORTS


def fingerprint(path: str | Path) -> tuple[str, int]:
    """The file's sha256 and size, read in blocks (cheap next to parsing). ``InputError``
    for what is not a regular file: opening a FIFO would wait for a writer for ever."""
    check_file(path)
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), Path(path).stat().st_size


def expand_sources(specs: Iterable[str | Path], *, from_list: Path | None = None) -> list[str]:
    """Files, folders, globs and http(s) URLs, plus the lines of a list file (``-``: stdin;
    blank lines and ``#`` comments skipped), to the locations to ingest: each once, files in
    a stable order. Raises ``UsageError`` for a path that matches nothing, before any work."""
    given = [str(s) for s in specs]
    if from_list is not None:
        given += read_list(from_list)
    found: dict[str, None] = {}
    for spec in given:
        if is_url(spec):
            found[spec] = None
        else:
            found.update((str(p), None) for p in enumerate_sources([spec]))
    return list(found)


def read_list(path: Path) -> list[str]:
    """The sources a list file names (``-``: stdin), one per line, # comments skipped."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read the list {path}: {error.strerror}") from None
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]

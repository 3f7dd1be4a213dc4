"""Extraction as a pure function: a file's bytes in, an ``ExtractedDocument`` out.

Nothing here writes anywhere; loading is ``loaders``' job. That makes parsing safe to run in
worker processes and its result the same wherever it runs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import extractors
from etl.transform.normalise.abbreviations import expansion, find_known
from etl.transform.normalise.dates import find_dates
from etl.transform.structure import build_entries
from schemas.errors import DocumentTooLargeError, InputError
from schemas.records import Entry, ExtractedDocument, SourceInfo

PARSER_VERSION = "1.4"
"""Bumped whenever a change makes extraction give different records for the same bytes;
the loader re-parses sources parsed by another version."""

MAX_BYTES = 200 * 1024 * 1024


def extract_bytes(
    data: bytes, path: str = "<bytes>", *, password: str | None = None
) -> ExtractedDocument:
    """Parse one report. Raises an ``InputError`` naming ``path`` for bad input."""
    try:
        if len(data) > MAX_BYTES:
            raise DocumentTooLargeError(
                f"{len(data):,} bytes is more than the {MAX_BYTES:,}-byte limit"
            )
        raw = extractors.read(data, path, password=password)
        report, entries, warnings, counts = build_entries(raw)
    except InputError as error:
        error.path = error.path or path
        raise
    repairs = Counter(raw.repairs)
    repairs.update(counts)
    source = SourceInfo(path, hashlib.sha256(data).hexdigest(), raw.format, raw.pages, len(data))
    return ExtractedDocument(
        source,
        report,
        entries,
        (*raw.warnings, *warnings),
        dict(sorted(repairs.items())),
        PARSER_VERSION,
        abbreviations_used(entries),
    )


def abbreviations_used(entries: Sequence[Entry]) -> dict[str, str]:
    """The table's abbreviations that the items use, in order of first use, expanded; a
    month inside a date ("22 ก.พ. 64") is not the abbreviation it looks like."""
    used: dict[str, str] = {}
    for entry in entries:
        for item in entry.items:
            text = item.text
            for date in reversed(list(find_dates(text))):
                text = text[: date.start] + " " + text[date.end :]
            for abbr in find_known(text):
                used.setdefault(abbr, expansion(abbr) or "")
    return used


def extract_file(path: str | Path, *, password: str | None = None) -> ExtractedDocument:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=str(path)) from error
    if size > MAX_BYTES:
        raise DocumentTooLargeError(
            f"{size:,} bytes is more than the {MAX_BYTES:,}-byte limit", path=str(path)
        )
    return extract_bytes(path.read_bytes(), str(path), password=password)

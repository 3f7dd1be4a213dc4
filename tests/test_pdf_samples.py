"""Every sample PDF extracts to the records of the source it was generated from.

The PDFs (samples/pdf/, listed in MANIFEST.tsv) were rendered from the text, HTML and
Markdown samples by samples/make_pdfs.py with three producers, several Thai fonts, ruled and
borderless tables, portrait and landscape, so their text layers carry the defects real
producers leave (split sara am, marks out of order, (cid:N), PUA bullets) and their rows
break across pages. Compared "verbatim after normalisation": white space aside (a PDF's line
wraps fall elsewhere than the source's), measure texts must be equal character for character.

Units are compared per indicator as sets: a borderless table cannot show that a unit cell
spans two measure rows, so the PDF gives the unit to the first row only.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from etl import ExtractedDocument, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"
MANIFEST = list(
    csv.DictReader((SAMPLES / "pdf" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
)


def key(text: str) -> str:
    return re.sub(r"\s", "", text)


@cache
def source(name: str) -> ExtractedDocument:
    return extract_file(SAMPLES / name)


@cache
def pdf(name: str) -> ExtractedDocument:
    return extract_file(SAMPLES / "pdf" / name)


def units_by_indicator(doc: ExtractedDocument) -> dict[tuple[int | None, ...], set[str]]:
    units: dict[tuple[int | None, ...], set[str]] = {}
    for entry in doc.entries:
        numbers = tuple(i.number for i in entry.indicators)
        units.setdefault(numbers, set()).update(key(u.text) for u in entry.items_with_role("unit"))
    return units


@pytest.fixture(params=MANIFEST, ids=[row["file"] for row in MANIFEST])
def case(request: pytest.FixtureRequest) -> tuple[ExtractedDocument, ExtractedDocument]:
    row = request.param
    return pdf(row["file"]), source(row["source"])


def test_report_header(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, want = case
    assert got.source.format == "pdf"
    assert (got.report.agency, got.report.agency_abbr, got.report.fiscal_year_be) == (
        want.report.agency,
        want.report.agency_abbr,
        want.report.fiscal_year_be,
    )


def test_entries_and_indicators(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, want = case
    assert [[i.number for i in e.indicators] for e in got.entries] == [
        [i.number for i in e.indicators] for e in want.entries
    ]
    assert [e.tool for e in got.entries] == [e.tool for e in want.entries]


def test_measures_verbatim(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, want = case
    assert [key(m.text) for m in got.items("measure")] == [
        key(m.text) for m in want.items("measure")
    ]


def test_units(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, want = case
    assert units_by_indicator(got) == units_by_indicator(want)


def test_refs(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, want = case
    refs = Counter((r.kind, r.value) for i in got.items() for r in i.refs)
    assert refs == Counter((r.kind, r.value) for i in want.items() for r in i.refs)


def test_page_spans(case: tuple[ExtractedDocument, ExtractedDocument]) -> None:
    got, _ = case
    pages = got.source.pages or 0
    assert all(e.pages is not None and 1 <= e.pages[0] <= e.pages[1] <= pages for e in got.entries)

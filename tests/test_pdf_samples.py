"""Every sample PDF, and every sample source, extracts to what its source says.

The PDFs (samples/pdf/, listed in MANIFEST.tsv) were rendered from the text, HTML and
Markdown samples by samples/make_pdfs.py with three producers, several Thai fonts, ruled and
borderless tables, portrait and landscape, so their text layers carry the defects real
producers leave (split sara am, marks out of order, (cid:N), PUA bullets) and their rows
break across pages. They are judged against tests/sample_truth.py, the sources read by hand,
never against the code's reading of the sources. Compared "verbatim after normalisation":
white space aside (a PDF's line wraps fall elsewhere than the source's), measure texts must be
equal character for character.

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
from sample_truth import TRUTH, Truth

from etl import ExtractedDocument, extract_file

SAMPLES = Path(__file__).parents[1] / "samples"
MANIFEST = list(
    csv.DictReader((SAMPLES / "pdf" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
)
CASES = [(row["file"], row["source"]) for row in MANIFEST] + [(name, name) for name in TRUTH]
"""(file read, source it was made from): each PDF, and each source read directly."""


def key(text: str) -> str:
    return re.sub(r"\s", "", text)


@cache
def extracted(name: str) -> ExtractedDocument:
    path = SAMPLES / name
    return extract_file(path if path.is_file() else SAMPLES / "pdf" / name)


def units_by_indicator(doc: ExtractedDocument) -> dict[tuple[int | None, ...], set[str]]:
    units: dict[tuple[int | None, ...], set[str]] = {}
    for entry in doc.entries:
        numbers = tuple(i.number for i in entry.indicators)
        units.setdefault(numbers, set()).update(key(u.text) for u in entry.items_with_role("unit"))
    return units


@pytest.fixture(params=CASES, ids=[name for name, _ in CASES])
def case(request: pytest.FixtureRequest) -> tuple[ExtractedDocument, Truth]:
    name, source = request.param
    return extracted(name), TRUTH[source]


FORMATS = {".pdf": "pdf", ".html": "html", ".txt": "text", ".md": "markdown"}


@pytest.mark.parametrize(("name", "source"), CASES, ids=[name for name, _ in CASES])
def test_report_header(name: str, source: str) -> None:
    got, want = extracted(name), TRUTH[source]
    assert got.source.format == FORMATS[Path(name).suffix]
    assert (got.report.agency, got.report.agency_abbr, got.report.fiscal_year_be) == (
        want.agency,
        want.agency_abbr,
        want.fiscal_year_be,
    )


def test_entries_and_indicators(case: tuple[ExtractedDocument, Truth]) -> None:
    got, want = case
    assert [[i.number for i in e.indicators] for e in got.entries] == [
        list(row.indicators) for row in want.rows
    ]
    assert [e.tool for e in got.entries] == [row.tool for row in want.rows]


def test_measures_verbatim(case: tuple[ExtractedDocument, Truth]) -> None:
    got, want = case
    assert [key(m.text) for m in got.items("measure")] == [key(m) for m in want.measures()]


def test_units(case: tuple[ExtractedDocument, Truth]) -> None:
    got, want = case
    assert units_by_indicator(got) == {
        numbers: {key(u) for u in units} for numbers, units in want.units_by_indicator().items()
    }


def test_refs(case: tuple[ExtractedDocument, Truth]) -> None:
    got, want = case
    assert Counter((r.kind, r.value) for i in got.items() for r in i.refs) == want.refs


@pytest.mark.parametrize("name", [row["file"] for row in MANIFEST])
def test_page_spans(name: str) -> None:
    got = extracted(name)
    pages = got.source.pages or 0
    assert all(e.pages is not None and 1 <= e.pages[0] <= e.pages[1] <= pages for e in got.entries)

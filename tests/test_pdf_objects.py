"""``extractors.pdf_objects`` gives pdfplumber's own page objects, key for key: the chars,
rules and images that the readers and pdfplumber's table finder read are the same whether
pdfplumber builds them or we do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from extractors.pdf_glyphs import annotated_layout

ROOT = Path(__file__).parents[1]
PDFS = [
    *sorted((ROOT / "samples" / "pdf").glob("*.pdf"))[::4],
    *sorted((ROOT / "tests" / "fixtures" / "realdocs").glob("*.pdf")),
    ROOT / "tests" / "fixtures" / "pdf" / "partly_scanned.pdf",
]


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_objects_are_pdfplumbers(path: Path) -> None:
    chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            annotated_layout(page)
            ours = page.objects
            theirs = page.parse_objects()
            assert ours.keys() == theirs.keys()
            for kind, objects in theirs.items():
                assert ours[kind] == objects, f"page {page.page_number}: {kind}"
            chars += len(ours.get("char", []))
    assert chars  # the fast path was taken: there were chars to compare


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_objects_are_those_of_a_page_pdfplumber_reads_alone(path: Path) -> None:
    """Our device (glyph codes, /ActualText spans) leaves pdfplumber's objects as they are."""
    with pdfplumber.open(path) as ours, pdfplumber.open(path) as theirs:
        for page, plain in zip(ours.pages, theirs.pages, strict=True):
            annotated_layout(page)
            assert _comparable(page.objects) == _comparable(plain.objects), page.page_number


def _comparable(objects: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The objects less an image's stream (a PDF object of its own document)."""
    return {
        kind: [{k: v for k, v in o.items() if k != "stream"} for o in found]
        for kind, found in objects.items()
    }

"""``extractors.pdf_objects`` gives pdfplumber's own page objects, key for key: the chars,
rules and images that the readers and pdfplumber's table finder read are the same whether
pdfplumber builds them or we do."""

from __future__ import annotations

from pathlib import Path

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

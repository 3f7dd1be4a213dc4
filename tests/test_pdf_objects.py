"""``extractors.pdf_objects`` gives pdfplumber's own page objects, key for key: the chars,
rules and images that the readers and pdfplumber's table finder read are the same whether
pdfplumber builds them or we do."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import minimal_pdf

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


TEXT_STATES = b"""BT /F1 12 Tf 2 Tc 5 Tw 80 Tz 3 Ts
1 0 0 1 50 700 Tm [(Hel) -250 (lo wo) 120 (rld)] TJ
0 Tc 0 Tw 100 Tz 0 Ts 0 1 -1 0 300 300 Tm (turned a quarter) Tj
-1 0 0 1 400 400 Tm (mirrored) Tj
0.9 0.2 -0.2 0.9 100 100 Tm 14 TL (slanted) Tj T* (next line) ' 4 1 (spaced) "
ET
q -1 0 0 -1 595 842 cm BT /F1 9 Tf 20 20 Td (upside down) Tj ET Q
q 0.5 0 0 0.5 0 0 cm BT /F1 30 Tf -5 Ts 100 100 Td (halved, lowered) Tj ET Q"""


def test_chars_under_every_text_state_are_pdfplumbers() -> None:
    """Our device writes pdfminer's per-glyph arithmetic out in one loop: character and word
    spacing, horizontal scaling, rise, kerning in TJ, text and page matrices turned,
    mirrored, slanted and scaled give the chars pdfplumber's own device gives, key for
    key."""
    data = minimal_pdf(zlib.compress(TEXT_STATES))
    with pdfplumber.open(io.BytesIO(data)) as ours, pdfplumber.open(io.BytesIO(data)) as theirs:
        annotated_layout(ours.pages[0])
        mine, plain = ours.pages[0].chars, theirs.pages[0].chars
    texts = "".join(c["text"] for c in plain)
    assert "Hello world" in texts and "halved, lowered" in texts
    assert {round(c["matrix"][1]) for c in plain} >= {0, 1}  # upright and turned chars
    assert mine == plain

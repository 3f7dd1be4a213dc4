"""What a PDF line wrap inside a paragraph should become: a space, or nothing between Thai
letters. Run by hand:

    .venv/bin/python benchmarks/wrap_spaces.py

For every sample PDF (samples/pdf/MANIFEST.tsv) and every measure, result and outcome whose
text equals its source's once white space is ignored, it compares where the spaces are with
the source the PDF was rendered from: spurious spaces (in the PDF's text, not the source's)
and missing ones. Two ways of joining the lines, in the same run: the baseline puts a space
at every wrap (as pdfplumber's ``extract_text`` does), ita-etl puts none between Thai letters
(``etl.transform.normalise.split._wrap_joiner``), except before an abbreviation.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from etl import extract_file
from etl.transform.normalise import split

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def space_positions(text: str) -> set[int]:
    """Where the spaces are, counted in non-space characters."""
    positions, offset = set(), 0
    for ch in text:
        if ch.isspace():
            positions.add(offset)
        else:
            offset += 1
    return positions


def errors() -> tuple[int, int, int]:
    """(spaces in the sources, spurious, missing) over the sample PDFs."""
    rows = csv.DictReader((SAMPLES / "pdf" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
    total = spurious = missing = 0
    for row in rows:
        want, got = (
            extract_file(SAMPLES / row["source"]),
            extract_file(SAMPLES / "pdf" / row["file"]),
        )
        for role in ("measure", "result", "outcome"):
            for g, w in zip(got.items(role), want.items(role), strict=False):
                if re.sub(r"\s", "", g.text) != re.sub(r"\s", "", w.text):
                    continue
                in_pdf, in_source = space_positions(g.text), space_positions(w.text)
                total += len(in_source)
                spurious += len(in_pdf - in_source)
                missing += len(in_source - in_pdf)
    return total, spurious, missing


def main() -> None:
    ours = errors()
    joiner = split._wrap_joiner
    split._wrap_joiner = lambda before, after: "" if split._breaks_a_url(before, after) else " "
    try:
        baseline = errors()
    finally:
        split._wrap_joiner = joiner
    print(f"{'wraps become':<28}{'source spaces':>14}{'spurious':>10}{'missing':>9}{'errors':>8}")
    for name, (total, spurious, missing) in (
        ("a space (baseline)", baseline),
        ("nothing between Thai", ours),
    ):
        print(f"{name:<28}{total:>14}{spurious:>10}{missing:>9}{spurious + missing:>8}")
    print(f"errors, ita-etl / baseline: {(ours[1] + ours[2]) / (baseline[1] + baseline[2]):.2f}")


if __name__ == "__main__":
    main()

"""How broken each tool's Thai text layer is, on real PDFs: run by hand.

    .venv/bin/python benchmarks/text_quality.py [PATH ...] [--speed]

PATH is a PDF or a folder searched recursively (default ../shared/realdocs). For every file and
for the totals it prints Thai characters, defects per 1,000 Thai characters by kind (the kinds
of ../shared/domain.md, counted by ``extractors.thai.quality``) and the share of Thai words not
in the dictionary, for raw pdfplumber ``extract_text``, raw pypdfium2 ``get_text_range``,
poppler's ``pdftotext`` (when installed) and ``ita-etl text``. Totals weight files by size.
The column "non-Thai chg" counts the non-Thai characters (letters, digits, punctuation,
symbols; not whitespace) a tool has more of than both raw layers, pdfplumber's and
pypdfium2's (``extractors.thai.quality.non_thai_added``): characters a repair added or changed.
It must be 0 for ``ita-etl text``.
``--speed`` also times glyph recovery plus ``extract_tables`` against bare ``extract_tables``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from extractors.pdf_glyphs import GlyphRecovery
from extractors.pdf_text import document_text
from extractors.thai.quality import DEFECT_KINDS, TextQuality, measure, non_thai_added
from schemas.errors import ItaEtlError

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdocs"
SHORT = {
    "pua": "pua",
    "replacement": "fffd",
    "cid": "cid",
    "orphan_mark": "orphan",
    "split_sara_am": "C_า",
    "doubled_sara_am": "ำา",
    "latin_in_thai": "latin",
}


def pdfplumber_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n\f".join(page.extract_text() or "" for page in pdf.pages)


def pypdfium2_text(path: Path) -> str:
    document = pdfium.PdfDocument(path)
    try:
        return "\n\f".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pdftotext_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
    )
    return done.stdout.decode("utf-8", "replace")


def ita_etl_text(path: Path) -> str:
    return document_text(path.read_bytes())


def extractors() -> dict[str, Callable[[Path], str]]:
    found: dict[str, Callable[[Path], str]] = {
        "pdfplumber": pdfplumber_text,
        "pypdfium2": pypdfium2_text,
    }
    if shutil.which("pdftotext"):
        found["pdftotext"] = pdftotext_text
    found["ita-etl text"] = ita_etl_text
    return found


def pdfs(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
    return found


def row(
    name: str, quality: TextQuality, changed: int, seconds: float | None, note: str = ""
) -> str:
    per_kind = " ".join(
        f"{1000 * quality.defects[k] / quality.thai_chars if quality.thai_chars else 0:6.2f}"
        for k in DEFECT_KINDS
    )
    timing = f"{seconds:7.2f}" if seconds is not None else "       "
    return (
        f"  {name:<13}{quality.thai_chars:>8}{quality.defects_per_1000:>9.2f} {per_kind}"
        f"{100 * quality.non_dictionary_share:>8.1f}%{changed:>13}{timing}  {note}"
    )


def header() -> str:
    kinds = " ".join(f"{SHORT[k]:>6}" for k in DEFECT_KINDS)
    return (
        f"  {'tool':<13}{'thai':>8}{'def/1k':>9} {kinds}{'nondict':>9}{'non-Thai chg':>13}"
        f"{'sec':>7}"
    )


def speed(files: list[Path]) -> None:
    """Glyph recovery's cost on the table extractor's path: one parse serves both."""

    def bare(path: Path) -> None:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.close()

    def recovered(path: Path) -> None:
        with pdfplumber.open(path) as pdf:
            recovery = GlyphRecovery(pdf)
            for page in pdf.pages:
                recovery.recover_chars(page)
                page.extract_tables()
                page.close()

    timings = {}
    for name, run in (("extract_tables", bare), ("recover_chars + extract_tables", recovered)):
        start = time.perf_counter()
        for path in files:
            run(path)
        timings[name] = time.perf_counter() - start
    base = timings["extract_tables"]
    for name, seconds in timings.items():
        print(f"{name:<34}{seconds:8.2f} s  {seconds / base:5.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--speed", action="store_true", help="also time glyph recovery")
    args = parser.parse_args(argv)
    files = pdfs(args.paths)
    if not files:
        print(f"no PDFs under {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 1
    tools = extractors()
    empty = TextQuality(0, Counter(), 0, 0)
    totals = dict.fromkeys(tools, empty)
    seconds = dict.fromkeys(tools, 0.0)
    changed = dict.fromkeys(tools, 0)
    for path in files:
        print(f"{path.name}")
        print(header())
        texts: dict[str, tuple[str, str, float]] = {}
        for name, extract in tools.items():
            start = time.perf_counter()
            try:
                text, note = extract(path), ""
            except ItaEtlError as error:
                text, note = "", f"({error.reason})"
            texts[name] = (text, note, time.perf_counter() - start)
        raw_layers = (texts["pdfplumber"][0], texts["pypdfium2"][0])
        for name, (text, note, elapsed) in texts.items():
            quality = measure(text)
            change = non_thai_added(text, *raw_layers).changed if text else 0
            totals[name] = totals[name] + quality
            seconds[name] += elapsed
            changed[name] += change
            print(row(name, quality, change, elapsed, note))
    print(f"TOTAL over {len(files)} PDFs")
    print(header())
    for name in tools:
        print(row(name, totals[name], changed[name], seconds[name]))
    if args.speed:
        print()
        speed(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How broken each tool's Thai text layer is, on real PDFs: run by hand.

    .venv/bin/python benchmarks/text_quality.py [PATH ...] [--speed]

PATH is a PDF or a folder searched recursively (default ../shared/realdocs). For every file and
for the totals it prints Thai characters, defects per 1,000 Thai characters by kind (the kinds
of docs/domain.md, counted by ``extractors.thai.quality``) and the share of Thai words not
in the dictionary, for raw pdfplumber ``extract_text``, raw pypdfium2 ``get_text_range``,
poppler's ``pdftotext`` (when installed) and ``ita-etl text``. Totals weight files by size.
The column "non-Thai chg" counts the non-Thai characters (letters, digits, punctuation,
symbols; not whitespace) a tool has more of than both raw layers, pdfplumber's and
pypdfium2's (``extractors.thai.quality.non_thai_added``): characters a repair added or changed.
It must be 0 for ``ita-etl text``.
``--speed`` also times glyph recovery plus ``extract_tables`` against bare ``extract_tables``.
``--glyphs`` also measures, for each file where glyphs were read from the document's words
(``extractors.pdf_decipher``), what reading them fixed and what it broke: the text read
without them is compared word by word with the text read with them; a changed stretch that
has fewer non-dictionary words is fixed, one with more is broken.
"""

from __future__ import annotations

import argparse
import difflib
import re
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
from extractors.pdf_text import document_text, read_document_text
from extractors.thai.quality import DEFECT_KINDS, TextQuality, measure, non_thai_added
from extractors.thai.words import is_word, thai_words_of
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


def glyph_readings(files: list[Path]) -> None:
    """What reading glyphs from the document's words fixed and broke, file by file."""
    print(
        f"{'file':<44}{'glyphs read':>12}{'left':>6}{'uses':>7}{'fixed':>7}{'broken':>8}"
        f"{'unread before':>15}{'after':>7}"
    )
    print(
        "  fixed/broken: changed stretches with fewer/more characters in non-dictionary words"
        " or unknown glyphs; unread: those characters in the whole text"
    )
    for path in files:
        data = path.read_bytes()
        try:
            read = read_document_text(data)
        except ItaEtlError:
            continue
        decided = [d for d in read.glyph_decisions if d.text is not None and d.text != d.given]
        if not decided:
            continue
        left = sum(
            1
            for d in read.glyph_decisions
            if d.text is None and d.given != d.text and not d.evidence.startswith("kept")
        )
        uses = read.repairs["glyph_deciphered"]
        before = read_document_text(data, read_glyphs=False).text
        fixed, broken = word_changes(before, read.text)
        unread = f"{_unread(_tokens(before)):>15}{_unread(_tokens(read.text)):>7}"
        print(f"{path.name:<44}{len(decided):>12}{left:>6}{uses:>7}{fixed:>7}{broken:>8}{unread}")


_ABBREVIATION = re.compile("(?<![\u0e01-\u0e4e])(?:[\u0e01-\u0e2e]{1,3}\\.)+")
_UNKNOWN_OR_THAI = re.compile(
    r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]|[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e]+"
)


def _tokens(text: str) -> list[str]:
    """Thai words and unknown glyphs ((cid:N), U+FFFD, PUA), in order."""
    found: list[str] = []
    for match in _UNKNOWN_OR_THAI.finditer(_ABBREVIATION.sub(" ", text)):
        piece = match.group(0)
        found += thai_words_of(piece) if "\u0e01" <= piece[0] <= "\u0e4e" else [piece]
    return found


def _unread(tokens: list[str]) -> int:
    """Characters in non-dictionary words, an unknown glyph counting as one."""
    return sum(
        1 if t[0] in "(\ufffd" or t[0] > "\u0e7f" else len(t) for t in tokens if not is_word(t)
    )


def word_changes(before: str, after: str) -> tuple[int, int]:
    """(stretches fixed, stretches broken): of the stretches of Thai words and unknown
    glyphs that differ between two texts, those with fewer, and those with more, characters
    in non-dictionary words or unknown glyphs ("พ.ศ."-shaped abbreviations count as words).
    A stretch where both readings are all words counts as neither (the dictionary cannot
    tell ส่า|นัก from สำนัก)."""
    old, new = _tokens(before), _tokens(after)
    fixed = broken = 0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        was = sum(
            1 if w[0] in "(\ufffd" or w[0] > "\u0e7f" else len(w)
            for w in old[a0:a1]
            if not is_word(w)
        )
        now = sum(
            1 if w[0] in "(\ufffd" or w[0] > "\u0e7f" else len(w)
            for w in new[b0:b1]
            if not is_word(w)
        )
        fixed += now < was
        broken += now > was
    return fixed, broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--speed", action="store_true", help="also time glyph recovery")
    parser.add_argument(
        "--glyphs", action="store_true", help="also measure what reading glyphs fixed and broke"
    )
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
    if args.glyphs:
        print()
        glyph_readings(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())

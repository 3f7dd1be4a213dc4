"""The golden records: what ``extract`` and ``text`` give for every committed sample, so that
work on speed can prove it changed no record (tests/test_golden_records.py).

For each input (``inputs()``: the reports under samples/, the PDFs of tests/fixtures/pdf and
the real-document excerpts of tests/fixtures/realdocs) this writes
``records/<path>.json``: the JSON export (``ita-etl extract --format json``; its
``parser_version`` is written as a placeholder, since bumping it alone changes no record),
or the one line of the ``InputError`` it ends in; and for each PDF ``text/<path>.txt``:
the repaired text layer (``ita-etl text``) followed by its warnings, repairs and glyph
readings (``--stats``). OCR is off (``--ocr never``): the golden files are about reading
text layers, and must not move when the OCR engine or its model does.

    .venv/bin/python tests/data/golden/make_golden.py           # write the golden files
    .venv/bin/python tests/data/golden/make_golden.py --check   # compare; exit 1 on a change

Regenerate only when a change to the records is intended, and say so in the commit.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

PARSER_VERSION_SHOWN = "(the parser's version)"
"""Written for ``parser_version``: a bump of the version alone changes no record."""
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
INPUT_SUFFIXES = {".pdf", ".html", ".txt", ".md", ".docx", ".xlsx"}
FOLDERS = ("samples", "tests/fixtures/pdf", "tests/fixtures/realdocs")


def inputs() -> list[str]:
    """Repository-relative paths of the committed documents, sorted."""
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix.lower() in INPUT_SUFFIXES and path.name != "README.md":
                found.append(path.relative_to(ROOT).as_posix())
    return found


def records(relative: str) -> str:
    """The JSON export of one document, as ``ita-etl extract`` prints it, or its error."""
    from etl.app.output import to_json
    from etl.transform.pipeline import extract_bytes
    from extractors.ocr.options import OcrOptions
    from schemas.errors import InputError

    data = (ROOT / relative).read_bytes()
    try:
        document = extract_bytes(data, relative, ocr=OcrOptions(mode="never"))
    except InputError as error:
        return f"error: {error.one_line()}\n"
    return to_json(replace(document, parser_version=PARSER_VERSION_SHOWN)) + "\n"


def text(relative: str) -> str:
    """``ita-etl text --stats --ocr never`` of one PDF: the text, then warnings and stats."""
    from extractors.ocr.options import OcrOptions
    from extractors.pdf import read_pdf_text
    from schemas.errors import InputError

    data = (ROOT / relative).read_bytes()
    try:
        doc, warnings = read_pdf_text(data, ocr=OcrOptions(mode="never"))
    except InputError as error:
        return f"error: {error.reason}\n"
    lines = [doc.text, "\n--- warnings\n"]
    lines += [f"{w}\n" for w in warnings]
    lines.append("--- repairs\n")
    lines += [f"{name}\t{count}\n" for name, count in sorted(doc.repairs.items())]
    lines.append("--- glyphs\n")
    lines += [f"{d.describe()}\n" for d in doc.glyph_decisions]
    return "".join(lines)


def golden_files() -> Iterator[tuple[Path, str, str]]:
    """(golden file, kind, input) for every input: its records, and its text if a PDF."""
    for relative in inputs():
        yield HERE / "records" / f"{relative}.json", "records", relative
        if relative.lower().endswith(".pdf"):
            yield HERE / "text" / f"{relative}.txt", "text", relative


def produce(kind: str, relative: str) -> str:
    return records(relative) if kind == "records" else text(relative)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    changed = 0
    expected = set()
    for golden, kind, relative in golden_files():
        expected.add(golden)
        now = produce(kind, relative)
        if not args.check:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(now, encoding="utf-8")
            continue
        before = golden.read_text(encoding="utf-8") if golden.exists() else ""
        if now != before:
            changed += 1
            diff = difflib.unified_diff(
                before.splitlines(keepends=True),
                now.splitlines(keepends=True),
                f"golden/{kind}/{relative}",
                f"now/{kind}/{relative}",
            )
            sys.stdout.writelines(diff)
    stale = [p for p in HERE.rglob("*") if p.is_file() and p.suffix in (".json", ".txt")]
    stale = [p for p in stale if p not in expected]
    if args.check:
        for path in stale:
            print(f"golden file with no input: {path.relative_to(ROOT)}")
        print(f"{changed} of {len(expected)} golden files differ", file=sys.stderr)
        return 1 if changed or stale else 0
    for path in stale:
        path.unlink()
    print(f"wrote {len(expected)} golden files under {HERE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

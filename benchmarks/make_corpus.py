"""Write N varied report files from the samples: several agencies, years and formats, some bad.

For the batch benchmarks and tests. Deterministic for a given seed. Variations are made on the
sample sources as text (agency name and fiscal year in the title, rows left out), so every good
file is a report the extractor reads, and its expected content is that of its template.
``MANIFEST.tsv`` beside the files (a name ingest skips) says what each file is: kind (report,
pdf: a copy of a sample PDF, bad), agency, fiscal year and template, so that tests can reason
about the expected outcome without parsing:

    .venv/bin/python benchmarks/make_corpus.py OUT_DIR --count 1000 [--seed 0] [--bad-share 0.03]
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
PLACES = (
    "หนองบัว", "บ้านใหม่", "ท่าช้าง", "โคกสูง", "นาดี", "ห้วยทราย", "บ่อทอง", "ดอนแก้ว",
    "หนองแวง", "ป่าตาล", "วังน้ำเย็น", "บางปลา", "ทุ่งใหญ่", "สันทราย", "แม่ริม", "เขาพระ",
)  # fmt: skip
QUARTERS = ("", "เหนือ", "ใต้", "กลาง", "ใหม่", "ตะวันออก", "ตะวันตก")
AGENCY_TYPES = ("องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง")
YEARS_BE = (2564, 2565, 2566, 2567, 2568)
MANIFEST = "MANIFEST.tsv"


@dataclass(frozen=True)
class Template:
    path: Path
    agency: str
    year_be: int


TEMPLATES = (
    Template(SAMPLES / "dla_2566.txt", "กรมส่งเสริมการปกครองท้องถิ่น", 2566),
    Template(SAMPLES / "dla_2566.html", "กรมส่งเสริมการปกครองท้องถิ่น", 2566),
    Template(SAMPLES / "dla_2567.html", "กรมส่งเสริมการปกครองท้องถิ่น", 2567),
    Template(SAMPLES / "obt_nongbua_2567.md", "องค์การบริหารส่วนตำบลหนองบัว", 2567),
)


def _year_patterns(year_be: int) -> list[tuple[str, str]]:
    return [(str(year_be), "{arabic}"), (str(year_be).translate(THAI_DIGITS), "{thai}")]


def _retitle(text: str, template: Template, agency: str, year_be: int) -> str:
    """The template with another agency and year in its title block (the first lines before
    the table), leaving the table's own mentions of years alone."""
    cut = min((i for i in (text.find("<table"), text.find("\t")) if i >= 0), default=len(text))
    head, body = text[:cut], text[cut:]
    head = head.replace(template.agency, agency)
    for old, style in _year_patterns(template.year_be):
        new = str(year_be) if style == "{arabic}" else str(year_be).translate(THAI_DIGITS)
        head = head.replace(old, new)
    return head + body


def _drop_rows(text: str, rng: random.Random, suffix: str) -> str:
    """Leave out a few data rows, so that years of the same agency differ."""
    if suffix == ".txt":
        lines = text.splitlines(keepends=True)
        rows = [i for i, ln in enumerate(lines) if "\t" in ln and "ตัวชี้วัดที่" in ln.split("\t")[0]]
        drop = set(rng.sample(rows, k=min(len(rows) - 1, rng.randint(0, 2)))) if rows else set()
        return "".join(ln for i, ln in enumerate(lines) if i not in drop)
    rows = list(re.finditer(r"<tr>\s*<td>ตัวชี้วัดที่.*?</tr>", text, flags=re.S))
    for match in rng.sample(rows, k=min(max(len(rows) - 1, 0), rng.randint(0, 2))):
        text = text.replace(match.group(0), "")
    return text


def _bad_files(rng: random.Random, pdf: bytes | None) -> list[tuple[str, bytes]]:
    kinds: list[tuple[str, Callable[[], bytes]]] = [
        (".txt", lambda: b""),
        (".html", lambda: "<html><body><p>ประกาศ</p></body></html>".encode()),
        (".bin", lambda: rng.randbytes(2048)),
        (".html", lambda: "<table><tr><td>ชื่อ</td><td>ที่อยู่</td></tr></table>".encode()),
    ]
    if pdf:
        kinds.append((".pdf", lambda: pdf[: len(pdf) // 3]))
    suffix, make = rng.choice(kinds)
    return [(suffix, make())]


def make_corpus(
    out: Path, count: int, *, seed: int = 0, bad_share: float = 0.03, with_pdfs: bool = True
) -> list[Path]:
    """Write ``count`` files into ``out`` and return their paths."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    pdfs = sorted((SAMPLES / "pdf").glob("*.pdf")) if with_pdfs else []
    sources = {t: t.path.read_text(encoding="utf-8") for t in TEMPLATES}
    written: list[Path] = []
    manifest = ["file\tkind\tagency\tyear_be\ttemplate"]
    for n in range(count):
        roll = rng.random()
        if roll < bad_share:
            suffix, data = _bad_files(rng, pdfs[0].read_bytes() if pdfs else None)[0]
            path = out / f"bad_{n:06d}{suffix}"
            path.write_bytes(data)
            manifest.append(f"{path.name}\tbad\t\t\t")
        elif pdfs and roll < bad_share + 0.1:
            source = rng.choice(pdfs)
            path = out / f"{n:06d}_{source.name}"
            # A comment after %%EOF changes the bytes (a new source) but not the content.
            path.write_bytes(source.read_bytes() + f"\n% ita-etl corpus {n}\n".encode())
            stem = source.name.split("__")[0]
            origin = next(t for t in TEMPLATES if t.path.stem == stem)
            manifest.append(f"{path.name}\tpdf\t{origin.agency}\t{origin.year_be}\t{stem}")
        else:
            template = rng.choice(TEMPLATES)
            agency = rng.choice(AGENCY_TYPES) + rng.choice(PLACES) + rng.choice(QUARTERS)
            year = rng.choice(YEARS_BE)
            text = _retitle(sources[template], template, agency, year)
            text = _drop_rows(text, rng, template.path.suffix)
            path = out / f"{n:06d}_{year}{template.path.suffix}"
            path.write_text(text, encoding="utf-8")
            manifest.append(f"{path.name}\treport\t{agency}\t{year}\t{template.path.name}")
        written.append(path)
    (out / MANIFEST).write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bad-share", type=float, default=0.03)
    parser.add_argument("--no-pdfs", action="store_true")
    args = parser.parse_args()
    paths = make_corpus(
        args.out, args.count, seed=args.seed, bad_share=args.bad_share, with_pdfs=not args.no_pdfs
    )
    print(f"wrote {len(paths)} files to {args.out}")


if __name__ == "__main__":
    main()

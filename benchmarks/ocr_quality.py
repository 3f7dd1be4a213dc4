"""OCR quality on real pages, against the same pages' own text layer: ita-etl's OCR beside raw
Tesseract, and what the Thai clean-up fixes and what it breaks.

    .venv/bin/python benchmarks/ocr_quality.py [--pages N] [--cache DIR] [--losses]
                                               [PDF_OR_DIR ...]

Default: the text-layer PDFs of ../shared/realdocs/ita_moph_nysso_2563 (a district health
office's ITA evidence: memos, announcements, orders, a procurement report), the first N pages
(default 2) of each whose text layer has 200 Thai letters or more. Each page is rendered at
300 dpi in grey and put in an image-only PDF, which is then read

- by raw Tesseract: the whole page, ``--psm 4``, Thai model, 300 dpi (the baseline the issue
  names: 98.0 % measured on a real code of ethics);
- by ita-etl (``ita-etl text`` on the image-only PDF: lines cut out, each read alone,
  clean-up).

Truth is ``ita-etl text`` of the original PDF (its text layer, glyphs recovered, Thai
repaired). The text-layer reader once turned spaces into "@" on some realdocs PDFs
(docs/domain.md, "Repairs that damage"), and this benchmark took every "@" for a space; the
reader no longer does, and the one "@" left in the truth is an e-mail address
(EB1_1.6.pdf), so it is now held as it is.

Similarity is rapidfuzz's ratio (1 − normalised Indel distance) of the two texts with white
space removed, per page, then the mean over pages, two ways:

- *strict*: the characters as they are. Raw Tesseract's "ํา" (nikhahit + sara aa, where
  Thai has sara am) is counted as it is.
- *as shown*: what the page shows, where the text layer's codes say more than the ink
  can: a digit is its value (TH SarabunIT๙ draws the codes 0–9 as Thai digits, so the
  text layer says "2561" where the page shows ๒๕๖๑; no reader of the image can know which
  code was typed), and a run of three or more leader characters (dots, ellipses, dashes,
  underscores: a form's blanks and separators, "หมายเหตุ : ………", hundreds of characters
  whose count depends on the font) is one "…" on either side. A reader that drops a
  leader still loses that one character.

``--losses`` says, for each page, where ita-etl's characters went (as shown): the Indel
distance to the truth, the part of it that is text read right but in another order (a
run of 6 characters or more deleted in one place and inserted in another: a poster's
boxes have no one reading order, and the text layer's is the order they were drawn in),
and the largest misreadings left.

The clean-up is held to what it changes: every phrase it changed is aligned to the truth
(through an alignment of the page's raw OCR text with the truth), and the edit distance to
the true text before and after counts the characters it fixed and those it broke, by kind.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Indel, Levenshtein  # noqa: E402

from extractors.ocr.options import OcrOptions  # noqa: E402
from extractors.pdf import read_pdf_text  # noqa: E402
from extractors.thai.quality import thai_char_count  # noqa: E402

DPI = 300
MIN_THAI = 200


def packed(text: str) -> str:
    return re.sub(r"\s", "", text)


def similarity(got: str, want: str) -> float:
    return Indel.normalized_similarity(packed(got), packed(want))


_DIGIT_VALUES = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_LEADERS = re.compile(r"(?:[.…_\-–—]\s*){3,}|…+")


def as_shown(text: str) -> str:
    """Digits as values, each run of leaders one "…" (module docstring)."""
    return _LEADERS.sub("…", text.translate(_DIGIT_VALUES))


def shown_similarity(got: str, want: str) -> float:
    return similarity(as_shown(got), as_shown(want))


@dataclass
class Fixes:
    """What the clean-up changed, against the truth: characters fixed and broken, by kind,
    and each change that broke something (raw, cleaned, true)."""

    phrases: Counter[str] = field(default_factory=Counter)
    fixed: Counter[str] = field(default_factory=Counter)
    broken: Counter[str] = field(default_factory=Counter)
    damage: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, other: Fixes) -> None:
        self.phrases.update(other.phrases)
        self.fixed.update(other.fixed)
        self.broken.update(other.broken)
        self.damage += other.damage


def image_only_pdf(data: bytes, pages: list[int]) -> bytes:
    """The pages (1-based) of a PDF rendered at 300 dpi in grey, as an image-only PDF."""
    import pypdfium2

    from extractors.ocr.render import render_page

    document = pypdfium2.PdfDocument(data)
    images = [render_page(document, number - 1, DPI)[0] for number in pages]
    document.close()
    out = io.BytesIO()
    images[0].save(
        out, "PDF", save_all=True, append_images=images[1:], resolution=float(DPI), quality=92
    )
    return out.getvalue()


def raw_tesseract(data: bytes) -> list[str]:
    """Each page of an image-only PDF read by Tesseract alone: whole page, psm 4."""
    import pypdfium2
    import tesserocr

    from extractors.ocr.render import render_page
    from extractors.ocr.tesseract import tessdata_dir

    document = pypdfium2.PdfDocument(data)
    texts = []
    with tesserocr.PyTessBaseAPI(path=str(tessdata_dir()), lang="tha", psm=4) as api:
        for index in range(len(document)):
            image, _ = render_page(document, index, DPI)
            api.SetImage(image)
            texts.append(api.GetUTF8Text())
    document.close()
    return texts


def _position(opcodes: Any, index: int) -> int:
    """Where a position of the OCR text falls in the truth, by the alignment."""
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= index < i2 or (index == i2 and tag != "insert"):
            if tag == "equal":
                return int(j1 + index - i1)
            return int(j1 + min(index - i1, j2 - j1))
    return int(opcodes[-1][4]) if opcodes else 0


def cleanup_effect(lines: Any, truth: str) -> Fixes:
    """Each phrase the clean-up changed, held to the true text it was aligned with."""
    phrases: list[tuple[str, str, tuple[str, ...]]] = []
    for line in lines:
        for char in line.chars:
            raw, text = packed(str(char.get("raw_text", ""))), packed(str(char["text"]))
            phrases.append((raw, text, tuple(char.get("ocr_fixes", ()))))
    page_raw = "".join(raw for raw, _, _ in phrases)
    want = packed(truth)
    opcodes = Levenshtein.opcodes(page_raw, want)
    fixes = Fixes()
    start = 0
    for raw, text, kinds in phrases:
        end = start + len(raw)
        if kinds:
            kind = "+".join(kinds)
            true = want[_position(opcodes, start) : _position(opcodes, end)]
            before, after = Levenshtein.distance(raw, true), Levenshtein.distance(text, true)
            fixes.phrases[kind] += 1
            fixes.fixed[kind] += max(0, before - after)
            fixes.broken[kind] += max(0, after - before)
            if after > before:
                fixes.damage.append((kind, raw, text, true))
        start = end
    return fixes


MAX_IMAGE_SHARE = 0.2
"""A page whose images cover more of it than this may show text that its text layer does
not have (a slide of pictures and captions): no truth to hold OCR to."""


def pages_to_read(data: bytes, truth: Any, limit: int) -> list[int]:
    """The first ``limit`` pages with a real text layer: 200 Thai letters or more, and no
    large pictures."""
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in truth.pages:
            if thai_char_count(page.text) < MIN_THAI:
                continue
            sheet = pdf.pages[page.number - 1]
            area = float(sheet.width * sheet.height)
            pictures = sum(float(i["width"] * i["height"]) for i in sheet.images)
            if pictures <= MAX_IMAGE_SHARE * area:
                out.append(page.number)
            if len(out) == limit:
                break
    return out


_MOVED = 6
"""Shortest run of characters taken as moved (read right, in another order) by ``losses``."""


def losses(got: str, want: str) -> tuple[int, int, list[tuple[str, str]]]:
    """The Indel distance of ``got`` to ``want`` (as shown, white space aside), the part
    of it in runs read right but placed elsewhere, and the misreadings (read, true),
    longest first. Only reports: no score depends on it."""
    from rapidfuzz.fuzz import partial_ratio

    a, b = packed(as_shown(got)), packed(as_shown(want))
    edits: list[tuple[str, str]] = []
    joined = False  # a deletion and the insertion right after it are one misreading
    for tag, i1, i2, j1, j2 in Indel.opcodes(a, b):
        if tag == "equal":
            joined = False
        elif joined:
            edits[-1] = (edits[-1][0] + a[i1:i2], edits[-1][1] + b[j1:j2])
        else:
            edits.append((a[i1:i2], b[j1:j2]))
            joined = True
    inserted = [true for _, true in edits if len(true) >= _MOVED]
    deleted = [read for read, _ in edits if len(read) >= _MOVED]
    moved = sum(
        len(read) for read in deleted if any(partial_ratio(read, t) >= 90 for t in inserted)
    )
    moved += sum(
        len(true) for true in inserted if any(partial_ratio(true, r) >= 90 for r in deleted)
    )
    rest = [
        (read, true)
        for read, true in edits
        if not (len(read) >= _MOVED and any(partial_ratio(read, t) >= 90 for t in inserted))
        and not (len(true) >= _MOVED and any(partial_ratio(true, r) >= 90 for r in deleted))
    ]
    rest.sort(key=lambda edit: -(len(edit[0]) + len(edit[1])))
    return int(Indel.distance(a, b)), moved, rest


Row = tuple[int, float, float, float, float]
"""Page number; raw Tesseract and ita-etl, strict; raw Tesseract and ita-etl, as shown."""


def measure(path: Path, limit: int, cache: str, breakdown: bool = False) -> tuple[list[Row], Fixes]:
    data = path.read_bytes()
    truth, _ = read_pdf_text(data, ocr=OcrOptions(mode="never"))
    numbers = pages_to_read(data, truth, limit)
    if not numbers:
        return [], Fixes()
    scanned = image_only_pdf(data, numbers)
    baseline = raw_tesseract(scanned)
    read, _ = read_pdf_text(scanned, ocr=OcrOptions(cache=cache))
    rows = []
    fixes = Fixes()
    by_number = {p.number: p for p in truth.pages}
    for number, base, page in zip(numbers, baseline, read.pages, strict=True):
        want = by_number[number].text
        rows.append(
            (
                number,
                similarity(base, want),
                similarity(page.text, want),
                shown_similarity(base, want),
                shown_similarity(page.text, want),
            )
        )
        fixes.add(cleanup_effect(page.lines, want))
        if breakdown:
            distance, moved, rest = losses(page.text, want)
            shown = ", ".join(f"{read or '∅'}→{true or '∅'}" for read, true in rest[:6])
            print(
                f"  {path.name} p{number}: {distance} characters off, {moved} of them in"
                f" another order; misread {distance - moved}, largest: {shown}"
            )
    return rows, fixes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--pages", type=int, default=2, help="pages per document (default 2)")
    parser.add_argument(
        "--cache",
        default=str(Path.home() / ".cache" / "ita-etl" / "ocr-quality"),
        help="OCR cache for ita-etl's reading (a re-run with the same layout reads no page)",
    )
    parser.add_argument(
        "--losses",
        action="store_true",
        help="for each page, the characters lost: in another order, and the largest misreadings",
    )
    args = parser.parse_args()
    paths = args.paths or [ROOT.parent / "shared" / "realdocs" / "ita_moph_nysso_2563"]
    if not any(p.exists() for p in paths):
        paths = [Path("/work/shared/realdocs/ita_moph_nysso_2563")]
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.glob("*.pdf")))
    print(f"{'':33} {'strict':>23}   {'as shown':>23}")
    heads = f"{'raw tesseract':>14} {'ita-etl':>8}"
    print(f"{'document':28} {'page':>4} {heads}   {heads}")
    every: list[Row] = []
    fixes = Fixes()
    started = time.monotonic()
    for path in files:
        try:
            rows, found = measure(path, args.pages, args.cache, args.losses)
        except Exception as error:  # a scanned or broken original has no truth to hold to
            print(f"{path.name:28} skipped: {error}")
            continue
        for number, *scores in rows:
            print(f"{path.name:28} {number:4} {_scores(scores)}")
        every += rows
        fixes.add(found)
    if not every:
        print("no pages with a text layer to compare")
        return
    means = [sum(r[k] for r in every) / len(every) for k in range(1, 5)]
    print(f"{'mean over ' + str(len(every)) + ' pages':33} {_scores(means)}")
    worse = sum(1 for r in every if r[2] < r[1])
    print(f"pages where ita-etl reads worse than raw Tesseract (strict): {worse}")
    print(f"({time.monotonic() - started:.0f} s)")
    print("\nclean-up, against the text layer (characters):")
    print(f"{'kind':40} {'phrases':>7} {'fixed':>6} {'broken':>6}")
    for kind in sorted(fixes.phrases):
        print(
            f"{kind:40} {fixes.phrases[kind]:7} {fixes.fixed[kind]:6} {fixes.broken[kind]:6}"
            + ("   <- breaks more than it mends" if fixes.broken[kind] > fixes.fixed[kind] else "")
        )
    total_fixed, total_broken = sum(fixes.fixed.values()), sum(fixes.broken.values())
    print(f"{'all':40} {sum(fixes.phrases.values()):7} {total_fixed:6} {total_broken:6}")
    if fixes.damage:
        print("\nchanges that broke text (kind: read -> cleaned, true):")
        for kind, raw, text, true in fixes.damage:
            print(f"  {kind}: {raw} -> {text}, true {true}")


def _scores(scores: list[float]) -> str:
    strict_raw, strict_ours, shown_raw, shown_ours = scores
    return f"{strict_raw:14.2%} {strict_ours:8.2%}   {shown_raw:14.2%} {shown_ours:8.2%}"


if __name__ == "__main__":
    main()

"""Make "paper" versions of sample PDFs: printed, scanned, image-only, as real scans look.

Small agencies print a report, sign it and scan it; what gets published is a PDF of page
images with no text layer. This script makes such PDFs from the committed sample PDFs, whose
true text is known (they were made from samples/*.txt, .html, .md), so tests can hold OCR
to the source's text. It is run by hand and its output committed:

    .venv/bin/python samples/make_scans.py

Each page is rendered at 200 dpi in grey (pypdfium2), turned by a small angle (at most 1°,
as a sheet goes through a feeder), given paper grain, toner speckle and dust, and saved as a
JPEG at quality 50 inside an image-only PDF (Pillow's PDF writer). Seeded: the same run gives
the same files. ``SCANS`` names the PDFs scanned. ReportLab's samples are left out: ReportLab
does not shape Thai (it draws tone marks at the advance point, beside their letter, not
above it), which no word processor a report is printed from does.

It also writes PDFs whose text layer is garbage (``GARBLED``): the sample's ToUnicode maps
rewritten so that Thai consonants map to the wrong letters, as a broken legacy font does.

Writes ``tests/fixtures/scans/<name>.pdf`` and its ``MANIFEST.tsv`` (file, source PDF,
source text, pages, angle of each page).
"""

from __future__ import annotations

import csv
import io
import random
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

SAMPLES = Path(__file__).parent
OUT = SAMPLES.parent / "tests" / "fixtures" / "scans"
"""Outside samples/: the quick start ingests samples/, and OCR is an optional extra."""
DPI = 200
JPEG_QUALITY = 50
MAX_ANGLE = 1.0
SCANS = (
    "dla_2567__libreoffice__Garuda__ruled__landscape.pdf",
    "dla_2567__weasyprint__Laksaman__borderless__landscape.pdf",
    "obt_nongbua_2567__weasyprint__Loma__ruled__portrait.pdf",
    "obt_nongbua_2567__libreoffice__Laksaman__borderless__portrait.pdf",
    "dla_2566__weasyprint__Norasi__ruled__landscape.pdf",
)


def paper(image: Image.Image, rng: random.Random) -> tuple[Image.Image, float]:
    """A clean page image as a scanner gives it back, and the angle it was turned by."""
    angle = round(rng.uniform(-MAX_ANGLE, MAX_ANGLE), 2)
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    grey = np.asarray(turned, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32))
    grey = grey * 0.9 + 14  # grey paper, toner not quite black
    speckle = noise.random(grey.shape)
    grey[speckle < 0.0006] = noise.uniform(30, 140)  # toner specks and dust
    grey[speckle > 0.9996] = 250  # dropouts in the ink
    out = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))
    out = out.filter(ImageFilter.GaussianBlur(0.6))  # the scanner's optics
    grain = noise.normal(0, 1.2, grey.shape)
    return Image.fromarray(np.clip(np.asarray(out) + grain, 0, 255).astype(np.uint8)), angle


def scan(source: Path, target: Path, rng: random.Random) -> list[float]:
    document = pypdfium2.PdfDocument(source.read_bytes())
    pages: list[Image.Image] = []
    angles: list[float] = []
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        page.close()
        scanned, angle = paper(image, rng)
        buffer = io.BytesIO()
        scanned.save(buffer, "JPEG", quality=JPEG_QUALITY)
        pages.append(Image.open(io.BytesIO(buffer.getvalue())))
        angles.append(angle)
    document.close()
    pages[0].save(
        target,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(DPI),
        creationDate=None,  # no dates: the same run gives the same bytes
        modDate=None,
    )
    return angles


GARBLED = (
    "obt_nongbua_2567__libreoffice__Garuda__ruled__landscape.pdf",
    "dla_2567__libreoffice__Laksaman__borderless__portrait.pdf",
)
"""Sample PDFs rewritten with a ToUnicode map that sends Thai consonants to the wrong
letters, as a broken legacy font does: the page looks right, its text layer is garbage."""
_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(<<.*?>>)\s*stream\r?\n(.*)\r?\nendstream$", re.S)
_HEX = re.compile(rb"<(0[Ee][0-9A-Fa-f]{2})>")
_ROOT = re.compile(rb"/Root\s+(\d+ 0 R)")
CONSONANT_SHIFT = 7


def _wrong_letter(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16)
    if 0x0E01 <= code <= 0x0E2E:  # ก..ฮ: each consonant becomes the one 7 places on
        code = 0x0E01 + (code - 0x0E01 + CONSONANT_SHIFT) % 46
    return b"<%04X>" % code


def garble_to_unicode(data: bytes) -> bytes:
    """The PDF with every ToUnicode map's Thai consonants sent to the wrong letters, written
    out again object by object (a PDF without object streams, as LibreOffice writes)."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(data)}
    lengths: dict[int, int] = {}
    for number, body in objects.items():
        found = _STREAM.match(body)
        if found is None or b"FlateDecode" not in found.group(1):
            continue
        try:
            text = zlib.decompress(found.group(2))
        except zlib.error:
            continue
        if b"begincmap" not in text:
            continue
        stream = zlib.compress(_HEX.sub(_wrong_letter, text))
        head = re.sub(rb"/Length\s+\d+(\s+0\s+R)?", b"/Length %d" % len(stream), found.group(1))
        objects[number] = head + b"\nstream\n" + stream + b"\nendstream"
        lengths[number] = len(stream)
    root = _ROOT.findall(data)[-1]
    out = bytearray(b"%PDF-1.6\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    manifest = {
        row["file"]: row
        for row in csv.DictReader(
            (SAMPLES / "pdf" / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"
        )
    }
    rows = []
    for index, name in enumerate(SCANS):
        rng = random.Random(f"ita-etl scan {index}")
        target = OUT / name.replace(".pdf", "__scan.pdf")
        angles = scan(SAMPLES / "pdf" / name, target, rng)
        rows.append(
            {
                "file": target.name,
                "scanned_from": f"pdf/{name}",
                "source": manifest[name]["source"],
                "pages": len(angles),
                "angles": " ".join(f"{a:+.2f}" for a in angles),
                "bytes": target.stat().st_size,
            }
        )
        print(f"{target.name}: {len(angles)} pages", file=sys.stderr)
    for name in GARBLED:
        target = OUT / name.replace(".pdf", "__garbled_tounicode.pdf")
        target.write_bytes(garble_to_unicode((SAMPLES / "pdf" / name).read_bytes()))
        rows.append(
            {
                "file": target.name,
                "scanned_from": f"pdf/{name}",
                "source": manifest[name]["source"],
                "pages": manifest[name]["pages"],
                "angles": "",
                "bytes": target.stat().st_size,
            }
        )
        print(f"{target.name}: ToUnicode garbled", file=sys.stderr)
    with (OUT / "MANIFEST.tsv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()

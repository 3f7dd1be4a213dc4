"""OCR speed: seconds per page with 1 and 2 workers, and a cached re-run.

    .venv/bin/python benchmarks/ocr_speed.py [PDF]

Default PDF: the 4-page borderless scan in tests/fixtures/scans. Each run OCRs with a fresh
cache folder; the re-run reads the same PDF with the cache the 2-worker run filled. Prints
the re-run's time as a share of the first (the goal: under 5 %).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from etl.transform.pipeline import extract_bytes  # noqa: E402
from extractors.ocr.options import OcrOptions  # noqa: E402

DEFAULT = (
    ROOT
    / "tests"
    / "fixtures"
    / "scans"
    / "dla_2567__weasyprint__Laksaman__borderless__landscape__scan.pdf"
)


def timed(data: bytes, options: OcrOptions) -> tuple[float, int]:
    started = time.perf_counter()
    doc = extract_bytes(data, "bench.pdf", ocr=options)
    return time.perf_counter() - started, len(doc.pages_read)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    data = path.read_bytes()
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        s1, pages = timed(data, OcrOptions(workers=1, cache=one))
        s2, _ = timed(data, OcrOptions(workers=2, cache=two))
        s3, _ = timed(data, OcrOptions(workers=2, cache=two))
    print(f"{path.name}: {pages} pages")
    print(f"1 worker:        {s1 / pages:6.2f} s/page")
    print(f"2 workers:       {s2 / pages:6.2f} s/page  ({s1 / s2:.2f}x)")
    print(f"cached re-run:   {s3 / pages:6.2f} s/page  ({100 * s3 / s2:.1f} % of the first)")


if __name__ == "__main__":
    main()

"""OCR speed: seconds per page with 1 and 2 workers, and a cached re-run.

    .venv/bin/python benchmarks/ocr_speed.py [PDF...]

Default: the 4-page borderless scan in tests/fixtures/scans. Each PDF is read three times,
in this process, as ``extract`` reads it: with 1 worker (pages OCR'd one at a time) and a
fresh cache, with 2 workers and another fresh cache, then again with the cache the 2-worker
run filled. Prints seconds per page, the 2-worker speed-up, and the re-run's time as a share
of the first read (the goal: under 5 %), with the pages each run OCR'd, took from the
cache and rendered (``extractors.ocr.budget``), so a re-run that OCR'd or rendered anything
shows.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from etl.transform.pipeline import extract_bytes  # noqa: E402
from extractors.ocr import budget  # noqa: E402
from extractors.ocr.options import OcrOptions  # noqa: E402

DEFAULT = (
    ROOT
    / "tests"
    / "fixtures"
    / "scans"
    / "dla_2567__weasyprint__Laksaman__borderless__landscape__scan.pdf"
)


def timed(data: bytes, options: OcrOptions) -> tuple[float, int, budget.OcrCount]:
    before = budget.counted()
    started = time.perf_counter()
    doc = extract_bytes(data, "bench.pdf", ocr=options)
    return time.perf_counter() - started, len(doc.pages_read), budget.counted() - before


def bench(path: Path) -> None:
    data = path.read_bytes()
    warm_up = ROOT / "samples" / "pdf" / "dla_2566__libreoffice__Laksaman__ruled__portrait.pdf"
    extract_bytes(warm_up.read_bytes(), warm_up.name)  # imports, Thai dictionaries
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        s1, pages, c1 = timed(data, OcrOptions(workers=1, cache=one))
        s2, _, c2 = timed(data, OcrOptions(workers=2, cache=two))
        s3, _, c3 = timed(data, OcrOptions(workers=2, cache=two))
    print(f"{path.name}: {pages} pages")
    print(f"  1 worker:      {s1 / pages:6.2f} s/page   {_pages(c1)}")
    print(
        f"  2 workers:     {s2 / pages:6.2f} s/page   {_pages(c2)}"
        f"   ({s1 / s2:.2f}x the 1-worker speed)"
    )
    share = 100 * s3 / s2
    print(
        f"  cached re-run: {s3 / pages:6.2f} s/page   {_pages(c3)}"
        f"   ({share:.1f} % of the 2-worker read; goal < 5 %: {'met' if share < 5 else 'NOT met'})"
    )


def _pages(count: budget.OcrCount) -> str:
    return f"OCR'd {count.run}, cached {count.cached}, rendered {count.rendered}"


def main() -> None:
    for path in [Path(p) for p in sys.argv[1:]] or [DEFAULT]:
        bench(path)


if __name__ == "__main__":
    main()

"""Pages per second of ``ita-etl extract`` against bare pdfplumber ``extract_tables``.

Both read the same PDFs in the same run, alternating, best of ``--repeat`` rounds each, so
the ratio is not skewed by the machine's load at one moment. Goal: extract no slower than
1.5x bare pdfplumber. Run by hand:

    .venv/bin/python benchmarks/extract_speed.py [PATH ...] [--repeat 3]

PATH defaults to samples/pdf and, when present, ../shared/realdocs. Files that are not
reports (realdocs are other government forms) still count: extract does all its reading
before it finds no report table.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from etl.transform.pipeline import extract_bytes
from schemas.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = [ROOT / "samples" / "pdf", ROOT.parent / "shared" / "realdocs"]


def bare_pdfplumber(data: bytes, path: str) -> None:
    import io

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()


def ita_etl_extract(data: bytes, path: str) -> None:
    with contextlib.suppress(InputError):
        extract_bytes(data, path)


def pdfs(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.rglob("*.pdf"))
        elif path.suffix.lower() == ".pdf":
            found.append(path)
    return found


def timed(run: Callable[[bytes, str], None], files: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    for name, data in files:
        run(data, name)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = pdfs(args.paths or [p for p in DEFAULT_PATHS if p.exists()])
    loaded = [(str(f), f.read_bytes()) for f in files]
    pages = 0
    for _, data in loaded:
        import io

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages += len(pdf.pages)
    ita_etl_extract(*reversed(loaded[0]))  # warm up pythainlp's dictionary and imports
    best = {"pdfplumber extract_tables": float("inf"), "ita-etl extract": float("inf")}
    for _ in range(args.repeat):
        best["pdfplumber extract_tables"] = min(
            best["pdfplumber extract_tables"], timed(bare_pdfplumber, loaded)
        )
        best["ita-etl extract"] = min(best["ita-etl extract"], timed(ita_etl_extract, loaded))
    baseline = best["pdfplumber extract_tables"]
    print(f"{len(loaded)} PDFs, {pages} pages, best of {args.repeat}")
    print(f"{'':28s} {'seconds':>8s} {'pages/s':>8s} {'ratio':>6s}")
    for name, seconds in best.items():
        print(f"{name:28s} {seconds:8.2f} {pages / seconds:8.1f} {seconds / baseline:5.2f}x")
    verdict = "meets" if best["ita-etl extract"] <= 1.5 * baseline else "misses"
    print(f"goal: ita-etl extract within 1.5x of bare pdfplumber -> {verdict}")


if __name__ == "__main__":
    main()

"""Pages per second of ``ita-etl extract`` against bare pdfplumber ``extract_tables``.

Both read the same PDFs in the same run, alternating, best of ``--repeat`` rounds each, so
the ratio is not skewed by the machine's load at one moment. Each pass runs in a fresh
process, warmed as ingest's workers are (``etl.orchestrate.parse.warm_up``: imports, the
Thai dictionaries) but on no document it then reads: ita-etl memoises work on text (word
segmentation, glyph readings), and a pass over PDFs it had just read would find every
answer cached, as no batch of new reports does. Both wall-clock and CPU time
(this process's) are shown: on a shared, loaded machine the CPU ratio is the steadier one.
``extract`` reads text layers only (``--ocr never``): bare pdfplumber OCRs nothing, and a
page that ``extract`` would OCR (EB2_2.6.pdf in realdocs) would measure Tesseract instead.
Goal (issue 15): extract no slower than bare pdfplumber (ratio <= 1.0x; aim 0.5x). Run by
hand:

    .venv/bin/python benchmarks/extract_speed.py [PATH ...] [--repeat 3]

PATH defaults to samples/pdf and, when present, ../shared/realdocs, each reported alone and
together. Files that are not reports (realdocs are other government forms) still count:
extract does all its reading before it finds no report table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pdfplumber

from etl.orchestrate.parse import warm_up
from etl.transform.pipeline import extract_bytes
from extractors.ocr.options import OcrOptions
from schemas.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = [ROOT / "samples" / "pdf", ROOT.parent / "shared" / "realdocs"]
TEXT_LAYERS_ONLY = OcrOptions(mode="never")
Files = list[tuple[str, bytes]]


def bare_pdfplumber(data: bytes, path: str) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()


def ita_etl_extract(data: bytes, path: str) -> None:
    with contextlib.suppress(InputError):
        extract_bytes(data, path, ocr=TEXT_LAYERS_ONLY)


RUNS: dict[str, Callable[[bytes, str], None]] = {
    "pdfplumber extract_tables": bare_pdfplumber,
    "ita-etl extract": ita_etl_extract,
}


def pdfs(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.rglob("*.pdf"))
    return [path] if path.suffix.lower() == ".pdf" else []


def timed(name: str, files: Files) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one pass over the files, in a fresh warmed process."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=warm_up) as pool:
        return pool.submit(_pass, name, files).result()


def _pass(name: str, files: Files) -> tuple[float, float]:
    run = RUNS[name]
    wall, cpu = time.perf_counter(), time.process_time()
    for path, data in files:
        run(data, path)
    return time.perf_counter() - wall, time.process_time() - cpu


def page_count(files: Files) -> int:
    pages = 0
    for _, data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages += len(pdf.pages)
    return pages


def report(label: str, files: Files, best: dict[str, list[float]]) -> float:
    """Print one set's table; return the CPU ratio of extract to bare pdfplumber."""
    pages = page_count(files)
    base_wall, base_cpu = best["pdfplumber extract_tables"]
    print(f"\n{label}: {len(files)} PDFs, {pages} pages")
    print(f"{'':28s} {'wall s':>7s} {'pages/s':>8s} {'ratio':>6s}   {'CPU s':>7s} {'ratio':>6s}")
    for name, (wall, cpu) in best.items():
        print(
            f"{name:28s} {wall:7.2f} {pages / wall:8.1f} {wall / base_wall:5.2f}x"
            f"   {cpu:7.2f} {cpu / base_cpu:5.2f}x"
        )
    return best["ita-etl extract"][1] / base_cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.paths or [p for p in DEFAULT_PATHS if p.exists()]
    sets = {str(p): [(str(f), f.read_bytes()) for f in pdfs(p)] for p in paths}
    sets = {label: files for label, files in sets.items() if files}
    best = {label: {name: [float("inf"), float("inf")] for name in RUNS} for label in sets}
    for _ in range(args.repeat):
        for label, files in sets.items():
            for name in RUNS:
                wall, cpu = timed(name, files)
                kept = best[label][name]
                kept[0], kept[1] = min(kept[0], wall), min(kept[1], cpu)
    print(f"best of {args.repeat} rounds, extract with --ocr never")
    for label, files in sets.items():
        report(label, files, best[label])
    if len(sets) > 1:
        together = {
            name: [sum(best[label][name][i] for label in sets) for i in (0, 1)] for name in RUNS
        }
        ratio = report("together", [f for files in sets.values() for f in files], together)
    else:
        ratio = (
            best[next(iter(sets))]["ita-etl extract"][1]
            / best[next(iter(sets))]["pdfplumber extract_tables"][1]
        )
    verdict = "meets" if ratio <= 1.0 else "misses"
    print(f"\ngoal: extract at most 1.0x bare pdfplumber (CPU, all PDFs): {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()

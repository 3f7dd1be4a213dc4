"""Where ``ita-etl extract`` spends its time: cProfile over PDFs, text layers only.

The command issue 15's work was steered by (the output is not committed; it depends on the
machine). Run by hand, then read the cumulative and internal-time tables it prints:

    .venv/bin/python benchmarks/profile_extract.py [PATH ...] [--out extract.prof] [--top 40]

PATH defaults to samples/pdf and ../shared/realdocs. ``--out`` keeps the raw profile for
``python -m pstats`` or snakeviz. For a sampling view with less overhead, the same run under
py-spy: ``py-spy record -o extract.svg -- .venv/bin/python benchmarks/profile_extract.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
from pathlib import Path

from etl.transform.pipeline import extract_bytes
from extractors.ocr.options import OcrOptions
from schemas.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = [ROOT / "samples" / "pdf", ROOT.parent / "shared" / "realdocs"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    paths = args.paths or [p for p in DEFAULT_PATHS if p.exists()]
    files = [f for p in paths for f in (sorted(p.rglob("*.pdf")) if p.is_dir() else [p])]
    options = OcrOptions(mode="never")
    with contextlib.suppress(InputError):
        extract_bytes(files[0].read_bytes(), str(files[0]), ocr=options)  # imports, dictionary
    profile = cProfile.Profile()
    profile.enable()
    for path in files:
        with contextlib.suppress(InputError):
            extract_bytes(path.read_bytes(), str(path), ocr=options)
    profile.disable()
    if args.out:
        profile.dump_stats(args.out)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

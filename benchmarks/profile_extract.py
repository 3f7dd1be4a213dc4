"""Where ``ita-etl extract`` spends its time: cProfile over PDFs, text layers only.

The command issue 15's work was steered by (the output is not committed; it depends on the
machine). Run by hand, then read the cumulative and internal-time tables it prints:

    .venv/bin/python benchmarks/profile_extract.py [PATH ...] [--out extract.prof] [--top 40]

PATH defaults to samples/pdf and ../shared/realdocs. ``--out`` keeps the raw profile for
``python -m pstats`` or snakeviz. cProfile's own cost per call overstates code made of many
small calls (it put a logging call at 2.5% of a parse that py-spy put at 1.5%): for shares,
sample the same run without it, ``--sample``, under py-spy (``pip install py-spy``):

    py-spy record -r 250 -o extract.svg -- .venv/bin/python benchmarks/profile_extract.py \
        --sample /tmp/ita-year/80

(/tmp/ita-year/80: the national-year corpus benchmarks/national_year.py makes.)
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
    parser.add_argument("--sample", action="store_true", help="no cProfile: for py-spy")
    args = parser.parse_args()
    paths = args.paths or [p for p in DEFAULT_PATHS if p.exists()]
    files = [f for p in paths for f in (sorted(p.rglob("*.pdf")) if p.is_dir() else [p])]
    options = OcrOptions(mode="never")
    with contextlib.suppress(InputError):
        extract_bytes(files[0].read_bytes(), str(files[0]), ocr=options)  # imports, dictionary
    profile = cProfile.Profile()
    if not args.sample:
        profile.enable()
    for path in files:
        with contextlib.suppress(InputError):
            extract_bytes(path.read_bytes(), str(path), ocr=options)
    if args.sample:
        return
    profile.disable()
    if args.out:
        profile.dump_stats(args.out)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

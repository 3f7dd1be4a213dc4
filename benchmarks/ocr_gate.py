"""Calibrate the garbage gate (extractors/ocr/gate.py): per-page scores of real text layers
and of text layers made garbage on purpose, side by side.

    .venv/bin/python benchmarks/ocr_gate.py [REALDOCS_DIR]

Real: every text-bearing page of ../shared/realdocs (the Budget Bureau volume: its first 30
pages), read as the PDF reader reads them (glyphs recovered, Thai repaired). Garbage: the
tests/fixtures/scans/*__garbled_tounicode.pdf files (samples/make_scans.py). Prints the highest real
score and the lowest garbage score: the threshold must sit between them.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from extractors.ocr.gate import GARBAGE_NON_DICTIONARY, MIN_THAI_WORDS, score_text  # noqa: E402
from extractors.ocr.options import OcrOptions  # noqa: E402
from extractors.pdf import PdfPages  # noqa: E402


def page_scores(path: Path, limit: int = 30) -> list[tuple[int, float, int]]:
    scores = []
    with PdfPages(path.read_bytes(), None, OcrOptions(mode="never"), Counter()) as pages:
        for source in pages:
            if source.reader is not None:
                score = score_text("\n".join(source.reader.text()))
                if score.thai_words >= MIN_THAI_WORDS:
                    scores.append((source.number, score.non_dictionary_share, score.thai_words))
                source.reader.page.close()
            if source.number >= limit:
                break
    return scores


def main() -> None:
    realdocs = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "realdocs")
    if not realdocs.is_dir():
        realdocs = Path("/work/shared/realdocs")
    real: list[tuple[str, int, float, int]] = []
    for path in sorted(realdocs.rglob("*.pdf")):
        try:
            real += [(path.name, *s) for s in page_scores(path)]
        except Exception as error:  # a scanned PDF has no text page: nothing to score
            print(f"{path.name}: {error}", file=sys.stderr)
    garbage = [
        (path.name, *s)
        for path in sorted((ROOT / "tests" / "fixtures" / "scans").glob("*__garbled_tounicode.pdf"))
        for s in page_scores(path)
    ]
    print(f"{'set':8} {'pages':>5} {'min':>6} {'median':>6} {'max':>6}")
    for name, rows in (("real", real), ("garbage", garbage)):
        values = sorted(r[2] for r in rows)
        middle = values[len(values) // 2]
        print(f"{name:8} {len(values):5} {values[0]:6.3f} {middle:6.3f} {values[-1]:6.3f}")
    worst = max(real, key=lambda r: r[2])
    best = min(garbage, key=lambda r: r[2])
    print(f"highest real page:    {worst[0]} p.{worst[1]} {worst[2]:.3f} ({worst[3]} Thai words)")
    print(f"lowest garbage page:  {best[0]} p.{best[1]} {best[2]:.3f} ({best[3]} Thai words)")
    print(f"threshold (GARBAGE_NON_DICTIONARY): {GARBAGE_NON_DICTIONARY}")


if __name__ == "__main__":
    main()

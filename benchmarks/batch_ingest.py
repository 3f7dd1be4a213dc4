"""Batch ingest on a generated corpus: speed-up with workers, re-run cost, memory by size.

Writes a corpus of ``--count`` reports (benchmarks/make_corpus.py: text, HTML, Markdown and
PDF copies of the samples under many agencies and years, 3% bad files) and one of 100, then
runs ``ita-etl ingest`` as a real process on each into fresh SQLite databases:

- documents per second with 1 and 2 workers (goal: 2 workers at least 1.7x one);
- a re-run on the unchanged corpus, as a share of the first run's time (goal: under 5%);
- peak memory of the whole process tree (the writer and its workers, sampled every 50 ms in
  runs of their own) for 100 and for ``--count`` files (goal: within 20% of each other).

Each timed run is repeated ``--repeat`` times, 1 and 2 workers alternately, and the fastest
kept, since other work on the machine only ever slows a run down (on the 2-core VMs this was
run on, the same run varies by 15-20% from one minute to the next: the CPU seconds of the
same work vary as much). The speed-up of each round's adjacent pair of runs and their median
are printed too, as a check on the best-against-best figure. Run by hand (about
four minutes on two cores):

    .venv/bin/python benchmarks/batch_ingest.py [--count 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus

ITA_ETL = [sys.executable, "-m", "etl.app.cli"]
REPORT_SUFFIXES = (".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".tsv")


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    """Of the whole tree: the writer and its workers (they are waited for, so they count)."""
    peak_tree_mb: float = 0.0
    peak_writer_mb: float = 0.0
    exit_status: int = 0


def ingest(corpus: Path, db: Path, workers: int, *, sample_memory: bool = False) -> Run:
    """One ``ita-etl ingest`` process, timed; with ``sample_memory``, its tree's resident
    memory is sampled every 50 ms (not in the timed runs: sampling takes CPU from them)."""
    command = [*ITA_ETL, "ingest", str(corpus), "--db", str(db), "-w", str(workers), "-q"]
    before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = {"tree": 0, "writer": 0}
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                writer = root.memory_info().rss
                tree = writer + sum(_rss(c) for c in root.children(recursive=True))
            except psutil.NoSuchProcess:
                return
            peaks["tree"] = max(peaks["tree"], tree)
            peaks["writer"] = max(peaks["writer"], writer)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    status = process.wait()
    seconds = time.perf_counter() - started
    done.set()
    if sample_memory:
        sampler.join()
    return Run(
        seconds,
        _children_cpu() - before,
        peaks["tree"] / 2**20,
        peaks["writer"] / 2**20,
        status,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ita-etl-bench-") as tmp:
        root = Path(tmp)
        big, small = root / "corpus", root / "small"
        make_corpus(big, args.count, seed=args.seed)
        make_corpus(small, args.small, seed=args.seed)
        sources = sum(1 for p in big.iterdir() if p.suffix in REPORT_SUFFIXES)
        print(
            f"corpus: {args.count} files ({sources} report files) and {args.small}; "
            f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}",
            flush=True,
        )

        def fresh(name: str) -> Path:
            folder = root / name
            folder.mkdir()
            return folder / "ita.db"

        one_runs, two_runs, rerun_runs = [], [], []
        for i in range(args.repeat):  # alternated, so that a slower spell hits both alike
            one_runs.append(ingest(big, fresh(f"w1-{i}"), 1))
            db = fresh(f"w2-{i}")
            two_runs.append(ingest(big, db, 2))
            rerun_runs.append(ingest(big, db, 2))
            print(
                f"  round {i + 1}: 1 worker {one_runs[-1].seconds:.1f} s "
                f"({one_runs[-1].cpu_seconds:.1f} s CPU), 2 workers {two_runs[-1].seconds:.1f} s "
                f"({two_runs[-1].cpu_seconds:.1f} s CPU), re-run {rerun_runs[-1].seconds:.2f} s",
                flush=True,
            )
        one, two, rerun = fastest(one_runs), fastest(two_runs), fastest(rerun_runs)
        thousand = ingest(big, fresh("memory-big"), 2, sample_memory=True)
        hundred = ingest(small, fresh("memory-small"), 2, sample_memory=True)
        load_after = os.getloadavg()[0]

    speedup = one.seconds / two.seconds
    round_speedups = [o.seconds / t.seconds for o, t in zip(one_runs, two_runs, strict=True)]
    cpu_one = [r.cpu_seconds for r in one_runs]
    rerun_share = rerun.seconds / two.seconds
    memory_ratio = thousand.peak_tree_mb / hundred.peak_tree_mb
    rows = [
        ("documents/s, 1 worker", f"{sources / one.seconds:.1f}", ""),
        ("documents/s, 2 workers", f"{sources / two.seconds:.1f}", ""),
        ("speed-up, 2 workers / 1", f"{speedup:.2f}x", _goal(speedup >= 1.7, ">= 1.7x")),
        (
            "  per round (adjacent runs)",
            ", ".join(f"{r:.2f}" for r in round_speedups),
            f"median {statistics.median(round_speedups):.2f}x",
        ),
        (
            "  1 worker's CPU s, same work",
            f"{min(cpu_one):.0f}-{max(cpu_one):.0f} s",
            "(the spread is the machine's speed changing)",
        ),
        ("first run, 2 workers", f"{two.seconds:.1f} s", ""),
        (
            "  CPU-bound limit: CPU s / 2",
            f"{two.cpu_seconds / 2:.1f} s",
            f"(speed-up at most {one.seconds / (two.cpu_seconds / 2):.2f}x)",
        ),
        ("re-run, unchanged corpus", f"{rerun.seconds:.2f} s", ""),
        ("re-run / first run", f"{rerun_share:.1%}", _goal(rerun_share < 0.05, "< 5%")),
        (f"peak memory, {args.small} files", f"{hundred.peak_tree_mb:.0f} MB", ""),
        (f"peak memory, {args.count} files", f"{thousand.peak_tree_mb:.0f} MB", ""),
        (
            f"peak memory, {args.count} / {args.small}",
            f"{memory_ratio:.2f}",
            _goal(abs(memory_ratio - 1) <= 0.2, "within 20%"),
        ),
        (
            "  of which the writer",
            f"{hundred.peak_writer_mb:.0f} / {thousand.peak_writer_mb:.0f} MB",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>12}  goal")
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>12}  {goal}")
    statuses = {r.exit_status for r in (one, two, rerun, hundred)}
    print(
        f"\nexit statuses {sorted(statuses)} (1: the corpus's bad files); "
        f"load average after: {load_after:.2f}"
    )


def _goal(met: bool, goal: str) -> str:
    return f"{goal}: {'met' if met else 'MISSED'}"


if __name__ == "__main__":
    main()

"""Damaged and hostile files through the real ``ita-etl extract`` (issue 13).

Makes ``--count`` seeded mutations of the committed samples (byte flips, truncations, chunks
deleted, duplicated or overwritten with noise; for .docx/.xlsx also the same inside one XML
part, zipped again so the damage reaches the parser) plus the hand-made hostile files of
tests/fixtures/hostile.py, runs each through ``ita-etl extract`` in a subprocess under a
hard outer timeout, and counts what became of them:

- clean error: exit 2, one line ``error: PATH: reason``;
- stopped at a limit: exit 1, one line naming the file and the worker's time or memory limit;
- valid extraction: exit 0 with records;
- silent partial: exit 0, fewer items than the intact sample, and no warning (goal 0 for HTML);
- internal error: ``unexpected``, a traceback, a stderr line naming no file (pdfminer's own
  log lines), or any other exit;
- hang: still running at the outer timeout (``--doc-timeout`` + ``--grace``).

Peak memory is the max RSS of the command and its worker (``wait4``), against the intact
samples' peak measured in the same run. Goals: 0 internal errors, 0 hangs, 0 silent partial
HTML, peak under 1 GB. Run by hand (about 3 s a file):

    .venv/bin/python benchmarks/robustness.py [--count 150] [--seed 13] [--jobs 2]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "tests"))

from fixtures import hostile  # noqa: E402

CLI = [sys.executable, "-m", "etl.app.cli", "extract"]
GB = 1024 * 1024  # KB, as ru_maxrss counts


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    """pdf, html, markdown, text, docx, xlsx, or hostile."""
    path: Path
    items: int | None = None
    """Items of the intact sample it was made from (for silent partials)."""


@dataclass(frozen=True)
class Outcome:
    case: Case
    category: str
    seconds: float
    max_rss_kb: int
    detail: str


# --- the samples and their mutations ------------------------------------------------------


KINDS = ("pdf", "html", "markdown", "text", "docx", "xlsx")


def samples(kinds: tuple[str, ...] = KINDS) -> dict[str, list[Path]]:
    """The committed reports of each kind (not the README)."""
    found = {
        "pdf": sorted((SAMPLES / "pdf").glob("*.pdf")),
        "html": sorted(SAMPLES.glob("*.html")),
        "markdown": sorted(p for p in SAMPLES.glob("*.md") if p.stem != "README"),
        "text": sorted(SAMPLES.glob("*.txt")),
        "docx": sorted((SAMPLES / "docx").glob("*.docx")),
        "xlsx": sorted((SAMPLES / "xlsx").glob("*.xlsx")),
    }
    return {kind: found[kind] for kind in kinds}


def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _span(data: bytes, rng: random.Random) -> tuple[int, int]:
    start = rng.randrange(len(data))
    return start, min(len(data), start + rng.randint(1, max(1, len(data) // 10)))


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    start, end = _span(data, rng)
    return data[:start] + data[end:]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    start, end = _span(data, rng)
    return data[:end] + data[start:end] + data[end:]


def noise_chunk(data: bytes, rng: random.Random) -> bytes:
    start, end = _span(data, rng)
    return data[:start] + rng.randbytes(end - start) + data[end:]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip,
    "truncate": truncate,
    "delete": delete_chunk,
    "duplicate": duplicate_chunk,
    "noise": noise_chunk,
}


def inside_zip(data: bytes, rng: random.Random, mutation: str) -> bytes:
    """The same damage to one XML part of a .docx/.xlsx, zipped again (valid CRCs), so that
    it reaches the XML parser instead of stopping at the ZIP's checksum."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = [i.filename for i in source.infolist() if i.filename.endswith(".xml")]
    target = rng.choice(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == target and body:
                body = MUTATIONS[mutation](body, rng)
            packed.writestr(info.filename, body)
    return out.getvalue()


def mutants(
    count: int, seed: int, folder: Path, intact: dict[Path, int], kinds: tuple[str, ...]
) -> list[Case]:
    rng = random.Random(seed)
    by_kind = samples(kinds)
    kinds = [k for k, files in by_kind.items() if files]
    cases = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        source = rng.choice(by_kind[kind])
        mutation = rng.choice(list(MUTATIONS))
        data = source.read_bytes()
        if kind == "html" and rng.random() < 0.3:  # cut inside the table: the silent case
            start, end = data.index(b"<table"), data.rindex(b"</table>")
            mutated, mutation = data[: rng.randrange(start + 6, end)], "truncate-table"
        elif kind in ("docx", "xlsx") and rng.random() < 0.5:
            mutated, mutation = inside_zip(data, rng, mutation), f"{mutation}-in-zip"
        else:
            mutated = MUTATIONS[mutation](data, rng)
        path = folder / f"{index:03d}_{mutation}_{source.name}"
        path.write_bytes(mutated)
        cases.append(Case(path.name, kind, path, intact.get(source)))
    return cases


def hostile_files(folder: Path) -> list[Case]:
    """The hand-made hostile files of issue 13, made here by tests/fixtures/hostile.py."""
    made: dict[str, bytes] = {
        "self_reference.pdf": hostile.self_referencing_pdf(),
        "reference_cycle.pdf": hostile.reference_cycle_pdf(),
        "damaged_stream.pdf": hostile.damaged_stream_pdf(),
        "page_tree_100000_deep.pdf": hostile.deep_page_tree_pdf(100_000),
        "inflates_to_1.5GB.pdf": hostile.inflate_bomb_pdf(1536),
        "nested_20000_deep.html": hostile.deep_html(20_000),
        "nested_100000_deep.html": hostile.deep_html(100_000),
        "50MB.html": hostile.big_html(50),
        "cut_in_table.html": hostile.truncated_html("dla_2567.html", 7410),
        "utf16_bom.html": hostile.utf16_html("dla_2567.html"),
    }
    cases = []
    for name, data in made.items():
        path = folder / f"hostile_{name}"
        path.write_bytes(data)
        items = 61 if name == "cut_in_table.html" else None
        cases.append(Case(path.name, "hostile", path, items))
    directory = folder / "hostile_a_folder.pdf"
    directory.mkdir()
    fifo = folder / "hostile_fifo.html"
    os.mkfifo(fifo)
    loop = folder / "hostile_symlink_loop.pdf"
    loop.symlink_to(loop.name)
    dangling = folder / "hostile_dangling.pdf"
    dangling.symlink_to("nowhere.pdf")
    cases += [Case(p.name, "hostile", p) for p in (directory, fifo, loop, dangling)]
    return cases


# --- running one ----------------------------------------------------------------------------


def run(case: Case, options: list[str], timeout: float) -> Outcome:
    """``ita-etl extract`` on the case in its own session; killed (with its worker) at
    ``timeout``. Max RSS from ``wait4``: the command's and its reaped worker's."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CLI, str(case.path), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: out.__setitem__(n, s.read()))
        for n, s in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for reader in readers:
        reader.start()
    pidfd = os.pidfd_open(process.pid)
    ended = select.select([pidfd], [], [], timeout)[0]
    os.close(pidfd)
    if not ended:
        os.killpg(process.pid, signal.SIGKILL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    stdout = out.get("stdout", b"").decode("utf-8", "replace")
    stderr = out.get("stderr", b"").decode("utf-8", "replace")
    category, detail = classify(case, process.returncode, stdout, stderr, bool(ended))
    return Outcome(case, category, seconds, usage.ru_maxrss, detail)


def classify(case: Case, code: int, stdout: str, stderr: str, ended: bool) -> tuple[str, str]:
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    first = errors[0] if errors else (lines[-1] if lines else "")
    if not ended:
        return "hang", f"still running at the outer timeout; {first}"
    if "Traceback" in stderr or "unexpected" in stderr:
        return "internal error", first
    if code == 0:
        try:
            doc = json.loads(stdout)
        except ValueError:
            return "internal error", "exit 0 without JSON"
        items = sum(len(entry["items"]) for entry in doc["entries"])
        if case.items is not None and items < case.items and not doc["warnings"]:
            return "silent partial", f"{items} of {case.items} items, no warning"
        stray = [line for line in lines if not line.startswith("warning: ")]
        if stray:
            return "internal error", f"stray stderr: {stray[0]}"
        return "valid extraction", f"{items} items, {len(doc['warnings'])} warnings"
    named = len(errors) == 1 and len(lines) == 1 and errors[0].startswith(f"error: {case.path}: ")
    if code == 2 and named:
        return "clean error", first
    limits = ("timed out after", "ran out of memory", "worker crashed")
    if code == 1 and named and any(word in first for word in limits):
        return "stopped at a limit", first
    return "internal error", f"exit {code}: {first or stderr[:200]}"


# --- the run --------------------------------------------------------------------------------


def intact_items(options: list[str], timeout: float) -> tuple[dict[Path, int], list[Outcome]]:
    """Each sample's item count, and the intact samples' outcomes (the baseline)."""
    counts: dict[Path, int] = {}
    outcomes = []
    for files in samples().values():
        for path in files[:3]:
            outcome = run(Case(path.name, "intact", path), options, timeout)
            outcomes.append(outcome)
            if outcome.category == "valid extraction":
                counts[path] = int(outcome.detail.split()[0])
    for files in samples().values():  # the rest: counts only matter for HTML and text kinds
        for path in files[3:]:
            counts.setdefault(path, 0)
    return counts, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=150, help="mutated samples to make")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", type=int, default=2, help="files run at once")
    parser.add_argument("--doc-timeout", type=float, default=30.0, help="extract's own limit")
    parser.add_argument("--grace", type=float, default=30.0, help="outer timeout past it")
    parser.add_argument("--no-hostile", action="store_true", help="mutations only")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help=f"samples to mutate (default {','.join(KINDS)})"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per file")
    args = parser.parse_args()
    options = ["--ocr", "never", "--doc-timeout", f"{args.doc_timeout:g}"]
    timeout = args.doc_timeout + args.grace
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ita-etl-robustness-") as tmp:
        folder = Path(tmp)
        intact, baseline = intact_items(options, timeout)
        kinds = tuple(k for k in args.kinds.split(",") if k)
        cases = mutants(args.count, args.seed, folder, intact, kinds)
        if not args.no_hostile:
            cases += hostile_files(folder)
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda c: run(c, options, timeout), cases))
    report(baseline, outcomes, args.verbose, time.perf_counter() - started)


def report(baseline: list[Outcome], outcomes: list[Outcome], verbose: bool, seconds: float) -> None:
    base_peak = max(o.max_rss_kb for o in baseline)
    bad = [o for o in baseline if o.category != "valid extraction"]
    print(f"baseline: {len(baseline)} intact samples, peak {base_peak / 1024:.0f} MB")
    for o in bad:
        print(f"  intact sample not extracted: {o.case.name}: {o.category}: {o.detail}")
    if verbose:
        for o in outcomes:
            print(
                f"{o.category:18} {o.seconds:5.1f} s {o.max_rss_kb / 1024:6.0f} MB  "
                f"{o.case.name}: {o.detail[:150]}"
            )
    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_kind.setdefault(o.case.kind, Counter())[o.category] += 1
    categories = [
        "clean error",
        "stopped at a limit",
        "valid extraction",
        "silent partial",
        "internal error",
        "hang",
    ]
    print(f"\n{'kind':10}" + "".join(f"{c:>20}" for c in categories))
    for kind, counted in sorted(by_kind.items()):
        print(f"{kind:10}" + "".join(f"{counted[c]:>20}" for c in categories))
    total = Counter(o.category for o in outcomes)
    print(f"{'all':10}" + "".join(f"{total[c]:>20}" for c in categories))
    peak = max(outcomes, key=lambda o: o.max_rss_kb)
    print(
        f"\n{len(outcomes)} files in {seconds:.0f} s; peak memory {peak.max_rss_kb / 1024:.0f} MB "
        f"({peak.max_rss_kb / base_peak:.1f}x the intact samples' peak) on {peak.case.name}"
    )
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"slowest: {slowest.seconds:.1f} s on {slowest.case.name} ({slowest.category})")
    problems = [
        o
        for o in outcomes
        if o.category in ("internal error", "hang")
        or (o.category == "silent partial" and o.case.kind in ("html", "hostile"))
    ]
    for o in problems:
        print(f"  {o.category}: {o.case.name}: {o.detail[:200]}")
    over = [o for o in outcomes if o.max_rss_kb >= GB]
    silent_html = sum(1 for o in problems if o.category == "silent partial")
    print(
        f"goals: internal errors {total['internal error']} (0), hangs {total['hang']} (0), "
        f"silent partial HTML {silent_html} (0), files at 1 GB or more {len(over)} (0)"
    )


if __name__ == "__main__":
    main()

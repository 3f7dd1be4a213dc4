"""A national year on this machine: PDF reports of realistic lengths, parsed and loaded with
1 and 2 workers, and the writer alone on SQLite and PostgreSQL.

About 8,300 agencies publish an ITA report each year, roughly 66,000 PDF pages (issue 15):
most reports run 3–15 pages, a few to 60. The corpus is generated (``make_year``): the
Nong Bua local-administration report (samples/obt_nongbua_2567.md) with another agency's
name in its title and its measure rows repeated until the page count drawn for it is
reached, rendered by ReportLab (samples/make_pdfs.py) in four Thai fonts, ruled and
borderless. Page counts are drawn from a log-normal (median 7, sigma 0.55: mean about 8
pages, most between 3 and 15) clipped to 3–60, and the longest report is made 60 pages, the
tail. The corpus is kept in ``--corpus`` and reused.

Printed, each run into a fresh SQLite file through ``etl.Database.ingest`` (what
``ita-etl ingest`` runs), best of ``--repeat``:

- pages/s and documents/s with 1 and 2 workers, the speed-up (goal: 2 workers at least 1.8x
  one), and the projection for 8,300 reports of this distribution's mean length (goal:
  30 minutes or less with 2 workers);
- the writer's share: the seconds the store spent loading (``sources.load_seconds``) as a
  share of the run;
- the CPU seconds of the writer and its workers a page, and the projection they give on two
  cores of the run's own: on a shared machine the wall-clock projection measures the
  neighbours too;
- the writer alone: the corpus parsed once, then loaded into a fresh SQLite file and a fresh
  PostgreSQL schema ($ITA_ETL_TEST_PG_URL, default 127.0.0.1:5432/test), in documents/s,
  one document a transaction (``Store.load``) and in groups (``Store.load_many``, what
  ``ingest`` does; goal: PostgreSQL 500 or more); and the server's floor: the corpus's
  item rows alone COPYed into a bare copy of the ``items`` table, with and without its
  trigram search index.

Needs ReportLab (``pip install -e '.[bench]'``). Run by hand (a few minutes on two cores;
the load average printed before and after says how loaded the machine was):

    .venv/bin/python benchmarks/national_year.py [--docs 80] [--repeat 2] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import pdfplumber

from etl import Database, IngestOptions
from etl.orchestrate.batch import LOAD_GROUP
from etl.orchestrate.parse import parse_source
from loaders.search import cluster_tokens, search_text
from loaders.store import ParseOutcome, Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TEMPLATE = "obt_nongbua_2567.md"
TEMPLATE_AGENCY = "องค์การบริหารส่วนตำบลหนองบัว"
REPORTS_A_YEAR = 8_300
MEDIAN_PAGES, SIGMA, FEWEST, MOST = 7.0, 0.55, 3, 60
VARIANTS = (
    ("Norasi", "ruled", "portrait"),
    ("Kinnari", "borderless", "portrait"),
    ("Laksaman", "ruled", "portrait"),
    ("Loma", "borderless", "landscape"),
)
PLACES = ("หนองบัว", "บ้านใหม่", "ท่าช้าง", "โคกสูง", "นาดี", "ห้วยทราย", "บ่อทอง", "ดอนแก้ว")
KINDS = ("องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง")
QUARTERS = ("", "เหนือ", "ใต้", "กลาง", "ใหม่", "ตะวันออก", "ตะวันตก")
PG_URL = os.environ.get("ITA_ETL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def mean_pages() -> float:
    """The mean report length of the distribution (clipped log-normal), by sampling."""
    rng = random.Random(1)
    draws = [_draw(rng) for _ in range(200_000)]
    return sum(draws) / len(draws)


def _draw(rng: random.Random) -> int:
    return max(FEWEST, min(MOST, round(rng.lognormvariate(math.log(MEDIAN_PAGES), SIGMA))))


def page_targets(docs: int, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    targets = [_draw(rng) for _ in range(docs)]
    targets[targets.index(max(targets))] = MOST  # the tail: one report as long as they come
    return targets


def _make_pdfs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pdfs", SAMPLES / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_pdfs"] = module
    spec.loader.exec_module(module)
    return module


def _agency(n: int) -> str:
    """A distinct local agency for each of the first 168 reports (then names repeat, and a
    report loads as a newer version of an earlier one)."""
    place = PLACES[n // len(KINDS) % len(PLACES)]
    quarter = QUARTERS[n // (len(KINDS) * len(PLACES)) % len(QUARTERS)]
    return f"{KINDS[n % len(KINDS)]}{place}{quarter}"


def make_year(folder: Path, docs: int, seed: int = 0) -> list[Path]:
    """``docs`` report PDFs in ``folder`` (kept: made once), page counts from the distribution."""
    folder.mkdir(parents=True, exist_ok=True)
    made = sorted(folder.glob("*.pdf"))
    if len(made) == docs:
        return made
    for old in made:
        old.unlink()
    m = _make_pdfs()
    source = m.read_source(SAMPLES / TEMPLATE)
    rows_per_page: dict[tuple[str, str, str], float] = {}
    paths = []
    for n, target in enumerate(page_targets(docs, seed)):
        variant = m.Variant("reportlab", *VARIANTS[n % len(VARIANTS)])
        key = VARIANTS[n % len(VARIANTS)]
        if key not in rows_per_page:  # calibrate: pages taken by 64 body rows
            probe = folder / "probe.pdf"
            report = _with_rows(m, source, 64, _agency(0))
            m.render_reportlab(report, variant, m.geometry(report, variant), probe)
            rows_per_page[key] = 64 / _pages(probe)
            probe.unlink()
        rows = max(1, round((target - 0.5) * rows_per_page[key]))
        path = folder / f"{n:04d}.pdf"
        for _ in range(2):  # once more, corrected, when the first guess is off
            report = _with_rows(m, source, rows, _agency(n))
            m.render_reportlab(report, variant, m.geometry(report, variant), path)
            got = _pages(path)
            if abs(got - target) <= 1:
                break
            rows = max(1, rows + round((target - got) * rows_per_page[key]))
        paths.append(path)
    return paths


def _with_rows(m: ModuleType, source: object, rows: int, agency: str) -> object:
    """The template with ``agency`` in its title and its body rows repeated to ``rows``."""
    title = tuple(
        replace(p, lines=tuple(tuple(_named(r, m, agency) for r in line) for line in p.lines))
        for p in source.title  # type: ignore[attr-defined]
    )
    body = source.body  # type: ignore[attr-defined]
    repeated = tuple(body[i % len(body)] for i in range(rows))
    return replace(source, title=title, body=repeated)  # type: ignore[type-var]


def _named(run: object, m: ModuleType, agency: str) -> object:
    text = run.text.replace(TEMPLATE_AGENCY, agency)  # type: ignore[attr-defined]
    return m.Run(text, run.bold, run.underline)  # type: ignore[attr-defined]


def _pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


@dataclass
class Run:
    workers: int
    seconds: float
    loaded: int
    writer_seconds: float
    cpu_seconds: float
    """CPU of the writer and its workers: what the run would take on cores of its own."""


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ingest(paths: list[Path], workers: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="ita-year-") as folder:
        db = Path(folder) / "ita.db"
        started, cpu = time.perf_counter(), _cpu()
        with Database(str(db)) as database:
            summary = database.ingest(
                [str(p) for p in paths], options=IngestOptions(workers=workers)
            )
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        with sqlite3.connect(db) as connection:
            (writer,) = connection.execute("SELECT sum(load_seconds) FROM sources").fetchone()
        loaded = summary.tally["new"] + summary.tally["updated"]
        if summary.failed:
            print(f"  {len(summary.failed)} failed, e.g. {summary.failed[0].reason}")
        return Run(workers, seconds, loaded, float(writer or 0.0), cpu)


def fixed_seconds(run: float, run_pages: int, short: float, short_pages: int) -> float:
    """The part of a run's seconds that does not grow with its pages: from a run of
    ``run_pages`` and one of the shortest report alone, both paying it once and each page
    costing the same."""
    share = short_pages / run_pages
    return max(0.0, (short - share * run) / (1 - share))


def writer_alone(outcomes: list[ParseOutcome], url: str, group: int = LOAD_GROUP) -> float:
    """Documents per second of the writer alone into an empty store at ``url``: groups of
    ``group`` documents through ``Store.load_many``, as ``ingest`` loads them."""
    with Store(url) as store:
        started = time.perf_counter()
        for start in range(0, len(outcomes), group):
            store.load_many(outcomes[start : start + group])
        return len(outcomes) / (time.perf_counter() - started)


def items_by_copy(outcomes: list[ParseOutcome], url: str) -> tuple[float, float]:
    """Documents per second of COPYing the documents' item rows alone (one COPY, one
    transaction) into a temporary copy of ``items`` with its indexes, then without: what the
    server needs for the largest table, whatever the writer does."""
    import psycopg
    from sqlalchemy.engine import make_url

    rows: list[tuple[object, ...]] = []
    for outcome in outcomes:
        doc = outcome.document
        if doc is None:
            continue
        flat = [item for entry in doc.entries for item in entry.items]
        searched = outcome.search or [(search_text(i.text), cluster_tokens(i.text)) for i in flat]
        for item, (text_, tokens) in zip(flat, searched, strict=True):
            rows.append(
                (len(rows) + 1, 1, 1, item.role, item.ordinal, item.text, item.raw, text_, tokens)
            )
    made = make_url(url)
    options = made.query.get("options")
    plain = made.set(drivername="postgresql", query={})
    rates = []
    with psycopg.connect(
        plain.render_as_string(hide_password=False), options=str(options or "")
    ) as c:
        for indexes in (" INCLUDING INDEXES", ""):
            c.execute("DROP TABLE IF EXISTS bare_items")
            c.execute(f"CREATE TEMP TABLE bare_items (LIKE items INCLUDING DEFAULTS{indexes})")
            c.commit()
            started = time.perf_counter()
            columns = (
                "id, entry_id, report_id, role, ordinal, text, raw, search_text, search_tokens"
            )
            with (
                c.cursor() as cursor,
                cursor.copy(f"COPY bare_items ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            c.commit()
            rates.append(len(outcomes) / (time.perf_counter() - started))
    return rates[0], rates[1]


def postgres_schema_url() -> tuple[str, str] | None:
    """A fresh schema's URL on the test server and its name, or None without a server."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        schema = f"year_{uuid.uuid4().hex[:10]}"
        plain = make_url(PG_URL).set(drivername="postgresql")
        with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
        return url.render_as_string(hide_password=False), schema
    except Exception as error:
        print(f"PostgreSQL writer: skipped ({error})")
        return None


def drop_schema(schema: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(PG_URL).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


def arguments(description: str | None) -> argparse.Namespace:
    """``--docs``, ``--repeat`` and ``--corpus``, for this benchmark and those that load its
    corpus (benchmarks/writer_floor.py)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "ita-year")
    return parser.parse_args()


def parsed(paths: list[Path]) -> tuple[list[ParseOutcome], float]:
    """The reports parsed (on two processes: untimed preparation) and their items a report."""
    with ProcessPoolExecutor(2) as pool:
        outcomes = list(pool.map(parse_source, paths))
    docs = [o.document for o in outcomes if o.document is not None]
    return outcomes, sum(len(e.items) for d in docs for e in d.entries) / len(docs)


def main() -> None:
    args = arguments(__doc__)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    made = time.perf_counter()
    paths = make_year(args.corpus / f"{args.docs}", args.docs)
    pages = [_pages(p) for p in paths]
    within = sum(1 for p in pages if 3 <= p <= 15)
    print(
        f"corpus: {len(paths)} reports, {sum(pages)} pages (mean {sum(pages) / len(pages):.1f},"
        f" {within} of them 3-15 pages, longest {max(pages)}) in {args.corpus}"
        f" ({time.perf_counter() - made:.0f} s to make or find)"
    )
    national_pages = REPORTS_A_YEAR * mean_pages()
    shortest = min(range(len(paths)), key=pages.__getitem__)
    best: dict[int, Run] = {}
    short: dict[int, Run] = {}
    for _ in range(args.repeat):
        for workers in (1, 2):
            run = ingest(paths, workers)
            if workers not in best or run.seconds < best[workers].seconds:
                best[workers] = run
            run = ingest([paths[shortest]], workers)
            if workers not in short or run.seconds < short[workers].seconds:
                short[workers] = run
    print(f"\ningest into SQLite, best of {args.repeat}")
    print(
        f"{'workers':>7s} {'seconds':>8s} {'pages/s':>8s} {'docs/s':>7s} {'writer':>7s}"
        f" {'fixed s':>8s} {'8,300 reports':>14s}"
    )
    projections: dict[int, float] = {}
    for workers, run in best.items():
        fixed = fixed_seconds(run.seconds, sum(pages), short[workers].seconds, pages[shortest])
        per_page = (run.seconds - fixed) / sum(pages)
        projections[workers] = (fixed + per_page * national_pages) / 60
        print(
            f"{workers:7d} {run.seconds:8.1f} {sum(pages) / run.seconds:8.1f}"
            f" {len(paths) / run.seconds:7.2f} {run.writer_seconds / run.seconds:6.1%}"
            f" {fixed:8.1f} {projections[workers]:10.1f} min"
        )
    print(
        "  fixed s: what a run costs whatever its size (a fresh store made, workers started"
        " and stopped), from the shortest report ingested alone; a year pays it once"
    )
    cpu_per_page = best[2].cpu_seconds / sum(pages)
    idle = national_pages * cpu_per_page / 2 / 60
    print(
        f"CPU (writer + workers): {1000 * cpu_per_page:.0f} ms a page with 2 workers; on two"
        f" cores of its own, 8,300 reports would take {idle:.1f} min"
    )
    speedup = best[1].seconds / best[2].seconds
    scaled = national_pages / (sum(pages) / best[2].seconds) / 60
    print(
        f"2 workers: {speedup:.2f}x of 1 (goal 1.8x) -> {'meets' if speedup >= 1.8 else 'misses'}"
    )
    print(
        f"8,300 reports ({national_pages:,.0f} pages at this distribution's mean of"
        f" {national_pages / REPORTS_A_YEAR:.1f}) with 2 workers: {projections[2]:.1f} min"
        f" (goal 30) -> {'meets' if projections[2] <= 30 else 'misses'};"
        f" {scaled:.1f} min if the fixed cost were paid again every {len(paths)} reports"
    )
    outcomes, items_a_report = parsed(paths)
    print(
        f"\nwriter alone, {len(outcomes)} parsed reports ({items_a_report:.0f} items each),"
        f" docs/s: one a transaction (Store.load) and groups of {LOAD_GROUP} (Store.load_many,"
        " what ingest does)"
    )
    with tempfile.TemporaryDirectory(prefix="ita-year-") as folder:
        alone = [
            writer_alone(outcomes, f"sqlite:///{Path(folder) / f'{g}.db'}", g)
            for g in (1, LOAD_GROUP)
        ]
    print(f"  SQLite     {alone[0]:6.0f} {alone[1]:6.0f}")
    rates: list[float] = []
    floor = (0.0, 0.0)
    for group in (1, LOAD_GROUP):
        found = postgres_schema_url()
        if found is None:
            break
        url, schema = found
        try:
            rates.append(writer_alone(outcomes, url, group))
            if group == LOAD_GROUP:
                floor = items_by_copy(outcomes, url)
        finally:
            drop_schema(schema)
    if len(rates) == 2:
        verdict = "meets" if rates[1] >= 500 else "misses"
        print(f"  PostgreSQL {rates[0]:6.0f} {rates[1]:6.0f}  (goal 500) -> {verdict}")
        print(
            "  PostgreSQL's floor, the items alone by COPY into a bare copy of the table:"
            f" {floor[0]:.0f} docs/s with its trigram search index, {floor[1]:.0f} without"
        )
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()

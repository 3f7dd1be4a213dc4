"""What the PostgreSQL writer's documents a second are made of (issue 15's goal: 500).

The national-year corpus (benchmarks/national_year.py: generated PDF reports of realistic
lengths, about 220 items each) is parsed once, then loaded as ``ingest`` loads it
(``Store.load_many``, groups of ``LOAD_GROUP``) into fresh schemas of the test server
($ITA_ETL_TEST_PG_URL, default 127.0.0.1:5432/test), four ways, best of ``--repeat``:

- as built: what ``ita-etl ingest`` writes into;
- without the items' trigram search index (``ix_items_search_text_trgm``, migration 0002);
- with the foreign-key checks off (``ALTER TABLE ... DISABLE TRIGGER ALL`` on every table:
  a superuser's statement, which the test server's ``postgres`` is);
- without both.

The last three are not ways to run ita-etl: they say what the search index and the schema's
integrity cost the writer, and so how far any change to the writer's own code can take it.
Also printed: the same load into SQLite, for scale. Run by hand (a few minutes on two cores,
most of them parsing):

    .venv/bin/python benchmarks/writer_floor.py [--docs 80] [--repeat 2] [--corpus DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national_year import (
    arguments,
    drop_schema,
    make_year,
    parsed,
    postgres_schema_url,
    writer_alone,
)

from etl.orchestrate.batch import LOAD_GROUP
from loaders.models import Base
from loaders.store import ParseOutcome, Store

TRIGRAM_INDEX = "ix_items_search_text_trgm"
WAYS = {
    "as built": (),
    "no trigram index": (f"DROP INDEX {TRIGRAM_INDEX}",),
    "no foreign-key checks": tuple(
        f"ALTER TABLE {table.name} DISABLE TRIGGER ALL" for table in Base.metadata.sorted_tables
    ),
}
WAYS["neither"] = WAYS["no trigram index"] + WAYS["no foreign-key checks"]


def load_into(outcomes: list[ParseOutcome], statements: tuple[str, ...]) -> float | None:
    """Documents a second into a fresh schema altered by ``statements``; None without a
    server."""
    found = postgres_schema_url()
    if found is None:
        return None
    url, schema = found
    try:
        with Store(url) as store, store.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
        return writer_alone(outcomes, url)
    finally:
        drop_schema(schema)


def main() -> None:
    args = arguments(__doc__)
    outcomes, items = parsed(make_year(args.corpus / f"{args.docs}", args.docs))
    print(
        f"{len(outcomes)} parsed reports, {items:.0f} items each;"
        f" loaded in groups of {LOAD_GROUP}, documents a second, best of {args.repeat}"
    )
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for way, statements in WAYS.items():
            rate = load_into(outcomes, statements)
            if rate is None:
                return
            best[way] = max(best.get(way, 0.0), rate)
        with tempfile.TemporaryDirectory(prefix="ita-floor-") as folder:
            rate = writer_alone(outcomes, f"sqlite:///{Path(folder) / 'ita.db'}")
            best["SQLite, as built"] = max(best.get("SQLite, as built", 0.0), rate)
    for way, rate in best.items():
        print(f"  {way:24s} {rate:6.0f}")
    load = os.getloadavg()
    print(f"load: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()

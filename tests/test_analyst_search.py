"""Search that works everywhere: plain SQL on SQLite (FTS5 trigram) and PostgreSQL
(pg_trgm), the real Datasette's ?_search=, the CLI's filters, abbreviations both ways.

Counts read from the samples (dla_2566.txt, dla_2567.html, obt_nongbua_2567.md):

- ทุจริต: 2566: indicator 1's result naming "ศูนย์ปฏิบัติการต่อต้านการทุจริต", indicator 5's
  measure, both its results and its outcome, the outcome of the row for 9 and 10 (6 items);
  2567: the unit ศูนย์ปฏิบัติการต่อต้านการทุจริต in the rows of indicator 1's second measure,
  of both of 5's, of 9 and of both of 10's (one cell spanning two rows): 6 items, then 5's two
  measures and its first outcome (9 items); อบต.หนองบัว: indicator 5's measure, its first
  result and its outcome (3 items). 18 in all.
- ร้องเรียน: 2566 indicator 5's second result; อบต.หนองบัว indicator 5's outcome (2 items).
- ศปท.: written in two unit items of 2566 (rows of indicator 6 and of 9+10); spelled out
  (ศูนย์ปฏิบัติการต่อต้านการทุจริต) in two results of 2566 (indicators 1 and 5) and six units
  of 2567: 10 items.
- The measure of 2567 indicator 3 writes กรมส่งเสริมการปกครองท้องถิ่น in full; 2567's first
  measure writes สถ.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SAMPLES, ingest
from sqlalchemy import create_engine, text

from etl.app.database import Database
from loaders.db import resolve_url

FILES = ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
OBT = "อบต.หนองบัว"


@pytest.fixture
def loaded(db_url: str) -> str:
    ingest(db_url, [SAMPLES / name for name in FILES], workers=0)
    return db_url


def plain_sql(url: str, word: str) -> set[int]:
    """What a SQL user types: the FTS index on SQLite, LIKE (pg_trgm) on PostgreSQL."""
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            if c.dialect.name == "sqlite":
                fts = c.execute(
                    text("SELECT rowid FROM items_fts WHERE items_fts MATCH :q"), {"q": f'"{word}"'}
                )
                like = c.execute(
                    text("SELECT id FROM items WHERE search_text LIKE :q"), {"q": f"%{word}%"}
                )
                found = set(fts.scalars())
                assert found == set(like.scalars())
                return found
            rows = c.execute(
                text("SELECT id FROM items WHERE search_text LIKE :q"), {"q": f"%{word}%"}
            )
            return set(rows.scalars())
    finally:
        engine.dispose()


def texts(url: str, ids: set[int]) -> list[str]:
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT id, text FROM items ORDER BY id"))
            return [t for i, t in rows if i in ids]
    finally:
        engine.dispose()


def test_plain_sql_finds_an_ordinary_thai_word(loaded: str) -> None:
    corruption = plain_sql(loaded, "ทุจริต")
    assert len(corruption) == 18
    assert all("ทุจริต" in t.replace(" ", "") for t in texts(loaded, corruption))
    complaints = texts(loaded, plain_sql(loaded, "ร้องเรียน"))
    assert len(complaints) == 2
    assert complaints[1] == "ไม่มีเรื่องร้องเรียนการทุจริต"


def test_plain_sql_finds_a_name_by_its_abbreviation(loaded: str) -> None:
    found = texts(loaded, plain_sql(loaded, "ศปท."))
    assert len(found) == 10
    assert sum("ศปท." in t for t in found) == 2
    full = texts(loaded, plain_sql(loaded, "สถ."))
    assert any("กรมส่งเสริมการปกครองท้องถิ่น ในการปฏิบัติโดยชอบธรรม" in t for t in full)


def test_the_cli_search_is_the_same_on_both_databases(loaded: str) -> None:
    with Database(loaded) as database:
        found = {
            q: [
                (r["fiscal_year_be"], r["role"], r["text"])
                for r in database.search(q, limit=None).records
            ]
            for q in ("ทุจริต", "งบ", "ร้องเรียน", "ศปท.", "๒๕๖๖", "www.dla")
        }
    assert len(found["ทุจริต"]) == 18
    assert not any("ของบุคคล" in t.replace(" ", "") for _y, _r, t in found["งบ"])
    assert found == _reference_search()  # a SQLite store of the same files


_REFERENCE: dict[str, list[tuple[int, str, str]]] = {}


def _reference_search() -> dict[str, list[tuple[int, str, str]]]:
    """The CLI search on a SQLite store of the samples, computed once."""
    if not _REFERENCE:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="search-reference-"))
        url = f"sqlite:///{folder / 'ita.db'}"
        ingest(url, [SAMPLES / name for name in FILES], workers=0)
        with Database(url) as database:
            for q in ("ทุจริต", "งบ", "ร้องเรียน", "ศปท.", "๒๕๖๖", "www.dla"):
                _REFERENCE[q] = [
                    (r["fiscal_year_be"], r["role"], r["text"])
                    for r in database.search(q, limit=None).records
                ]
    return _REFERENCE


def test_abbreviations_and_full_names_find_each_other(loaded: str) -> None:
    with Database(loaded) as database:
        by_name = [
            r["text"] for r in database.search("กรมส่งเสริมการปกครองท้องถิ่น", limit=None).records
        ]
        by_abbr = [r["text"] for r in database.search("สถ.", limit=None).records]
        centre = [r["text"] for r in database.search("ศูนย์ปฏิบัติการต่อต้านการทุจริต", limit=None).records]
    first_2567 = "กำหนดเครื่องมือให้บุคลากรในสังกัด สถ. เพื่อใช้เป็นแนวทางการปฏิบัติให้เป็นไปตามขั้นตอน ระเบียบกฎหมาย"
    written_out = "กำหนดกลไกในการใช้อำนาจผู้บริหารของกรมส่งเสริมการปกครองท้องถิ่น ในการปฏิบัติโดยชอบธรรม"
    assert first_2567 in by_name and written_out in by_name
    assert first_2567 in by_abbr and written_out in by_abbr
    assert by_name == by_abbr
    assert centre.count("สำนักงาน ศปท. สถ.") == 2 and len(centre) == 10


def test_filters_by_agency_year_and_role(loaded: str) -> None:
    with Database(loaded) as database:

        def found(**filters: object) -> list[str]:
            return [r["text"] for r in database.search("ทุจริต", limit=None, **filters).records]  # type: ignore[arg-type]

        assert found(agency=OBT, role="measure") == ["จัดทำแผนปฏิบัติการป้องกันการทุจริต"]
        assert len(found(fiscal_year=2566)) == 6
        assert len(found(fiscal_year=[2566, 2567])) == 18
        assert len(found(agency="สถ.", fiscal_year=2567, role="unit")) == 6
        # measures and outcomes: 2566: 5's measure and outcome, 9+10's outcome; 2567: 5's two
        # measures and first outcome; อบต.หนองบัว: 5's measure and outcome
        assert len(found(agency=["สถ.", OBT], role=["measure", "outcome"])) == 3 + 3 + 2
        limited = database.search("ทุจริต", limit=2)
    assert (len(limited.records), limited.total) == (2, 18)


@pytest.fixture
def datasette(tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    """The real Datasette serving a SQLite file with the samples loaded, on a Unix socket
    (ready when it says it is running)."""
    db = tmp_path / "ita.db"
    ingest(str(db), [SAMPLES / name for name in FILES], workers=0)
    socket = tmp_path / "datasette.sock"
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "--uds", str(socket)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        for line in server.stderr:
            if "running on" in line.lower():
                break
        else:
            pytest.fail(f"datasette stopped: exit {server.wait()}")
        with httpx.Client(transport=httpx.HTTPTransport(uds=str(socket)), timeout=60) as client:
            yield client, db
    finally:
        server.terminate()
        server.wait()


def test_datasette_search_on_items(datasette: tuple[httpx.Client, Path]) -> None:
    client, db = datasette
    url = f"sqlite:///{db}"

    def search(word: str) -> list[dict[str, object]]:
        answer = client.get(
            "http://datasette/ita/items.json",
            params={"_search": word, "_shape": "objects", "_size": "max"},
        )
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, object]] = answer.json()["rows"]
        return rows

    corruption = search("ทุจริต")
    assert len(corruption) == 18
    assert {int(str(r["id"])) for r in corruption} == plain_sql(url, "ทุจริต")
    assert all("ทุจริต" in str(r["text"]).replace(" ", "") for r in corruption)
    assert len(search("ศปท.")) == 10
    assert search("ไม่มีข้อความนี้") == []

"""``Store.load_many``: a group of documents in one transaction, each in a savepoint, gives
the store that loading them one at a time gives, and a document that fails loses only its
own rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from conftest import Corpus, canonical_dump
from sqlalchemy import event, text

from etl.orchestrate.parse import parse_source
from loaders.store import ParseOutcome, Store

SAMPLES = Path(__file__).parents[1] / "samples"


def _outcomes(corpus: Corpus, folder: Path) -> list[ParseOutcome]:
    """The corpus's documents with, among them, a report of two years (สถ. 2566 and 2567),
    the 2566 one again in another format (a duplicate) and a revision of the 2567 one (an
    update): each pair in one group of 16."""
    revised = folder / "dla_2567_revised.html"
    html = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    revised.write_text(html.replace("จัดประชุมชี้แจง", "จัดอบรมชี้แจง", 1), encoding="utf-8")
    outcomes = [parse_source(corpus.folder / f.name) for f in corpus.files]
    extra = [SAMPLES / "dla_2566.txt", SAMPLES / "dla_2566.html", SAMPLES / "dla_2567.html"]
    for position, path in zip((3, 7, 20), extra, strict=True):
        outcomes.insert(position, parse_source(path))
    outcomes.insert(25, parse_source(revised))
    return outcomes


def test_a_group_gives_the_store_one_at_a_time_gives(
    fresh_db: Callable[[], str], corpus_maker: Callable[..., Corpus], tmp_path: Path
) -> None:
    """Several agencies, years and versions, copies and bad files, in groups of 16: a group
    holds an agency's earlier year or version, so its year-on-year pairs, refreshed once at
    the group's end, must come out as when each load refreshed them."""
    corpus = corpus_maker(tmp_path / "corpus", 64, seed=3, bad_share=0.05, with_pdfs=False)
    outcomes = _outcomes(corpus, tmp_path)
    alone, grouped = fresh_db(), fresh_db()
    with Store(alone) as store:
        one_by_one = [store.load(o).status for o in outcomes]
    with Store(grouped) as store:
        together = [
            r.status
            for i in range(0, len(outcomes), 16)
            for r in store.load_many(outcomes[i : i + 16])
        ]
    assert together == one_by_one
    assert {"new", "updated", "duplicate", "failed"} <= set(together)
    dump = canonical_dump(grouped)
    assert dump["measure_changes"]  # consecutive years were paired
    assert any(row[-1] for row in dump["items"])  # units named as they went in
    assert dump == canonical_dump(alone)


def test_a_document_that_fails_in_a_group_loses_only_its_own_rows(
    fresh_db: Callable[[], str],
) -> None:
    good = [parse_source(SAMPLES / name) for name in ("dla_2566.txt", "obt_nongbua_2567.md")]
    broken = parse_source(SAMPLES / "dla_2567.html")
    assert broken.document is not None
    entries = list(broken.document.entries)
    last = entries[-1]
    # an item the store cannot hold (its text is required), after many rows are written
    entries[-1] = replace(last, items=(*last.items[:-1], replace(last.items[-1], text=None)))
    broken = replace(broken, document=replace(broken.document, entries=tuple(entries)))
    url = fresh_db()
    with Store(url) as store:
        results = store.load_many([good[0], broken, good[1]])
        assert [r.status for r in results] == ["new", "failed", "new"]
        assert "not loaded" in (results[1].reason or "")
        with store.engine.connect() as c:
            reports = c.execute(text("SELECT count(*) FROM reports")).scalar_one()
            items = c.execute(text("SELECT count(*) FROM items")).scalar_one()
            failed = c.execute(
                text("SELECT path, stage FROM sources WHERE status = 'failed'")
            ).all()
    assert reports == 2
    assert items == sum(len(e.items) for o in good for e in o.document.entries)  # type: ignore[union-attr]
    assert [tuple(row) for row in failed] == [(str(SAMPLES / "dla_2567.html"), "load")]


def test_a_group_of_first_versions_writes_each_table_once(tmp_path: Path) -> None:
    """Three reports, each the first of its agency and year: one insert of items for the
    three, not one each (what makes a group cheaper than its documents one at a time)."""
    outcomes = [
        parse_source(SAMPLES / name)
        for name in ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
    ]
    seen: list[str] = []

    def watch(*args: Any) -> None:
        seen.append(args[2].lstrip().split("(")[0].upper())

    with Store(f"sqlite:///{tmp_path / 'ita.db'}") as store:
        event.listen(store.engine, "before_cursor_execute", watch)
        results = store.load_many(outcomes)
        event.remove(store.engine, "before_cursor_execute", watch)
    assert [r.status for r in results] == ["new", "new", "new"]
    assert [r.version for r in results] == [1, 1, 1]
    assert seen.count("INSERT INTO ITEMS ") == 1
    assert seen.count("INSERT INTO REPORTS ") == 1

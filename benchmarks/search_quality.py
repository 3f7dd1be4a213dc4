"""Recall and precision of each way of searching Thai items, on the samples.

The samples (dla_2566.txt, dla_2567.html, obt_nongbua_2567.md) are loaded into a temporary
SQLite store; every query is run each way:

- CLI before (issue 12): FTS5 over the items' Thai character clusters (pythainlp TCC), the
  query as a phrase of its clusters: what ``ita-etl search`` did, which plain SQL and
  Datasette could not use;
- CLI now: ``etl.Database.search``: the trigram index finds items containing the query,
  their clusters confirm that it starts and ends on a cluster boundary; a full name also
  finds its abbreviation;
- plain SQL / Datasette: ``items_fts MATCH '"query"'`` (trigram, what ``?_search=`` runs);
- words index: FTS5 over the texts cut into dictionary words (newmm), queried as Datasette
  would (the alternative to a trigram index: an ordinary tokenizer over segmented text);
- names spelled out: trigram over the texts with every known abbreviation spelled out too
  (the alternative to indexing full names abbreviated).

What an item truly contains (the judgement, independent of every method above): the query,
white space removed, occurs in the item's text where the text can be cut into dictionary
words on both sides of it — inside a newmm word only if the rest of that word is made of
dictionary words too (ทุจริต in การทุจริต, กฎหมาย in ตามกฎหมาย; not การ in บริการ, not ขอ in
ของ). For names (abbreviations and full names of the bodies in the abbreviation table), an
item contains a name if it holds the abbreviation or the full name.

Queries: every dictionary word of two letters or more in the samples' items, 300 two-word
runs taken from them (seeded), and every known name found in them, both as abbreviation and
in full. Run from the repository root:

    .venv/bin/python benchmarks/search_quality.py
"""

from __future__ import annotations

import random
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from etl import Database, IngestOptions
from etl.transform.normalise.names import expand_abbreviations
from etl.transform.pipeline import extract_file
from extractors.thai.words import dictionary
from extractors.thai.words import words as newmm
from loaders.search import query_tokens
from schemas.framework import abbreviations

SAMPLES = Path(__file__).parents[1] / "samples"
FILES = ("dla_2566.txt", "dla_2567.html", "obt_nongbua_2567.md")
THAI_WORD = re.compile(r"[\u0e01-\u0e4e]{2,}")
NAME_KINDS = {"agency", "ministry", "unit", "agency_type"}


def compact(text: str) -> str:
    return "".join(text.split())


@cache
def segmentable(text: str) -> bool:
    """Whether ``text`` is a run of dictionary words (empty included)."""
    if not text:
        return True
    longest = min(len(text), 40)
    return any(text[:n] in dictionary() and segmentable(text[n:]) for n in range(1, longest + 1))


@dataclass(frozen=True)
class Item:
    text: str
    compact: str
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str) -> Item:
        joined = compact(text)
        spans, at = [], 0
        for word in newmm(joined):
            spans.append((at, at + len(word)))
            at += len(word)
        return cls(text, joined, tuple(spans))

    def cut_cleanly(self, start: int, end: int) -> bool:
        for a, b in self.spans:
            if a < start < b and not segmentable(self.compact[a:start]):
                return False
            if a < end < b and not segmentable(self.compact[end:b]):
                return False
        return True

    def contains_word(self, query: str) -> bool:
        q, start = compact(query), 0
        while (found := self.compact.find(q, start)) >= 0:
            if self.cut_cleanly(found, found + len(q)):
                return True
            start = found + 1
        return False


def names_in(texts: list[str]) -> list[tuple[str, str]]:
    """(abbreviation, full name) of the known bodies the items mention either way."""
    joined = "\n".join(compact(t) for t in texts)
    return sorted(
        {
            (a.abbr, a.expansion)
            for a in abbreviations()
            if a.kind in NAME_KINDS and (a.abbr in joined or a.expansion in joined)
        }
    )


def says_name(item: Item, abbr: str, full: str) -> bool:
    """The full name (white space removed), or the abbreviation standing as a word of its
    own in the text as written: not after a Thai letter, and (without a dot) not running
    into one (มท in ธรรมท is no ministry)."""
    after = "" if abbr.endswith(".") else r"(?![\u0e01-\u0e4e])"
    alone = re.compile(rf"(?<![\u0e01-\u0e4e]){re.escape(abbr)}{after}")
    return full in item.compact or bool(alone.search(item.text))


def fts(connection: sqlite3.Connection, table: str, expression: str) -> set[int]:
    try:
        rows = connection.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (expression,))
    except sqlite3.OperationalError:
        return set()
    return {r[0] for r in rows}


def quoted(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="search-quality-"))
    db = folder / "ita.db"
    with Database(str(db)) as database:
        database.ingest([SAMPLES / f for f in FILES], options=IngestOptions(workers=0))
    store = sqlite3.connect(db)
    rows = store.execute(
        "SELECT i.id, i.text FROM items i JOIN reports r ON r.id = i.report_id "
        "WHERE NOT r.superseded ORDER BY i.id"
    ).fetchall()
    ids = [r[0] for r in rows]
    items = {i: Item.of(t) for i, t in rows}
    texts = [t for _, t in rows]
    assert sorted(texts) == sorted(
        i.text for f in FILES for i in extract_file(SAMPLES / f).items()
    ), "the store holds the documents' items"

    memory = sqlite3.connect(":memory:")
    unicode61 = "tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\""
    memory.execute(f"CREATE VIRTUAL TABLE tcc USING fts5(tokens, {unicode61})")
    memory.execute(f"CREATE VIRTUAL TABLE words USING fts5(w, {unicode61})")
    memory.execute("CREATE VIRTUAL TABLE spelled USING fts5(s, tokenize='trigram')")
    for i, item in items.items():
        memory.execute(
            "INSERT INTO tcc (rowid, tokens) VALUES (?, ?)", (i, query_tokens(item.text))
        )
        memory.execute(
            "INSERT INTO words (rowid, w) VALUES (?, ?)", (i, " ".join(newmm(item.compact)))
        )
        spelled = compact(expand_abbreviations(item.text))
        memory.execute(
            "INSERT INTO spelled (rowid, s) VALUES (?, ?)", (i, f"{item.compact} {spelled}")
        )

    database = Database(str(db))

    def cli_now(q: str) -> set[int]:
        return {int(r["item_id"]) for r in database.search(q, limit=None).records}

    methods: dict[str, Callable[[str], set[int]]] = {
        "CLI before: TCC phrase": lambda q: fts(memory, "tcc", quoted(query_tokens(q))),
        "CLI now: trigram + TCC": cli_now,
        "plain SQL/Datasette: trigram": lambda q: fts(store, "items_fts", quoted(compact(q))),
        "words index (newmm)": lambda q: fts(memory, "words", quoted(q)),
        "names spelled out": lambda q: fts(memory, "spelled", quoted(compact(q))),
    }

    words = sorted({w for t in texts for w in newmm(compact(t)) if THAI_WORD.fullmatch(w)})
    runs = sorted(
        {
            a + b
            for t in texts
            for a, b in pairwise(w for w in newmm(compact(t)) if THAI_WORD.fullmatch(w))
        }
    )
    random.Random(12).shuffle(runs)
    names = names_in(texts)
    truth_word = {q: {i for i in ids if items[i].contains_word(q)} for q in [*words, *runs[:300]]}
    by_abbr: dict[str, set[int]] = {}
    by_full: dict[str, set[int]] = {}
    for abbr, full in names:
        holding = {i for i in ids if says_name(items[i], abbr, full)}
        by_abbr[abbr] = by_full[full] = holding
    sets = {
        f"{len(words)} dictionary words": {q: truth_word[q] for q in words},
        "  of them, under 3 letters": {q: truth_word[q] for q in words if len(q) < 3},
        "300 two-word runs": {q: truth_word[q] for q in runs[:300]},
        f"{len(names)} names, abbreviated": by_abbr,
        f"{len(names)} names, in full": by_full,
    }
    print(f"{'queries':32} {'method':32} {'recall':>7} {'precision':>9}")
    for label, truth in sets.items():
        for method, run in methods.items():
            found = {q: run(q) for q in truth}
            hit = sum(len(found[q] & truth[q]) for q in truth)
            wrong = sum(len(found[q] - truth[q]) for q in truth)
            missed = sum(len(truth[q] - found[q]) for q in truth)
            recall = hit / (hit + missed) if hit + missed else 1.0
            precision = hit / (hit + wrong) if hit + wrong else 1.0
            print(f"{label:32} {method:32} {recall:7.3f} {precision:9.3f}")
        print()
    database.close()


if __name__ == "__main__":
    main()

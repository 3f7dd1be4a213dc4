"""Full-text search over items that works for Thai, which has no spaces between words, from
the CLI, from plain SQL and from Datasette alike (docs/schema.md, "Searching").

What is searched is ``items.search_text``: the text folded (NFC, Thai digits to Arabic, case
folded) with all white space removed (a line wrap may have put a space inside a word), then,
if it names a known body in full, the same with that name abbreviated
(``etl.transform.normalise.names.contract_names``: กรมส่งเสริมการปกครองท้องถิ่น → สถ.), the two
forms separated by one space. So any substring search for an abbreviation also finds the
items that spell the name out, and no query (which has no spaces once folded) can match
across the two forms. A search for a full name finds the items that abbreviate it through
the CLI (and ``etl.search``), which also searches the query with its names abbreviated; in
plain SQL and Datasette, search the abbreviation.

The index is the substring index each database has:

- SQLite: ``items_fts``, an FTS5 table with the trigram tokenizer whose external content is
  ``items.search_text`` (rowid = items.id). ``items_fts MATCH '"ทุจริต"'`` finds every item
  containing ทุจริต, and Datasette links it to ``items`` (``content="items"``), so
  ``?_search=`` works. A trigram needs three characters: shorter queries scan.
- PostgreSQL: a pg_trgm GIN index on ``items.search_text``; ``search_text LIKE '%ทุจริต%'``.

The CLI (and ``etl.search``) also checks ``items.search_tokens``, the Thai character clusters
(pythainlp's TCC: the smallest units a Thai word can be cut into) of every form, so that a
match starts and ends on a cluster boundary: งบ is found in งบประมาณ but not across the words
ของ|บุคคล. ``benchmarks/search_quality.py`` measures what each way finds. Both indexes are
written in the loading transaction, so they never disagree with items.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Connection, text

from etl.transform.normalise.names import abbreviated_forms, contract_names
from extractors.thai.chars import to_arabic_digits
from extractors.thai.words import offline_pythainlp
from loaders.models import SQLITE_SEARCH_TABLE

_WHITE_SPACE = re.compile(r"\s+")
_LIKE_SPECIAL = re.compile(r"([\\%_])")
TRIGRAM = 3
"""Characters a query needs for the trigram indexes to be used."""
FORM_SEPARATOR = "|"
"""Between the forms' clusters in ``search_tokens``: never a cluster of a query."""
MAX_QUERY_CHARS = 1000
"""Longest query searched: a measure's sentence is a few hundred characters. The LIKE
patterns and trigram look-ups grow with the query (a 40,000-character one took PostgreSQL
minutes and a gigabyte), and nothing that long is in any item."""


def folded(text_: str) -> str:
    """NFC, Thai digits to Arabic, case folded: the form both sides are compared in."""
    return to_arabic_digits(unicodedata.normalize("NFC", text_)).casefold()


def _compact(text_: str) -> str:
    return _WHITE_SPACE.sub("", folded(text_))


def _forms(text_: str) -> list[str]:
    """The text folded and without white space, then with its full names abbreviated if
    that differs (a wrap space inside a name is gone by then)."""
    compact = _compact(text_)
    contracted = contract_names(compact)
    return [compact] if contracted == compact else [compact, contracted]


def search_text(text_: str) -> str:
    """What is searched: the text, and with its full names abbreviated if that differs,
    folded and without white space, separated by one space."""
    return " ".join(_forms(text_))


@lru_cache(maxsize=4096)
def _clusters(run: str) -> tuple[str, ...]:
    offline_pythainlp()
    from pythainlp.tokenize import subword_tokenize

    return tuple(subword_tokenize(run, engine="tcc", keep_whitespace=False))


def query_tokens(text_: str) -> str:
    """One text as search tokens: its Thai character clusters separated by spaces, without
    white space and punctuation (Latin letters and digits come out one per cluster, so they
    match as substrings)."""
    return " ".join(
        c for run in folded(text_).split() for c in _clusters(run) if any(ch.isalnum() for ch in c)
    )


def cluster_tokens(text_: str) -> str:
    """What ``items.search_tokens`` holds: the clusters of each form ``search_text`` holds,
    the forms separated by `` | ``."""
    return f" {FORM_SEPARATOR} ".join([query_tokens(text_), *map(query_tokens, _forms(text_)[1:])])


def _escape_like(text_: str) -> str:
    return _LIKE_SPECIAL.sub(r"\\\1", text_)


def like_pattern(query: str) -> str:
    r"""A LIKE pattern finding ``query`` anywhere in ``search_text`` (escape character \):
    what the trigram indexes narrow down."""
    return "%" + _escape_like(_compact(query)) + "%"


def fts_phrase(query: str) -> str:
    """The FTS5 phrase finding ``query`` as a substring of ``search_text`` in ``items_fts``
    (trigram tokenizer; quotes doubled)."""
    return '"' + _compact(query).replace('"', '""') + '"'


def tokens_pattern(query: str) -> str:
    """A LIKE pattern finding the query's clusters as a run of whole clusters in
    ``' ' || search_tokens || ' '``."""
    return "% " + _escape_like(query_tokens(query)) + " %"


def index_items(connection: Connection, rows: Sequence[tuple[int, str]]) -> None:
    """Add (item id, search_text) rows to SQLite's ``items_fts`` (PostgreSQL's trigram index
    follows the ``search_text`` column by itself)."""
    if connection.dialect.name != "sqlite" or not rows:
        return
    connection.execute(
        text(f"INSERT INTO {SQLITE_SEARCH_TABLE} (rowid, search_text) VALUES (:id, :s)"),
        [{"id": item_id, "s": searched} for item_id, searched in rows],
    )


def _one_form(dialect: str, query: str, n: int) -> tuple[str, dict[str, str]]:
    """A condition on ``items`` for one form of the query, and its parameters."""
    tokens = f"(' ' || search_tokens || ' ') LIKE :tokens{n} ESCAPE '\\'"
    params = {f"tokens{n}": tokens_pattern(query)}
    if dialect == "sqlite" and len(_compact(query)) >= TRIGRAM:
        params[f"phrase{n}"] = fts_phrase(query)
        return (
            f"(id IN (SELECT rowid FROM {SQLITE_SEARCH_TABLE} WHERE {SQLITE_SEARCH_TABLE} "
            f"MATCH :phrase{n}) AND {tokens})",
            params,
        )
    params[f"text{n}"] = like_pattern(query)
    return f"(search_text LIKE :text{n} ESCAPE '\\' AND {tokens})", params


def matching_items(dialect: str, query: str) -> tuple[str, dict[str, str]]:
    """SQL selecting the ids of items matching ``query`` on cluster boundaries, and its
    parameters: the trigram index finds the candidates, ``search_tokens`` confirms. The
    query is also searched with its full names abbreviated, so a full name finds the items
    that abbreviate it."""
    conditions: list[str] = []
    params: dict[str, str] = {}
    for n, form in enumerate([query, *abbreviated_forms(_compact(query))]):
        condition, form_params = _one_form(dialect, form, n)
        conditions.append(condition)
        params.update(form_params)
    return f"SELECT id FROM items WHERE {' OR '.join(conditions)}", params


def has_terms(query: str) -> bool:
    """Whether a query has anything to search for (letters or digits)."""
    return any(ch.isalnum() for ch in query)


def too_long(query: str) -> str | None:
    """Why ``query`` is too long to search, or None."""
    if len(query) <= MAX_QUERY_CHARS:
        return None
    return (
        f"the query is {len(query):,} characters; search takes at most {MAX_QUERY_CHARS:,} "
        "(a phrase of a measure, not a document)"
    )

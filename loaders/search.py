"""Full-text search over items that works for Thai, which has no spaces between words.

SQLite: an FTS5 table whose tokens are Thai character clusters (pythainlp's TCC: the
smallest units a Thai word can be cut into), so that a query matches anywhere it starts and
ends on a cluster boundary — inside a compound (ทุจริต in การแก้ไขปัญหาการทุจริต) and for a
two-letter word (งบ). The query is cut the same way and searched as a phrase.

PostgreSQL: ``items.search_text`` (white space removed, digits Arabic, case folded) under a
pg_trgm GIN index, searched with LIKE '%query%', then checked against ``items.search_tokens``
(the same clusters) so that both databases find the same items: งบ is found in งบประมาณ but
not across the words ของ|บุคคล. pg_trgm makes trigrams of Thai on this server (LC_CTYPE
C.UTF-8); a query shorter than three characters cannot use the index and scans.

Both indexes are written in the loading transaction, so they never disagree with items.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Connection, text

from extractors.thai.chars import to_arabic_digits
from extractors.thai.words import offline_pythainlp
from loaders.models import SQLITE_SEARCH_TABLE

_WHITE_SPACE = re.compile(r"\s+")
_LIKE_SPECIAL = re.compile(r"([\\%_])")


def folded(text_: str) -> str:
    """NFC, Thai digits to Arabic, case folded: the form both sides are compared in."""
    return to_arabic_digits(unicodedata.normalize("NFC", text_)).casefold()


def search_text(text_: str) -> str:
    """What PostgreSQL searches: the folded text with all white space removed (a line wrap
    may have put a space inside a word)."""
    return _WHITE_SPACE.sub("", folded(text_))


@lru_cache(maxsize=4096)
def _clusters(run: str) -> tuple[str, ...]:
    offline_pythainlp()
    from pythainlp.tokenize import subword_tokenize

    return tuple(subword_tokenize(run, engine="tcc", keep_whitespace=False))


def cluster_tokens(text_: str) -> str:
    """The text as search tokens: its Thai character clusters separated by spaces, without
    white space and punctuation (Latin letters and digits come out one per cluster, so they
    match as substrings)."""
    return " ".join(
        c for run in folded(text_).split() for c in _clusters(run) if any(ch.isalnum() for ch in c)
    )


def fts_phrase(query: str) -> str:
    """An FTS5 phrase query for ``query``: its clusters, quoted (quotes doubled)."""
    tokens = cluster_tokens(query)
    return '"' + tokens.replace('"', '""') + '"'


def _escape_like(text_: str) -> str:
    return _LIKE_SPECIAL.sub(r"\\\1", text_)


def like_pattern(query: str) -> str:
    r"""A LIKE pattern finding ``query`` anywhere in ``search_text`` (escape character \):
    what the trigram index narrows down."""
    return "%" + _escape_like(search_text(query)) + "%"


def tokens_pattern(query: str) -> str:
    """A LIKE pattern finding the query's clusters as a run of whole clusters in
    ``' ' || search_tokens || ' '``: the same matches as the FTS5 phrase on SQLite."""
    return "% " + _escape_like(cluster_tokens(query)) + " %"


def index_items(connection: Connection, rows: Sequence[tuple[int, str]]) -> None:
    """Add (item id, search tokens) rows to SQLite's FTS5 table (PostgreSQL's trigram index
    follows the ``search_text`` column by itself)."""
    if connection.dialect.name != "sqlite" or not rows:
        return
    connection.execute(
        text(f"INSERT INTO {SQLITE_SEARCH_TABLE} (rowid, tokens) VALUES (:id, :tokens)"),
        [{"id": item_id, "tokens": tokens} for item_id, tokens in rows],
    )


def matching_items(dialect: str, query: str) -> tuple[str, dict[str, str]]:
    """SQL selecting the ids of items matching ``query``, and its parameters."""
    if dialect == "sqlite":
        return (
            f"SELECT rowid FROM {SQLITE_SEARCH_TABLE} WHERE {SQLITE_SEARCH_TABLE} MATCH :phrase",
            {"phrase": fts_phrase(query)},
        )
    return (
        "SELECT id FROM items WHERE search_text LIKE :text ESCAPE '\\' "
        "AND (' ' || search_tokens || ' ') LIKE :tokens ESCAPE '\\'",
        {"text": like_pattern(query), "tokens": tokens_pattern(query)},
    )


def has_terms(query: str) -> bool:
    """Whether a query has anything to search for (letters or digits)."""
    return any(ch.isalnum() for ch in query)

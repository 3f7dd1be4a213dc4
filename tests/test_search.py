"""Thai full-text search on SQLite (FTS5 over character clusters) and PostgreSQL (pg_trgm).

Words were picked by reading the samples: งบ (two letters) occurs only inside งบประมาณ;
ทุจริต occurs inside การแก้ไขปัญหาการทุจริต, ศูนย์ปฏิบัติการต่อต้านการทุจริต and others. The
items each must find were listed by reading the sources (tests/sample_truth.py).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import ingest_into
from sample_truth import BUDGET_HITS, CORRUPTION_HITS, DLA_2567, Hit

from extractors.thai.words import thai_words_of
from extractors.thai.words import words as newmm
from loaders.queries import open_store, search_items
from loaders.search import cluster_tokens
from loaders.store import Store
from schemas.errors import UsageError


@pytest.fixture
def loaded(db_url: str, two_years: Path) -> Iterator[Store]:
    with Store(db_url) as store:
        ingest_into(store, [two_years])
    with open_store(db_url) as store:
        yield store


def _find(store: Store, query: str) -> list[dict[str, Any]]:
    with store.reading() as c:
        return search_items(c, query, limit=None).records


def _key(text: str) -> str:
    return re.sub(r"\s", "", text)


def _hits(hits: list[dict[str, Any]]) -> Counter[tuple[int, str, str, str]]:
    """(year, indicator, role, text without white space) of each hit, as many as found."""
    return Counter((h["fiscal_year_be"], h["indicator"], h["role"], _key(h["text"])) for h in hits)


def _expected(hits: Sequence[Hit]) -> Counter[tuple[int, str, str, str]]:
    return Counter((h.fiscal_year_be, h.indicator, h.role, _key(h.text)) for h in hits)


def test_a_two_letter_word_is_found(loaded: Store) -> None:
    hits = _find(loaded, "งบ")
    # every งบ of the samples is in งบประมาณ, except across the words มุมมอง|ของ|บุคคล
    assert _hits(hits) == _expected(BUDGET_HITS)
    assert not any("ของบุคคล" in h["text"] for h in hits)


def test_a_word_inside_a_compound_is_found(loaded: Store) -> None:
    hits = _find(loaded, "ทุจริต")
    assert _hits(hits) == _expected(CORRUPTION_HITS)
    assert all(h["agency_key"] == "สถ." for h in hits)


def test_queries_ignore_spaces_and_thai_digits(loaded: Store) -> None:
    assert _find(loaded, "การแก้ไข ปัญหา") == _find(loaded, "การแก้ไขปัญหา")
    years = {h["fiscal_year_be"] for h in _find(loaded, "๒๕๖๖")}
    assert 2567 in years  # "ประจำปีงบประมาณ พ.ศ. 2566" in a 2567 measure
    assert _find(loaded, "ไม่มีข้อความนี้ในรายงาน") == []
    with pytest.raises(UsageError):
        _find(loaded, " ... ")


def test_every_dictionary_word_of_the_measures_is_found(loaded: Store) -> None:
    """Recall: every dictionary word (newmm) of every 2567 measure finds that measure, and a
    random sample of two-word runs does too."""
    runs = []
    for measure in DLA_2567.measures():
        words = thai_words_of(measure)
        found_by = {w: {_key(h["text"]) for h in _find(loaded, w)} for w in set(words)}
        for word, texts in found_by.items():
            assert _key(measure) in texts, word
        tokens = [w for w in newmm(measure) if any(ch.isalnum() for ch in w)]
        runs += [(measure, a + b) for a, b in pairwise(tokens)]
    for text, run in random.Random(2567).sample(runs, 30):
        assert _key(text) in {_key(h["text"]) for h in _find(loaded, run)}, run


def test_cluster_tokens_are_thai_character_clusters() -> None:
    assert cluster_tokens("การทุจริต") == "กา ร ทุ จ ริ ต"
    assert cluster_tokens("งบ") == "ง บ"
    assert cluster_tokens("ITA ๒๕๖๖ (www.dla)") == "i t a 2 5 6 6 w w w d l a"

"""A first reading of a font that names none of its glyphs: a substitution cipher, solved.

When most of a document's glyphs have no usable text (no ToUnicode, no cmap, no glyph
names: every glyph is "(cid:N)"), no glyph can be read from words made of known letters,
because there are none. The glyph sequences are then a cipher of Thai text: each glyph id
stands for one letter (several glyphs may stand for one: positioned variants). The reading
that makes the document's letter sequences likeliest under a Thai letter trigram model
(``extractors.thai.letters``) is found by coordinate ascent (each glyph in turn takes the
letter that makes the document likeliest, until none changes) from a frequency-ranked start
and from perturbed restarts, keeping the best. A glyph with no advance width can only be a
mark, one with width only a spacing letter.

This is only a first reading: ``extractors.pdf_decipher`` then checks each glyph against the
dictionary with the same margin as any other glyph, and keeps only what passes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extractors.thai.letters import ALPHABET, BOUNDARY, MARKS, SPACING, drawn, letter_model

_RESTARTS = 12
_PERTURB = 0.25
_SWEEPS = 25
SHORTLIST = 6
"""Letters per glyph handed to the dictionary check: the likeliest under the letter model."""


@dataclass(frozen=True)
class CipherReading:
    """For each placeholder: the letters it most likely stands for, likeliest first."""

    letters: dict[str, tuple[str, ...]]

    def best(self, placeholder: str) -> str | None:
        found = self.letters.get(placeholder)
        return found[0] if found else None


def solve(runs: Mapping[str, int], marks: Mapping[str, bool]) -> CipherReading:
    """Read the placeholders (``marks``: placeholder -> drawn with no width) in ``runs``
    (texts of glyph runs with their counts; other characters are known letters)."""
    model = letter_model()
    symbols = sorted(marks, key=lambda p: -_occurrences(runs, p))
    unknown = {p: i for i, p in enumerate(symbols)}
    size = len(ALPHABET)
    n = len(symbols)
    boundary = n + ALPHABET.index(BOUNDARY)
    triples: Counter[tuple[int, int, int]] = Counter()
    for run, count in runs.items():
        coded = [boundary, boundary]
        for char in drawn(run):
            if char in unknown:
                coded.append(unknown[char])
            elif char in ALPHABET:
                coded.append(n + ALPHABET.index(char))
            else:
                coded.append(boundary)
        coded.append(boundary)
        for i in range(len(coded) - 2):
            triples[(coded[i], coded[i + 1], coded[i + 2])] += count
    if not triples or not symbols:
        return CipherReading({})
    table = np.array(list(triples), dtype=np.int64)
    counts = np.array(list(triples.values()), dtype=np.float64)
    involving = [np.flatnonzero((table == u).any(axis=1)) for u in range(n)]
    classes = [
        np.array([ALPHABET.index(c) for c in (MARKS if marks[p] else SPACING)]) for p in symbols
    ]
    log_p = model.log_probability

    def score(key: npt.NDArray[np.int64]) -> float:
        k = key[table]
        return float((counts * log_p[k[:, 0], k[:, 1], k[:, 2]]).sum())

    def local(key: npt.NDArray[np.int64], u: int) -> npt.NDArray[np.float64]:
        rows = involving[u]
        sub = table[rows]
        candidates = classes[u]
        letters = np.broadcast_to(key[sub], (len(candidates), *sub.shape)).copy()
        letters[:, sub == u] = np.repeat(candidates[:, None], int((sub == u).sum()), axis=1)
        values = log_p[letters[..., 0], letters[..., 1], letters[..., 2]]
        result: npt.NDArray[np.float64] = (values * counts[rows]).sum(axis=1)
        return result

    def ascend(key: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        for _ in range(_SWEEPS):
            changed = False
            for u in range(n):
                best = int(classes[u][int(np.argmax(local(key, u)))])
                if best != key[u]:
                    key[u] = best
                    changed = True
            if not changed:
                break
        return key

    start = np.concatenate([_by_frequency(symbols, marks, runs, model.unigram), np.arange(size)])
    best_key = ascend(start.copy())
    best_score = score(best_key)
    rng = np.random.default_rng(11)
    for _ in range(_RESTARTS):
        key = best_key.copy()
        for u in range(n):
            if rng.random() < _PERTURB:
                key[u] = int(rng.choice(classes[u]))
        key = ascend(key)
        value = score(key)
        if value > best_score:
            best_key, best_score = key, value
    letters = {}
    for u, placeholder in enumerate(symbols):
        order = np.argsort(-local(best_key, u))[:SHORTLIST]
        letters[placeholder] = tuple(ALPHABET[int(classes[u][i])] for i in order)
    return CipherReading(letters)


def _occurrences(runs: Mapping[str, int], placeholder: str) -> int:
    return sum(run.count(placeholder) * count for run, count in runs.items())


def _by_frequency(
    symbols: list[str],
    marks: Mapping[str, bool],
    runs: Mapping[str, int],
    unigram: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """A first key: within each class, the n-th commonest glyph is the n-th commonest letter."""
    key = np.zeros(len(symbols), dtype=np.int64)
    for is_mark, letters in ((True, MARKS), (False, SPACING)):
        ranked = sorted(letters, key=lambda c: -unigram[ALPHABET.index(c)])
        members = [i for i, p in enumerate(symbols) if marks[p] == is_mark]
        members.sort(key=lambda i: -_occurrences(runs, symbols[i]))
        for rank, i in enumerate(members):
            key[i] = ALPHABET.index(ranked[rank % len(ranked)])
    return key

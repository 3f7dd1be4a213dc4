"""Glyphs a PDF gives no usable text for, read from the document itself.

Some fonts say nothing about some glyphs: no ToUnicode entry, no cmap, no glyph name (the
Budget Bureau's subset DilleniaUPC: "เพือ(cid:201)" for เพื่อ), or U+FFFD ("ประจ�าปี"). Others
give a glyph the character of another glyph of the same font ("." drawn for ศ: "พศศศ" for
พ.ศ., "4ศ3ศ3" for 4.3.3). The font program cannot tell (``extractors.pdf_glyphs`` has asked
it); the document can: a glyph occurs many times, in words that are Thai words only when it
is read as one particular character.

So, per document, for each glyph (font and glyph id) that is *unknown* (no usable text) or
*in doubt* (its font gives its character to another of its glyphs too):

1. while the pages are read, an unknown glyph's text is a placeholder (a Private Use
   character of plane 15, one per glyph, "mark-like" when the glyph has no advance width so
   that line building keeps it on the letter before it); a glyph in doubt keeps its text.
   Runs of glyphs around either, in content-stream order, are kept as evidence;
2. once every page is seen (``GlyphKey.decide``), each glyph is read, commonest first: by
   its outline when a font of the file names the same outline; else by votes of its
   evidence windows (the candidate that makes a window's Thai words clearly likeliest under
   the Thai National Corpus word counts, after the drawing order is repaired), accepted only
   with enough votes and a clear margin (``_decide``). When unknown glyphs outnumber the
   letters around them (a font that names nothing), a letter-model reading of all of them
   comes first (``extractors.pdf_cipher``) and gives each glyph its candidates;
3. placeholders in every line and table cell are replaced by the readings, or by what the
   PDF said where there is none, and the line is repaired then (``apply``, ``read_tables``).
   A glyph in doubt read as another character needs the pages read again (``reread``).

Each decision is kept (``GlyphDecision``: glyph, reading, evidence, including the votes for
the character the PDF gave that a change overrides: what it breaks), also for glyphs left
undecided, so ``ita-etl text --stats`` can show why.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from extractors.model import Cell, RawTable
from extractors.thai.repair import repair_thai
from extractors.thai.words import is_word, word_frequency, words

Char = dict[str, Any]

_BASE = 0xF0000
_MARK = 0xF8000
_LAST = 0xFFFFD
_PLACEHOLDER = re.compile("[\U000f0000-\U000ffffd]")

MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d"
"""What a glyph with no advance width can be: the Thai combining marks."""
SPACING = (
    "".join(chr(c) for c in range(0x0E01, 0x0E2F))
    + "\u0e30\u0e32\u0e33\u0e40\u0e41\u0e42\u0e43\u0e44\u0e45\u0e2f\u0e46"
    + "."
)
"""What a glyph with width can be: Thai consonants, vowels, ฯ, ๆ, and the full stop of
abbreviations (a font that maps "." to ศ)."""

MIN_RUNS = 3
"""A reading needs at least this many windows voting for it ..."""
MARGIN = 2
"""... and this many times the votes of any other reading (plus one) ..."""
MIN_RARE = 2
"""... or, for a glyph met at least this many times, a majority of votes and a lead of
``STRONG`` in log probability over all its windows."""
STRONG = math.log(1e4)
MIN_CIPHER = 200
"""Unknown glyph occurrences a document needs before its glyphs are read as a cipher."""
WINDOW = 20
"""Characters either side of a glyph that its evidence looks at."""
MAX_WINDOWS = 200
"""Distinct evidence windows per glyph (the most frequent; the rest repeat them)."""
MAX_WINDOWS_IN_DOUBT = 40
"""... for a glyph its font gives a character (nearly always the right one: the check must
be cheap)."""


def is_mark_placeholder(text: str) -> bool:
    """A placeholder for a glyph with no advance width: line building treats it as a mark."""
    return len(text) == 1 and _MARK <= ord(text) <= _LAST


def has_placeholder(text: str) -> bool:
    return _PLACEHOLDER.search(text) is not None


def is_unusable(text: str) -> bool:
    """Text that names no character: pdfminer's (cid:N), U+FFFD, an unknown Private Use code."""
    return (
        text.startswith("(cid:")
        or text == "\ufffd"
        or (len(text) == 1 and "\ue000" <= text <= "\uf8ff")
    )


@dataclass(frozen=True)
class GlyphDecision:
    """What one glyph was read as, and why. ``text`` is None when no reading was clear."""

    font: str
    glyph: int
    given: str
    """What the PDF said (its ToUnicode, or (cid:N))."""
    text: str | None
    occurrences: int
    evidence: str

    def describe(self) -> str:
        chosen = repr(self.text) if self.text is not None else "undecided"
        return f"{self.font} glyph {self.glyph} {self.given!r} -> {chosen}: {self.evidence}"


@dataclass
class _Glyph:
    """One glyph held in doubt: a font's glyph id, or every glyph of the document's fonts
    that draws the same unknown outline (subsets of one font, each with a few uses)."""

    font: str
    cid: int
    given: str
    mark: bool
    suspect: bool
    placeholder: str
    shape: str | None = None
    occurrences: int = 0
    windows: Counter[tuple[str, bool, bool]] = field(default_factory=Counter)
    fonts: set[str] = field(default_factory=set)


_ABBREVIATION = re.compile("(?<![\u0e01-\u0e4e])(?:[\u0e01-\u0e2e]{1,3}\\.)+")
_THAI_RUN = re.compile("[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e]+")
_THAI_LETTERS = re.compile("[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e]")
_CORPUS = 1e8
_NON_WORD = math.log(0.05 / _CORPUS)
"""Log probability charged per character of a non-dictionary word: below any word's."""
CLEAR = math.log(10)
"""A window votes for the reading that makes it at least ten times likelier than any other."""


@lru_cache(maxsize=262144)
def _read(window: str, cut_left: bool, cut_right: bool) -> tuple[str, float, bool]:
    """(the window with its drawing order repaired, the log probability of its Thai words
    under the Thai National Corpus unigram model, whether all of them are words). A word cut
    by the window's edge is not counted; "พ.ศ."-shaped abbreviations count as words."""
    repaired, _ = repair_thai(window, dictionary=False)
    text = _ABBREVIATION.sub(lambda m: " " * len(m.group(0)), repaired)
    tokens = [token for run in _THAI_RUN.findall(text) for token in words(run)]
    if cut_left and tokens and not text[:1].isspace():
        tokens = tokens[1:]
    if cut_right and tokens and not text[-1:].isspace():
        tokens = tokens[:-1]
    logp = 0.0
    clean = True
    for token in tokens:
        if is_word(token):
            logp += math.log((word_frequency(token) + 0.5) / _CORPUS)
        else:
            logp += _NON_WORD * len(token)
            clean = False
    return repaired, logp, clean


class GlyphKey:
    """The unknown and suspect glyphs of one document, their evidence and their readings."""

    def __init__(self) -> None:
        self._glyphs: dict[tuple[str, int], _Glyph] = {}
        self._by_placeholder: dict[str, _Glyph] = {}
        self._key: dict[str, str] = {}
        self.decisions: tuple[GlyphDecision, ...] = ()
        self._decided = False
        self.runs: Counter[str] = Counter()
        """Every run of glyphs holding a placeholder, for the letter model."""
        self._guess: dict[str, str] = {}
        self._shortlist: dict[str, tuple[str, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._glyphs)

    @property
    def decided(self) -> bool:
        return self._decided

    @property
    def reread(self) -> bool:
        """True when a glyph in doubt was read as another character than its font gives:
        the pages must be read again with the readings applied (``reading``), since the
        lines and tables already built from them hold the given character."""
        return any(
            g.suspect and self._key.get(g.placeholder, g.given) != g.given
            for g in self._glyphs.values()
        )

    def reading(
        self, font: str, cid: int, given: str, shape: str | None, *, suspect: bool
    ) -> str | None:
        """The decided reading of a glyph (None when there is none), for a second reading."""
        glyph = self._glyphs.get(_key(font, cid, given, shape, suspect))
        return self._key.get(glyph.placeholder) if glyph is not None else None

    # --- while reading pages ------------------------------------------------------------

    def placeholder(
        self,
        font: str,
        cid: int,
        given: str,
        *,
        mark: bool,
        suspect: bool,
        shape: str | None = None,
    ) -> str:
        """The placeholder standing for this glyph until the document is read. Unknown
        glyphs with the same outline (``shape``) and code share one: they are one drawing."""
        key = _key(font, cid, given, shape, suspect)
        glyph = self._glyphs.get(key)
        if glyph is None:
            counter = _MARK if mark else _BASE
            number = counter + sum(1 for g in self._glyphs.values() if g.mark == mark)
            if number > (_LAST if mark else _MARK - 1):
                return given  # more unknown glyphs than placeholders: leave them as they are
            glyph = _Glyph(font, cid, given, mark, suspect, chr(number), shape)
            self._glyphs[key] = glyph
            self._by_placeholder[glyph.placeholder] = glyph
        glyph.occurrences += 1
        glyph.fonts.add(font)
        return glyph.placeholder

    def collect(self, chars: Sequence[Char], texts: Sequence[str]) -> None:
        """Keep the evidence windows of a page's placeholders: runs of glyphs in content-stream
        order (Thai's logical order in every producer seen), cut at spaces and at jumps.
        ``texts`` are the chars' texts with a placeholder for every glyph held in doubt."""
        for run in _stream_runs(chars, texts):
            if not _PLACEHOLDER.search(run):
                continue
            self.runs[run] += 1
            for match in _PLACEHOLDER.finditer(run):
                glyph = self._by_placeholder.get(match.group(0))
                if glyph is None:
                    continue
                start = max(match.start() - WINDOW, 0)
                end = min(match.end() + WINDOW, len(run))
                glyph.windows[(run[start:end], start > 0, end < len(run))] += 1

    # --- once the document is read ------------------------------------------------------

    def decide(
        self, shapes: Mapping[str, tuple[frozenset[str], str]] | None = None
    ) -> tuple[GlyphDecision, ...]:
        """Read every unknown and suspect glyph (once per document): from ``shapes`` (outline
        digest -> the characters a font of the document names it, and that font), where one
        names this glyph's outline; else from the evidence of the document's words."""
        if self._decided:
            return self.decisions
        self._decided = True
        pending = self._ordered()
        records: dict[str, GlyphDecision] = {}
        by_outline: list[tuple[_Glyph, str, str]] = []
        for glyph in list(pending):
            named, label = (shapes or {}).get(glyph.shape or "", (frozenset(), ""))
            if len(named) == 1:
                (text,) = named
                if glyph.suspect and text == glyph.given:
                    continue
                self._key[glyph.placeholder] = text
                by_outline.append((glyph, text, label))
                pending.remove(glyph)
        for glyph, text, label in by_outline:  # what the words say, all outlines read
            words_say = self._decide(glyph).evidence
            records[glyph.placeholder] = self._record(
                glyph, text, f"its outline is a glyph {label} names {text!r}; {words_say}"
            )
        if self._mostly_unknown():
            from extractors.pdf_cipher import solve  # numpy and a letter model: rarely needed

            reading = solve(self.runs, {g.placeholder: g.mark for g in pending if not g.suspect})
            self._guess = {p: letters[0] for p, letters in reading.letters.items()}
            self._shortlist = reading.letters
        changed = True
        while changed and pending:
            changed = False
            for glyph in list(pending):
                decision = self._decide(glyph)
                records[glyph.placeholder] = decision
                if decision.text is not None:
                    self._key[glyph.placeholder] = decision.text
                    pending.remove(glyph)
                    changed = True
        self.decisions = tuple(records[g.placeholder] for g in self._ordered())
        return self.decisions

    def apply(self, text: str) -> tuple[str, Counter[str]]:
        """A line's text with its placeholders read and the line repaired, and the counts
        (``glyph_deciphered`` for each placeholder given a reading; what stays unknown is
        counted by the repair as ``cid_unrecovered`` and the like)."""
        counts: Counter[str] = Counter()
        if not _PLACEHOLDER.search(text):
            return text, counts
        self.decide()

        def read(match: re.Match[str]) -> str:
            placeholder = match.group(0)
            glyph = self._by_placeholder.get(placeholder)
            if glyph is None:
                return placeholder
            decided = self._key.get(placeholder)
            if decided is None:
                return glyph.given
            if decided != glyph.given:
                counts["glyph_deciphered"] += 1
            return decided

        text, repairs = repair_thai(_PLACEHOLDER.sub(read, text))
        counts.update(repairs)
        return text, counts

    def read_tables(self, tables: Sequence[RawTable]) -> tuple[tuple[RawTable, ...], Counter[str]]:
        """``apply`` to every cell block and every line above a table (the table reader's
        output, built while the glyphs were still in doubt)."""
        counts: Counter[str] = Counter()
        if not self._glyphs:
            return tuple(tables), counts

        def read(text: str) -> str:
            fixed, made = self.apply(text)
            counts.update(made)
            return fixed

        def read_cell(cell: Cell) -> Cell:
            if not any(has_placeholder(b.text) for b in cell.blocks):
                return cell
            return replace(cell, blocks=tuple(replace(b, text=read(b.text)) for b in cell.blocks))

        read_tables = tuple(
            replace(
                table,
                rows=tuple(
                    replace(row, cells=tuple(read_cell(c) for c in row.cells)) for row in table.rows
                ),
                preceding_lines=tuple(read(line) for line in table.preceding_lines),
            )
            for table in tables
        )
        return read_tables, counts

    # --- the decision for one glyph -----------------------------------------------------

    def _ordered(self) -> list[_Glyph]:
        return sorted(self._glyphs.values(), key=lambda g: (-g.occurrences, g.font, g.cid))

    def _substitute(self, window: str, glyph: _Glyph, candidate: str) -> str:
        def read(match: re.Match[str]) -> str:
            placeholder = match.group(0)
            if placeholder == glyph.placeholder:
                return candidate
            decided = self._key.get(placeholder) or self._guess.get(placeholder)
            if decided is not None:
                return decided
            other = self._by_placeholder.get(placeholder)
            if other is not None and other.suspect:
                return other.given
            return " "  # an unknown glyph not read yet: no word runs across it

        return _PLACEHOLDER.sub(read, window)

    def _votes(self, glyph: _Glyph, candidates: Sequence[str]) -> _Evidence:
        """For each evidence window, the reading that makes its words clearly likeliest gets
        the window's occurrences as votes (readings that give the same text share a vote,
        which goes to the first of them); and each reading's log probability over all the
        windows. Also a word the winning reading shows, as an example."""
        evidence = _Evidence()
        examples: dict[str, Counter[str]] = {}
        most = MAX_WINDOWS_IN_DOUBT if glyph.suspect else MAX_WINDOWS
        for (window, cut_left, cut_right), count in glyph.windows.most_common(most):
            if len(_THAI_LETTERS.findall(self._substitute(window, glyph, ""))) < 2:
                continue  # no Thai around the glyph: no word can vouch for a Thai reading
            outcomes: dict[str, tuple[float, bool, str]] = {}
            for candidate in candidates:
                repaired, logp, clean = _read(
                    self._substitute(window, glyph, candidate), cut_left, cut_right
                )
                evidence.total[candidate] += logp * count
                evidence.outcome[candidate].append(repaired)
                outcomes.setdefault(repaired, (logp, clean, candidate))
            ranked = sorted(outcomes.items(), key=lambda item: -item[1][0])
            (best_text, (best, clean, winner)) = ranked[0]
            runner_up = ranked[1][1][0] if len(ranked) > 1 else -math.inf
            if best - runner_up >= CLEAR and any(_THAI_RUN.search(t) for t in outcomes):
                evidence.votes[winner] += count
                if clean:
                    at = window.index(glyph.placeholder)
                    examples.setdefault(winner, Counter())[_word_at(best_text, at)] += count
        top = evidence.votes.most_common(1)
        if top and top[0][0] in examples:
            evidence.shown = ", ".join(w for w, _ in examples[top[0][0]].most_common(3) if w)
        return evidence

    def _mostly_unknown(self) -> bool:
        """True when unknown glyphs are most of the evidence: too few known letters around
        them to read each from its words; the letter model reads them all first."""
        unknown = sum(g.occurrences for g in self._glyphs.values() if not g.suspect)
        if unknown < MIN_CIPHER:
            return False
        letters = sum(len(_PLACEHOLDER.sub("", run)) * n for run, n in self.runs.items())
        return unknown > letters

    def _decide(self, glyph: _Glyph) -> GlyphDecision:
        """A reading is accepted when many windows vote for it (at least ``MIN_RUNS``, and
        ``MARGIN`` times the votes of any other reading), or when more windows vote for it
        than for any other and over all its windows it makes the text ``STRONG`` times
        likelier than any other reading: a letter met twice (ฎ in กฎหมาย) is read, one met
        once is not; ช is read although "ตัวนี้วัด" is likelier in words than ตัวชี้วัด,
        which the dictionary lacks. A glyph in doubt keeps what its font says unless the
        votes for another reading beat that too."""
        candidates = list(self._shortlist.get(glyph.placeholder, ()))
        candidates = candidates or list(MARKS if glyph.mark else SPACING)
        if glyph.suspect and glyph.given not in candidates:
            candidates.insert(0, glyph.given)
        elif glyph.suspect:
            candidates.insert(0, candidates.pop(candidates.index(glyph.given)))
        found = self._votes(glyph, candidates)
        ranked = found.votes.most_common()
        best, best_votes = ranked[0] if ranked else (candidates[0], 0)
        rivals = [(c, n) for c, n in ranked if c != best]
        rival, rival_votes = rivals[0] if rivals else (None, 0)
        others = [found.total[c] for c in candidates if found.outcome[c] != found.outcome[best]]
        lead = found.total[best] - max(others, default=-math.inf)
        evidence = [f"{glyph.occurrences} occurrences, {best_votes} vote {best!r}"]
        if rival is not None:
            evidence.append(f"{rival_votes} vote {rival!r}")
        if best_votes:
            evidence.append(f"{min(lead, 999.0):.0f} nats ahead")
        accepted = (best_votes >= MIN_RUNS and best_votes >= MARGIN * rival_votes + 1) or (
            best_votes > rival_votes and glyph.occurrences >= MIN_RARE and lead >= STRONG
        )
        if glyph.suspect:
            accepted = accepted and best != glyph.given
            if best != glyph.given:
                breaks = found.votes[glyph.given]
                evidence.append(f"{breaks} vote {glyph.given!r} as given (breaks)")
        if found.shown:
            evidence.append(f"e.g. {found.shown}")
        if not accepted:
            evidence.insert(
                0, "kept" if glyph.suspect and best == glyph.given else "no clear reading"
            )
        return self._record(glyph, best if accepted else None, "; ".join(evidence))

    def _record(self, glyph: _Glyph, text: str | None, evidence: str) -> GlyphDecision:
        others = len(glyph.fonts) - 1
        font = glyph.font + (f" and {others} other subset(s) drawing it" if others > 0 else "")
        return GlyphDecision(font, glyph.cid, glyph.given, text, glyph.occurrences, evidence)


@dataclass
class _Evidence:
    """What a glyph's windows say about each reading."""

    votes: Counter[str] = field(default_factory=Counter)
    total: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Log probability over all windows."""
    outcome: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    shown: str = ""


def _word_at(text: str, at: int) -> str:
    """The Thai word of a repaired window at (about) a position: an example to show."""
    for run in _THAI_RUN.finditer(text):
        offset = run.start()
        for token in words(run.group(0)):
            if offset <= at < offset + len(token) or offset > at:
                return token
            offset += len(token)
    return ""


def _key(font: str, cid: int, given: str, shape: str | None, suspect: bool) -> tuple[str, int]:
    """Which glyph of the key a font's glyph is: its outline and code, for an unknown glyph
    whose outline is known (subsets of one font share it); else its font and code."""
    if shape and not suspect:
        return (f"\x00{shape}\x00{given}", 0)
    return (font, cid)


def _stream_runs(chars: Iterable[Char], texts: Iterable[str]) -> Iterator[str]:
    """Texts of glyphs drawn one after another on one line, in content-stream order; a space,
    a glyph drawn elsewhere (a jump back, down, or a gap of more than half an em) ends one."""
    run: list[str] = []
    last: Char | None = None
    for char, text in zip(chars, texts, strict=True):
        if not text:
            continue
        if text.isspace():
            if run:
                yield "".join(run)
            run, last = [], None
            continue
        if last is not None and char.get("upright", True) and last.get("upright", True):
            size = float(last.get("size") or 1.0)
            mid, last_mid = _mid(char), _mid(last)
            if (
                abs(mid - last_mid) > 0.7 * size
                or float(char["x0"]) < float(last["x0"]) - 0.6 * size
                or float(char["x0"]) > float(last["x1"]) + 0.5 * size
            ):
                yield "".join(run)
                run = []
        run.append(text)
        if last is None or not (is_mark_placeholder(text) or unicodedata.category(text[0]) == "Mn"):
            last = char
    if run:
        yield "".join(run)


def _mid(char: Char) -> float:
    return (float(char["top"]) + float(char["bottom"])) / 2

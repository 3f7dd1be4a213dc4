"""Text lines cut out of a page image, each with its Thai marks, for OCR one line at a time.

Tesseract's own line finder takes the row of upper marks (ั ี ่ ้ ์, stacked ี่) for a text
line of its own wherever a font leaves a gap between marks and letters (Garuda does, at
any size): it reads the marks as "ฆณ" or "บ บ สอู่" on a line above and the letters
without them ("ผลลพธ" for ผลลัพธ์). Seen on the sample scans, in cells and titles alike.
So the lines are found here and each is read with Tesseract's single-line mode:

1. The ink's connected components. A component is a *mark* when it sits just above or
   just below a taller component that it overlaps horizontally (a tone mark over its
   consonant, ุ under it, the tail of ญ); everything else is *body*.
2. Body components close on the same rows are one line segment (a horizontal closing
   of the body ink): a whole line of a table cell, or in the rest of the page a run of
   words up to a gap wider than a word space, so that the columns of a borderless
   table are not read as one line.
3. Each mark goes with the segment of the component it sits on; a mark with no letter
   near it, and a segment with nothing as tall as a letter, are specks and dropped; a
   component several letters tall (a signature, an emblem) is a picture and dropped.

A segment's image keeps only its own components' pixels (grey, as scanned), so a
neighbour's marks reaching into its box are not read as part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

_MARK_GAP = 0.6
"""Largest gap between a mark and the letter it sits on, in letter heights."""
_MARK_SIDE = 0.15
"""How far beside its letter a mark may sit (a tone mark on the ascender side of ป)."""
_LETTER = 0.5
"""A segment with no component at least this share of the letter height is no text."""
_SAME_LINE = 0.7
"""Letters of one line have their middles within this many letter heights (ป and ฎ reach
above and below the others, but their middles stay near)."""
_GRAPHIC = 3.0
"""A component this many letter heights tall is a picture (a signature over a name, the
Garuda emblem heading a memo), not text: a title is at most twice the body's size."""
_STACKED_ON = 0.6
"""A mark sits on a mark at least this share of its own height (a tone mark over ั)."""
_LETTER_OVER = 1.5
"""A component this many times as tall as a small one beside it is a letter to it."""
_SEGMENT_GAP = 1.5
"""Widest gap inside a segment outside table cells, in letter heights: wider than a Thai
word space (a third of an em, about 0.7 letter heights), narrower than the gutter between
two columns of a borderless table."""


@dataclass(frozen=True)
class TextLine:
    """One line segment in pixels of the page: its box (marks included), its letters'
    band (``core_top`` to the baseline ``core_bottom``), the width of its strokes, and the
    grey image of its own ink on white."""

    x0: int
    top: int
    x1: int
    bottom: int
    core_top: float
    core_bottom: float
    stroke: float
    image: Any  # uint8 array, bottom - top rows by x1 - x0 columns

    @property
    def weight(self) -> float:
        """Stroke width over letter height: higher in bold type of the same font."""
        return self.stroke / max(1.0, self.core_bottom - self.core_top)


def letter_height(heights: Any) -> float:
    """The height of a letter: the median height of the components as tall as letters are
    (at least 0.4 of the 90th percentile: a row of dotted leaders makes hundreds of dots, a
    signature a few tall strokes, a line of text mostly consonants and vowels of one height)."""
    tall = heights[heights >= 3]
    if not tall.size:
        return 0.0
    return float(np.median(tall[tall >= 0.4 * np.percentile(tall, 90)]))


def text_lines(
    grey: Any,
    ink: Any,
    *,
    whole_rows: bool,
    origin: tuple[int, int] = (0, 0),
    under: Any = None,
) -> list[TextLine]:
    """The line segments of a region: ``grey`` its pixels, ``ink`` its dark pixels (bool),
    ``origin`` where it sits on the page. ``whole_rows``: the region is one column (a
    table cell), so a line runs across it whatever the gaps between its words.

    ``under``: the region's underlines (grey, white elsewhere; ``image.underlines``),
    erased from ``grey`` and ``ink``, where the lines are found without them (an
    underline joins the letters touching it into one component, and its tone marks find
    no letter under them). Each line's image gets back the underline just under its
    letters, with the marks below that were drawn into it (``_with_underline``)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    x, y, w, h = (stats[:, i].astype(np.int64) for i in range(4))
    ref = letter_height(h[1:])
    if ref <= 0:
        return []
    graphic = h > _GRAPHIC * ref
    graphic[0] = False
    if graphic.any():  # a signature, an emblem, a logo: no text, and it would join lines
        labels = np.where(graphic[labels], 0, labels)
    base = _bases(labels, x, y, w, h, ref)
    body = np.zeros(count, bool)
    body[1:] = (base[1:] == 0) & ~graphic[1:]
    body_ink = body[labels]
    if whole_rows:
        rows = body_ink.any(axis=1)
        segments = np.zeros(labels.shape, np.int32)
        segment_of_row = np.cumsum(np.diff(np.concatenate(([0], rows.astype(np.int8)))) == 1)
        segments[body_ink] = np.broadcast_to(segment_of_row[:, None], labels.shape)[body_ink]
    else:
        gap = max(3, int(_SEGMENT_GAP * ref))
        closed = cv2.dilate(
            body_ink.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1))
        )
        _, segments = cv2.connectedComponents(closed, connectivity=4)
        segments = np.where(body_ink, segments, 0)
    segment = np.zeros(count, np.int64)
    for label in np.flatnonzero(body):
        ys, xs = y[label], x[label]
        patch = segments[ys : ys + h[label], xs : xs + w[label]]
        patch = patch[labels[ys : ys + h[label], xs : xs + w[label]] == label]
        segment[label] = int(patch[0]) if patch.size else 0
    segment = _split_stacked(segment, body, y, h, ref)
    for label in np.flatnonzero(base):
        segment[label] = segment[base[label]]
    out = []
    for number in np.unique(segment[1:]):
        if number == 0:
            continue
        members = np.flatnonzero(segment == number)
        members = members[members > 0]
        letters = members[body[members]]
        if not letters.size or h[letters].max() < _LETTER * ref:
            continue
        line = _line(grey, labels, members, letters, (x, y, w, h), origin)
        out.append(_with_underline(line, under, origin, ref) if under is not None else line)
    return sorted(out, key=lambda line: (line.core_top, line.x0))


def _split_stacked(segment: Any, body: Any, y: Any, h: Any, ref: float) -> Any:
    """Segments split where they hold two lines one above the other (two blocks of text
    side by side in one cell, a line down from its neighbour): letters whose middles are
    more than ``_SAME_LINE`` letter heights apart vertically are on different lines."""
    out = segment.copy()
    fresh = int(segment.max()) + 1
    middle = y + h / 2
    for number in np.unique(segment[body]):
        if number == 0:
            continue
        members = np.flatnonzero(body & (segment == number))
        letters = members[h[members] >= _LETTER * ref]
        if letters.size < 2 or np.ptp(middle[letters]) <= _SAME_LINE * ref:
            continue
        order = letters[np.argsort(middle[letters])]
        breaks = np.flatnonzero(np.diff(middle[order]) > _SAME_LINE * ref)
        if not breaks.size:
            continue
        centres = [float(np.median(middle[part])) for part in np.split(order, breaks + 1)]
        numbers = [int(number), *range(fresh, fresh + len(centres) - 1)]
        fresh += len(centres) - 1
        for label in members:
            nearest = int(np.argmin([abs(middle[label] - c) for c in centres]))
            out[label] = numbers[nearest]
    return out


def _bases(labels: Any, x: Any, y: Any, w: Any, h: Any, ref: float) -> Any:
    """For each component, the component it sits on as a mark (0: none): one that it
    overlaps horizontally, just above or below it, barely overlapping it vertically.

    First the nearest taller component: one it sits over, or a letter it hangs under (ุ, ู;
    a mark is never under a mark); at equal gaps a letter. Then, for a mark that found
    none, a mark it is stacked on (over it only: a tone mark over ั, ิ, ี, ื, which can be
    as tall as the tone mark itself). Only taller components, over or under, were bases
    once: a tone mark stacked on a mark as tall as itself ("ขั้น", "นั้น", "ซื้อ" in TH
    Sarabun) found no base, and the ั under it took the tone mark for its base (just
    under it, and a pixel shorter), so both went to a line of marks of their own and were
    dropped ("ขนตอน"). Both a stacked mark and its base are smaller than a letter of the
    page, and the base is itself a mark (a poster's small print, letters a line apart
    within a mark's reach, stays letters), and a component with a letter beside it is no
    stacked mark (the loop of ะ just over a tone mark of the next line stays in its own)."""
    rows, cols = labels.shape
    reach = max(2, int(_MARK_GAP * ref))
    side = int(_MARK_SIDE * ref)

    def nearest(label: int, eligible: Any, stacked: bool) -> int:
        top, bottom = int(y[label]), int(y[label] + h[label])
        overlap = int(h[label]) // 4
        window = labels[
            max(0, top - reach) : min(rows, bottom + reach),
            max(0, x[label] - side) : min(cols, x[label] + w[label] + side),
        ]
        best, best_rank = 0, (reach + 1, True)
        for other in np.unique(window):
            if other in (0, label) or not eligible(other):
                continue
            letter = not stacked and (
                h[other] >= _LETTER * ref or h[other] >= _LETTER_OVER * h[label]
            )
            above = int(y[other]) - bottom  # the mark over its letter, or over a mark
            below = top - int(y[other] + h[other])  # the mark under its letter
            for gap in (above, below) if letter else (above,):
                rank = (gap, not letter)
                if -overlap <= gap <= reach and rank < best_rank:
                    best, best_rank = int(other), rank
        return best

    base = np.zeros(len(x), np.int64)
    candidates = [
        label
        for label in map(int, np.flatnonzero(h < 1.2 * ref))
        if label and not (h[label] >= _LETTER * ref and _in_a_row(labels, x, y, w, h, label))
    ]
    for label in candidates:
        base[label] = nearest(label, lambda other, label=label: h[other] > h[label], False)
    marks = (base > 0) & (h < _LETTER * ref)
    for label in candidates:
        if base[label] or h[label] >= _LETTER * ref:
            continue
        if not _beside_a_letter(labels, x, y, w, h, label, ref):
            base[label] = nearest(
                label,
                lambda other, label=label: (
                    marks[other] and base[other] != label and h[other] >= _STACKED_ON * h[label]
                ),
                True,
            )
    # a mark on a mark (่ over ี) goes with the letter under both
    for label in map(int, np.flatnonzero(base)):
        seen = 0
        while base[base[label]] and seen < 4:
            base[label] = base[base[label]]
            seen += 1
    return base


_ROW_REACH = 2.0
"""How far beside a component (in its own heights) ``_in_a_row`` looks for its row."""
_ROW_MATES = 2
"""Components of its size level with it that make a component one of a row of letters."""


def _in_a_row(labels: Any, x: Any, y: Any, w: Any, h: Any, label: int) -> bool:
    """Whether the component stands in a row of letters of its own size: at least
    ``_ROW_MATES`` others as tall (within a factor 1.7) with their middles level with its
    own, within two of its heights beside it. Such a component is a letter of its line,
    never a mark: in a poster's tightly set headers (realdocs EB2_2.6 p8) a letter sat
    within a mark's reach over the ascender of ป or ฟ on the line under it, went to that
    line as its mark, and the lines came apart ("ารจัดระบบบริ"). A tone mark of a title
    has no such row: the marks of a line stand apart, at several levels."""
    cols = labels.shape[1]
    height = int(h[label])
    middle = int(y[label]) + height // 2
    reach = int(_ROW_REACH * height)
    row = labels[
        middle, max(0, int(x[label]) - reach) : min(cols, int(x[label] + w[label]) + reach)
    ]
    mates = 0
    for other in np.unique(row):
        if other in (0, label) or not 0.6 * height <= h[other] <= 1.7 * height:
            continue
        if abs(int(y[other]) + int(h[other]) // 2 - middle) <= 0.25 * height:
            mates += 1
    return mates >= _ROW_MATES


def _beside_a_letter(labels: Any, x: Any, y: Any, w: Any, h: Any, label: int, ref: float) -> bool:
    """Whether a letter (at least ``_LETTER_OVER`` times as tall) stands just beside the
    component, level with its middle: then it is in a line's body (a loop of ะ, a stop),
    not a tone mark over the marks of its line, which has no letter at its height."""
    cols = labels.shape[1]
    middle = int(y[label] + h[label] // 2)
    side = int(_MARK_SIDE * ref) + int(h[label])
    row = labels[middle, max(0, x[label] - side) : min(cols, x[label] + w[label] + side)]
    return any(h[other] >= _LETTER_OVER * h[label] for other in np.unique(row) if other)


def _line(
    grey: Any, labels: Any, members: Any, letters: Any, stats: tuple[Any, ...], origin: Any
) -> TextLine:
    x, y, w, h = stats
    x0, x1 = int(x[members].min()), int((x[members] + w[members]).max())
    top, bottom = int(y[members].min()), int((y[members] + h[members]).max())
    window = labels[top:bottom, x0:x1]
    mine = np.isin(window, members)
    own = cv2.dilate(mine.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    image = np.where(own, grey[top:bottom, x0:x1], 255).astype(np.uint8)
    tall = letters[h[letters] >= _LETTER * h[letters].max()]
    core_bottom = float(np.median(y[tall] + h[tall]))
    core_top = core_bottom - float(np.median(h[tall]))
    # a stroke of width s has distances to the background of 0..s/2 across it: mean s/4
    # (a white border: ink filling its whole box has no background to measure from)
    distance = cv2.distanceTransform(np.pad(mine, 1).astype(np.uint8), cv2.DIST_L2, 5)
    stroke = 4 * float(distance[1:-1, 1:-1][mine].mean())
    dx, dy = origin
    return TextLine(
        x0 + dx, top + dy, x1 + dx, bottom + dy, core_top + dy, core_bottom + dy, stroke, image
    )


def _with_underline(line: TextLine, under: Any, origin: tuple[int, int], ref: float) -> TextLine:
    """The line with the underline pixels under its letters put back in its image (and its
    box grown down to them): those between its baseline and a mark's reach below it, in
    its own columns. The line above an underline's next line does not take it: that
    line's baseline is under it."""
    dx, dy = origin
    x0, x1 = line.x0 - dx, line.x1 - dx
    start = max(0, int(line.core_bottom) - dy)
    stop = min(under.shape[0], int(line.core_bottom + _MARK_GAP * ref) - dy + 1)
    rows = np.flatnonzero((under[start:stop, x0:x1] < 255).any(axis=1))
    if not rows.size:
        return line
    top = line.top - dy
    bottom = max(line.bottom - dy, start + int(rows[-1]) + 1)
    image = np.full((bottom - top, x1 - x0), 255, np.uint8)
    image[: line.image.shape[0]] = line.image
    band = slice(start - top, start - top + int(rows[-1]) + 1)
    image[band] = np.minimum(image[band], under[start : start + int(rows[-1]) + 1, x0:x1])
    return replace(line, bottom=bottom + dy, image=image)


_INK_LEVEL = 160
"""Grey level under which a pixel of a line image is ink (a line image keeps only its own
components' pixels, on white)."""
_BOUNDARY_REACH = 1.0
"""How far (in letter heights) the engine's guess of where a phrase ends may be from the
gap where it does: Tesseract's Thai word boxes run up to a letter past their ink."""


def phrase_spans(line: TextLine, guesses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where each phrase the engine read on ``line`` is (x0, x1 in the line's pixels),
    from the engine's guesses (its word boxes, which run into the next space and can be
    a letter off): each boundary between two phrases is put in the widest gap of the
    line's ink near the guessed one. Where no gap is near, the guess stands."""
    columns = np.flatnonzero((line.image < _INK_LEVEL).any(axis=0))
    if not guesses or not columns.size:
        return guesses
    breaks = np.flatnonzero(np.diff(columns) > 1)
    gaps = [(int(columns[i]) + 1, int(columns[i + 1])) for i in breaks]  # [start, end)
    reach = _BOUNDARY_REACH * (line.core_bottom - line.core_top)
    starts = [int(columns[0])] + [g[0] for g in guesses[1:]]
    ends = [g[1] for g in guesses[:-1]] + [int(columns[-1]) + 1]
    floor = int(columns[0])
    for k in range(len(guesses) - 1):
        lo, hi = sorted((guesses[k][1], guesses[k + 1][0]))
        near = [g for g in gaps if g[0] >= floor and g[1] >= lo - reach and g[0] <= hi + reach]
        if near:
            gap = max(near, key=lambda g: g[1] - g[0])
            ends[k], starts[k + 1] = gap[0], gap[1]
            floor = gap[1]
    return [(s, max(s + 1, e)) for s, e in zip(starts, ends, strict=True)]

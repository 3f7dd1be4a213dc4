"""Digits read again by their shape, where Tesseract's Thai model reads them wrong.

Debian's Thai model (the small "fast" one) reads the Thai digits of real memos badly: ๘ as
๕, ๖ as ๒, ๗ as ๓, ๙ as ๕ ("โทร.๐๓๘-๒๑๙๒๓๒" → "๐๓๕-๒๑๕๒๓๒"), cut tight or scaled, digits
only or not; and Arabic digits as Thai ones ("พ.ศ.2540" → "พ.ศ.๒๕๔๐"). Each glyph of a
digit is one connected component, so a run of digits is read again here, glyph by glyph:
the component's shape (its ink, squared up and blurred, 16 × 16) against templates of the
Thai digits, Arabic digits, Thai letters and brackets drawn in the Thai fonts of fonts-thai-tlwg
(Laksaman is TH Sarabun's design, the font of most government documents; Garuda, Loma,
Norasi, Kinnari, Sawasdee, Umpush, Waree, regular and bold), with the aspect ratio. The
templates are made by ``python -m extractors.ocr.glyphs`` and kept in ``thai_glyphs.npz``,
so no font is needed at run time.

A digit is changed only when the shapes say so clearly: as many runs of digit glyphs as the
engine read runs of digits, and a glyph's digit matching better than the engine's by a
margin; else the engine's reading stands.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

SIZE = 16
_DATA = Path(__file__).with_name("thai_glyphs.npz")
FONTS = (
    "Laksaman",
    "Garuda",
    "Loma",
    "Norasi",
    "Kinnari",
    "Sawasdee",
    "Umpush",
    "Waree",
)
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
DIGITS = THAI_DIGITS + "0123456789"
CHARACTERS = DIGITS + "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะาเแโใไๆฯ()[]/|%"
"""Digits, and what a digit must not be taken for: Thai letters, and the brackets and
strokes that stand beside numbers ("๑)" read "๑1)" without them)."""
MIN_SCORE = 0.75
"""A glyph whose best match scores less is no clear digit."""
MIN_MARGIN = 0.1
"""How much better than any other character a digit must match."""
_ASPECT_WEIGHT = 0.3
_INK_LEVEL = 160
_SEPARATOR = 0.5
"""A component lower than this share of the digits' height is punctuation (. , - :), which
ends a run of digits."""
STAND_INS = "«"
"""What the Thai model writes for a Thai digit it does not know: ๙ in TH Sarabun read
"«" ("วันที่ « ธันวาคม"). Read again by shape as digits are; a real « is two chevrons,
neither like a digit, so it is left alone."""
_RUN = re.compile(f"[{DIGITS}{STAND_INS}]+")


def shape(mask: Any) -> tuple[Any, float]:
    """A glyph's ink squared up (centred in a square of its longer side), shrunk to
    ``SIZE`` × ``SIZE`` and blurred, as floats 0–1, and its width over its height."""
    ys, xs = np.nonzero(mask)
    crop = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side, side), np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = crop
    small = cv2.resize(square, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (3, 3), 0.8), w / h


def _unit(vectors: Any) -> Any:
    centred = vectors - vectors.mean(axis=-1, keepdims=True)
    return centred / (np.linalg.norm(centred, axis=-1, keepdims=True) + 1e-6)


@cache
def _templates() -> tuple[Any, Any, tuple[str, ...]]:
    data = np.load(_DATA)
    vectors = data["shapes"].astype(np.float32).reshape(len(data["labels"]), -1) / 255
    return _unit(vectors), data["aspects"], tuple(str(c) for c in data["labels"])


def classify(mask: Any) -> dict[str, float]:
    """How much a glyph's shape is like each character: correlation with its best
    template less a penalty for a different aspect ratio (at most 1)."""
    vectors, aspects, labels = _templates()
    picture, aspect = shape(mask)
    scores = vectors @ _unit(picture.reshape(-1)) - _ASPECT_WEIGHT * np.abs(
        np.log(aspect / aspects)
    )
    best: dict[str, float] = {}
    for label, score in zip(labels, scores.tolist(), strict=True):
        if score > best.get(label, -9.0):
            best[label] = score
    return best


Glyph = dict[str, float]


def digit_runs(image: Any, x0: int, x1: int) -> list[list[Glyph]] | None:
    """The runs of glyphs that look like digits (Thai or Arabic) between ``x0`` and ``x1``
    of a line image, left to right; punctuation (. , - :), a letter or a space ends a run.
    None where a glyph next to digits is like nothing clearly (one broken in two): the runs
    cannot be told. The phrase is widened to whole glyphs and to the glyphs closer to it
    than a space: the phrase's place on the line can be a glyph off ("๑๕๐/๒๕๖๓" placed
    from its ๕), and a run that lost its first digit would be read one digit short."""
    x0, x1 = _whole_word(image < _INK_LEVEL, max(0, x0), x1)
    window = image[:, x0:x1] < _INK_LEVEL
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        window.astype(np.uint8), connectivity=8
    )
    if count <= 1:
        return []
    tall = float(np.percentile(stats[1:, cv2.CC_STAT_HEIGHT], 75))
    runs: list[list[Glyph]] = [[]]
    reach, previous = 0, ""  # what the glyph before was, since the last space or stop
    for label in sorted(range(1, count), key=lambda i: stats[i, cv2.CC_STAT_LEFT]):
        left, width = stats[label, cv2.CC_STAT_LEFT], stats[label, cv2.CC_STAT_WIDTH]
        stop = stats[label, cv2.CC_STAT_HEIGHT] < _SEPARATOR * tall
        if left - reach > _SEPARATOR * tall or stop:  # a space, or punctuation
            runs.append([])
            previous = ""
        reach = max(reach, left + width)
        if stop:
            continue
        mask = labels == label
        for scores in _touching_digits(mask, tall) or [classify(mask)]:
            char, score = _best(scores)
            if score < MIN_SCORE:
                if previous == "digit":
                    return None
                previous = "doubtful"
            elif char in DIGITS:
                if previous == "doubtful":
                    return None
                runs[-1].append(scores)
                previous = "digit"
            else:
                runs.append([])
                previous = "other"
    return [run for run in runs if run]


_PAIR_WIDTH = 1.6
"""A glyph this many times as wide as the digits are tall may be two digits touching."""


def _touching_digits(mask: Any, tall: float) -> list[Glyph] | None:
    """Two digits that touch (TH SarabunIT๙ sets ๕ so that its tail meets the next digit:
    "๒๕๖๓" is ๒, ๕๖ in one piece, ๓), cut at the column with the least ink in the middle
    of the piece; the two halves as glyphs, or None unless both are clearly digits (a
    wide letter, ฒ or ฌ, is left whole)."""
    xs = np.flatnonzero(mask.any(axis=0))
    left, right = int(xs[0]), int(xs[-1]) + 1
    if right - left < _PAIR_WIDTH * tall:
        return None
    ink = mask[:, left:right].sum(axis=0)
    lo, hi = int(0.35 * len(ink)), int(0.65 * len(ink))
    cut = left + lo + int(np.argmin(ink[lo:hi]))
    halves = []
    for part in (slice(left, cut), slice(cut, right)):
        piece = np.zeros_like(mask)
        piece[:, part] = mask[:, part]
        if not piece.any():
            return None
        scores = classify(piece)
        char, score = _best(scores)
        second = max(v for k, v in scores.items() if k != char)
        if char not in DIGITS or score < MIN_SCORE or score - second < MIN_MARGIN / 2:
            return None
        halves.append(scores)
    return halves


def _whole_word(ink: Any, x0: int, x1: int) -> tuple[int, int]:
    """``x0``–``x1`` widened to the whole components it touches, then to those less than
    a space (``_SEPARATOR`` of the glyphs' height) beyond either end, until a space."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    left = stats[1:, cv2.CC_STAT_LEFT]
    right = left + stats[1:, cv2.CC_STAT_WIDTH]
    touching = (left < x1) & (right > x0)
    if count <= 1 or not touching.any():
        return x0, x1
    gap = _SEPARATOR * float(np.percentile(stats[1:, cv2.CC_STAT_HEIGHT][touching], 75))
    while True:
        near = (left < x1 + gap) & (right > x0 - gap)
        wider = min(x0, int(left[near].min())), max(x1, int(right[near].max()))
        if wider == (x0, x1):
            return x0, x1
        x0, x1 = wider


def _best(scores: Glyph) -> tuple[str, float]:
    char = max(scores, key=scores.__getitem__)
    return char, scores[char]


def _reread(read: str, run: list[Glyph]) -> str | None:
    """A run of digits as the shapes read it, or None where they are not clear: glyph by
    glyph, a digit other than the engine's must match better than the engine's by
    ``MIN_MARGIN``; where the engine read more or fewer digits than there are glyphs,
    each glyph must beat every other character by ``MIN_MARGIN / 2``."""
    if len(read) == len(run):
        out = []
        for engine, scores in zip(read, run, strict=True):
            char, score = _best(scores)
            better = score - scores.get(engine, -9.0) >= MIN_MARGIN
            out.append(char if char == engine or better else engine)
        return "".join(out)
    chars = []
    for scores in run:
        char, score = _best(scores)
        second = max(v for k, v in scores.items() if k != char)
        if score - second < MIN_MARGIN / 2:
            return None
        chars.append(char)
    return "".join(chars)


def read_digits(text: str, image: Any, x0: int, x1: int) -> str | None:
    """``text`` (the engine's reading of the phrase at ``x0``–``x1`` of a line image) with
    its runs of digits (and ``STAND_INS``) read again by shape, where the shapes say so
    clearly: as many runs of digit glyphs as the engine read runs of digits. Only a phrase
    with Thai digits (or a stand-in) is looked at: the Thai model reads Arabic digits well,
    but often as Thai ones ("2540" as "๒๕๔๐", "1.1" as "๑.๑"), and Thai digits badly."""
    wanted = list(_RUN.finditer(text))
    if not any(d in THAI_DIGITS + STAND_INS for d in text):
        return None
    found = digit_runs(image, x0, x1)
    if found is None or len(found) != len(wanted):
        return None
    out, end = [], 0
    for match, run in zip(wanted, found, strict=True):
        digits = _reread(match.group(0), run)
        out += [text[end : match.start()], digits if digits is not None else match.group(0)]
        end = match.end()
    fixed = "".join(out) + text[end:]
    return fixed if fixed != text else None


def main() -> None:
    """Draw the templates with fonts-thai-tlwg and write ``thai_glyphs.npz``."""
    from PIL import Image, ImageDraw, ImageFont

    folder = Path("/usr/share/fonts/truetype/tlwg")
    shapes, aspects, labels = [], [], []
    for name in FONTS:
        for weight in ("", "-Bold"):
            font = ImageFont.truetype(str(folder / f"{name}{weight}.ttf"), 64)
            for char in CHARACTERS:
                canvas = Image.new("L", (160, 160), 0)
                ImageDraw.Draw(canvas).text((40, 20), char, fill=255, font=font)
                ink = np.asarray(canvas) > 128
                count, parts, stats, _ = cv2.connectedComponentsWithStats(
                    ink.astype(np.uint8), connectivity=8
                )
                if count < 2:
                    continue
                areas = stats[1:, cv2.CC_STAT_AREA]
                biggest = 1 + int(np.argmax(areas))
                if count > 2 and sorted(areas)[-2] > 0.15 * areas.max():
                    continue  # a glyph of two pieces is never read as one component
                picture, aspect = shape(parts == biggest)
                shapes.append(np.round(picture * 255).astype(np.uint8))
                aspects.append(aspect)
                labels.append(char)
    np.savez_compressed(
        _DATA, shapes=np.array(shapes), aspects=np.array(aspects), labels=np.array(labels)
    )
    print(f"{_DATA}: {len(labels)} templates")


if __name__ == "__main__":
    main()

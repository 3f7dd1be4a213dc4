"""Image work on a page before OCR, with OpenCV (opencv-python-headless): deskew, the rules
of ruled tables, and whether a region has any ink.

OpenCV was chosen over scikit-image (docs/ocr.md): its morphology and affine warps run in C
on the whole 300-dpi page in milliseconds, it needs nothing but numpy, and its headless
wheel brings no GUI libraries; scikit-image pulls in SciPy and is several times slower on
the same opening and rotation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

MAX_SKEW_DEGREES = 3.0
"""Largest rotation searched for (a scan fed crooked, not a page turned sideways)."""
_STEP_DEGREES = 0.1
_FINE_STEP_DEGREES = 0.02
_RULE_MIN_PT = 20.0
"""Shortest stroke taken for a table rule (no Thai letter has a straight stroke this long
at body sizes)."""


@dataclass(frozen=True)
class Rule:
    """A table rule found in the image, in pixels: a horizontal or vertical segment."""

    orientation: str  # "h" or "v"
    x0: float
    top: float
    x1: float
    bottom: float


def _ink(image: Image.Image) -> Any:
    """Dark pixels as 255 on 0 (Otsu's threshold: scans differ in paper and toner)."""
    grey = np.asarray(image, dtype=np.uint8)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def ink_mask(grey: Any) -> Any:
    """Dark pixels (bool) of a grey page array, by Otsu's threshold over the whole page."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink > 0


def skew_angle(image: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise positive) that makes text lines and rules
    horizontal: the angle whose row profile of ink is sharpest (projection profile)."""
    ink = _ink(image)
    scale = 1000 / max(ink.shape)
    small = cv2.resize(ink, None, fx=scale * 2, fy=scale * 2, interpolation=cv2.INTER_AREA)

    def sharpness(angle: float) -> float:
        h, w = small.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = cv2.warpAffine(small, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, _STEP_DEGREES)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - _STEP_DEGREES, best + _STEP_DEGREES + 1e-9, _FINE_STEP_DEGREES)
    return round(float(max(fine, key=sharpness)), 2)


def rotate(image: Image.Image, angle: float) -> Image.Image:
    """The image turned by ``angle`` degrees about its centre, new corners white."""
    if abs(angle) < _FINE_STEP_DEGREES:
        return image
    grey = np.asarray(image, dtype=np.uint8)
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(
        grey,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return Image.fromarray(turned)


def find_rules(image: Image.Image, dpi: float) -> list[Rule]:
    """Straight horizontal and vertical strokes long enough to be table rules: an opening
    with a long thin kernel keeps them and removes letters. A rule broken by a dropout
    comes out in pieces, which the table finder joins (pdfplumber's join tolerance)."""
    ink = _ink(image)
    length = max(15, int(_RULE_MIN_PT * dpi / 72))
    rules: list[Rule] = []
    for orientation in ("h", "v"):
        shape = (length, 1) if orientation == "h" else (1, length)
        opened = cv2.morphologyEx(
            ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape)
        )
        count, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if orientation == "h" and w >= length and h <= length / 3:
                middle = y + h / 2
                rules.append(Rule("h", float(x), middle, float(x + w), middle))
            elif orientation == "v" and h >= length and w <= length / 3:
                middle = x + w / 2
                rules.append(Rule("v", middle, float(y), middle, float(y + h)))
    return rules


def erase_rules(image: Image.Image, rules: list[Rule], width: int) -> Image.Image:
    """The image with its table rules painted white (so a rule is not read as ``|`` or
    ``l`` at the edge of a cell)."""
    grey = np.array(image, dtype=np.uint8)
    for _, rows, columns in _bands(grey.shape, rules, width):
        grey[rows, columns] = 255
    return Image.fromarray(grey)


def underlines(image: Image.Image, rules: list[Rule], width: int) -> Any:
    """The pixels of the underlines among ``rules`` (``_underline``) as they are in the
    image, white elsewhere: what ``erase_rules`` erased of them, to be given back to the
    lines of text they underline (``lines.text_lines``)."""
    grey = np.array(image, dtype=np.uint8)
    ink = _ink(image) > 0
    bands = _bands(grey.shape, rules, width)
    vertical = np.zeros(ink.shape, bool)
    for orientation, rows, columns in bands:
        if orientation == "v":
            vertical[rows, columns] = True
    out = np.full(grey.shape, 255, np.uint8)
    for orientation, rows, columns in bands:
        if orientation == "h" and _underline(ink, vertical, rows, columns):
            out[rows, columns] = np.where(ink[rows, columns], grey[rows, columns], 255)
    return out


def _bands(shape: tuple[int, ...], rules: list[Rule], width: int) -> list[tuple[str, slice, slice]]:
    """Each rule's pixels: its orientation, rows and columns, ``width`` pixels around it."""
    out = []
    for rule in rules:
        x0, x1 = max(0, int(rule.x0) - width), min(shape[1], int(rule.x1) + width + 1)
        y0, y1 = max(0, int(rule.top) - width), min(shape[0], int(rule.bottom) + width + 1)
        out.append((rule.orientation, slice(y0, y1), slice(x0, x1)))
    return out


_UNDERLINE_TOUCHED = 0.1
"""Largest share of an underline's length that glyphs touch from above for it to be given
back to its line: a few marks below (under 8 % on the posters) go into it; where the
letters themselves sit on it (a memo's heading in TH Sarabun, 19 %–70 %), the line
reads better without it ("ข/ ท็ ริง" for ข้อเท็จจริง, realdocs EB1_1.3)."""


def _underline(ink: Any, vertical: Any, rows: slice, columns: slice) -> bool:
    """Whether a horizontal rule is an underline: a glyph stands on it, its ink touching
    the rule's top from above (a vertical rule meeting it is no glyph). Thai letters sit
    on an underline by their marks below (ุ, ู, the tails of ญ and ฐ), drawn into it:
    erasing the rule erased them too ("กลยทธ์" for กลยุทธ์, "สาธารณสข" for สาธารณสุข,
    on the posters of realdocs EB2_2.6 and EB2_2.7), while Tesseract reads underlined
    text as it is."""
    band = ink[rows, columns]
    solid = np.flatnonzero(band.mean(axis=1) > 0.5)
    top = rows.start + int(solid[0]) if solid.size else 0
    if top < 1:
        return False
    touched = ink[top - 1, columns] & ~vertical[top - 1, columns]
    return bool(touched.any()) and float(touched.mean()) <= _UNDERLINE_TOUCHED


def cleaned(image: Image.Image) -> Image.Image:
    """Speckle removed (a 3×3 median) before recognition: isolated dots of a scan read as
    Thai marks otherwise."""
    grey = np.asarray(image, dtype=np.uint8)
    return Image.fromarray(cv2.medianBlur(grey, 3))


_FILL_STROKE_PT = 5.0
"""An opening this wide (points) removes every text stroke (bold headings included) and
keeps solid fills: banners, shaded header bands, coloured boxes."""
_FILL_MIN_PT = 20.0
"""A fill narrower or lower than this (points) is no banner (a thick rule, a bullet)."""
_FILL_FLAT = 40.0
"""Largest spread of a fill's grey levels (10th to 90th percentile): a banner is one
colour; a photograph or a shaded picture is not, and is left as it is."""
_FILL_REACH_PT = 30.0
"""How far (points) from a fill's solid part its text may be: the gaps that the opening
makes between its lines of text are closed over this distance."""
_FILL_TEXT_PERCENTILE = 99.0
"""The text's distance from the fill's grey, taken as full ink: a pixel this far from the
fill, or farther, is black (yellow text on green is as black as white text on blue)."""
_FILL_MIN_CONTRAST = 40.0
"""Least grey difference taken as full ink (a fill with nothing on it stays white)."""
_FILL_EDGE_PT = 1.5
"""The rim of a fill (its outline, and the anti-aliased pixels where it meets the page)
whitened: otherwise it is a frame of ink around the reversed text."""


def _odd(points: float, dpi: float) -> int:
    return max(3, int(points * dpi / 72)) | 1


def reverse_dark_fills(image: Image.Image, dpi: float) -> Image.Image:
    """The image with each dark solid fill (a banner of white or coloured text on blue, a
    black header band) turned into dark text on white, as the rest of the page is.

    Otsu's threshold takes a fill darker than the page's own threshold for ink: its text
    is holes in one component as large as the banner, which the line finder drops as a
    picture. A fill is what an opening wider than any stroke keeps of the ink, if it is
    large and of one grey. Its area is the fill closed over the gaps between its lines of
    text, within the outline of the ink it belongs to (not the page beside it, nor a table
    whose frame touches it); there a pixel is as dark as it differs from the grey of the
    fill nearest to it, lighter or darker, so light
    text and dark text on it both come out as ink on white, and the fill itself as white."""
    grey = np.array(image, dtype=np.uint8)
    ink = _ink(image)
    stroke = _odd(_FILL_STROKE_PT, dpi)
    solid = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, stroke))
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    least = _FILL_MIN_PT * dpi / 72
    fills = np.zeros(count, bool)
    noise = 0.0
    for label in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[label])
        if w < least or h < least:
            continue
        own = labels[y : y + h, x : x + w] == label
        low, high = np.percentile(grey[y : y + h, x : x + w][own], (10, 90))
        if high - low <= _FILL_FLAT:
            fills[label] = True
            noise = max(noise, float(high - low) / 2)
    if not fills.any():
        return image
    fill = fills[labels].astype(np.uint8)
    reach = _odd(_FILL_REACH_PT, dpi)
    closed = cv2.morphologyEx(
        fill, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))
    )
    _, parts = cv2.connectedComponents(ink, connectivity=8)
    owners = np.unique(parts[fill > 0])
    outline = np.isin(parts, owners[owners > 0]).astype(np.uint8)
    contours, _ = cv2.findContours(outline, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    within = np.zeros_like(outline)
    cv2.drawContours(within, contours, -1, 1, cv2.FILLED)
    area = np.logical_and(closed, within).astype(np.uint8)
    rim = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(2 * _FILL_EDGE_PT, dpi),) * 2)
    inner = cv2.erode(area, rim)
    values = grey.astype(np.float32)
    # the fill's grey at each pixel: that of the nearest pixel of the fill whose whole
    # neighbourhood is of one grey (no stroke's edge near it: light text darker than the
    # page's threshold for ink is in the fill's component, but never in such a
    # neighbourhood), as a title banner and the vision triangle touching it are two greys
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, stroke))
    spread = cv2.dilate(grey, square).astype(np.int16) - cv2.erode(grey, square)
    sample = (fill > 0) & (spread <= _FILL_FLAT / 2)
    if not sample.any():
        return image
    _, nearest = cv2.distanceTransformWithLabels(
        (sample == 0).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
    )
    lut = np.zeros(int(nearest.max()) + 1, np.float32)
    lut[nearest[sample > 0]] = values[sample > 0]
    away = np.clip(np.abs(values - lut[nearest]) - noise, 0, None)
    regions, region_of = cv2.connectedComponents(inner, connectivity=8)
    out = grey.copy()
    out[(area > 0) & (inner == 0)] = 255
    for region in range(1, regions):
        mine = region_of == region
        contrast = max(float(np.percentile(away[mine], _FILL_TEXT_PERCENTILE)), _FILL_MIN_CONTRAST)
        out[mine] = (255 * (1 - np.clip(away[mine] / contrast, 0, 1))).astype(np.uint8)
    return Image.fromarray(out)

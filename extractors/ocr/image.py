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
    for rule in rules:
        x0, x1 = int(rule.x0) - width, int(rule.x1) + width
        y0, y1 = int(rule.top) - width, int(rule.bottom) + width
        grey[max(0, y0) : max(0, y1) + 1, max(0, x0) : max(0, x1) + 1] = 255
    return Image.fromarray(grey)


def cleaned(image: Image.Image) -> Image.Image:
    """Speckle removed (a 3×3 median) before recognition: isolated dots of a scan read as
    Thai marks otherwise."""
    grey = np.asarray(image, dtype=np.uint8)
    return Image.fromarray(cv2.medianBlur(grey, 3))

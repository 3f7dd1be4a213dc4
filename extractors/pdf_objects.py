"""pdfplumber's page objects (``page.chars``, ``page.rects``, ...) built without its generic
per-attribute resolution.

pdfplumber turns every layout object into a dict by walking the object's ``__dict__`` and
resolving each value recursively (``Page.process_object``); on a page of text that costs more
than interpreting the page (a third of ``extract``'s time on samples/pdf and
../shared/realdocs, docs/scaling.md). A char's attributes are numbers, strings and a tuple of
numbers, so this builds the same dict from them directly, and leaves every other kind of
object (rules, curves, images: a few per page) to pdfplumber. The result is the dict
pdfplumber would give, key for key (tests/test_pdf_objects.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pdfminer.layout import LTAnno, LTChar, LTContainer, LTItem
from pdfplumber.page import Page, fix_fontname_bytes
from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

_PLAIN = (float, int, str, bool, type(None))


def page_objects(page: Page, objs: Sequence[LTItem]) -> dict[str, list[dict[str, Any]]]:
    """What ``page.parse_objects()`` returns for a page whose layout holds ``objs`` (a page
    interpreted without layout analysis, as ``extractors.pdf_glyphs`` does)."""
    if page.pdf.laparams is not None:
        return page.parse_objects()  # containers are objects too: pdfplumber's own walk
    objects: dict[str, list[dict[str, Any]]] = {}
    chars: list[dict[str, Any]] = []
    number = page.page_number
    height = page.height
    mb_x0, mb_top = page.mediabox[:2]
    doctop = page.initial_doctop
    fast = page.pdf.unicode_norm is None
    for obj in _leaves(objs):
        if fast and type(obj) is LTChar:
            chars.append(_char(obj, number, height, mb_x0, mb_top, doctop))
        elif not isinstance(obj, LTAnno):
            found = page.process_object(obj)
            kind = found["object_type"]
            objects.setdefault(kind, chars if kind == "char" else []).append(found)
    if chars:
        objects["char"] = chars
    return objects


def _leaves(objs: Sequence[LTItem]) -> Sequence[LTItem]:
    """The layout's objects in pdfplumber's order, containers (figures) opened."""
    if not any(isinstance(obj, LTContainer) for obj in objs):
        return objs
    found: list[LTItem] = []
    for obj in objs:
        if isinstance(obj, LTContainer):
            found += _leaves(obj._objs)
        else:
            found.append(obj)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if type(value) is tuple and all(isinstance(v, _PLAIN) for v in value):
        return value
    return resolve_all(value)


@lru_cache(maxsize=256)
def _colour_space(name: str) -> Any:
    """A colour space's name decoded as pdfplumber decodes it (a handful per document, and
    decoding is char by char)."""
    return resolve_and_decode(name)


def _char(
    obj: LTChar, number: int, height: float, mb_x0: float, mb_top: float, doctop: float
) -> dict[str, Any]:
    """``Page.process_object(obj)`` for a char. pdfminer computes its geometry (matrix,
    box, advance, size) by arithmetic, so those are numbers that resolving leaves as they
    are; only what the PDF names (the font, the marked content) is resolved."""
    found = obj.__dict__
    fontname = _plain(obj.fontname)
    x0, x1, y0, y1 = obj.x0, obj.x1, obj.y0, obj.y1
    attr: dict[str, Any] = {
        "matrix": obj.matrix,
        "fontname": fix_fontname_bytes(fontname) if isinstance(fontname, bytes) else fontname,
        "adv": obj.adv,
        "upright": obj.upright,
        "x0": x0 + mb_x0 if mb_x0 != 0 else x0,
        "y0": y0,
        "x1": x1 + mb_x0 if mb_x0 != 0 else x1,
        "y1": y1,
        "width": obj.width,
        "height": obj.height,
        "size": obj.size,
    }
    if "mcid" in found:
        attr["mcid"] = _plain(found["mcid"])
    if "tag" in found:
        attr["tag"] = _plain(found["tag"])
    attr["object_type"] = "char"
    attr["page_number"] = number
    name = obj.ncs.name
    attr["ncs"] = _colour_space(name) if isinstance(name, str) else resolve_and_decode(name)
    attr["text"] = obj.get_text()
    state = obj.graphicstate
    scolor, ncolor = state.scolor, state.ncolor
    attr["stroking_color"] = scolor if isinstance(scolor, tuple) else (scolor,)
    attr["non_stroking_color"] = ncolor if isinstance(ncolor, tuple) else (ncolor,)
    top = (height - y1) + mb_top
    attr["top"] = top
    attr["bottom"] = (height - y0) + mb_top
    attr["doctop"] = doctop + top
    return attr

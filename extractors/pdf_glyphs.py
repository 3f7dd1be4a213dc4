"""What each glyph of a PDF page really is, from what the PDF itself says about it.

pdfminer (under pdfplumber) gives a glyph the text of its font's ToUnicode map and nothing
else. Thai exports from Word, PowerPoint and LibreOffice get that map wrong in a few known
ways (docs/domain.md): the nikhahit of a decomposed ำ mapped to " ", sara aa mapped to
ำ ("กำร"), sara u to " ", glyphs left out of the map ("(cid:4)"), positioned mark variants
mapped to Private Use Area codes, and the real text put in /ActualText, which pdfminer
ignores. ``recover_chars`` returns the page's chars (pdfplumber's dict shape) with the text
the file itself supports, using in turn:

1. ``actual_text``: a /Span's /ActualText in the content stream replaces its glyphs' text
   (the first glyph carries it, the rest become ""). This is the marked content PDFium and
   poppler honour; it is read during pdfminer's own pass, glyph by glyph, so no second engine
   parses the page;
2. ``tounicode``: the embedded font program read with fontTools — the font's own Unicode
   cmap for the glyph, its glyph name (uni0E4D, AGL names), the one glyph a composite is made
   of, or the glyph a single-substitution GSUB lookup made it from. It overrides a ToUnicode
   value that is blank, U+FFFD, PUA or another Thai letter; ``cid_recovered`` when pdfminer had
   no text at all. A font whose cmap disagrees with its ToUnicode on most glyphs is not used;
3. ``symbol``: Wingdings, Wingdings 2, Webdings and Symbol codes to Unicode symbols;
4. ``pua``: Thai PUA codes to the letters they draw (HarfBuzz's table).

Only then do string-level repairs (``extractors.thai.repair``) and dictionary checks run. The
per-font work is cached in a ``GlyphRecovery``, one per document.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fontTools.agl import toUnicode
from fontTools.ttLib import TTFont
from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTChar, LTContainer, LTItem, LTPage
from pdfminer.pdfdevice import PDFTextSeq
from pdfminer.pdfdevice import logger as device_log
from pdfminer.pdffont import PDFCIDFont, PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdftypes import PDFStream, dict_value, resolve1
from pdfminer.psparser import LIT, PSLiteral
from pdfminer.utils import mult_matrix
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.pdf import PDF

from extractors.pdf_content import Interpreter
from extractors.pdf_decipher import GlyphDecision, GlyphKey, is_unusable
from extractors.pdf_objects import page_objects
from extractors.thai.repair import PUA_THAI

log = logging.getLogger(__name__)

Char = dict[str, Any]

# Symbol fonts draw a symbol for a byte code; Word writes the code at U+F000 + byte. Only
# symbols used as bullets and form boxes: Wingdings and Symbol from alanwood.net's tables, the
# Wingdings 2 and Webdings boxes checked against the glyphs the real forms draw.
SYMBOL_FONTS: dict[str, dict[int, str]] = {
    "wingdings 2": {
        0x4F: "\u2717",
        0x50: "\u2713",
        0x52: "\u2611",
        0x53: "\u2612",
        0x54: "\u2612",
        0xA3: "\u2610",
    },
    "wingdings": {
        0x6C: "\u25cf",
        0x6E: "\u25a0",
        0x6F: "\u25a1",
        0x71: "\u2751",
        0x72: "\u2752",
        0x75: "\u25c6",
        0x76: "\u2756",
        0x77: "\u2b25",
        0x9F: "\u2022",
        0xA1: "\u25cb",
        0xA6: "\U0001f53f",
        0xA7: "\u25aa",
        0xA8: "\u25fb",
        0xD8: "\u27a2",
        0xE8: "\u2794",
        0xF0: "\u21e8",
        0xFB: "\u2717",
        0xFC: "\u2713",
        0xFD: "\u2612",
        0xFE: "\u2611",
    },
    "webdings": {0x63: "\u2610"},
    "symbol": {0xB7: "\u2022", 0xA8: "\u2666", 0xE0: "\u25ca"},
}
_TRUST_SAMPLE = 400
"""Glyphs of a font's ToUnicode map compared with its cmap to decide whether to trust it."""
_UNICODE_CMAPS = {(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 6), (3, 1), (3, 10)}


@lru_cache(maxsize=1024)
def decoded_font_name(fontname: str | bytes) -> str:
    """The font's name as text: Word writes Thai font names in cp874, and pdfplumber gives
    such a name as the repr of its bytes."""
    if isinstance(fontname, bytes):
        fontname = fontname.decode("cp874", "replace")
    elif fontname.startswith("b'") and fontname.endswith("'"):
        with contextlib.suppress(ValueError, SyntaxError):
            raw = bytes(fontname[2:-1], "latin-1").decode("unicode_escape").encode("latin-1")
            fontname = raw.decode("cp874", "replace")
    return fontname


def base_font_name(fontname: str | bytes) -> str:
    """The font's name without the subset tag ("ABCDEE+TH SarabunIT๙" -> "TH SarabunIT๙")."""
    return decoded_font_name(fontname).split("+", 1)[-1]


def _symbol_table(fontname: str) -> dict[int, str] | None:
    name = base_font_name(fontname).lower().replace("-", " ").replace(",", " ")
    for family, table in SYMBOL_FONTS.items():
        if name.startswith(family):
            return table
    return None


@contextlib.contextmanager
def _quiet_fonttools() -> Iterator[None]:
    """fontTools warns on stderr about harmless oddities of subset fonts (a zero 'modified'
    date); a text dump must not carry them. Inside another such block it does nothing:
    setting a logger's level clears every logger's cache, a cost when done for each glyph."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    if level >= logging.ERROR:
        yield
        return
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _font_label(font: PDFFont) -> str:
    """The font's name as the PDF gives it (subset tag included: two subsets of one font are
    two fonts), and whether its codes are CIDs or bytes."""
    name = decoded_font_name(getattr(font, "fontname", "") or "")
    return f"{name} (CID)" if isinstance(font, PDFCIDFont) else name


def _is_thai(text: str) -> bool:
    return len(text) == 1 and "\u0e01" <= text <= "\u0e5b"


def _is_blank(text: str) -> bool:
    return not text.strip() or text == "\ufffd" or text.startswith("(cid:")


def _is_pua(text: str) -> bool:
    return len(text) == 1 and "\ue000" <= text <= "\uf8ff"


class FontGlyphs:
    """What one embedded font program says about each of its glyphs."""

    def __init__(self, font: PDFFont, spec: dict[str, Any] | None) -> None:
        self.font = font
        self.symbols = _symbol_table(getattr(font, "fontname", "") or "")
        self._ttf: TTFont | None = None
        self._order: list[str] = []
        self._names: frozenset[str] = frozenset()
        self._cid_keyed = False
        self._unicode: dict[str, set[int]] = {}
        self._symbol_codes: dict[str, set[int]] = {}
        self._code_cmap: dict[int, str] = {}
        self._mac_cmap: dict[int, str] = {}
        self._glyph_of: dict[int, str] = {}
        self._cid_to_gid: bytes | None = None
        self._gsub_sources: dict[str, set[str]] | None = None
        self._identity: dict[int, frozenset[str]] = {}
        self._shapes: dict[str, str | None] = {}
        self.trusted = True
        self.label = _font_label(font)
        self.recovered: dict[tuple[int, str], tuple[str, str | None]] = {}
        """``_recover``'s answer for each code and ToUnicode text met so far."""
        with _quiet_fonttools(), contextlib.suppress(Exception):
            self._load(spec)
        with _quiet_fonttools(), contextlib.suppress(Exception):
            self.trusted = self._agrees_with_tounicode()
        self.suspects: frozenset[int] = frozenset()
        with _quiet_fonttools(), contextlib.suppress(Exception):
            self.suspects = self._shared_mappings()

    def _load(self, spec: dict[str, Any] | None) -> None:
        descriptor = self.font.descriptor or {}
        program = descriptor.get("FontFile2") or descriptor.get("FontFile3")
        program = resolve1(program)
        if not isinstance(program, PDFStream):
            return
        if descriptor.get("FontFile3") is not None and resolve1(program.get("Subtype")) != LIT(
            "OpenType"
        ):
            return
        self._ttf = TTFont(io.BytesIO(program.get_data()), lazy=True, fontNumber=0)
        self._order = self._ttf.getGlyphOrder()
        self._names = frozenset(self._order)
        self._cid_keyed = "CFF " in self._ttf and bool(
            getattr(self._ttf["CFF "].cff.topDictIndex[0], "ROS", None)
        )
        if "cmap" in self._ttf:
            for table in self._ttf["cmap"].tables:
                key = (table.platformID, table.platEncID)
                for code, glyph in table.cmap.items():
                    if key in _UNICODE_CMAPS:
                        self._unicode.setdefault(glyph, set()).add(code)
                        self._glyph_of.setdefault(code, glyph)
                    elif key == (3, 0):
                        self._symbol_codes.setdefault(glyph, set()).add(code)
                        self._code_cmap.setdefault(code & 0xFF, glyph)
                    elif key == (1, 0):
                        self._mac_cmap.setdefault(code, glyph)
        if spec is not None and isinstance(self.font, PDFCIDFont):
            descendant = dict_value(resolve1(spec.get("DescendantFonts"))[0])
            mapping = resolve1(descendant.get("CIDToGIDMap"))
            if isinstance(mapping, PDFStream):
                self._cid_to_gid = mapping.get_data()

    def _agrees_with_tounicode(self) -> bool:
        """False when the font's cmap and the PDF's ToUnicode disagree on most glyphs: then
        the embedded cmap is a producer's re-encoding, not the font's, and proves nothing."""
        unicode_map = getattr(self.font, "unicode_map", None)
        mapped: dict[int, str] = getattr(unicode_map, "cid2unichr", {}) or {}
        agree = disagree = 0
        for cid, text in list(mapped.items())[:_TRUST_SAMPLE]:
            known = self.identity(cid)
            if not known or _is_blank(text):
                continue
            if PUA_THAI.get(text, text) in known:
                agree += 1
            else:
                disagree += 1
        return disagree <= agree

    def _shared_mappings(self) -> frozenset[int]:
        """Codes whose ToUnicode names a Thai character that the map also gives another of the
        font's glyphs, where the font program cannot say which glyph is which: one of them
        may be another glyph given the wrong character ("." mapped to ศ). Read from the
        document's words (``extractors.pdf_decipher``)."""
        unicode_map = getattr(self.font, "unicode_map", None)
        mapped: dict[int, str] = getattr(unicode_map, "cid2unichr", {}) or {}
        by_text: dict[str, list[int]] = {}
        for cid, text in mapped.items():
            if _is_thai(text):
                by_text.setdefault(text, []).append(cid)
        doubtful = set()
        for cids in by_text.values():
            unproved = [cid for cid in cids if not (self.trusted and self.identity(cid))]
            if len(cids) < 2 or not unproved:
                continue
            forms = {self._form(cid) for cid in cids}
            if len(forms) == 1 and None not in forms:
                continue  # one drawing at several heights: a mark's positioned variants
            doubtful.update(unproved)
        return frozenset(doubtful)

    def _form(self, cid: int) -> str | None:
        """A digest of the outline up to where it is drawn: positioned variants of a mark
        (moved down over a short letter, left over a tall one) have the same form."""
        glyph = self.glyph(cid)
        if glyph is None or self._ttf is None or "glyf" not in self._ttf:
            return None
        table = self._ttf["glyf"]
        outline = table[glyph]
        if not outline.numberOfContours:
            return None
        coordinates, ends, _ = outline.getCoordinates(table)
        points = list(coordinates)
        x0, y0 = min(x for x, _ in points), min(y for _, y in points)
        moved = [(x - x0, y - y0) for x, y in points]
        return hashlib.blake2b(repr((moved, list(ends))).encode(), digest_size=12).hexdigest()

    def has_no_width(self, cid: int) -> bool:
        """True for a glyph that does not move the pen: a mark drawn over the one before."""
        try:
            return abs(float(self.font.char_width(cid))) < 0.02
        except Exception:
            return False

    def glyph(self, cid: int) -> str | None:
        """The glyph name a character code draws."""
        if self._ttf is None:
            return None
        if isinstance(self.font, PDFCIDFont):
            if self._cid_keyed and f"cid{cid:05d}" in self._names:
                return f"cid{cid:05d}"  # CID-keyed CFF: glyphs are named by CID
            gid = cid
            if self._cid_to_gid is not None:
                if 2 * cid + 2 > len(self._cid_to_gid):
                    return None
                gid = int.from_bytes(self._cid_to_gid[2 * cid : 2 * cid + 2], "big")
            return self._order[gid] if 0 <= gid < len(self._order) else None
        return self._simple_glyph(cid)

    def _simple_glyph(self, code: int) -> str | None:
        """The glyph a simple TrueType font draws for a byte code, chosen as ISO 32000-1
        9.6.6.4 says (and PDFium and poppler do): a symbolic font's (3,0) subtable; else the
        code's character under the font's /Encoding looked up in its Unicode (3,1) subtable;
        the Mac Roman (1,0) subtable only when there is no Unicode one. Word's subsetter
        leaves a (1,0) subtable that no longer matches the glyphs (in realdocs EB1_1.6.pdf it
        maps code 32 to the glyph of "@"), so reading it first turned every space into "@"."""
        if code in self._code_cmap:
            return self._code_cmap[code]
        if self._glyph_of:
            text = getattr(self.font, "cid2unicode", {}).get(code)
            if text is not None and len(text) == 1:
                return self._glyph_of.get(ord(text))
            return None
        return self._mac_cmap.get(code)

    def shape(self, cid: int) -> str | None:
        """A digest of the outline the code draws (TrueType outlines only): the same digest
        in two fonts is the same drawing, so the same character (subsets of one font keep
        their outlines). None for a blank or unreadable glyph."""
        glyph = self.glyph(cid)
        return self._shape(glyph) if glyph else None

    def _shape(self, glyph: str) -> str | None:
        if glyph in self._shapes:
            return self._shapes[glyph]
        digest = None
        with _quiet_fonttools(), contextlib.suppress(Exception):
            if self._ttf is not None and "glyf" in self._ttf:
                table = self._ttf["glyf"]
                outline = table[glyph]
                if outline.numberOfContours:
                    coordinates, ends, _ = outline.getCoordinates(table)
                    drawing = repr((list(coordinates), list(ends))).encode()
                    digest = hashlib.blake2b(drawing, digest_size=12).hexdigest()
        self._shapes[glyph] = digest
        return digest

    def shapes(self) -> Iterator[tuple[str, frozenset[str]]]:
        """(outline digest, characters) of every glyph of the font that the font names."""
        if self._ttf is None or not self.trusted:
            return
        for glyph in self._order:
            with _quiet_fonttools():
                known = self._glyph_identity(glyph, 0)
            if known:
                digest = self._shape(glyph)
                if digest is not None:
                    yield digest, known

    def is_blank(self, cid: int) -> bool:
        """True for a glyph that draws nothing but moves the pen: a space."""
        glyph = self.glyph(cid)
        if glyph is None or self._ttf is None or "glyf" not in self._ttf:
            return False
        with _quiet_fonttools(), contextlib.suppress(Exception):
            outline = self._ttf["glyf"][glyph]
            return not outline.numberOfContours and not self.has_no_width(cid)
        return False

    def identity(self, cid: int) -> frozenset[str]:
        """The characters the font program says the glyph for ``cid`` is (empty if silent)."""
        if cid not in self._identity:
            glyph = self.glyph(cid)
            with _quiet_fonttools():
                self._identity[cid] = self._glyph_identity(glyph, 0) if glyph else frozenset()
        return self._identity[cid]

    def _glyph_identity(self, glyph: str, depth: int) -> frozenset[str]:
        chars = {self._standard(chr(code)) for code in self._unicode.get(glyph, ())}
        for code in self._symbol_codes.get(glyph, ()):
            chars.add(self._symbol(code))
        if not chars:
            name = toUnicode(glyph)
            if name and not name.startswith("\x00"):
                chars.add(self._standard(name))
        if chars or depth > 2 or self._ttf is None:
            return frozenset(chars)
        with contextlib.suppress(Exception):
            table = self._ttf.get("glyf")
            # a composite is told from the glyph's raw header; only one is expanded
            source = table.glyphs.get(glyph) if table is not None else None
            if source is not None and source.isComposite():
                source = table[glyph]
                if len(source.components) == 1:
                    return self._glyph_identity(source.components[0].glyphName, depth + 1)
        sources = self._gsub().get(glyph, set())
        found = {frozenset(self._glyph_identity(s, depth + 1)) for s in sources}
        found.discard(frozenset())
        return next(iter(found)) if len(found) == 1 else frozenset()

    def _gsub(self) -> dict[str, set[str]]:
        """Output glyph -> input glyphs of the font's single-substitution lookups (positioned
        mark variants, consonants without descender)."""
        if self._gsub_sources is None:
            self._gsub_sources = {}
            with contextlib.suppress(Exception):
                if self._ttf is not None and "GSUB" in self._ttf:
                    for lookup in self._ttf["GSUB"].table.LookupList.Lookup:
                        for table in lookup.SubTable:
                            table = getattr(table, "ExtSubTable", table)
                            if getattr(table, "LookupType", None) != 1:
                                continue
                            for source, target in table.mapping.items():
                                self._gsub_sources.setdefault(target, set()).add(source)
        return self._gsub_sources

    def _standard(self, char: str) -> str:
        if self.symbols is not None and 0xF000 <= ord(char[0]) <= 0xF0FF:
            return self._symbol(ord(char[0]))
        return PUA_THAI.get(char, char)

    def _symbol(self, code: int) -> str:
        if self.symbols is None:
            return chr(code) if code >= 0xF000 else chr(0xF000 + code)
        return self.symbols.get(code & 0xFF, chr(0xF000 + (code & 0xFF)))


@dataclass
class _ActualText:
    text: str
    members: list[LTChar] = field(default_factory=list)


class _GlyphDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's device, also keeping each char's code, font and /ActualText span."""

    def __init__(self, rsrcmgr: PDFResourceManager, pageno: int, laparams: Any) -> None:
        super().__init__(rsrcmgr, pageno=pageno, laparams=laparams)
        self.spans: list[_ActualText] = []
        self._actual_stack: list[_ActualText | None] = []

    def begin_tag(self, tag: PSLiteral, props: Any = None) -> None:
        super().begin_tag(tag, props)
        actual = props.get("ActualText") if isinstance(props, dict) else None
        span = None
        if isinstance(actual, bytes) and not any(s is not None for s in self._actual_stack):
            span = _ActualText(_pdf_text(actual))
            self.spans.append(span)
        self._actual_stack.append(span)

    def end_tag(self) -> None:
        super().end_tag()
        if self._actual_stack:
            self._actual_stack.pop()

    def render_string(self, textstate: Any, seq: PDFTextSeq, ncs: Any, graphicstate: Any) -> None:
        """pdfminer's ``render_string`` with, for horizontal text, its calls for each glyph
        (``render_string_horizontal``, ``render_char``, ``LTChar.__init__``,
        ``translate_matrix``, ``apply_matrix_rect``) written out in one loop: the same
        arithmetic in the same order, so the same floats in the same LTChar, tagged as
        ``render_char`` tags it (tests/test_pdf_objects.py: every char pdfplumber's own).
        A glyph costs a third of the calls, and this runs for every glyph of every page."""
        font: PDFFont | None = textstate.font
        if font is None or font.is_vertical() or self.ctm is None:
            super().render_string(textstate, seq, ncs, graphicstate)
            return
        matrix = mult_matrix(textstate.matrix, self.ctm)
        fontsize = textstate.fontsize
        scaling = textstate.scaling * 0.01
        charspace = textstate.charspace * scaling
        wordspace = textstate.wordspace * scaling
        rise = textstate.rise
        if font.is_multibyte():
            wordspace = 0
        dxscale = 0.001 * fontsize * scaling
        (x, y) = textstate.linematrix
        (a, b, c, d, e, f) = matrix
        upright = a * d * scaling > 0 and b * c <= 0
        descent = font.get_descent() * fontsize
        bottom, top = descent + rise, descent + rise + fontsize
        fontname = font.fontname
        add = self.cur_item.add
        mcid, tag = self.cur_mcid, self.cur_tag
        spans = [span for span in self._actual_stack if span is not None]
        needcharspace = False
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    try:
                        text = font.to_unichr(cid)
                        assert isinstance(text, str), str(type(text))
                    except PDFUnicodeNotDefined:
                        text = self.handle_undefined_char(font, cid)
                    adv = font.char_width(cid) * fontsize * scaling
                    e1, f1 = x * a + y * c + e, x * b + y * d + f
                    left1, bottom1 = a * 0 + c * bottom + e1, b * 0 + d * bottom + f1
                    right1, bottom2 = a * adv + c * bottom + e1, b * adv + d * bottom + f1
                    right2, top1 = a * adv + c * top + e1, b * adv + d * top + f1
                    left2, top2 = a * 0 + c * top + e1, b * 0 + d * top + f1
                    x0 = min(left1, left2, right1, right2)
                    y0 = min(bottom1, bottom2, top1, top2)
                    x1 = max(left1, left2, right1, right2)
                    y1 = max(bottom1, bottom2, top1, top2)
                    if x1 < x0:
                        (x0, x1) = (x1, x0)
                    if y1 < y0:
                        (y0, y1) = (y1, y0)
                    item = LTChar.__new__(LTChar)
                    item.__dict__ = {
                        "_text": text,
                        "matrix": (a, b, c, d, e1, f1),
                        "fontname": fontname,
                        "ncs": ncs,
                        "graphicstate": graphicstate,
                        "adv": adv,
                        "upright": upright,
                        "x0": x0,
                        "y0": y0,
                        "x1": x1,
                        "y1": y1,
                        "width": x1 - x0,
                        "height": y1 - y0,
                        "bbox": (x0, y0, x1, y1),
                        "size": y1 - y0,
                        "mcid": mcid,
                        "tag": tag,
                        "ita_font": font,
                        "ita_cid": int(cid),
                    }
                    add(item)
                    for span in spans:
                        span.members.append(item)
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
            else:
                device_log.warning(
                    "Cannot render horizontal string because %r is not a valid int, float or"
                    " bytes.",
                    obj,
                )
        textstate.linematrix = (x, y)

    def render_char(
        self,
        matrix: Any,
        font: PDFFont,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: Any,
        graphicstate: Any,
    ) -> float:
        """pdfminer's char, tagged as pdfplumber's device tags it (its marked-content id and
        tag) and as glyph recovery needs it (font, code, /ActualText span): the glyphs of
        vertical text (``render_string`` makes those of horizontal text itself, tagged the
        same; tests/test_pdf_objects.py checks the chars are pdfplumber's own)."""
        adv: float = PDFLayoutAnalyzer.render_char(
            self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate
        )
        item: Any = self.cur_item._objs[-1]  # the LTChar just made
        item.mcid = self.cur_mcid
        item.tag = self.cur_tag
        item.ita_font = font
        item.ita_cid = int(cid)
        for span in self._actual_stack:
            if span is not None:
                span.members.append(item)
        return adv


def _pdf_text(raw: bytes) -> str:
    """A PDF text string: UTF-16 with a byte-order mark, else PDFDocEncoding (≈ Latin-1)."""
    if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        return raw.decode("utf-16", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


class _Interpreter(Interpreter):
    """Keeps each font's dictionary on the font object (for its CIDToGIDMap) and resolves
    named property lists, so /ActualText given as a resource is seen too."""

    def init_resources(self, resources: dict[object, object]) -> None:
        super().init_resources(resources)
        with contextlib.suppress(Exception):
            fonts = dict_value(dict_value(resources).get("Font", {}))
            for fontid, spec in fonts.items():
                font = self.fontmap.get(fontid)
                if font is not None and not hasattr(font, "ita_spec"):
                    font.ita_spec = dict_value(spec)  # type: ignore[attr-defined]

    def do_BDC(self, tag: Any, props: Any) -> None:
        if isinstance(props, PSLiteral):
            with contextlib.suppress(Exception):
                properties = dict_value(dict_value(self.resources).get("Properties", {}))
                props = dict_value(properties.get(props.name))
        super().do_BDC(tag, props)


def _walk(objs: Iterable[LTItem]) -> Iterator[LTChar]:
    """LTChars in the order pdfplumber lists ``page.chars``."""
    for obj in objs:
        if isinstance(obj, LTContainer):
            yield from _walk(obj._objs)
        elif isinstance(obj, LTChar):
            yield obj


def annotated_layout(page: Page) -> tuple[LTPage, list[_ActualText]]:
    """Interpret the page once with our device and hand the layout to pdfplumber, which
    caches it in ``page._layout``, and its objects (``extractors.pdf_objects``) in
    ``page._objects``: its chars, rects and tables then cost no second parse.
    Asking again is free until ``page.close()`` drops the cache."""
    layout = getattr(page, "_layout", None)
    if layout is not None and hasattr(layout, "ita_spans"):
        return layout, layout.ita_spans
    device = _GlyphDevice(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    _Interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    layout = device.get_result()
    layout.ita_spans = device.spans  # type: ignore[attr-defined]
    page._layout = layout
    page._objects = page_objects(page, layout._objs)
    return layout, device.spans


@dataclass
class GlyphRecovery:
    """Glyph recovery for one document: the embedded fonts already read, and the count of
    each recovery made so far (``counts``)."""

    pdf: PDF
    counts: Counter[str] = field(default_factory=Counter)
    key: GlyphKey = field(default_factory=GlyphKey)
    """Glyphs the fonts leave unknown or in doubt, read from the document's words."""
    read_glyphs: bool = True
    """False leaves unknown glyphs as the PDF gives them (to measure what reading them
    changes)."""
    _fonts: dict[int, FontGlyphs] = field(default_factory=dict)
    _keep: list[PDFFont] = field(default_factory=list)

    def glyphs(self, font: PDFFont) -> FontGlyphs:
        key = id(font)
        if key not in self._fonts:
            self._keep.append(font)  # the id stays this font's while it is cached
            self._fonts[key] = FontGlyphs(font, getattr(font, "ita_spec", None))
        return self._fonts[key]

    def decide(self) -> tuple[GlyphDecision, ...]:
        """Read the glyphs held in doubt, once every page has been recovered: by an outline
        that a font of the document names, else by the document's words."""
        if not self.key:
            return ()
        known: dict[str, tuple[set[str], str]] = {}
        for font in self._fonts.values():
            for shape, chars in font.shapes():
                known.setdefault(shape, (set(), font.label))[0].update(chars)
        return self.key.decide(
            {shape: (frozenset(chars), label) for shape, (chars, label) in known.items()}
        )

    def recover_chars(self, page: Page) -> tuple[list[Char], Counter[str]]:
        """The page's chars (pdfplumber's dicts, in stream order) with their text recovered
        from the PDF itself, and the count of each recovery. Each dict also has ``raw_text``
        (what pdfminer said), ``cid`` and ``recovery`` (the recovery's name, or None).

        The page is interpreted once for this and for anything that reads it afterwards
        (``page.chars``, ``find_tables``); call it before those. Pass a whole page, not a
        crop: select the returned chars by box instead.
        """
        layout, spans = annotated_layout(page)
        originals = page.chars
        glyphs = list(_walk(layout._objs))
        counts: Counter[str] = Counter()
        if len(glyphs) != len(originals):
            log.warning("page %s: layout and pdfplumber chars differ", page.page_number)
            return [dict(c, raw_text=c["text"], cid=None, recovery=None) for c in originals], counts
        position = {id(g): i for i, g in enumerate(glyphs)} if spans else {}
        chars: list[Char] = []
        fonts: list[FontGlyphs | None] = []
        for original, glyph in zip(originals, glyphs, strict=True):
            font: PDFFont | None = getattr(glyph, "ita_font", None)
            cid: int = getattr(glyph, "ita_cid", -1)
            text, recovery = original["text"], None
            found = self._fonts.get(id(font)) if font is not None else None
            if found is None and font is not None:
                found = self.glyphs(font)
            if found is not None:
                read = found.recovered.get((cid, text))
                if read is None:  # the same code and text always read the same in a font
                    read = found.recovered[cid, text] = _recover(text, cid, found)
                text, recovery = read
            if recovery:
                counts[recovery] += 1
            chars.append(
                dict(original, text=text, raw_text=original["text"], cid=cid, recovery=recovery)
            )
            fonts.append(found)
        in_spans = {position[id(m)] for span in spans for m in span.members if id(m) in position}
        for span in spans:
            members = sorted(position[id(m)] for m in span.members if id(m) in position)
            if not members:
                continue
            text = _known_parts(span.text, [chars[i]["text"] for i in members])
            covered = _marks_spelled(text, chars, members[-1] + 1, in_spans)
            if "".join(chars[i]["text"] for i in members) == text and not covered:
                continue
            counts["actual_text"] += 1
            for n, i in enumerate(members + covered):
                if chars[i]["recovery"]:
                    counts[chars[i]["recovery"]] -= 1
                chars[i]["text"] = text if n == 0 else ""
                chars[i]["recovery"] = "actual_text"
        _drop_marks_drawn_again(chars)
        if self.read_glyphs:
            counts.update(self._hold_in_doubt(chars, fonts))
        counts = +counts
        self.counts.update(counts)
        return chars, counts

    def _hold_in_doubt(self, chars: list[Char], fonts: list[FontGlyphs | None]) -> Counter[str]:
        """Glyphs still unknown ((cid:N), U+FFFD, an unknown PUA code) or in doubt (their
        font gives their character to another glyph too), read from the document's words by
        ``self.key`` once every page is seen.

        On a first reading an unknown glyph's text becomes a placeholder, replaced in every
        line at the end (``GlyphKey.apply``); a glyph in doubt keeps its text, and only the
        evidence sees a placeholder. On a second reading (``GlyphKey.reread``: a glyph in
        doubt turned out to be another character) every reading is applied here, glyph by
        glyph, before lines and tables are built."""
        texts: list[str] | None = None
        read: Counter[str] = Counter()
        for i, (char, font) in enumerate(zip(chars, fonts, strict=True)):
            if font is None or char["recovery"] == "actual_text":
                continue
            text, cid = char["text"], char["cid"]
            unknown = is_unusable(text)
            if not unknown and cid not in font.suspects:
                continue
            if font.symbols is not None or "\uf000" <= text <= "\uf0ff":
                continue  # a symbol font's glyph: no Thai word can tell what it is
            shape = font.shape(cid)
            if self.key.decided:
                reading = self.key.reading(font.label, cid, text, shape, suspect=not unknown)
                if reading is not None and reading != text:
                    if char["recovery"]:
                        read[char["recovery"]] -= 1
                    char["text"], char["recovery"] = reading, "glyph_deciphered"
                    read["glyph_deciphered"] += 1
                continue
            placeholder = self.key.placeholder(
                font.label, cid, text, mark=font.has_no_width(cid), suspect=not unknown, shape=shape
            )
            if texts is None:
                texts = [str(c["text"]) for c in chars]
            texts[i] = placeholder
            if unknown:
                char["text"] = placeholder
        if texts is not None:
            self.key.collect(chars, texts)
        return read


def _drop_marks_drawn_again(chars: list[Char]) -> None:
    """A glyph whose ToUnicode spells a letter and a mark ("วิ") followed by a glyph with
    no width that draws that mark ("ิ") draws the letter alone: the mark cannot be there
    twice. InDesign/Acrobat maps a consonant glyph to the first cluster it met it in
    (realdocs budget-pdf_14.pdf: "วิิสััยทััศน์์", as PDFium also prints it)."""
    for i in range(len(chars) - 1):
        text, after = chars[i]["text"], chars[i + 1]
        mark = after["text"]
        if (
            len(text) > 1
            and len(mark) == 1
            and _is_thai_mark(mark)
            and text.endswith(mark)
            and _is_thai(text[0])
            and not _is_thai_mark(text[0])
            and _has_no_width(after)
        ):
            chars[i]["text"] = text[:-1]
            chars[i]["recovery"] = chars[i]["recovery"] or "tounicode"


_DOUBLED_MARK = re.compile("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+")


def _known_parts(actual: str, members: Sequence[str]) -> str:
    """An /ActualText as far as it knows: each U+FFFD in it replaced by the text of the
    glyph at the same place (the producer did not know that glyph either: Acrobat writes
    "\ufffdนั" over the glyphs า น of สำนัก, whose ำ it spelled already), and a mark it
    spells twice in a row spelled once ("ทธิ์์", "รีี"; no Thai letter takes one mark
    twice)."""
    if "\ufffd" in actual:
        actual = "".join(
            (members[i] if i < len(members) else "") if char == "\ufffd" else char
            for i, char in enumerate(actual)
        )
    return _DOUBLED_MARK.sub("\\1", actual)


def _marks_spelled(actual: str, chars: Sequence[Char], start: int, in_spans: set[int]) -> list[int]:
    """Positions of the marks drawn right after an /ActualText span that its text already
    spells. Acrobat puts a Thai cluster's whole text ("วิ") on a span over the base glyph
    alone and draws the mark (ิ) after the span, so reading both doubles the mark
    ("วิิสััยทััศน์์" in realdocs budget-pdf_14.pdf, as PDFium prints it). A mark drawn
    there that the text does not end with, or a second copy, is not the span's."""
    tail = len(actual)
    while tail and (_is_thai_mark(actual[tail - 1]) or actual[tail - 1] == "\u0e33"):
        tail -= 1
    spelled = list(actual[tail:])
    covered: list[int] = []
    i = start
    while spelled and i < len(chars) and i not in in_spans:
        text = chars[i]["text"]
        if text in spelled:
            spelled.remove(text)
        elif not (is_unusable(text) and _has_no_width(chars[i])):
            break
        covered.append(i)
        i += 1
    return covered


def _has_no_width(char: Char) -> bool:
    return float(char["x1"]) - float(char["x0"]) < 0.02 * float(char.get("size") or 1.0)


def _is_thai_mark(char: str) -> bool:
    return char == "\u0e31" or "\u0e34" <= char <= "\u0e3a" or "\u0e47" <= char <= "\u0e4e"


def recover_chars(
    page: Page, recovery: GlyphRecovery | None = None
) -> tuple[list[Char], Counter[str]]:
    """``GlyphRecovery.recover_chars`` for one page; pass one ``GlyphRecovery`` per document
    so each embedded font is read once."""
    return (recovery or GlyphRecovery(page.pdf)).recover_chars(page)


def _recover(text: str, cid: int, font: FontGlyphs) -> tuple[str, str | None]:
    """One glyph's text and the name of the recovery made (None if ToUnicode stands).

    What the PDF says is replaced only where it says nothing usable ("(cid:N)", U+FFFD, a
    Private Use code) or where the font proves a Thai glyph was given another character
    (a nikhahit or sara u as " ", a tone mark as "l", sara aa as ำ). A character the font
    calls something other than Thai is never changed: a space stays a space whatever glyph
    the font's tables name for it."""
    known = font.identity(cid) if font.trusted else frozenset()
    if not known and (text.startswith("(cid:") or text == "\ufffd") and font.is_blank(cid):
        return " ", "cid_recovered"  # a glyph that draws nothing and moves the pen
    standard = text
    if _is_pua(text):
        if font.symbols is not None and ord(text) <= 0xF0FF:
            standard = font._symbol(ord(text))
        else:
            standard = PUA_THAI.get(text, text)
    if standard in known or not known:
        if standard == text:
            return text, None
        return standard, "symbol" if font.symbols is not None else "pua"
    if len(known) != 1:
        return standard, "glyph_ambiguous" if _is_blank(text) else None
    (truth,) = known
    if text.startswith("(cid:"):
        return truth, "cid_recovered"
    if text == "\ufffd" or _is_pua(text) or (_is_thai(truth) and len(text) <= 1):
        return truth, "tounicode"
    return standard, None

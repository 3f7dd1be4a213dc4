"""What each glyph of a PDF page really is, from what the PDF itself says about it.

pdfminer (under pdfplumber) gives a glyph the text of its font's ToUnicode map and nothing
else. Thai exports from Word, PowerPoint and LibreOffice get that map wrong in a few known
ways (../shared/domain.md): the nikhahit of a decomposed ำ mapped to " ", sara aa mapped to
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
import io
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fontTools.agl import toUnicode
from fontTools.ttLib import TTFont
from pdfminer.layout import LTChar, LTContainer, LTItem, LTPage
from pdfminer.pdffont import PDFCIDFont, PDFFont
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream, dict_value, resolve1
from pdfminer.psparser import LIT, PSLiteral
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.pdf import PDF

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
def base_font_name(fontname: str | bytes) -> str:
    """The font's name without the subset tag ("ABCDEE+TH SarabunIT๙" -> "TH SarabunIT๙");
    Word writes Thai font names in cp874."""
    if isinstance(fontname, bytes):
        fontname = fontname.decode("cp874", "replace")
    elif fontname.startswith("b'") and fontname.endswith("'"):
        with contextlib.suppress(ValueError, SyntaxError):
            raw = bytes(fontname[2:-1], "latin-1").decode("unicode_escape").encode("latin-1")
            fontname = raw.decode("cp874", "replace")
    return fontname.split("+", 1)[-1]


def _symbol_table(fontname: str) -> dict[int, str] | None:
    name = base_font_name(fontname).lower().replace("-", " ").replace(",", " ")
    for family, table in SYMBOL_FONTS.items():
        if name.startswith(family):
            return table
    return None


@contextlib.contextmanager
def _quiet_fonttools() -> Iterator[None]:
    """fontTools warns on stderr about harmless oddities of subset fonts (a zero 'modified'
    date); a text dump must not carry them."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


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
        self.trusted = True
        with _quiet_fonttools(), contextlib.suppress(Exception):
            self._load(spec)
        with _quiet_fonttools(), contextlib.suppress(Exception):
            self.trusted = self._agrees_with_tounicode()

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
            source = self._ttf["glyf"][glyph] if "glyf" in self._ttf else None
            if source is not None and source.isComposite() and len(source.components) == 1:
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

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        adv: float = super().render_char(*args, **kwargs)
        item = self.cur_item._objs[-1]
        if isinstance(item, LTChar):
            font, cid = _font_and_cid(args, kwargs)
            item.ita_font = font  # type: ignore[attr-defined]
            item.ita_cid = cid  # type: ignore[attr-defined]
            for span in self._actual_stack:
                if span is not None:
                    span.members.append(item)
        return adv


def _font_and_cid(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[PDFFont | None, int]:
    # render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)
    font = kwargs.get("font", args[1] if len(args) > 1 else None)
    cid = kwargs.get("cid", args[5] if len(args) > 5 else -1)
    return font, int(cid)


def _pdf_text(raw: bytes) -> str:
    """A PDF text string: UTF-16 with a byte-order mark, else PDFDocEncoding (≈ Latin-1)."""
    if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        return raw.decode("utf-16", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


class _Interpreter(PDFPageInterpreter):
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
    caches it in ``page._layout``: its chars, rects and tables then cost no second parse.
    Asking again is free until ``page.close()`` drops the cache."""
    layout = getattr(page, "_layout", None)
    if layout is not None and hasattr(layout, "ita_spans"):
        return layout, layout.ita_spans
    device = _GlyphDevice(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    _Interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    layout = device.get_result()
    layout.ita_spans = device.spans  # type: ignore[attr-defined]
    if hasattr(page, "_objects"):
        del page._objects
    page._layout = layout
    return layout, device.spans


@dataclass
class GlyphRecovery:
    """Glyph recovery for one document: the embedded fonts already read, and the count of
    each recovery made so far (``counts``)."""

    pdf: PDF
    counts: Counter[str] = field(default_factory=Counter)
    _fonts: dict[int, FontGlyphs] = field(default_factory=dict)
    _keep: list[PDFFont] = field(default_factory=list)

    def glyphs(self, font: PDFFont) -> FontGlyphs:
        key = id(font)
        if key not in self._fonts:
            self._keep.append(font)  # the id stays this font's while it is cached
            self._fonts[key] = FontGlyphs(font, getattr(font, "ita_spec", None))
        return self._fonts[key]

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
        position = {id(g): i for i, g in enumerate(glyphs)}
        chars: list[Char] = []
        for original, glyph in zip(originals, glyphs, strict=True):
            font: PDFFont | None = getattr(glyph, "ita_font", None)
            cid: int = getattr(glyph, "ita_cid", -1)
            text, recovery = original["text"], None
            if font is not None:
                text, recovery = _recover(text, cid, self.glyphs(font))
            if recovery:
                counts[recovery] += 1
            chars.append(
                dict(original, text=text, raw_text=original["text"], cid=cid, recovery=recovery)
            )
        for span in spans:
            members = sorted(position[id(m)] for m in span.members if id(m) in position)
            if not members or "".join(chars[i]["text"] for i in members) == span.text:
                continue
            counts["actual_text"] += 1
            for n, i in enumerate(members):
                if chars[i]["recovery"]:
                    counts[chars[i]["recovery"]] -= 1
                chars[i]["text"] = span.text if n == 0 else ""
                chars[i]["recovery"] = "actual_text"
        counts = +counts
        self.counts.update(counts)
        return chars, counts


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

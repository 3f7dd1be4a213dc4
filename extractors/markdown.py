"""Markdown pages whose tables are HTML, as Thai OCR models (typhoon-ocr) emit them.

Pipe tables are read too, by markdown-it-py's GFM table rule (an escaped ``\\|`` stays in
its cell). Text outside tables is kept as the lines before each table, with Markdown markup
stripped, so the title block reaches the interpretation stage as in HTML.
"""

from __future__ import annotations

import re
from functools import cache

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from extractors.decode import decode_text
from extractors.html import markup_warnings, short_row_warnings, tables_with_context
from extractors.model import RawDocument, squash

_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PAGE_BREAK = re.compile(r"^\s*(\f|-{3,}|\*{3,}|_{3,}|<!--\s*page.*-->)\s*$", re.IGNORECASE)
_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s*)|\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def _plain(line: str) -> str:
    return squash(_MARKUP.sub("", line))


@cache
def _tables() -> MarkdownIt:
    """markdown-it-py with GFM's table rule; HTML in cells (the ``<br>`` OCR models put
    between a cell's lines) passed through."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _pipe_table(lines: list[str]) -> str:
    """A block of pipe-table lines as HTML, by GFM's table rule (an escaped ``\\|`` stays
    in its cell), so that one table reader serves both; lines that make no table (no
    delimiter row) come out as paragraphs."""
    html: str = _tables().render("\n".join(lines))
    return html


def to_html(text: str) -> str:
    """Markdown page(s) as one HTML body: paragraphs for text lines, tables kept as tables."""
    out: list[str] = []
    pipe: list[str] = []
    in_html_table = False
    for line in text.splitlines():
        if in_html_table or "<table" in line.lower():
            out.append(line)
            in_html_table = in_html_table or "<table" in line.lower()
            if "</table>" in line.lower():
                in_html_table = False
            continue
        if _PIPE_ROW.match(line) or (pipe and _PIPE_RULE.match(line)):
            pipe.append(line)
            continue
        if pipe:
            out.append(_pipe_table(pipe))
            pipe = []
        if _PAGE_BREAK.match(line):
            continue
        plain = _plain(line)
        if plain:
            out.append(f"<p>{plain}</p>")
    if pipe:
        out.append(_pipe_table(pipe))
    return "<html><body>" + "\n".join(out) + "</body></html>"


def read_markdown(data: bytes) -> RawDocument:
    text = decode_text(data)
    soup = BeautifulSoup(to_html(text), "lxml")
    root = soup.body or soup
    shape = short_row_warnings(root)
    tables = tables_with_context(root, soup)
    warnings = (*markup_warnings(text), *shape)
    return RawDocument("markdown", tuple(tables), pages=None, warnings=warnings)

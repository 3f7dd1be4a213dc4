"""``extractors.pdf_content`` reads content streams into the objects pdfminer's own parser
gives, or declines and leaves them to pdfminer: on every page of every committed PDF, on
generated streams made of every kind of token pdfminer knows, and on the cases where
pdfminer's reading is odd (read here from pdfminer's psparser.py, the reference)."""

from __future__ import annotations

import io
import itertools
import zlib
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import minimal_pdf, pdf_of_objects
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, dict_value, list_value, resolve1, stream_value
from pdfminer.psparser import KWD, LIT, PSEOF

from extractors.pdf_content import LARGEST, content_objects
from extractors.pdf_glyphs import annotated_layout

ROOT = Path(__file__).parents[1]
UNREADABLE = {"encrypted.pdf", "not_a_pdf.pdf", "truncated.pdf"}
PDFS = sorted(
    p
    for p in [*(ROOT / "samples").rglob("*.pdf"), *(ROOT / "tests" / "fixtures").rglob("*.pdf")]
    if p.name not in UNREADABLE
)


def pdfminer_objects(streams: list[PDFStream]) -> list[Any] | str:
    """What pdfminer's parser hands its interpreter, or the name of what it raised."""
    try:
        parser = PDFContentParser(streams)
    except PSEOF:
        return []
    out: list[Any] = []
    while True:
        try:
            _, obj = parser.nextobject()
        except PSEOF:
            return out
        except Exception as error:  # an odd stream may make pdfminer raise
            return type(error).__name__
        out.append(obj)


def streams_of(*data: bytes) -> list[PDFStream]:
    return [PDFStream({}, chunk) for chunk in data]


def content_streams(path: Path) -> list[list[PDFStream]]:
    """Each page's content streams and each form XObject's stream the page names."""
    found: list[list[PDFStream]] = []
    with path.open("rb") as f:
        document = PDFDocument(PDFParser(f))
        for page in PDFPage.create_pages(document):
            found.append([stream_value(s) for s in list_value(page.contents)])
            resources = dict_value(page.resources)
            for xobject in dict_value(resources.get("XObject", {})).values():
                stream = resolve1(xobject)
                if isinstance(stream, PDFStream) and stream.get("Subtype") is LIT("Form"):
                    found.append([stream])
        for streams in found:
            for stream in streams:
                stream.get_data()  # read while the file is open
    return found


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_every_committed_pdf_reads_as_pdfminer_reads_it(path: Path) -> None:
    pages = content_streams(path)
    assert pages
    for number, streams in enumerate(pages, 1):
        ours = content_objects(streams)
        assert ours is not None, f"declined stream set {number}"
        assert ours == pdfminer_objects(streams), f"stream set {number}"


FRAGMENTS = [
    *[b"1", b"-2", b"+3", b"4.5", b"-.5", b".", b"-", b"+", b"1.2.3", b"5.", b"007", b"+-4"],
    *[b"/F1", b"/A#42", b"/A#4", b"/A#", b"/#", b"/", b"/a#zz", b"/\xe0", b"/#e0#b8#81", b"/a.b"],
    *[b"(x)", b"(a(b)c)", b"(a\\)b)", b"(\\101\\1022)", b"(\\n\\t\\\\\\b\\f\\r)", b"(\\q)"],
    *[b"(\\\r\nx)", b"(\\\nx)", b"(\\\rx)", b"(a((b)))", b"(\\777)", b"(\\0)", b"(", b"()"],
    *[b"<41>", b"<4 1>", b"<414>", b"<>", b"<41", b"<41 x", b"<", b"<<", b">>", b">", b">>>"],
    *[b"<</A 1>>", b"<</A>>", b"<</A [1 2] /B <</C (x)>>>>", b"[", b"]", b"{", b"}"],
    *[b"[1 (a) -2 <41>]", b"[(a) 120 (b)] TJ", b"TJ", b"Tj", b"T*", b"'", b'"', b"q", b"Q"],
    *[b"true", b"false", b"truex", b"BI", b"ID", b"EI", b"BDC", b"d0", b"%comment", b"%c\n"],
    *[b"\x00", b"\x80", b"#", b"*", b"!", b")"],
]
SEPARATORS = [b"", b" ", b"\n", b"\r\n", b"\r", b"\t", b"\x00", b"\x0c"]


@st.composite
def content(draw: st.DrawFn) -> list[bytes]:
    """A page's content, made of fragments and separators, cut into one to three streams
    at places that may fall inside a token."""
    parts = draw(
        st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=30)
    )
    data = b"".join(fragment + separator for fragment, separator in parts)
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=2)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=3000, deadline=None)
@given(content())
def test_any_stream_reads_as_pdfminer_reads_it_or_is_left_to_pdfminer(data: list[bytes]) -> None:
    ours = content_objects(streams_of(*data))
    if ours is not None:
        assert ours == pdfminer_objects(streams_of(*data))


PLAIN = [b"1", b"-2", b"4.5", b"/F1", b"/A#42", b"(x)", b"(a\\)b)", b"<41>", b"<</A 1>>"]
PLAIN += [b"[1 (a) -2]", b"TJ", b"T*", b"'", b"true", b"%comment\n", b"[", b"]"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN), max_size=40), st.integers(1, 3))
def test_streams_of_whole_tokens_are_read_here(tokens: list[bytes], count: int) -> None:
    """The fast path is taken for what real pages hold: whole tokens, each stream ending in
    a line break (a run of generated streams that all declined would prove nothing)."""
    per = max(1, len(tokens) // count)
    data = [b" ".join(tokens[i : i + per]) + b"\n" for i in range(0, len(tokens), per)]
    ours = content_objects(streams_of(*data))
    assert ours is not None
    assert ours == pdfminer_objects(streams_of(*data))


def test_tokens_as_the_pdf_reference_reads_them() -> None:
    ours = content_objects(
        streams_of(b"/A#42 (a\\101\\)b) <4142> [1 -2.5 (x)] <</K /V>> (p(q)r) T* 'true")
    )
    assert ours == [
        LIT("AB"),
        b"aA)b",
        b"AB",
        [1, -2.5, b"x"],
        {"K": LIT("V")},
        b"p(q)r",
        KWD(b"T*"),
        KWD(b"'"),
        True,
    ]


def test_an_array_left_open_swallows_the_rest_as_pdfminer_does() -> None:
    data = streams_of(b"1 0 0 1 5 5 cm [(a) TJ (b) Tj")
    assert content_objects(data) == [1, 0, 0, 1, 5, 5, KWD(b"cm")] == pdfminer_objects(data)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ((b"BI /W 1 /H 1 ID \x80 EI",), "an inline image: pdfminer reads its bytes itself"),
        ((b"(abc",), "a string the stream's end cuts"),
        ((b"<41",), "a hex string the stream's end cuts"),
        ((b"q /", b"F1 12 Tf"), "pdfminer reads a name cut by a stream's end on into the next"),
        ((b"q <", b"<>> Q"), "pdfminer reads '<' and the next stream's '<' as '<<'"),
        ((b"(a((b)))",), "brackets nested three deep"),
        ((b"(\\777)",), "an octal code over 255: pdfminer fails an assertion"),
        ((b"<</A>>",), "a key with no value: pdfminer raises PSSyntaxError"),
    ],
)
def test_what_is_left_to_pdfminer(data: tuple[bytes, ...], why: str) -> None:
    assert content_objects(streams_of(*data)) is None, why


def test_a_page_of_more_content_than_it_holds_at_once_is_left_to_pdfminer() -> None:
    """pdfminer hands its interpreter one token at a time; this reader holds a page's
    tokens all at once, so a page of huge content (a decompression bomb, a map drawn in
    millions of segments) stays with pdfminer and its memory use as it was."""
    operators = b"q Q\n" * (LARGEST // 4)
    assert content_objects(streams_of(operators)) == [KWD(b"q"), KWD(b"Q")] * (LARGEST // 4)
    assert content_objects(streams_of(operators, b"q Q\n")) is None


def test_an_escaped_line_break_at_pdfminers_buffer_edge_is_left_to_pdfminer() -> None:
    """pdfminer reads a stream 4096 bytes at a time and skips the LF of a backslash-CR-LF
    only when both are in one buffer."""
    for length in range(4090, 4100):
        data = streams_of(b" " * (length - 2) + b"(\\\r\nx) Tj")
        ours = content_objects(data)
        assert ours is None or ours == pdfminer_objects(data), length
    at_the_edge = streams_of(b" " * 4093 + b"(\\\r\nx) Tj")  # the CR is byte 4095
    assert content_objects(at_the_edge) is None
    assert pdfminer_objects(at_the_edge) == [b"\nx", KWD(b"Tj")]


def test_a_page_left_to_pdfminer_reads_as_pdfplumber_reads_it() -> None:
    """An inline image between two lines of text: the page is read by pdfminer's parser,
    and the chars and the image are pdfplumber's own."""
    pdf = minimal_pdf(
        zlib.compress(
            b"BT /F1 12 Tf 72 700 Td (Hi) Tj ET q 10 0 0 10 100 100 cm "
            b"BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q BT /F1 12 Tf 72 600 Td (There) Tj ET"
        )
    )
    with pdfplumber.open(io.BytesIO(pdf)) as ours, pdfplumber.open(io.BytesIO(pdf)) as plain:
        page = ours.pages[0]
        annotated_layout(page)
        assert "".join(c["text"] for c in page.chars) == "HiThere"
        assert len(page.images) == 1
        assert page.chars == plain.pages[0].chars
        streams = [stream_value(s) for s in list_value(page.page_obj.contents)]
        assert content_objects(streams) is None


def test_a_form_that_draws_itself_is_drawn_once_and_said_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A form XObject that names itself: pdfminer draws it once, refuses the second time
    and warns once; the warning is among the document's warnings (``pdfguard``)."""
    pdf = _pdf_drawing_a_form(b"/X1 Do", form=b"BT /F1 12 Tf 72 700 Td (Hi) Tj ET /X1 Do")
    with pdfplumber.open(io.BytesIO(pdf)) as ours, pdfplumber.open(io.BytesIO(pdf)) as plain:
        page = ours.pages[0]
        with caplog.at_level("WARNING", logger="pdfminer.pdfinterp"):
            annotated_layout(page)
        refusals = [r for r in caplog.records if "circular reference" in r.getMessage()]
        assert len(refusals) == 1
        assert "".join(c["text"] for c in page.chars) == "Hi"
        assert page.chars == plain.pages[0].chars


def _pdf_drawing_a_form(page: bytes, form: bytes) -> bytes:
    """A one-page PDF drawing ``page``, with a form XObject /X1 drawing ``form``; the form's
    resources name /X1 too, so the form may draw itself. Helvetica is /F1 for both."""
    resources = b"<< /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >>"
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            + resources
            + b" /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "
            + resources
            + b" /Length %d >>\nstream\n" % len(form)
            + form
            + b"\nendstream",
        ]
    )

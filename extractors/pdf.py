"""PDF reports: the report table on each page, its cells as lines of repaired Thai text.

Each page's chars are first recovered from what the PDF's own fonts say
(``extractors.pdf_glyphs``). A ruled table is then read from the lines around its cells
(``pdf_ruled``), a borderless one from where its text sits (``pdf_borderless``); each cell's
chars become visual lines of repaired Thai with the unrepaired text kept
(``extractors.pdf_text``). What the rows mean (header, sections, a row that a page break cut
in two) is decided by ``etl.transform.structure``, as for every format; this module only
tells it what the geometry shows.

Each page is read the way it can be (``PdfPages``, the same for ``extract``, ``text`` and
``ingest``): a sound text layer as it is; one that repairs fix, repaired; none, or one the
garbage gate (``extractors.ocr.gate``) rejects, by OCR (``extractors.ocr``): rendered,
deskewed, its ruled tables found from the image's own rules and each cell OCR'd, or its
words placed on the page for the borderless reader. ``--ocr never`` reads text layers only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from extractors.gc_tuning import fewer_collections
from extractors.model import Cell, RawDocument, RawTable, Row
from extractors.ocr.options import OcrOptions
from extractors.pdf_borderless import Carried, borderless_table
from extractors.pdf_page import PageChars, Table
from extractors.pdf_ruled import ruled_tables
from extractors.pdf_text import DocumentText, Line
from extractors.pdfguard import guarded
from schemas.records import PageReading, ReadBy

if TYPE_CHECKING:
    from extractors.pdf_decipher import GlyphKey


@dataclass
class _Placed:
    """A table with its page and the text printed above it (or a table an OCR engine gave
    as Markdown, already rows)."""

    page: int
    table: Table | None
    above: list[str]
    rows: tuple[Row, ...] = ()


@dataclass
class PageSource:
    """One page as it will be read: its chars (text layer or OCR words), or the tables and
    lines of an OCR engine's Markdown; neither when the page could not be read."""

    number: int
    reader: PageChars | None = None
    markdown: RawDocument | None = None
    lines: list[str] = field(default_factory=list)


@fewer_collections()
def read_pdf(
    data: bytes,
    password: str | None = None,
    ocr: OcrOptions | None = None,
    glyph_key: GlyphKey | None = None,
) -> RawDocument:
    """The PDF's tables. Glyphs with no usable text are read from the document's words once
    every page is seen (``extractors.pdf_decipher``); when a glyph held in doubt turns out to
    be another character, the pages are read again with the readings applied. What pdfminer
    warned about is among the warnings (``extractors.pdfguard``)."""
    with guarded() as said:
        raw = _read_pdf(data, password, ocr, glyph_key)
    return replace(raw, warnings=(*raw.warnings, *said))


def _read_pdf(
    data: bytes, password: str | None, ocr: OcrOptions | None, glyph_key: GlyphKey | None
) -> RawDocument:
    counts: Counter[str] = Counter()
    placed: list[_Placed] = []
    with PdfPages(data, password, ocr or OcrOptions(), counts, glyph_key) as pages:
        pending: list[str] = []
        borderless_above: Carried | None = None
        carried: Sequence[Cell] = ()
        for source in pages:
            if source.markdown is not None:
                for markdown_table in source.markdown.tables:
                    rows = tuple(Row(r.cells, page=source.number) for r in markdown_table.rows)
                    placed.append(
                        _Placed(
                            source.number,
                            None,
                            pending + list(markdown_table.preceding_lines),
                            rows,
                        )
                    )
                    pending = []
                pending += source.lines
                continue
            reader = source.reader
            if reader is None:
                continue
            found = ruled_tables(reader, carried)
            if not found:
                borderless = borderless_table(reader, borderless_above)
                if borderless:
                    found, borderless_above = [borderless[0]], borderless[1]
            top = 0.0
            for table in found:
                pending += reader.text((0.0, top, float(reader.page.width), table.bbox[1]))
                placed.append(_Placed(source.number, table, pending))
                pending, top = [], table.bbox[3]
                carried = table.rows[-1].cells if table.rows else ()
            if not found:
                pending += reader.text()
            reader.page.close()
        key = pages.recovery.key
    if key.reread and glyph_key is None:  # a glyph in doubt was another character
        return _read_pdf(data, password, ocr, key)
    tables, deciphered = key.read_tables(_raw_tables(placed))
    counts.update(deciphered)
    return RawDocument(
        "pdf",
        tables,
        pages=pages.count,
        warnings=tuple(pages.warnings),
        repairs=dict(counts),
        readings=tuple(pages.readings),
    )


@fewer_collections()
def read_pdf_text(
    data: bytes,
    password: str | None = None,
    ocr: OcrOptions | None = None,
    glyph_key: GlyphKey | None = None,
) -> tuple[DocumentText, list[str]]:
    """Every page's lines in reading order, read as ``read_pdf`` reads them (text layer,
    repaired, or OCR, glyphs read from the document's words), and the warnings about pages
    not read from their text layer and what pdfminer warned about."""
    with guarded() as said:
        document, warnings = _read_pdf_text(data, password, ocr, glyph_key)
    return document, [*warnings, *said]


def _read_pdf_text(
    data: bytes, password: str | None, ocr: OcrOptions | None, glyph_key: GlyphKey | None
) -> tuple[DocumentText, list[str]]:
    from extractors.pdf_text import PageText, deciphered_page

    counts: Counter[str] = Counter()
    texts: list[PageText] = []
    with PdfPages(data, password, ocr or OcrOptions(), counts, glyph_key) as pages:
        for source in pages:
            lines: list[Line] = []
            if source.reader is not None:
                lines = list(source.reader.lines())
                source.reader.page.close()
            elif source.markdown is not None:
                found = [*source.lines]
                for table in source.markdown.tables:
                    found += [*table.preceding_lines, *("\t".join(r.texts) for r in table.rows)]
                lines = [_text_line(text) for text in found]
            texts.append(PageText(source.number, tuple(lines)))
        recovery = pages.recovery
    if recovery.key.reread and glyph_key is None:
        return _read_pdf_text(data, password, ocr, recovery.key)
    if recovery.key.decided:
        texts = [deciphered_page(page_text, recovery) for page_text in texts]
    for page_text in texts:
        for line in page_text.lines:
            counts.update(dict(line.repairs))
    unread = tuple(r.page for r in pages.readings if r.read_by == "none")
    document = DocumentText(tuple(texts), counts, unread, recovery.key.decisions)
    return document, pages.warnings


def _text_line(text: str) -> Line:
    return Line(text, text, 0.0, 0.0, 0.0, 0.0, "", False, 0.0, ())


class PdfPages:
    """The pages of a PDF in order, each read the way it can be (module docstring), with a
    ``PageReading`` for each and the warnings a reader of the records needs. Raises an
    ``InputError`` when no page could be read at all."""

    def __init__(
        self,
        data: bytes,
        password: str | None,
        options: OcrOptions,
        counts: Counter[str],
        glyph_key: GlyphKey | None = None,
    ) -> None:
        from extractors.pdf_decipher import GlyphKey
        from extractors.pdf_glyphs import GlyphRecovery
        from extractors.pdfdoc import open_pdf

        self.data = data
        self.password = password
        self.options = options
        self.counts = counts
        self.pdf = open_pdf(data, password)
        self.count = len(self.pdf.pages)
        self.recovery = GlyphRecovery(
            self.pdf, key=glyph_key if glyph_key is not None else GlyphKey()
        )
        """Every page's glyphs read from the PDF's fonts; ``decide``d once all are seen."""
        self.readings: list[PageReading] = []
        self.warnings: list[str] = []
        self._runner: Any = None
        self._engine_error: Exception | None = None
        self._no_text: list[int] = []
        self._ocr_failed: dict[int, str] = {}
        self._garbage: list[tuple[int, float]] = []
        self._years: frozenset[int] = frozenset()  # written on the pages OCR'd so far

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            self._runner.close()
        self.pdf.close()

    def __iter__(self) -> Iterator[PageSource]:
        from extractors.ocr.gate import score_text
        from extractors.pdfdoc import page_error

        recovery = self.recovery
        mode = self.options.mode
        for page in self.pdf.pages:
            number = page.page_number
            try:
                chars, recovered = recovery.recover_chars(page)
            except MemoryError:
                raise  # the worker's memory limit, not a broken page
            except Exception as error:
                raise page_error(number, error) from None
            has_text = any(str(c["text"]).strip() for c in chars)
            if not has_text:
                self._no_text.append(number)
            if has_text and mode != "always":
                reader = PageChars(page, chars, self.counts)
                score = score_text("\n".join(reader.text()))
                if mode == "never" or not score.garbage:
                    repaired = bool(recovered) or any(ln.repairs for ln in reader.lines())
                    read_by: ReadBy = "repaired" if repaired else "text_layer"
                    self.readings.append(
                        PageReading(number, read_by, text_score=score.non_dictionary_share)
                    )
                    yield PageSource(number, reader)
                    continue
                self._garbage.append((number, score.non_dictionary_share))
                text_score: float | None = score.non_dictionary_share
            else:
                text_score = None
            if not has_text and mode == "never":
                self.readings.append(PageReading(number, "none", note="no text layer"))
                page.close()
                continue
            if not has_text and not (page.images or page.curves or page.rects or page.lines):
                # nothing drawn at all: a blank page, nothing for OCR to read
                self.readings.append(PageReading(number, "none", note="blank page"))
                page.close()
                continue
            page.close()
            yield self._ocr(number, text_score)
        self._finish(recovery.counts)
        recovery.decide()

    def _ocr(self, number: int, text_score: float | None) -> PageSource:
        from extractors.ocr.engine import OcrUnavailableError

        runner = self._runner
        if runner is None and self._engine_error is None:
            try:
                runner = self._runner = self._open_runner(number)
            except OcrUnavailableError as error:
                self._engine_error = error
        if runner is None:
            reason = str(self._engine_error)
            self.readings.append(PageReading(number, "none", text_score=text_score, note=reason))
            return PageSource(number)
        result = runner.get(number)
        engine = runner.engine.identity.split(" model ")[0]
        if result.page is None:
            self._ocr_failed[number] = result.error or "OCR failed"
            note = f"OCR failed: {result.error}"
            self.readings.append(
                PageReading(number, "none", engine, text_score=text_score, note=note)
            )
            return PageSource(number)
        scanned = result.page
        if scanned.markdown is not None:
            from bs4 import BeautifulSoup

            from extractors.markdown import read_markdown, to_html

            document = read_markdown(scanned.markdown.encode())
            self.readings.append(PageReading(number, "ocr", engine, None, text_score))
            text = BeautifulSoup(to_html(scanned.markdown), "lxml").get_text("\n")
            lines = [] if document.tables else [ln.strip() for ln in text.split("\n") if ln.strip()]
            return PageSource(number, markdown=document, lines=lines)
        from extractors.ocr.scan import ImagePage, edge_dicts, page_chars

        words = page_chars(scanned, years=self._years)
        self._years = words.years
        self.counts.update(words.corrections)
        image_page = ImagePage(
            number, scanned.width, scanned.height, edge_dicts(scanned.edges, scanned.height)
        )
        self.readings.append(PageReading(number, "ocr", engine, scanned.confidence, text_score))
        return PageSource(number, PageChars(image_page, words.chars, self.counts))

    def _open_runner(self, number: int) -> Any:
        from extractors.ocr.engine import open_engine
        from extractors.ocr.runner import OcrRunner

        runner = OcrRunner(self.data, open_engine(self.options), self.options, self.password)
        if self.options.mode == "always":
            runner.prefetch(range(number, self.count + 1))
        else:
            runner.prefetch([number, *runner.pages_without_text(number)])
        return runner

    def _finish(self, recovered: Counter[str]) -> None:
        """Warnings for the pages not read as text, and the error when none was read."""
        from extractors.ocr.engine import OcrUnavailableError
        from extractors.pdfdoc import describe_pages
        from schemas.errors import EmptyInputError, ScannedDocumentError

        self.counts.update(recovered)
        read = [r for r in self.readings if r.read_by != "none"]
        unread = [r.page for r in self.readings if r.read_by == "none"]
        if not read:
            if len(self._no_text) == self.count and not any(p.images for p in self.pdf.pages):
                raise EmptyInputError("the PDF has no text and no images: nothing to read")
            pages = tuple(unread)
            if self._engine_error is not None:
                raise OcrUnavailableError(
                    f"no text layer on {describe_pages(pages)}: {self._engine_error}",
                    pages=pages,
                )
            if self._ocr_failed:
                reasons = "; ".join(f"page {n}: {why}" for n, why in self._ocr_failed.items())
                raise ScannedDocumentError(f"OCR failed on every page ({reasons})", pages=pages)
            raise ScannedDocumentError(
                f"no text layer on {describe_pages(pages)}: OCR needed", pages=pages
            )
        for number, share in self._garbage:
            self.warnings.append(
                f"page {number}: the text layer is garbage ({share:.0%} of its Thai words "
                "are not words)" + ("; read by OCR" if number not in unread else "")
            )
        if self.options.mode == "never" and unread:
            self.warnings.append(f"no text layer on {describe_pages(unread)}: OCR needed")
        elif self._engine_error is not None and unread:
            self.warnings.append(f"{describe_pages(unread)} not read: {self._engine_error}")
        for number, why in self._ocr_failed.items():
            self.warnings.append(f"page {number} not read: {why}")
        by_ocr = [r for r in self.readings if r.read_by == "ocr"]
        if by_ocr:
            confidences = [r.confidence for r in by_ocr if r.confidence is not None]
            mean = (
                f", mean confidence {sum(confidences) / len(confidences):.0f}"
                if confidences
                else ""
            )
            self.warnings.append(
                f"{describe_pages([r.page for r in by_ocr])} read by OCR ({by_ocr[0].engine}"
                f"{mean}): check names and figures against the original"
            )


def _raw_tables(placed: list[_Placed]) -> list[RawTable]:
    """Tables in reading order. A table whose last row had no bottom rule on its page was
    cut by the page break, so the next page's first row continues it. A closed rule says
    nothing (Word and LibreOffice close a cut row's cells at the break):
    ``etl.transform.structure`` then decides from what the row holds."""
    tables = []
    for index, item in enumerate(placed):
        if item.table is None:
            tables.append(RawTable(item.rows, tuple(item.above)))
            continue
        before = placed[index - 1] if index else None
        cut = (
            before is not None
            and before.table is not None
            and before.page != item.page
            and (before.table.open_bottom or item.table.continues_above)
        )
        tables.append(RawTable(tuple(item.table.rows), tuple(item.above), True if cut else None))
    return tables

"""A document's pages OCR'd in parallel, each within its time budget.

Pages are looked up in the cache, first by the PDF's bytes and the page number (no
rendering: ``OcrCache.rendered``), then, rendered one at a time in the caller's thread
(PDFium is not thread-safe), by their pixels; the rest are recognised by ``workers``
threads. The reader asks for pages
in order; pages known to need OCR (no text at all, by PDFium's count) are started ahead, at
most two per thread (a 300-dpi page is 9 MB of pixels)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from extractors.ocr import budget
from extractors.ocr.cache import OcrCache
from extractors.ocr.engine import OcrEngine, OcrPageError
from extractors.ocr.options import OcrOptions
from extractors.ocr.scan import ScannedPage, image_key, scan_page


@dataclass(frozen=True)
class PageOcr:
    """One page's OCR: the page read, or why not (``error``); ``cached``: no OCR was run."""

    number: int
    page: ScannedPage | None
    error: str | None = None
    cached: bool = False


class OcrRunner:
    """OCR of one PDF's pages; use as a context manager."""

    def __init__(
        self, data: bytes, engine: OcrEngine, options: OcrOptions, password: str | None = None
    ) -> None:
        import pypdfium2

        self.engine = engine
        self.options = options
        self.cache = OcrCache(options.cache) if options.cache else None
        self.file_hash = hashlib.sha256(data).hexdigest() if self.cache else ""
        self.document: Any = pypdfium2.PdfDocument(data, password=password)
        self.workers = max(1, options.workers)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ita-etl ocr")
        self.started: dict[int, tuple[PageOcr | Future[ScannedPage], str | None]] = {}
        self.ahead: list[int] = []

    def __enter__(self) -> OcrRunner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for started, _ in self.started.values():
            if isinstance(started, Future):
                started.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.document.close()

    def pages_without_text(self, after: int) -> list[int]:
        """Pages after ``after`` (1-based) on which PDFium finds no text: OCR for sure."""
        found = []
        for index in range(after, len(self.document)):
            page = self.document[index]
            try:
                textpage = page.get_textpage()
                try:
                    if not textpage.get_text_range().strip():
                        found.append(index + 1)
                finally:
                    textpage.close()
            finally:
                page.close()
        return found

    def prefetch(self, numbers: Iterable[int]) -> None:
        """Start these pages ahead of being asked for, as the window allows."""
        self.ahead = [n for n in numbers if n not in self.started]
        self._top_up()

    def get(self, number: int) -> PageOcr:
        """Page ``number`` (1-based), OCR'd; waits for it."""
        if number not in self.started:
            self._start(number)
        started, key = self.started.pop(number)
        self.ahead = [n for n in self.ahead if n != number]
        self._top_up()
        if isinstance(started, PageOcr):
            return started
        try:
            page = started.result()
        except OcrPageError as error:
            return PageOcr(number, None, str(error))
        if self.cache is not None and key is not None:
            self.cache.put(key, page)
        return PageOcr(number, page)

    def _top_up(self) -> None:
        running = sum(1 for s, _ in self.started.values() if isinstance(s, Future))
        while self.ahead and running < 2 * self.workers:
            number = self.ahead.pop(0)
            if number not in self.started:
                self._start(number)
                running += 1

    def _start(self, number: int) -> None:
        """Take a page from the cache, or render it and start its OCR."""
        from extractors.ocr.render import render_page

        rendered_key = None
        if self.cache is not None:
            rendered_key = self.cache.rendered_key(self.file_hash, number - 1, self.options.dpi)
            known = self.cache.rendered(rendered_key)
            if known is not None:
                found = self.cache.key(known[0], self.engine.identity, known[1])
                hit = self.cache.get(found)
                if hit is not None:
                    self.started[number] = (PageOcr(number, hit, cached=True), found)
                    return
        try:
            image, dpi = render_page(self.document, number - 1, self.options.dpi)
        except OcrPageError as error:
            self.started[number] = (PageOcr(number, None, str(error)), None)
            return
        budget.page_rendered()
        page = self.document[number - 1]
        try:
            width, height = (float(v) for v in page.get_size())
        finally:
            page.close()
        key: str | None = None
        if self.cache is not None and rendered_key is not None:
            pixels = image_key(image)
            self.cache.put_rendered(rendered_key, pixels, dpi)
            key = self.cache.key(pixels, self.engine.identity, dpi)
            hit = self.cache.get(key)
            if hit is not None:
                self.started[number] = (PageOcr(number, hit, cached=True), key)
                return
        budget.page_started(self.options.page_timeout)
        timeout = self.options.page_timeout
        future = self.pool.submit(
            scan_page, self.engine, image, dpi, number, width, height, timeout
        )
        self.started[number] = (future, key)

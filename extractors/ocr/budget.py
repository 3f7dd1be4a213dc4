"""What OCR costs in this process: time (each page OCR'd brings its own budget) and pages.

Time: a worker's per-document limit is made for text PDFs; a scanned report needs more. The
OCR runner calls ``page_started`` before it hands a page to the engine, and whoever
supervises the process (a sandboxed worker, etl/orchestrate/workers.py) hears of it through
``listen`` and extends that document's limit by the page's budget. Outside a worker nobody
listens, and only the page's own time-out applies.

Pages: how many were OCR'd by the engine and how many came from the OCR cache
(``extractors.ocr.cache``), so that a batch can say, per document, that a re-run did not OCR
again (``counted`` before and after, as ``etl.orchestrate.parse`` does); and how many were
rendered, which a re-run of the same file need not do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

_listener: Callable[[float], None] | None = None
_lock = threading.Lock()
_run = 0
_cached = 0
_rendered = 0


@dataclass(frozen=True)
class OcrCount:
    """Pages OCR'd by the engine (``run``), taken from the cache (``cached``), and
    rendered to pixels (``rendered``: for OCR, or to find them in the cache by their
    pixels)."""

    run: int = 0
    cached: int = 0
    rendered: int = 0

    def __sub__(self, before: OcrCount) -> OcrCount:
        return OcrCount(
            self.run - before.run,
            self.cached - before.cached,
            self.rendered - before.rendered,
        )


def listen(listener: Callable[[float], None] | None) -> None:
    """Hear of every page's budget (seconds) before that page is OCR'd."""
    global _listener
    with _lock:
        _listener = listener


def page_started(seconds: float) -> None:
    """A page goes to the engine, with ``seconds`` to be read in."""
    global _run
    with _lock:
        _run += 1
        if _listener is not None:
            _listener(seconds)


def page_cached() -> None:
    """A page's OCR was found in the cache: no engine ran."""
    global _cached
    with _lock:
        _cached += 1


def page_rendered() -> None:
    """A page was rendered to pixels for OCR."""
    global _rendered
    with _lock:
        _rendered += 1


def counted() -> OcrCount:
    """Pages OCR'd, taken from the cache and rendered in this process so far."""
    with _lock:
        return OcrCount(_run, _cached, _rendered)

"""Time for OCR: a worker's per-document limit grows by one page's budget for each page
OCR'd, so that a normal scanned report is not killed by a limit made for text PDFs.

The OCR runner calls ``page_started`` before each page; whoever supervises the process (a
sandboxed worker, etl/orchestrate/workers.py) listens with ``listen``. Outside a worker
nobody listens and nothing happens."""

from __future__ import annotations

import threading
from collections.abc import Callable

_listener: Callable[[float], None] | None = None
_lock = threading.Lock()


def listen(listener: Callable[[float], None] | None) -> None:
    """Hear of every page's budget (seconds) before that page is OCR'd."""
    global _listener
    _listener = listener


def page_started(seconds: float) -> None:
    with _lock:
        if _listener is not None:
            _listener(seconds)

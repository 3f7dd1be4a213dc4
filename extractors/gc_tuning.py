"""Fewer garbage collections while a PDF is read.

pdfminer allocates millions of short-lived objects a document (tokens, chars, boxes), nearly
none of them in reference cycles, and CPython's collector runs a young-generation pass every
700 allocations and, every 100 of those, walks every live object, the interpreter's own
included. While a PDF is read the young generation is collected every 100,000 allocations
instead: 7-8% less CPU for ``extract`` on samples/pdf (docs/scaling.md). Cycles are still
collected, less often; the usual thresholds come back when the outermost read ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

READING_THRESHOLDS = (100_000, 50, 100)
_lock = threading.Lock()
_readers = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's thresholds for the duration (nested and threaded reads share
    one raise: the first in sets it, the last out restores what was there)."""
    global _readers, _saved
    with _lock:
        if _readers == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*READING_THRESHOLDS)
        _readers += 1
    try:
        yield
    finally:
        with _lock:
            _readers -= 1
            if _readers == 0:
                gc.set_threshold(*_saved)

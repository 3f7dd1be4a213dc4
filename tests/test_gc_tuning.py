"""Reading a PDF raises the collector's thresholds only while it reads (extractors.gc_tuning)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from extractors.gc_tuning import READING_THRESHOLDS, fewer_collections
from extractors.pdf import read_pdf

SAMPLE = Path(__file__).parents[1] / "samples" / "pdf"


def test_thresholds_come_back_after_a_read() -> None:
    before = gc.get_threshold()
    read_pdf((SAMPLE / "obt_nongbua_2567__weasyprint__Loma__ruled__portrait.pdf").read_bytes())
    assert gc.get_threshold() == before


def test_nested_and_concurrent_reads_share_one_raise() -> None:
    before = gc.get_threshold()
    inside = threading.Event()
    release = threading.Event()

    def other_reader() -> None:
        with fewer_collections():
            inside.set()
            release.wait()

    thread = threading.Thread(target=other_reader)
    with fewer_collections():
        with fewer_collections():
            assert gc.get_threshold() == READING_THRESHOLDS
        thread.start()
        inside.wait()
    assert gc.get_threshold() == READING_THRESHOLDS  # the other read goes on
    release.set()
    thread.join()
    assert gc.get_threshold() == before

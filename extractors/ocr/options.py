"""What a caller asks of OCR: plain, picklable values that travel from the CLI through
``IngestOptions`` and ``parse_source`` to ``extract_bytes`` and the PDF reader."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[OcrMode, ...] = ("auto", "always", "never")
EngineName = Literal["tesseract", "typhoon"]
ENGINES: tuple[EngineName, ...] = ("tesseract", "typhoon")

DEFAULT_DPI = 300
DEFAULT_PAGE_TIMEOUT = 120.0
"""Seconds one page's OCR may take (4–10 s is usual on a loaded 2-core machine)."""
CACHE_ENV = "ITA_ETL_OCR_CACHE"


@dataclass(frozen=True)
class OcrOptions:
    """How pages without a usable text layer are read.

    ``mode``: ``auto`` OCRs pages with no text layer or a garbage one, ``always`` every page,
    ``never`` none (such pages are reported, as before OCR existed). ``workers``: pages OCR'd
    at once within one document. ``cache``: folder of OCR results (None: no cache).
    ``typhoon_url``/``typhoon_key``/``typhoon_model``: the OpenAI-compatible server for
    ``engine="typhoon"`` (None: from $TYPHOON_BASE_URL / $TYPHOON_OCR_API_KEY)."""

    mode: OcrMode = "auto"
    engine: EngineName = "tesseract"
    workers: int = 1
    cache: str | None = None
    dpi: int = DEFAULT_DPI
    page_timeout: float = DEFAULT_PAGE_TIMEOUT
    typhoon_url: str | None = None
    typhoon_key: str | None = None
    typhoon_model: str = "typhoon-ocr"

    def __post_init__(self) -> None:
        if self.mode not in OCR_MODES:
            raise ValueError(f"OCR mode must be one of {', '.join(OCR_MODES)}, not {self.mode!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"OCR engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")

    def __repr__(self) -> str:  # never print the key
        key = "***" if self.typhoon_key else None
        return (
            f"OcrOptions(mode={self.mode!r}, engine={self.engine!r}, workers={self.workers}, "
            f"cache={self.cache!r}, dpi={self.dpi}, page_timeout={self.page_timeout}, "
            f"typhoon_url={self.typhoon_url!r}, typhoon_key={key}, "
            f"typhoon_model={self.typhoon_model!r})"
        )


def default_cache_dir() -> str | None:
    """``$ITA_ETL_OCR_CACHE``, else ``~/.cache/ita-etl/ocr`` (None when there is no home)."""
    if os.environ.get(CACHE_ENV):
        return os.environ[CACHE_ENV]
    try:
        return str(Path.home() / ".cache" / "ita-etl" / "ocr")
    except RuntimeError:
        return None

"""Tesseract 5 with its Thai model, through tesserocr.

tesserocr (the C++ API in-process) was chosen over pytesseract (the ``tesseract`` program
run per call) by measurement (docs/ocr.md): 1.0 s against 1.35 s for a whole page, and
1.1 s against 2.4 s for 30 cell crops, where pytesseract starts a process and loads the Thai
model for every crop. One API object per thread; tesserocr releases the GIL while it
recognises, so threads OCR pages in parallel.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from extractors.ocr.engine import (
    INSTALL_HINT,
    OcrPageError,
    OcrTimeoutError,
    OcrUnavailableError,
    OcrWord,
)

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGE = "tha"
"""Thai first: its model reads Latin letters and digits too, and reading every line with
English as well made Tesseract read "พ.ศ." as "W.A." and "อบต." as "DUA."."""
MIXED = "tha+eng"
"""A line with a word read at low confidence is read again with English as well (URLs,
"ITA", "(IIT)" come out of the Thai model as "งหพ.ุทอ…", "(|1)"): the reading with the
higher confidence, weighted by letters, is kept."""
_RETRY_BELOW = 75.0
"""Word confidence under which a line is read again with English. 60 at first: the Thai
model reads Latin in parentheses at 65–70 % ("(Download Forms)" as "(0๐๒๓ทเอ๐ลส
ถื๐หาร)", "(e-Service)" as "6รลหม6อ)"), and at 75 the mixed reading of those lines is
the more confident one. Measured on 20 real pages (benchmarks/ocr_quality.py): 1,071
characters off the text layer against 1,138 at 60, no page worse; lines read twice
about 142 of 630 against 89."""
_PAGE_PSM = 3
"""Fully automatic layout: columns of a borderless table become blocks of their own."""
_LINE_PSM = 7
"""One text line: lines are cut out before OCR (``extractors.ocr.lines``), because
Tesseract's line finder takes Thai upper marks for a line of their own."""
_WORD_PSM = 8
"""One word: a year read again, digits only."""
_DIGITS = "๐๑๒๓๔๕๖๗๘๙0123456789"
_TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


def tessdata_dir() -> Path | None:
    """Where the trained models are: ``$TESSDATA_PREFIX`` when set (and only there, as
    Tesseract itself does), else the usual system folders."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    for folder in [prefix] if prefix else _TESSDATA_DIRS:
        path = Path(folder)
        if (path / "tha.traineddata").is_file():
            return path
        if (path / "tessdata" / "tha.traineddata").is_file():
            return path / "tessdata"
    return None


@cache
def _model_identity(folder: str) -> str:
    digest = hashlib.sha256()
    for name in MIXED.split("+"):
        path = Path(folder) / f"{name}.traineddata"
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


class TesseractEngine:
    kind: Literal["words", "markdown"] = "words"

    def __init__(self, tesserocr: Any, folder: Path) -> None:
        self._tesserocr = tesserocr
        self._folder = folder
        self._local = threading.local()
        version = str(tesserocr.tesseract_version()).split()[1]
        self._identity = (
            f"tesseract {version} {LANGUAGE} model {_model_identity(str(folder))} "
            f"psm {_PAGE_PSM}/{_LINE_PSM} {MIXED} under {_RETRY_BELOW:g}"
        )

    @classmethod
    def open(cls) -> TesseractEngine:
        """The engine; raises ``OcrUnavailableError`` naming what to install."""
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # parallelism is ours, by page
        try:
            import tesserocr
        except ImportError:
            raise OcrUnavailableError(
                f"OCR needed but tesserocr is missing: {INSTALL_HINT}"
            ) from None
        folder = tessdata_dir()
        if folder is None:
            raise OcrUnavailableError(
                f"OCR needed but Tesseract's Thai model (tha.traineddata) is missing: "
                f"{INSTALL_HINT}"
            )
        return cls(tesserocr, folder)

    @property
    def identity(self) -> str:
        return self._identity

    def _api(self, psm: int, whitelist: str = "", language: str = LANGUAGE) -> Any:
        apis: dict[tuple[int, str, str], Any] = self._local.__dict__.setdefault("apis", {})
        if (psm, whitelist, language) not in apis:
            try:
                api = self._tesserocr.PyTessBaseAPI(path=str(self._folder), lang=language, psm=psm)
            except RuntimeError as error:
                raise OcrUnavailableError(
                    f"Tesseract cannot load its Thai model from {self._folder} ({error}): "
                    f"{INSTALL_HINT}"
                ) from None
            if whitelist:
                api.SetVariable("tessedit_char_whitelist", whitelist)
            apis[psm, whitelist, language] = api
        return apis[psm, whitelist, language]

    def words(self, image: Image, *, block: bool, timeout: float) -> list[OcrWord]:
        """Raises ``OcrTimeoutError`` past ``timeout`` seconds, both readings together."""
        deadline = time.monotonic() + timeout
        psm = _LINE_PSM if block else _PAGE_PSM
        found = self._read(self._api(psm), image, deadline)
        retry = block and (self._folder / "eng.traineddata").is_file()
        if retry and any(0 <= w.confidence < _RETRY_BELOW for w in found):
            mixed = self._read(self._api(psm, language=MIXED), image, deadline)
            if _weighted_confidence(mixed) > _weighted_confidence(found):
                return mixed
        return found

    def _read(self, api: Any, image: Image, deadline: float) -> list[OcrWord]:
        _recognize(api, image, deadline)
        level = self._tesserocr.RIL
        found: list[OcrWord] = []
        iterator = api.GetIterator()
        line, line_box = -1, (0, 0, 0, 0)
        if iterator is not None:
            while True:
                if iterator.IsAtBeginningOf(level.TEXTLINE):
                    line += 1
                    line_box = iterator.BoundingBox(level.TEXTLINE) or (0, 0, 0, 0)
                text = _text(iterator, level.WORD).strip()
                box = iterator.BoundingBox(level.WORD)
                if text and box:
                    space = iterator.BlanksBeforeWord() > 0
                    confidence = float(iterator.Confidence(level.WORD))
                    found.append(OcrWord(text, confidence, box, line, line_box, space))
                if not iterator.Next(level.WORD):
                    break
        api.Clear()
        return found

    def digits(self, image: Image, *, timeout: float) -> list[str]:
        """What one short run of digits (Thai or Arabic) may be, read with nothing but
        digits allowed, as a line and as a single word (Tesseract's Thai model reads the
        bold digits of title fonts differently each way, and often wrong both ways)."""
        deadline = time.monotonic() + timeout
        readings = []
        for psm in (_LINE_PSM, _WORD_PSM):
            api = self._api(psm, _DIGITS)
            _recognize(api, image, deadline)
            readings.append("".join(str(api.GetUTF8Text() or "").split()))
            api.Clear()
        return readings

    def markdown(self, image: Image, *, timeout: float) -> str:
        raise NotImplementedError("Tesseract reads words; typhoon-ocr reads Markdown")


def _recognize(api: Any, image: Image, deadline: float) -> None:
    """Recognise ``image`` by ``deadline`` (``time.monotonic``); raises ``OcrTimeoutError``.

    tesserocr's ``Recognize(timeout)`` takes whole milliseconds and reads 0 or less as no
    limit at all: the time left, truncated to milliseconds, once gave a page's last
    sub-millisecond (or a spent budget) no limit. It is rounded up, so any time left is a
    limit, and none left stops before Tesseract starts. Tesseract looks at its deadline
    between words, so a reading overruns it by at most one word (a Thai line without spaces
    is often one word: about 0.1 s at 300 dpi)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeoutError("OCR timed out")
    api.SetImage(image)
    recognised = api.Recognize(max(1, math.ceil(left * 1000)))
    if not recognised:
        api.Clear()
        if time.monotonic() < deadline:  # stopped with time left: not the deadline
            raise OcrPageError("Tesseract could not recognise the page")
        raise OcrTimeoutError("OCR timed out")


def _weighted_confidence(words: list[OcrWord]) -> float:
    letters = sum(len(w.text) for w in words)
    return sum(len(w.text) * w.confidence for w in words) / letters if letters else -1.0


def _text(iterator: Any, level: int) -> str:
    try:
        return str(iterator.GetUTF8Text(level) or "")
    except RuntimeError:  # something Tesseract found but could not read
        return ""

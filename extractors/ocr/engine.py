"""The interface every OCR engine meets, and what it returns.

An engine either reads words (text, confidence, box, line) from an image — Tesseract — so
that tables are rebuilt from the page's own rules and word positions, or reads a whole page
as Markdown with HTML tables — typhoon-ocr — which goes through the Markdown reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from schemas.errors import ScannedDocumentError

if TYPE_CHECKING:
    from PIL.Image import Image

    from extractors.ocr.options import OcrOptions

INSTALL_HINT = (
    "install Tesseract with its Thai model (apt-get install tesseract-ocr tesseract-ocr-tha) "
    "and the OCR extra (pip install 'ita-etl[ocr]')"
)


@dataclass(frozen=True)
class OcrWord:
    """A word the engine read: its text, confidence (0–100), box in pixels of the image it
    was read from, the line it belongs to (words of one line share ``line``), and whether the
    engine put a space before it. Tesseract's Thai "words" are often single letters: only
    its own line text says where the spaces are, so that is kept, not guessed from gaps."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]
    line: int
    line_box: tuple[int, int, int, int]
    space_before: bool = True
    again: str = ""
    """Where a year must be and the engine read none: the same ink read again with digits
    only, its readings separated by spaces (``extractors.ocr.scan``); evidence for the
    clean-up, never the text itself."""
    bold: bool = False
    """Its line's strokes are heavier than the page's usual: bold type."""
    engine_text: str = ""
    """What the engine read, where its Thai digits were read again by their shape
    (``extractors.ocr.glyphs``) and came out otherwise: the item's ``raw``."""


class OcrUnavailableError(ScannedDocumentError):
    """Pages need OCR and the engine cannot run here (not installed, no model, no server)."""


class OcrPageError(Exception):
    """One page could not be OCR'd (time-out, too large): the page is skipped and named."""


class OcrTimeoutError(OcrPageError):
    """The engine stopped at the time it was given. The page's reader says so with the
    page's whole budget (``extractors.ocr.scan``), not the remainder the engine was given."""


class OcrEngine(Protocol):
    kind: Literal["words", "markdown"]

    @property
    def identity(self) -> str:
        """Engine, version, model and settings: part of the cache key, so that a new model
        OCRs again and a new parser version does not."""

    def words(self, image: Image, *, block: bool, timeout: float) -> list[OcrWord]:
        """The words of an image: a whole page (``block=False``, layout analysis on) or one
        line of text (``block=True``: a line cut out by ``extractors.ocr.lines``). Raises
        ``OcrPageError``."""

    def markdown(self, image: Image, *, timeout: float) -> str:
        """The page as Markdown (HTML tables). Raises ``OcrPageError``."""


def open_engine(options: OcrOptions) -> OcrEngine:
    """The engine ``options`` name, checked to be usable; raises ``OcrUnavailableError``."""
    if options.engine == "typhoon":
        from extractors.ocr.typhoon import TyphoonEngine

        return TyphoonEngine.from_options(options)
    from extractors.ocr.tesseract import TesseractEngine

    return TesseractEngine.open()

"""Reading pages without a usable text layer: render, OCR on the CPU, tables from the image.

- ``options``: what the caller asks for (``--ocr auto|always|never``, the engine, workers);
- ``gate``: whether a text layer is garbage (a measured score, docs/ocr.md);
- ``engine``: the interface an OCR engine meets; ``tesseract`` (words with boxes and
  confidences) and ``typhoon`` (Markdown from an OpenAI-compatible server) meet it;
- ``render``, ``image``: page to pixels (pypdfium2), deskew and table rules (OpenCV);
- ``scan``: one page image to words placed on the page, cells OCR'd one by one;
- ``cleanup``: Thai-aware corrections of OCR text, only on clear evidence;
- ``cache``: OCR results kept by page image and engine, so a re-run does not OCR again;
- ``runner``: pages OCR'd in parallel, each within its time budget.

Only ``options`` and ``gate`` are imported by the PDF reader up front: the rest loads when a
page needs OCR, so reading text-layer PDFs never pays for OpenCV or Tesseract.
"""

from extractors.ocr.options import OcrOptions

__all__ = ["OcrOptions"]

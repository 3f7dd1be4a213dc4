"""typhoon-ocr behind an OpenAI-compatible server: a page image in, Markdown with HTML tables
out, read by the Markdown reader (extractors/markdown.py).

The request is the one the ``typhoon-ocr`` package (PyPI) sends with its "v1.5" prompt: a
chat completion whose user message holds the prompt and the page as a base64 image, with the
package's sampling settings. Sent with the standard library (no OpenAI client needed); no
GPU here, so tests check this request/response contract against a recorded response served
from a local HTTP server (tests/test_ocr_typhoon.py)."""

from __future__ import annotations

import base64
import io
import json
import os
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any, Literal

from extractors.ocr.engine import OcrPageError, OcrUnavailableError, OcrWord

if TYPE_CHECKING:
    from PIL.Image import Image

    from extractors.ocr.options import OcrOptions

PROMPT = """Extract all text from the image.


Instructions:
- Only return the clean Markdown.
- Do not include any explanation or extra text.
- You must include all information on the page.


Formatting Rules:
- Tables: Render tables using <table>...</table> in clean HTML format.
- Equations: Render equations using LaTeX syntax with inline ($...$) and block ($$...$$).
- Images/Charts/Diagrams: Wrap any clearly defined visual areas (e.g. charts, diagrams, pictures) in:


<figure>
Describe the image's main elements (people, objects, text), note any contextual clues (place, event, culture), mention visible text and its meaning, provide deeper analysis when relevant (especially for financial charts, graphs, or documents), comment on style or architecture if relevant, then give a concise overall summary. Describe in Thai.
</figure>


- Page Numbers: Wrap page numbers in <page_number>...</page_number> (e.g., <page_number>14</page_number>).
- Checkboxes: Use ☐ for unchecked and ☑ for checked boxes.
    """
"""typhoon-ocr 0.4.1's "v1.5" prompt (``ocr_utils.PROMPTS_SYS``), word for word."""
MAX_SIDE = 1800
"""The package's ``target_image_dim``: the page's longest side, in pixels, sent."""
URL_ENV = "TYPHOON_BASE_URL"
KEY_ENVS = ("TYPHOON_OCR_API_KEY", "TYPHOON_API_KEY", "OPENAI_API_KEY")


class TyphoonEngine:
    kind: Literal["words", "markdown"] = "markdown"

    def __init__(self, url: str, key: str | None, model: str) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.model = model

    @classmethod
    def from_options(cls, options: OcrOptions) -> TyphoonEngine:
        url = options.typhoon_url or os.environ.get(URL_ENV)
        if not url:
            raise OcrUnavailableError(
                f"OCR engine typhoon needs its server's URL: --typhoon-url or ${URL_ENV}"
            )
        key = options.typhoon_key or next(
            (os.environ[name] for name in KEY_ENVS if os.environ.get(name)), None
        )
        return cls(url, key, options.typhoon_model)

    @property
    def identity(self) -> str:
        return f"typhoon {self.model} model {self.url} prompt v1.5"

    def words(self, image: Image, *, block: bool, timeout: float) -> list[OcrWord]:
        raise NotImplementedError("typhoon-ocr reads Markdown, not words")

    def request(self, image: Image) -> dict[str, Any]:
        """The chat completion request for one page."""
        return {
            "model": self.model,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": PROMPT},
                        {
                            "type": "image_url",
                            "image_url": {"url": f"data:image/png;base64,{_base64_png(image)}"},
                        },
                    ],
                }
            ],
            "max_tokens": 16384,
            "temperature": 0.1,
            "top_p": 0.6,
            "repetition_penalty": 1.1,
        }

    def markdown(self, image: Image, *, timeout: float) -> str:
        body = json.dumps(self.request(image)).encode()
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        request = urllib.request.Request(
            f"{self.url}/chat/completions", body, headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise OcrPageError(f"typhoon-ocr server answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise OcrPageError(f"typhoon-ocr server unreachable ({reason})") from None
        except ValueError:
            raise OcrPageError("typhoon-ocr server answered with something not JSON") from None
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise OcrPageError("typhoon-ocr answer has no choices[0].message.content") from None
        return _unwrap(str(content or ""))


def _unwrap(content: str) -> str:
    """The Markdown, whether sent bare (v1.5) or as {"natural_text": ...} (older prompts)."""
    stripped = content.strip()
    if stripped.startswith("{"):
        try:
            return str(json.loads(stripped)["natural_text"])
        except (ValueError, KeyError, TypeError):
            return content
    return content


def _base64_png(image: Image) -> str:
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        from PIL import Image as PILImage

        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()

"""typhoon-ocr behind an OpenAI-compatible server: a page image in, Markdown with HTML tables
out, read by the Markdown reader (extractors/markdown.py).

The request is the one the ``typhoon-ocr`` package (PyPI) sends with its "v1.5" prompt: a
chat completion whose user message holds the prompt and the page as a base64 image, with the
package's sampling settings. Sent with the standard library (no OpenAI client needed); no
GPU here, so tests check this request/response contract against a recorded response served
from a local HTTP server (tests/test_ocr_typhoon.py)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import os
import socket
import threading
import urllib.parse
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
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OcrUnavailableError(
                f"the typhoon-ocr server's URL must be http(s)://HOST[:PORT]/PATH, not {url!r}"
            )
        self._parts = parts
        self._down: str | None = None
        """Why the server could not be reached: later pages fail at once with it, instead of
        each waiting for a server that is not there."""

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
        """The page as the server reads it; raises ``OcrPageError`` with one line saying
        what went wrong (no answer within ``timeout`` seconds in all, an HTTP error and the
        server's own message, an answer that is not a chat completion)."""
        if self._down is not None:
            raise OcrPageError(self._down)
        body = json.dumps(self.request(image)).encode()
        status, reason, answer = self._post(body, timeout)
        where = f"typhoon-ocr server {self.url}"
        if status != 200:
            detail = _error_message(answer)
            raise OcrPageError(f"{where} answered {status} {reason}{detail}")
        try:
            content = json.loads(answer)["choices"][0]["message"]["content"]
        except ValueError:
            raise OcrPageError(f"{where} answered with something not JSON") from None
        except (KeyError, IndexError, TypeError):
            raise OcrPageError(f"{where} answered without choices[0].message.content") from None
        if not isinstance(content, str):
            raise OcrPageError(f"{where} answered without choices[0].message.content")
        return _unwrap(content)

    def _post(self, body: bytes, timeout: float) -> tuple[int, str, bytes]:
        """POST to ``/chat/completions``, all of it (connecting, sending, the model's
        thinking, reading) within ``timeout`` seconds: a timer cuts the connection then, as a
        socket timeout alone would not stop a server that trickles its answer."""
        parts = self._parts
        connection_type = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_type(parts.hostname or "", parts.port, timeout=timeout)
        path = f"{parts.path.rstrip('/')}/chat/completions" + (
            f"?{parts.query}" if parts.query else ""
        )
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        where = f"typhoon-ocr server {self.url}"
        timed_out = threading.Event()
        timer = threading.Timer(timeout, _cut, (connection, timed_out))
        timer.daemon = True
        timer.start()
        try:
            try:
                connection.connect()
            except (OSError, http.client.HTTPException) as error:
                why = (
                    f"no connection within {timeout:g} s"
                    if timed_out.is_set() or isinstance(error, TimeoutError)
                    else _reason(error)
                )
                self._down = f"{where} cannot be reached ({why})"
                raise OcrPageError(self._down) from None
            late = OcrPageError(f"{where} did not answer within {timeout:g} s")
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                answer = response.status, response.reason, response.read()
            except (OSError, http.client.HTTPException) as error:
                if timed_out.is_set() or isinstance(error, TimeoutError):
                    raise late from None
                raise OcrPageError(f"{where} broke off its answer ({_reason(error)})") from None
            if timed_out.is_set():  # cut short: what was read is not the whole answer
                raise late
            return answer
        finally:
            timer.cancel()
            connection.close()


def _cut(connection: http.client.HTTPConnection, timed_out: threading.Event) -> None:
    """The page's time is up: shut the socket, so that whatever read is waiting returns."""
    timed_out.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _reason(error: BaseException) -> str:
    return str(getattr(error, "strerror", None) or error or type(error).__name__)


def _error_message(answer: bytes) -> str:
    """The server's own word on an error (OpenAI's ``{"error": {"message": ...}}``, or
    FastAPI's ``{"detail": ...}``), on one line; empty when it said nothing readable."""
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error or data.get("detail")
    if not message:
        return ""
    text = " ".join(str(message).split())
    return f": {text[:200]}"


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

"""``--ocr-engine typhoon`` against a recorded response served by a real HTTP server here.

There is no GPU here to run typhoon-ocr: the server (a ``ThreadingHTTPServer`` on 127.0.0.1)
answers with a recorded chat completion (tests/fixtures/typhoon/, whose README says how it was
written), and logs every request, so the tests check the request the engine sends (path,
model, key, prompt, the page as a base64 PNG, the package's sampling settings) and the records
``ita-etl`` makes of the answer. Expected records come from the page's source,
samples/obt_nongbua_2567.md, read by the Markdown reader; the prompt and settings from the
``typhoon-ocr`` package (0.4.1). The command runs as a real process, as a user runs it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import ITA_ETL, SAMPLES
from PIL import Image
from sqlalchemy import create_engine, text

from etl import extract_file

HERE = Path(__file__).parent
RECORDED = HERE / "fixtures" / "typhoon"
SCAN = HERE / "fixtures" / "scans" / "obt_nongbua_2567__weasyprint__Loma__ruled__portrait__scan.pdf"
MODEL = "typhoon-ocr-1.5-2b"
KEY = "sk-test-7f3a"
ROLES = ("measure", "result", "outcome", "unit")


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


Answer = Callable[["Handler"], None]


@dataclass
class Server:
    """A typhoon-ocr stand-in: ``answer`` says how it answers; ``requests`` what it got."""

    answer: Answer
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    """Set when the test ends: a request held unanswered (``hang``) is let go."""
    base: str = ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def do_POST(self) -> None:
        served: Server = self.server.served  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unreadable": raw[:200].decode("latin-1")}
        served.requests.append(Request(self.path, dict(self.headers.items()), body))
        served.answer(self)

    def send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def recorded(handler: Handler) -> None:
    handler.send(200, (RECORDED / "obt_nongbua_2567_page1.json").read_bytes())


def server_error(handler: Handler) -> None:
    error = {"error": {"message": "CUDA out of memory", "type": "InternalServerError"}}
    handler.send(500, json.dumps(error).encode())


def not_json(handler: Handler) -> None:
    handler.send(200, b"<html><body><h1>Sign in</h1></body></html>", "text/html")


def no_choices(handler: Handler) -> None:
    handler.send(200, json.dumps({"object": "chat.completion", "choices": []}).encode())


def hang(handler: Handler) -> None:
    """Never answer (until the test ends): the model is stuck."""
    handler.server.served.release.wait()  # type: ignore[attr-defined]


def trickle(handler: Handler) -> None:
    """Keep the connection busy with a header line every 0.2 s and never finish: a socket
    time-out alone would never fire."""
    served: Server = handler.server.served  # type: ignore[attr-defined]
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not served.release.wait(0.2):
            handler.wfile.write(b"X-Still-Thinking: yes\r\n")
            handler.wfile.flush()
    except OSError:  # the client gave up: what the test waits for
        pass


@pytest.fixture
def typhoon() -> Iterator[Callable[[Answer], Server]]:
    started: list[tuple[ThreadingHTTPServer, Server, threading.Thread]] = []

    def start(answer: Answer) -> Server:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        served = Server(answer, base=f"http://127.0.0.1:{httpd.server_address[1]}/v1")
        httpd.served = served  # type: ignore[attr-defined]
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        started.append((httpd, served, thread))
        return served

    yield start
    for httpd, served, thread in started:
        served.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TYPHOON_")}
    environment.update(env or {})
    return subprocess.run(
        [*ITA_ETL, *args], capture_output=True, text=True, timeout=300, env=environment
    )


def typhoon_args(server: Server, *more: str) -> list[str]:
    return ["--ocr-engine", "typhoon", "--typhoon-url", server.base, *more]


def source_items() -> dict[str, list[str]]:
    want = extract_file(SAMPLES / "obt_nongbua_2567.md")
    return {role: [i.text for i in want.items(role)] for role in ROLES}


@pytest.mark.slow
def test_a_page_read_by_typhoon_gives_the_records_its_markdown_holds(
    typhoon: Callable[[Answer], Server], tmp_path: Path
) -> None:
    server = typhoon(recorded)
    done = run(
        "extract",
        *typhoon_args(server, "--typhoon-model", MODEL, "--ocr", "always"),
        "--ocr-cache",
        str(tmp_path / "cache"),
        str(SCAN),
        env={"TYPHOON_OCR_API_KEY": KEY},
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)

    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    body = request.body
    assert body["model"] == MODEL
    # the typhoon-ocr package's settings for its v1.5 prompt (ocr_utils.ocr_document)
    assert (body["max_tokens"], body["temperature"], body["top_p"]) == (16384, 0.1, 0.6)
    assert body["repetition_penalty"] == 1.1
    [message] = body["messages"]
    assert message["role"] == "user"
    prompt, picture = message["content"]
    assert prompt == {"type": "text", "text": (RECORDED / "prompt_v1_5.txt").read_text()}
    assert picture["type"] == "image_url"
    url = picture["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.removeprefix("data:image/png;base64,"))))
    assert image.format == "PNG"
    # the page (A4 portrait, 595 x 842 pt) with its longest side at the package's 1800 px
    assert image.height == 1800
    assert abs(image.width - 1800 * 595 / 842) <= 2

    assert doc["report"]["agency"] == "องค์การบริหารส่วนตำบลหนองบัว"
    assert doc["report"]["fiscal_year_be"] == 2567
    got = {
        role: [i["text"] for e in doc["entries"] for i in e["items"] if i["role"] == role]
        for role in ROLES
    }
    assert got == source_items()
    [page] = doc["pages_read"]
    assert page["page"] == 1
    assert page["read_by"] == "ocr"
    assert page["engine"] == f"typhoon {MODEL}"
    assert page["confidence"] is None  # the model gives none
    assert any("read by OCR (typhoon" in w for w in doc["warnings"])

    again = run(
        "extract",
        *typhoon_args(server, "--typhoon-model", MODEL, "--ocr", "always"),
        "--ocr-cache",
        str(tmp_path / "cache"),
        str(SCAN),
        env={"TYPHOON_OCR_API_KEY": KEY},
    )
    assert again.returncode == 0, again.stderr
    assert len(server.requests) == 1  # the page came from the OCR cache
    assert json.loads(again.stdout)["entries"] == doc["entries"]


@pytest.mark.slow
def test_the_key_option_wins_over_the_environment_and_none_is_sent_without_one(
    typhoon: Callable[[Answer], Server],
) -> None:
    server = typhoon(recorded)
    with_key = run(
        "extract",
        *typhoon_args(server, "--typhoon-key", "sk-from-option", "--ocr-cache", "off"),
        str(SCAN),
        env={"TYPHOON_OCR_API_KEY": KEY},
    )
    without = run("extract", *typhoon_args(server, "--ocr-cache", "off"), str(SCAN))
    assert with_key.returncode == without.returncode == 0, with_key.stderr + without.stderr
    first, second = server.requests
    assert first.headers["Authorization"] == "Bearer sk-from-option"
    assert "Authorization" not in second.headers
    assert first.body["model"] == second.body["model"] == "typhoon-ocr"  # the package's default


BAD_ANSWERS = [
    pytest.param(
        server_error,
        "answered 500 Internal Server Error: CUDA out of memory",
        id="http-500",
    ),
    pytest.param(not_json, "answered with something not JSON", id="not-json"),
    pytest.param(no_choices, "answered without choices[0].message.content", id="no-choices"),
    pytest.param(hang, "did not answer within 2 s", id="time-out"),
    pytest.param(trickle, "did not answer within 2 s", id="trickle"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "reason"), BAD_ANSWERS)
def test_a_bad_answer_is_one_clear_line(
    typhoon: Callable[[Answer], Server], answer: Answer, reason: str
) -> None:
    server = typhoon(answer)
    done = run(
        "extract",
        *typhoon_args(server, "--ocr-cache", "off", "--ocr-page-timeout", "2"),
        str(SCAN),
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line == (
        f"error: {SCAN}: OCR failed on every page "
        f"(page 1: typhoon-ocr server {server.base} {reason})"
    )


@pytest.mark.slow
def test_a_server_that_is_not_there_is_named_once_per_page_without_waiting(
    tmp_path: Path,
) -> None:
    """Nothing listens on the port: every page fails at once, saying so."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scan = HERE / "fixtures" / "scans"
    two_pages = scan / "obt_nongbua_2567__libreoffice__Laksaman__borderless__portrait__scan.pdf"
    done = run(
        "extract",
        "--ocr-engine",
        "typhoon",
        "--typhoon-url",
        f"http://127.0.0.1:{port}/v1",
        "--ocr-cache",
        "off",
        str(two_pages),
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert f"typhoon-ocr server http://127.0.0.1:{port}/v1 cannot be reached" in line
    assert "page 1:" in line and "page 2:" in line


@pytest.mark.slow
def test_a_bad_answer_in_a_batch_is_recorded_and_the_rest_goes_on(
    typhoon: Callable[[Answer], Server], tmp_path: Path
) -> None:
    server = typhoon(server_error)
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / SCAN.name).write_bytes(SCAN.read_bytes())
    (folder / "dla_2566.txt").write_bytes((SAMPLES / "dla_2566.txt").read_bytes())
    db = tmp_path / "ita.db"
    done = run(
        "ingest",
        str(folder),
        "--db",
        str(db),
        "-w",
        "2",
        "--log-format",
        "json",
        *typhoon_args(server, "--ocr-cache", "off"),
    )
    assert done.returncode == 1, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    documents = {Path(e["path"]).name: e for e in events if e["event"] == "document"}
    reason = (
        f"OCR failed on every page (page 1: typhoon-ocr server {server.base} "
        "answered 500 Internal Server Error: CUDA out of memory)"
    )
    assert documents[SCAN.name]["status"] == "failed"
    assert documents[SCAN.name]["error"] == reason
    assert documents["dla_2566.txt"]["status"] == "new"
    assert len(server.requests) == 1
    with create_engine(f"sqlite:///{db}").connect() as connection:
        rows = connection.execute(
            text("SELECT path, status, stage, error FROM sources ORDER BY path")
        ).all()
    assert [(Path(p).name, s, st, e) for p, s, st, e in rows] == [
        ("dla_2566.txt", "new", None, None),
        (SCAN.name, "failed", "input", reason),
    ]

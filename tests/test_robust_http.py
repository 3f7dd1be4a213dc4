"""Hostile and broken web servers (issue 13): each answer is written byte for byte by a real
TCP server on 127.0.0.1 started here, so http.client meets the bad bytes for real.

A cut-short body, a malformed answer or a trickle that never ends is a failure of that URL,
recorded (``urls.error``), and the rest of the batch loads; the last good download stays the
current version.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import HANG_GUARD, ITA_ETL, SAMPLES, ingest
from sqlalchemy import create_engine, text

from loaders.db import resolve_url

Answer = Callable[[socket.socket, threading.Event], None]


@dataclass
class RawSite:
    """What the server answers, by request path: a function writing raw bytes to the
    connection (closed after it), and the paths asked for, in order."""

    answers: dict[str, Answer] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    base: str = ""
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        path = head.split(b" ", 2)[1].decode()
        site = self.server.site
        site.asked.append(path)
        answer = site.answers.get(path, raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        with contextlib.suppress(OSError):  # the client hung up: that is its right
            answer(self.request, site.stop)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: RawSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site


@pytest.fixture
def raw_site() -> Iterator[RawSite]:
    site = RawSite()
    server = _Server(site)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()


def raw(data: bytes) -> Answer:
    def answer(conn: socket.socket, _stop: threading.Event) -> None:
        conn.sendall(data)

    return answer


def ok(body: bytes, *headers: str, declared: int | None = None) -> Answer:
    """A 200 with ``body``; ``declared``: the Content-Length announced (default: the truth)."""
    lines = [
        "HTTP/1.1 200 OK",
        f"Content-Length: {len(body) if declared is None else declared}",
        "Content-Type: application/octet-stream",
        "Connection: close",
        *headers,
    ]
    return raw(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def trickle(size: int, every: float = 0.05) -> Answer:
    """Announce ``size`` bytes, then send one byte each ``every`` seconds until stopped."""

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        for _ in range(size):
            if stop.wait(every):
                return
            conn.sendall(b"x")

    return answer


def url_rows(db: str) -> dict[str, tuple[str | None, str | None]]:
    """Each URL's remembered sha256 and last error."""
    engine = create_engine(resolve_url(db))
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT url, sha256, error FROM urls"))
            return {row.url: (row.sha256, row.error) for row in rows}
    finally:
        engine.dispose()


def current_versions(db: str) -> list[tuple[int, int, bool]]:
    """(fiscal year, version, superseded) of every report version."""
    engine = create_engine(resolve_url(db))
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT fiscal_year_be, version, superseded FROM reports ORDER BY 1, 2")
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ITA_ETL, *args], capture_output=True, text=True, timeout=HANG_GUARD, stdin=None
    )


# --- 1. a cut-short download ----------------------------------------------------------------


def test_cut_short_download_is_a_fetch_failure_and_the_whole_version_stays_current(
    raw_site: RawSite, tmp_path: Path
) -> None:
    body = (SAMPLES / "dla_2566.txt").read_bytes()
    db = str(tmp_path / "ita.db")
    raw_site.answers["/ita.txt"] = ok(body, 'ETag: "v1"')
    first = ingest(db, [raw_site.url("/ita.txt")], workers=0, keep_results=True)
    assert [r.status for r in first.results] == ["new"]
    whole = url_rows(db)[raw_site.url("/ita.txt")][0]

    # a new ETag, the whole length announced, 60% of the bytes sent, then the connection shut
    cut = body.rindex(b"\n", 0, len(body) * 6 // 10) + 1  # still a readable report
    raw_site.answers["/ita.txt"] = ok(body[:cut], 'ETag: "v2"', declared=len(body))
    second = run_cli("ingest", raw_site.url("/ita.txt"), "--db", db, "-w", "0")
    assert second.returncode == 1, second.stdout + second.stderr
    assert "0 new, 0 updated" in second.stdout
    (line,) = second.stderr.splitlines()
    assert line == (
        f"{raw_site.url('/ita.txt')}: cannot fetch: the server sent {cut:,} of the "
        f"{len(body):,} bytes it announced"
    )
    assert current_versions(db) == [(2566, 1, False)]
    sha256, error = url_rows(db)[raw_site.url("/ita.txt")]
    assert sha256 == whole  # the last good download is still the one remembered
    assert error is not None and "announced" in error
    kept = [p for p in (tmp_path / "ita-etl-blobs").rglob("*") if p.is_file()]
    assert [p.name for p in kept] == [whole]  # the cut body was not kept


def test_chunked_body_cut_short_is_a_fetch_failure(raw_site: RawSite, tmp_path: Path) -> None:
    raw_site.answers["/chunked.txt"] = raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + b"a" * 100
    )
    summary = ingest(
        str(tmp_path / "ita.db"), [raw_site.url("/chunked.txt")], workers=0, keep_results=True
    )
    (result,) = summary.results
    assert result.status == "failed"
    assert result.reason is not None and result.reason.startswith("cannot fetch: ")
    assert "\n" not in result.reason

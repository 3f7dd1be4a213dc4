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
from conftest import HANG_GUARD, ITA_ETL, SAMPLES, canonical_dump, ingest
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


# --- 5. malformed answers: a failure of that URL, the others load ----------------------------

MALFORMED = {
    "bad-status-line": b"HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n",
    "not-http": b"\x00\x01\x02 SSH-2.0-OpenSSH_9.6 \xff\xfe\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "70kb-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    "200-headers": b"HTTP/1.1 200 OK\r\n"
    + b"".join(b"X-H%d: v\r\n" % n for n in range(200))
    + b"Content-Length: 0\r\n\r\n",
}


def test_malformed_answers_are_recorded_failures_of_their_url_only(
    raw_site: RawSite, tmp_path: Path
) -> None:
    raw_site.answers["/2566.txt"] = ok((SAMPLES / "dla_2566.txt").read_bytes())
    raw_site.answers["/2567.html"] = ok((SAMPLES / "dla_2567.html").read_bytes())
    for name, data in MALFORMED.items():
        raw_site.answers[f"/{name}"] = raw(data)
    bad = [raw_site.url(f"/{name}") for name in MALFORMED]
    urls = [raw_site.url("/2566.txt"), *bad, raw_site.url("/2567.html")]
    db = str(tmp_path / "ita.db")

    run = run_cli("ingest", *urls, "--db", db, "-w", "0")
    assert run.returncode == 1, run.stderr  # some sources failed; the batch finished
    assert "2 new, 0 updated" in run.stdout and f"{len(bad)} failed" in run.stdout
    failures = run.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in failures] == bad  # one line each, in order
    for line in failures:
        assert ": cannot fetch: " in line and "unexpected" not in line
        assert len(line) < 300
    assert current_versions(db) == [(2566, 1, False), (2567, 1, False)]
    recorded = url_rows(db)
    for url in bad:
        sha256, error = recorded[url]
        assert sha256 is None and error is not None and error.startswith("cannot fetch: ")


def test_a_redirect_loop_is_one_line(raw_site: RawSite, tmp_path: Path) -> None:
    def to(path: str) -> Answer:
        return raw(f"HTTP/1.1 302 Found\r\nLocation: {raw_site.url(path)}\r\n\r\n".encode())

    raw_site.answers["/a"], raw_site.answers["/b"] = to("/b"), to("/a")
    run = run_cli("ingest", raw_site.url("/a"), "--db", str(tmp_path / "ita.db"), "-w", "0")
    assert run.returncode == 1
    assert (
        run.stderr
        == f"{raw_site.url('/a')}: HTTP 302: redirected in a loop (or more than 10 times)\n"
    )


# --- 6. a body trickled a byte at a time: the download's own deadline ------------------------


def test_a_trickled_body_fails_at_the_download_deadline_and_the_rest_loads(
    raw_site: RawSite, tmp_path: Path
) -> None:
    """Each byte comes well within the per-read timeout, so only a limit on the whole
    download ends it."""
    raw_site.answers["/slow.txt"] = trickle(100_000)
    raw_site.answers["/2566.txt"] = ok((SAMPLES / "dla_2566.txt").read_bytes())
    urls = [raw_site.url("/slow.txt"), raw_site.url("/2566.txt")]
    summary = ingest(
        str(tmp_path / "ita.db"), urls, workers=0, keep_results=True, download_timeout=0.5
    )
    assert [r.status for r in summary.results] == ["failed", "new"]
    assert summary.results[0].reason == (
        "cannot fetch: the download took longer than 0.5 s (--download-timeout)"
    )
    assert not [p for p in (tmp_path / "ita-etl-blobs").rglob(".partial-*")]


def test_headers_trickled_a_byte_at_a_time_fail_at_the_deadline_too(
    raw_site: RawSite, tmp_path: Path
) -> None:
    def slow_headers(conn: socket.socket, stop: threading.Event) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
            if stop.wait(0.05):
                return
            conn.sendall(bytes([byte]))

    raw_site.answers["/slow"] = slow_headers
    summary = ingest(
        str(tmp_path / "ita.db"),
        [raw_site.url("/slow")],
        workers=0,
        keep_results=True,
        download_timeout=0.5,
    )
    assert summary.results[0].reason == (
        "cannot fetch: the download took longer than 0.5 s (--download-timeout)"
    )


# --- 3. versions ordered by the server's Last-Modified, not by when they were fetched --------


def test_versions_follow_last_modified_so_runs_in_any_order_agree(
    raw_site: RawSite, fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    """The revision (Last-Modified June) is fetched first, the original (March) a run
    later: the original is the older version 1 and the revision stays current, as one run
    fetching them in date order leaves it; ``db rebuild`` changes nothing."""
    seed = (SAMPLES / "dla_2566.txt").read_text(encoding="utf-8")
    revised = seed.replace("กำหนดเครื่องมือ", "ปรับปรุงเครื่องมือ", 1).encode()
    raw_site.answers["/original.txt"] = ok(
        seed.encode(), "Last-Modified: Fri, 01 Mar 2024 09:00:00 GMT"
    )
    raw_site.answers["/revised.txt"] = ok(revised, "Last-Modified: Sat, 01 Jun 2024 09:00:00 GMT")
    original, revision = raw_site.url("/original.txt"), raw_site.url("/revised.txt")

    blobs = tmp_path / "blobs"
    by_runs = fresh_db()
    first = ingest(by_runs, [revision], workers=0, keep_results=True, blobs=blobs)
    assert [(r.status, r.version) for r in first.results] == [("new", 1)]
    later = ingest(by_runs, [revision, original], workers=0, keep_results=True, blobs=blobs)
    assert [(r.status, r.version) for r in later.results] == [("unchanged", 1), ("older", 1)]
    assert current_versions(by_runs) == [(2566, 1, True), (2566, 2, False)]

    in_order = fresh_db()
    once = ingest(in_order, [original, revision], workers=0, keep_results=True, blobs=blobs)
    assert [r.status for r in once.results] == ["new", "updated"]
    assert canonical_dump(by_runs) == canonical_dump(in_order)
    rebuilt = run_cli("db", "rebuild", "--db", by_runs)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert canonical_dump(by_runs) == canonical_dump(in_order)

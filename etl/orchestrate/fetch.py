"""Reports published at http(s) URLs: a conditional GET, the bytes kept in the blob store.

The ETag and Last-Modified of the last download are remembered per URL (table ``urls``) and
sent back as If-None-Match / If-Modified-Since, so a report the agency has not changed costs
one small request and no download; the bytes of that earlier download are in the blob store
(etl/orchestrate/blobs.py). ``fetch`` runs in I/O threads and only returns what to record;
the store writes it (``loaders.urls.record_fetches``, in the main process).

A download is kept only when it is whole: a body shorter than its Content-Length (the
server closed early; ``http.client`` does not say so by itself), a malformed answer or one
over the download's total time is a failure of that URL, and the last good download stays
the one the store knows.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from typing import Any

from etl.orchestrate.blobs import BlobStore
from etl.transform import pipeline
from loaders.urls import Fetched, Validators
from schemas.errors import InputError

FETCH_TIMEOUT_SECONDS = 60.0
"""How long to wait for the server at each step (connecting, each read)."""
DOWNLOAD_TIMEOUT_SECONDS = 600.0
"""How long one download may take in all: a body trickled a byte at a time never trips the
per-read timeout."""
USER_AGENT = "ita-etl (+https://github.com/ita-etl)"
_CHUNK = 1 << 16
_REASON_CHARS = 200


class ShortDownloadError(Exception):
    """The body ended before the length the server declared, or the download ran out of time."""


def fetch(
    url: str,
    known: Validators | None,
    blobs: BlobStore,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    deadline: float = DOWNLOAD_TIMEOUT_SECONDS,
) -> Fetched:
    """GET ``url``, conditionally when an earlier download's bytes are still in ``blobs``.
    ``timeout`` bounds each wait for the server, ``deadline`` the whole download (0: none).
    Never raises for a network or HTTP failure: the reason is in ``Fetched.error``."""
    usable = known if known and known.sha256 and blobs.has(known.sha256) else None
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if usable and usable.etag:
        headers["If-None-Match"] = usable.etag
    if usable and usable.last_modified:
        headers["If-Modified-Since"] = usable.last_modified
    request = urllib.request.Request(url, headers=headers)
    with _Deadline(deadline) as clock:
        try:
            return _get(request, usable, blobs, timeout, clock)
        except urllib.error.HTTPError as error:
            if error.code == 304 and usable is not None and usable.sha256:
                return Fetched(
                    url,
                    usable.sha256,
                    blobs.path(usable.sha256).stat().st_size,
                    304,
                    _header(error.headers, "ETag") or usable.etag,
                    _header(error.headers, "Last-Modified") or usable.last_modified,
                )
            return Fetched(url, None, None, error.code, error=_http_reason(error))
        except Exception as error:  # any failure of this one URL: recorded, the batch goes on
            reason = clock.reason() or _reason(error, timeout)
            return Fetched(url, None, None, None, error=f"cannot fetch: {reason}")


def _get(
    request: urllib.request.Request,
    usable: Validators | None,
    blobs: BlobStore,
    timeout: float,
    clock: _Deadline,
) -> Fetched:
    opener = urllib.request.build_opener(_HTTPHandler(clock), _HTTPSHandler(clock))
    with opener.open(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        declared = int(length) if length and length.strip().isdigit() else None
        if declared is not None and declared > pipeline.MAX_BYTES:
            raise InputError(f"{declared:,} bytes is more than the download limit")
        chunks = _chunks(response, declared, clock)
        sha256, size = blobs.write(chunks, max_bytes=pipeline.MAX_BYTES)
        return Fetched(
            request.full_url,
            sha256,
            size,
            response.status,
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
            response.headers.get_content_type(),
            downloaded=True,
        )


def _chunks(response: Any, declared: int | None, clock: _Deadline) -> Iterator[bytes]:
    """The body, a read at a time (``read1``: a trickle is seen between reads); raises at the
    end when fewer bytes came than declared or the time ran out, so that nothing is kept."""
    received = 0
    while chunk := response.read1(_CHUNK):
        received += len(chunk)
        yield chunk
    if clock.expired:
        raise ShortDownloadError(clock.reason())
    if declared is not None and received < declared:
        raise ShortDownloadError(
            f"the server sent {received:,} of the {declared:,} bytes it announced"
        )


def _reason(error: BaseException, timeout: float) -> str:
    """One line saying why a request failed."""
    if isinstance(error, urllib.error.URLError):
        reason: object = error.reason
        if isinstance(reason, socket.timeout | TimeoutError):
            return f"timed out after {timeout:g} s"
        if isinstance(reason, BaseException):
            return _reason(reason, timeout)
        return _line(str(reason))
    if isinstance(error, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(error, InputError):
        return _line(error.reason)
    if isinstance(error, ShortDownloadError):
        return _line(str(error))
    if isinstance(error, http.client.IncompleteRead):
        return f"the body ended early ({len(error.partial):,} bytes received)"
    if isinstance(error, http.client.HTTPException):
        detail = f": {error}" if str(error) else ""
        return _line(f"not a valid HTTP answer ({type(error).__name__}{detail})")
    if isinstance(error, OSError):
        return _line(error.strerror or str(error) or type(error).__name__)
    return _line(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)


def _http_reason(error: urllib.error.HTTPError) -> str:
    """An HTTP error status in one line (urllib's redirect-loop message spans three)."""
    if 300 <= error.code < 400 and "infinite loop" in str(error.reason):
        return f"HTTP {error.code}: redirected in a loop (or more than 10 times)"
    return _line(f"HTTP {error.code} {error.reason}")


def _line(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= _REASON_CHARS else one[: _REASON_CHARS - 1] + "…"


def _header(headers: Message | None, name: str) -> str | None:
    return headers.get(name) if headers is not None else None


class _Deadline:
    """The whole download's time limit: when it passes, the sockets of the request are shut,
    which ends whatever read is waiting (headers or body, however slowly they come)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> _Deadline:
        if self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def reason(self) -> str | None:
        if not self.expired:
            return None
        return f"the download took longer than {self.seconds:g} s (--download-timeout)"

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watched_http(clock: _Deadline) -> type[http.client.HTTPConnection]:
    class Watched(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            clock.watch(self.sock)

    return Watched


def _watched_https(clock: _Deadline) -> type[http.client.HTTPSConnection]:
    class Watched(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            clock.watch(self.sock)

    return Watched


class _HTTPHandler(urllib.request.HTTPHandler):
    """urllib's handler, on connections whose sockets the download's deadline can shut."""

    def __init__(self, clock: _Deadline) -> None:
        super().__init__()
        self.clock = clock

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched_http(self.clock), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, clock: _Deadline) -> None:
        super().__init__()
        self.clock = clock

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched_https(self.clock), req)

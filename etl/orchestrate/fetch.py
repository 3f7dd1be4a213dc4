"""Reports published at http(s) URLs: a conditional GET, the bytes kept in the blob store.

The ETag and Last-Modified of the last download are remembered per URL (table ``urls``) and
sent back as If-None-Match / If-Modified-Since, so a report the agency has not changed costs
one small request and no download; the bytes of that earlier download are in the blob store
(etl/orchestrate/blobs.py). ``fetch`` runs in I/O threads and only returns what to record;
the store writes it (``loaders.urls.record_fetches``, in the main process).
"""

from __future__ import annotations

import socket
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
USER_AGENT = "ita-etl (+https://github.com/ita-etl)"
_CHUNK = 1 << 16


def fetch(
    url: str,
    known: Validators | None,
    blobs: BlobStore,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> Fetched:
    """GET ``url``, conditionally when an earlier download's bytes are still in ``blobs``.
    Never raises for a network or HTTP failure: the reason is in ``Fetched.error``."""
    usable = known if known and known.sha256 and blobs.has(known.sha256) else None
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if usable and usable.etag:
        headers["If-None-Match"] = usable.etag
    if usable and usable.last_modified:
        headers["If-Modified-Since"] = usable.last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > pipeline.MAX_BYTES:
                raise InputError(f"{int(length):,} bytes is more than the download limit")
            sha256, size = blobs.write(_chunks(response), max_bytes=pipeline.MAX_BYTES)
            return Fetched(
                url,
                sha256,
                size,
                response.status,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                response.headers.get_content_type(),
                downloaded=True,
            )
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
        return Fetched(url, None, None, error.code, error=f"HTTP {error.code} {error.reason}")
    except urllib.error.URLError as error:
        reason = error.reason
        text = "timed out" if isinstance(reason, socket.timeout | TimeoutError) else str(reason)
        return Fetched(url, None, None, None, error=f"cannot fetch: {text}")
    except TimeoutError:
        return Fetched(url, None, None, None, error=f"cannot fetch: timed out after {timeout:g} s")
    except InputError as error:
        return Fetched(url, None, None, None, error=f"cannot fetch: {error.reason}")
    except (OSError, ValueError) as error:
        return Fetched(url, None, None, None, error=f"cannot fetch: {error}")


def _chunks(response: Any) -> Iterator[bytes]:
    while chunk := response.read(_CHUNK):
        yield chunk


def _header(headers: Message | None, name: str) -> str | None:
    return headers.get(name) if headers is not None else None

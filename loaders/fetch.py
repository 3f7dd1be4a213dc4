"""Reports published at http(s) URLs: a conditional GET, the bytes kept in the blob store.

The ETag and Last-Modified of the last download are remembered per URL (table ``urls``) and
sent back as If-None-Match / If-Modified-Since, so a report the agency has not changed costs
one small request and no download; the bytes of that earlier download are in the blob store
(loaders/blobs.py). Only the main process talks to the database: ``fetch`` runs in I/O
threads and returns what to record, ``record_fetches`` writes it.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from sqlalchemy import insert, select, update

from etl import pipeline
from loaders.blobs import BlobStore
from loaders.models import urls
from loaders.store import Store
from schemas.errors import InputError

FETCH_TIMEOUT_SECONDS = 60.0
USER_AGENT = "ita-etl (+https://github.com/ita-etl)"
_CHUNK = 1 << 16


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Validators:
    """What the last download of a URL left: its validators and the sha256 of its bytes."""

    etag: str | None
    last_modified: str | None
    sha256: str | None


@dataclass(frozen=True)
class Fetched:
    """What one request gave. ``sha256`` names the bytes in the blob store (a fresh download,
    or the earlier one on 304); ``error`` says why there are none."""

    url: str
    sha256: str | None
    size_bytes: int | None
    http_status: int | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    downloaded: bool = False
    error: str | None = None


def validators(store: Store, locations: Iterable[str]) -> dict[str, Validators]:
    """The remembered validators of the URLs among ``locations``, by URL (one query)."""
    wanted = sorted({u for u in locations if is_url(u)})
    if not wanted:
        return {}
    query = select(urls.c.url, urls.c.etag, urls.c.last_modified, urls.c.sha256).where(
        urls.c.url.in_(wanted)
    )
    with store.reading() as connection:
        return {row.url: Validators(*row[1:]) for row in connection.execute(query)}


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


def record_fetches(store: Store, fetched: Iterable[Fetched]) -> None:
    """Remember what the requests gave (validators, sha256, status), in one transaction. A
    failed request keeps the validators and bytes of the last good download."""
    now = datetime.now(UTC)
    batch = list({f.url: f for f in fetched}.values())
    if not batch:
        return
    with store.writing() as connection:
        present = dict(
            connection.execute(
                select(urls.c.url, urls.c.id).where(urls.c.url.in_([f.url for f in batch]))
            ).all()
        )
        for f in batch:
            values: dict[str, Any] = {"http_status": f.http_status, "error": f.error}
            values["checked_at"] = now
            if f.sha256 is not None:
                values.update(etag=f.etag, last_modified=f.last_modified, sha256=f.sha256)
                values["size_bytes"] = f.size_bytes
            if f.downloaded:
                values.update(content_type=f.content_type, fetched_at=now)
            if f.url in present:
                connection.execute(update(urls).where(urls.c.id == present[f.url]).values(values))
            else:
                connection.execute(insert(urls).values(url=f.url, **values))

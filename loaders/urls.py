"""What the store remembers of each URL: the validators of its last download (for a
conditional GET) and what the last request answered. ``etl.orchestrate.fetch`` does the
requests; this module reads and writes the ``urls`` table for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from loaders.models import urls
from loaders.store import Store


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

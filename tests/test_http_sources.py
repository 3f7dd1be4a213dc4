"""Reports at http(s) URLs, against a real HTTP server on 127.0.0.1 started here.

The server speaks HTTP/1.1 validators as an agency's web server would: ETag with
If-None-Match, Last-Modified with If-Modified-Since, 304 Not Modified when they match, 404 for
a report taken down. It logs every request, so the tests see what was downloaded.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ITA_ETL, SAMPLES, canonical_dump, ingest
from sqlalchemy import create_engine, text

from loaders import migrate
from loaders.db import make_engine, resolve_url
from schemas.errors import UsageError


@dataclass
class Page:
    body: bytes
    etag: str | None = None
    last_modified: datetime | None = None


@dataclass
class Site:
    """What the server publishes, and the requests it answered: (path, status, headers)."""

    pages: dict[str, Page] = field(default_factory=dict)
    log: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def answers(self, path: str) -> list[int]:
        return [status for p, status, _ in self.log if p == path]

    def asked(self, path: str) -> list[dict[str, str]]:
        """The conditional headers of each request for ``path``."""
        return [headers for p, _, headers in self.log if p == path]


def handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            page = site.pages.get(self.path)
            asked = {k: v for k, v in self.headers.items() if k.startswith("If-")}
            status = 404 if page is None else 304 if self._not_modified(page) else 200
            site.log.append((self.path, status, asked))
            if page is None:
                self.send_error(404)
                return
            self.send_response(status)
            if page.etag:
                self.send_header("ETag", page.etag)
            if page.last_modified:
                self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
            if status == 304:
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)

        def _not_modified(self, page: Page) -> bool:
            tag = self.headers.get("If-None-Match")
            if tag is not None:
                return page.etag is not None and tag == page.etag
            since = self.headers.get("If-Modified-Since")
            if since and page.last_modified:
                return page.last_modified <= parsedate_to_datetime(since)
            return False

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    published = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(published))
    published.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield published
    finally:
        server.shutdown()
        server.server_close()


def publish_samples(site: Site) -> None:
    site.pages["/ita/2566.txt"] = Page((SAMPLES / "dla_2566.txt").read_bytes(), etag='"v1"')
    site.pages["/ita/2567.html"] = Page(
        (SAMPLES / "dla_2567.html").read_bytes(),
        last_modified=datetime(2024, 10, 1, 9, 0, tzinfo=UTC),
    )
    site.pages["/ita/nongbua.md"] = Page((SAMPLES / "obt_nongbua_2567.md").read_bytes())


def test_urls_are_downloaded_once_then_asked_conditionally(site: Site, tmp_path: Path) -> None:
    publish_samples(site)
    urls = [site.url(p) for p in ("/ita/2566.txt", "/ita/2567.html", "/ita/nongbua.md")]
    db, blobs = str(tmp_path / "ita.db"), tmp_path / "ita-etl-blobs"

    first = ingest(db, urls, workers=1, keep_results=True)
    assert [r.status for r in first.results] == ["new", "new", "new"]
    assert [r.path for r in first.results] == urls
    for page in site.pages.values():  # every download kept under its sha256
        sha = hashlib.sha256(page.body).hexdigest()
        assert (blobs / sha[:2] / sha).read_bytes() == page.body

    second = ingest(db, urls, workers=0, keep_results=True)
    assert [r.status for r in second.results] == ["unchanged"] * 3
    assert second.parsed == 0
    assert site.answers("/ita/2566.txt") == [200, 304]
    assert site.asked("/ita/2566.txt")[1] == {"If-None-Match": '"v1"'}
    assert site.answers("/ita/2567.html") == [200, 304]
    assert site.asked("/ita/2567.html")[1] == {"If-Modified-Since": "Tue, 01 Oct 2024 09:00:00 GMT"}
    assert site.answers("/ita/nongbua.md") == [200, 200]  # no validators: fetched, not parsed

    # the agency corrects its 2566 report: a new version, the old one kept
    page = site.pages["/ita/2566.txt"]
    page.body = page.body.decode().replace("จัดทำคู่มือแผนกลยุทธ์", "จัดทำคู่มือแผนยุทธศาสตร์").encode()
    page.etag = '"v2"'
    third = ingest(db, urls[:1], workers=0, keep_results=True)
    assert [(r.status, r.version) for r in third.results] == [("updated", 2)]
    assert site.answers("/ita/2566.txt") == [200, 304, 200]

    # and then takes it down: the run says so, the versions and their bytes stay
    del site.pages["/ita/2566.txt"]
    gone = ingest(db, urls[:1], workers=0, keep_results=True)
    assert [(r.status, r.reason) for r in gone.results] == [("failed", "HTTP 404 Not Found")]
    dump = canonical_dump(db)
    assert [(r[0], r[1], r[2]) for r in dump["reports"] if r[1] == 2566] == [
        ("สถ.", 2566, 1),
        ("สถ.", 2566, 2),
    ]
    assert len(list(blobs.glob("*/*"))) == 4
    url_row = next(r for r in dump["urls"] if r[0] == urls[0])
    assert (url_row[1], url_row[6], url_row[7]) == ('"v2"', 404, "HTTP 404 Not Found")


def test_lost_downloads_are_fetched_again_in_full(site: Site, tmp_path: Path) -> None:
    publish_samples(site)
    url = site.url("/ita/2566.txt")
    db, blobs = str(tmp_path / "ita.db"), tmp_path / "kept"
    ingest(db, [url], workers=0, blobs=blobs)
    for blob in blobs.glob("*/*"):
        blob.unlink()
    again = ingest(db, [url], workers=0, blobs=blobs, keep_results=True)
    assert [r.status for r in again.results] == ["unchanged"]
    assert site.log[-1][1:] == (200, {})  # no validator sent: the bytes were gone
    assert len(list(blobs.glob("*/*"))) == 1


def test_the_command_takes_urls_from_a_list_and_status_shows_them(
    site: Site, tmp_path: Path
) -> None:
    publish_samples(site)
    listing = tmp_path / "agencies.txt"
    listing.write_text(
        "# สถ. and อบต.หนองบัว\n"
        + "\n".join(site.url(p) for p in ("/ita/2566.txt", "/ita/nongbua.md", "/missing.pdf"))
        + "\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "ita.db")
    run = subprocess.run(
        [*ITA_ETL, "ingest", "--from-list", str(listing), "--db", db, "-w", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert f"{site.url('/missing.pdf')}: HTTP 404 Not Found" in run.stderr
    assert "3 sources: 2 new" in run.stdout
    shown = subprocess.run(
        [*ITA_ETL, "status", "--urls", "--db", db, "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {r["url"]: r for r in json.loads(shown.stdout)}
    assert rows[site.url("/ita/2566.txt")]["etag"] == '"v1"'
    assert rows[site.url("/missing.pdf")]["http_status"] == 404
    assert (
        rows[site.url("/ita/nongbua.md")]["sha256"]
        == hashlib.sha256((SAMPLES / "obt_nongbua_2567.md").read_bytes()).hexdigest()
    )


def test_downloads_are_kept_beside_sqlite_and_postgresql_needs_a_folder(
    db_url: str, site: Site, tmp_path: Path
) -> None:
    publish_samples(site)
    url = site.url("/ita/2566.txt")
    if db_url.startswith("sqlite"):
        ingest(db_url, [url], workers=0)
        assert len(list((tmp_path / "ita-etl-blobs").glob("*/*"))) == 1
        return
    with pytest.raises(UsageError, match="--blobs"):
        ingest(db_url, [url], workers=0)
    ingest(db_url, [url], workers=0, blobs=tmp_path / "shared")
    assert len(list((tmp_path / "shared").glob("*/*"))) == 1


def test_upgrade_from_0002_keeps_the_reports_and_adds_urls(
    db_url: str, site: Site, tmp_path: Path
) -> None:
    engine = make_engine(resolve_url(db_url))
    try:
        migrate.upgrade(engine, "0002")
        with engine.begin() as c:  # a report loaded at 0002 (today's loader needs 0004)
            c.execute(
                text(
                    "INSERT INTO agencies (agency_key, name, abbr) "
                    "VALUES ('สถ.', 'กรมส่งเสริมการปกครองท้องถิ่น', 'สถ.')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO sources (path, sha256, size_bytes, parser_version, status, "
                    "loaded_at) VALUES ('old.txt', :sha, 1, '0.9', 'new', :now)"
                ),
                {"sha": "0" * 64, "now": "2024-01-01T00:00:00+00:00"},
            )
            c.execute(
                text(
                    "INSERT INTO reports (agency_id, fiscal_year_be, version, superseded, "
                    "content_sha256, source_id, parser_version, warnings, repairs, loaded_at) "
                    "SELECT a.id, 2566, 1, false, :sha, s.id, '0.9', '[]', '{}', :now "
                    "FROM agencies a, sources s"
                ),
                {"sha": "0" * 64, "now": "2024-01-01T00:00:00+00:00"},
            )
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
    publish_samples(site)
    summary = ingest(
        db_url, [site.url("/ita/nongbua.md")], workers=0, blobs=tmp_path / "b", keep_results=True
    )
    assert [r.status for r in summary.results] == ["new"]
    check = create_engine(resolve_url(db_url))
    try:
        with check.connect() as c:
            years = c.execute(text("SELECT fiscal_year_be FROM reports ORDER BY 1")).scalars()
            assert list(years) == [2566, 2567]
            assert c.execute(text("SELECT count(*) FROM urls")).scalar() == 1
    finally:
        check.dispose()


def test_the_notebook_object_ingests_urls_and_list_files_like_the_cli(
    site: Site, tmp_path: Path
) -> None:
    """Issue 9: ``etl.Database(...).ingest([url])`` is the path ``ita-etl ingest`` takes, so a
    URL and a list file load the same rows through both."""
    import etl

    publish_samples(site)
    listing = tmp_path / "sources.txt"
    listing.write_text(f"# the 2567 report\n{site.url('/ita/2567.html')}\n", encoding="utf-8")
    by_api, by_cli = str(tmp_path / "api.db"), str(tmp_path / "cli.db")
    with etl.Database(by_api) as database:
        summary = database.ingest(
            [site.url("/ita/2566.txt")],
            from_list=listing,
            options=etl.IngestOptions(workers=0, blobs=tmp_path / "blobs-api"),
        )
    assert [r.status for r in summary.results] == ["new", "new"]
    options = ["--db", by_cli, "--workers", "0", "--blobs", str(tmp_path / "blobs-cli"), "-q"]
    subprocess.run(
        [*ITA_ETL, "ingest", site.url("/ita/2566.txt"), "--from-list", str(listing), *options],
        check=True,
        capture_output=True,
    )
    assert canonical_dump(by_api) == canonical_dump(by_cli)

"""Shared fixtures. ``db_url`` runs a test once on SQLite and once on the real PostgreSQL.

PostgreSQL: a fresh schema per test on the server at ``$ITA_ETL_TEST_PG_URL`` (default
127.0.0.1:5432, database ``test``, user ``postgres``, trust auth), dropped afterwards. Where no
server answers the test is skipped with the reason, unless ``ITA_ETL_REQUIRE_POSTGRES=1`` (CI),
where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

SAMPLES = Path(__file__).parents[1] / "samples"
PG_URL = os.environ.get("ITA_ETL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_schema() -> Iterator[str]:
    import psycopg

    server = make_url(PG_URL).set(drivername="postgresql")
    dsn = server.render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        message = f"PostgreSQL not reachable on {server.host}:{server.port or 5432}: {reason}"
        if os.environ.get("ITA_ETL_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ita.db'}"
    else:
        yield from _postgres_schema()


@pytest.fixture
def two_years(tmp_path: Path) -> Path:
    """A folder holding the seed's 2566 report (text) and the 2567 report (HTML)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("dla_2566.txt", "dla_2567.html"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    return folder

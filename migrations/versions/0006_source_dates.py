"""The source's own date, by which the versions of a report are ordered (issue 13).

Adds ``sources.source_date``: the date the source gives itself (a PDF's ModDate, else its
CreationDate; the HTTP Last-Modified of a download), null when it gives none. A report's
versions are ordered by the earliest date of their sources, else by when they were first
seen (``reports.loaded_at``); the last is current (``loaders.versions``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("source_date", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would break the
    # views that read it
    op.drop_column("sources", "source_date")

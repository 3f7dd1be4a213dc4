"""Reports fetched from URLs: the validators of the last download for a conditional GET.

Adds the ``urls`` table (one row per URL). The downloaded bytes live in the blob store, a
folder named by their sha256 (etl/orchestrate/blobs.py), not in the database.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fetched_at", _TZ, nullable=True),
        sa.Column("checked_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_urls"),
        sa.UniqueConstraint("url", name="uq_urls_url"),
    )


def downgrade() -> None:
    op.drop_table("urls")

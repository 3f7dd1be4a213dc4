"""How each page of a source was read: its text layer, repaired, or OCR (issue 10).

Adds the ``source_pages`` table (one row per page of a parsed PDF source): ``read_by`` is
``text_layer``, ``repaired``, ``ocr`` or ``none``, with the OCR engine and its mean word
confidence, the garbage gate's score of the text layer, and why a page was not read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_pages",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("read_by", sa.String(16), nullable=False),
        sa.Column("engine", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("text_score", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_source_pages_source_id_sources"
        ),
        sa.PrimaryKeyConstraint("source_id", "page", name="pk_source_pages"),
    )


def downgrade() -> None:
    op.drop_table("source_pages")

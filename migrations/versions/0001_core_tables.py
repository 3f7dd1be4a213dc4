"""Core tables: reference data, agencies, sources, report versions and their records.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ita_indicators",
        sa.Column("from_be", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("to_be", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tool", sa.String(8), nullable=False),
        sa.Column("tool_name", sa.Text(), nullable=False),
        sa.Column("tool_usual_weight_pct", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("from_be", "number", name="pk_ita_indicators"),
    )
    op.create_table(
        "abbreviations",
        sa.Column("abbr", sa.Text(), nullable=False),
        sa.Column("expansion", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("abbr", name="pk_abbreviations"),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("abbr", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.UniqueConstraint("agency_key", name="uq_agencies_agency_key"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(16), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("parser_version", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(8), nullable=True),
        sa.Column("error_type", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("parse_seconds", sa.Float(), nullable=True),
        sa.Column("load_seconds", sa.Float(), nullable=True),
        sa.Column("loaded_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("sha256", "parser_version", name="uq_sources_sha256_parser_version"),
    )
    op.create_index("ix_sources_report_id", "sources", ["report_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_be", sa.Integer(), nullable=False),
        sa.Column("fiscal_year_ce", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("agency_name", sa.Text(), nullable=True),
        sa.Column("agency_abbr", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("superseded_at", _TZ, nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("parser_version", sa.String(32), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("repairs", sa.JSON(), nullable=False),
        sa.Column("loaded_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_reports_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_reports_source_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint(
            "agency_id",
            "fiscal_year_be",
            "version",
            name="uq_reports_agency_id_fiscal_year_be_version",
        ),
    )
    op.create_index("ix_reports_fiscal_year_be", "reports", ["fiscal_year_be"])
    op.create_index(
        "uq_reports_current",
        "reports",
        ["agency_id", "fiscal_year_be"],
        unique=True,
        sqlite_where=sa.text("NOT superseded"),
        postgresql_where=sa.text("NOT superseded"),
    )
    # sources and reports refer to each other: the second key is added once both exist
    # (on SQLite, batch mode rebuilds the empty table to add it).
    with op.batch_alter_table("sources") as batch:
        batch.create_foreign_key("fk_sources_report_id_reports", "reports", ["report_id"], ["id"])
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(8), nullable=True),
        sa.Column("tool_weight_pct", sa.Float(), nullable=True),
        sa.Column("indicators", sa.Text(), nullable=True),
        sa.Column("indicator_names", sa.Text(), nullable=True),
        sa.Column("page_first", sa.Integer(), nullable=True),
        sa.Column("page_last", sa.Integer(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_entries_report_id_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
    )
    op.create_index("ix_entries_report_id", "entries", ["report_id"])
    op.create_table(
        "entry_indicators",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name="fk_entry_indicators_entry_id_entries"
        ),
        sa.PrimaryKeyConstraint("entry_id", "position", name="pk_entry_indicators"),
    )
    op.create_index("ix_entry_indicators_number", "entry_indicators", ["number"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("marker", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name="fk_items_entry_id_entries"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_items_report_id_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
    )
    op.create_index("ix_items_entry_id", "items", ["entry_id"])
    op.create_index("ix_items_report_id_role", "items", ["report_id", "role"])
    op.create_table(
        "refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_refs_item_id_items"),
        sa.PrimaryKeyConstraint("id", name="pk_refs"),
    )
    op.create_index("ix_refs_item_id", "refs", ["item_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("corrected", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_corrections_item_id_items"),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
    )
    op.create_index("ix_corrections_item_id", "corrections", ["item_id"])


def downgrade() -> None:
    for table in ("corrections", "refs", "items", "entry_indicators", "entries"):
        op.drop_table(table)
    with op.batch_alter_table("sources") as batch:
        batch.drop_constraint("fk_sources_report_id_reports", type_="foreignkey")
    for table in ("reports", "sources", "agencies", "abbreviations", "ita_indicators"):
        op.drop_table(table)

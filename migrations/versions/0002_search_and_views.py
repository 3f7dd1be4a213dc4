"""Search index over items and the analysts' views (measures, report_summary).

Adds items.search_text and items.search_tokens and fills them for items already loaded; on
SQLite an FTS5 table of Thai character clusters, on PostgreSQL a pg_trgm GIN index (without
pg_trgm, search still works, by scanning). The SQL is written out here, not imported, so
that this revision stays what it was when later ones change the views.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loaders.search import cluster_tokens, search_text

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_DDL = (
    "CREATE VIRTUAL TABLE item_search USING fts5("
    "tokens, tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")"
)
TRGM_DDL = "CREATE INDEX ix_items_search_text_trgm ON items USING gin (search_text gin_trgm_ops)"

MEASURES = """
CREATE VIEW measures AS
SELECT a.agency_key,
       r.agency_name AS agency,
       r.agency_abbr,
       r.fiscal_year_be,
       r.fiscal_year_ce,
       r.version AS report_version,
       e.tool,
       e.indicators,
       (SELECT min(ei.number) FROM entry_indicators ei WHERE ei.entry_id = e.id)
           AS indicator_number,
       e.indicator_names AS indicator_name,
       e.ordinal AS entry_ordinal,
       i.ordinal,
       i.heading,
       i.text,
       i.raw,
       r.id AS report_id,
       i.id AS item_id
FROM items i
JOIN entries e ON e.id = i.entry_id
JOIN reports r ON r.id = i.report_id
JOIN agencies a ON a.id = r.agency_id
WHERE i.role = 'measure' AND NOT r.superseded
"""

REPORT_SUMMARY = """
CREATE VIEW report_summary AS
SELECT a.agency_key,
       r.agency_name AS agency,
       r.agency_abbr,
       r.fiscal_year_be,
       r.fiscal_year_ce,
       r.version AS current_version,
       (SELECT count(*) FROM reports v
         WHERE v.agency_id = r.agency_id AND v.fiscal_year_be = r.fiscal_year_be) AS versions,
       (SELECT count(*) FROM sources s JOIN reports v ON v.id = s.report_id
         WHERE v.agency_id = r.agency_id AND v.fiscal_year_be = r.fiscal_year_be) AS sources,
       (SELECT count(*) FROM entries e WHERE e.report_id = r.id) AS entries,
       (SELECT count(DISTINCT ei.number) FROM entry_indicators ei
         JOIN entries e ON e.id = ei.entry_id WHERE e.report_id = r.id) AS indicators_covered,
       (SELECT count(*) FROM items i WHERE i.report_id = r.id AND i.role = 'measure')
           AS measures,
       (SELECT count(*) FROM items i WHERE i.report_id = r.id AND i.role = 'result') AS results,
       (SELECT count(*) FROM items i WHERE i.report_id = r.id AND i.role = 'outcome')
           AS outcomes,
       (SELECT count(*) FROM items i WHERE i.report_id = r.id AND i.role = 'unit') AS units,
       r.parser_version,
       r.loaded_at,
       r.id AS report_id
FROM reports r
JOIN agencies a ON a.id = r.agency_id
WHERE NOT r.superseded
"""


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("search_tokens", sa.Text(), nullable=True))
    rows = [
        {"id": i, "s": search_text(t), "tokens": cluster_tokens(t)}
        for i, t in bind.execute(sa.text("SELECT id, text FROM items"))
    ]
    if rows:
        bind.execute(
            sa.text("UPDATE items SET search_text = :s, search_tokens = :tokens WHERE id = :id"),
            rows,
        )
    if bind.dialect.name == "sqlite":
        op.execute(FTS_DDL)
        if rows:
            bind.execute(
                sa.text("INSERT INTO item_search (rowid, tokens) VALUES (:id, :tokens)"), rows
            )
    elif bind.dialect.name == "postgresql":
        savepoint = bind.begin_nested()
        try:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            bind.execute(sa.text(TRGM_DDL))
        except sa.exc.DBAPIError:
            savepoint.rollback()
        else:
            savepoint.commit()
    op.execute(MEASURES)
    op.execute(REPORT_SUMMARY)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS report_summary")
    op.execute("DROP VIEW IF EXISTS measures")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS item_search")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_items_search_text_trgm")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("search_tokens")
        batch.drop_column("search_text")

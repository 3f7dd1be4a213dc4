"""The analysts' layer: stored comparisons, flat views, canonical unit names, a substring
search index that plain SQL and Datasette can query.

- ``measure_changes``: every agency's measures of consecutive loaded years paired, filled
  for the reports already loaded (loaders/changes.py).
- ``items.unit_name``: the canonical name of a responsible unit, filled for units loaded.
- ``items.search_text`` / ``search_tokens`` rewritten in every name form (สถ. and its full
  name), so a search by either finds both (loaders/search.py).
- SQLite: ``item_search`` (FTS5 over Thai character clusters, which only the CLI could
  query) replaced by ``items_fts``: FTS5, trigram tokenizer, external content
  ``items.search_text``. PostgreSQL keeps its pg_trgm index on ``search_text``.
- Views ``measure_details`` and ``indicator_coverage``; their SQL is written out here, once
  per dialect (the ordered string aggregate differs), so that this revision stays what it was.

Revision ID: 0004
Revises: 0003
Create Date: 2025-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loaders import changes, units
from loaders.search import cluster_tokens, search_text

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_DDL = (
    'CREATE VIRTUAL TABLE items_fts USING fts5(search_text, content="items", '
    "content_rowid=\"id\", tokenize='trigram')"
)
OLD_FTS_DDL = (
    "CREATE VIRTUAL TABLE item_search USING fts5("
    "tokens, tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")"
)


def _texts(role: str, column: str, dialect: str) -> str:
    """The entry's items of one role, in document order, one per line."""
    if dialect == "postgresql":
        return (
            f"(SELECT string_agg(x.{column}, E'\\n' ORDER BY x.ordinal, x.id) FROM items x "
            f"WHERE x.entry_id = e.id AND x.role = '{role}')"
        )
    return (
        f"(SELECT group_concat(y.t, char(10)) FROM (SELECT x.{column} AS t FROM items x "
        f"WHERE x.entry_id = e.id AND x.role = '{role}' ORDER BY x.ordinal, x.id) y)"
    )


def measure_details(dialect: str) -> str:
    return f"""
CREATE VIEW measure_details AS
SELECT a.agency_key,
       r.agency_name AS agency,
       r.fiscal_year_be,
       r.version AS report_version,
       e.tool,
       ei.number AS indicator_number,
       ei.name AS indicator_name,
       e.indicators,
       e.id AS entry_id,
       e.ordinal AS entry_ordinal,
       i.ordinal AS measure_ordinal,
       i.heading,
       i.text AS measure,
       {_texts("result", "text", dialect)} AS results,
       {_texts("outcome", "text", dialect)} AS outcomes,
       {_texts("unit", "text", dialect)} AS units,
       {_texts("unit", "unit_name", dialect)} AS unit_names,
       e.page_first,
       e.page_last,
       r.id AS report_id,
       i.id AS item_id
FROM items i
JOIN entries e ON e.id = i.entry_id
JOIN reports r ON r.id = i.report_id
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN (SELECT entry_id, number, min(name) AS name FROM entry_indicators
           GROUP BY entry_id, number) ei ON ei.entry_id = e.id
WHERE i.role = 'measure' AND NOT r.superseded
"""


def _count(role: str) -> str:
    return (
        "(SELECT count(DISTINCT i.id) FROM items i JOIN entry_indicators ei "
        "ON ei.entry_id = i.entry_id "
        f"WHERE i.report_id = r.id AND ei.number = f.number AND i.role = '{role}')"
    )


INDICATOR_COVERAGE = f"""
CREATE VIEW indicator_coverage AS
SELECT c.*, CASE WHEN c.measures = 0 THEN 1 ELSE 0 END AS gap
FROM (
  SELECT a.agency_key,
         r.agency_name AS agency,
         r.fiscal_year_be,
         f.tool,
         f.number AS indicator_number,
         f.name AS indicator_name,
         (SELECT count(DISTINCT e.id) FROM entries e JOIN entry_indicators ei
           ON ei.entry_id = e.id WHERE e.report_id = r.id AND ei.number = f.number)
             AS entries,
         {_count("measure")} AS measures,
         {_count("result")} AS results,
         {_count("outcome")} AS outcomes,
         {_count("unit")} AS units,
         (SELECT count(DISTINCT e.id) FROM entries e JOIN entry_indicators ei
           ON ei.entry_id = e.id WHERE e.report_id = r.id AND ei.number = f.number
           AND NOT EXISTS (SELECT 1 FROM items x WHERE x.entry_id = e.id
                           AND x.role = 'result')) AS entries_without_result,
         r.id AS report_id
  FROM reports r
  JOIN agencies a ON a.id = r.agency_id
  JOIN ita_indicators f ON r.fiscal_year_be BETWEEN f.from_be AND f.to_be
  WHERE NOT r.superseded
) c
"""


def _rewrite_search_columns(bind: sa.Connection) -> None:
    rows = [
        {"id": i, "s": search_text(t), "tokens": cluster_tokens(t)}
        for i, t in bind.execute(sa.text("SELECT id, text FROM items"))
    ]
    if rows:
        bind.execute(
            sa.text("UPDATE items SET search_text = :s, search_tokens = :tokens WHERE id = :id"),
            rows,
        )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("items", sa.Column("unit_name", sa.Text(), nullable=True))
    op.create_table(
        "measure_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("agency_key", sa.Text(), nullable=False),
        sa.Column("from_year_be", sa.Integer(), nullable=False),
        sa.Column("to_year_be", sa.Integer(), nullable=False),
        sa.Column("from_report_id", sa.Integer(), nullable=False),
        sa.Column("to_report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=True),
        sa.Column("from_indicator", sa.Text(), nullable=True),
        sa.Column("to_indicator", sa.Text(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("from_item_id", sa.Integer(), nullable=True),
        sa.Column("to_item_id", sa.Integer(), nullable=True),
        sa.Column("from_text", sa.Text(), nullable=True),
        sa.Column("to_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_measure_changes_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(
            ["from_report_id"], ["reports.id"], name="fk_measure_changes_from_report_id_reports"
        ),
        sa.ForeignKeyConstraint(
            ["to_report_id"], ["reports.id"], name="fk_measure_changes_to_report_id_reports"
        ),
        sa.ForeignKeyConstraint(
            ["from_item_id"], ["items.id"], name="fk_measure_changes_from_item_id_items"
        ),
        sa.ForeignKeyConstraint(
            ["to_item_id"], ["items.id"], name="fk_measure_changes_to_item_id_items"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure_changes"),
    )
    for column in ("agency_id", "from_report_id", "to_report_id"):
        op.create_index(f"ix_measure_changes_{column}", "measure_changes", [column])
    _rewrite_search_columns(bind)
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS item_search")
        op.execute(FTS_DDL)
        op.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")
    units.name_units(bind)
    changes.rebuild(bind)
    op.execute(measure_details(dialect))
    op.execute(INDICATOR_COVERAGE)


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS indicator_coverage")
    op.execute("DROP VIEW IF EXISTS measure_details")
    op.drop_table("measure_changes")
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS items_fts")
        op.execute(OLD_FTS_DDL)
        op.execute("INSERT INTO item_search (rowid, tokens) SELECT id, search_tokens FROM items")
    op.execute("ALTER TABLE items DROP COLUMN unit_name")  # SQLite 3.35+: no table rebuild

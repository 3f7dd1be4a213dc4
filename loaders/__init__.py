"""Loading parsed reports into SQL (SQLite or PostgreSQL) and querying them back.

The only package that writes. ``store.Store.load`` writes one document per transaction;
``ingest`` finds, parses and loads files; ``queries`` and ``search`` read; ``migrate`` keeps
the schema current. docs/schema.md describes the tables.
"""

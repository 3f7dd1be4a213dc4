"""Loading parsed reports into SQL (SQLite or PostgreSQL) and querying them back.

The only package that writes. ``store.Store.load`` writes one document per transaction;
``ingest`` finds and parses files; ``batch`` runs thousands of them through worker processes
(``workers``) or a Dask cluster (``cluster``), fetching URLs (``fetch``, ``blobs``) and holding
the store's ingest lock (``locks``); ``queries`` and ``search`` read; ``migrate`` keeps the
schema current. docs/schema.md describes the tables, docs/scaling.md the batch.
"""

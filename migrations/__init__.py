"""Alembic migrations of the ita-etl store; run them with ``ita-etl db upgrade``
(``loaders.migrate``), which finds this package with importlib.resources."""

"""What people use: the ``Database`` object (notebooks and the CLI alike), the ``ita-etl``
command, and the printed forms of records and rows."""

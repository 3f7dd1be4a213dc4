"""The pure middle of the pipeline: a ``RawDocument`` interpreted into records, normalised,
and two years' measures paired. Nothing here reads files, talks to a database or keeps state;
``pipeline.extract_bytes`` is the whole parse of one file's bytes."""

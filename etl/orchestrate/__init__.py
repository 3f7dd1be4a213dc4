"""Running the pipeline over many sources: finding them (files, folders, globs, URLs),
parsing them in sandboxed worker processes or on a Dask cluster, and handing each result to
the store's single writer (``loaders.store``). Sits above ``loaders``: it may write only
through the store."""

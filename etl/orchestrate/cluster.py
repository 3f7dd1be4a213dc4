"""Parsing on a Dask distributed cluster, through the same ``Executor`` interface as locally.

``DaskExecutor`` submits with ``pure=False`` (a changed file at the same path must be parsed
again, never served from Dask's cache of an earlier result). Each task runs, on its Dask
worker, in a ``SandboxPool`` of that worker's own, one sandbox per worker thread: the same
time limit, memory cap and crash isolation as on one machine, where a Dask worker thread on
its own could neither be stopped nor survive a segfault.

Only parsing happens on the cluster. The workers need the files at the same paths (a shared
filesystem) and the project installed; the database is written by the one process that runs
``ita-etl ingest``. docs/scaling.md has the details and the limits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

from etl.orchestrate.workers import Limits, SandboxPool
from schemas.errors import UsageError

P = ParamSpec("P")
T = TypeVar("T")

SCHEME = "dask://"
CONNECT_SECONDS = 20

_pools: dict[Limits, SandboxPool] = {}
_pools_lock = threading.Lock()


def scheduler_address(spec: str) -> str:
    """``dask://HOST:PORT`` to the scheduler's ``tcp://HOST:PORT``."""
    if not spec.startswith(SCHEME) or not spec[len(SCHEME) :]:
        raise UsageError(f"not a Dask scheduler address: {spec!r} (dask://HOST:PORT)")
    return "tcp://" + spec[len(SCHEME) :]


class DaskExecutor(Executor):
    """Tasks on the Dask cluster at ``address``, each in a sandbox on its worker."""

    def __init__(self, address: str, limits: Limits) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(
                "the Dask executor needs dask[distributed]: pip install 'ita-etl[cluster]'"
            ) from None
        self.limits = limits
        connect: Any = Client  # distributed's own annotations are partial
        try:
            self.client: Any = connect(scheduler_address(address), timeout=CONNECT_SECONDS)
        except OSError as error:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self._executor = self.client.get_executor(pure=False)

    @property
    def threads(self) -> int:
        """Worker threads across the cluster now: how many documents it parses at once."""
        return max(1, sum(int(n) for n in self.client.nthreads().values()))

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = self._executor.submit(in_sandbox, self.limits, fn, *args, **kwargs)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            for future in list(self._executor._futures):
                future.cancel()
        self._executor.shutdown(wait=wait and not cancel_futures)
        self.client.close()


def in_sandbox(limits: Limits, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run on a Dask worker: ``fn`` in this worker's sandbox pool (started on first use)."""
    with _pools_lock:
        pool = _pools.get(limits)
        if pool is None:
            pool = _pools[limits] = SandboxPool(_worker_threads(), limits)
    return pool.submit(fn, *args, **kwargs).result()


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1

"""Where parsing runs: ``concurrent.futures`` executors that a hostile document cannot stall.

``SandboxPool`` keeps N worker processes, each a fresh interpreter (``python -m
etl.orchestrate.workers``) fed one task at a time over a pipe. A supervisor thread watches
them: a task over the time limit has its worker killed (``DocumentTimeoutError``), a worker
that dies takes only its own task with it (``WorkerCrashedError``), and a replacement starts
in either case.
``ProcessPoolExecutor`` cannot do this: it cannot kill one task, and one dead worker breaks
the whole pool without saying which task killed it.

Workers are started with ``subprocess``, not ``multiprocessing``, so that the same pool also
runs inside a Dask worker (a daemonic process, which ``multiprocessing`` forbids to have
children; ``etl.orchestrate.cluster``). Each worker ignores Ctrl-C (the batch decides when to stop
them), caps its address space (``memory_mb``, so a document that explodes in memory fails
with a ``MemoryError`` instead of taking the machine down) and dies with its parent on Linux.

``InlineExecutor`` runs tasks in the caller, with no limit: for a handful of files, the API,
and debugging (``--workers 0``). ``run_alone`` runs one task in one such worker: ``ita-etl
extract`` and ``text`` read their file there, under the same limits as ingest's documents.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from schemas.errors import DocumentTimeoutError, WorkerCrashedError, WorkerError

P = ParamSpec("P")
T = TypeVar("T")

_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])
_STOP_GRACE_SECONDS = 2.0
_READY = b"ready"
_START_ATTEMPTS = 3
_MORE_TIME = "more time"


@dataclass(frozen=True)
class Limits:
    """What one document may cost a worker. ``None`` (or 0) means no limit."""

    doc_timeout: float | None = 60.0
    memory_mb: int | None = 2048

    def timeout_reason(self, ocr_pages: int = 0, ocr_seconds: float = 0.0) -> str:
        """Why a document was stopped; with the OCR budgets it was given, when it had any
        (a page's OCR normally stops at its own budget: past them all, something hung)."""
        reason = f"timed out after {self.doc_timeout:g} s"
        if ocr_pages:
            pages = "1 page" if ocr_pages == 1 else f"{ocr_pages} pages"
            reason += f" plus {ocr_seconds:g} s for the {pages} it OCR'd"
        return reason


class InlineExecutor(Executor):
    """Runs each task at once in the calling thread: no process, no time limit."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


@dataclass
class _Task:
    future: Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    tasks: Connection
    results: Connection
    task: _Task | None = None
    deadline: float | None = None
    ocr_pages: int = 0
    """Pages its task has started to OCR: each extended ``deadline`` by its budget."""
    ocr_seconds: float = 0.0
    ready: bool = False
    """It has said it is ready: imports and warm-up done, so a task's clock is fair."""

    def close(self, *, kill: bool) -> None:
        """Close its pipes (an idle worker exits on that) and reap it, killing if told to."""
        with contextlib.suppress(OSError):
            self.tasks.close()
        if kill:
            with contextlib.suppress(OSError):
                self.process.kill()
        try:
            self.process.wait(timeout=_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.results.close()


@dataclass
class _State:
    queue: deque[_Task] = field(default_factory=deque)
    closing: bool = False
    kill_running: bool = False
    broken: str | None = None
    """Why workers cannot start (they died before being ready, several times in a row)."""
    used: bool = False
    """A task was submitted: workers start then, so a batch with nothing to parse (a re-run
    of an unchanged corpus) starts none."""


class SandboxPool(Executor):
    """``workers`` supervised worker processes; see the module docstring."""

    def __init__(
        self,
        workers: int,
        limits: Limits | None = None,
        *,
        preload: Sequence[str] = ("etl.orchestrate.parse:warm_up",),
    ) -> None:
        """``preload``: modules a worker imports, or ``module:function`` it calls, before it
        says it is ready (a task's time limit starts when the task is handed over)."""
        if workers < 1:
            raise ValueError("a sandbox pool needs at least one worker")
        self.size = workers
        self.limits = limits or Limits()
        self._preload = tuple(preload)
        self._state = _State()
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = os.pipe()
        os.set_blocking(self._wake_reader, False)
        os.set_blocking(self._wake_writer, False)
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self._thread = threading.Thread(
            target=self._supervise, name="ita-etl sandbox supervisor", daemon=True
        )
        self._thread.start()

    # --- the Executor interface (any thread) ---------------------------------------------

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._state.closing:
                raise RuntimeError("cannot submit to a sandbox pool after shutdown")
            if self._state.broken:
                future.set_exception(WorkerCrashedError(self._state.broken))
                return future
            self._state.queue.append(_Task(future, fn, args, dict(kwargs)))
            self._state.used = True
            self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers. ``cancel_futures`` also kills the tasks running: a document half
        parsed is of no use once the batch stops."""
        with self._lock:
            self._state.closing = True
            if cancel_futures:
                self._state.kill_running = True
                while self._state.queue:
                    self._state.queue.popleft().future.cancel()
            self._wake()
        if wait or cancel_futures:
            self._thread.join()

    def _wake(self) -> None:
        """Interrupt the supervisor's wait (under ``_lock``). Never blocks: a full pipe
        already holds a wake-up; a closed one means the supervisor is gone."""
        if self._wake_writer >= 0:
            with contextlib.suppress(BlockingIOError):
                os.write(self._wake_writer, b".")

    # --- the supervisor thread -----------------------------------------------------------

    def _supervise(self) -> None:
        try:
            while self._step():
                pass
        finally:
            for worker in self._workers:
                if worker.task is not None:
                    _fail(worker.task.future, RuntimeError("stopped: the pool was shut down"))
                worker.close(kill=worker.task is not None or not worker.ready)
            self._workers.clear()
            with self._lock:
                os.close(self._wake_reader)
                os.close(self._wake_writer)
                self._wake_writer = -1

    def _step(self) -> bool:
        """One round: hand out tasks, wait for a result, a death, a deadline or a wake-up.
        False when the pool is closed and nothing is left to do."""
        with self._lock:
            if self._state.kill_running:
                return False
            closing = self._state.closing
        self._dispatch(closing)
        busy = [w for w in self._workers if w.task is not None]
        with self._lock:
            if closing and not busy and not self._state.queue:
                return False
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        watched: list[Any] = [self._wake_reader, *(w.results for w in self._workers)]
        for ready in wait(watched, timeout):
            if ready == self._wake_reader:
                self._drain_wake()
                continue
            worker = next(w for w in self._workers if w.results is ready)
            self._collect(worker)
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.task is not None and worker.deadline is not None and now >= worker.deadline:
                reason = self.limits.timeout_reason(worker.ocr_pages, worker.ocr_seconds)
                self._retire(worker, DocumentTimeoutError(reason))
        return True

    def _dispatch(self, closing: bool) -> None:
        """Start workers up to the pool's size and give each idle one the next task."""
        wanted = self._state.used and not closing and not self._state.broken
        while wanted and len(self._workers) < self.size:
            self._workers.append(self._start_worker())
        for worker in list(self._workers):
            while worker.ready and worker.task is None:
                with self._lock:
                    if not self._state.queue:
                        return
                    task = self._state.queue.popleft()
                if task.future.cancelled():
                    continue
                try:
                    payload = pickle.dumps((task.fn, task.args, task.kwargs))
                except Exception as error:
                    _fail(task.future, error)
                    continue
                try:
                    worker.tasks.send_bytes(payload)
                except OSError:  # it died while idle: the task goes to its replacement
                    with self._lock:
                        self._state.queue.appendleft(task)
                    worker = self._replace(worker)
                    continue
                task.future.set_running_or_notify_cancel()
                worker.task = task
                timeout = self.limits.doc_timeout
                worker.deadline = time.monotonic() + timeout if timeout else None
                worker.ocr_pages, worker.ocr_seconds = 0, 0.0

    def _collect(self, worker: _Worker) -> None:
        """A worker's pipe is readable: its result, or EOF because it died."""
        if not worker.ready:
            self._hear_ready(worker)
            return
        leaving = False
        try:
            ok, value, leaving = worker.results.recv()
            if ok == _MORE_TIME:  # an OCR page started: its budget is added to the limit
                if worker.deadline is not None:
                    worker.deadline += float(value)
                worker.ocr_pages += 1
                worker.ocr_seconds += float(value)
                return
        except (EOFError, OSError):
            self._retire(worker, WorkerCrashedError(_death(worker.process)))
            return
        except Exception as error:  # a result that cannot be unpickled here
            ok, value = False, RuntimeError(f"cannot read the worker's result: {error}")
        task, worker.task, worker.deadline = worker.task, None, None
        if leaving:
            self._replace(worker)
        if task is None or task.future.done():
            return
        if ok:
            task.future.set_result(value)
        else:
            task.future.set_exception(value)

    def _hear_ready(self, worker: _Worker) -> None:
        """A new worker's first word: ready, or EOF because it could not start."""
        try:
            worker.ready = worker.results.recv_bytes() == _READY
        except (EOFError, OSError):
            self._start_failures += 1
            if self._start_failures >= _START_ATTEMPTS:
                self._give_up(f"workers cannot start: {_death(worker.process)}")
            self._replace(worker)
            return
        self._start_failures = 0

    def _give_up(self, reason: str) -> None:
        """Fail every queued task: no worker will ever run them."""
        with self._lock:
            self._state.broken = reason
            queued, self._state.queue = self._state.queue, deque()
        for task in queued:
            _fail(task.future, WorkerCrashedError(reason))

    def _retire(self, worker: _Worker, error: BaseException) -> None:
        """Kill a worker (over time, or already dead), fail its task, start another."""
        task = worker.task
        worker.task = None
        self._replace(worker)
        if task is not None:
            _fail(task.future, error)

    def _replace(self, worker: _Worker) -> _Worker:
        """Stop ``worker`` and put a fresh one in its place (none once the pool closes)."""
        worker.close(kill=True)
        index = self._workers.index(worker)
        with self._lock:
            closing = self._state.closing and not self._state.queue
        if closing or self._state.broken:
            del self._workers[index]
            return worker
        self._workers[index] = self._start_worker()
        return self._workers[index]

    def _drain_wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._wake_reader, 4096):
                pass

    def _start_worker(self) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        memory = self.limits.memory_mb or 0
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH")) if p)
        command = [
            sys.executable,
            "-m",
            "etl.orchestrate.workers",
            str(task_read),
            str(result_write),
            str(os.getpid()),
            str(memory),
            *self._preload,
        ]
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, pass_fds=(task_read, result_write), env=env
            )
        finally:
            os.close(task_read)
            os.close(result_write)
        return _Worker(
            process,
            Connection(task_write, readable=False),
            Connection(result_read, writable=False),
        )


OUT_OF_MEMORY = "ran out of memory (over the worker's memory limit, --doc-memory)"


def run_alone(limits: Limits, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in one sandboxed worker under ``limits``, as ingest parses a
    document: a file that makes the parser loop is stopped at the time limit
    (``DocumentTimeoutError``), one that explodes in memory at the memory limit
    (``WorkerError``). What ``fn`` raises is raised here."""
    pool = SandboxPool(1, limits, preload=())
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except MemoryError:
        raise WorkerError(OUT_OF_MEMORY) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fail(future: Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _death(process: subprocess.Popen[bytes]) -> str:
    """Why a worker is gone: "worker crashed (signal 9: SIGKILL)" or an exit status."""
    try:
        code = process.wait(timeout=_STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        return "worker stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
        return f"worker crashed (signal {-code}: {name})"
    return f"worker exited with status {code}"


# --- the worker process ----------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """On Linux, ask to be killed when the parent dies (a SIGKILLed batch leaves no orphans
    parsing on); elsewhere the closed pipe stops the worker after its current task."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def serve(argv: Sequence[str]) -> None:
    """The worker's loop: receive (fn, args, kwargs), run, send (ok, value, leaving) back."""
    task_fd, result_fd, parent, memory_mb, *preload = argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(parent))
    os.dup2(2, 1)  # stray prints from libraries must not mix into the batch's stdout
    if int(memory_mb) > 0:
        import resource

        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    tasks = Connection(int(task_fd), writable=False)
    results = Connection(int(result_fd), readable=False)
    for spec in preload:
        module, _, function = spec.partition(":")
        loaded = importlib.import_module(module)
        if function:
            getattr(loaded, function)()
    results.send_bytes(_READY)
    from extractors.ocr import budget

    sending = threading.Lock()  # OCR threads may ask for time while a result goes out

    def more_time(seconds: float) -> None:
        with sending:
            results.send((_MORE_TIME, seconds, False))

    budget.listen(more_time)
    while True:
        try:
            payload = tasks.recv_bytes()
        except (EOFError, OSError):
            return
        ok: bool
        try:
            fn, args, kwargs = pickle.loads(payload)
            ok, value = True, fn(*args, **kwargs)
        except Exception as error:
            ok, value = False, error
        # after a MemoryError the interpreter may be in a bad way: leave, a fresh one starts
        leaving = _out_of_memory(ok, value)
        try:
            data = pickle.dumps((ok, value, leaving))
        except Exception as error:
            failure = RuntimeError(f"cannot send the result back: {error}")
            data = pickle.dumps((False, failure, leaving))
        try:
            with sending:
                results.send_bytes(data)
        except OSError:
            return
        if leaving:
            return


def _out_of_memory(ok: bool, value: Any) -> bool:
    if not ok:
        return isinstance(value, MemoryError)
    return getattr(value, "error_type", None) == "MemoryError"


if __name__ == "__main__":
    serve(sys.argv[1:])

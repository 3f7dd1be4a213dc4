"""Every error ita-etl raises on purpose, in one hierarchy.

It lives beside the records because it is part of the same contract: an extractor, the
pipeline, the workers, the store and the CLI all speak it. Each class says three things:

- ``stage``: where a source's failure is recorded as having happened (``sources.stage``);
- ``retryable``: whether a later run tries the same bytes again by itself (a bug or a busy
  database may be gone next time; the same bytes given to the same parser are rejected the
  same way, and a document that blew a worker's limits would blow them again);
- ``exit_code``: what the CLI exits with when the error ends a whole command. ::

    ItaEtlError
    ├── InputError               stage input, not retried, exit 2: no records in these bytes
    │   ├── EmptyInputError
    │   ├── UnsupportedFormatError
    │   ├── NoReportTableError
    │   ├── UnrecognisedColumnsError
    │   ├── CorruptDocumentError
    │   ├── EncryptedDocumentError
    │   ├── ScannedDocumentError   no text layer: OCR needed
    │   └── DocumentTooLargeError
    ├── ParseError               stage parse, retried: the parser itself failed (a bug)
    ├── WorkerError              stage worker, not retried: over a worker's limits
    │   ├── DocumentTimeoutError
    │   └── WorkerCrashedError
    ├── StoreError               stage load, retried, exit 3: the database refused or is in use
    │   └── StoreBusyError
    └── UsageError               exit 64: bad arguments
        └── OptionError          exit 2: an option's value is malformed (as for typer's own)

A recorded failure keeps only its stage; ``retryable_stage`` gives the policy back from it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

Stage = Literal["input", "parse", "worker", "load"]


class ItaEtlError(Exception):
    """Base of every error ita-etl raises on purpose."""

    exit_code: ClassVar[int] = 1
    stage: ClassVar[Stage | None] = None
    retryable: ClassVar[bool] = False

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def one_line(self) -> str:
        """The single line the CLI prints: which file, and why."""
        reason = " ".join(self.reason.split())
        return f"{self.path}: {reason}" if self.path else reason


class InputError(ItaEtlError):
    exit_code = 2
    stage = "input"


class EmptyInputError(InputError):
    pass


class UnsupportedFormatError(InputError):
    pass


class NoReportTableError(InputError):
    pass


class UnrecognisedColumnsError(InputError):
    pass


class CorruptDocumentError(InputError):
    pass


class EncryptedDocumentError(InputError):
    pass


class ScannedDocumentError(InputError):
    def __init__(
        self, reason: str, *, path: str | None = None, pages: tuple[int, ...] = ()
    ) -> None:
        super().__init__(reason, path=path)
        self.pages = pages


class DocumentTooLargeError(InputError):
    pass


class ParseError(ItaEtlError):
    """The parser raised something it did not mean to: recorded, and tried again next run."""

    stage = "parse"
    retryable = True


class WorkerError(ItaEtlError):
    """A worker process gave up on a document: over its time or memory limit, or dead."""

    stage = "worker"


class DocumentTimeoutError(WorkerError):
    """A document ran over the per-document time limit; its worker was killed."""


class WorkerCrashedError(WorkerError):
    """The worker process died while parsing (a signal, or an exit)."""


class StoreError(ItaEtlError):
    exit_code = 3
    stage = "load"
    retryable = True


class StoreBusyError(StoreError):
    pass


class UsageError(ItaEtlError):
    exit_code = 64


class OptionError(UsageError):
    """An option's value that cannot be one (a database URL that is not one, a negative
    limit): exit 2, as the command-line parser exits for a value of the wrong type."""

    exit_code = 2


_STAGES: dict[str, type[ItaEtlError]] = {
    "input": InputError,
    "parse": ParseError,
    "worker": WorkerError,
    "load": StoreError,
}


def stage_of(error: BaseException) -> Stage:
    """Where a failure happened: an ``ItaEtlError`` says; running out of memory is the
    worker's limit; anything else is the parser failing."""
    if isinstance(error, ItaEtlError) and error.stage is not None:
        return error.stage
    if isinstance(error, MemoryError):
        return "worker"
    return "parse"


def retryable_stage(stage: str | None) -> bool:
    """Whether a failure recorded at ``stage`` is tried again by the next run."""
    cls = _STAGES.get(stage or "parse")
    return cls.retryable if cls is not None else True

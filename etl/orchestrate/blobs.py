"""Downloaded reports kept by content: ``DIR/ab/abcdef…`` named by the bytes' sha256.

Nothing ingested from a URL is ever lost: the bytes a source row was parsed from stay here
even after the agency's website changes or drops the report, and a later 304 Not Modified
needs them. A blob is written to a temporary file, flushed to disk and renamed into place
before any row refers to it, so a run killed mid-download leaves at worst a stray temporary
file (removed by the next run), never a half blob under a real name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from schemas.errors import InputError

_TEMP_PREFIX = ".partial-"
_STALE_TEMP_SECONDS = 24 * 3600


class BlobStore:
    """A folder of content-addressed files (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._swept = False

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def write(self, chunks: Iterable[bytes], *, max_bytes: int) -> tuple[str, int]:
        """Store the bytes ``chunks`` yields; their sha256 and size. Raises ``InputError``
        past ``max_bytes`` (nothing is kept then)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep()
        digest, size = hashlib.sha256(), 0
        handle, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise InputError(f"more than the {max_bytes:,}-byte limit")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path(sha256)
            if final.is_file():
                temp.unlink()
            else:
                final.parent.mkdir(exist_ok=True)
                temp.replace(final)
                _fsync_dir(final.parent)
            return sha256, size
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise

    def _sweep(self) -> None:
        """Remove temporary files a killed run left behind (old ones only: another process
        may be writing a fresh one)."""
        if self._swept:
            return
        self._swept = True
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for stray in self.root.glob(f"{_TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if stray.stat().st_mtime < cutoff:
                    stray.unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

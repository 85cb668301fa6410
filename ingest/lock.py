"""One writer run at a time per database, across processes: an flock on ``<db>.lock``.

The lock sits beside the database file itself, its path resolved: a database reached through a
symlink, a relative path or ``..`` is one database with one lock, whatever path each run took.

SQLite would serialise the writes anyway, but two runs interleaving per-feed transactions would
double the work and muddle the runs table. The lock is released by the kernel when the process
dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockedError(RuntimeError):
    """Another ingest holds the database."""


@contextmanager
def run_lock(db_path: str | os.PathLike, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the run lock for ``db_path``, waiting up to ``wait`` seconds for another run."""
    lock_path = Path(f"{Path(db_path).resolve()}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise LockedError(
                        f"{db_path}: another ingest is running ({holder}); try again later"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()

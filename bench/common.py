"""What every benchmark shares: the machine it ran on, medians of repeated runs, memory.

The machines these run on are shared and noisy, so each figure is a median of several runs and
the reports favour ratios over absolute times.
"""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"  # gitignored: generated databases and feeds live here

if str(REPO) not in sys.path:  # run as `python bench/x.py` from anywhere
    sys.path.insert(0, str(REPO))


def machine() -> dict[str, str]:
    """Platform, Python, CPU model, cores and SQLite: the context a figure needs."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "sqlite": sqlite3.sqlite_version,
        "sqlite-utils": version("sqlite-utils"),
    }


def print_machine() -> None:
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine().items()))


def median_time(run: Callable[[], object], repeat: int = 3,
                setup: Callable[[], object] | None = None) -> tuple[float, list[float]]:
    """Median wall time of ``run`` over ``repeat`` runs, with every run's time (seconds).

    ``setup`` runs before each timed run and is not timed (e.g. a fresh database).
    """
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def children_rss_mb() -> float:
    """Resident memory of this process's child processes now (e.g. tagger workers), in MB."""
    total = 0
    for tasks in Path("/proc/self/task").glob("*/children"):
        for pid in tasks.read_text().split():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            except OSError:
                continue  # exited meanwhile
    return total * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss`` is KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


class RssSampler:
    """Sample RSS in a background thread: the peak over a stretch of work, not the process;
    ``children_peak`` is the peak of its child processes' RSS added together."""

    def __init__(self, every: float = 0.1) -> None:
        self.every, self.peak, self._stop = every, 0.0, threading.Event()
        self.children_peak = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_mb())
            self.children_peak = max(self.children_peak, children_rss_mb())

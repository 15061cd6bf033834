"""A one-line progress bar for long experiments, on interactive terminals only."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """Runs done, runs failed, and the time remaining, redrawn in place::

        [##########..........] 512/1000 runs  3 failed  0:41 left

    The estimate is this session's pace: runs finished so far divided by the
    time since it started. Silent unless ``stream`` is a terminal (or
    ``enabled=True``), so logs and pipes get no control characters.
    """

    def __init__(self, total: int, done: int = 0, failed: int = 0, stream: TextIO | None = None,
                 enabled: bool | None = None, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.failed, self.width = total, done, failed, width
        self._start_done = done + failed  # runs stored before this session do not count for the pace
        self._started = self._drawn = time.perf_counter()
        self.draw(force=True)

    def update(self, failed: bool = False) -> None:
        """Count one more finished run."""
        if failed:
            self.failed += 1
        else:
            self.done += 1
        self.draw()

    def line(self) -> str:
        finished = self.done + self.failed
        filled = int(self.width * finished / self.total) if self.total else self.width
        ran = finished - self._start_done
        elapsed = time.perf_counter() - self._started
        left = f"{_clock(elapsed / ran * (self.total - finished))} left" if ran else "estimating time left"
        failed = f"  {self.failed} failed" if self.failed else ""
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {finished}/{self.total} runs{failed}  {left}"

    def draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._drawn < 0.1 and self.done + self.failed < self.total):
            return  # at most ten redraws a second
        self._drawn = now
        self.stream.write("\r" + self.line().ljust(79))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

"""The progress of an experiment's runs: done, failed and time left, on a
terminal only (a `simulation.progress.progress_bar`)."""

from __future__ import annotations

from typing import TextIO

from simulation.progress import progress_bar


class Progress:
    """Runs done, runs failed, and the time left, redrawn in place::

         51%|██████████▎         | 512/1000 runs, 3 failed, 00:43 so far, 00:41 left

    The estimate is this session's pace: runs finished so far divided by the
    time since it started (runs stored before, on a resume, do not count).
    Silent unless ``stream`` is a terminal (or ``enabled=True``), so logs and
    pipes get no control characters.
    """

    def __init__(self, total: int, done: int = 0, failed: int = 0, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.done, self.failed = done, failed
        self.bar = progress_bar(total, "runs", initial=done + failed, enabled=enabled, stream=stream)
        self._show_failed()

    def update(self, failed: bool = False) -> None:
        """Count one more finished run."""
        if failed:
            self.failed += 1
            self._show_failed()
        else:
            self.done += 1
        self.bar.update()

    def _show_failed(self) -> None:
        if self.failed:
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)

    def close(self) -> None:
        self.bar.close()

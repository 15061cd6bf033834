"""Progress bars for anything that takes more than a moment: tqdm's, with one
look across orgchange, on a terminal only.

A bar is drawn on standard error when that is a terminal, and not at all
when output goes to a pipe or a file, so logs and captured output hold no
control characters. tqdm is a dependency of Mesa, and so always installed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm

BAR_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit}{postfix}, {elapsed} so far, {remaining} left"
"""Done of total, then the time so far and the time left (``?`` until the
first step is done)."""


def progress_bar(total: int, unit: str, initial: int = 0, enabled: bool | None = None,
                 stream: TextIO | None = None, description: str = "") -> tqdm:
    """A progress bar over ``total`` steps, ``initial`` of them done already.

    Parameters
    ----------
    total
        Steps in all (weeks of a run, runs of an experiment), >= 0.
    unit
        What a step is, in the plural (``"weeks"``, ``"runs"``).
    initial
        Steps done before this session. They count as done, but not for the
        pace: the time left is this session's mean pace (tqdm's
        ``smoothing=0``), times the steps that remain.
    enabled
        True or False to force the bar on or off; None (the default) draws it
        only if ``stream`` is a terminal.
    stream
        Where to draw (default: standard error).
    description
        Words before the bar, such as a case's name.
    """
    from tqdm import tqdm

    stream = stream or sys.stderr
    return tqdm(total=total, initial=initial, unit=unit, file=stream, smoothing=0, mininterval=0.1,
                bar_format=BAR_FORMAT, desc=description or None, dynamic_ncols=True,
                disable=None if enabled is None else not enabled)

"""Keeping what lives as long as the process out of the garbage collector's sight.

Python's cyclic garbage collector now and then walks every object it
tracks: a full collection. Once numpy, pandas, scipy and Mesa are imported
that is some hundred thousand objects, 90 ms a walk on this project's
benchmark machine, whatever the size of the model. A model builds many
objects (agents, projects), which sets off full collections, and the one
that falls in a week of a large hospital can cost more than the week
itself. The modules live until the process ends, so walking them finds
nothing to free; `freeze_imports` moves them out of the collector's sight
(`gc.freeze`), once, before the model is built. Only the program's own
entry points call it (``orgchange run``, the workers of a pool or of Dask):
a library should not freeze its caller's objects.
"""

from __future__ import annotations

import gc
import os

_frozen_in = -1
"""The process that last froze (a forked worker inherits the number, and is not it)."""


def freeze_imports() -> None:
    """Move every object tracked now out of the collector's sight, the first
    time it is called in this process: later calls do nothing, so a process
    that runs the command line many times, as the tests do, freezes once,
    while a worker forked from it freezes what it has imported since."""
    global _frozen_in
    if _frozen_in != os.getpid():
        gc.freeze()
        _frozen_in = os.getpid()

"""The exit statuses of the ``orgchange`` command, one meaning each.

A script can act on them: fix its input (2), rebuild or restore a results
file (3), or free disk space, fix permissions or wait for another
process (4).
"""

from __future__ import annotations

OK = 0
INCOMPLETE = 1
"""The command ran, but not everything succeeded: some runs failed or are
unfinished (``experiment run``), or a case failed (``validate``)."""
BAD_INPUT = 2
"""An option, a file's contents or a value orgchange cannot accept (argparse's own status for usage errors)."""
DAMAGED_STORE = 3
"""A results file that fails its checks: damaged, unfinished, or of another store schema."""
ENVIRONMENT = 4
"""The machine refused: a full disk, no permission, a read-only file system, or a results file that another
process is writing."""
INTERRUPTED = 130
"""Stopped by Ctrl-C (128 + SIGINT, as shells report it); an experiment's finished runs are stored."""

EPILOG = ("exit status: 0 success; 1 some runs failed or are unfinished, or a validation case failed; 2 bad input "
          "(an option, a file's contents or a value); 3 a damaged results file (it fails SQLite's or orgchange's "
          "checks, or its creation never finished); 4 the machine refused (disk full, no permission, read-only "
          "file system, or a results file in use by another process); 130 interrupted.")


def status_of(err: BaseException) -> int | None:
    """The exit status for an error a user can cause, or None for a bug
    (which should show its traceback)."""
    from experiments.errors import StoreDamaged, StoreInUse
    from simulation.errors import ConfigError
    from simulation.organization import ChartError

    if isinstance(err, StoreDamaged):
        return DAMAGED_STORE
    if isinstance(err, (StoreInUse, OSError)):
        return ENVIRONMENT
    if isinstance(err, (ConfigError, ChartError)):
        return BAD_INPUT
    return None

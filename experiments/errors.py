"""The exceptions the experiment layer raises for what a user can fix.

Each kind gets its own exit status on the command line (``orgchange
--help`` lists them), so a script can tell a mistake in its input from a
damaged results file or a busy one. An error about how a function was
called names the caller's own arguments (`ExperimentArgumentError`):
``resume=True`` in Python, ``--resume`` on the command line.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from simulation.arguments import ArgumentError
from simulation.errors import ConfigError


class ExperimentError(ConfigError):
    """An experiment file, design, store or option that orgchange cannot accept.

    The message names the field at fault, e.g. ``design.kind: must be one of
    'factorial', ..., got 'grid'``. It is a `ConfigError`, so the command line
    reports it on one line (``orgchange: error: ...``) and exits with status 2.
    """


class ExperimentArgumentError(ArgumentError, ExperimentError):
    """An `ExperimentError` about how a function was called (``resume``,
    ``overwrite``, ``store``), which names the caller's own arguments:
    ``resume=True`` in Python, ``--resume`` on the command line (see
    `simulation.arguments`)."""


class StoreDamaged(ExperimentError):
    """A results file that cannot be read as one: damaged (SQLite's own check
    fails, or a table, column or manifest entry is missing or unreadable),
    not an orgchange results file at all, or of another store schema.

    The message names the file and what is wrong. The command line exits
    with status 3. Nothing is written to a damaged store, not even by
    ``--resume``: copy out what `experiments.load` can still read, or start
    again with ``--overwrite``.
    """


class StoreUnstarted(ExperimentArgumentError, StoreDamaged):
    """A results file whose creation was interrupted before any run was
    stored (by an older orgchange, which created the file before its
    tables): damaged for a reader, and started again by a run. Its message
    names the ``resume`` switch as the caller spells it."""


class StoreInUse(ExperimentError):
    """A results file that another process is writing (see `experiments.lock`).

    The message names the file and the process holding it. The command line
    exits with status 4, as for the other conditions of the machine rather
    than of the input (a full disk, a folder without write permission).
    """


class CannotRead(OSError):
    """A file the machine would not let orgchange read (no permission, an
    I/O error). Like any `OSError`, the command line exits with status 4."""


# SQLite's primary result codes (the low byte of an extended code) that
# mean the machine refused, with the errno that says so in words.
_ENVIRONMENT = {sqlite3.SQLITE_PERM: errno.EACCES, sqlite3.SQLITE_READONLY: errno.EROFS,
                sqlite3.SQLITE_IOERR: errno.EIO, sqlite3.SQLITE_FULL: errno.ENOSPC,
                sqlite3.SQLITE_CANTOPEN: errno.EACCES, sqlite3.SQLITE_NOMEM: errno.ENOMEM}
_IN_USE = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def store_failure(err: sqlite3.Error, path: str | Path, reading: bool = False) -> Exception:
    """What an SQLite error on the store at ``path`` means, as the
    exception to raise in its place, naming the file:

    * the machine refused (disk full, read-only, no permission, I/O error):
      an `OSError` (`CannotRead` if ``reading``), reported like every other
      file that cannot be written (or read);
    * another connection holds the database: `StoreInUse`;
    * anything else (a malformed page, a missing table): `StoreDamaged`.
    """
    code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF
    name = repr(str(path))
    if code in _ENVIRONMENT:
        kind = CannotRead if reading else OSError
        return kind(_ENVIRONMENT[code], f"{err} ({os.strerror(_ENVIRONMENT[code])})", str(path))
    if code in _IN_USE:
        return StoreInUse(f"results file {name} is locked by another connection ({err}); try again")
    return StoreDamaged(f"results file {name} is damaged: {err}")

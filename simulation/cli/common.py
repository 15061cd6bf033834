"""What every command family of the ``orgchange`` command line shares."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from simulation.cli.exits import BAD_INPUT
from simulation.errors import ConfigError
from simulation.parameters import PARAMETERS


def parameter_help(name: str) -> str:
    """An option's help text, from the parameter table: meaning, unit and default."""
    p = PARAMETERS[name]
    default = f"{p.default!r}" if p.default != "" else "none"
    return f"{p.doc} Unit: {p.unit}; default: {default}."


def as_option_error(err: ConfigError, options: Mapping[tuple, str]) -> ConfigError:
    """``err`` as the user of a command sees it: located at the option they
    typed (``--replicates``), not at the field of the file it became
    (``experiment.replicates``). ``options`` maps a location's start to its
    option; an error elsewhere is left as it is."""
    for depth in range(len(err.location), 0, -1):
        option = options.get(err.location[:depth])
        if option:
            return ConfigError(err.message, (option,))
    return err


def report_error(message: str, status: int = BAD_INPUT) -> int:
    """Report a user error on one line, the way argparse does, and return
    its exit status (`simulation.cli.exits`; bad input by default)."""
    print(f"orgchange: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def describe(err: BaseException) -> str:
    """An error's one-line message; a file the machine refused names the
    file and the reason, as ``cannot write 'out/x.csv': Read-only file system``."""
    if isinstance(err, OSError):
        from experiments.errors import CannotRead

        verb = "read" if isinstance(err, CannotRead) else "write"
        where = f" {str(err.filename)!r}" if err.filename else ""
        return f"cannot {verb}{where}: {err.strerror or err}"
    return str(err)


class naming:
    """``with naming(path):`` gives an `OSError` that names no file (a write
    that fails on a full disk names none) the name ``path``, for its message."""

    def __init__(self, path) -> None:
        self.path = path

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind, err, tb) -> None:
        if isinstance(err, OSError) and not err.filename and err.errno:
            raise OSError(err.errno, err.strerror, str(self.path)) from None


def writable_folder(folder: Path, option: str) -> None:
    """Create ``folder`` (the folder of ``option``) if missing, and make sure
    a file can be written in it, before any work whose results would go
    there. A file in its place is bad input (`ConfigError`); a folder the
    machine will not let us write raises `OSError` naming it and the reason
    (say, a read-only file system)."""
    from simulation.config import ConfigError

    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                raise ConfigError(f"{option}: {str(place)!r} is a file, not a folder")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(folder)) from None

"""What every command family of the ``orgchange`` command line shares."""

from __future__ import annotations

import sys
from collections.abc import Mapping

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


def report_error(message: str) -> int:
    """Report a user error on one line, the way argparse does, and return its exit status."""
    print(f"orgchange: error: {' '.join(message.split())}", file=sys.stderr)
    return 2

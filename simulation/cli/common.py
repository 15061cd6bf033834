"""What every command family of the ``orgchange`` command line shares."""

from __future__ import annotations

import sys

from simulation.parameters import PARAMETERS


def parameter_help(name: str) -> str:
    """An option's help text, from the parameter table: meaning, unit and default."""
    p = PARAMETERS[name]
    default = f"{p.default!r}" if p.default != "" else "none"
    return f"{p.doc} Unit: {p.unit}; default: {default}."


def report_error(message: str) -> int:
    """Report a user error on one line, the way argparse does, and return its exit status."""
    print(f"orgchange: error: {' '.join(message.split())}", file=sys.stderr)
    return 2

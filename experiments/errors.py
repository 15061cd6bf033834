"""The exceptions the experiment layer raises for a user's mistake."""

from __future__ import annotations

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

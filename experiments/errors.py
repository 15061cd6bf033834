"""The one exception the experiment layer raises for a user's mistake."""

from __future__ import annotations

from simulation.config import ConfigError


class ExperimentError(ConfigError):
    """An experiment file, design, store or option that orgchange cannot accept.

    The message names the field at fault, e.g. ``design.kind: must be one of
    'factorial', ..., got 'grid'``. It is a `ConfigError`, so the command line
    reports it on one line (``orgchange: error: ...``) and exits with status 2.
    """

"""The ``orgchange`` command line.

One module per family of commands, each with an ``add_commands(subparsers)``
that adds its parsers and sets a ``handler`` for each:

* `run_commands`: ``run``, ``strategies``, ``validate``;
* `experiment_commands`: ``experiment run | check | status``, ``export``;
* `analysis_commands`: ``compare``, ``sweep``, ``sensitivity``, ``report``;
* `dashboard_command`: ``dashboard``.

`main` parses the arguments, calls the handler, and turns the errors a user
can cause into one-line messages with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from simulation.cli import analysis_commands, dashboard_command, experiment_commands, run_commands
from simulation.cli.common import report_error
from simulation.config import ConfigError
from simulation.organization import ChartError

FAMILIES = (run_commands, experiment_commands, analysis_commands, dashboard_command)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orgchange",
        description="An agent-based model of how leadership spreads commitment to quality through a hospital.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # The command line writes figures to files and never shows them: draw
    # off-screen (matplotlib's Agg), unless the user chose a backend.
    os.environ.setdefault("MPLBACKEND", "Agg")
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, ChartError) as err:
        return report_error(str(err))
    except BrokenPipeError:  # the reader went away (`orgchange run | head`): nothing to report
        sys.stderr.close()
        return 0
    except OSError as err:  # e.g. an output folder that cannot be written
        where = f" {str(err.filename)!r}" if err.filename else ""
        return report_error(f"cannot write{where}: {err.strerror or err}")

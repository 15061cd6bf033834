"""The ``orgchange`` command line.

One module per family of commands, each with an ``add_commands(subparsers)``
that adds its parsers and sets a ``handler`` for each:

* `run_commands`: ``run``, ``strategies``, ``validate``;
* `experiment_commands`: ``experiment run | check | status``, ``export``;
* `analysis_commands`: ``compare``, ``sweep``, ``sensitivity``, ``report``;
* `dashboard_command`: ``dashboard``;
* `calibration_commands`: ``calibrate``, ``collaborative``.

The options several commands share are defined once, in `common`.

`main` parses the arguments, calls the handler, and turns the errors a user
can cause into one-line messages, each kind with its own exit status
(`simulation.cli.exits`, listed by every command's ``--help``).

Start-up is kept short: building the parser imports only the parameter
table, so ``orgchange --help`` answers at once. A handler imports what its
command needs (Mesa, pandas, the experiments package) when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from simulation.cli import (
    analysis_commands,
    calibration_commands,
    dashboard_command,
    experiment_commands,
    run_commands,
)
from simulation.cli.common import Parser, check_options, describe, report_error
from simulation.cli.exits import EPILOG, status_of

FAMILIES = (run_commands, experiment_commands, analysis_commands, calibration_commands, dashboard_command)


def _parser() -> Parser:
    from simulation import __version__

    parser = Parser(
        prog="orgchange",
        description="An agent-based model of how leadership spreads commitment to quality through a hospital.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.add_commands(sub)
    _add_epilog(parser)
    return parser


def _add_epilog(parser: argparse.ArgumentParser) -> None:
    """Every command's --help ends with the exit statuses (one list, here)."""
    parser.epilog = parser.epilog or EPILOG
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_epilog(child)


def main(argv: list[str] | None = None) -> int:
    # The command line writes figures to files and never shows them: draw
    # off-screen (matplotlib's Agg), unless the user chose a backend.
    os.environ.setdefault("MPLBACKEND", "Agg")
    args = _parser().parse_args(argv)
    try:
        check_options(args)
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (`orgchange run | head`): nothing to report
        sys.stderr.close()
        return 0
    except Exception as err:  # a user's error (bad input, a damaged store, a full disk) gets one line
        status = status_of(err)  # (what it needs is imported only now, so that --help stays fast)
        if status is None:  # a bug: its traceback is what a report needs
            raise
        # An error that names Python arguments (simulation.arguments) names the options instead.
        return report_error(describe(err, getattr(args, "option_names", None)), status)

"""The ``orgchange`` command line.

One module per family of commands, each with an ``add_commands(subparsers)``
that adds its parsers and sets a ``handler`` for each:

* `run_commands`: ``run``, ``strategies``, ``validate``;
* `experiment_commands`: ``experiment run | check | status``, ``export``;
* `analysis_commands`: ``compare``, ``sweep``, ``sensitivity``, ``report``;
* `dashboard_command`: ``dashboard``.

The options several commands share are defined once, in `common`.

`main` parses the arguments, calls the handler, and turns the errors a user
can cause into one-line messages with exit status 2.

Start-up is kept short: building the parser imports only the parameter
table, so ``orgchange --help`` answers at once. A handler imports what its
command needs (Mesa, pandas, the experiments package) when it runs.
"""

from __future__ import annotations

import os
import sys

from simulation.cli import analysis_commands, dashboard_command, experiment_commands, run_commands
from simulation.cli.common import OPTION_NAMES, Parser, check_options, report_error

FAMILIES = (run_commands, experiment_commands, analysis_commands, dashboard_command)


def _parser() -> Parser:
    from simulation import __version__

    parser = Parser(
        prog="orgchange",
        description="An agent-based model of how leadership spreads commitment to quality through a hospital.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # The command line writes figures to files and never shows them: draw
    # off-screen (matplotlib's Agg), unless the user chose a backend.
    os.environ.setdefault("MPLBACKEND", "Agg")
    args = _parser().parse_args(argv)
    # Imported after parsing, so that --help and --version do not pay for them.
    from simulation.arguments import ArgumentError
    from simulation.errors import ConfigError
    from simulation.organization import ChartError

    try:
        check_options(args)
        return args.handler(args)
    except ArgumentError as err:  # names Python arguments; say the options instead
        return report_error(err.for_command_line({**OPTION_NAMES, **getattr(args, "option_names", {})}))
    except (ConfigError, ChartError) as err:
        return report_error(str(err))
    except BrokenPipeError:  # the reader went away (`orgchange run | head`): nothing to report
        sys.stderr.close()
        return 0
    except OSError as err:  # e.g. an output folder that cannot be written
        where = f" {str(err.filename)!r}" if err.filename else ""
        return report_error(f"cannot write{where}: {err.strerror or err}")

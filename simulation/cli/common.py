"""What every command family of the ``orgchange`` command line shares: one
grammar for the options that several commands take, and how errors are
reported.

The grammar (README, "The command line"):

* ``--out DIR`` is always an output folder, and ``-o FILE`` always a single
  output file.
* ``--seed``, ``--engine``, ``--workers`` and ``--replicates`` are defined
  once, here, and mean the same on every command that takes them.
* Nothing is replaced silently: a command that would replace earlier
  results refuses, naming ``--overwrite`` (and ``--resume`` where unfinished
  results can be finished; see `simulation.outputs`).

This module is imported while the parser is built, so it imports nothing
heavy (`simulation.parameters` is a table of plain data).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

from simulation.cli.exits import BAD_INPUT
from simulation.errors import ConfigError
from simulation.parameters import PARAMETERS

DEFAULT_SEED = PARAMETERS["seed"].default
"""The one default root seed of every command that simulates (0)."""

OPTION_NAMES = {"store": "--output", "folder": "--out", "output": "--output", "fmt": "--format"}
"""How the command line spells the Python arguments that errors name (see
`simulation.arguments`): the store's path is ``-o/--output``, a folder is
``--out``. A command whose store lives in its ``--out`` folder says so with
``set_defaults(option_names={"store": "--out"})``. Switches (``resume``,
``overwrite``) are spelled ``--resume`` and ``--overwrite``."""

MINIMA = {"seed": 0, "workers": 1, "replicates": 1}
"""The smallest value of each integer option defined here; `check_options`
refuses less, naming the option."""


class Parser(argparse.ArgumentParser):
    """The parser of ``orgchange`` and of each of its commands.

    Long options must be written in full (no abbreviations): otherwise
    ``--out`` would be taken for ``--output`` on a command that only has the
    latter, and a folder name would silently become a file name.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


class LazyChoices(Sequence):
    """An option's allowed values, looked up only when they are needed.

    argparse reads ``choices`` only to check a value the user gave, and to
    print the help (``%(choices)s``), so a list that lives in a heavy module
    (the outcomes of experiments.analysis) costs nothing while the parser is
    built: ``orgchange --help`` stays fast.
    """

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._values: list[str] | None = None

    @property
    def values(self) -> list[str]:
        if self._values is None:
            self._values = list(self._load())
        return self._values

    def __getitem__(self, index):
        return self.values[index]

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __contains__(self, value) -> bool:
        return value in self.values


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


# --- the shared options ---------------------------------------------------------------------------
def add_seed(parser: argparse.ArgumentParser, default: str = f"{DEFAULT_SEED}") -> None:
    """``--seed S``: the root seed every random draw derives from."""
    parser.add_argument("--seed", type=int, metavar="S",
                        help=f"root seed, an integer >= 0: every random draw derives from it, so the same seed "
                             f"gives the same results (default: {default})")


def add_engine(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """``--engine NAME``: which implementation of the staff update runs."""
    text = parameter_help("engine")
    if default:
        text = text.rsplit(" default:", 1)[0] + f" default: {default}."
    parser.add_argument("--engine", choices=PARAMETERS["engine"].choices, help=text)


def add_workers(parser: argparse.ArgumentParser) -> None:
    """``--workers N``: how many runs go at once."""
    parser.add_argument("--workers", type=int, metavar="N",
                        help="runs at once, each in its own worker process (default: all cores; a small job "
                             "runs in this process)")


def add_replicates(parser: argparse.ArgumentParser, default: int | str) -> None:
    """``--replicates N``: runs of each strategy at each design point."""
    parser.add_argument("--replicates", type=int, metavar="N", default=default if isinstance(default, int) else None,
                        help=f"runs of each strategy (at each design point), each with its own seed derived from "
                             f"the root seed (default: {default})")


def add_out(parser: argparse.ArgumentParser, default: str, resumable: bool = False) -> None:
    """``--out DIR``, and ``--overwrite`` (with ``--resume`` if the results
    there can be finished)."""
    parser.add_argument("--out", metavar="DIR", default=default,
                        help=f"output folder, created if missing; earlier results there are never replaced "
                             f"unless --overwrite{' or --resume' if resumable else ''} (default: %(default)s)")
    add_overwrite(parser, "replace the earlier results in --out")
    if resumable:
        add_resume(parser, "finish the interrupted results in --out: skip its finished runs, run the others, "
                           "then write the figures and tables")


def add_overwrite(parser: argparse.ArgumentParser, text: str) -> None:
    """``--overwrite``: the one way to replace earlier results."""
    parser.add_argument("--overwrite", action="store_true", help=text)


def add_resume(parser: argparse.ArgumentParser, text: str) -> None:
    """``--resume``: finish an interrupted results file."""
    parser.add_argument("--resume", action="store_true", help=text)


def check_options(args: argparse.Namespace) -> None:
    """Refuse a shared integer option below its minimum (`MINIMA`), naming it."""
    for name, low in MINIMA.items():
        value = getattr(args, name, None)
        if value is not None and value < low:
            raise ConfigError(f"must be an integer >= {low}, got {value}", (f"--{name}",))


# --- reporting --------------------------------------------------------------------------------------
def report_error(message: str, status: int = BAD_INPUT) -> int:
    """Report a user error on one line, the way argparse does, and return
    its exit status (`simulation.cli.exits`; bad input by default)."""
    print(f"orgchange: error: {' '.join(message.split())}", file=sys.stderr)
    return status


def describe(err: BaseException, options: Mapping[str, str] | None = None) -> str:
    """An error's one-line message, as the command line says it:

    * an `ArgumentError` names the options (``--overwrite``, and
      ``options[name]`` for an argument that takes a value, `OPTION_NAMES`
      by default) where Python would name its arguments;
    * a file the machine refused names the file and the reason, as
      ``cannot write 'out/x.csv': Read-only file system``.
    """
    from simulation.arguments import ArgumentError

    if isinstance(err, ArgumentError):
        return err.for_command_line({**OPTION_NAMES, **(options or {})})
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

"""Errors that name the caller's own arguments: ``overwrite=True`` to a
Python user, ``--overwrite`` to a command-line user.

The command line and the Python functions share their checks (the command
line calls the functions), so one check must speak to both. An
`ArgumentError` is a `ConfigError` whose location is the argument at fault
(``("store",)``) and whose message is a template naming the switches it
suggests (``{resume}``), and it is spelled when it is read:

>>> err = ArgumentError("{path!r} already exists; add {overwrite} to replace it", ("store",), path="r.sqlite")
>>> str(err)
"store: 'r.sqlite' already exists; add overwrite=True to replace it"
>>> err.for_command_line({"store": "--output"})
"--output: 'r.sqlite' already exists; add --overwrite to replace it"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from simulation.errors import ConfigError, Location

SWITCHES = frozenset({"overwrite", "resume", "retry_failed"})
"""Arguments that are on or off: ``resume=True`` in Python, ``--resume`` on
the command line. Any other field of a template names an argument that
takes a value (``store``, ``folder``, ``fmt``), spelled as its bare name in
Python."""


class ArgumentError(ConfigError):
    """A mistake in how orgchange was asked to do something, which names the
    arguments at fault.

    Parameters
    ----------
    template
        The message, with ``{name}`` for each argument it names (see
        `SWITCHES`), and other fields filled from ``values``.
    location
        The argument at fault, if one is (``("store",)``).
    values
        What fills the template's other fields, such as a path.
    """

    def __init__(self, template: str, location: Location = (), *, source: str = "", line: int | None = None,
                 **values: Any) -> None:
        super().__init__(template, location, source=source, line=line)
        self.values = values

    def __str__(self) -> str:
        return str(ConfigError(self._spell(_python_name), self.location, source=self.source, line=self.line))

    def for_command_line(self, options: Mapping[str, str] | None = None) -> str:
        """The message with each argument spelled as its command-line option:
        ``options[name]`` where given (``{"store": "--output"}``), else
        ``--name`` with dashes for underscores."""
        options = options or {}

        def option(name: str | int) -> str:
            return options.get(str(name)) or "--" + str(name).replace("_", "-")

        location = (option(self.location[0]), *self.location[1:]) if self.location else ()
        return str(ConfigError(self._spell(option), location, source=self.source, line=self.line))

    def at(self, *outer: str | int) -> ArgumentError:
        return type(self)(self.message, (*outer, *self.location), source=self.source, line=self.line, **self.values)

    def in_file(self, source: str, line: int | None) -> ArgumentError:
        return type(self)(self.message, self.location, source=source, line=line, **self.values)

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self), self.message, self.location, self.source, self.line, self.values))

    def _spell(self, spelling: Callable[[str], str]) -> str:
        return self.message.format_map(_Fields(self.values, spelling))


def _python_name(name: str) -> str:
    return f"{name}=True" if name in SWITCHES else name


def _rebuild(cls: type[ArgumentError], template: str, location: Location, source: str, line: int | None,
             values: dict[str, Any]) -> ArgumentError:
    return cls(template, location, source=source, line=line, **values)


class _Fields(dict):
    """The template's fields: the given values, and any other name spelled as an argument."""

    def __init__(self, values: Mapping[str, Any], spelling: Callable[[str], str]) -> None:
        super().__init__(values)
        self.spelling = spelling

    def __missing__(self, name: str) -> str:
        return self.spelling(name)

"""Errors that name the caller's own arguments: ``overwrite=True`` to a
Python user, ``--overwrite`` to a command-line user.

The command line and the Python functions share their checks (the command
line calls the functions), so one check must speak to both. An
`ArgumentError` keeps its message as a template whose fields are argument
names, and spells them when it is read:

>>> err = ArgumentError("{retry_failed}: only with {resume}")
>>> str(err)
'retry_failed=True: only with resume=True'
>>> err.for_command_line()
'--retry-failed: only with --resume'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulation.config import ConfigError

SWITCHES = frozenset({"overwrite", "resume", "retry_failed"})
"""Arguments that are on or off: ``resume=True`` in Python, ``--resume`` on
the command line. Any other field names an argument that takes a value
(``store``, ``folder``, ``fmt``), spelled as its bare name in Python."""


class ArgumentError(ConfigError):
    """A mistake in how orgchange was asked to do something, which names the
    arguments at fault.

    ``template`` is the message, with ``{name}`` for each argument it names
    (see `SWITCHES`); ``values`` fill any other fields, such as a path.
    ``str(error)`` names Python arguments; `for_command_line` names options.
    It is a `ConfigError`, so whoever reports those reports this too.
    """

    def __init__(self, template: str, **values: Any) -> None:
        self.template, self.values = template, values
        super().__init__(self._spell(_python_name))

    def for_command_line(self, options: Mapping[str, str] | None = None) -> str:
        """The message with each argument spelled as its command-line option:
        ``options[name]`` where given (``{"store": "--output"}``), else
        ``--name`` with dashes for underscores."""
        options = options or {}
        return self._spell(lambda name: options.get(name) or "--" + name.replace("_", "-"))

    def _spell(self, spelling) -> str:
        return self.template.format_map(_Fields(self.values, spelling))


def _python_name(name: str) -> str:
    return f"{name}=True" if name in SWITCHES else name


class _Fields(dict):
    """The template's fields: the given values, and any other name spelled as an argument."""

    def __init__(self, values: Mapping[str, Any], spelling) -> None:
        super().__init__(values)
        self.spelling = spelling

    def __missing__(self, name: str) -> str:
        return self.spelling(name)

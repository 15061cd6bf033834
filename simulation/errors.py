"""The errors a user's input can raise, and how they say where the input went wrong.

A `ConfigError` carries a *location* as data: the path to the offending
value, such as ``("schedule", 0, "lever")`` for the lever of the first
scheduled event, or ``("staff",)``. Whoever shows the error turns the
location into what the user wrote: a file's line (`simulation.toml_lines`),
or a command-line flag. Nobody parses the message text to find it.

`did_you_mean` is the one helper that suggests a close spelling.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

Location = tuple[str | int, ...]


def format_location(location: Location) -> str:
    """A location as people read it: ``("schedule", 0, "lever")`` is
    ``schedule[0].lever``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class ConfigError(ValueError):
    """A configuration value, key or file that orgchange cannot accept.

    Parameters
    ----------
    message
        What is wrong and what is allowed, without the location.
    location
        The path to the offending value (empty if the error concerns no
        single value).
    source
        The file the value came from, if any (``"my.toml"``).
    line
        The line of ``source`` that holds the value, if known (from 1).
    """

    def __init__(self, message: str, location: Location = (), *, source: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = tuple(location)
        self.source = source
        self.line = line

    def at(self, *outer: str | int) -> ConfigError:
        """The same error, with its location nested under ``outer``."""
        return type(self)(self.message, (*outer, *self.location), source=self.source, line=self.line)

    def in_file(self, source: str, line: int | None) -> ConfigError:
        """The same error, placed in a file (and a line of it)."""
        return type(self)(self.message, self.location, source=source, line=line)

    def __str__(self) -> str:
        where = format_location(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.source:
            place = self.source if self.line is None else f"{self.source}, line {self.line}"
            text = f"{place}: {text}"
        return text

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self), self.message, self.location, self.source, self.line))


def _rebuild(cls: type[ConfigError], message: str, location: Location, source: str, line: int | None) -> ConfigError:
    return cls(message, location, source=source, line=line)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

"""TOML in and out: reading a file, finding the line of a key, and writing.

Reading is the standard library's `tomllib`. It gives no positions, so
`line_of` finds the line that holds a value from the value's *location*
(the key path a `ConfigError` carries): a light scan of the text that
follows table headers and arrays of tables, not a second parser. Writing
is `tomlkit`, which keeps comments (a configuration file notes each
parameter's unit beside it).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from simulation.errors import ConfigError, Location

_HEADER = re.compile(r"^(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)",
                                                                 dotted))


def key_lines(text: str) -> dict[Location, int]:
    """The line (from 1) of every table header and key in ``text``, by key
    path; the ``k``-th table of an array of tables ``[[name]]`` is
    ``(name, k)``."""
    lines: dict[Location, int] = {}
    table: Location = ()
    counts: dict[Location, int] = {}
    quote = None  # the delimiter of the multi-line string we are inside, if any
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if quote:
            if stripped.count(quote) % 2:
                quote = None
            continue
        header = _HEADER.match(stripped)
        if header:
            path: Location = _parts(header.group(2))
            if header.group(1) == "[[":
                counts[path] = counts.get(path, -1) + 1
                path = (*path, counts[path])
            table = path
            lines.setdefault(table, number)
            continue
        key = _KEY.match(stripped)
        if key:
            lines.setdefault((*table, *_parts(key.group(1))), number)
        for delimiter in ('"""', "'''"):
            if line.count(delimiter) % 2:
                quote = delimiter
                break
    return lines


def line_of(text: str, location: Location) -> int | None:
    """The line that holds the value at ``location``: the deepest key or
    table header on its path (None if none is in the text)."""
    lines = key_lines(text)
    for depth in range(len(location), 0, -1):
        if location[:depth] in lines:
            return lines[location[:depth]]
    return None


def read_text(path: str | Path, what: str = "config file") -> str:
    """The text of a file; a missing or unreadable one raises `ConfigError`
    naming it as ``what``."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{what} {str(path)!r} cannot be read: {err}") from None


def read(path: str | Path, what: str = "config file") -> tuple[dict[str, Any], str]:
    """The tables of a TOML file, and its text (for `line_of`).

    A missing, unreadable or malformed file raises `ConfigError` naming it.
    """
    text = read_text(path, what)
    return parse(text, str(path)), text


def parse(text: str, source: str) -> dict[str, Any]:
    """The tables of a TOML text; invalid TOML raises `ConfigError` naming
    ``source`` and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:  # its message gives the line and column
        raise ConfigError(f"not valid TOML: {err}", source=source) from None


def placed(error: ConfigError, text: str, source: str, within: Location = ()) -> ConfigError:
    """``error`` placed in the file ``source`` whose text is ``text``, at the
    line of its location (looked up under ``within``, the table the
    location is relative to)."""
    return error.in_file(source, line_of(text, (*within, *error.location)))


def dumps(tables: Mapping[str, Any], comment: str = "", units: Mapping[str, str] | None = None) -> str:
    """A TOML document from nested mappings (mappings become ``[tables]``;
    lists of mappings become arrays of inline tables). ``units`` gives a
    comment to write beside a key's value, by key name."""
    doc = tomlkit.document()
    for line in comment.splitlines():
        doc.add(tomlkit.comment(line))
    _fill(doc, tables, units or {})
    return tomlkit.dumps(doc)


def _fill(container: Any, values: Mapping[str, Any], units: Mapping[str, str]) -> None:
    plain = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
    for key, value in plain.items():
        item = tomlkit.item(_inline(value))
        if key in units:
            item.comment(units[key])
        container.add(key, item)
    for key, value in tables.items():
        if isinstance(container, tomlkit.TOMLDocument) and len(container):
            container.add(tomlkit.nl())
        table = tomlkit.table()
        _fill(table, value, units)
        container.add(key, table)


def _inline(value: Any) -> Any:
    """Lists of mappings as arrays of inline tables, on one line."""
    if isinstance(value, (list, tuple)):
        array = tomlkit.array()
        for v in value:
            array.append(_inline(v))
        return array
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _inline(v)
        return table
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        return value.item()
    return value

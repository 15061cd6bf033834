"""Leadership strategies as data.

A strategy is a TOML file with a ``name``, a plain-language ``description``
and a ``[levers]`` table of lever intensities (any parameter of the
``levers`` section of `simulation.parameters`)::

    name = "Mandate"
    description = "Leaders set direction and hold units to account."

    [levers]
    steering = 0.8
    accountability = 0.8

Presets ship in ``simulation/strategies/``; a user's own file works wherever
a preset name does. Levers a strategy leaves out keep their defaults.

A bad file raises `ConfigError` naming the file and, where the offending key
is in the file, its line: ``my.toml, line 7: [levers] unknown lever 'stering'
(did you mean 'steering'?)``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from simulation.config import Config, ConfigError, check_value
from simulation.parameters import LEVER_NAMES, PARAMETERS

LEVERS = LEVER_NAMES
TOP_LEVEL = ("name", "description", "levers", "schedule")


@dataclass(frozen=True)
class Strategy:
    """A named set of lever settings with a description for people.

    ``source`` is the preset's name, or the path of the user's file.
    """

    name: str
    description: str
    levers: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    event_lines: tuple[int | None, ...] = ()  # file line of each schedule event, in week order

    def apply(self, config: Config) -> Config:
        """``config`` with this strategy's levers set."""
        try:
            return config.replace(**self.levers)
        except ConfigError as err:  # a lever that clashes with the config, e.g. a shock after the horizon
            event = re.match(r"schedule\[(\d+)\]", str(err))
            k = int(event.group(1)) if event else len(self.event_lines)
            line = f", line {self.event_lines[k]}" if k < len(self.event_lines) and self.event_lines[k] else ""
            raise ConfigError(f"strategy {self.source or self.name!r}{line}: {err}") from None


def preset_names() -> list[str]:
    """Names of the strategies that ship with orgchange."""
    folder = resources.files("simulation") / "strategies"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _is_path(name_or_path: str | Path) -> bool:
    """Whether the argument names a file rather than a preset."""
    text = str(name_or_path)
    path = Path(text)
    return isinstance(name_or_path, Path) or bool(path.suffix) or "/" in text or "\\" in text or path.is_file()


def strategy_text(name_or_path: str | Path) -> tuple[str, str]:
    """The text of a preset (by name) or of a strategy file (by path), and
    its source: the preset's name or the path."""
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if not path.exists():
            raise ConfigError(f"strategy: file {str(path)!r} does not exist")
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"strategy: cannot read {str(path)!r}: {err}") from None
    name = str(name_or_path).strip().lower().replace("-", "_")
    presets = preset_names()
    if name not in presets:
        close = difflib.get_close_matches(name, presets, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"strategy: unknown preset {str(name_or_path)!r}{hint}; "
                          f"presets: {', '.join(presets)}")
    return (resources.files("simulation") / "strategies" / f"{name}.toml").read_text(encoding="utf-8"), name


def load_strategy(name_or_path: str | Path) -> Strategy:
    """Load a preset by name, or a strategy file by path."""
    return parse_strategy(*strategy_text(name_or_path))


def parse_strategy(text: str, source: str) -> Strategy:
    """Parse and validate the text of a strategy file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:  # its message gives the line and column
        raise ConfigError(f"{source}: not valid TOML: {err}") from None

    def fail(message: str, key: str, table: str | None = None) -> ConfigError:
        line = _line_of(text, key, table)
        return ConfigError(f"{source}{'' if line is None else f', line {line}'}: {message}")

    unknown = [key for key in data if key not in TOP_LEVEL]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, TOP_LEVEL, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if not close and key in LEVERS:
            hint = " (levers belong in the [levers] table)"
        raise fail(f"unknown key {key!r}{hint}; allowed: name, description, [levers], [[schedule]]", key)
    for key in ("name", "description"):
        if key not in data:
            raise ConfigError(f"{source}: {key}: missing; a strategy needs a name and a description")
        if not isinstance(data[key], str) or not data[key].strip():
            raise fail(f"{key}: must be a non-empty string, got {data[key]!r}", key)
    table = data.get("levers", {})
    if not isinstance(table, dict):
        raise fail(f"levers: must be a table ([levers]), got {table!r}", "levers")
    levers = {}
    for key, value in table.items():
        if key not in LEVERS:
            close = difflib.get_close_matches(key, LEVERS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if not close and key in PARAMETERS:
                hint = f" ({key!r} is a parameter of [{PARAMETERS[key].section}], not a lever)"
            raise fail(f"[levers] unknown lever {key!r}{hint}", key, "levers")
        try:
            levers[key] = check_value(key, value)
        except ConfigError as err:
            raise fail(f"[levers] {err}", key, "levers") from None
    if "schedule" in data:
        if "schedule" in levers:
            raise fail("schedule: give it as [[schedule]] tables or in [levers], not both", "schedule")
        try:
            levers["schedule"] = check_value("schedule", data["schedule"])
        except ConfigError as err:
            event = re.match(r"schedule\[(\d+)\]", str(err))
            line = _line_of_event(text, int(event.group(1))) if event else None
            raise ConfigError(f"{source}{'' if line is None else f', line {line}'}: {err}") from None
    weeks = [e.get("week") for e in data.get("schedule", [])]
    order = sorted(range(len(weeks)), key=weeks.__getitem__)  # the order check_value sorted them in
    lines = tuple(_line_of_event(text, k) for k in order)
    return Strategy(data["name"].strip(), " ".join(data["description"].split()), levers, source, lines)


def _line_of_event(text: str, k: int) -> int | None:
    """The line (from 1) of the ``k``-th ``[[schedule]]`` header (from 0)."""
    headers = [n for n, line in enumerate(text.splitlines(), start=1)
               if re.match(r"^\[\[\s*schedule\s*\]\]\s*(#.*)?$", line.strip())]
    return headers[k] if k < len(headers) else None


_TABLE_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _key_pattern(*parts: str) -> re.Pattern:
    bare = r"\s*\.\s*".join(rf"(?:{re.escape(k)}|\"{re.escape(k)}\"|'{re.escape(k)}')" for k in parts)
    return re.compile(rf"^{bare}\s*[=.]")  # "key =", or "key.sub =" (a dotted key)


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line (from 1) where ``key`` is set in ``table`` (None: the top
    level), or where table ``key`` opens; None if it cannot be found.

    A light scan, not a TOML parser: it follows table headers, and skips
    the inside of multi-line strings.
    """
    in_key = _key_pattern(key)
    dotted = _key_pattern(table, key) if table else None
    current: str | None = None
    quote = None  # the delimiter of the multi-line string we are inside, if any
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if quote:
            if stripped.count(quote) % 2:
                quote = None
            continue
        header = _TABLE_HEADER.match(stripped)
        if header:
            current = header.group(1).strip().strip("\"'")
            if table is None and current.split(".")[0].strip().strip("\"'") == key:
                return number
            continue
        if (current == table and in_key.match(stripped)) or (current is None and dotted and dotted.match(stripped)):
            return number
        for delimiter in ('"""', "'''"):
            if line.count(delimiter) % 2:
                quote = delimiter
                break
    return None

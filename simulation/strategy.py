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
is in the file, its line: ``my.toml, line 7: levers.stering: unknown lever
(did you mean 'steering'?)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from simulation import tomlio
from simulation.config import Config, ConfigError, check_value
from simulation.errors import did_you_mean
from simulation.parameters import LEVER_NAMES, PARAMETERS, plain

LEVERS = LEVER_NAMES
TOP_LEVEL = ("name", "description", "levers", "schedule")


@dataclass(frozen=True)
class Strategy:
    """A named set of lever settings with a description for people.

    ``source`` is the preset's name, or the path of the user's file, and
    ``text`` that file's text (for the lines of errors found later, when the
    strategy is applied to a configuration).
    """

    name: str
    description: str
    levers: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    text: str = field(default="", repr=False, compare=False)

    def plain_levers(self) -> dict[str, Any]:
        """The levers as plain data (lists, and events as tables), as TOML
        and JSON hold them."""
        return {name: plain(value) for name, value in self.levers.items()}

    def apply(self, config: Config) -> Config:
        """``config`` with this strategy's levers set."""
        try:
            return config.replace(**self.levers)
        except ConfigError as err:  # a lever that clashes with the config, e.g. a shock after the horizon
            raise _placed(err, self.text, f"strategy {self.source or self.name!r}") from None


def _placed(err: ConfigError, text: str, source: str) -> ConfigError:
    """``err`` placed in a strategy file: a lever's location is in its
    ``[levers]`` table, unless it is the schedule written as ``[[schedule]]``."""
    top = (err.location[:1] == ("schedule",) and ("schedule", 0) in tomlio.key_lines(text))
    return tomlio.placed(err, text, source, within=() if top else ("levers",))


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
            raise ConfigError(f"file {str(path)!r} does not exist", ("strategy",))
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"cannot read {str(path)!r}: {err}", ("strategy",)) from None
    name = str(name_or_path).strip().lower().replace("-", "_")
    presets = preset_names()
    if name not in presets:
        raise ConfigError(f"unknown preset {str(name_or_path)!r}{did_you_mean(name, presets)}; "
                          f"presets: {', '.join(presets)}", ("strategy",))
    return (resources.files("simulation") / "strategies" / f"{name}.toml").read_text(encoding="utf-8"), name


def load_strategy(name_or_path: str | Path) -> Strategy:
    """Load a preset by name, or a strategy file by path."""
    return parse_strategy(*strategy_text(name_or_path))


def parse_strategy(text: str, source: str) -> Strategy:
    """Parse and validate the text of a strategy file. An error names the
    file and the line of the value at fault."""
    data = tomlio.parse(text, source)
    try:
        return _strategy(data, text, source)
    except ConfigError as err:
        raise tomlio.placed(err, text, source) from None


def _strategy(data: dict[str, Any], text: str, source: str) -> Strategy:
    for key in data:
        if key not in TOP_LEVEL:
            hint = did_you_mean(key, TOP_LEVEL)
            if not hint and key in LEVERS:
                hint = " (levers belong in the [levers] table)"
            raise ConfigError(f"unknown key{hint}; allowed: name, description, [levers], [[schedule]]", (key,))
    for key in ("name", "description"):
        if key not in data:
            raise ConfigError("missing; a strategy needs a name and a description", (key,))
        if not isinstance(data[key], str) or not data[key].strip():
            raise ConfigError(f"must be a non-empty string, got {data[key]!r}", (key,))
    table = data.get("levers", {})
    if not isinstance(table, dict):
        raise ConfigError(f"must be a table ([levers]), got {table!r}", ("levers",))
    levers = {}
    for key, value in table.items():
        if key not in LEVERS:
            hint = did_you_mean(key, LEVERS)
            if not hint and key in PARAMETERS:
                hint = f" ({key!r} is a parameter of [{PARAMETERS[key].section}], not a lever)"
            raise ConfigError(f"unknown lever{hint}", ("levers", key))
        levers[key] = check_value(key, value, ("levers", key))
    if "schedule" in data:
        if "schedule" in levers:
            raise ConfigError("give it as [[schedule]] tables or in [levers], not both", ("schedule",))
        levers["schedule"] = check_value("schedule", data["schedule"])
    return Strategy(data["name"].strip(), " ".join(data["description"].split()), levers, source, text)


__all__ = ["Strategy", "load_strategy", "parse_strategy", "preset_names", "strategy_text"]

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
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from simulation.config import Config, ConfigError, check_value
from simulation.parameters import PARAMETERS

LEVERS = [name for name, p in PARAMETERS.items() if p.section == "levers"]


@dataclass(frozen=True)
class Strategy:
    """A named set of lever settings with a description for people."""

    name: str
    description: str
    levers: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def apply(self, config: Config) -> Config:
        """``config`` with this strategy's levers set."""
        return config.replace(**self.levers)


def preset_names() -> list[str]:
    """Names of the strategies that ship with orgchange."""
    folder = resources.files("simulation") / "strategies"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_strategy(name_or_path: str | Path) -> Strategy:
    """Load a preset by name, or a strategy file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise ConfigError(f"strategy: file {str(path)!r} does not exist")
        return parse_strategy(path.read_text(encoding="utf-8"), str(path))
    name = str(name_or_path).replace("-", "_")
    presets = preset_names()
    if name not in presets:
        close = difflib.get_close_matches(name, presets, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"strategy: unknown preset {str(name_or_path)!r}{hint}; "
                          f"presets: {', '.join(presets)}")
    text = (resources.files("simulation") / "strategies" / f"{name}.toml").read_text(encoding="utf-8")
    return parse_strategy(text, name)


def parse_strategy(text: str, source: str) -> Strategy:
    """Parse and validate the text of a strategy file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from None
    for key in ("name", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ConfigError(f"{source}: {key}: must be a non-empty string")
    unknown = set(data) - {"name", "description", "levers"}
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}; "
                          "allowed: name, description, [levers]")
    levers = {}
    for key, value in data.get("levers", {}).items():
        if key not in LEVERS:
            close = difflib.get_close_matches(key, LEVERS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: [levers] unknown lever {key!r}{hint}")
        try:
            levers[key] = check_value(key, value)
        except ConfigError as err:
            raise ConfigError(f"{source}: [levers] {err}") from None
    return Strategy(data["name"].strip(), " ".join(data["description"].split()), levers, source)

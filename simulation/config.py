"""The validated configuration of one run.

A `Config` holds every parameter of `simulation.parameters.PARAMETERS`.
Build one from keyword arguments, from a TOML file, or from a nested
dictionary of TOML tables::

    >>> from simulation import Config
    >>> Config(staff=300, weeks=104).staff
    300
    >>> Config(staf=300)
    Traceback (most recent call last):
    ...
    simulation.config.ConfigError: unknown parameter 'staf' (did you mean 'staff'?)

Every value is checked against its documented type and range, and a bad one
raises `ConfigError` naming the parameter, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulation.parameters import PARAMETERS, SECTIONS, Parameter, defaults


class ConfigError(ValueError):
    """A configuration value, key or file that orgchange cannot accept."""


def _allowed(p: Parameter) -> str:
    kinds = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "a string",
             "weeks": "a list of week numbers >= 1"}
    if p.kind == "choice":
        return "one of " + ", ".join(repr(c) for c in p.choices)
    if p.kind == "groups":
        return "a list drawn from " + ", ".join(repr(c) for c in p.choices)
    text = kinds[p.kind]
    if p.low is not None and p.high is not None and p.high < 1e6:
        return f"{text} in [{p.low:g}, {p.high:g}]"
    if p.low is not None:
        return f"{text} >= {p.low:g}"
    return text


def check_value(name: str, value: Any) -> Any:
    """Validate one parameter value and return it in its canonical type.

    Raises `ConfigError` with the message ``"<name>: must be <allowed>, got
    <value>"`` when the value's type or range is wrong.
    """
    p = PARAMETERS[name]

    def fail() -> ConfigError:
        return ConfigError(f"{name}: must be {_allowed(p)}, got {value!r}")

    if p.kind == "bool":
        if not isinstance(value, bool):
            raise fail()
        return value
    if p.kind in ("str", "choice"):
        if not isinstance(value, str) or (p.kind == "choice" and value not in p.choices):
            raise fail()
        return value
    if p.kind == "groups":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or any(v not in p.choices for v in value):
            raise fail()
        return sorted(set(value), key=p.choices.index)
    if p.kind == "weeks":
        if not isinstance(value, (list, tuple)) or any(
                isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in value):
            raise fail()
        return sorted(value)
    # Numbers. bool is a subclass of int, and must not pass for one.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail()
    if p.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise fail()
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise fail()
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        raise fail()
    return value


def _unknown(key: str) -> ConfigError:
    close = difflib.get_close_matches(key, PARAMETERS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ConfigError(f"unknown parameter {key!r}{hint}")


class Config:
    """Every parameter of one run, validated.

    Parameters are read as attributes (``config.staff``). A `Config` is
    immutable; `replace` returns a changed copy.

    Parameters
    ----------
    **values
        Any parameter of `simulation.parameters.PARAMETERS` by name. Those
        left out take their documented defaults.
    """

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        merged = defaults()
        for key, value in values.items():
            if key not in PARAMETERS:
                raise _unknown(key)
            merged[key] = check_value(key, value)
        if merged["relay_gain_low"] > merged["relay_gain_high"]:
            raise ConfigError(
                f"relay_gain_low: must be <= relay_gain_high ({merged['relay_gain_high']}), "
                f"got {merged['relay_gain_low']}")
        late = [w for w in merged["impetus_shocks"] if w > merged["weeks"]]
        if late:
            raise ConfigError(f"impetus_shocks: weeks must be <= weeks ({merged['weeks']}), got {late}")
        object.__setattr__(self, "_values", merged)

    # -- construction -----------------------------------------------------
    @classmethod
    def from_dict(cls, tables: Mapping[str, Any], **overrides: Any) -> Config:
        """Build from TOML-shaped tables (``{"organization": {"staff": 300}}``).

        Top-level keys that are parameters are accepted too, and keyword
        ``overrides`` win over both.
        """
        values: dict[str, Any] = {}
        for key, item in tables.items():
            if key in SECTIONS:
                if not isinstance(item, Mapping):
                    raise ConfigError(f"[{key}]: must be a table of parameters, got {item!r}")
                for name, value in item.items():
                    if name not in PARAMETERS:
                        raise _unknown(name)
                    if PARAMETERS[name].section != key:
                        raise ConfigError(f"{name}: belongs in [{PARAMETERS[name].section}], not [{key}]")
                    values[name] = value
            elif key in PARAMETERS:
                values[key] = item
            else:
                close = difflib.get_close_matches(key, list(SECTIONS) + list(PARAMETERS), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"unknown table or parameter {key!r}{hint}")
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> Config:
        """Load a configuration file; relative chart paths resolve next to it."""
        path = Path(path)
        try:
            tables = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {str(path)!r} does not exist") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from None
        chart = tables.get("organization", {}).get("org_chart", "")
        if isinstance(chart, str) and chart and not Path(chart).is_absolute():
            tables["organization"]["org_chart"] = str(path.parent / chart)
        return cls.from_dict(tables, **overrides)

    # -- access -------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        try:
            value = self._values[name]
        except KeyError:
            raise _unknown(name) from None
        return list(value) if isinstance(value, list) else value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Config is immutable; use config.replace(...)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some parameters changed (and validated)."""
        return Config(**{**self._values, **changes})

    def as_dict(self) -> dict[str, Any]:
        """Every parameter by name, as a flat dictionary of plain values."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._values.items()}

    def to_toml(self) -> str:
        """The full resolved configuration as TOML; loading it reproduces the run."""
        lines = ["# orgchange configuration: every parameter, resolved."]
        for section in SECTIONS:
            lines += ["", f"[{section}]"]
            for name, p in PARAMETERS.items():
                if p.section == section:
                    lines.append(f"{name} = {_toml_value(self._values[name])}  # {p.unit}")
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)

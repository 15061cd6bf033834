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
import numbers
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from simulation import tomlwrite
from simulation.parameters import PARAMETERS, SCHEDULE_DEPARTURES, SECTIONS, Parameter, defaults


class ConfigError(ValueError):
    """A configuration value, key or file that orgchange cannot accept."""


class _UnknownAttribute(ConfigError, AttributeError):
    """Reading a parameter that does not exist: a `ConfigError` that is also an
    `AttributeError`, so that ``hasattr`` and ``getattr(config, name, default)``
    keep working."""


def _bound(p: Parameter, x: float) -> str:
    return str(int(x)) if p.kind == "int" else f"{x:g}"


def _allowed(p: Parameter, value: Any = None) -> str:
    kinds = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "a string",
             "weeks": "a list of week numbers >= 1",
             "schedule": "a list of {week, lever, value} or {week, depart} tables"}
    if p.kind == "choice":
        return "one of " + ", ".join(repr(c) for c in p.choices)
    if p.kind == "groups":
        return "a list drawn from " + ", ".join(repr(c) for c in p.choices)
    text = kinds[p.kind]
    # A huge upper bound (a sanity cap) is left out of the message, unless the
    # value broke it: then the message must say so.
    above = isinstance(value, numbers.Real) and p.high is not None and value > p.high
    if p.low is not None and p.high is not None and (p.high < 1e6 or above):
        return f"{text} in [{_bound(p, p.low)}, {_bound(p, p.high)}]"
    if p.low is not None:
        return f"{text} >= {_bound(p, p.low)}"
    if p.high is not None:
        return f"{text} <= {_bound(p, p.high)}"
    return text


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_value(name: str, value: Any) -> Any:
    """Validate one parameter value and return it in its canonical type.

    Raises `ConfigError` with the message ``"<name>: must be <allowed>, got
    <value>"`` when the value's type or range is wrong.
    """
    p = PARAMETERS[name]
    given = value  # as the user wrote it, for the message: 9, not the 9.0 it becomes

    def fail() -> ConfigError:
        return ConfigError(f"{name}: must be {_allowed(p, given)}, got {given!r}")

    if p.kind == "bool":
        if not _is_bool(value):
            raise fail()
        return bool(value)
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
    if p.kind == "schedule":
        if not isinstance(value, (list, tuple)):
            raise fail()
        return sorted((_check_event(k, e) for k, e in enumerate(value)), key=lambda e: e["week"])
    if p.kind == "weeks":
        if not isinstance(value, (list, tuple)) or any(
                _is_bool(w) or not isinstance(w, numbers.Integral) or w < 1 for w in value):
            raise fail()
        return sorted(int(w) for w in value)
    # Numbers (numpy's included). bool is a subclass of int, and must not pass for one.
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise fail()
    try:
        if p.kind == "int":
            if not isinstance(value, numbers.Integral) and not float(value).is_integer():
                raise fail()
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise fail()
    except (OverflowError, ValueError):  # an int too large for a float, or inf for an int
        raise fail() from None
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        raise fail()
    return value


def _check_event(k: int, event: Any) -> dict[str, Any]:
    """Validate one timed event of a ``schedule``: ``{week, lever, value}``
    sets a lever from that week on; ``{week, depart}`` makes a leader leave."""
    where = f"schedule[{k}]"
    if not isinstance(event, Mapping):
        raise ConfigError(f"{where}: must be a table such as {{week = 104, lever = \"accountability\", "
                          f"value = 0.0}} or {{week = 156, depart = \"ceo\"}}, got {event!r}")
    week = event.get("week")
    if _is_bool(week) or not isinstance(week, numbers.Integral) or week < 1:
        raise ConfigError(f"{where}.week: must be an integer >= 1, got {week!r}")
    keys = set(event) - {"week"}
    if keys == {"depart"}:
        if event["depart"] not in SCHEDULE_DEPARTURES:
            raise ConfigError(f"{where}.depart: must be one of "
                              f"{', '.join(repr(d) for d in SCHEDULE_DEPARTURES)}, got {event['depart']!r}")
        return {"week": int(week), "depart": event["depart"]}
    if keys == {"lever", "value"}:
        lever = event["lever"]
        if lever not in PARAMETERS or PARAMETERS[lever].section != "levers" or lever == "schedule":
            levers = [n for n, q in PARAMETERS.items() if q.section == "levers" and n != "schedule"]
            close = difflib.get_close_matches(str(lever), levers, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}.lever: unknown lever {lever!r}{hint}")
        try:
            value = check_value(lever, event["value"])
        except ConfigError as err:
            raise ConfigError(f"{where}.value: {err}") from None
        return {"week": int(week), "lever": lever, "value": value}
    raise ConfigError(f"{where}: must have week plus either lever and value, or depart; "
                      f"got keys {', '.join(sorted(event))}")


def _unknown(key: str, error: type[ConfigError] = ConfigError) -> ConfigError:
    close = difflib.get_close_matches(key, PARAMETERS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return error(f"unknown parameter {key!r}{hint}")


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
        for k, event in enumerate(merged["schedule"]):
            if event["week"] > merged["weeks"]:
                raise ConfigError(f"schedule[{k}].week: must be <= weeks ({merged['weeks']}), "
                                  f"got {event['week']}")
        object.__setattr__(self, "_values", merged)
        # Scalars also live as plain attributes, so reading one (the model does
        # it often) costs no method call; lists go through __getattr__, which
        # hands out copies so that nobody can change a Config in place.
        vars(self).update({k: v for k, v in merged.items() if not isinstance(v, list)})

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
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"config file {str(path)!r} cannot be read: {err}") from None
        organization = tables.get("organization")
        chart = organization.get("org_chart", "") if isinstance(organization, dict) else ""
        if isinstance(chart, str) and chart and not Path(chart).is_absolute():
            organization["org_chart"] = str(path.parent / chart)
        return cls.from_dict(tables, **overrides)

    # -- access -------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # the slot before it is set (copy, pickle), or a dunder lookup
            raise AttributeError(name)
        try:
            value = self._values[name]
        except KeyError:
            raise _unknown(name, _UnknownAttribute) from None
        return [dict(v) if isinstance(v, dict) else v for v in value] if isinstance(value, list) else value

    def __reduce__(self) -> tuple:
        # Picklable and copyable although immutable: rebuild (and revalidate) from the values.
        return (_from_values, (self.as_dict(),))

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
                    lines.append(f"{name} = {tomlwrite.value(self._values[name])}  # {p.unit}")
        return "\n".join(lines) + "\n"


def _from_values(values: dict[str, Any]) -> Config:
    return Config(**values)

"""The validated configuration of one run.

A `Config` holds the four tables of `simulation.parameters`: ``run``
(`RunSettings`), ``organization`` (`OrganizationSettings`), ``behaviour``
(`Behaviour`) and ``levers`` (`Levers`), each a frozen dataclass. Build one
from keyword arguments, from a TOML file, or from a nested dictionary of
TOML tables::

    >>> from simulation import Config
    >>> Config(staff=300, weeks=104).staff
    300
    >>> Config(staff=300).organization.staff
    300
    >>> Config(staf=300)
    Traceback (most recent call last):
    ...
    simulation.errors.ConfigError: staf: unknown parameter (did you mean 'staff'?)

Every value is checked against its documented type and range, and a bad one
raises `ConfigError` naming the parameter, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from simulation import tomlio
from simulation.errors import ConfigError, did_you_mean
from simulation.parameters import (
    PARAMETERS,
    SECTIONS,
    TABLES,
    Behaviour,
    Levers,
    OrganizationSettings,
    RunSettings,
    check_value,
    plain,
)

__all__ = ["Config", "ConfigError", "check_value", "check_levers"]


class _UnknownAttribute(ConfigError, AttributeError):
    """Reading a parameter that does not exist: a `ConfigError` that is also an
    `AttributeError`, so that ``hasattr`` and ``getattr(config, name, default)``
    keep working."""


def _unknown(key: str) -> ConfigError:
    return ConfigError(f"unknown parameter{did_you_mean(key, PARAMETERS)}", (key,))


def _checked_table(table: type, values: Mapping[str, Any]) -> Any:
    """One table built from ``values`` (by name), each value checked."""
    return table(**{name: check_value(name, value) for name, value in values.items()})


def check_levers(levers: Levers, **changes: Any) -> Levers:
    """``levers`` with ``changes`` made, each checked as `Config` checks it."""
    for name in changes:
        if name not in PARAMETERS or PARAMETERS[name].section != "levers":
            raise ConfigError(f"not a lever{did_you_mean(name, (f.name for f in fields(Levers)))}", (name,))
    return replace(levers, **{name: check_value(name, value) for name, value in changes.items()})


class Config:
    """Every parameter of one run, validated.

    Parameters are read as attributes, by table (``config.organization.staff``,
    typed) or by name alone (``config.staff``). A `Config` is immutable;
    `replace` returns a changed copy.

    Parameters
    ----------
    **values
        Any parameter of `simulation.parameters.PARAMETERS` by name. Those
        left out take their documented defaults.
    """

    run: RunSettings
    organization: OrganizationSettings
    behaviour: Behaviour
    levers: Levers

    def __init__(self, **values: Any) -> None:
        by_section: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        for key, value in values.items():
            if key not in PARAMETERS:
                raise _unknown(key)
            by_section[PARAMETERS[key].section][key] = value
        tables = {section: _checked_table(TABLES[section], by_section[section]) for section in SECTIONS}
        self._set_tables(**tables)

    @classmethod
    def from_tables(cls, run: RunSettings, organization: OrganizationSettings, behaviour: Behaviour,
                    levers: Levers) -> Config:
        """A `Config` of tables that are already checked (``model.config``
        builds one from the levers in force this way)."""
        config = cls.__new__(cls)
        config._set_tables(run=run, organization=organization, behaviour=behaviour, levers=levers)
        return config

    def _set_tables(self, **tables: Any) -> None:
        _check_across(tables["run"], tables["behaviour"], tables["levers"])
        for section, table in tables.items():
            object.__setattr__(self, section, table)
        # Each parameter also reads as a plain attribute (config.staff), which
        # costs no method call.
        vars(self).update({f.name: getattr(table, f.name) for table in tables.values() for f in fields(table)})

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
                    raise ConfigError(f"must be a table of parameters, got {item!r}", (key,))
                for name, value in item.items():
                    if name not in PARAMETERS:
                        raise ConfigError(f"unknown parameter{did_you_mean(name, PARAMETERS)}", (key, name))
                    if PARAMETERS[name].section != key:
                        raise ConfigError(f"belongs in [{PARAMETERS[name].section}], not [{key}]", (key, name))
                    values[name] = value
            elif key in PARAMETERS:
                values[key] = item
            else:
                raise ConfigError(f"unknown table or parameter{did_you_mean(key, [*SECTIONS, *PARAMETERS])}", (key,))
        values.update(overrides)
        try:
            return cls(**values)
        except ConfigError as err:
            # Place a value's error in the table it was written in.
            name = err.location[0] if err.location else None
            if isinstance(name, str) and name in PARAMETERS and name not in tables and name not in overrides:
                raise err.at(PARAMETERS[name].section) from None
            raise

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> Config:
        """Load a configuration file; relative chart paths resolve next to it.

        An error names the file and the line of the offending value.
        """
        path = Path(path)
        tables, text = tomlio.read(path)
        organization = tables.get("organization")
        chart = organization.get("org_chart", "") if isinstance(organization, dict) else ""
        if isinstance(chart, str) and chart and not Path(chart).is_absolute():
            organization["org_chart"] = str(path.parent / chart)  # type: ignore[index]
        try:
            return cls.from_dict(tables, **overrides)
        except ConfigError as err:
            raise tomlio.placed(err, text, str(path)) from None

    # -- access -------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not parameters.
        if name.startswith("_"):  # a dunder lookup, or pickling before the tables are set
            raise AttributeError(name)
        raise _UnknownAttribute(f"unknown parameter{did_you_mean(name, PARAMETERS)}", (name,))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Config is immutable; use config.replace(...)")

    def __reduce__(self) -> tuple:
        # Picklable and copyable although immutable: rebuild from the tables.
        return (Config.from_tables, (self.run, self.organization, self.behaviour, self.levers))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and all(getattr(self, s) == getattr(other, s) for s in SECTIONS)

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.as_dict().items() if v != plain(PARAMETERS[k].default)}
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some parameters changed (and validated)."""
        if not changes:
            return self
        by_section: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
        for key, value in changes.items():
            if key not in PARAMETERS:
                raise _unknown(key)
            by_section[PARAMETERS[key].section][key] = check_value(key, value)
        tables = {section: replace(getattr(self, section), **by_section[section]) if by_section[section]
                  else getattr(self, section) for section in SECTIONS}
        return Config.from_tables(**tables)

    def as_dict(self) -> dict[str, Any]:
        """Every parameter by name, as a flat dictionary of plain values
        (lists, and events as dictionaries)."""
        return {f.name: plain(getattr(getattr(self, section), f.name))
                for section in SECTIONS for f in fields(TABLES[section])}

    def to_toml(self) -> str:
        """The full resolved configuration as TOML; loading it reproduces the run."""
        values = self.as_dict()
        tables = {section: {name: values[name] for name, p in PARAMETERS.items() if p.section == section}
                  for section in SECTIONS}
        return tomlio.dumps(tables, comment="orgchange configuration: every parameter, resolved.",
                            units={name: p.unit for name, p in PARAMETERS.items()})


def _check_across(run: RunSettings, behaviour: Behaviour, levers: Levers) -> None:
    """The rules that tie one parameter to another."""
    if behaviour.relay_gain_low > behaviour.relay_gain_high:
        raise ConfigError(f"must be <= relay_gain_high ({behaviour.relay_gain_high}), "
                          f"got {behaviour.relay_gain_low}", ("relay_gain_low",))
    late = [w for w in levers.impetus_shocks if w > run.weeks]
    if late:
        raise ConfigError(f"weeks must be <= weeks ({run.weeks}), got {late}", ("impetus_shocks",))
    for k, event in enumerate(levers.schedule):
        if event.week > run.weeks:
            raise ConfigError(f"must be <= weeks ({run.weeks}), got {event.week}", ("schedule", k, "week"))

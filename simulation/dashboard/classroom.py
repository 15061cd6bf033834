"""What the dashboard simulates: one strategy, or two side by side, on one hospital.

`Settings` is everything a class can set on the page: the strategy (a
preset), the parameters moved away from it, the seed, and whether a second
strategy runs alongside. It is a frozen value, so that the page can keep it
in one reactive variable and every change makes a new one.

`Classroom` is the Mesa model the page's player steps
(`simulation.dashboard.player`). It holds one `OrgChangeModel` per strategy
and steps them together, so that one press of Step or Play advances both.
Both are built from the same seed, so they start from the same hospital
with the same people; only the strategy differs.

Nothing here imports Solara: the same classes work in a notebook or a test.

>>> classroom = Classroom(Settings(preset="mandate", side_by_side=True, other="inspire"))
>>> classroom.step()
>>> [m.week for m in classroom.models]
[1, 1]
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import mesa
import pandas as pd

from simulation.config import Config
from simulation.dashboard.controls import describe, title_of
from simulation.dashboard.server import opening_seed
from simulation.model import OrgChangeModel
from simulation.parameters import LEVER_NAMES, PARAMETERS, check_value
from simulation.strategy import Strategy, load_strategy

DASHBOARD_DEFAULTS: dict[str, Any] = {"staff": 300}
"""Where the dashboard starts away from the parameter table's defaults: a
300-person hospital draws clearly and steps quickly in a browser."""


@dataclass(frozen=True)
class Settings:
    """Everything the dashboard's controls set.

    Attributes
    ----------
    preset : str
        The strategy (a preset name, see `simulation.strategy.preset_names`).
    seed : int
        Root seed of both models, >= 0. The same seed gives the same hospital
        and the same people.
    changes : mapping of str to value
        Parameters moved away from the preset and the defaults, by name.
        Changes to levers apply to ``preset`` only; the others (behaviour,
        hospital, run length) apply to both strategies.
    side_by_side : bool
        Whether a second strategy, ``other``, runs alongside on the same seed.
    other : str
        The second strategy's preset, run exactly as the preset sets it.
    """

    preset: str = "business_as_usual"
    seed: int = PARAMETERS["seed"].default
    changes: Mapping[str, Any] = field(default_factory=dict)
    side_by_side: bool = False
    other: str = "mandate"

    @property
    def presets(self) -> list[str]:
        """The presets in play: ``[preset]``, or ``[preset, other]`` side by side."""
        return [self.preset, self.other] if self.side_by_side else [self.preset]

    def strategy(self, side: int = 0) -> Strategy:
        """The strategy of side 0 (``preset``) or side 1 (``other``)."""
        return load_strategy(self.presets[side])

    def base(self) -> Config:
        """The configuration both strategies share: the dashboard's defaults,
        the seed, and every change that is not a lever."""
        shared = {k: v for k, v in self.changes.items() if k not in LEVER_NAMES}
        return Config(**{**DASHBOARD_DEFAULTS, **shared, "seed": self.seed})

    def config(self, side: int = 0) -> Config:
        """The full configuration of side 0 or 1. Raises `ConfigError` for a
        combination the model cannot run (say, a shock after the last week)."""
        config = self.strategy(side).apply(self.base())
        levers = {k: v for k, v in self.changes.items() if k in LEVER_NAMES}
        return config.replace(**levers) if side == 0 and levers else config

    def value_of(self, name: str) -> Any:
        """The value a control shows: the parameter as side 0 runs it."""
        return getattr(self.config(0), name)

    def preset_value(self, name: str) -> Any:
        """What ``name`` would be with no change of its own."""
        return getattr(replace(self, changes={k: v for k, v in self.changes.items() if k != name}).config(0), name)

    def with_value(self, name: str, value: Any) -> Settings:
        """These settings with ``name`` set to ``value``. Setting a parameter
        back to what the preset gives drops the change, so that `changed_levers`
        lists only real departures from the preset. The value is kept as the
        configuration holds it (`simulation.parameters.check_value`: tuples,
        scheduled events), so that it compares equal to the preset's."""
        value = check_value(name, value)
        changes = {k: v for k, v in self.changes.items() if k != name}
        if value != self.preset_value(name):
            changes[name] = value
        return replace(self, changes=changes)

    def with_preset(self, name: str) -> Settings:
        """These settings with another strategy. Its levers replace the ones
        moved by hand; behaviour, hospital and seed stay as they are (and stay
        listed as changed, see `changed`)."""
        load_strategy(name)  # an unknown name fails here, not later
        return replace(self, preset=name, changes={k: v for k, v in self.changes.items() if k not in LEVER_NAMES})

    def back_to_the_preset(self) -> Settings:
        """These settings with every change undone: the preset as it ships,
        on the dashboard's hospital. The seed and the second strategy stay."""
        return replace(self, changes={})

    def changed_levers(self) -> list[str]:
        """The levers moved away from the preset, in the table's order."""
        return [name for name in LEVER_NAMES if name in self.changes]

    def changed(self) -> list[str]:
        """Every setting moved away from the preset and the dashboard's
        defaults (levers, people, hospital), in the table's order."""
        return [name for name in PARAMETERS if name in self.changes]

    def record(self) -> dict[str, Any]:
        """What a download records about the run: the strategies, the seed,
        the hospital's size and every changed parameter, with the value the
        preset or the dashboard would have given it."""
        config = self.config(0)
        return {
            "strategy": self.preset,
            "second_strategy": self.other if self.side_by_side else None,
            "seed": self.seed,
            "staff": config.staff,
            "changed": {name: {"value": self.value_of(name), "preset": self.preset_value(name)}
                        for name in self.changed()},
        }

    def labels(self) -> list[str]:
        """A name for each side: the strategy's name, marked when its levers
        were changed by hand."""
        names = [self.strategy(k).name for k in range(len(self.presets))]
        if self.changed_levers():
            names[0] += " (changed)"
        return names

    def caption(self) -> str:
        """One line for a download's title or header: strategies, seed, size
        and every change, say "Mandate vs Inspire; seed 42; 300 staff;
        changed: follow through 0.2 (preset 0.8)"."""
        names = " vs ".join(self.strategy(k).name for k in range(len(self.presets)))
        parts = [names, f"seed {self.seed}", f"{self.config(0).staff} staff"]
        record = self.record()["changed"]
        if record:
            parts.append("changed: " + ", ".join(
                f"{title_of(name)} {describe(v['value'])} (preset {describe(v['preset'])})"
                for name, v in record.items()))
        return "; ".join(parts)


def opening_settings() -> Settings:
    """What a new page opens on: Business as usual on the dashboard's
    hospital, with the seed ``orgchange dashboard --seed`` gave
    (`simulation.dashboard.server.opening_seed`; default 0)."""
    seed = opening_seed()
    return Settings() if seed is None else Settings(seed=seed)


def _release(models: list[weakref.ref]) -> None:
    """Release ``models`` (weak references, so as not to keep them alive
    ourselves) from Mesa 3.3's registry; see `OrgChangeModel.release`."""
    for ref in models:
        model = ref()
        if model is not None:
            model.release()


class Classroom(mesa.Model):
    """One or two `OrgChangeModel` runs that step together.

    Parameters
    ----------
    settings : Settings
        What to build (default: the dashboard's opening settings).

    Attributes
    ----------
    settings : Settings
    models : list of OrgChangeModel
        One per strategy, built from the same seed.
    labels : list of str
        The strategies' names, for titles and legends.
    weeks : int
        The configured run length. The plots span it; the classroom itself
        plays on past it until paused, so that Play never switches itself off.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        configs = [settings.config(side) for side in range(len(settings.presets))]  # validate all before building
        super().__init__(rng=settings.seed)
        self.settings = settings
        self.models = [OrgChangeModel(config) for config in configs]
        self.labels = settings.labels()
        self.weeks = configs[0].weeks
        # Mesa 3.3 counts agent ids in a class-level dict keyed by model
        # (``mesa.Agent._ids``), which would keep alive every model the page
        # ever built, one per change of a setting: let them go with this classroom.
        weakref.finalize(self, _release, [weakref.ref(model) for model in self.models])

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.models[0].week

    def step(self) -> None:
        """Advance every strategy by one week."""
        for model in self.models:
            model.step()

    def timeseries(self) -> pd.DataFrame:
        """The time series of every strategy, one row per strategy and week,
        with the strategy's preset and name in front (see `simulation.metrics`)."""
        frames = []
        for preset, label, model in zip(self.settings.presets, self.labels, self.models):
            df = model.timeseries()
            df.insert(0, "strategy", label)
            df.insert(0, "preset", preset)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

"""The dashboard's controls: what each one sets (the Solara components that
draw them are in `simulation.dashboard.widgets`).

Every control is derived from the parameter table (`simulation.parameters`):
its unit, allowed range and meaning come from there, so the page can never
disagree with the model or with `docs/ODD.md`. What this module adds is the
choice of parameters worth a slider in a classroom, a readable title where
the parameter's name is not one, and a narrower range where the table's
upper bound is only a sanity cap (nobody rounds on 100 people at once).

Changing any control starts the run again at week 0: a run is one strategy
from start to finish, which is what a class compares.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from simulation.parameters import PARAMETERS, plain
from simulation.plotting import ROLE_LABELS
from simulation.strategy import Strategy, load_strategy, preset_names

TITLES = {
    "involved": "Leaders involved",
    "rounders": "Leaders who round",
    "follow_through": "Follow-through",
    "committee": "Quality committee meets",
    "middle_development": "Middle-manager development",
    "ceo_passion": "CEO passion",
    "frontline_commitment": "Front-line commitment",
    "middle_commitment": "Middle-manager commitment",
    "base_trust": "Trust in leadership",
    "turnover_rate": "Staff turnover",
    "staff": "Hospital size",
    "cross_unit_ties": "Ties across units",
    "schedule": "Scheduled events",
    "impetus_shocks": "Sentinel events",
    "rounding_patients": "Patients met on a round",
    "linking": "Champions link teams to help",
    "behind_the_scenes": "CEO behind the scenes",
    "impatience": "Impatient culture",
    "physician_engagement": "Physician engagement",
    "incentives": "Pay tied to quality",
}
"""Titles where the parameter's name does not read as plain language; the
others are the name itself ("rounding_frequency" -> "Rounding frequency")."""

GROUP_LABELS = {**ROLE_LABELS, "physician": "Physician QI leader"}
"""How the leader groups of `involved` and `rounders` read on the page."""


@dataclass(frozen=True)
class Control:
    """One control on the page, for one parameter of the table.

    ``kind`` is the table's (``float``, ``int``, ``bool`` or ``groups``);
    ``low``, ``high`` and ``step`` bound a slider, in the parameter's unit.
    """

    name: str
    title: str
    kind: str
    unit: str
    doc: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The title with the unit, as the page shows it: "Steering (0-1)"."""
        return self.title if self.unit in ("", "-") else f"{self.title} ({self.unit})"


def title_of(name: str) -> str:
    """How the page names parameter ``name``: its title in `TITLES`, or the
    name itself in words ("rounding_frequency" -> "Rounding frequency")."""
    return TITLES.get(name, name.replace("_", " ").capitalize())


def control(name: str, *, low: float | None = None, high: float | None = None, step: float | None = None) -> Control:
    """The control of parameter ``name``, within the table's range, narrowed
    to ``low``-``high`` where given. A float slider moves in steps of about a
    fiftieth of its range, rounded down to a power of ten."""
    p = PARAMETERS[name]
    lo = p.low if low is None else low
    hi = p.high if high is None else high
    if p.low is not None and lo is not None and lo < p.low or p.high is not None and hi is not None and hi > p.high:
        raise ValueError(f"{name}: {lo}-{hi} is outside the table's range {p.low}-{p.high}")
    if step is None and p.kind == "float":
        if lo is None or hi is None:
            raise ValueError(f"{name}: a float slider needs a range; give low and high")
        step = 10.0 ** math.floor(math.log10((hi - lo) / 50))
    elif step is None and p.kind == "int":
        step = 1
    title = title_of(name)
    return Control(name, title, p.kind, p.unit, p.doc, lo, hi, step, p.choices)


SECTIONS: dict[str, list[Control]] = {
    "Strategy levers": [
        control("involved"),
        control("steering"),
        control("accountability"),
        control("resources"),
        control("passion_display"),
        control("rounders"),
        control("rounding_frequency"),
        control("rounding_contacts", high=20),
        control("rounding_patients", high=20),
        control("follow_through"),
        control("projects_per_leader", high=5),
        control("barrier_removal"),
        control("linking"),
        control("committee"),
        control("behind_the_scenes"),
        control("impatience"),
        control("physician_engagement"),
        control("incentives"),
        control("middle_development"),
    ],
    "People": [
        control("ceo_passion"),
        control("senior_passion"),
        control("middle_commitment"),
        control("frontline_commitment"),
        control("base_trust"),
        control("turnover_rate"),
    ],
    "Hospital": [
        control("staff", low=50, high=1000, step=50),
        control("unit_size", high=40),
        control("cross_unit_ties", high=5.0),
    ],
}
"""The controls, in the sections the page shows them in. The levers change
the first strategy only; the rest apply to both strategies side by side."""


@dataclass(frozen=True)
class EventControl:
    """A slider for the week of one scheduled event (0: none), kept in the
    list parameter ``name`` (``schedule`` or ``impetus_shocks``), where other
    events of the preset's own are left as they are."""

    name: str
    title: str
    doc: str
    event: Any
    """The event as the parameter lists it, without its week: a departure
    ``{"depart": "ceo"}``, or None for a week number on its own (a shock)."""

    @property
    def label(self) -> str:
        return f"{self.title} (week; 0: never)"

    def week(self, events: list) -> int:
        """The week of this event in ``events`` (0 if none). The events may be
        as the configuration holds them (`Departure`) or as plain tables."""
        for item in map(plain, events):
            if self.event is None and not isinstance(item, dict):
                return int(item)
            if isinstance(item, dict) and self.event is not None and all(item.get(k) == v
                                                                      for k, v in self.event.items()):
                return int(item["week"])
        return 0

    def with_week(self, events: list, week: int) -> list:
        """``events`` with this event at ``week`` (none at 0)."""
        others = [plain(item) for item in events if self.week([item]) == 0]
        if week <= 0:
            return others
        return [*others, week if self.event is None else {"week": int(week), **self.event}]


EVENTS = [
    EventControl("schedule", "The CEO leaves", "A successor with the strategy's succession settings takes over "
                 "(what lasts when the champion goes?).", {"depart": "ceo"}),
    EventControl("impetus_shocks", "A sentinel event", "A shock that raises urgency in that week (a serious "
                 "incident, an inspection).", None),
]
"""Events a class can schedule, for the first strategy (they are levers);
the plots mark their weeks."""


@functools.cache
def strategy(name: str) -> Strategy:
    """A preset, read once (presets ship with the package and do not change)."""
    return load_strategy(name)


def preset_items() -> list[dict[str, str]]:
    """The presets for a picker: the strategy's own name shown, the preset's key as the value."""
    return [{"text": strategy(name).name, "value": name} for name in preset_names()]


def describe_event(event: Any) -> str:
    """A scheduled event or a week, in words ("week 104: the CEO leaves")."""
    event = plain(event)
    if not isinstance(event, dict):
        return f"week {event}"
    if "depart" in event:
        who = GROUP_LABELS.get(event["depart"], event["depart"])
        return f"week {event['week']}: the {who} leaves"
    return f"week {event['week']}: {event['lever'].replace('_', ' ')} set to {describe(event['value'])}"


def describe(value: Any, unit: str = "") -> str:
    """A parameter value as the page writes it, with its unit where it has
    one that reads after a number ("0.18 per year", "300 people"; a 0-1
    scale is written bare)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:.3g}"
    elif isinstance(value, (list, tuple)):
        return ", ".join(GROUP_LABELS.get(v, v) if isinstance(v, str) else describe_event(v) for v in value) or "none"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and unit not in ("-", "0-1") and not unit.startswith("0-") else text

"""A consistent picture of one week: what the page draws, copied out of the models.

The page never reads a model while it might be stepping. The one thread that
steps the models (`simulation.dashboard.player`) takes a `Snapshot` between
two weeks, and everything the page shows (the hospital, the plots, the
monitors, the person under the pointer, the downloads) is drawn from that
snapshot alone. A snapshot is never changed after it is taken, so a drawing
that is slow, or runs in another thread, still sees one week whole.

What a snapshot holds, per strategy (`Side`):

* every person's state this week (commitment, QI practice, trust, cynicism,
  alignment, tenure), as copies of the model's arrays;
* the time series so far, one array per metric of `simulation.metrics`;
* the marks for the plots (`Mark`): scheduled events, and leaders who left.

Leaders who left are found by watching who holds each leader's post
(`Departures`): turnover replaces a person at the same index with a new
agent (`OrgChangeModel._replace`), so a new agent id at a leader's index is
a departure. (The model keeps no record of departures of its own; see the
closing note of issue 18.)

Nothing here imports Solara.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np

from simulation.metrics import COUNTS
from simulation.organization import CEO, MIDDLE, SENIOR
from simulation.parameters import ROLES, LeverChange

PERSON_FIELDS = ("commitment", "practice", "trust", "cynicism", "alignment", "tenure")
"""The per-person state a snapshot copies (see `simulation.state.StaffState`)."""
WATCHED_ROLES = (CEO, SENIOR)
"""Leaders whose departures are marked on the plots: the CEO and the senior team
(middle managers come and go too often to mark each one)."""


@dataclass(frozen=True)
class Mark:
    """Something that happened in a week, to mark on the plots.

    ``kind`` is ``"departure"`` (a leader left; ``what`` says who) or
    ``"event"`` (a scheduled lever change or an impetus shock).
    """

    week: int
    kind: str
    what: str


def scheduled_marks(config) -> list[Mark]:
    """The events a configuration schedules (its ``schedule`` and
    ``impetus_shocks``), as marks. Scheduled departures are marked when they
    happen, by `Departures`, so they are not listed here."""
    marks = [Mark(int(week), "event", "impetus shock (urgency rises)") for week in config.impetus_shocks]
    for event in config.schedule:
        if isinstance(event, LeverChange):
            marks.append(Mark(event.week, "event", f"{event.lever.replace('_', ' ')} set to {event.value}"))
    return sorted(marks, key=lambda m: m.week)


class Departures:
    """Watches the leaders' posts of one model and records who left, and when.

    Call `check` once after every step (the player does).
    """

    def __init__(self, model) -> None:
        org = model.organization
        self.posts = np.flatnonzero(np.isin(org.role, WATCHED_ROLES))
        self.roles = org.role[self.posts]
        self.physician = org.physician
        self.holders = self._holders(model)
        self.marks: list[Mark] = []

    def _holders(self, model) -> np.ndarray:
        """The agent id of whoever holds each watched post now."""
        return np.array([model.people[i].unique_id for i in self.posts], dtype=np.int64)

    def check(self, model) -> None:
        """Record a mark for every watched post whose holder changed this week."""
        now = self._holders(model)
        for post, role in zip(self.posts[now != self.holders], self.roles[now != self.holders]):
            who = "the CEO" if role == CEO else ("the physician QI leader" if post == self.physician
                                                   else "a senior leader")
            self.marks.append(Mark(model.week, "departure", f"{who} left"))
        self.holders = now


@dataclass(frozen=True)
class Side:
    """One strategy's week, copied out of its model.

    Attributes
    ----------
    label : str
        The strategy's name on the page.
    people : dict of str to array
        `PERSON_FIELDS`, one value per person (commitment and the like 0-1;
        practice 0 or 1; tenure in weeks).
    series : dict of str to array
        Every metric, from week 0 to this week (one value per week).
    marks : tuple of Mark
        Scheduled events (all of them, also those still to come) and the
        departures so far.
    """

    label: str
    people: dict[str, np.ndarray]
    series: dict[str, np.ndarray]
    marks: tuple[Mark, ...] = ()

    @property
    def latest(self) -> dict[str, float]:
        """Every metric's value this week."""
        return {name: values[-1] for name, values in self.series.items()}


@dataclass(frozen=True)
class Snapshot:
    """Every strategy of a classroom at one week.

    ``organizations`` are the models' structures (fixed for a run, so shared,
    not copied); ``weeks`` is the configured run length, which the plots span.
    ``serial`` counts the snapshots of one player, so that the page can tell
    a new one from the last.
    """

    week: int
    weeks: int
    sides: tuple[Side, ...]
    organizations: tuple
    presets: tuple[str, ...]
    serial: int = 0
    record: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [side.label for side in self.sides]


def take(classroom, departures: list[Departures] | None = None, serial: int = 0) -> Snapshot:
    """Copy what the page draws out of ``classroom``, which must not be
    stepping meanwhile (the player takes snapshots between steps)."""
    sides = []
    for k, (label, model) in enumerate(zip(classroom.labels, classroom.models)):
        people = {name: np.array(getattr(model.state, name), copy=True) for name in PERSON_FIELDS}
        series = {name: np.array(values, dtype=np.int64 if name in COUNTS else np.float64)
                  for name, values in model.datacollector.model_vars.items()}
        marks = scheduled_marks(model.config)
        if departures is not None:
            marks = sorted([*marks, *departures[k].marks], key=lambda m: m.week)
        sides.append(Side(label, people, series, tuple(marks)))
    return Snapshot(week=classroom.week, weeks=classroom.weeks, sides=tuple(sides),
                    organizations=tuple(m.organization for m in classroom.models),
                    presets=tuple(classroom.settings.presets), serial=serial,
                    record={**classroom.settings.record(), "caption": classroom.settings.caption()})


class PersonState(TypedDict):
    """What `person_state` tells about one person."""

    id: str
    role: str
    is_leader: bool
    unit: int
    commitment: float
    practises: bool
    trust: float
    cynicism: float
    alignment: float
    tenure: float


def person_state(snapshot: Snapshot, side: int, person: int) -> PersonState:
    """What the page tells about one person this week (for a click on them)."""
    org = snapshot.organizations[side]
    people = snapshot.sides[side].people
    role = int(org.role[person])
    unit = int(org.unit[person])
    return {
        "id": org.ids[person],
        "role": ROLES[role],
        "is_leader": role <= MIDDLE,
        "unit": unit,
        "commitment": float(people["commitment"][person]),
        "practises": bool(people["practice"][person] > 0.5),
        "trust": float(people["trust"][person]),
        "cynicism": float(people["cynicism"][person]),
        "alignment": float(people["alignment"][person]),
        "tenure": float(people["tenure"][person]),
    }

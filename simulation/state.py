"""The model's state: arrays indexed by person, and the week's leader signals.

`StaffState` holds what each person is (traits) and what they currently
feel and do, as the rows of one 2-D array: ``state.values[COMMITMENT]`` is
everyone's commitment, and ``state.values[:, i]`` is person ``i``'s whole
state. The staff week (`simulation.week`) is written against these rows, so
the same code updates everyone at once or one person at a time. Agents are
views onto it: ``agent.commitment`` reads ``state.commitment[agent.index]``.

`Signals` holds what leaders did this week (direction sent, rounding
conversations, promises kept or broken, hours spent), in the same layout.
Leaders fill a fresh one every week, and the staff update reads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR, Organization
from simulation.parameters import Behaviour
from simulation.rules import practice_drive, practises, within

STATE_FIELDS = ("commitment", "alignment", "direction", "trust", "cynicism", "practice", "tenure", "energy",
                "predisposition", "susceptibility", "threshold", "passion")
"""The rows of `StaffState.values`, in order."""
(COMMITMENT, ALIGNMENT, DIRECTION, TRUST, CYNICISM, PRACTICE, TENURE, ENERGY,
 PREDISPOSITION, SUSCEPTIBILITY, THRESHOLD, PASSION) = range(len(STATE_FIELDS))

SIGNAL_FIELDS = ("steer", "visibility", "contact_weight", "contact_sum", "kept", "broken", "accountability",
                 "practice_draw", "development", "relay_support", "hours", "overload", "results", "promise_kept",
                 "promise_broken")
"""The rows of `Signals.values`, in order."""
(STEER, VISIBILITY, CONTACT_WEIGHT, CONTACT_SUM, KEPT, BROKEN, ACCOUNTABILITY, PRACTICE_DRAW, DEVELOPMENT,
 RELAY_SUPPORT, HOURS, OVERLOAD, RESULTS, PROMISE_KEPT, PROMISE_BROKEN) = range(len(SIGNAL_FIELDS))

LEADERS_ROWS = [STEER, VISIBILITY, CONTACT_WEIGHT, CONTACT_SUM, KEPT, BROKEN, HOURS]
"""The rows of `Signals.values` that leaders write person by person. The
model overwrites the others whole every week (``practice_draw``: every week
or, at full uptake, never), so `Signals.reset` leaves them be."""

UNIT_SIGNAL_FIELDS = ("expectation_set", "accountability_set", "barriers_cleared", "reviews")
"""The rows of `Signals.units` (one column per unit): the expectations and
accountability reviews set this week (the strongest), the share of the
unit's process barriers leaders cleared, and the reviews it had."""
EXPECTATION_SET, ACCOUNTABILITY_SET, BARRIERS_CLEARED, REVIEWS = range(len(UNIT_SIGNAL_FIELDS))


def _row(k: int, doc: str) -> Any:
    def get(self) -> np.ndarray:
        return self.values[k]

    def set_(self, value: Any) -> None:
        self.values[k] = value

    return property(get, set_, doc=doc)


class StaffState:
    """Every person's state, one row of ``values`` per variable.

    Traits: ``predisposition`` (0-1, the private anchor of commitment),
    ``susceptibility`` (0-1, weight on social influence), ``threshold``
    (drive units, for practice) and ``passion`` (0-1, CEO and senior leaders
    only; it is also their predisposition).

    State: ``commitment``, ``alignment``, ``direction`` (the direction held
    and passed on), ``trust``, ``cynicism`` (all 0-1), ``practice`` (1.0 if
    the person does QI work this week, else 0.0), ``tenure`` (weeks) and
    ``energy`` (hours of personal capital; leaders only, else 0).

    Each variable reads as an attribute (``state.commitment``, a view of
    its row); assigning to one writes into the row.
    """

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    @classmethod
    def from_arrays(cls, **arrays: np.ndarray) -> StaffState:
        """A state from one array per variable of `STATE_FIELDS`."""
        return cls(np.array([arrays[name] for name in STATE_FIELDS], dtype=float))

    commitment = _row(COMMITMENT, "Commitment to quality, 0-1 (an attitude).")
    alignment = _row(ALIGNMENT, "Clarity of direction and expectations, 0-1.")
    direction = _row(DIRECTION, "Direction held and passed on to reports, 0-1.")
    trust = _row(TRUST, "Trust in leadership, 0-1.")
    cynicism = _row(CYNICISM, "Fatigue and cynicism about initiatives, 0-1.")
    practice = _row(PRACTICE, "1.0 if doing QI work this week, else 0.0 (a behaviour).")
    tenure = _row(TENURE, "Weeks in the organization.")
    energy = _row(ENERGY, "Personal capital left, in hours (leaders only; 0 for others).")
    predisposition = _row(PREDISPOSITION, "Private anchor of commitment, 0-1.")
    susceptibility = _row(SUSCEPTIBILITY, "Weight on social influence over predisposition, 0-1.")
    threshold = _row(THRESHOLD, "Practice drive needed to do QI work (drive units).")
    passion = _row(PASSION, "Passion for quality, 0-1 (CEO and senior leaders; 0 for others).")

    @property
    def n(self) -> int:
        return self.values.shape[1]

    def copy(self) -> StaffState:
        return StaffState(self.values.copy())


class Signals:
    """What leaders did this week, per person, in a fresh object every week.

    ``steer``: direction a person sends down themselves (0-1).
    ``visibility``: how visible a leader's passion is beyond their direct
    reports (0-1). ``contact_weight`` / ``contact_sum``: weight of this week's
    rounding conversations with a person, and that weight times the rounding
    leader's commitment. ``kept`` / ``broken``: promises (issues raised on
    rounds) resolved or dropped. ``accountability``: the accountability a
    person's organization holds them to this week (0-1). ``practice_draw``:
    each person's uniform draw for acting on their practice drive this week
    (drawn by the model, so every engine uses the same numbers).
    ``development``: the development a middle manager receives (0-1), which
    raises their own predisposition. ``relay_support``: what strengthens a
    middle manager's relay (0-1): development, and pay tied to results.
    ``hours``: leader-hours spent this week. ``overload`` and ``results``:
    the overload and the visible results of the person's unit (from
    `simulation.units`). ``promise_kept`` / ``promise_broken``: the support
    that reviews promised a person's unit this week and that was (not)
    delivered, in promises.

    ``units`` holds what leaders did to each unit (`UNIT_SIGNAL_FIELDS`).

    ``committee_attendance`` counts the committee members who met this week.
    """

    __slots__ = ("values", "units", "committee_attendance", "steering", "_reviews", "_review_batches")

    def __init__(self, n: int, n_units: int = 0) -> None:
        self.values = np.zeros((len(SIGNAL_FIELDS), n))
        self.units = np.zeros((len(UNIT_SIGNAL_FIELDS), n_units))
        self.committee_attendance = 0
        # The leaders who steered and whose direction is still to be sent
        # (`agents.leaders.send_direction`), in the order they acted.
        self.steering: list[int] = []
        self._reviews: list[tuple[int, float, float, int]] = []  # noted by `review`, until `file_reviews`
        self._review_batches: list[tuple[np.ndarray, ...]] = []  # noted by `review_units`, likewise

    steer = _row(STEER, "Direction a leader sends down this week, 0-1.")
    visibility = _row(VISIBILITY, "Visibility of a leader's passion beyond their reports, 0-1.")
    contact_weight = _row(CONTACT_WEIGHT, "Weight of this week's rounding conversations with a person.")
    contact_sum = _row(CONTACT_SUM, "Those weights times the rounding leaders' commitment.")
    kept = _row(KEPT, "Issues raised on rounds this week and resolved.")
    broken = _row(BROKEN, "Issues raised on rounds this week and dropped.")
    accountability = _row(ACCOUNTABILITY, "Accountability a person is held to this week, 0-1.")
    practice_draw = _row(PRACTICE_DRAW, "Uniform draw for acting on the practice drive this week.")
    development = _row(DEVELOPMENT, "Development a middle manager receives, 0-1.")
    relay_support = _row(RELAY_SUPPORT, "What strengthens a middle manager's relay, 0-1.")
    hours = _row(HOURS, "Leader-hours spent this week.")
    overload = _row(OVERLOAD, "Overload of the person's unit, as a share of the week.")
    results = _row(RESULTS, "Visible results of the person's unit: its quality against what it was.")
    promise_kept = _row(PROMISE_KEPT, "Support that reviews promised and delivered this week, in promises.")
    promise_broken = _row(PROMISE_BROKEN, "Support that reviews promised and did not deliver, in promises.")

    def reset(self) -> None:
        """Make this last week's signals into a blank week's, in place: the
        rows leaders write person by person (`LEADERS_ROWS`) and the units'
        rows to zero, no committee met and no review noted. The model writes
        the other rows whole every week. Reusing the arrays spares
        allocating and freeing ``15 x n`` numbers a week (12 MB at 100,000
        staff)."""
        for row in LEADERS_ROWS:  # row by row: a fill each, quicker than one fancy-indexed write
            self.values[row].fill(0.0)
        self.units.fill(0.0)
        self.committee_attendance = 0
        self.steering.clear()
        self._reviews.clear()
        self._review_batches.clear()

    def clear(self, unit: int, share: float) -> None:
        """Record that leaders cleared ``share`` of ``unit``'s process barriers
        (shares compound: clearing half twice clears three quarters)."""
        self.units[BARRIERS_CLEARED, unit] = 1.0 - (1.0 - self.units[BARRIERS_CLEARED, unit]) * (1.0 - share)

    def review(self, unit: int, expectation: float, accountability: float, times: int = 1) -> None:
        """Note ``times`` reviews of ``unit`` this week by one leader, each
        setting ``expectation`` and holding the unit to ``accountability``
        (0-1 each). They reach ``units`` when `file_reviews` is called, once
        every leader has acted: a note costs a leader far less than writing
        into the arrays one number at a time."""
        self._reviews.append((unit, expectation, accountability, times))

    def review_units(self, units: np.ndarray, expectation: np.ndarray, accountability: float,
                     times: np.ndarray) -> None:
        """`review` for many units at once (arrays, one entry per leader:
        the unit, the expectation, and how many reviews)."""
        self._review_batches.append((units, expectation, np.full(len(units), accountability), times))

    def file_reviews(self) -> None:
        """Write the reviews noted this week into ``units``: the strongest
        expectation and accountability each unit was set, and how many
        reviews it had. The strongest is the same whatever the order, and
        the reviews are whole numbers, so their sum is exact: the numbers are
        those of writing each review as it happened."""
        if not self._reviews and not self._review_batches:
            return
        batches = list(self._review_batches)
        if self._reviews:
            batches.append(tuple(np.array(column) for column in zip(*self._reviews)))
        unit, expectation, accountability, times = (np.concatenate(column) for column in zip(*batches))
        np.maximum.at(self.units[EXPECTATION_SET], unit, expectation)
        np.maximum.at(self.units[ACCOUNTABILITY_SET], unit, accountability)
        # Counts as floats, the row's own type: ``np.add.at`` takes its quick
        # path only when the types match, and whole numbers convert exactly.
        np.add.at(self.units[REVIEWS], unit, times.astype(float))
        self._reviews.clear()
        self._review_batches.clear()

    def leaders_reach_anyone(self) -> bool:
        """Whether any leader was visible or spoke with anyone this week; if
        not, the leaders' terms of social influence are all zero."""
        return bool(self.values[VISIBILITY].any() or self.values[CONTACT_WEIGHT].any())


def level_predisposition(role: np.ndarray, behaviour: Behaviour, group: np.ndarray | None = None) -> np.ndarray:
    """Mean predisposition by role: frontline staff at ``frontline_commitment``
    (nurses and physicians above or below it by their group's offset),
    middle managers at ``middle_commitment`` (P5); the CEO and senior
    leaders at their passion."""
    means = np.array([behaviour.ceo_passion, behaviour.senior_passion, behaviour.middle_commitment,
                      behaviour.frontline_commitment])[role]
    if group is None:
        return means
    offsets = np.array([0.0, behaviour.nurse_offset, behaviour.physician_offset])[group]
    return within(means + np.where(role == FRONTLINE, offsets, 0.0), 0.0, 1.0)


def draw_traits(role: np.ndarray, behaviour: Behaviour, rng: np.random.Generator,
                inherited: np.ndarray | None = None, succession: float = 0.0,
                group: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Draw heterogeneous traits for the people with the given roles.

    Used for the founding staff and for every new hire, always drawing in the
    same order, so that every engine consumes the generator identically.
    The founding CEO's passion is ``ceo_passion`` exactly; a successor's is
    drawn as for any new leader. ``inherited``, if given, is the passion of
    the leaders each new CEO or senior leader succeeds, of which they carry
    on the share ``succession`` (succession planning). ``group`` gives each
    person's professional group (see `level_predisposition`).
    """
    k = len(role)
    top = role <= SENIOR
    mean = level_predisposition(role, behaviour, group)
    # The three traits' noise in one draw: the same numbers as three draws in turn.
    noise = rng.standard_normal((3, k))
    predisposition = within(mean + behaviour.predisposition_spread * noise[0], 0.0, 1.0)
    if inherited is None:
        np.putmask(predisposition, role == CEO, mean)  # the founding CEO's passion is set exactly
    else:
        predisposition = np.where(top, succession * inherited + (1.0 - succession) * predisposition,
                                  predisposition)
    s = behaviour.susceptibility
    # The spread vanishes at 0 and 1, so a population with susceptibility 1
    # (DeGroot) or 0 (fully stubborn) has exactly that, leaders aside.
    susceptibility = within(s + behaviour.susceptibility_spread * s * (1.0 - s) * noise[1], 0.0, 1.0)
    # Passionate leaders hold to their conviction: they are swayed less.
    susceptibility = np.where(top, susceptibility * (1.0 - predisposition), susceptibility)
    threshold = behaviour.practice_threshold + behaviour.threshold_spread * noise[2]
    passion = np.where(top, predisposition, 0.0)
    return {"predisposition": predisposition, "susceptibility": susceptibility,
            "threshold": threshold, "passion": passion}


def initial_state(org: Organization, behaviour: Behaviour, rng: np.random.Generator) -> StaffState:
    """The founding staff, before any strategy has acted."""
    n = org.n
    traits = draw_traits(org.role, behaviour, rng, group=org.group)
    tenure = rng.integers(0, int(behaviour.initial_tenure), size=n).astype(float)
    commitment = traits["predisposition"].copy()
    zeros = np.zeros(n)
    drive = practice_drive(commitment, zeros, zeros, zeros, zeros, behaviour.weight_commitment,
                           behaviour.weight_alignment, behaviour.weight_accountability, behaviour.weight_peers,
                           behaviour.habit)
    is_leader = org.role <= MIDDLE
    return StaffState.from_arrays(
        commitment=commitment, alignment=zeros, direction=zeros, trust=np.full(n, behaviour.base_trust),
        cynicism=zeros, practice=practises(drive, traits["threshold"]).astype(float), tenure=tenure,
        energy=np.where(is_leader, behaviour.leader_capacity, 0.0), **traits)


__all__ = ["StaffState", "Signals", "initial_state", "draw_traits", "level_predisposition", "STATE_FIELDS",
           "SIGNAL_FIELDS", "CEO", "SENIOR", "MIDDLE", "FRONTLINE"]

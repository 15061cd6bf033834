"""What the model records each week.

`measure` computes every metric in one pass over the arrays; the model's
Mesa `DataCollector` has one reporter per metric that reads the result. The
names are the columns of the tidy time series that `OrgChangeModel.run`
returns (one row per week).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import scipy.sparse as sp

from simulation.parameters import GROUPS, ROLES
from simulation.state import PRACTICE, STATE_FIELDS

sum_1d: Any = np.add.reduce
"""The sum of a 1-D array, as numpy adds it (what ``values.sum()`` does,
without its Python wrapper). Typed Any: numpy 2.5's stubs reject the
arrays it is given here, which 2.4's accept."""

SPARSE_FROM = 5_000
"""From this many people on, `BinSums` adds through a sparse product."""


class BinSums:
    """The sums of one value per person over bins (roles, units, ...): the
    numbers ``np.bincount`` gives, by the quicker of two ways.

    ``bins[k]`` is the bin of person ``people[k]`` (a person may be in
    several bins, or in none). Both ways add each bin's values person by
    person, in the order of ``people`` (ascending), from zero, so they give
    the same sums to the last bit:

    * ``np.bincount`` of the people's values, in a small hospital, where a
      call costs less than a sparse product's;
    * the product of the 0/1 matrix (bins x n) with the values, in a large
      one, four times quicker than ``np.bincount`` at 100,000 staff (which
      checks and converts its arguments on every call).
    """

    def __init__(self, bins: np.ndarray, people: np.ndarray, n_bins: int, n: int) -> None:
        self.bins: np.ndarray | None = bins
        self.people: np.ndarray | None = people
        self.n_bins = n_bins
        self.matrix = None
        if n >= SPARSE_FROM:
            self.matrix = sp.csr_matrix((np.ones(len(bins)), (bins, people)), shape=(n_bins, n))
            self.matrix.sort_indices()
            self.bins = self.people = None  # the matrix holds them (48 bytes a person less, at 100,000 staff)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Each bin's sum of ``values`` (one per person)."""
        if self.matrix is not None:
            return self.matrix @ values
        assert self.bins is not None and self.people is not None
        return np.bincount(self.bins, values[self.people], self.n_bins)


METRICS: dict[str, str] = {
    "week": "Week of the run (0 = the starting state).",
    "commitment": "Mean commitment to quality of all staff, 0-1.",
    **{f"commitment_{r}": f"Mean commitment of {r} staff, 0-1." for r in ROLES},
    "alignment": "Mean alignment of all staff, 0-1.",
    **{f"alignment_{r}": f"Mean alignment of {r} staff, 0-1." for r in ROLES},
    "practice": "Share of all staff doing QI work, 0-1.",
    **{f"practice_{r}": f"Share of {r} staff doing QI work, 0-1." for r in ROLES},
    **{f"{name}_{g}": f"{doc} of frontline {label}, 0-1 (NaN in a hospital with none)." for g, label in
       (("physician", "physicians"), ("nurse", "nurses"), ("other", "other staff"))
       for name, doc in (("commitment", "Mean commitment"), ("practice", "Share doing QI work"))},
    **{f"{kind}_{level}": f"Expected share of {kind} survey answers of {who}, 0-1 "
       f"(simulation.metrics.survey_responses)." for kind in ("problematic", "positive")
       for level, who in (("senior", "the CEO and senior leaders"), ("middle", "middle managers"),
                          ("frontline", "frontline staff"))},
    "trust": "Mean trust in leadership, 0-1.",
    "cynicism": "Mean cynicism, 0-1.",
    "capability": "Mean process capability of the units, 0-1 (what improvement work and projects have built).",
    "barriers": "Mean process barriers of the units, 0-1 (1 = fully blocked).",
    "overload": "Mean overload of the units: care work beyond the staff's time, as a share of the week.",
    "gaming": "Mean gaming of results by unit managers, 0-1.",
    "projects_active": "Improvement projects under way.",
    "projects_succeeded": "Projects that have succeeded so far.",
    "projects_failed": "Projects that have failed so far.",
    "leader_energy": "Mean energy of CEO, senior leaders and middle managers, as a share of capacity.",
    "leader_hours": "Leader-hours spent on the strategy this week.",
    "urgency": "Organizational urgency (impetus), 0-1.",
    "programme_lapsed": "1 while leaders have let the strategy lapse, back to business as usual (urgency ran out), "
                        "else 0.",
    "quality": "Patient-care quality: share of care delivered without a defect, 0-1 (staff-weighted over units).",
    "quality_reported": "Quality as the units report it, 0-1: real quality plus what gaming adds.",
    "culture": "Culture index: moving average of mean commitment and practice, 0-1.",
    "unit_spread": "Standard deviation of unit mean commitment, 0-1.",
}


RANGES: dict[str, tuple[float, float]] = {
    name: (0.0, float("inf")) if name in ("week", "projects_active", "projects_succeeded", "projects_failed",
                                           "leader_hours", "overload") else (0.0, 1.0)
    for name in METRICS
}
"""Each metric's documented range, inclusive: shares, means and indices
within [0, 1]; weeks, project counts, leader-hours and overload (care work
beyond the staff's time, which has no ceiling) non-negative. Every recorded
value lies within it exactly (the property tests hold it there)."""


class WeeklyCollector(mesa.DataCollector):
    """Mesa's `DataCollector`, recording one row of `METRICS` a week.

    Each metric is a model reporter, as Mesa users expect (the frame
    ``get_model_vars_dataframe`` gives is the time series). The reporters
    read the week's row, which `measure` computes in one pass; and since every
    value is a number, which cannot change once recorded, `collect` appends
    it as it is, without the defensive deep copy Mesa makes of each value
    (that copy cost more than computing the row).
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={name: _reporter(name) for name in METRICS})

    def collect(self, model: Any) -> None:
        row = model.latest
        for name, values in self.model_vars.items():
            values.append(row[name])


def _reporter(name: str) -> Callable[[Any], Any]:
    return lambda model: model.latest[name]


BY_GROUP = frozenset(f"{name}_{g}" for name in ("commitment", "practice") for g in GROUPS)
"""The metrics of one professional group's frontline staff. They are NaN in
a hospital with no frontline staff of that group (an org chart without a
group column has only "other" staff): a mean over nobody is no number, and
any number put in its place would be invented."""

COUNTS = frozenset({"week", "projects_active", "projects_succeeded", "projects_failed"})
"""The metrics that are whole numbers (integer columns); the rest are floats."""

BY_ROLE = ("commitment", "alignment", "practice")
"""State variables reported overall and by role."""
_ROLE_COLUMNS = {name: [f"{name}_{r}" for r in ROLES] for name in BY_ROLE}
_SURVEY_COLUMNS = {kind: [f"{kind}_{level}" for level in ("senior", "middle", "frontline")]
                   for kind in ("problematic", "positive")}


def _survey_levels(by_role: np.ndarray, headcount: np.ndarray) -> list[float]:
    """Role means as the survey's three levels: senior managers (the CEO and
    the senior team together), middle managers, frontline staff."""
    ceo, senior, middle, front = by_role
    n_ceo, n_senior = headcount[0], headcount[1]
    top = ceo if not n_senior else (ceo * n_ceo + senior * n_senior) / (n_ceo + n_senior)
    return [float(top), float(middle), float(front)]


_GROUP_COLUMNS = {name: [f"{name}_{g}" for g in GROUPS] for name in ("commitment", "practice")}


def mean_of(values: np.ndarray) -> float:
    """``values.mean()``, the same number, without numpy's Python-level
    wrapper: `measure` takes a dozen means every week of every run."""
    return float(sum_1d(values) / len(values))


def std_of(values: np.ndarray) -> float:
    """``values.std()``, the same number, computed as numpy does, without
    its wrapper."""
    deviation = values - mean_of(values)
    return float(np.sqrt(sum_1d(deviation * deviation) / len(values)))


def survey_responses(commitment, problem_point, positive_point, spread):
    """The chances that a person with ``commitment`` gives a problematic and
    a positive answer to a safety-culture survey item: an ordered logistic
    response around their commitment (the rest are neutral). A measurement,
    not a rule of the week: it changes nobody."""
    problematic = _falling_logistic(np.subtract(commitment, problem_point), spread)
    positive = _falling_logistic(np.subtract(positive_point, commitment), spread)
    return problematic, positive


def _falling_logistic(distance, spread):
    """``1 / (1 + exp(distance / spread))``, computed step by step in
    ``distance``'s own array, which it returns: the same numbers as the
    expression, without its three temporary arrays (a large hospital's
    survey is taken every week, and allocating those arrays cost a third
    of it at 100,000 staff)."""
    distance = np.asarray(distance)
    distance /= spread
    np.exp(distance, out=distance)
    distance += 1.0
    return np.divide(1.0, distance, out=distance)


def measure(model) -> dict[str, float]:
    """Every metric of `METRICS` for the model's current week."""
    s = model.state
    row: dict[str, float] = {"week": model.week}
    # The means of the state's first rows (commitment to practice) in one
    # reduction over a view of them: row by row, the sums `mean_of` takes.
    means = dict(zip(STATE_FIELDS, (sum_1d(s.values[:PRACTICE + 1], axis=1) / s.n).tolist()))
    for name in BY_ROLE:
        values = getattr(s, name)
        row[name] = means[name]
        # A role nobody holds (no senior team, say) has a NaN mean.
        by_role, by_group = model.role_and_group_means(values)
        row.update(zip(_ROLE_COLUMNS[name], by_role.tolist()))
        if name in _GROUP_COLUMNS:
            row.update(zip(_GROUP_COLUMNS[name], by_group.tolist()))
    b = model.behaviour
    problematic, positive = survey_responses(s.commitment, b.survey_problem_point, b.survey_positive_point,
                                                   b.survey_spread)
    for kind, answers in (("problematic", problematic), ("positive", positive)):
        by_role = model.role_means(answers)
        row.update(zip(_SURVEY_COLUMNS[kind], _survey_levels(by_role, model.headcount)))
    capacity = model.behaviour.leader_capacity
    units = model.units
    row.update(zip(("quality_reported", "capability", "barriers", "overload", "gaming"), model._hospital_means(
        units.reported, np.minimum(1.0, units.capability + model.projects.capability_gain), units.barriers,
        units.overload, units.gaming)))
    row.update(
        trust=means["trust"],
        cynicism=means["cynicism"],
        projects_active=model.projects.n_active,
        projects_succeeded=model.projects.n_succeeded,
        projects_failed=model.projects.n_failed,
        # Each leader's energy is within [0, capacity], but their mean divided
        # by the capacity can round to an ulp or two above 1 (a leader_capacity
        # of 18.3 gives 1.0000000000000002): clipped here, where it is made.
        leader_energy=min(1.0, mean_of(s.energy[model.is_leader]) / capacity) if capacity > 0 else 0.0,
        leader_hours=float(sum_1d(model.signals.hours)),
        urgency=float(model.urgency),
        programme_lapsed=float(model.lapsed),
        quality=float(model.quality),
        culture=float(model.culture),
        unit_spread=std_of(model.unit_commitment) if len(model.unit_commitment) else 0.0,
    )
    return row

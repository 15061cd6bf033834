"""What the model records each week.

`measure` computes every metric in one pass over the arrays; the model's
Mesa `DataCollector` has one reporter per metric that reads the result. The
names are the columns of the tidy time series that `OrgChangeModel.run`
returns (one row per week).
"""

from __future__ import annotations

import numpy as np

from simulation.parameters import ROLES

METRICS: dict[str, str] = {
    "week": "Week of the run (0 = the starting state).",
    "commitment": "Mean commitment to quality of all staff, 0-1.",
    **{f"commitment_{r}": f"Mean commitment of {r} staff, 0-1." for r in ROLES},
    "alignment": "Mean alignment of all staff, 0-1.",
    **{f"alignment_{r}": f"Mean alignment of {r} staff, 0-1." for r in ROLES},
    "practice": "Share of all staff doing QI work, 0-1.",
    **{f"practice_{r}": f"Share of {r} staff doing QI work, 0-1." for r in ROLES},
    "trust": "Mean trust in leadership, 0-1.",
    "cynicism": "Mean cynicism, 0-1.",
    "projects_active": "Improvement projects under way.",
    "projects_succeeded": "Projects that have succeeded so far.",
    "projects_failed": "Projects that have failed so far.",
    "leader_energy": "Mean energy of CEO, senior leaders and middle managers, as a share of capacity.",
    "leader_hours": "Leader-hours spent on the strategy this week.",
    "urgency": "Organizational urgency (impetus), 0-1.",
    "quality": "Patient-care quality index, 0-1.",
    "culture": "Culture index: moving average of mean commitment and practice, 0-1.",
    "unit_spread": "Standard deviation of unit mean commitment, 0-1.",
}


RANGES: dict[str, tuple[float, float]] = {
    name: (0.0, float("inf")) if name in ("week", "projects_active", "projects_succeeded", "projects_failed",
                                           "leader_hours") else (0.0, 1.0)
    for name in METRICS
}
"""Each metric's documented range, inclusive: shares, means and indices
within [0, 1]; weeks, project counts and leader-hours non-negative. Every
recorded value lies within it exactly (the property tests hold it there)."""

COUNTS = frozenset({"week", "projects_active", "projects_succeeded", "projects_failed"})
"""The metrics that are whole numbers (integer columns); the rest are floats."""

BY_ROLE = ("commitment", "alignment", "practice")
"""State variables reported overall and by role."""
_ROLE_COLUMNS = {name: [f"{name}_{r}" for r in ROLES] for name in BY_ROLE}


def mean_of(values: np.ndarray) -> float:
    """``values.mean()``, the same number, without numpy's Python-level
    wrapper: `measure` takes a dozen means every week of every run."""
    return float(np.add.reduce(values) / len(values))


def std_of(values: np.ndarray) -> float:
    """``values.std()``, the same number, computed as numpy does, without
    its wrapper."""
    deviation = values - mean_of(values)
    return float(np.sqrt(np.add.reduce(deviation * deviation) / len(values)))


def measure(model) -> dict[str, float]:
    """Every metric of `METRICS` for the model's current week."""
    s = model.state
    row: dict[str, float] = {"week": model.week}
    for name in BY_ROLE:
        values = getattr(s, name)
        row[name] = mean_of(values)
        # A role nobody holds (no senior team, say) has a NaN mean.
        row.update(zip(_ROLE_COLUMNS[name], model.role_means(values).tolist()))
    capacity = model.behaviour.leader_capacity
    row.update(
        trust=mean_of(s.trust),
        cynicism=mean_of(s.cynicism),
        projects_active=len(model.projects.active),
        projects_succeeded=model.projects.n_succeeded,
        projects_failed=model.projects.n_failed,
        # Each leader's energy is within [0, capacity], but their mean divided
        # by the capacity can round to an ulp or two above 1 (a leader_capacity
        # of 18.3 gives 1.0000000000000002): clipped here, where it is made.
        leader_energy=min(1.0, mean_of(s.energy[model.is_leader]) / capacity) if capacity > 0 else 0.0,
        leader_hours=float(np.add.reduce(model.signals.hours)),
        urgency=float(model.urgency),
        quality=float(model.quality),
        culture=float(model.culture),
        unit_spread=std_of(model.unit_commitment) if len(model.unit_commitment) else 0.0,
    )
    return row

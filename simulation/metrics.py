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


def by_role(values: np.ndarray, role: np.ndarray, headcount: np.ndarray) -> np.ndarray:
    """Mean of ``values`` for each role code (NaN for a role nobody holds).
    ``values`` may be one array or a stack of arrays (one per row)."""
    values = np.atleast_2d(values)
    sums = np.stack([np.bincount(role, weights=v, minlength=len(ROLES)) for v in values])
    with np.errstate(invalid="ignore"):
        return sums / headcount


BY_ROLE = ("commitment", "alignment", "practice")
"""State variables reported overall and by role."""


def measure(model) -> dict[str, float]:
    """Every metric of `METRICS` for the model's current week."""
    s, org = model.state, model.organization
    stack = np.stack([s.commitment, s.alignment, s.practice])
    overall = stack.mean(axis=1)
    means = by_role(stack, org.role, model.headcount)
    row: dict[str, float] = {"week": model.week}
    for k, name in enumerate(BY_ROLE):
        row[name] = float(overall[k])
        row.update({f"{name}_{r}": float(m) for r, m in zip(ROLES, means[k])})
    capacity = model.config.leader_capacity
    row.update(
        trust=float(s.trust.mean()),
        cynicism=float(s.cynicism.mean()),
        projects_active=len(model.projects.active),
        projects_succeeded=model.projects.n_succeeded,
        projects_failed=model.projects.n_failed,
        leader_energy=float(s.energy[model.is_leader].mean() / capacity) if capacity > 0 else 0.0,
        leader_hours=float(model.signals.hours.sum()),
        urgency=float(model.urgency),
        quality=float(model.quality),
        culture=float(model.culture),
        unit_spread=float(model.unit_commitment.std()) if len(model.unit_commitment) else 0.0,
    )
    return row

"""Improvement projects: start, progress, succeed or fail, and feed back.

A project belongs to a unit, whose staff are its team. It is either a
*quick fix* or a *system redesign*; both raise the unit's quality when they
succeed, but a quick fix's gain fades within months while a redesign's
persists (P8). A sponsor (a leader) can champion it and clear its barriers;
the quality integrating committee and cross-unit ties bring the cooperation
of other units. Success raises the commitment of the team and of the people
who see it; failure, and more projects than a unit can absorb, breed
cynicism.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulation import rules
from simulation.effects import Effects
from simulation.organization import Organization
from simulation.parameters import Behaviour

QUICK_FIX, REDESIGN = "quick_fix", "redesign"


@dataclass(eq=False)
class Project:
    """One improvement project.

    ``progress`` runs from 0 to 1 (done). ``support`` is the barrier removal
    its sponsor paid for this week (0-1); ``sponsor`` is the sponsoring
    leader's index, or -1.
    """

    id: int
    unit: int
    kind: str
    started: int
    progress: float = 0.0
    sponsor: int = -1
    support: float = 0.0
    active: bool = True


class Portfolio:
    """All projects of the hospital, and the quality they have left behind.

    Attributes
    ----------
    active : list of Project
    succeeded, failed : dict of kind -> count
        Finished projects by outcome and kind.
    quick_gain, redesign_gain : float arrays (units,)
        Quality each unit still owes to its successful projects.
    """

    def __init__(self, n_units: int, redesign_share: float) -> None:
        self.active: list[Project] = []
        self.succeeded = {QUICK_FIX: 0, REDESIGN: 0}
        self.failed = {QUICK_FIX: 0, REDESIGN: 0}
        self.quick_gain = np.zeros(n_units)
        self.redesign_gain = np.zeros(n_units)
        self.redesign_share = redesign_share  # of the projects chartered, until the next step sets it
        self._next_id = 0
        self._per_unit = np.zeros(n_units, dtype=np.int64)  # active projects, kept up to date

    def active_per_unit(self) -> np.ndarray:
        """Number of active projects in each unit."""
        return self._per_unit.copy()

    def charter(self, unit: int, week: int, rng: np.random.Generator) -> Project:
        """Start a project in ``unit``; its kind is drawn from the redesign share."""
        kind = REDESIGN if rng.random() < self.redesign_share else QUICK_FIX
        project = Project(self._next_id, int(unit), kind, week)
        self._next_id += 1
        self.active.append(project)
        self._per_unit[project.unit] += 1
        return project

    def step(self, week: int, rng: np.random.Generator, behaviour: Behaviour, org: Organization,
             unit_commitment: np.ndarray, resources: float, urgency: float, integration: float,
             redesign_share: float, observers: Callable[[int], np.ndarray]) -> Effects:
        """One week of the portfolio: starts, progress and endings. Returns
        its effects on the staff: successes lift the team and those who see
        them; failures, and more projects than a unit can absorb, breed
        cynicism.

        ``unit_commitment`` is each unit's mean commitment as the week
        began, ``resources`` the QI resources lever (0-1), ``integration``
        the cooperation of other units (a progress bonus),
        ``redesign_share`` the share of system redesigns among the projects
        chartered from now until next week's step (the quality committee
        raises it), and ``observers(unit)`` the people outside a unit who
        see its results.
        """
        self.redesign_share = redesign_share
        # Units start projects of their own where resources and commitment allow.
        chance = rules.project_start_chance(behaviour.project_start_rate, resources, unit_commitment, urgency)
        for unit in (rng.random(len(chance)) < chance).nonzero()[0]:
            self.charter(unit, week, rng)

        effects = Effects()
        soured = self._advance(week, rng, behaviour, org, unit_commitment, resources, integration, observers,
                               effects) if self.active else []

        excess = np.maximum(0, self._per_unit - behaviour.unit_capacity)
        overloaded = excess.nonzero()[0]
        if soured or len(overloaded):
            added = np.zeros(org.n)
            for team in soured:
                added[team] += behaviour.failure_cynicism
            for unit in overloaded:  # every project beyond capacity adds to the wear
                added[org.members(unit)] += behaviour.overload_cynicism * excess[unit]
            effects.cynicism_added = added
        self.quick_gain *= 1.0 - behaviour.quick_fix_decay
        self.redesign_gain *= 1.0 - behaviour.redesign_decay
        return effects

    def _advance(self, week: int, rng: np.random.Generator, behaviour: Behaviour, org: Organization,
                 unit_commitment: np.ndarray, resources: float, integration: float,
                 observers: Callable[[int], np.ndarray], effects: Effects) -> list[np.ndarray]:
        """Every active project's week at once: its progress, and whether it
        succeeds, collapses or runs out of time. Records in ``effects`` whom
        the successes lift; returns the teams of the projects that failed."""
        active = list(self.active)
        unit = np.array([p.unit for p in active], dtype=np.int64)
        support = np.array([p.support for p in active])
        team_c = unit_commitment[unit]
        progress = np.array([p.progress for p in active]) + rules.project_progress(
            team_c, resources, support, integration, behaviour.project_length)
        collapsed = rng.random(len(active)) < rules.project_collapse_chance(behaviour.project_hazard, team_c,
                                                                            support)
        age = week - np.array([p.started for p in active], dtype=np.int64)
        ends = collapsed | (age > behaviour.project_timeout * behaviour.project_length)

        boosted: list[tuple[np.ndarray, float]] = []  # (people, boost), applied after the loop
        soured: list[np.ndarray] = []  # teams of failed projects
        for project, share_done, failed in zip(active, progress.tolist(), ends.tolist()):
            project.progress = share_done
            project.support = 0.0  # support is paid for week by week
            if share_done >= 1.0:
                self._finish(project, True)
                boosted.append((observers(project.unit), behaviour.observer_boost))
                boosted.append((org.members(project.unit), behaviour.success_boost))
                gain = self.redesign_gain if project.kind == REDESIGN else self.quick_gain
                gain[project.unit] += behaviour.quality_gain
            elif failed:
                self._finish(project, False)
                soured.append(org.members(project.unit))

        # A person who sees several successes this week is lifted once, by the
        # largest: a success is news, not a dose.
        if boosted:
            boost = np.zeros(org.n)
            for people, size in boosted:
                boost[people] = np.maximum(boost[people], size)
            lifted = np.flatnonzero(boost)
            effects.lifted, effects.lift = lifted, boost[lifted]
        return soured

    def _finish(self, project: Project, success: bool) -> None:
        project.active = False
        self.active.remove(project)
        self._per_unit[project.unit] -= 1
        (self.succeeded if success else self.failed)[project.kind] += 1

    @property
    def n_succeeded(self) -> int:
        return sum(self.succeeded.values())

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

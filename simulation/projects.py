"""Improvement projects: start, progress, succeed or fail, and feed back.

A project belongs to a unit, whose staff are its team. It is either a
*quick fix* or a *system redesign*; both raise the unit's process capability
when they succeed, but a quick fix's gain fades within months while a
redesign's persists (P8), and a redesign can spread to the units tied to
its own. A sponsor (a leader) can champion it and clear its barriers, and a
senior champion can link its team to the managers of other units who can
help. Help from other units comes through the ties that exist: the
cross-unit ties of the team's members, the quality integrating committee,
and the champion's links. A unit's process barriers slow its projects.

Success raises the commitment of the team and of the people who see it;
failure, and more projects than a unit can absorb, breed cynicism. A
project a leader championed is a promise to its team: its success builds
the team's trust, its failure costs it. The portfolio returns
these as `Effects`; the model applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import scipy.sparse as sp

from simulation import rules
from simulation.effects import Effects
from simulation.organization import Organization
from simulation.parameters import Behaviour

QUICK_FIX, REDESIGN = "quick_fix", "redesign"


@dataclass(eq=False, slots=True)  # slots: thousands of projects are read and written every week
class Project:
    """One improvement project.

    ``progress`` runs from 0 to 1 (done). ``support`` is the barrier removal
    its sponsor paid for this week (0-1); ``sponsor`` is the sponsoring
    leader's index, or -1; ``linking`` is how much its champion links the
    team to other units' managers this week (0-1, `Leader.linking_for`).
    """

    id: int
    unit: int
    kind: str
    started: int
    progress: float = 0.0
    sponsor: int = -1
    support: float = 0.0
    linking: float = 0.0
    active: bool = True


@dataclass(frozen=True)
class ProjectWeek:
    """What the portfolio's week reads from the rest of the hospital.

    Attributes
    ----------
    week, rng, behaviour, organization
        The week, the model's generator, the behaviour parameters and the
        structure.
    unit_commitment : float array (units,)
        Each unit's mean commitment as the week began.
    barriers : float array (units,)
        Each unit's process barriers (0-1).
    help : float array (units,)
        The cooperation each unit's projects get from other units through
        existing ties (a progress bonus): cross-unit ties and the committee.
    resources, urgency, impatience, redesign_share : float
        The QI resources lever, the hospital's urgency, the impatience
        lever, and the share of redesigns among the projects chartered from
        now until next week's step (the quality committee raises it).
    unit_ties : CSR matrix (units x units)
        The routes by which a redesign spreads: row ``u``, column ``v``
        holds the ties between units ``u`` and ``v`` per member of ``v``.
    observers : callable
        ``observers(unit)``: the people outside a unit who see its results.
    """

    week: int
    rng: np.random.Generator
    behaviour: Behaviour
    organization: Organization
    unit_commitment: np.ndarray
    barriers: np.ndarray
    help: np.ndarray
    resources: float
    urgency: float
    impatience: float
    redesign_share: float
    unit_ties: sp.csr_matrix
    observers: Callable[[int], np.ndarray]


def _column(projects: list[Project], name: str, dtype: type = float) -> np.ndarray:
    """The attribute ``name`` of every one of ``projects``, as an array (read
    in C, by `operator.attrgetter`, rather than by a list comprehension)."""
    return np.fromiter(map(attrgetter(name), projects), dtype=dtype, count=len(projects))


class Portfolio:
    """All projects of the hospital, and the capability they have left behind.

    Attributes
    ----------
    active : list of Project
        The projects under way (`charter` adds one).
    succeeded, failed : dict of kind -> count
        Finished projects by outcome and kind.
    quick_gain, redesign_gain : float arrays (units,)
        Process capability each unit still owes to its successful projects
        (0-1, on top of what everyday improvement work has built).
    """

    def __init__(self, n_units: int, redesign_share: float) -> None:
        self._active: dict[int, Project] = {}  # by id, in the order they were chartered
        self._orphans: dict[int, dict[int, Project]] = {}  # active projects with no sponsor, by unit and id
        self.succeeded = {QUICK_FIX: 0, REDESIGN: 0}
        self.failed = {QUICK_FIX: 0, REDESIGN: 0}
        self.quick_gain = np.zeros(n_units)
        self.redesign_gain = np.zeros(n_units)
        self.redesign_share = redesign_share  # of the projects chartered, until the next step sets it
        self.added = {QUICK_FIX: 0.0, REDESIGN: 0.0}  # capability ever added by successes, by kind
        self.durations: list[int] = []  # weeks each successful project took
        self._next_id = 0
        self._per_unit = np.zeros(n_units, dtype=np.int64)  # active projects, kept up to date

    @property
    def active(self) -> list[Project]:
        """The projects under way, in the order they were chartered."""
        return list(self._active.values())

    @property
    def n_active(self) -> int:
        """Number of projects under way."""
        return len(self._active)

    def active_per_unit(self) -> np.ndarray:
        """Number of active projects in each unit."""
        return self._per_unit.copy()

    def active_in(self, units: np.ndarray) -> np.ndarray:
        """Number of active projects in each of ``units``."""
        return self._per_unit[units]

    def orphans_in(self, units: np.ndarray, unit_set: frozenset[int]) -> list[Project]:
        """The active projects with no sponsor in ``units`` (``unit_set``
        holds the same units), looked up by unit: the cost grows with the
        smaller of the units and the units with orphans, not with the
        number of projects."""
        if len(units) <= len(self._orphans):
            lists = [self._orphans[u] for u in units.tolist() if u in self._orphans]
        else:
            lists = [by_id for u, by_id in self._orphans.items() if u in unit_set]
        return [p for by_id in lists for p in by_id.values()]

    def adopt(self, project: Project, leader: int) -> None:
        """``leader`` sponsors ``project``."""
        project.sponsor = leader
        by_id = self._orphans.get(project.unit)
        if by_id is not None:
            by_id.pop(project.id, None)
            if not by_id:
                del self._orphans[project.unit]

    def orphan(self, project: Project) -> None:
        """``project`` loses its sponsor (a leader left)."""
        project.sponsor = -1
        if project.active:
            self._orphans.setdefault(project.unit, {})[project.id] = project

    @property
    def capability_gain(self) -> np.ndarray:
        """Process capability each unit owes to its projects (0-1)."""
        return self.quick_gain + self.redesign_gain

    def charter(self, unit: int, week: int, rng: np.random.Generator) -> Project:
        """Start a project in ``unit``; its kind is drawn from the redesign share."""
        kind = REDESIGN if rng.random() < self.redesign_share else QUICK_FIX
        project = Project(self._next_id, int(unit), kind, week)
        self._next_id += 1
        self._active[project.id] = project
        self._orphans.setdefault(project.unit, {})[project.id] = project
        self._per_unit[project.unit] += 1
        return project

    def step(self, w: ProjectWeek, capability: np.ndarray) -> Effects:
        """One week of the portfolio: starts, progress and endings.
        ``capability`` is each unit's process capability from everyday work.
        Returns its effects on the staff."""
        b = w.behaviour
        self.redesign_share = w.redesign_share
        # Units start projects of their own where resources and commitment allow.
        chance = rules.project_start_chance(b.project_start_rate, w.resources, w.unit_commitment, w.urgency)
        for unit in (w.rng.random(len(chance)) < chance).nonzero()[0]:
            self.charter(unit, w.week, w.rng)

        effects = Effects()
        soured = self._advance(w, capability, effects) if self._active else []

        excess = np.maximum(0, self._per_unit - b.unit_capacity)
        overloaded = excess.nonzero()[0]
        org = w.organization
        if soured or len(overloaded):
            added = np.zeros(org.n)
            for team in soured:
                added[team] += b.failure_cynicism
            for unit in overloaded:  # every project beyond capacity adds to the wear
                added[org.members(unit)] += b.overload_cynicism * excess[unit]
            effects.cynicism_added = added
        self.quick_gain *= 1.0 - b.quick_fix_decay
        self.redesign_gain *= 1.0 - b.redesign_decay
        return effects

    def _advance(self, w: ProjectWeek, capability: np.ndarray, effects: Effects) -> list[np.ndarray]:
        """Every active project's week at once: its progress, and whether it
        succeeds, collapses or runs out of time. Records in ``effects`` whom
        the successes lift and whose trust the endings move; returns the
        teams of the projects that failed."""
        b, org = w.behaviour, w.organization
        active = self.active
        unit = _column(active, "unit", np.int64)
        age = w.week - _column(active, "started", np.int64)
        done = _column(active, "progress")
        # Impatient leaders push a project that has fallen behind schedule.
        behind = done < age / b.project_length
        support = _column(active, "support")
        support = 1.0 - (1.0 - support) * (1.0 - w.impatience * behind)
        helped = w.help[unit] + b.linking_integration * _column(active, "linking")
        team_c = w.unit_commitment[unit]
        progress = done + (1.0 - b.barrier_harm * w.barriers[unit]) * rules.project_progress(
            team_c, w.resources, support, helped, b.project_length)
        collapsed = w.rng.random(len(active)) < rules.project_collapse_chance(b.project_hazard, team_c, support)
        # An impatient culture gives up on slow projects sooner.
        ends = collapsed | (age > b.project_timeout * (1.0 - 0.5 * w.impatience) * b.project_length)

        for project, share_done in zip(active, progress.tolist()):
            project.progress = share_done
            project.support = project.linking = 0.0  # support is paid for week by week

        boosted: list[tuple[np.ndarray, float]] = []  # (people, boost), applied after the loop
        soured: list[np.ndarray] = []  # teams of failed projects
        # Only the projects that end this week need more, each in turn (in
        # the order chartered: a success changes what the next one adds).
        succeeded = progress >= 1.0
        ending = np.flatnonzero(succeeded | ends).tolist()
        if not ending:
            return soured  # no promise kept or broken: nobody's trust moves
        kept, broken = np.zeros(org.n), np.zeros(org.n)
        for k in ending:
            project = active[k]
            team = org.members(project.unit)
            # A project a leader championed is a promise to its team: kept
            # when it succeeds, broken when it fails.
            promised = 1.0 if project.sponsor >= 0 else 0.0
            if succeeded[k]:
                self._finish(project, True)
                self.durations.append(w.week - project.started)
                boosted.append((w.observers(project.unit), b.observer_boost))
                boosted.append((team, b.success_boost))
                kept[team] += promised
                self._succeeded(project, capability, w)
            else:
                self._finish(project, False)
                soured.append(team)
                broken[team] += promised
        effects.trust_kept, effects.trust_broken = kept, broken

        # A person who sees several successes this week is lifted once, by the
        # largest: a success is news, not a dose.
        if boosted:
            boost = np.zeros(org.n)
            for people, size in boosted:
                boost[people] = np.maximum(boost[people], size)
            lifted = np.flatnonzero(boost)
            effects.lifted, effects.lift = lifted, boost[lifted]
        return soured

    def _succeeded(self, project: Project, capability: np.ndarray, w: ProjectWeek) -> None:
        """A success closes ``project_capability`` of its unit's gap to full
        capability; a redesign also spreads to the units tied to its own."""
        b, u = w.behaviour, project.unit
        if project.kind == REDESIGN:
            gains = {u: b.project_capability * self._gap(u, capability)}
            # The unit's row of the ties (the CSR arrays, as `getrow` gives them).
            ties = w.unit_ties
            start, end = ties.indptr[u], ties.indptr[u + 1]
            if end > start:
                tied, per_member = ties.indices[start:end], ties.data[start:end]
                spread = (np.minimum(1.0, b.redesign_spread * per_member) * b.project_capability
                          * self._gap(tied, capability))
                gains.update(zip(tied.tolist(), spread.tolist()))
            for unit, gain in gains.items():
                self.redesign_gain[unit] += gain
                self.added[REDESIGN] += gain
        else:
            gap = self._gap(u, capability)
            self.quick_gain[u] += b.project_capability * gap
            self.added[QUICK_FIX] += b.project_capability * gap

    def _gap(self, units, capability: np.ndarray):
        """What ``units`` (one or several) lack of full process capability
        (0-1): the same numbers as ``1 - min(1, capability +
        capability_gain)`` for every unit, computed for these alone (a
        success reads a few units; the hospital may have thousands)."""
        gain = self.quick_gain[units] + self.redesign_gain[units]
        return 1.0 - np.minimum(1.0, capability[units] + gain)

    def _finish(self, project: Project, success: bool) -> None:
        project.active = False
        del self._active[project.id]
        if project.sponsor < 0:
            self.adopt(project, -1)  # leaves the orphans
        self._per_unit[project.unit] -= 1
        (self.succeeded if success else self.failed)[project.kind] += 1

    def quick_left(self) -> float:
        """Share of the capability quick fixes ever added that is left (NaN if none succeeded)."""
        added = self.added[QUICK_FIX]
        return float(self.quick_gain.sum() / added) if added else float("nan")

    def redesign_left(self) -> float:
        """Share of the capability redesigns ever added that is left (NaN if none succeeded)."""
        added = self.added[REDESIGN]
        return float(self.redesign_gain.sum() / added) if added else float("nan")

    @property
    def n_succeeded(self) -> int:
        return sum(self.succeeded.values())

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

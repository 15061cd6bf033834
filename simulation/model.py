"""`OrgChangeModel`: the hospital as a Mesa model.

One step is one week. `OrgChangeModel.step` is the whole week, top to
bottom, in the order of DESIGN section 3; each mechanism returns what it
changes, and ``step`` applies it there:

0. the schedule: levers change, departures are noted;
1. impetus: urgency decays, scheduled shocks raise it;
2. leaders act, as far as their energy allows (`agents.Leader.act`), and
   return what they did as the week's `Signals`;
3-5, 7. the staff update (`simulation.week`, on the configured engine):
   the structural cascade, social influence, practice, cynicism and trust;
   then leaders' energy;
6. improvement projects (`simulation.projects.Portfolio.step`), whose
   successes and failures come back as `Effects` on the staff;
8. turnover, departures and succession (`simulation.turnover`), which come
   back as the new hires' state;
9. outcomes: unit and hospital quality, the culture index, and the data
   collector's row for the week.

Example
-------
>>> from simulation import OrgChangeModel
>>> model = OrgChangeModel(staff=200, weeks=52, seed=1)
>>> df = model.run()
>>> len(df)  # week 0 plus 52 weeks
53
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp

import agents
from simulation import rules
from simulation.config import Config, ConfigError, check_levers
from simulation.effects import Effects
from simulation.engines import engine, settle
from simulation.metrics import COUNTS, METRICS, mean_of, measure
from simulation.organization import MIDDLE, Organization
from simulation.parameters import Departure, LeverChange, Levers
from simulation.projects import Portfolio
from simulation.state import Signals, initial_state
from simulation.turnover import Replacements, turnover
from simulation.week import Network


def build_organization(config: Config, rng: np.random.Generator) -> Organization:
    """Generate the hospital, or load the user's org chart, as configured."""
    o = config.organization
    if o.org_chart:
        return Organization.load(o.org_chart, peer_density=o.peer_density, cross_unit_ties=o.cross_unit_ties,
                                 committee_size=o.committee_size, rng=rng)
    return Organization.generate(staff=o.staff, senior_team=o.senior_team, unit_size=o.unit_size,
                                 peer_density=o.peer_density, cross_unit_ties=o.cross_unit_ties,
                                 manager_peers=o.manager_peers, committee_size=o.committee_size, rng=rng)


def _reporter(name: str) -> Callable[[OrgChangeModel], Any]:
    return lambda model: model.latest[name]


class OrgChangeModel(mesa.Model):
    """An agent-based model of leadership and commitment to quality.

    Parameters
    ----------
    config : Config, optional
        The run's configuration; defaults to ``Config()``.
    organization : Organization, optional
        Use this structure instead of generating or loading one (for
        experiments on a fixed network).
    **overrides
        Parameters that replace those of ``config`` (``staff=300``, ...).

    Attributes
    ----------
    organization : Organization
        Roles, reporting lines, units and ties.
    behaviour : Behaviour
        How staff and leaders respond (fixed for the run).
    levers : Levers
        The strategy's levers in force this week; a schedule or
        `set_levers` changes them. ``config`` gives the run's configuration
        with these levers.
    state : StaffState
        Every person's state, as arrays indexed by person.
    signals : Signals
        What leaders did in the latest week.
    people : list of Person
        The agent for each person, by index.
    projects : Portfolio
        Active and finished improvement projects.
    urgency, quality, culture : float
        Organization-level state, 0-1.
    week : int
        Weeks simulated so far.
    """

    def __init__(self, config: Config | None = None, *, organization: Organization | None = None,
                 **overrides: Any) -> None:
        if config is not None and not isinstance(config, Config):
            hint = "; for a mapping of values, use OrgChangeModel(Config(**values)) or OrgChangeModel(**values)" \
                if isinstance(config, Mapping) else ""
            raise TypeError(f"OrgChangeModel: config must be a Config, got {type(config).__name__}{hint}")
        config = (config or Config()).replace(**overrides) if overrides else (config or Config())
        super().__init__(rng=config.seed)
        self._run, self._organization_settings = config.run, config.organization
        self.behaviour = behaviour = config.behaviour
        self.levers = config.levers
        self.week = 0
        self.organization = org = organization or build_organization(config, self.rng)
        if org.physician < 0 and any(isinstance(e, Departure) and e.depart == "physician"
                                     for e in self.levers.schedule):
            raise ConfigError("a 'physician' departure needs a physician QI leader, and this organization has "
                              "none (no senior leaders)", ("schedule",))
        self.state = initial_state(org, behaviour, self.rng)
        self.signals = Signals(org.n)
        self.urgency = behaviour.baseline_urgency
        self._events: dict[int, list[LeverChange | Departure]] = {}
        for event in self.levers.schedule:
            self._events.setdefault(event.week, []).append(event)
        self._departing: list[int] = []

        # Structure read every week.
        self.headcount = np.bincount(org.role, minlength=4).astype(float)
        self.is_leader = org.role <= MIDDLE
        self.committee_members = set(org.committee.tolist())
        # Means by role and by unit divide sums by these head counts; a role
        # or unit with nobody in it divides by NaN, so its mean is NaN
        # without a warning every week.
        self._role_count = np.where(self.headcount > 0, self.headcount, np.nan)
        self._unit_count = np.where(org.unit_sizes > 0, org.unit_sizes, np.nan)
        # Each person's unit, with the CEO and senior team in one more, last,
        # bin that the unit means leave out.
        self._unit_bin = np.where(org.unit >= 0, org.unit, org.n_units)
        self._unit_staff = float(org.unit_sizes.sum())
        annual = np.array([behaviour.ceo_turnover, behaviour.senior_turnover, behaviour.turnover_rate,
                           behaviour.turnover_rate])
        self.leave_hazard = rules.weekly_hazard(annual)[org.role]

        # The people, as Mesa agents.
        self.people = [agents.AGENT_CLASSES[r](self, i) for i, r in enumerate(org.role)]
        # The hospital settles before the strategy starts, so before any
        # committee of the strategy's has met.
        self._own_network = False
        self._committee_ties = False
        self._set_network(Network(org.peer_matrix(committee=False, manager_weight=behaviour.manager_weight),
                                  org.skip_level_matrix(), org.manager))
        settle(self.state, self.network, behaviour)
        self._apply_levers()

        self.projects = Portfolio(org.n_units, behaviour.redesign_share)
        self.committee_share = 0.0
        self.unit_commitment, self.unit_practice = self._unit_means()
        self.base_quality = self.unit_practice.copy()
        self.quality = self._hospital_quality()
        self.culture = self._culture_now()
        self.snapshots: list[pd.DataFrame] = []

        self.update = engine(self._run.engine, self.agents)
        self.latest = measure(self)
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in METRICS})
        self.datacollector.collect(self)
        self._snapshot()

    @property
    def config(self) -> Config:
        """The run's configuration, with the levers in force this week."""
        return Config.from_tables(self._run, self._organization_settings, self.behaviour, self.levers)

    # -- structure -----------------------------------------------------------------------
    def use_network(self, weights: Any) -> None:
        """Make ``weights`` (n x n, row = listener) whom people listen to,
        in place of the organization's ties, for good.

        Any non-negative weights work, since the influence rule divides by
        each row's sum; DeGroot's row-stochastic matrix is the special case
        of row sums 1. Nobody sees leaders beyond these ties: the skip-level
        matrix is emptied. `simulation.theory` uses this to reduce the model
        to classic ones.
        """
        weights = sp.csr_matrix(weights, dtype=float)
        weights.sort_indices()
        self._set_network(Network(weights, sp.csr_matrix(weights.shape), self.organization.manager))
        self._own_network = True

    def _set_network(self, network: Network) -> None:
        # What projects derive from the ties is derived again whenever the
        # ties change (a committee forms, `use_network`).
        self.network = network
        self._observers: dict[int, np.ndarray] = {}

    @property
    def peers(self) -> sp.csr_matrix:
        """Whom each person listens to, and how much (n x n, row = listener)."""
        return self.network.peers

    def observers(self, unit: int) -> np.ndarray:
        """People outside ``unit`` whom its staff are tied to: they see the
        unit's projects succeed (ascending indices)."""
        if unit not in self._observers:
            team = self.organization.members(unit)
            contacts = np.unique(self.network.peers[team].indices)
            self._observers[unit] = np.setdiff1d(contacts, team, assume_unique=True)
        return self._observers[unit]

    # -- levers --------------------------------------------------------------------------
    def set_levers(self, **values: Any) -> None:
        """Put lever values in force from now on, as a scheduled change does
        (``model.set_levers(steering=0.8, rounders=["ceo"])``). Each value is
        checked as `Config` checks it, and leaders take up their new duties
        at once."""
        self.levers = check_levers(self.levers, **values)
        self._apply_levers()

    # -- the week ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance the hospital by one week."""
        behaviour = self.behaviour
        self.week += 1

        # 0. The schedule: this week's lever changes and departures.
        self._follow_schedule()
        levers = self.levers

        # 1. Impetus.
        shock = levers.shock_size * levers.impetus_shocks.count(self.week)
        self.urgency = float(rules.urgency_next(self.urgency, behaviour.urgency_decay, shock))

        # 2. Leaders act, in index order, so every engine sees the same draws.
        signals = self._leaders_act()
        self.committee_share = (signals.committee_attendance / len(self.committee_members)
                                if levers.committee and self.committee_members else 0.0)

        # 3-5, 7. The staff update, then leaders' energy.
        self.state = self.update(self.state, signals, self.network, behaviour)
        self.state.energy = np.where(self.is_leader, rules.energy_next(
            self.state.energy, signals.hours, behaviour.energy_recovery, behaviour.leader_capacity), 0.0)

        # 6. Improvement projects; successes and failures move the staff.
        self.project_week().apply(self.state)

        # 8. Turnover, departures and succession.
        self.hire(self.leavers())

        # 9. Outcomes.
        self.unit_commitment, self.unit_practice = self._unit_means()
        self.base_quality = rules.quality_next(self.base_quality, self.unit_practice, behaviour.quality_rate)
        self.quality = self._hospital_quality()
        self.culture = float(rules.moving_average(self.culture, self._culture_now(), behaviour.culture_memory))
        self.latest = measure(self)
        self.datacollector.collect(self)
        self._snapshot()

    def project_week(self) -> Effects:
        """Step 6: the portfolio's week. Returns its effects on the staff
        (`step` applies them). Like the leaders' decisions, projects see each
        unit's commitment as it stood at the start of the week."""
        behaviour = self.behaviour
        integration = (min(behaviour.max_tie_integration,
                           behaviour.integration_per_tie * self._organization_settings.cross_unit_ties)
                       + behaviour.committee_integration * self.committee_share)
        share = behaviour.redesign_share
        redesign_share = share + (1.0 - share) * behaviour.committee_redesign_boost * self.committee_share
        return self.projects.step(self.week, self.rng, behaviour, self.organization, self.unit_commitment,
                                  self.levers.resources, self.urgency, integration, redesign_share, self.observers)

    def leavers(self) -> Replacements | None:
        """Step 8: who leaves this week (scheduled departures included) and
        what their successors start with (`simulation.turnover`)."""
        departing, self._departing = self._departing, []
        return turnover(self.state, self.organization, self.behaviour, self.levers, self.leave_hazard, departing,
                        self.unit_commitment, self.rng)

    def hire(self, replacements: Replacements | None) -> None:
        """Put the successors of ``replacements`` in place: their state, and
        a new agent for each."""
        if replacements is None:
            return
        self.state.values[:, replacements.leavers] = replacements.state.values
        for i in replacements.leavers:
            self._replace(int(i))

    def _leaders_act(self) -> Signals:
        """Every leader with duties acts, and the week's signals come back."""
        signals = Signals(self.organization.n)
        signals.development[:] = self.development
        for i in self.on_duty:
            self.people[i].act(signals)
        signals.accountability[:] = signals.organization_accountability
        # Who gets round to acting on their practice drive this week is drawn
        # here, the same numbers for every engine.
        if self.behaviour.practice_uptake < 1.0:
            signals.practice_draw[:] = self.rng.random(self.organization.n)
        self.signals = signals
        return signals

    def run(self, weeks: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        """Run ``weeks`` weeks (default: the configured horizon) and return
        the tidy time series: one row per week, one column per metric."""
        if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, numbers.Integral) or weeks < 0):
            raise ConfigError(f"must be an integer >= 0 (the weeks to run on from now), got {weeks!r}", ("weeks",))
        for _ in range(self._run.weeks if weeks is None else weeks):
            self.step()
            if progress is not None:
                progress(self.week)
        return self.timeseries()

    def release(self) -> None:
        """Let this model be garbage-collected once nothing else holds it.

        Mesa 3.3 counts agent ids in a class-level dict keyed by model
        (``mesa.Agent._ids``), which keeps every model a process has built
        alive: about 1 MB for 500 staff. Long-running processes (experiment
        workers, the dashboard) call this when they are done with a model.
        Mesa 3.4 and later keep no such registry; then this does nothing.
        """
        getattr(mesa.Agent, "_ids", {}).pop(self, None)

    # -- data out ------------------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        """Every recorded week so far (see `simulation.metrics.METRICS`)."""
        # The data collector's lists, typed column by column: the frame
        # `get_model_vars_dataframe` gives, built without its conversions.
        return pd.DataFrame({name: np.array(values, dtype=np.int64 if name in COUNTS else np.float64)
                             for name, values in self.datacollector.model_vars.items()})

    def agent_snapshots(self) -> pd.DataFrame:
        """Agent-level state every ``snapshot_every`` weeks (empty if off)."""
        return pd.concat(self.snapshots, ignore_index=True) if self.snapshots else pd.DataFrame()

    def _snapshot(self) -> None:
        every = self._run.snapshot_every
        if every and self.week % every == 0:
            s, org = self.state, self.organization
            self.snapshots.append(pd.DataFrame({
                "week": self.week, "person": np.arange(org.n), "id": org.ids,
                "agent_id": [p.unique_id for p in self.people],
                "role": np.array(["ceo", "senior", "middle", "frontline"])[org.role],
                "unit": org.unit, "commitment": s.commitment, "alignment": s.alignment,
                "practice": s.practice.astype(bool), "trust": s.trust, "cynicism": s.cynicism,
                "tenure": s.tenure}))

    # -- internals -----------------------------------------------------------------------
    def _follow_schedule(self) -> None:
        """Carry out this week's scheduled events: lever changes take effect
        now; departures happen at this week's turnover."""
        changes = {}
        for event in self._events.get(self.week, ()):
            if isinstance(event, Departure):
                org = self.organization
                self._departing.append(org.ceo if event.depart == "ceo" else org.physician)
            else:
                changes[event.lever] = event.value
        if changes:
            self.set_levers(**changes)

    def _apply_levers(self) -> None:
        """Derive from the levers in force what the staff update and leaders
        read: the committee's ties, middle-manager development, and who has
        duties."""
        org, levers = self.organization, self.levers
        if not self._own_network and levers.committee != self._committee_ties:
            self._set_network(Network(org.peer_matrix(committee=levers.committee,
                                                      manager_weight=self.behaviour.manager_weight),
                                      self.network.skip_level, org.manager))
            self._committee_ties = levers.committee
        self.development = np.where(org.role == MIDDLE, levers.middle_development, 0.0)
        leaders = [self.people[i] for i in np.flatnonzero(self.is_leader)]
        for leader in leaders:
            leader.take_up_levers()
        self.on_duty = [leader.index for leader in leaders if leader.has_duties()]

    def role_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` (one per person) by role, in the order of
        `simulation.parameters.ROLES`; NaN for a role nobody holds."""
        return np.bincount(self.organization.role, values, len(self._role_count)) / self._role_count

    def _unit_means(self) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's mean commitment and its share of staff practising."""
        s, bins, units = self.state, self._unit_bin, self.organization.n_units
        return (np.bincount(bins, s.commitment, units + 1)[:units] / self._unit_count,
                np.bincount(bins, s.practice, units + 1)[:units] / self._unit_count)

    @property
    def unit_quality(self) -> np.ndarray:
        """Quality of each unit: what practice sustains, plus what successful
        projects have left behind, within [0, 1]."""
        return rules.within(self.base_quality + self.projects.quick_gain + self.projects.redesign_gain, 0.0, 1.0)

    def _hospital_quality(self) -> float:
        """Mean unit quality, weighted by unit head count (0 with no units)."""
        if not self._unit_staff:
            return 0.0
        # np.average's sum, written out: this runs every week.
        return float(np.add.reduce(self.unit_quality * self.organization.unit_sizes) / self._unit_staff)

    def _culture_now(self) -> float:
        return 0.5 * (mean_of(self.state.commitment) + mean_of(self.state.practice))

    def _replace(self, i: int) -> None:
        """Swap the agent at position ``i`` for a newcomer of the same role."""
        old = self.people[i]
        if isinstance(old, agents.Leader):
            for project in old.sponsored:
                project.sponsor = -1
        old.remove()
        self.people[i] = type(old)(self, i)


__all__ = ["OrgChangeModel", "build_organization", "Levers"]

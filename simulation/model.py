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
from agents.leaders import NOT_LOOKED_UP, send_direction
from simulation import rules
from simulation.config import Config, ConfigError, check_levers
from simulation.context import draw_context
from simulation.effects import Effects
from simulation.engines import engine, settle
from simulation.metrics import COUNTS, BinSums, WeeklyCollector, mean_of, measure, sum_1d
from simulation.organization import CEO, FRONTLINE, MIDDLE, PHYSICIAN, SENIOR, Organization
from simulation.parameters import GROUPS, PARAMETERS, Departure, LeverChange, Levers, resting
from simulation.projects import Portfolio, ProjectWeek
from simulation.state import ACCOUNTABILITY_SET, BARRIERS_CLEARED, EXPECTATION_SET, REVIEWS, Signals, initial_state
from simulation.turnover import Replacements, turnover
from simulation.units import at_rest, reviewed, unit_week
from simulation.week import Network

HOSPITAL_STREAM = 0x4057
"""The `numpy.random.SeedSequence` spawn key of a hospital's own draws."""


def hospital_generator(seed: int) -> np.random.Generator:
    """The generator of a hospital's context, structure and people."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(HOSPITAL_STREAM,)))


def build_organization(config: Config, rng: np.random.Generator) -> Organization:
    """Generate the hospital, or load the user's org chart, as configured."""
    o = config.organization
    if o.org_chart:
        return Organization.load(o.org_chart, peer_density=o.peer_density, cross_unit_ties=o.cross_unit_ties,
                                 committee_size=o.committee_size, rng=rng)
    return Organization.generate(staff=o.staff, senior_team=o.senior_team, unit_size=o.unit_size,
                                 peer_density=o.peer_density, cross_unit_ties=o.cross_unit_ties,
                                 manager_peers=o.manager_peers, committee_size=o.committee_size, rng=rng,
                                 nurse_share=o.nurse_share, physician_share=o.physician_share,
                                 physician_ties=o.physician_ties)


def _unit_ties(org: Organization) -> sp.csr_matrix:
    """The informal ties between units: row ``u``, column ``v`` holds the ties
    between units ``u`` and ``v`` per member of ``v`` (zero diagonal)."""
    n_units = org.n_units
    if not n_units or not len(org.ties):
        return sp.csr_matrix((n_units, n_units))
    a, b = org.unit[org.ties[:, 0]], org.unit[org.ties[:, 1]]
    across = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[across], b[across]
    counts = sp.coo_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n_units, n_units)).tocsr()
    sizes = np.where(org.unit_sizes > 0, org.unit_sizes, 1.0)
    return sp.csr_matrix(counts.multiply(1.0 / sizes[None, :]))


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
        How this hospital's staff and leaders respond (fixed for the run):
        the configuration's typical values with the hospital's own context
        drawn (`simulation.context`).
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
        super().__init__(rng=config.seed)  # the stream of events: what happens from week 1 on
        self._run, self._organization_settings = config.run, config.organization
        self._typical = config.behaviour
        # The hospital itself (its context, structure and people) comes from a
        # stream of its own, so one hospital can meet different events.
        hospital = hospital_generator(config.hospital_seed if config.hospital_seed >= 0 else config.seed)
        self.behaviour = behaviour = draw_context(config.behaviour, hospital)
        self._plan(config.levers)
        self.week = 0
        self.organization = org = organization or build_organization(config, hospital)
        if org.physician < 0 and any(isinstance(e, Departure) and e.depart == "physician"
                                     for e in self.levers.schedule):
            raise ConfigError("a 'physician' departure needs a physician QI leader, and this organization has "
                              "none (no senior leaders)", ("schedule",))
        self.state = initial_state(org, behaviour, hospital)
        self.signals = Signals(org.n, org.n_units)
        self.urgency = behaviour.baseline_urgency
        self.results = 0.0  # the hospital's visible result last week (quality against what it was)
        self._events: dict[int, list[LeverChange | Departure]] = {}
        for event in self.levers.schedule:
            self._events.setdefault(event.week, []).append(event)
            # A successor's own strategy takes effect once they are in post:
            # the week after their predecessor leaves.
            if isinstance(event, Departure):
                self._events.setdefault(event.week + 1, []).extend(
                    LeverChange(event.week + 1, name, value) for name, value in event.levers)
        self._departing: list[int] = []

        # Structure read every week.
        self.headcount = np.bincount(org.role, minlength=4).astype(float)
        self.is_leader = org.role <= MIDDLE
        self._leaders = np.flatnonzero(self.is_leader)
        self.committee_members = set(org.committee.tolist())
        # Means by role and by unit divide sums by these head counts; a role
        # or unit with nobody in it divides by NaN, so its mean is NaN
        # without a warning every week.
        self._role_count = np.where(self.headcount > 0, self.headcount, np.nan)
        self._front = np.flatnonzero(org.role == FRONTLINE)
        self._front_group = org.group[self._front]
        self.group_sizes = np.bincount(self._front_group, minlength=len(GROUPS))
        # frontline head count of each professional group, in the order of GROUPS
        self._group_count = np.where(self.group_sizes > 0, self.group_sizes, np.nan)
        self._unit_count = np.where(org.unit_sizes > 0, org.unit_sizes, np.nan)
        # Each person's unit, with the CEO and senior team in one more, last,
        # bin that the unit means leave out (and `_per_person` gives 0).
        self._unit_bin = np.where(org.unit >= 0, org.unit, org.n_units)
        self._unit_padded = np.zeros(org.n_units + 1)  # scratch space of `_per_person`; the last stays 0
        self._unit_staff = float(org.unit_sizes.sum())
        # Sums by role and frontline group (bins 0-3 and 4-6), and by unit.
        people = np.arange(org.n)
        self._by_role_and_group = BinSums(np.r_[org.role, len(self.headcount) + self._front_group],
                                          np.r_[people, self._front], len(self.headcount) + len(GROUPS), org.n)
        in_unit = org.unit >= 0
        self._by_unit = BinSums(org.unit[in_unit], people[in_unit], org.n_units, org.n)
        self.managers = np.flatnonzero((org.role == SENIOR) | (org.role == MIDDLE))
        self.physicians = np.flatnonzero((org.group == PHYSICIAN) & (np.arange(org.n) != org.physician))
        self._heads = org.unit_head[org.unit_head >= 0]
        self.unit_ties = _unit_ties(org)
        self._cross_ties = np.asarray(self.unit_ties.sum(axis=0)).ravel() if org.n_units else np.zeros(0)
        annual = np.array([behaviour.ceo_turnover, behaviour.senior_turnover, behaviour.turnover_rate,
                           behaviour.turnover_rate])
        self.leave_hazard = rules.weekly_hazard(annual)[org.role]

        # What leaders keep from week to week for their steering, by person
        # (`agents.leaders.send_direction`): unit reviews owed, and the one
        # unit in their scope, looked up the first time they steer.
        self.review_credit = np.zeros(org.n)
        self.sole_unit = np.full(org.n, NOT_LOOKED_UP)
        # The people, as Mesa agents.
        self.people = [agents.AGENT_CLASSES[r](self, i) for i, r in enumerate(org.role)]
        # The hospital settles before the strategy starts, so before any
        # committee of the strategy's has met.
        self._own_network = False
        self._committee_ties = False
        self._set_network(self._network(committee=False))
        settle(self.state, self.network, behaviour, quiet=self.signals)
        self._apply_levers()

        self.projects = Portfolio(org.n_units, behaviour.redesign_share)
        self.committee_share = 0.0
        self.unit_commitment, self.unit_practice = self._unit_means()
        # The hospital's staffing is set before any strategy: at the resources
        # of business as usual.
        self.units = at_rest(self.unit_practice, behaviour, PARAMETERS["resources"].default)
        self.quality = self._hospital_mean(self.units.quality)
        self.culture = self._culture_now()
        self.snapshots: list[pd.DataFrame] = []

        self.update = engine(self._run.engine, self.agents)
        self.latest = measure(self)
        self.datacollector = WeeklyCollector()
        self.datacollector.collect(self)
        self._snapshot()

    @property
    def config(self) -> Config:
        """The run's configuration, with the levers in force this week. Its
        behaviour is the typical hospital's; ``behaviour`` is this hospital's
        own, its context drawn (`simulation.context`)."""
        return Config.from_tables(self._run, self._organization_settings, self._typical, self.levers)

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

    def _network(self, committee: bool) -> Network:
        """The organization's ties as the staff week reads them, with the
        committee's ties while it meets."""
        org, b = self.organization, self.behaviour
        return Network(org.peer_matrix(committee=committee, manager_weight=b.manager_weight,
                                       physician_weight=b.physician_peer_weight),
                       org.skip_level_matrix(b.physician_leader_weight), org.manager)

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
        self._plan(check_levers(self.programme, **values))
        self._apply_levers()

    def _plan(self, programme: Levers) -> None:
        """Put ``programme`` in force as the plan: a new plan is a new start,
        not lapsed. What it would lapse to (`simulation.parameters.resting`)
        is worked out here, once a plan, not every week."""
        self.programme = self.levers = programme
        self.lapsed = False  # whether leaders have let the programme lapse (see `_keep_or_lapse`)
        self._resting = resting(programme)
        self._can_lapse = programme != self._resting  # business as usual has nothing to let lapse

    # -- the week ------------------------------------------------------------------------
    def step(self) -> None:
        """Advance the hospital by one week."""
        behaviour = self.behaviour
        self.week += 1

        # 0. The schedule: this week's lever changes and departures.
        self._follow_schedule()
        levers = self.levers

        # 1. Impetus: urgency decays (less in an impatient culture), and shocks
        # and last week's visible results move it.
        shock = levers.shock_size * levers.impetus_shocks.count(self.week)
        self.urgency = float(rules.urgency_next(self.urgency, behaviour.urgency_decay * (1.0 - levers.impatience),
                                                shock + behaviour.results_urgency * self.results))
        self._keep_or_lapse(relaunched=shock > 0)
        levers = self.levers

        # 2. Leaders act, in index order, so every engine sees the same draws.
        signals = self._leaders_act()
        self.committee_share = (signals.committee_attendance / len(self.committee_members)
                                if levers.committee and self.committee_members else 0.0)

        # 3-5, 7. The staff update, then leaders' energy.
        self.state = self.update(self.state, signals, self.network, behaviour)
        # Only leaders have energy (everyone else's stays 0).
        leaders = self._leaders
        self.state.energy[leaders] = rules.energy_next(self.state.energy[leaders], signals.hours[leaders],
                                                       behaviour.energy_recovery, behaviour.leader_capacity)

        # 6. Improvement projects; successes and failures move the staff.
        self.project_week().apply(self.state, behaviour)

        # 8. Turnover, departures and succession; a leader's departure costs
        # their staff's trust.
        replacements = self.leavers()
        self.departure_effects(replacements).apply(self.state, behaviour)
        self.hire(replacements)

        # 9. Outcomes: units' capability, barriers, overload and quality of
        # care; the results people see; the culture index.
        self.unit_commitment, self.unit_practice = self._unit_means()
        self.units = unit_week(self.units, self.unit_practice, self.projects.active_per_unit(),
                               self.projects.capability_gain, signals.units[BARRIERS_CLEARED], self._gaming(),
                               behaviour, levers.resources)
        self.quality, self.results = self._hospital_means(self.units.quality, self.units.results)
        self.culture = float(rules.moving_average(self.culture, self._culture_now(), behaviour.culture_memory))
        self.latest = measure(self)
        self.datacollector.collect(self)
        self._snapshot()

    def project_week(self) -> Effects:
        """Step 6: the portfolio's week. Returns its effects on the staff
        (`step` applies them). Like the leaders' decisions, projects see each
        unit's commitment as it stood at the start of the week."""
        b, levers = self.behaviour, self.levers
        # Help from other units comes through the ties that exist: the team's
        # own ties to other units, and the committee while it meets.
        help_ = (np.minimum(b.max_tie_integration, b.integration_per_tie * self._cross_ties)
                 + b.committee_integration * self.committee_share)
        share = b.redesign_share
        week = ProjectWeek(
            week=self.week, rng=self.rng, behaviour=b, organization=self.organization,
            unit_commitment=self.unit_commitment, barriers=self.units.barriers, help=help_,
            resources=levers.resources, urgency=self.urgency, impatience=levers.impatience,
            redesign_share=share + (1.0 - share) * b.committee_redesign_boost * self.committee_share,
            unit_ties=self.unit_ties, observers=self.observers)
        return self.projects.step(week, self.units.capability)

    def leavers(self) -> Replacements | None:
        """Step 8: who leaves this week (scheduled departures included) and
        what their successors start with (`simulation.turnover`)."""
        departing, self._departing = self._departing, []
        # Each person's unit's overload: this week's signals carry it (the
        # units' overload has not changed since the leaders acted).
        return turnover(self.state, self.organization, self.behaviour, self.levers, self.leave_hazard,
                        self.signals.overload, departing, self.unit_commitment, self.rng)

    def departure_effects(self, replacements: Replacements | None) -> Effects:
        """The trust a leader's departure costs the people they led: the CEO's
        the whole hospital's, another leader's the people of their units."""
        effects = Effects()
        org = self.organization
        leaders = [] if replacements is None else replacements.leavers[org.role[replacements.leavers] <= MIDDLE]
        if not len(leaders):
            return effects  # only staff left: nobody's trust moves
        lost = np.zeros(org.n)
        for i in leaders:
            # The people of the leader's units, found by unit (each index
            # once, so their order does not change the sum below).
            span = org.members_of(self.people[i].scope) if org.role[i] != CEO else slice(None)
            lost[span] = 1.0 - (1.0 - lost[span]) * (1.0 - self.behaviour.departure_trust_loss)
        effects.trust_lost = lost
        return effects

    def hire(self, replacements: Replacements | None) -> None:
        """Put the successors of ``replacements`` in place: their state, and
        a newcomer's agent for each (`_replace`)."""
        if replacements is None:
            return
        self.state.values[:, replacements.leavers] = replacements.state.values
        for i in replacements.leavers.tolist():
            self._replace(i)

    def _leaders_act(self) -> Signals:
        """Every leader with duties acts, and the week's signals come back,
        with what the units' reviews and results say to each person."""
        org, b, levers = self.organization, self.behaviour, self.levers
        signals = self.signals
        signals.reset()
        signals.development[:] = self.development
        signals.relay_support[:] = self.relay_support
        for i in self.on_duty:
            self.people[i].act(signals)
        send_direction(self, signals)
        signals.file_reviews()
        # Reviews set expectations and accountability in the units they reach;
        # what is not renewed fades.
        units = reviewed(self.units, signals.units[EXPECTATION_SET], signals.units[ACCOUNTABILITY_SET],
                         b.expectation_decay)
        self.units = units
        heads = self._heads
        signals.steer[heads] = np.maximum(signals.steer[heads], units.expectation[org.unit[heads]])
        # What each person's unit holds, for each person, gathered straight
        # into the signals' rows.
        self._per_person(units.accountability, out=signals.accountability)
        self._per_person(units.overload, out=signals.overload)
        self._per_person(units.results, out=signals.results)
        # Managers whose pay is tied to their unit's results hold themselves to it.
        middles = self._middles
        signals.accountability[middles] = np.maximum(signals.accountability[middles], levers.incentives)
        # A review asks for as much as its steering, and promises the support
        # to do it; resources deliver that support as far as they go, and the
        # rest of the promise is broken.
        reviews = self._per_person(signals.units[REVIEWS])
        reviews *= b.review_promise
        np.multiply(reviews, min(levers.steering, levers.resources), out=signals.promise_kept)
        np.multiply(reviews, max(0.0, levers.steering - levers.resources), out=signals.promise_broken)
        # Who gets round to acting on their practice drive this week is drawn
        # here, the same numbers for every engine (drawn straight into the
        # signals' row: the same draws as a new array's).
        if b.practice_uptake < 1.0:
            self.rng.random(org.n, out=signals.practice_draw)
        return signals

    def _per_person(self, unit_values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A value of each person's unit, for each person (0 for the CEO and
        the senior team, who belong to no unit), written into ``out`` if
        given."""
        # One gather from the units' values with a 0 after them, which is
        # what the people outside any unit (the last bin) read.
        padded = self._unit_padded
        padded[:-1] = unit_values
        # Every bin is in range, so "clip" clips nothing; it spares the copy
        # numpy makes of ``out`` under the default mode ("raise").
        return np.take(padded, self._unit_bin, out=out, mode="clip")

    def _gaming(self) -> np.ndarray:
        """How far each unit's manager games its results (0-1): with pay tied
        to results, as far as the incentive outruns their own commitment."""
        incentives = self.levers.incentives
        head = self.organization.unit_head
        commitment = np.where(head >= 0, self.state.commitment[np.maximum(head, 0)], 1.0)
        return incentives * np.maximum(0.0, incentives - commitment)

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

    def _keep_or_lapse(self, relaunched: bool) -> None:
        """Leaders keep the programme going while its urgency lasts. When
        urgency falls below ``lapse_urgency`` (its early results did not keep
        it up), they let it lapse: the hospital goes back to its resting
        levers (`simulation.parameters.resting`) until a new impetus (a
        shock) or a new plan relaunches it (Repenning 2002; Keating et al.
        1999)."""
        lapse = (not relaunched and self._can_lapse
                 and (self.lapsed or self.urgency < self.behaviour.lapse_urgency))
        if lapse != self.lapsed:
            self.lapsed = lapse
            self.levers = self._resting if lapse else self.programme
            self._apply_levers()

    def _apply_levers(self) -> None:
        """Derive from the levers in force what the staff update and leaders
        read: the committee's ties, middle-manager development, and who has
        duties."""
        org, levers = self.organization, self.levers
        if not self._own_network and levers.committee != self._committee_ties:
            self._set_network(self._network(committee=levers.committee))
            self._committee_ties = levers.committee
        # Development raises a middle manager's own predisposition and relay;
        # pay tied to results strengthens the relay only. Each closes its
        # share of the gap to a full relay.
        incentive = self.behaviour.incentive_relay * levers.incentives
        self.development = np.where(org.role == MIDDLE, levers.middle_development, 0.0)
        self.relay_support = np.where(org.role == MIDDLE,
                                      1.0 - (1.0 - levers.middle_development) * (1.0 - incentive), 0.0)
        self._middles = np.flatnonzero(org.role == MIDDLE)
        leaders = [self.people[i] for i in np.flatnonzero(self.is_leader)]
        for leader in leaders:
            leader.take_up_levers()
            # A champion reads its scope the first week it acts. The scope is
            # the structure's, so it is looked up now, once every leader is
            # built, rather than in that week: in a large hospital whose
            # thousands of managers all champion, the lookups would double it.
            if leader.involved:
                leader.scope_units  # noqa: B018 (reading it computes and keeps it)
        self.on_duty = [leader.index for leader in leaders if leader.has_duties()]

    def role_and_group_means(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`role_means` and `group_means` of ``values``, from one product."""
        sums = self._by_role_and_group(values)
        roles = len(self._role_count)
        return sums[:roles] / self._role_count, sums[roles:] / self._group_count

    def group_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over the frontline staff of each professional
        group, in the order of `simulation.parameters.GROUPS`; NaN for a
        group with nobody in it."""
        return self.role_and_group_means(values)[1]

    def role_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` (one per person) by role, in the order of
        `simulation.parameters.ROLES`; NaN for a role nobody holds."""
        return self.role_and_group_means(values)[0]

    def _unit_means(self) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's mean commitment and its share of staff practising."""
        s = self.state
        return self._by_unit(s.commitment) / self._unit_count, self._by_unit(s.practice) / self._unit_count

    @property
    def unit_quality(self) -> np.ndarray:
        """Patient-care quality of each unit (0-1; `simulation.units`)."""
        return self.units.quality

    def _hospital_mean(self, unit_values: np.ndarray) -> float:
        """Mean of a value of each unit, weighted by unit head count (0 with no units)."""
        return self._hospital_means(unit_values)[0]

    def _hospital_means(self, *unit_values: np.ndarray) -> list[float]:
        """`_hospital_mean` of each of ``unit_values``, in one reduction."""
        if not self._unit_staff:
            return [0.0] * len(unit_values)
        # np.average's sum, written out, row by row (the same sums as one
        # array's): this runs every week.
        weighted = np.array(unit_values) * self.organization.unit_sizes
        return (sum_1d(weighted, axis=1) / self._unit_staff).tolist()

    def _culture_now(self) -> float:
        return 0.5 * (mean_of(self.state.commitment) + mean_of(self.state.practice))

    def _replace(self, i: int) -> None:
        """Put a newcomer of the same role in position ``i``: a frontline
        agent takes the newcomer's identity in place (`FrontlineStaff.hand_over`),
        a leader is swapped for a new agent (a leader's agent holds their
        projects and plans, which go with them)."""
        old = self.people[i]
        if type(old) is agents.FrontlineStaff and old.hand_over():
            return
        if isinstance(old, agents.Leader):
            for project in old.sponsored:
                self.projects.orphan(project)
        old.remove()
        self.people[i] = type(old)(self, i)


__all__ = ["OrgChangeModel", "build_organization", "Levers"]

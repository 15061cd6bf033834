"""Leaders: the CEO, senior leaders and middle managers.

Leaders are people too (they inherit `Person.step`), but they also decide.
Each week a leader with duties under the strategy spends personal capital
(energy, in hours) on them, in order of priority:

1. the projects they sponsor: which to champion, and clearing their barriers;
2. the quality integrating committee, if they sit on it;
3. steering: direction, expectations and accountability;
4. rounding: which unit to visit, whom to talk to, and following up.

What does not fit in the week's energy is not done. What a leader does
goes into the week's `Signals`, which the model hands each leader in turn
and then to the staff update. The decisions are written here, once, and
every engine sees the same ones.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from agents.person import Person
from simulation import rules
from simulation.state import Signals


class Leader(Person):
    """A person with direct reports and a strategy to carry out.

    ``groups`` names the lever groups this leader belongs to (``"ceo"``,
    ``"senior"``, ``"physician"``, ``"middle"``); the strategy's ``involved``
    and ``rounders`` lists are matched against them.
    """

    groups: frozenset[str] = frozenset()

    def __init__(self, model, index: int) -> None:
        super().__init__(model, index)
        self.sponsored: list = []  # the projects this leader champions
        self.rounding_credit = 0.0  # rounds owed; a frequency of 0.5 means a round every other week
        self.take_up_levers()

    energy = property(lambda self: self.model.state.energy[self.index],
                      doc="Personal capital left, in hours (0 to leader_capacity).")
    passion = property(lambda self: self.model.state.passion[self.index],
                       doc="Passion for quality, 0-1 (a trait).")

    @cached_property
    def lever_groups(self) -> frozenset[str]:
        groups = set(self.groups)
        if self.index == self.model.organization.physician:
            groups.add("physician")
        return frozenset(groups)

    def take_up_levers(self) -> None:
        """Read this leader's duties, and what each costs, off the levers in
        force. The model calls it whenever the levers change; the weekly
        decisions read the result, not the levers, which keeps them cheap.

        Sets ``involved`` (the strategy enlists this leader: sponsoring and
        steering), ``rounds`` (this leader rounds), ``on_committee`` (sits
        on a meeting quality committee), and the weekly hours of one
        sponsored project (``sponsor_cost``) and of steering (``steer_cost``).
        """
        levers, behaviour = self.model.levers, self.model.behaviour
        self.involved = not self.lever_groups.isdisjoint(levers.involved)
        self.rounds = not self.lever_groups.isdisjoint(levers.rounders)
        self.on_committee = bool(levers.committee) and self.index in self.model.committee_members
        # Clearing one sponsored project's barriers; steering and accountability reviews.
        self.sponsor_cost = behaviour.sponsor_hours * levers.barrier_removal
        self.steer_cost = behaviour.steer_hours * max(levers.steering, levers.accountability)
        # The week's duties, in order of priority; only those the levers give.
        self.duties = [duty for duty, given in ((self.champion_projects, self.involved),
                                                (self.attend_committee, self.on_committee),
                                                (self.steer, self.involved),
                                                (self.go_rounding, self.rounds)) if given]

    def has_duties(self) -> bool:
        """Whether the strategy gives this leader anything to do each week."""
        return self.involved or self.rounds or self.on_committee

    @cached_property
    def scope(self) -> np.ndarray:
        """Units this leader is responsible for: those whose manager reports,
        directly or not, to them (every unit for the CEO and the physician
        QI leader, whose remit is the whole hospital)."""
        org = self.model.organization
        if "ceo" in self.lever_groups or "physician" in self.lever_groups:
            return np.arange(org.n_units)
        heads = org.unit_head
        under = np.zeros(org.n_units, dtype=bool)
        for u, head in enumerate(heads):
            boss = head
            while boss >= 0 and not under[u]:
                under[u] = boss == self.index
                boss = org.manager[boss]
        return np.flatnonzero(under)

    @cached_property
    def last_rounded(self) -> np.ndarray:
        """Week of this leader's last round in each unit of `scope`, in the
        same order (-1: never). Built by the leaders who round, only."""
        return np.full(len(self.scope), -1, dtype=np.int64)

    @cached_property
    def scope_units(self) -> frozenset[int]:
        """`scope` as a set, for membership tests."""
        return frozenset(self.scope.tolist())

    # -- what duties cost ----------------------------------------------------------------
    def planned_hours(self) -> float:
        """Hours a week the strategy asks of this leader, energy permitting:
        the leader-hours its duties would cost at full strength."""
        levers, behaviour = self.model.levers, self.model.behaviour
        hours = behaviour.committee_hours if self.on_committee else 0.0
        if self.involved:
            hours += levers.projects_per_leader * self.sponsor_cost + self.steer_cost
        if self.rounds and len(self.scope):
            unit_staff = np.mean([len(self.model.organization.frontline(u)) for u in self.scope])
            contacts = min(levers.rounding_contacts, unit_staff)
            hours += levers.rounding_frequency * contacts * behaviour.round_contact_hours
        return float(hours)

    # -- the week's decisions -------------------------------------------------------------
    def act(self, signals: Signals) -> None:
        """Spend this week's energy on the strategy's duties, in priority
        order, and record what was done in ``signals``."""
        model, i = self.model, self.index
        if self.involved:
            signals.visibility[i] = model.levers.passion_display * model.state.passion[i]
        budget = float(model.state.energy[i])
        spent = 0.0
        for duty in self.duties:
            spent += duty(signals, budget - spent)
        signals.hours[i] = spent

    def champion_projects(self, signals: Signals, budget: float) -> float:
        """Keep ``projects_per_leader`` projects sponsored, then clear their
        barriers as far as energy allows. Returns the hours spent."""
        levers = self.model.levers
        self.sponsored = [p for p in self.sponsored if p.active]
        if not self.involved or levers.projects_per_leader == 0:
            return 0.0
        while len(self.sponsored) < levers.projects_per_leader and len(self.scope):
            self.sponsored.append(self.choose_project())
        spent = 0.0
        cost = self.sponsor_cost
        for project in self.sponsored:
            if spent + cost <= budget:
                project.support = levers.barrier_removal
                spent += cost
        return spent

    def choose_project(self):
        """Adopt the unsponsored project in scope whose team is least
        committed (it needs a champion most); if there is none, charter a new
        one in the most committed of the units in scope with the fewest
        active projects (the readiest team that is not already busy)."""
        portfolio = self.model.projects
        orphans = [p for p in portfolio.active if p.sponsor < 0 and p.unit in self.scope_units]
        if orphans:
            project = min(orphans, key=lambda p: (self.model.unit_commitment[p.unit], p.id))
        else:
            busy = portfolio.active_per_unit()[self.scope]
            free = self.scope[busy == busy.min()]
            unit = int(free[np.argmax(self.model.unit_commitment[free])])
            project = portfolio.charter(unit, self.model.week, self.model.rng)
        project.sponsor = self.index
        return project

    def attend_committee(self, signals: Signals, budget: float) -> float:
        """Sit on the quality integrating committee this week, if a member."""
        cost = self.model.behaviour.committee_hours
        if self.on_committee and cost <= budget:
            signals.committee_attendance += 1
            return cost
        return 0.0

    def steer(self, signals: Signals, budget: float) -> float:
        """Send direction and expectations down and hold units accountable."""
        cost = self.steer_cost
        if not self.involved or cost == 0 or cost > budget:
            return 0.0
        model = self.model
        levers = model.levers
        # A Python float: the same number, and its arithmetic is quicker than numpy's.
        commitment = float(model.state.commitment[self.index])
        signals.steer[self.index] = rules.steering_signal(levers.steering, commitment, model.urgency)
        # The organization holds everyone to the strongest accountability any
        # steering leader sets.
        signals.organization_accountability = max(signals.organization_accountability, levers.accountability)
        return cost

    def go_rounding(self, signals: Signals, budget: float) -> float:
        """Make this week's rounds: visit a unit, talk with staff, and resolve
        (or drop) the issues they raise. A round that the week's energy cannot
        pay for is missed, not postponed."""
        levers = self.model.levers
        if not self.rounds or levers.rounding_frequency == 0 or len(self.scope) == 0:
            return 0.0
        self.rounding_credit += levers.rounding_frequency
        spent = 0.0
        while self.rounding_credit >= 1.0:
            self.rounding_credit -= 1.0
            affordable = int((budget - spent) // self.model.behaviour.round_contact_hours)
            size = min(levers.rounding_contacts, affordable)
            if size > 0:
                spent += self.round_on(signals, self.choose_unit_to_round(), size)
        return spent

    def choose_unit_to_round(self) -> int:
        """The unit in scope this leader has not visited for longest; among
        those, the least committed (where a visit is needed most)."""
        last = self.last_rounded
        candidates = self.scope[last == last.min()]
        return int(candidates[np.argmin(self.model.unit_commitment[candidates])])

    def round_on(self, sig: Signals, unit: int, size: int) -> float:
        """Talk with up to ``size`` frontline staff of ``unit``. Returns hours."""
        m, behaviour = self.model, self.model.behaviour
        self.last_rounded[np.searchsorted(self.scope, unit)] = m.week
        staff = m.organization.frontline(unit)
        if len(staff) == 0:
            return 0.0
        contacts = m.rng.choice(staff, size=min(size, len(staff)), replace=False)
        resolved = m.rng.random(len(contacts)) < m.levers.follow_through
        sig.contact_weight[contacts] += behaviour.rounding_weight
        sig.contact_sum[contacts] += behaviour.rounding_weight * self.commitment
        sig.kept[contacts] += resolved
        sig.broken[contacts] += ~resolved
        return behaviour.round_contact_hours * len(contacts)


class CEO(Leader):
    """The chief executive: heads the senior team; remit is the whole hospital."""

    role = "ceo"
    groups = frozenset({"ceo"})


class SeniorLeader(Leader):
    """A member of the senior leadership team; one may be the physician QI leader."""

    role = "senior"
    groups = frozenset({"senior"})


class MiddleManager(Leader):
    """A unit manager: relays direction to the unit, amplifying or filtering it."""

    role = "middle"
    groups = frozenset({"middle"})

"""Leaders: the CEO, senior leaders and middle managers.

Leaders are people too (they inherit `Person.step`), but they also decide.
Each week a leader with duties under the strategy spends personal capital
(energy, in hours) on them, in order of priority:

1. the projects they sponsor: which to champion, and clearing their barriers;
2. the quality integrating committee, if they sit on it;
3. steering: reviews of the units in their scope, one after another, each
   setting expectations face to face and holding the unit to account;
4. the CEO's behind-the-scenes work: clarifying expectations with managers
   and resolving the problems they escalate;
5. the physician QI leader's work with the medical staff;
6. rounding: which unit to visit, whom to talk to (staff and patients), and
   the debrief that decides which of the issues raised get resolved.

What does not fit in the week's energy is not done. What a leader does
goes into the week's `Signals`, which the model hands each leader in turn
and then to the staff update and the units. The decisions are written
here, once, and every engine sees the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from agents.person import Person
from simulation import rules
from simulation.organization import SENIOR
from simulation.state import COMMITMENT, ENERGY, HOURS, PASSION, STEER, VISIBILITY, Signals


class cached_property:  # noqa: N801 (named as the functools decorator it stands in for)
    """`functools.cached_property` without its lock: computed on first
    reading, then an ordinary attribute of the instance. Python 3.11's takes
    a lock on every first reading, which costs a few microseconds; every
    leader reads half a dozen of these in the week it first acts, and
    thousands of leaders act in a large hospital."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, leader: Any, owner: type | None = None) -> Any:
        if leader is None:
            return self
        value = leader.__dict__[self.name] = self.compute(leader)
        return value


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
        self.review_credit = 0.0  # unit reviews owed, likewise (kept in the model's array, see below)
        self.take_up_levers()

    @property
    def review_credit(self) -> float:
        """Unit reviews owed (a fraction of one carries over to next week).
        Kept in the model's ``review_credit`` array, by person, so that
        `send_direction` can count every steering leader's reviews at once."""
        return float(self.model.review_credit[self.index])

    @review_credit.setter
    def review_credit(self, value: float) -> None:
        self.model.review_credit[self.index] = value

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
        on a meeting quality committee), ``fixes`` (the CEO works behind the
        scenes), ``links`` (a senior champion links teams to help), and the weekly hours of one sponsored project
        (``sponsor_cost``), of steering (``steer_cost``) and of the
        behind-the-scenes work (``fixing_cost``).
        """
        levers, behaviour = self.model.levers, self.model.behaviour
        self.involved = not self.lever_groups.isdisjoint(levers.involved)
        self.rounds = not self.lever_groups.isdisjoint(levers.rounders)
        self.on_committee = bool(levers.committee) and self.index in self.model.committee_members
        self.fixes = "ceo" in self.lever_groups and levers.behind_the_scenes > 0
        self.engages = "physician" in self.lever_groups and levers.physician_engagement > 0
        # Only a senior champion links a project's team to other units' managers.
        self.links = bool(self.model.organization.role[self.index] <= SENIOR) and levers.linking != 0.0
        self.sponsor_cost = behaviour.sponsor_hours * levers.barrier_removal
        self.steer_cost = steer_cost(behaviour, levers)
        self.fixing_cost = behaviour.behind_scenes_hours * levers.behind_the_scenes
        self.engaging_cost = behaviour.engagement_hours * levers.physician_engagement
        # The week's duties, in order of priority; only those the levers give.
        self.duties = [duty for duty, given in ((self.champion_projects, self.involved),
                                                (self.attend_committee, self.on_committee),
                                                (self.steer, self.involved),
                                                (self.work_behind_the_scenes, self.fixes),
                                                (self.engage_physicians, self.engages),
                                                (self.go_rounding, self.rounds)) if given]

    def has_duties(self) -> bool:
        """Whether the strategy gives this leader anything to do each week."""
        return self.involved or self.rounds or self.on_committee or self.fixes or self.engages

    @cached_property
    def scope(self) -> np.ndarray:
        """Units this leader is responsible for: those whose manager reports,
        directly or not, to them (every unit for the CEO and the physician
        QI leader, whose remit is the whole hospital)."""
        org = self.model.organization
        if "ceo" in self.lever_groups or "physician" in self.lever_groups:
            return np.arange(org.n_units)
        return org.units_led.get(self.index, np.zeros(0, dtype=np.int64))

    @cached_property
    def last_rounded(self) -> np.ndarray:
        """Week of this leader's last round in each unit of `scope`, in the
        same order (-1: never). Built by the leaders who round, only."""
        return np.full(len(self.scope), -1, dtype=np.int64)

    @cached_property
    def last_reviewed(self) -> np.ndarray:
        """Week of this leader's last review of each unit of `scope`, in the
        same order (-1: never). Built by the leaders who steer, only."""
        return np.full(len(self.scope), -1, dtype=np.int64)

    @cached_property
    def scope_heads(self) -> np.ndarray:
        """The middle managers heading the units of `scope` (the managers a
        senior champion can link a project's team to)."""
        head = self.model.organization.unit_head[self.scope]
        return head[head >= 0]

    @cached_property
    def scope_units(self) -> frozenset[int]:
        """`scope` as a set, for membership tests."""
        return frozenset(self.scope_list)

    @cached_property
    def scope_list(self) -> list[int]:
        """`scope` as Python ints, which index arrays more cheaply one at a time."""
        return self.scope.tolist()

    # -- what duties cost ----------------------------------------------------------------
    def round_cost(self, contacts: float) -> float:
        """Hours of one round that meets ``contacts`` people (staff and patients)."""
        behaviour = self.model.behaviour
        return behaviour.round_hours + contacts * behaviour.round_contact_hours

    def planned_hours(self) -> float:
        """Hours a week the strategy asks of this leader, energy permitting:
        the leader-hours its duties would cost at full strength."""
        levers, behaviour = self.model.levers, self.model.behaviour
        hours = behaviour.committee_hours if self.on_committee else 0.0
        if self.involved:
            hours += levers.projects_per_leader * self.sponsor_cost + self.steer_cost
        if self.fixes:
            hours += self.fixing_cost
        if self.engages:
            hours += self.engaging_cost
        if self.rounds and len(self.scope):
            unit_staff = np.mean([len(self.model.organization.frontline(u)) for u in self.scope])
            contacts = min(levers.rounding_contacts, unit_staff) + levers.rounding_patients
            if contacts:
                hours += levers.rounding_frequency * self.round_cost(contacts)
        return float(hours)

    # -- the week's decisions -------------------------------------------------------------
    def act(self, signals: Signals) -> None:
        """Spend this week's energy on the strategy's duties, in priority
        order, and record what was done in ``signals``."""
        model, i = self.model, self.index
        # Rows of the arrays are read and written by index (values[ROW, i]):
        # the same numbers as through the named rows, without making a view
        # of a whole row for one number, which thousands of leaders a week
        # would pay for.
        values = model.state.values
        if self.involved:
            signals.values[VISIBILITY, i] = model.levers.passion_display * values[PASSION, i]
        budget = float(values[ENERGY, i])
        spent = 0.0
        for duty in self.duties:
            spent += duty(signals, budget - spent)
        signals.values[HOURS, i] = spent

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
                project.linking = self.linking_for(project) if self.links else 0.0
                spent += cost
        return spent

    def linking_for(self, project) -> float:
        """How much this champion links ``project``'s team to the managers of
        the other units in scope, 0-1: the ``linking`` lever, for a senior
        champion, times how committed those managers are this week (a
        committed manager next door helps remove a barrier; an indifferent
        one does not). A champion whose scope is the project's unit alone
        has nobody to link it to."""
        if not self.links:
            return 0.0
        org = self.model.organization
        others = self.scope_heads[org.unit[self.scope_heads] != project.unit]
        if len(others) == 0:
            return 0.0
        return self.model.levers.linking * float(self.model.state.commitment[others].mean())

    def choose_project(self):
        """Adopt the unsponsored project in scope whose team is least
        committed (it needs a champion most); if there is none, charter a new
        one in the most committed of the units in scope with the fewest
        active projects (the readiest team that is not already busy). A
        senior champion links its team to the managers of other units as far
        as the ``linking`` lever says."""
        portfolio = self.model.projects
        orphans = portfolio.orphans_in(self.scope, self.scope_units)
        if orphans:
            project = min(orphans, key=lambda p: (self.model.unit_commitment[p.unit], p.id))
        else:
            project = portfolio.charter(self.unit_to_charter(), self.model.week, self.model.rng)
        portfolio.adopt(project, self.index)
        return project

    def unit_to_charter(self) -> int:
        """The unit of scope for a new project: the most committed of those
        with the fewest active projects (the first, on ties)."""
        if len(self.scope) == 1:  # a manager with one unit: no choice to make
            return self.scope_list[0]
        busy = self.model.projects.active_in(self.scope)
        free = self.scope[busy == busy.min()]
        return int(free[np.argmax(self.model.unit_commitment[free])])

    def attend_committee(self, signals: Signals, budget: float) -> float:
        """Sit on the quality integrating committee this week, if a member."""
        cost = self.model.behaviour.committee_hours
        if self.on_committee and cost <= budget:
            signals.committee_attendance += 1
            return cost
        return 0.0

    def steer(self, signals: Signals, budget: float) -> float:
        """Send direction down the reporting lines, and review the units in
        scope in turn: each review sets the unit's expectations and holds it
        to account. A leader's steering hours buy ``steer_cost /
        review_hours`` reviews a week, so the same hours reach a smaller
        share of a larger hospital.

        Here the leader decides to steer and pays for it; what the steering
        sends is worked out by `send_direction`, for all the leaders who
        steered at once (thousands of middle managers a week)."""
        cost = self.steer_cost
        if not self.involved or cost == 0 or cost > budget:
            return 0.0
        signals.steering.append(self.index)
        return cost

    def units_to_review(self, reviews: int) -> dict[int, int]:
        """The units of scope this week's ``reviews`` go to, and how many
        each: each review goes to the unit reviewed longest ago (the first
        of scope, on ties). Marks them reviewed this week. (A leader with
        one unit reviews it every time: `send_direction` sends those
        reviews without asking.)"""
        if not reviews:
            return {}
        last, week = self.last_reviewed, self.model.week
        chosen: dict[int, int] = {}
        for _ in range(reviews):
            k = int(last.argmin())
            last[k] = week
            unit = self.scope_list[k]
            chosen[unit] = chosen.get(unit, 0) + 1
        return chosen

    def work_behind_the_scenes(self, signals: Signals, budget: float) -> float:
        """The CEO's work out of sight (Site D): clarify expectations with every
        manager directly, so direction reaches them unfiltered, and resolve
        the problems of the most blocked unit."""
        cost = self.fixing_cost
        if not self.fixes or cost > budget:
            return 0.0
        model = self.model
        # The direction of the leaders who have steered so far is sent first:
        # this raises it where it falls short, as it did when each was sent.
        send_direction(model, signals)
        intensity = model.levers.behind_the_scenes
        commitment = float(model.state.commitment[self.index])
        clarity = intensity * (0.5 + 0.5 * commitment)
        managers = model.managers
        signals.steer[managers] = np.maximum(signals.steer[managers], clarity)
        if len(self.scope):
            barriers = model.units.barriers[self.scope]
            signals.clear(int(self.scope[np.argmax(barriers)]), model.behaviour.behind_scenes_resolution * intensity)
        return cost

    def engage_physicians(self, signals: Signals, budget: float) -> float:
        """The physician QI leader's work with the medical staff: every
        physician hears them in person, beyond the reporting lines."""
        cost = self.engaging_cost
        if not self.engages or cost > budget:
            return 0.0
        model = self.model
        weight = model.behaviour.engagement_weight * model.levers.physician_engagement
        doctors = model.physicians
        signals.contact_weight[doctors] += weight
        signals.contact_sum[doctors] += weight * float(model.state.commitment[self.index])
        return cost

    def go_rounding(self, signals: Signals, budget: float) -> float:
        """Make this week's rounds: visit a unit, talk with staff and patients,
        and resolve (or drop) the issues they raise. A round that the week's
        energy cannot pay for is missed, not postponed."""
        levers, behaviour = self.model.levers, self.model.behaviour
        if not self.rounds or levers.rounding_frequency == 0 or len(self.scope) == 0:
            return 0.0
        self.rounding_credit += levers.rounding_frequency
        spent = 0.0
        wanted = levers.rounding_contacts + levers.rounding_patients
        while self.rounding_credit >= 1.0:
            self.rounding_credit -= 1.0
            left = budget - spent - behaviour.round_hours
            affordable = int(left // behaviour.round_contact_hours) if left >= 0 else 0
            if min(wanted, affordable) > 0:
                spent += self.round_on(signals, self.choose_unit_to_round(), affordable)
        return spent

    def choose_unit_to_round(self) -> int:
        """The unit in scope this leader has not visited for longest; among
        those, the least committed (where a visit is needed most)."""
        last = self.last_rounded
        candidates = self.scope[last == last.min()]
        return int(candidates[np.argmin(self.model.unit_commitment[candidates])])

    def round_on(self, sig: Signals, unit: int, affordable: int) -> float:
        """Round on ``unit``, meeting at most ``affordable`` people: up to
        ``rounding_contacts`` frontline staff, then up to
        ``rounding_patients`` patients. Every member of staff raises an
        issue, and each patient does with chance ``issues_per_contact``;
        the debrief resolves each with chance ``follow_through``. Resolved
        issues clear the unit's process barriers; for the staff spoken with,
        a resolved issue is a kept promise and a dropped one a broken
        promise. Returns the hours spent."""
        m, behaviour, levers = self.model, self.model.behaviour, self.model.levers
        self.last_rounded[np.searchsorted(self.scope, unit)] = m.week
        staff = m.organization.frontline(unit)
        size = min(levers.rounding_contacts, len(staff), affordable)
        patients = min(levers.rounding_patients, affordable - size)
        if size + patients == 0:
            return 0.0
        contacts = m.rng.choice(staff, size=size, replace=False)
        resolved = m.rng.random(size) < levers.follow_through
        sig.contact_weight[contacts] += behaviour.rounding_weight
        sig.contact_sum[contacts] += behaviour.rounding_weight * self.commitment
        sig.kept[contacts] += resolved
        sig.broken[contacts] += ~resolved
        fixed = int(resolved.sum())
        if patients:
            raised = m.rng.random(patients) < behaviour.issues_per_contact
            fixed += int((raised & (m.rng.random(patients) < levers.follow_through)).sum())
        if fixed:
            sig.clear(unit, 1.0 - (1.0 - behaviour.barrier_removed) ** fixed)
        return self.round_cost(size + patients)


def steer_cost(behaviour: Any, levers: Any) -> float:
    """Weekly hours of a leader's steering: the same for every leader."""
    return behaviour.steer_hours * max(levers.steering, levers.accountability)


NOT_LOOKED_UP, NO_UNIT, SEVERAL_UNITS = -3, -2, -1
"""What the model's ``sole_unit`` holds for a leader with no single unit in
scope (not yet looked up, none, or several); otherwise, the unit."""


def send_direction(model: Any, signals: Signals) -> None:
    """Send what the leaders who steered since the last call
    (``signals.steering``, noted by `Leader.steer`) send down: each one's
    direction, and the reviews their steering hours buy.

    It is worked out for all those leaders at once, with the numbers of
    doing it for one after another: each leader's direction is written
    into their own cell of the ``steer`` row, from their own commitment
    (the CEO's work behind the scenes, which raises managers' direction,
    calls this first); each leader's review credit grows by the reviews
    their hours buy and each whole review is taken from it (subtracting a
    whole number from a credit below 2^53 is exact, so taking them all at
    once leaves the same fraction); and the reviews go, with the leader's
    direction as the expectation they set, to their one unit, or by
    `Leader.units_to_review` to the units of a larger scope. The order in
    which reviews are noted does not change their sums (`Signals.file_reviews`).
    """
    if not signals.steering:
        return
    leaders = np.array(signals.steering)
    signals.steering.clear()
    levers, behaviour, people = model.levers, model.behaviour, model.people
    expectation = rules.steering_signal(levers.steering, model.state.values[COMMITMENT, leaders], model.urgency)
    signals.values[STEER, leaders] = expectation
    sole = model.sole_unit
    for i in leaders[sole[leaders] == NOT_LOOKED_UP].tolist():  # each leader once a run
        scope = people[i].scope
        sole[i] = scope[0] if len(scope) == 1 else NO_UNIT if len(scope) == 0 else SEVERAL_UNITS
    scoped = sole[leaders] != NO_UNIT
    leaders, expectation = leaders[scoped], expectation[scoped]
    credit = model.review_credit[leaders] + steer_cost(behaviour, levers) / behaviour.review_hours
    reviews = np.floor(credit)
    model.review_credit[leaders] = credit - reviews
    reviewing = reviews > 0
    leaders, expectation, reviews = leaders[reviewing], expectation[reviewing], reviews[reviewing]
    units = sole[leaders]
    one = units >= 0
    signals.review_units(units[one], expectation[one], levers.accountability, reviews[one])
    for i, e, r in zip(leaders[~one].tolist(), expectation[~one].tolist(), reviews[~one].tolist()):
        for unit, times in people[i].units_to_review(int(r)).items():
            signals.review(unit, e, levers.accountability, times)


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


__all__ = ["CEO", "Leader", "MiddleManager", "SeniorLeader", "send_direction", "steer_cost"]

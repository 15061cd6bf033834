"""Leaders' decisions: where to round, which projects to champion, and what
to spend a limited week's energy on."""

import numpy as np
import pytest

from agents import CEO, MiddleManager, SeniorLeader
from simulation import OrgChangeModel
from simulation.parameters import Behaviour
from simulation.state import Signals

HOURS = Behaviour()  # the default cost of each action, in hours


def model_with(**kw):
    params = dict(staff=300, seed=21, project_start_rate=0.0, turnover_rate=0.0, senior_turnover=0.0,
                  ceo_turnover=0.0)
    params.update(kw)
    return OrgChangeModel(**params)


def senior(model, k=0):
    return [p for p in model.people if isinstance(p, SeniorLeader)][k]


def test_scope_is_the_units_under_a_leader():
    model = model_with()
    org = model.organization
    ceo = model.people[org.ceo]
    assert isinstance(ceo, CEO)
    np.testing.assert_array_equal(ceo.scope, np.arange(org.n_units))
    lead = senior(model, 1)  # not the physician, whose remit is the whole hospital
    heads = org.unit_head[lead.scope]
    assert len(lead.scope) > 0 and all(org.manager[h] == lead.index for h in heads)
    manager = next(p for p in model.people if isinstance(p, MiddleManager))
    np.testing.assert_array_equal(manager.scope, [manager.unit])
    physician = model.people[org.physician]
    np.testing.assert_array_equal(physician.scope, np.arange(org.n_units))


def test_rounding_visits_the_least_recently_seen_then_least_committed_unit():
    model = model_with(rounders=["senior"])
    lead = senior(model, 1)
    units = lead.scope
    model.unit_commitment[units] = np.linspace(0.9, 0.1, len(units))
    first = lead.choose_unit_to_round()
    assert first == units[-1]  # never visited: the least committed first
    lead.last_rounded[-1] = 1  # last_rounded follows the order of scope
    second = lead.choose_unit_to_round()
    assert second == units[-2]
    lead.last_rounded[:] = 5
    lead.last_rounded[0] = 2
    assert lead.choose_unit_to_round() == units[0]  # longest since a visit wins over commitment


def test_a_round_talks_with_frontline_staff_of_the_unit_and_records_promises():
    model = model_with(rounders=["ceo"], rounding_contacts=4, follow_through=0.5)
    ceo = model.people[model.organization.ceo]
    signals = Signals(model.organization.n, model.organization.n_units)
    hours = ceo.round_on(signals, 3, 4)
    contacted = np.flatnonzero(signals.contact_weight)
    assert hours == HOURS.round_hours + 4 * HOURS.round_contact_hours
    assert len(contacted) == 4
    assert set(contacted) <= set(model.organization.frontline(3))
    np.testing.assert_allclose(signals.contact_sum[contacted], model.behaviour.rounding_weight * ceo.commitment)
    assert (signals.kept + signals.broken)[contacted].tolist() == [1, 1, 1, 1]
    assert ceo.last_rounded[3] == model.week


def test_rounding_frequency_accumulates_fractional_rounds():
    model = model_with(rounders=["ceo"], involved=[], rounding_frequency=0.5, rounding_contacts=3)
    rounds = []
    for _ in range(6):
        model.step()
        rounds.append(int((model.signals.contact_weight > 0).sum() // 3))
    assert rounds == [0, 1, 0, 1, 0, 1]


def test_champions_adopt_the_neediest_orphan_before_chartering():
    model = model_with(projects_per_leader=1, involved=["ceo"])
    ceo = model.people[model.organization.ceo]
    needy, keen = model.projects.charter(4, 0, model.rng), model.projects.charter(5, 0, model.rng)
    model.unit_commitment[4], model.unit_commitment[5] = 0.1, 0.9
    assert ceo.choose_project() is needy and needy.sponsor == ceo.index
    # No orphans left in scope: charter a new project in the most committed
    # unit among those with the fewest projects.
    model.projects.adopt(keen, 99)
    model.unit_commitment[:] = 0.3
    model.unit_commitment[7] = 0.8
    project = ceo.choose_project()
    assert project.unit == 7 and project.sponsor == ceo.index


def test_energy_goes_to_projects_then_committee_then_steering_then_rounding():
    def spend(capacity):
        model = model_with(leader_capacity=capacity, involved=["ceo"], rounders=["ceo"], committee=True,
                           projects_per_leader=1, barrier_removal=1.0, steering=1.0, rounding_frequency=1.0,
                           rounding_contacts=4)
        model.step()
        ceo = model.people[model.organization.ceo]
        return model.signals, ceo

    sponsor, meet, steer = HOURS.sponsor_hours, HOURS.committee_hours, HOURS.steer_hours
    round_ = HOURS.round_hours + 4 * HOURS.round_contact_hours
    sig, ceo = spend(sponsor + meet + steer + round_)
    assert sig.hours[ceo.index] == pytest.approx(sponsor + meet + steer + round_)
    sig, ceo = spend(sponsor + meet + steer)  # no energy left for rounding
    assert sig.contact_weight.sum() == 0 and sig.steer[ceo.index] > 0
    sig, ceo = spend(sponsor + meet)  # nor for steering
    assert sig.steer[ceo.index] == 0 and sig.hours[ceo.index] == pytest.approx(sponsor + meet)
    sig, ceo = spend(sponsor)
    assert sig.hours[ceo.index] == pytest.approx(sponsor)
    assert ceo.sponsored[0].sponsor == ceo.index


# --- costs that must not grow with the hospital (issue 17: count operations, not time) ------------
class CountingDict(dict):
    """A dict that counts the entries anyone looks at."""

    looked = 0

    def __getitem__(self, key):
        CountingDict.looked += 1
        return super().__getitem__(key)

    def items(self):
        CountingDict.looked += len(self)
        return super().items()


def test_finding_an_orphan_project_looks_only_at_the_leaders_own_units():
    for staff in (1000, 4000):
        model = model_with(staff=staff, projects_per_leader=0)
        org, projects = model.organization, model.projects
        for unit in range(org.n_units):  # an orphan project in every unit
            projects.charter(unit, 0, model.rng)
        projects._orphans = CountingDict(projects._orphans)
        manager = next(p for p in model.people if isinstance(p, MiddleManager))
        CountingDict.looked = 0
        orphans = projects.orphans_in(manager.scope, manager.scope_units)
        assert [p.unit for p in orphans] == [manager.unit]
        assert CountingDict.looked <= len(manager.scope)  # one unit, whatever the hospital's size


def test_each_leaders_units_come_from_one_walk_up_the_chain_from_each_unit():
    for staff in (1000, 4000):
        org = model_with(staff=staff).organization
        # The map holds each unit once for each leader above it, no more: its
        # size is the units times the depth of the hierarchy, linear in staff.
        heads = org.unit_head[org.unit_head >= 0]
        assert sum(len(units) for units in org.units_led.values()) == int((org.depth[heads] + 1).sum())
        assert set(org.units_led) <= set(np.flatnonzero(org.role <= 2))

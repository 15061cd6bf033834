"""Each of the nine weekly mechanisms (DESIGN section 3) does what it says.

Where two runs are compared they share a seed and differ in one parameter
that draws no random numbers, so the comparison is paired and exact: any
difference is the mechanism's doing, not noise. Stochastic claims (turnover
rates) are checked against their binomial spread.
"""

import numpy as np
import pytest

from simulation import OrgChangeModel, rules
from simulation.organization import FRONTLINE, MIDDLE, SENIOR
from simulation.projects import QUICK_FIX, REDESIGN


def frontline(model, values):
    return values[model.organization.role == FRONTLINE]


# --- 1. impetus ------------------------------------------------------------------------
def test_shocks_raise_urgency_which_then_decays():
    df = OrgChangeModel(staff=100, seed=1, impetus_shocks=[10], shock_size=0.5, urgency_decay=0.05).run(20)
    u = df["urgency"].to_numpy()
    assert u[10] == pytest.approx(u[9] * 0.95 + 0.5)
    assert np.all(np.diff(u[:10]) < 0) and np.all(np.diff(u[10:]) < 0)


def test_urgency_strengthens_the_direction_leaders_send():
    calm = OrgChangeModel(staff=200, seed=1, steering=0.6, baseline_urgency=0.0).run(30)
    urgent = OrgChangeModel(staff=200, seed=1, steering=0.6, baseline_urgency=1.0, urgency_decay=0.0).run(30)
    assert urgent["alignment_frontline"].iloc[-1] > 1.3 * calm["alignment_frontline"].iloc[-1]


# --- 2. leaders act, limited by energy -----------------------------------------------------
def test_leaders_cannot_spend_more_energy_than_they_have():
    rounding = dict(staff=300, seed=2, rounders=["ceo", "senior"], rounding_frequency=3.0, rounding_contacts=10,
                    steering=0.0, accountability=0.0)
    rested_model = OrgChangeModel(**rounding, leader_capacity=100.0, energy_recovery=100.0)
    rested = rested_model.run(12)
    tired = OrgChangeModel(**rounding, leader_capacity=10.0, energy_recovery=2.0)
    df = tired.run(12)
    # The CEO and the senior team (sized to the hospital: 4 at 300 staff).
    leaders = 1 + int((tired.organization.role == SENIOR).sum())
    assert leaders == 5
    # Unlimited energy: 3 rounds of a walk and 10 conversations for each leader.
    b = rested_model.behaviour
    assert rested["leader_hours"].iloc[1:].eq(leaders * 3 * (b.round_hours + 10 * b.round_contact_hours)).all()
    assert df["leader_hours"].iloc[1] <= leaders * 10.0
    # Over the weeks, leaders spend at most their store and what rest brings back.
    weeks = len(df) - 1
    assert df["leader_hours"].iloc[1:].sum() <= leaders * (10.0 + 2.0 * weeks) + 1e-9
    assert df["leader_hours"].iloc[6:].mean() < df["leader_hours"].iloc[1]
    # What is left at the end of a week is this week's rest and less than the round that did not fit.
    round_cost = tired.behaviour.round_hours + 10 * tired.behaviour.round_contact_hours
    assert tired.state.energy[tired.on_duty].max() < 2.0 + round_cost
    assert rested.iloc[-1]["leader_energy"] == 1.0


def test_leaders_without_duties_do_nothing():
    model = OrgChangeModel(staff=200, seed=3, involved=[], rounders=[], committee=False)
    df = model.run(10)
    assert model.on_duty == []
    assert df["leader_hours"].eq(0).all() and df["alignment"].eq(0).all()


# --- 3. structural cascade ---------------------------------------------------------------
def test_direction_moves_down_one_reporting_level_per_week():
    # With no time for a unit review (one takes longer than the steering
    # time), direction only cascades down the reporting lines.
    df = OrgChangeModel(staff=200, seed=1, steering=0.8, review_hours=100.0).run(3)
    assert df["alignment_senior"].iloc[1] > 0 and df["alignment_middle"].iloc[1] == 0
    assert df["alignment_middle"].iloc[2] > 0 and df["alignment_frontline"].iloc[2] == 0
    assert df["alignment_frontline"].iloc[3] > 0
    # A review sets the expectations of the reviewed unit's manager at once.
    reviewed = OrgChangeModel(staff=200, seed=1, steering=0.8).run(1)
    assert reviewed["alignment_middle"].iloc[1] > 0


def test_no_steering_means_no_alignment():
    df = OrgChangeModel(staff=200, seed=1, steering=0.0, accountability=0.0).run(20)
    assert df["alignment"].eq(0).all()


def fix_middle(model, commitment):
    middles = model.organization.role == MIDDLE
    model.state.commitment[middles] = commitment
    model.state.predisposition[middles] = commitment
    model.state.susceptibility[middles] = 0.0  # they stay as they are


def test_a_frozen_middle_filters_the_signal():
    runs = {}
    for label, c in (("frozen", 0.0), ("committed", 1.0)):
        model = OrgChangeModel(staff=300, seed=5, steering=0.8, relay_gain_low=0.0)
        fix_middle(model, c)
        runs[label] = model.run(30)
    frozen, committed = runs["frozen"].iloc[-1], runs["committed"].iloc[-1]
    assert frozen["alignment_frontline"] < 0.02 < 0.2 < committed["alignment_frontline"]
    # The filter sits in the middle: above it alignment barely differs (only
    # through the seniors' own commitment, which their managers sway).
    assert frozen["alignment_senior"] > 0.85 * committed["alignment_senior"]


def test_middle_development_raises_relay_and_manager_predisposition():
    plain = OrgChangeModel(staff=300, seed=5, steering=0.8)
    developed = OrgChangeModel(staff=300, seed=5, steering=0.8, middle_development=0.8)
    a, b = plain.run(52), developed.run(52)
    middles = plain.organization.role == MIDDLE
    assert developed.state.predisposition[middles].mean() > plain.state.predisposition[middles].mean() + 0.05
    assert b["alignment_frontline"].iloc[-1] > a["alignment_frontline"].iloc[-1] + 0.02


# --- 4. social influence -------------------------------------------------------------------
def test_visible_passionate_leaders_raise_commitment_if_trusted():
    def final(**kw):
        return OrgChangeModel(staff=300, seed=6, **kw).run(52)["commitment_frontline"].iloc[-1]

    assert final(passion_display=0.9) > final(passion_display=0.0) + 0.01
    # Without trust in leadership (and none to be won), leaders' visibility changes nothing at all.
    assert final(passion_display=0.9, base_trust=0.0, trust_rate=0.0) == final(passion_display=0.0, base_trust=0.0,
                                                                               trust_rate=0.0)


def test_commitment_is_anchored_to_predisposition():
    model = OrgChangeModel(staff=200, seed=7, susceptibility=0.0, influence_rate=0.5, cynicism_weight=0.0,
                           practice_learning=0.0, predisposition_drift=0.0, results_boost=0.0, pressure_meaning=0.0,
                           turnover_rate=0.0, senior_turnover=0.0, ceo_turnover=0.0, project_start_rate=0.0)
    model.state.commitment[:] = 1.0
    model.run(40)
    # Unreinforced commitment has drifted back: the gap halves every week.
    np.testing.assert_allclose(model.state.commitment, model.state.predisposition, atol=1e-9)


def test_rounding_moves_the_people_spoken_with_and_their_units_most():
    """Pair a rounding run with one where the conversations carry no weight:
    both draw the same contacts, so the difference is the rounding's effect."""
    params = dict(staff=400, seed=8, rounders=["ceo"], rounding_frequency=1.0, rounding_contacts=5,
                  follow_through=1.0, passion_display=0.0, steering=0.0, accountability=0.0)
    rounded, placebo = OrgChangeModel(**params), OrgChangeModel(**params, rounding_weight=0.0)
    contacted = np.zeros(rounded.organization.n, dtype=bool)
    for _ in range(8):
        rounded.step()
        placebo.step()
        contacted |= rounded.signals.contact_weight > 0
    effect = rounded.state.commitment - placebo.state.commitment
    unit = rounded.organization.unit
    visited = np.isin(unit, unit[contacted])
    front = rounded.organization.role == FRONTLINE
    assert 20 <= contacted.sum() <= 40
    assert effect[contacted].mean() > 2 * effect[front & visited & ~contacted].mean() > 0
    assert effect[front & visited & ~contacted].mean() > 2 * abs(effect[front & ~visited].mean())


# --- 5. practice --------------------------------------------------------------------------
def test_accountability_raises_practice():
    lax = OrgChangeModel(staff=300, seed=9, steering=0.5, accountability=0.0).run(30)
    held = OrgChangeModel(staff=300, seed=9, steering=0.5, accountability=0.9).run(30)
    assert held["practice_frontline"].iloc[-1] > lax["practice_frontline"].iloc[-1] + 0.02


def test_practice_is_a_threshold_on_the_drive():
    assert OrgChangeModel(staff=200, seed=1, practice_threshold=5.0).run(5)["practice"].eq(0).all()
    everyone = OrgChangeModel(staff=200, seed=1, practice_threshold=0.0, threshold_spread=0.0, turnover_rate=0.0,
                              senior_turnover=0.0, ceo_turnover=0.0)
    assert everyone.run(5)["practice"].eq(1).all()


def test_peer_practice_spreads_as_a_complex_contagion():
    """Practice spreads from peers only through the peer term: with it, a
    seed of practitioners recruits others; without it, it does not."""
    def spread(weight):
        model = OrgChangeModel(staff=300, seed=10, weight_peers=weight, practice_threshold=0.5,
                               threshold_spread=0.05, habit=0.3, weight_commitment=0.0, weight_alignment=0.0,
                               steering=0.0, accountability=0.0, turnover_rate=0.0, practice_uptake=1.0)
        model.state.practice[:150] = 1.0
        return model.run(20)["practice"].iloc[-1]

    assert spread(0.0) == 0.0
    assert spread(0.9) > 0.5


# --- 6. improvement projects ----------------------------------------------------------------
def quiet_model(**kw):
    params = dict(staff=300, seed=11, project_start_rate=0.0, turnover_rate=0.0, senior_turnover=0.0,
                  ceo_turnover=0.0)
    params.update(kw)
    return OrgChangeModel(**params)


def test_success_lifts_the_team_and_the_people_who_see_it():
    model = quiet_model(success_boost=0.2, observer_boost=0.05, cross_unit_ties=3.0)
    project = model.projects.charter(0, 0, model.rng)
    project.progress = 1.0
    before = model.state.commitment.copy()
    model.project_week().apply(model.state, model.behaviour)
    team = model.organization.members(0)
    np.testing.assert_allclose(model.state.commitment[team], rules.kick(before[team], 0.2))
    lifted = np.flatnonzero(model.state.commitment != before)
    observers = np.setdiff1d(lifted, team)
    assert len(observers) > 0
    assert all(model.peers[i, team].sum() > 0 for i in observers)
    np.testing.assert_allclose(model.state.commitment[observers], rules.kick(before[observers], 0.05))
    assert model.projects.n_succeeded == 1 and model.projects.quick_gain[0] + model.projects.redesign_gain[0] > 0


def test_failure_breeds_cynicism_in_the_team():
    model = quiet_model(failure_cynicism=0.1)
    project = model.projects.charter(2, -1000, model.rng)  # long overdue: it has failed
    model.project_week().apply(model.state, model.behaviour)
    team = model.organization.members(2)
    assert model.projects.n_failed == 1
    np.testing.assert_allclose(model.state.cynicism[team], 0.1)
    assert model.state.cynicism.sum() == pytest.approx(0.1 * len(team))
    assert not project.active


def test_overload_breeds_cynicism():
    model = quiet_model(unit_capacity=1, overload_cynicism=0.05)
    for _ in range(3):
        model.projects.charter(1, 0, model.rng)
    model.project_week().apply(model.state, model.behaviour)
    assert model.state.cynicism[model.organization.members(1)] == pytest.approx(0.1)  # two projects too many
    assert model.state.cynicism[model.organization.members(0)].max() == 0


def test_quick_fixes_fade_while_redesigns_persist():
    model = quiet_model()
    model.projects.quick_gain[:] = 0.1
    model.projects.redesign_gain[:] = 0.1
    for _ in range(52):
        model.project_week().apply(model.state, model.behaviour)
    assert model.projects.quick_gain[0] < 0.02 < 0.08 < model.projects.redesign_gain[0]


def test_involved_leaders_sponsor_projects_and_pay_for_them():
    model = quiet_model(projects_per_leader=2, barrier_removal=1.0, steering=0.0, accountability=0.0)
    model.step()
    sponsors = [model.people[i] for i in model.on_duty]
    assert len(sponsors) == 1 + int((model.organization.role == SENIOR).sum())
    assert all(len(p.sponsored) == 2 for p in sponsors)
    assert model.latest["leader_hours"] == pytest.approx(len(sponsors) * 2 * 1.5)
    assert model.latest["projects_active"] == 2 * len(sponsors)


def test_sponsored_projects_succeed_more_often():
    def success_share(**kw):
        ok = bad = 0
        for seed in range(6):
            df = OrgChangeModel(staff=300, seed=seed, project_start_rate=0.2, resources=0.5, **kw).run(156)
            ok += df["projects_succeeded"].iloc[-1]
            bad += df["projects_failed"].iloc[-1]
        return ok / (ok + bad), ok + bad

    alone, n_alone = success_share(projects_per_leader=0)
    backed, n_backed = success_share(projects_per_leader=3, barrier_removal=1.0, leader_capacity=200.0)
    assert min(n_alone, n_backed) > 100
    # Binomial standard errors are below 0.05 at these counts; demand 3 of them.
    assert backed > alone + 0.15


def test_the_committee_links_its_members_and_raises_the_redesign_share():
    model = OrgChangeModel(staff=300, seed=12, committee=True, committee_size=8)
    members = model.organization.committee
    assert len(members) == 8
    assert (model.peers[np.ix_(members, members)] > 0).sum() == 8 * 7
    model.step()
    assert model.committee_share == 1.0
    assert model.projects.redesign_share > model.config.redesign_share
    assert (OrgChangeModel(staff=300, seed=12).peers[np.ix_(members, members)] > 0).sum() < 8 * 7


# --- 7. fatigue, cynicism and trust ----------------------------------------------------------
def test_broken_promises_breed_cynicism_and_erode_trust():
    def run(follow_through):
        return OrgChangeModel(staff=300, seed=13, rounders=["ceo", "senior"], rounding_frequency=1.0,
                              follow_through=follow_through).run(52).iloc[-1]

    kept, broken = run(1.0), run(0.0)
    assert broken["cynicism"] > kept["cynicism"] + 0.01
    assert broken["trust"] < kept["trust"] - 0.02
    assert broken["commitment_frontline"] < kept["commitment_frontline"]


# --- 8. turnover and departures ---------------------------------------------------------------
def test_staff_leave_at_the_configured_annual_rate():
    model = OrgChangeModel(staff=3000, seed=14, turnover_rate=0.18)
    n = model.organization.n
    staff = np.flatnonzero(model.organization.role >= MIDDLE)
    model.run(52)
    replaced = sum(model.people[i].unique_id > n for i in staff)
    # Positions vacated at least once: 1 - (1 - h)^52 = the annual rate.
    expected = 0.18 * len(staff)
    sd = np.sqrt(len(staff) * 0.18 * 0.82)
    assert abs(replaced - expected) < 4 * sd


def test_new_hires_are_socialized_into_their_unit():
    model = OrgChangeModel(staff=1000, seed=15, turnover_rate=0.9, socialization=1.0)
    model.run(3)
    unit_c = model.unit_commitment.copy()
    hired_before = model.state.tenure == 0
    unit_c = model._unit_means()[0]
    model.hire(model.leavers())
    hires = np.flatnonzero((model.state.tenure == 0) & ~hired_before & (model.organization.unit >= 0))
    assert len(hires) > 10
    np.testing.assert_allclose(model.state.commitment[hires], unit_c[model.organization.unit[hires]])


def test_ceo_departure_and_succession():
    drawn = {}
    for succession in (0.0, 1.0, 0.5):
        model = OrgChangeModel(staff=200, seed=16, schedule=[{"week": 5, "depart": "ceo"}], succession=succession,
                               ceo_passion=0.75, ceo_turnover=0.0,
                               projects_per_leader=1, involved=["ceo"])
        founder = model.people[model.organization.ceo]
        founder_passion = founder.passion
        model.run(4)
        sponsored = list(founder.sponsored)
        assert model.people[model.organization.ceo] is founder
        model.step()
        successor = model.people[model.organization.ceo]
        assert successor is not founder and successor.unique_id > founder.unique_id
        drawn[succession] = successor.passion
        assert successor.commitment == pytest.approx(successor.passion)
        assert founder not in model.agents
        # The founder's projects have lost their sponsor; the successor has
        # not acted yet (leaders act before departures in a week).
        assert sponsored and successor.sponsored == []
        assert all(p.sponsor == -1 for p in sponsored if p.active)
    # Succession planning carries on that share of the founder's passion; a
    # successor brings the rest of their own (the same draw in every run).
    assert drawn[1.0] == pytest.approx(founder_passion)
    assert drawn[0.5] == pytest.approx(0.5 * founder_passion + 0.5 * drawn[0.0])
    assert drawn[0.0] != pytest.approx(founder_passion)


# --- 9. outcomes ---------------------------------------------------------------------------------
def test_quality_follows_practice_and_culture_moves_slowly():
    model = OrgChangeModel(staff=200, seed=17, culture_memory=26.0, turnover_rate=0.0, practice_threshold=5.0,
                           practice_uptake=1.0, project_start_rate=0.0)
    model.state.threshold[:] = 0.0  # nobody practised at the start; from week 1 everyone does
    df = model.run(104)
    b = model.behaviour
    # Everyone practises from week 2 on, so every unit's capability closes
    # learning_rate of its gap a week and loses capability_erosion of what it
    # has (a linear rule, so the hospital's mean follows it too).
    capability = df["capability"].to_numpy()
    expected = rules.capability_next(capability[2:-1], 1.0, b.learning_rate, b.capability_erosion)
    np.testing.assert_allclose(capability[3:], expected, rtol=1e-9)
    # Quality rises with capability, with diminishing returns, and stays short of the top.
    q = df["quality"].to_numpy()
    assert q[-1] > q[0] + 0.05 and q[-1] < 0.95
    assert np.diff(q[2:]).min() > 0 and np.diff(q[2:])[-1] < np.diff(q[2:])[0]
    jump = df["culture"].diff().iloc[1]
    assert 0 < jump < 1 / 26


def test_unit_spread_measures_differences_between_units():
    model = OrgChangeModel(staff=300, seed=18)
    model.state.commitment[:] = 0.5
    assert model._unit_means()[0].std() == 0
    model.state.commitment[model.organization.members(0)] = 1.0
    assert model._unit_means()[0].std() > 0


def test_redesign_and_quick_fix_kinds_follow_the_share():
    model = quiet_model(redesign_share=0.3)
    kinds = [model.projects.charter(0, 0, model.rng).kind for _ in range(2000)]
    share = kinds.count(REDESIGN) / len(kinds)
    assert set(kinds) == {REDESIGN, QUICK_FIX}
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 2000)


def test_a_committee_stopped_by_the_schedule_stops_its_effects():
    model = OrgChangeModel(staff=200, seed=19, committee=True,
                           schedule=[{"week": 3, "lever": "committee", "value": False}])
    members = model.organization.committee
    model.run(2)
    assert model.committee_share == 1.0 and (model.peers[np.ix_(members, members)] > 0).sum() == 8 * 7
    model.step()
    assert model.committee_share == 0.0 and model.projects.redesign_share == model.config.redesign_share
    assert (model.peers[np.ix_(members, members)] > 0).sum() < 8 * 7


def test_the_starting_state_does_not_depend_on_the_strategy():
    plain = OrgChangeModel(staff=200, seed=20)
    full = OrgChangeModel(staff=200, seed=20, committee=True, steering=0.9, passion_display=0.9,
                          rounders=["ceo"], rounding_frequency=2.0)
    np.testing.assert_array_equal(plain.state.commitment, full.state.commitment)
    np.testing.assert_array_equal(plain.state.practice, full.state.practice)


def test_a_physician_departure_needs_a_physician():
    from simulation import ConfigError
    from simulation.theory import flat_organization

    with pytest.raises(ConfigError, match="physician QI leader"):
        OrgChangeModel(weeks=10, schedule=[{"week": 5, "depart": "physician"}], organization=flat_organization(20))


def test_what_running_teams_hold_lapses_the_week_they_stop():
    """Team attention (7.18) raises a unit's quality while its teams run, and
    leaves nothing behind: a week without them gives the quality of a unit
    that never had them, while capability, built by practice, is untouched."""
    from simulation.parameters import Behaviour
    from simulation.units import at_rest, unit_week

    behaviour = Behaviour(team_attention=0.1)
    practice = np.array([0.3, 0.3])
    start = at_rest(practice, behaviour, 0.2)
    zeros = np.zeros(2)

    def week(units, projects):
        return unit_week(units, practice, projects, zeros, zeros, zeros, behaviour, 0.2)

    with_teams = week(start, np.array([2, 0]))
    without = week(start, np.array([0, 0]))
    assert with_teams.quality[0] > without.quality[0] + 0.05 and with_teams.quality[1] == without.quality[1]
    assert with_teams.capability.tolist() == without.capability.tolist()
    after = week(with_teams, np.array([0, 0]))
    twin = week(without, np.array([0, 0]))
    # Only the projects' time on the week's overload differs; the held defects are back at once.
    assert after.quality[0] == pytest.approx(twin.quality[0], abs=1e-12)

"""The pure rule functions: their properties, and that each works the same
on scalars as on arrays (which is what lets both engines share them)."""

import numpy as np
import pytest

from simulation import rules

rng = np.random.default_rng(12345)
N = 200


def u(low=0.0, high=1.0):
    return rng.uniform(low, high, N)


# Each case: the rule, and arrays for its arguments (scalars stay scalars).
CASES = {
    "select": (rules.select, lambda: (u() > 0.5, u(), u())),
    "within": (rules.within, lambda: (u(-0.5, 1.5), 0.0, 1.0)),
    "urgency_next": (rules.urgency_next, lambda: (u(), 0.02, u(0, 0.6))),
    "energy_next": (rules.energy_next, lambda: (u(0, 40), u(0, 10), 6.0, 40.0)),
    "steering_signal": (rules.steering_signal, lambda: (u(), u(), u())),
    "relay_gain": (rules.relay_gain, lambda: (u(), 0.2, 1.0, u())),
    "direction_next": (rules.direction_next, lambda: (u(), u(), u())),
    "alignment_next": (rules.alignment_next, lambda: (u(), u(), 0.15)),
    "influence_target": (rules.influence_target,
                         lambda: (u(0, 5), rng.integers(0, 5, N) * 1.0, u(), u(), u(), u(), 0.3)),
    "commitment_next": (rules.commitment_next, lambda: (u(), u(-0.2, 1.2), 0.1)),
    "practice_experience": (rules.practice_experience, lambda: (u(), (u() > 0.5) * 1.0, 0.1)),
    "leader_trust_weight": (rules.leader_trust_weight, lambda: (u(), u())),
    "practice_drive": (rules.practice_drive,
                       lambda: (u(), u(), u(), u(), (u() > 0.5) * 1.0, 0.6, 0.2, 0.3, 0.15, 0.05)),
    "practises": (rules.practises, lambda: (u(), u())),
    "practice_next": (rules.practice_next, lambda: ((u() > 0.5) * 1.0, u() > 0.5, u(), 0.3)),
    "accountability_pressure": (rules.accountability_pressure, lambda: (u(), u())),
    "project_start_chance": (rules.project_start_chance, lambda: (0.03, u(), u(), u())),
    "project_progress": (rules.project_progress, lambda: (u(), u(), u(), u(), 20.0)),
    "project_collapse_chance": (rules.project_collapse_chance, lambda: (0.02, u(), u())),
    "kick": (rules.kick, lambda: (u(), u(-1, 1))),
    "cynicism_next": (rules.cynicism_next, lambda: (u(), 0.02, u(0, 0.3))),
    "feedback": (rules.feedback, lambda: (u(), rng.integers(0, 3, N) * 1.0, 0.05)),
    "trust_next": (rules.trust_next, lambda: (u(), rng.integers(0, 3, N) * 1.0, rng.integers(0, 3, N) * 1.0, 0.15)),
    "developed_predisposition": (rules.developed_predisposition, lambda: (u(), u(), 0.02)),
    "weekly_hazard": (rules.weekly_hazard, lambda: (u(0, 0.9),)),
    "new_hire_commitment": (rules.new_hire_commitment, lambda: (u(), u(), 0.6)),
    "moving_average": (rules.moving_average, lambda: (u(), u(), 26.0)),
    "share": (rules.share, lambda: (u() * (u() > 0.3), u() * (u() > 0.3))),
    "internalization": (rules.internalization, lambda: (u(), 0.1)),
    "compliance": (rules.compliance, lambda: ((u() > 0.5) * 1.0, u(), u())),
    "learning_from_practice": (rules.learning_from_practice, lambda: (0.1, (u() > 0.5) * 1.0, u())),
    "framed_pressure": (rules.framed_pressure, lambda: (u(), u(), u(), 0.2)),
    "drifted_predisposition": (rules.drifted_predisposition, lambda: (u(), u(), 0.002)),
    "climate_hazard": (rules.climate_hazard, lambda: (u(0, 0.01), u(), u(0, 0.2), 1.0)),
    "hired_predisposition": (rules.hired_predisposition, lambda: (u(), u(), 0.3)),
    "capability_next": (rules.capability_next, lambda: (u(), u(), 0.005, 0.002)),
    "barriers_next": (rules.barriers_next, lambda: (u(), 0.01, 0.04, u())),
    "care_demand": (rules.care_demand, lambda: (u(), u(0.8, 1.2), 0.3)),
    "care_load": (rules.care_load, lambda: (u(), u(0.9, 1.0), 0.05, 0.3)),
    "free_time": (rules.free_time, lambda: (u(0, 0.2), u())),
    "overload": (rules.overload, lambda: (u(0.8, 1.1), u(0.9, 1.0))),
    "quality_of_care": (rules.quality_of_care, lambda: (u(), u(), u(0, 0.1), 0.3, 1.5)),
    "held_by_teams": (rules.held_by_teams, lambda: (rng.integers(0, 4, N) * 1.0, 0.05)),
    "reliability": (rules.reliability, lambda: (u(), u(0, 0.2))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_gives_the_same_on_scalars_as_on_arrays(name):
    rule, make_args = CASES[name]
    args = make_args()
    whole = np.asarray(rule(*args), dtype=float)
    one_by_one = np.array([rule(*[a[k] if isinstance(a, np.ndarray) else a for a in args]) for k in range(N)],
                          dtype=float)
    assert whole.shape[-1] == N  # one value per person
    np.testing.assert_allclose(whole, np.moveaxis(one_by_one, 0, -1), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"select"}))
def test_each_compiled_twin_gives_its_rules_numbers_exactly(name):
    """The compiled engine's twins (`simulation.compiled.twins`) against
    the rules, one person at a time."""
    pytest.importorskip("numba", reason="the compiled engine needs: pip install 'orgchange[fast]'")
    from simulation.compiled import twins

    rule, make_args = CASES[name]
    args = make_args()
    people = [[a[k] if isinstance(a, np.ndarray) else a for a in args] for k in range(N)]
    np.testing.assert_array_equal(np.array([getattr(twins, name)(*one) for one in people], dtype=float),
                                  np.array([rule(*one) for one in people], dtype=float), err_msg=name)


def test_every_public_rule_is_covered_by_the_parity_test():
    public = {n for n in dir(rules) if callable(getattr(rules, n)) and not n.startswith("_")
              and getattr(rules, n).__module__ == rules.__name__}
    assert public - {"peer_practice"} == set(CASES)


def test_peer_practice_counts_or_shares_and_handles_isolated_people():
    practising, ties = np.array([0.0, 2.0, 3.0]), np.array([0.0, 4.0, 3.0])
    np.testing.assert_allclose(rules.peer_practice(practising, ties, "fraction"), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(rules.peer_practice(practising, ties, "count"), [0.0, 2.0, 3.0])
    assert rules.peer_practice(2.0, 4.0, "fraction") == 0.5


def test_within_is_np_clip():
    values = np.concatenate([u(-1.0, 2.0), [0.0, 1.0, -0.5, 1.5]])
    np.testing.assert_array_equal(rules.within(values, 0.0, 1.0), np.clip(values, 0.0, 1.0))
    assert rules.within(2.5, 0.0, 1.0) == 1.0 and rules.within(-2.5, 0.0, 40.0) == 0.0


def test_urgency_decays_and_shocks_are_capped_at_one():
    assert rules.urgency_next(0.5, 0.1, 0.0) == pytest.approx(0.45)
    assert rules.urgency_next(0.9, 0.0, 0.5) == 1.0


def test_energy_stays_within_zero_and_capacity():
    assert rules.energy_next(5.0, 20.0, 6.0, 40.0) == 0.0
    assert rules.energy_next(38.0, 0.0, 6.0, 40.0) == 40.0
    assert rules.energy_next(20.0, 4.0, 6.0, 40.0) == 22.0


def test_steering_signal_grows_with_intensity_urgency_and_conviction():
    base = rules.steering_signal(0.5, 0.5, 0.5)
    assert rules.steering_signal(1.0, 0.5, 0.5) > base
    assert rules.steering_signal(0.5, 1.0, 0.5) > base
    assert rules.steering_signal(0.5, 0.5, 1.0) > base
    assert rules.steering_signal(0.0, 1.0, 1.0) == 0.0
    assert rules.steering_signal(1.0, 1.0, 1.0) == 1.0


def test_relay_gain_filters_in_a_frozen_middle_and_development_closes_the_gap():
    assert rules.relay_gain(0.0, 0.2, 1.0) == pytest.approx(0.2)
    assert rules.relay_gain(1.0, 0.2, 1.0) == pytest.approx(1.0)
    assert rules.relay_gain(0.3, 0.2, 1.0, development=0.5) > rules.relay_gain(0.3, 0.2, 1.0)
    assert rules.relay_gain(0.3, 0.2, 1.0, development=1.0) == pytest.approx(1.0)


def test_direction_is_the_stronger_of_own_and_relayed():
    assert rules.direction_next(0.3, 0.8, 0.5) == pytest.approx(0.4)
    assert rules.direction_next(0.5, 0.8, 0.5) == pytest.approx(0.5)


def test_alignment_converges_to_direction_and_decays_without_it():
    a = 0.0
    for _ in range(200):
        a = rules.alignment_next(a, 0.6, 0.15)
    assert a == pytest.approx(0.6, abs=1e-9)
    for _ in range(200):
        a = rules.alignment_next(a, 0.0, 0.15)
    assert a == pytest.approx(0.0, abs=1e-9)


def test_influence_target_anchors_to_predisposition():
    # Listening to nobody: the social part is one's own commitment.
    assert rules.influence_target(0.0, 0.0, 0.7, 0.2, 1.0) == pytest.approx(0.7)
    # Fully stubborn: the predisposition, whatever the others think.
    assert rules.influence_target(3.0, 3.0, 0.7, 0.2, 0.0) == pytest.approx(0.2)
    # DeGroot: the weighted mean of those listened to.
    assert rules.influence_target(1.8, 3.0, 0.7, 0.2, 1.0) == pytest.approx(0.6)
    # Cynicism pulls the target down.
    assert rules.influence_target(1.8, 3.0, 0.7, 0.2, 1.0, 0.5, 0.3) == pytest.approx(0.45)


def test_practising_pulls_the_commitment_target_up():
    assert rules.practice_experience(0.4, 1.0, 0.25) == pytest.approx(0.55)
    assert rules.practice_experience(0.4, 0.0, 0.25) == 0.4
    assert rules.practice_experience(1.0, 1.0, 0.5) == 1.0


def test_commitment_moves_toward_target_and_stays_in_unit_interval():
    assert rules.commitment_next(0.2, 0.6, 0.25) == pytest.approx(0.3)
    assert rules.commitment_next(0.2, 0.6, 1.0) == pytest.approx(0.6)
    assert rules.commitment_next(0.1, -0.5, 1.0) == 0.0
    assert rules.commitment_next(0.9, 1.5, 1.0) == 1.0


def test_practice_threshold():
    drive = rules.practice_drive(0.5, 0.5, 0.0, 0.0, 0.0, 0.6, 0.2, 0.3, 0.15, 0.05)
    assert drive == pytest.approx(0.4)
    assert rules.practises(drive, 0.4) and not rules.practises(drive, 0.41)
    # Habit: having practised last week adds to the drive.
    assert rules.practice_drive(0.5, 0.5, 0.0, 0.0, 1.0, 0.6, 0.2, 0.3, 0.15, 0.05) == pytest.approx(0.45)


def test_practice_changes_only_for_those_who_get_round_to_it():
    np.testing.assert_array_equal(rules.practice_next(np.array([0.0, 0.0, 1.0, 1.0]),
                                                      np.array([True, True, False, False]),
                                                      np.array([0.05, 0.5, 0.05, 0.5]), 0.1), [1.0, 0.0, 0.0, 1.0])
    assert rules.practice_next(0.0, True, 0.999, 1.0) == 1.0  # uptake 1: the threshold rule at once


def test_project_rules_reward_commitment_resources_and_support():
    slow = rules.project_progress(0.2, 0.2, 0.0, 0.0, 20.0)
    assert rules.project_progress(0.8, 0.2, 0.0, 0.0, 20.0) > slow
    assert rules.project_progress(0.2, 0.8, 0.0, 0.0, 20.0) > slow
    assert rules.project_progress(0.2, 0.2, 0.5, 0.0, 20.0) > slow
    assert rules.project_progress(1.0, 1.0, 0.0, 0.0, 20.0) == pytest.approx(1 / 20)
    risky = rules.project_collapse_chance(0.02, 0.2, 0.0)
    assert rules.project_collapse_chance(0.02, 0.8, 0.0) < risky
    assert rules.project_collapse_chance(0.02, 0.2, 1.0) < risky
    assert rules.project_start_chance(0.03, 0.0, 0.9, 0.5) == 0.0


def test_kick_moves_a_share_of_the_way_to_one_or_zero():
    assert rules.kick(0.5, 0.2) == pytest.approx(0.6)
    assert rules.kick(0.5, -0.2) == pytest.approx(0.4)
    assert rules.kick(0.5, 0.0) == 0.5


def test_resolved_issues_raise_commitment():
    assert rules.feedback(0.5, 1, 0.1) == pytest.approx(0.55)
    assert rules.feedback(0.5, 0, 0.1) == 0.5
    assert rules.feedback(0.5, 2, 0.1) == pytest.approx(0.6)  # each closes a tenth of the gap
    assert rules.feedback(0.5, 20, 0.1) == 1.0  # but never more than all of it


def test_cynicism_and_trust():
    assert rules.cynicism_next(0.5, 0.1, 0.0) == pytest.approx(0.45)
    assert rules.cynicism_next(0.9, 0.0, 0.5) == 1.0
    assert rules.trust_next(0.5, 1, 0, 0.2) == pytest.approx(0.6)
    assert rules.trust_next(0.5, 0, 1, 0.2) == pytest.approx(0.4)
    assert rules.trust_next(0.5, 0, 0, 0.2) == 0.5
    assert rules.trust_next(0.5, 10, 0, 0.2) == 1.0 and rules.trust_next(0.5, 0, 10, 0.2) == 0.0  # at most all
    assert rules.trust_next(0.5, 0, 1, 0.2, asymmetry=2.0) == pytest.approx(0.3)  # lost faster than won


def test_weekly_hazard_compounds_to_the_annual_rate():
    for annual in (0.0, 0.18, 0.5):
        h = rules.weekly_hazard(annual)
        assert 1 - (1 - h) ** 52 == pytest.approx(annual)


def test_new_hires_are_socialized_between_predisposition_and_unit():
    assert rules.new_hire_commitment(0.2, 0.8, 0.0) == 0.2
    assert rules.new_hire_commitment(0.2, 0.8, 1.0) == 0.8
    assert rules.new_hire_commitment(0.2, 0.8, 0.5) == pytest.approx(0.5)


def test_capability_grows_with_diminishing_returns_and_erodes():
    assert rules.capability_next(0.2, 1.0, 0.1, 0.0) == pytest.approx(0.28)
    assert rules.capability_next(0.8, 1.0, 0.1, 0.0) == pytest.approx(0.82)  # less left to gain
    assert rules.capability_next(0.5, 0.0, 0.1, 0.01) == pytest.approx(0.495)  # no practice: it erodes
    assert rules.moving_average(0.0, 1.0, 4.0) == pytest.approx(0.25)


def test_teams_catch_a_share_of_what_capability_misses_and_only_while_they_run():
    assert rules.held_by_teams(0, 0.2) == 0.0  # no team running: nothing held
    assert rules.held_by_teams(1, 0.2) == pytest.approx(0.2)
    assert rules.held_by_teams(2, 0.2) == pytest.approx(0.36)  # the second catches a share of what the first misses
    assert rules.reliability(0.5, 0.2) == pytest.approx(0.6)  # a fifth of the half capability leaves to chance
    assert rules.reliability(1.0, 0.2) == 1.0 and rules.reliability(0.3, 0.0) == 0.3


def test_overload_is_care_beyond_the_time_left_after_improvement_work():
    free = rules.free_time(0.1, 0.5)
    assert free == pytest.approx(0.95)
    assert rules.overload(0.9, free) == 0.0 and rules.overload(1.0, free) == pytest.approx(0.05)
    load = rules.care_load(0.4, free, 0.05, 0.3)
    assert rules.care_demand(0.4, load, 0.3) == pytest.approx(free - 0.05)  # leaves the slack


def test_compliance_is_practice_only_pressure_brings_about():
    assert rules.compliance(1.0, 0.3, 0.4) == 1.0  # practises, own drive short of the threshold
    assert rules.compliance(1.0, 0.5, 0.4) == 0.0  # would practise anyway
    assert rules.compliance(0.0, 0.3, 0.4) == 0.0
    assert rules.framed_pressure(0.5, 0.5, 1.0, 0.2) == pytest.approx(0.6)
    assert rules.framed_pressure(0.5, 0.5, 0.0, 0.2) == pytest.approx(0.4)


def test_survey_answers_follow_commitment():
    """The survey's ordered logistic response: more commitment, fewer
    problematic answers and more positive ones, and never more than all."""
    from simulation.metrics import survey_responses

    commitment = np.linspace(-1.0, 1.0, 21)
    problematic, positive = survey_responses(commitment, -0.5, 0.2, 0.6)
    assert np.all(np.diff(problematic) < 0) and np.all(np.diff(positive) > 0)
    assert np.all(problematic + positive <= 1.0)
    assert problematic[5] == pytest.approx(0.5) and positive[12] == pytest.approx(0.5)  # at the cut points

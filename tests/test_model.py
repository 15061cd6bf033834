"""OrgChangeModel as a Mesa model: construction, agents, data out, determinism."""

import mesa
import numpy as np
import pandas as pd
import pytest

from agents import CEO, FrontlineStaff, Leader, MiddleManager, Person, SeniorLeader
from simulation import Config, ConfigError, OrgChangeModel
from simulation.metrics import METRICS
from simulation.parameters import ROLES


@pytest.fixture(scope="module")
def run():
    model = OrgChangeModel(staff=300, seed=4, weeks=30, snapshot_every=10)
    return model, model.run()


def test_it_is_a_mesa_model_with_one_agent_per_person(run):
    model, _ = run
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == model.organization.n == len(model.people)
    assert all(isinstance(a, Person) and isinstance(a, mesa.Agent) for a in model.agents)
    assert {type(a) for a in model.agents} == {CEO, SeniorLeader, MiddleManager, FrontlineStaff}
    for person in model.people:
        assert person.role == ROLES[model.organization.role[person.index]]
    assert len(model.agents_by_type[CEO]) == 1
    assert all(isinstance(p, Leader) for p in model.people if p.role != "frontline")


def test_agents_are_views_onto_the_model_arrays():
    model = OrgChangeModel(staff=100, seed=4)
    model.run(3)
    person = model.people[-1]
    assert person.commitment == model.state.commitment[person.index]
    assert person.practising == bool(model.state.practice[person.index])
    person.commitment = 0.123
    assert model.state.commitment[person.index] == 0.123
    assert person.manager is model.people[model.organization.manager[person.index]]
    assert model.people[model.organization.ceo].manager is None


def test_run_returns_a_tidy_weekly_time_series(run):
    model, df = run
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == list(METRICS)
    assert df["week"].tolist() == list(range(31))
    assert model.steps == 30 and model.week == 30
    assert df.notna().all().all()
    for column in METRICS:
        if column.startswith(("commitment", "alignment", "practice")) or column in ("quality", "culture"):
            assert df[column].between(0, 1).all(), column
    # by-role means are consistent with the overall mean
    counts = model.headcount
    last = df.iloc[-1]
    weighted = sum(last[f"commitment_{r}"] * counts[k] for k, r in enumerate(ROLES)) / counts.sum()
    assert weighted == pytest.approx(last["commitment"])


def test_datacollector_holds_the_same_data(run):
    model, df = run
    collected = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    np.testing.assert_allclose(collected.to_numpy(float), df.to_numpy(float))


def test_agent_snapshots_on_request(run):
    model, _ = run
    snaps = model.agent_snapshots()
    assert sorted(snaps["week"].unique()) == [0, 10, 20, 30]
    assert len(snaps) == 4 * model.organization.n
    last = snaps[snaps.week == 30].sort_values("person")
    np.testing.assert_array_equal(last["commitment"], model.state.commitment)
    assert OrgChangeModel(staff=100, weeks=5).agent_snapshots().empty


def test_same_seed_same_results_and_different_seed_different_results():
    a = OrgChangeModel(staff=200, seed=9).run(40)
    b = OrgChangeModel(staff=200, seed=9).run(40)
    c = OrgChangeModel(staff=200, seed=10).run(40)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["commitment"], c["commitment"])


def test_config_object_and_keyword_overrides():
    config = Config(staff=150, weeks=12, seed=3)
    model = OrgChangeModel(config, steering=0.9)
    assert model.config.staff == 150 and model.config.steering == 0.9
    assert len(model.run()) == 13
    with pytest.raises(ConfigError, match="staff: must be an integer >= 10, got -5"):
        OrgChangeModel(staff=-5)


def test_run_with_a_progress_callback():
    weeks = []
    OrgChangeModel(staff=100, seed=1).run(5, progress=weeks.append)
    assert weeks == [1, 2, 3, 4, 5]


def test_model_can_continue_after_run():
    model = OrgChangeModel(staff=100, seed=1)
    model.run(5)
    df = model.run(5)
    assert df["week"].tolist() == list(range(11))


def test_set_levers_puts_new_duties_in_force_and_checks_values():
    model = OrgChangeModel(staff=120, weeks=4, seed=3, involved=[], rounders=[], committee=False)
    assert model.on_duty == []
    model.set_levers(involved=["ceo"], steering=0.8)
    ceo = model.organization.ceo
    assert model.on_duty == [ceo] and model.people[ceo].involved
    model.step()
    assert model.signals.steer[ceo] > 0
    with pytest.raises(ConfigError, match=r"steering: must be .*got 2"):
        model.set_levers(steering=2)
    with pytest.raises(ConfigError, match="staff: not a lever"):
        model.set_levers(staff=10)


def test_scale_to_effort_reaches_the_requested_leader_hours():
    from simulation.effort import planned_hours, scale_to_effort
    from simulation.strategy import load_strategy

    config = load_strategy("leadership_rounding").apply(Config(staff=150, weeks=4, seed=2))
    planned = planned_hours(OrgChangeModel(config))
    for hours in (0.5 * planned, 1.5 * planned):
        scaled = scale_to_effort(config, hours)
        assert planned_hours(OrgChangeModel(scaled)) == pytest.approx(hours, rel=1e-6)
    with pytest.raises(ConfigError, match="effort: this strategy can be scaled to between"):
        scale_to_effort(config, 100 * planned)


# --- misuse of the API, and exact ranges ----------------------------------------------------------------
def test_a_mapping_in_place_of_a_config_says_what_to_write():
    with pytest.raises(TypeError) as err:
        OrgChangeModel({"staff": 60})
    assert str(err.value) == ("OrgChangeModel: config must be a Config, got dict; for a mapping of values, use "
                              "OrgChangeModel(Config(**values)) or OrgChangeModel(**values)")
    with pytest.raises(TypeError, match="config must be a Config, got str$"):
        OrgChangeModel("community_hospital.toml")
    assert OrgChangeModel(Config(**{"staff": 60}), weeks=1).organization.n == 60  # what the message says works


@pytest.mark.parametrize("weeks", [-1, 1.5, True, "3"])
def test_run_refuses_weeks_that_are_not_a_count(weeks):
    model = OrgChangeModel(staff=60, weeks=4)
    with pytest.raises(ConfigError) as err:
        model.run(weeks=weeks)
    assert str(err.value) == f"weeks: must be an integer >= 0 (the weeks to run on from now), got {weeks!r}"
    assert model.week == 0


def test_run_weeks_counts_on_from_now():
    model = OrgChangeModel(staff=60, weeks=4, seed=1)
    assert len(model.run(weeks=0)) == 1  # week 0 only
    assert model.run(weeks=2).week.tolist() == [0, 1, 2]


def test_leader_energy_never_exceeds_its_range():
    """The audit's case: 18.3 hours of capacity gave 1.0000000000000002."""
    df = OrgChangeModel(staff=60, weeks=2, seed=0, leader_capacity=18.3).run()
    assert df.leader_energy.max() == 1.0

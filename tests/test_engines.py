"""The three engines agree.

All run the one composition of the week (`simulation.week`) and draw their
randomness from the model's generator in the same order, and the network
sums run over each person's ties in the same order, so for the same seed
they give the same numbers to the last bit.
"""

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from simulation import ConfigError, OrgChangeModel
from simulation.state import STATE_FIELDS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "community_hospital.csv"

EVERYTHING = dict(
    involved=["ceo", "senior", "middle"], steering=0.7, accountability=0.5, resources=0.7,
    passion_display=0.8, rounders=["ceo", "senior", "middle"], rounding_frequency=1.5, rounding_contacts=6,
    follow_through=0.6, projects_per_leader=2, barrier_removal=0.7, committee=True, middle_development=0.5,
    impetus_shocks=[5, 20], succession=0.3,
    schedule=[{"week": 15, "depart": "ceo"}, {"week": 25, "lever": "committee", "value": False}],
    # High turnover so that hires, departures and successions all happen in a short run.
    turnover_rate=0.5, senior_turnover=0.6, ceo_turnover=0.3, project_start_rate=0.2,
)

CONFIGS = {
    "defaults": dict(staff=250),
    "everything": dict(staff=250, **EVERYTHING),
    "count_thresholds_no_anchor": dict(staff=200, peer_mode="count", susceptibility=1.0, practice_threshold=1.2,
                                       weight_peers=0.4, rounders=["senior"], rounding_frequency=0.5),
    "loaded_chart": dict(org_chart=str(EXAMPLE), **EVERYTHING),
}


def run_engines(weeks, **params):
    """The same configuration on every engine (the compiled one if Numba is installed)."""
    names = ["vectorized", "agent"] + (["compiled"] if importlib.util.find_spec("numba") else [])
    models = {name: OrgChangeModel(seed=11, engine=name, **params) for name in names}
    return {name: (model, model.run(weeks)) for name, model in models.items()}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_engine_gives_the_same_numbers_exactly(name):
    """One composition of the week, run three ways: the vectorized engine
    on everyone, the agent engine person by person, the compiled loop."""
    runs = run_engines(40, **CONFIGS[name])
    reference, reference_df = runs.pop("vectorized")
    assert runs, "the agent engine at least must be compared"
    for engine, (model, df) in runs.items():
        assert list(df.columns) == list(reference_df.columns)
        np.testing.assert_array_equal(df.to_numpy(float), reference_df.to_numpy(float), err_msg=engine)
        for k, field in enumerate(STATE_FIELDS):
            np.testing.assert_array_equal(model.state.values[k], reference.state.values[k],
                                          err_msg=f"{engine}: {field}")


def test_the_compiled_engine_without_numba_says_how_to_get_it(monkeypatch):
    monkeypatch.delitem(sys.modules, "simulation.compiled", raising=False)
    monkeypatch.setitem(sys.modules, "numba", None)  # what an environment without Numba looks like to import
    with pytest.raises(ConfigError, match=r"engine: 'compiled' needs the Numba package.*orgchange\[fast\]"):
        OrgChangeModel(staff=50, engine="compiled")


def test_the_everything_run_exercises_turnover_departures_and_projects():
    """Guard the equivalence test: the rich configuration must really have
    hires, a CEO succession and finished projects, or it proves little."""
    fast = OrgChangeModel(seed=11, **CONFIGS["everything"])
    df = fast.run(40)
    assert df["projects_succeeded"].iloc[-1] > 0 and df["projects_failed"].iloc[-1] > 0
    assert (fast.state.tenure < 40).sum() > 20  # people hired during the run
    ceo = fast.people[fast.organization.ceo]
    assert ceo.unique_id > fast.organization.n  # the founding CEO has been succeeded
    assert df["leader_hours"].iloc[1:].min() > 0


def test_the_vectorized_week_in_blocks_gives_the_same_numbers(monkeypatch):
    """The vectorized engine runs the staff week in blocks of people (for
    the processor's cache); the week is elementwise, so blocks of 37 people,
    which cut units and reporting lines anywhere, give one block's numbers."""
    import simulation.week as week

    whole = OrgChangeModel(staff=250, seed=4, **EVERYTHING)
    whole_df = whole.run(30)
    blocks = []

    def in_small_blocks(now, *args):
        blocks.append(-(-now.shape[1] // 37))
        return week.staff_week_by_block(now, *args, block=37)

    monkeypatch.setattr("simulation.engines.staff_week_by_block", in_small_blocks)
    blocked = OrgChangeModel(staff=250, seed=4, **EVERYTHING)
    np.testing.assert_array_equal(blocked.run(30).to_numpy(float), whole_df.to_numpy(float))
    np.testing.assert_array_equal(blocked.state.values, whole.state.values)
    assert blocks[-30:] == [7] * 30  # every week of the run, in 7 blocks


def test_the_order_in_which_agents_step_does_not_matter(monkeypatch):
    """The update is synchronous: each agent writes only its own column of
    next week's state, so Mesa's shuffle_do gives the week that do gives."""
    ordered = OrgChangeModel(staff=120, seed=2, engine="agent", **EVERYTHING)
    shuffled = OrgChangeModel(staff=120, seed=2, engine="agent", **EVERYTHING)
    order = random.Random(5)

    class Shuffled:  # the model's agents, stepped in a new random order every week
        def do(self, method):
            agents = list(shuffled.agents)
            order.shuffle(agents)
            for agent in agents:
                getattr(agent, method)()

    shuffled.update.agents = Shuffled()
    ordered.run(5)
    shuffled.run(5)
    np.testing.assert_array_equal(ordered.state.values, shuffled.state.values)


def test_stepping_agents_outside_the_week_names_the_right_call():
    model = OrgChangeModel(staff=60, seed=1, engine="agent")
    before = model.state.values.copy()
    for call in (lambda: model.agents.do("step"), lambda: model.agents.shuffle_do("step")):
        with pytest.raises(RuntimeError, match=r"model\.step\(\)"):
            call()
    np.testing.assert_array_equal(model.state.values, before)
    model.step()  # the right call works
    assert model.week == 1

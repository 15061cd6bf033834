"""Experiment definitions (experiments/experiment.py, experiments/design.py):
the TOML format and its errors, the four designs, run ids and seeds."""

from __future__ import annotations

import dataclasses
import itertools
import re
import tomllib

import numpy as np
import pytest

from experiments import Design, Experiment, ExperimentError, run_seed
from experiments.experiment import ALL_METRICS
from simulation import Config
from simulation.strategy import load_strategy

from support import SMALL

BASIC = """
[experiment]
name = "Mandate vs inspire"
question = "Which strategy raises frontline commitment most?"
strategies = ["business_as_usual", "mandate", "inspire"]
replicates = 3
weeks = 20
seed = 2026
metrics = ["commitment_frontline", "practice_frontline", "quality"]

[base.organization]
staff = 80

[design]
kind = "factorial"
[design.parameters]
influence_rate = [0.01, 0.03, 0.05]
committee = [false, true]
"""


def experiment(text: str = BASIC, tmp_path=None) -> Experiment:
    return Experiment.loads(text, base_dir=tmp_path)


def with_design(design: str) -> Experiment:
    return experiment(BASIC.split("[design]")[0] + design)


# --- reading an experiment ----------------------------------------------------------------------------
def test_an_experiment_file_reads_into_its_parts():
    exp = experiment()
    assert exp.name == "Mandate vs inspire"
    assert exp.question.startswith("Which strategy")
    assert list(exp.strategies) == ["business_as_usual", "mandate", "inspire"]
    assert exp.strategies["mandate"].levers == load_strategy("mandate").levers
    assert (exp.replicates, exp.weeks, exp.seed) == (3, 20, 2026)
    assert exp.metrics == ("commitment_frontline", "practice_frontline", "quality")
    assert exp.baseline == "business_as_usual"  # the first strategy, by default
    assert exp.base.staff == 80 and exp.base.weeks == 20
    assert exp.design.kind == "factorial"
    assert exp.n_runs == 3 * 2 * 3 * 3 == len(exp.runs())


def test_defaults_fill_in_what_an_experiment_leaves_out():
    exp = experiment("[experiment]\nseed = 1\n")
    assert list(exp.strategies) == ["base"] and exp.strategies["base"].levers == {}
    assert exp.metrics == ALL_METRICS and "week" not in exp.metrics
    assert (exp.replicates, exp.weeks, exp.design.kind, exp.n_runs) == (1, 260, "none", 1)
    assert exp.base == Config(weeks=260)


def test_a_run_config_is_base_then_strategy_then_point_then_seed():
    exp = experiment()
    point = next(k for k, p in enumerate(exp.points.points) if p == {"influence_rate": 0.05, "committee": True})
    config = exp.config_for(point, "mandate", seed=7)
    expected = load_strategy("mandate").apply(Config(staff=80, weeks=20)).replace(
        influence_rate=0.05, committee=True, seed=7)
    assert config == expected


def test_strategy_files_resolve_next_to_the_experiment_and_inline_strategies_work(tmp_path):
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "site_d.toml").write_text(
        'name = "Site D"\ndescription = "The CEO champions a team."\n[levers]\nprojects_per_leader = 2\n')
    (tmp_path / "exp.toml").write_text(
        '[experiment]\nseed = 3\nstrategies = ["strategies/site_d.toml", "rounds", "Mandate"]\n'
        'baseline = "strategies/site_d.toml"\n'
        '[strategy.rounds]\nname = "Rounds"\ndescription = "Round weekly."\n'
        '[strategy.rounds.levers]\nrounders = ["ceo"]\nrounding_frequency = 1.0\n')
    exp = Experiment.from_toml(tmp_path / "exp.toml")
    assert list(exp.strategies) == ["site_d", "rounds", "mandate"]
    assert exp.baseline == "site_d"
    assert exp.strategies["site_d"].levers == {"projects_per_leader": 2}
    assert exp.config_for(0, "rounds").rounding_frequency == 1.0


def test_to_toml_is_self_contained_and_reads_back_the_same(tmp_path):
    exp = experiment()
    text = exp.to_toml()
    tomllib.loads(text)  # valid TOML
    again = Experiment.loads(text)
    assert again.to_toml() == text
    assert again.runs() == exp.runs()
    assert all(again.config_for(p, s) == exp.config_for(p, s) for p in range(len(exp.points)) for s in exp.strategies)
    # Presets are written out as inline strategies, so a later change of a preset cannot change the stored one.
    assert "[strategy.mandate.levers]" in text


# --- errors name the field -------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "message"), [
    (("kind = \"factorial\"", "kind = \"grid\""),
     "design.kind: must be one of 'factorial', 'latin_hypercube', 'morris', 'sobol', 'none', got 'grid'"),
    (("replicates = 3", "replicates = 0"), "experiment.replicates: must be an integer >= 1, got 0"),
    (("seed = 2026", "seed = -1"), "experiment.seed: must be an integer >= 0, got -1"),
    (("seed = 2026\n", ""), "experiment.seed: missing"),
    (("weeks = 20", "weeks = 0"), "experiment.weeks: must be an integer in [1, 5200], got 0"),
    (("replicates = 3", "replicates = 3\nreplicas = 2"),
     "experiment.replicas: unknown key (did you mean 'replicates'?)"),
    (("\"mandate\",", "\"mandat\","), "experiment.strategies[1]: unknown preset 'mandat' (did you mean 'mandate'?)"),
    (("\"inspire\"]", "\"inspire\", \"mandate\"]"), "experiment.strategies[3]: strategy 'mandate' is listed twice"),
    (("\"quality\"]", "\"qualty\"]"), "experiment.metrics: unknown metric 'qualty' (did you mean 'quality'?)"),
    (("question =", "baseline = \"ceo_champion\"\nquestion ="), "experiment.baseline: must be one of the strategies"),
    (("staff = 80", "staff = 5"), "base.organization.staff: must be an integer"),
    (("staff = 80", "staf = 80"), "base.organization.staf: unknown parameter (did you mean 'staff'?)"),
    (("[base.organization]", "[base.run]\nseed = 4\n[base.organization]"), "base.run.seed: set it as experiment.seed"),
    (("influence_rate = [0.01, 0.03, 0.05]", "influence_rat = [0.01]"),
     "design.parameters.influence_rat: unknown parameter 'influence_rat' (did you mean 'influence_rate'?)"),
    (("0.03, 0.05]", "0.03, 5.0]"), "design.parameters.influence_rate[2]: must be a number in [0, 1], got 5.0"),
    (("0.03, 0.05]", "0.03, 0.01]"), "design.parameters.influence_rate: level 0.01 is listed twice"),
    (("kind = \"factorial\"", "kind = \"factorial\"\nsamples = 4"), "design.samples: a 'factorial' design takes no"),
    (("[design]", "[desing]"), "desing: unknown table (did you mean 'design'?)"),
])
def test_an_invalid_experiment_gets_an_error_naming_the_field(change, message):
    old, new = change
    assert old in BASIC
    with pytest.raises(ExperimentError) as info:
        Experiment.loads(BASIC.replace(old, new, 1), source="exp.toml")
    assert re.match(r"exp\.toml(, line \d+)?: ", str(info.value)), str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(("design", "message"), [
    ('kind = "sobol"\nsamples = 48\n[design.parameters]\nstaff = [60, 120]',
     "design.samples: a 'sobol' design needs a power of 2, such as 32 or 64, got 48"),
    ('kind = "morris"\n[design.parameters]\nstaff = [60, 120]', "design.samples: missing"),
    ('kind = "latin_hypercube"\nsamples = 4\n[design.parameters]\ncommittee = [false, true]',
     "design.parameters.committee: a 'latin_hypercube' design samples numbers"),
    ('kind = "latin_hypercube"\nsamples = 4\n[design.parameters]\nstaff = [120, 60]',
     "design.parameters.staff: bounds must be [low, high] with low < high, got [120, 60]"),
    ('kind = "latin_hypercube"\nsamples = 4\n[design.parameters]\nstaff = [60]',
     "design.parameters.staff: a 'latin_hypercube' design needs [low, high] bounds"),
    ('kind = "morris"\nsamples = 4\nlevels = 1\n[design.parameters]\nstaff = [60, 120]',
     "design.levels: must be an integer >= 2, got 1"),
    ('kind = "latin_hypercube"\nsamples = 4\nlevels = 4\n[design.parameters]\nstaff = [60, 120]',
     "design.levels: only a 'morris' design takes levels"),
    ('kind = "factorial"\n[design.parameters]\nseed = [1, 2]', "design.parameters.seed: cannot be varied"),
    ('kind = "factorial"', "design.parameters: a 'factorial' design needs at least one parameter"),
    ('kind = "none"\n[design.parameters]\nstaff = [60, 120]', "design.parameters: a 'none' design varies nothing"),
])
def test_design_errors_name_the_field(design, message):
    with pytest.raises(ExperimentError) as info:
        with_design("[design]\n" + design)
    assert message in str(info.value)


def test_a_clash_between_a_strategy_and_a_design_point_is_caught_before_running():
    # A strategy with a shock at week 10 is fine over 20 weeks, but not over 5.
    exp = experiment(BASIC.replace('"inspire"]', '"inspire"]\n').replace(
        "[design]", "[strategy.late]\n[strategy.late.levers]\nimpetus_shocks = [10]\n[design]").replace(
        '"inspire"]', '"inspire", "late"]'))
    exp.check()  # week 10 is within 20 weeks
    short = exp.replace(weeks=5)
    with pytest.raises(ExperimentError, match=r"design point 0 \(influence_rate=0.01, committee=False\), "
                                              r"strategy 'late': .*impetus_shocks"):
        short.check()


def test_a_missing_org_chart_is_caught_before_running(tmp_path):
    exp = experiment(BASIC.replace("staff = 80", 'org_chart = "nowhere.csv"'), tmp_path)
    with pytest.raises(ExperimentError, match="org_chart: file .*nowhere.csv' does not exist"):
        exp.check()


# --- designs -------------------------------------------------------------------------------------------------
def test_factorial_is_every_combination_in_order():
    exp = experiment()
    assert exp.points.points == [{"influence_rate": r, "committee": c}
                                 for r, c in itertools.product([0.01, 0.03, 0.05], [False, True])]
    assert exp.points.matrix is None and exp.points.problem is None


def test_latin_hypercube_uses_every_slice_of_every_range_once_and_rounds_integers():
    exp = with_design('[design]\nkind = "latin_hypercube"\nsamples = 10\n'
                      '[design.parameters]\ninfluence_rate = [0.01, 0.05]\nstaff = [60, 160]')
    points = exp.points
    assert len(points) == 10 == exp.design.size()
    rates = np.array([p["influence_rate"] for p in points.points])
    slices = np.floor((rates - 0.01) / 0.04 * 10).astype(int)
    assert sorted(slices) == list(range(10))
    assert all(isinstance(p["staff"], int) and 60 <= p["staff"] <= 160 for p in points.points)
    assert points.matrix.shape == (10, 2)
    assert [p["staff"] for p in points.points] == [int(round(x)) for x in points.matrix[:, 1]]


def test_morris_gives_trajectories_that_move_one_parameter_at_a_time():
    exp = with_design('[design]\nkind = "morris"\nsamples = 4\nlevels = 4\n'
                      '[design.parameters]\ninfluence_rate = [0.01, 0.05]\nleader_weight = [1.0, 8.0]')
    x = exp.points.matrix
    assert x.shape == (4 * 3, 2) and len(exp.points) == exp.design.size() == 12
    for t in range(4):
        steps = np.diff(x[3 * t:3 * t + 3], axis=0)
        assert ((steps != 0).sum(axis=1) == 1).all()  # each step moves exactly one parameter
    assert exp.points.problem == {"num_vars": 2, "names": ["influence_rate", "leader_weight"],
                                  "bounds": [[0.01, 0.05], [1.0, 8.0]]}


@pytest.mark.parametrize(("second_order", "rows"), [(False, 8 * (2 + 2)), (True, 8 * (2 * 2 + 2))])
def test_sobol_gives_saltelli_samples(second_order, rows):
    exp = with_design(f'[design]\nkind = "sobol"\nsamples = 8\nsecond_order = {str(second_order).lower()}\n'
                      '[design.parameters]\ninfluence_rate = [0.01, 0.05]\nleader_weight = [1.0, 8.0]')
    x = exp.points.matrix
    assert x.shape == (rows, 2) == (exp.design.size(), 2)
    assert (x[:, 0] >= 0.01).all() and (x[:, 0] <= 0.05).all()


@pytest.mark.parametrize("kind", ["latin_hypercube", "morris", "sobol"])
def test_sampled_designs_are_reproducible_from_the_root_seed(kind):
    design = Design.from_dict({"kind": kind, "samples": 8, "parameters": {"influence_rate": [0.01, 0.05]}})
    assert np.array_equal(design.generate(5).matrix, design.generate(5).matrix)
    assert not np.array_equal(design.generate(5).matrix, design.generate(6).matrix)


# --- run ids and seeds ------------------------------------------------------------------------------------
def test_run_ids_are_dense_and_seeds_come_from_point_and_replicate_only():
    exp = experiment()
    runs = exp.runs()
    assert [r.run_id for r in runs] == list(range(exp.n_runs))
    for r in runs:
        assert r.seed == run_seed(2026, r.point, r.replicate)
        assert 0 <= r.seed < 2**63
    by_strategy = {}
    for r in runs:  # common random numbers: every strategy gets the same seeds
        by_strategy.setdefault(r.strategy, []).append((r.point, r.replicate, r.seed))
    assert len({tuple(v) for v in by_strategy.values()}) == 1
    assert len({r.seed for r in runs}) == len(exp.points) * exp.replicates


def test_seeds_do_not_depend_on_the_size_or_order_of_the_experiment():
    small, large = experiment(), experiment(BASIC.replace("replicates = 3", "replicates = 7"))
    seeds = {(r.point, r.strategy, r.replicate): r.seed for r in large.runs()}
    assert all(seeds[(r.point, r.strategy, r.replicate)] == r.seed for r in small.runs())
    # The seed is a pure function of (root, point, replicate): computing them backwards changes nothing.
    assert [run_seed(2026, p, r) for p, r in reversed([(0, 0), (1, 2), (5, 1)])] == \
        list(reversed([run_seed(2026, p, r) for p, r in [(0, 0), (1, 2), (5, 1)]]))


def test_common_seeds_give_every_design_point_the_same_hospitals():
    common = experiment(BASIC.replace("seed = 2026", "seed = 2026\ncommon_seeds = true"))
    assert common.common_seeds and not experiment().common_seeds
    seeds = {(r.point, r.strategy, r.replicate): r.seed for r in common.runs()}
    for r in common.runs():  # replicate k is the same run of chance at every point, under every strategy
        assert r.seed == run_seed(2026, 0, r.replicate) == seeds[(0, "mandate", r.replicate)]
    assert len(set(seeds.values())) == common.replicates
    # Only the seeds change: the points, their values and the run ids are the independent experiment's.
    independent = experiment().runs()
    assert [(r.run_id, r.point, r.strategy) for r in common.runs()] == \
        [(r.run_id, r.point, r.strategy) for r in independent]
    assert experiment(common.to_toml()).common_seeds  # written out, and read back


def test_common_seeds_must_be_a_boolean():
    with pytest.raises(ExperimentError, match=r"experiment.common_seeds.*must be true or false, got 'yes'"):
        experiment(BASIC.replace("seed = 2026", "seed = 2026\ncommon_seeds = 'yes'"))


def test_replace_keeps_the_horizon_in_one_place():
    exp = experiment()
    shorter = exp.replace(weeks=8, base=Config(staff=90))
    assert (shorter.weeks, shorter.base.weeks, shorter.base.staff) == (8, 8, 90)
    assert shorter.config_for(0, "mandate").weeks == 8
    assert shorter.text == "" and Experiment.loads(shorter.to_toml()).weeks == 8
    with pytest.raises(ExperimentError, match=r"base: its horizon \(260 weeks\) must be experiment.weeks \(20\)"):
        dataclasses.replace(exp, base=Config())  # built directly, bypassing Experiment.replace


def test_a_missing_org_chart_names_the_design_point_and_the_strategy(tmp_path):
    (tmp_path / "good.csv").write_text("id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nm,middle,s,u\n"
                                       "f,frontline,m,u\n")
    text = SMALL.replace("influence_rate = [0.02, 0.06]", 'org_chart = ["good.csv", "gone.csv"]')
    with pytest.raises(ExperimentError) as err:
        Experiment.loads(text, base_dir=tmp_path).check()
    assert str(err.value) == (f"design point 1 (org_chart={str(tmp_path / 'gone.csv')!r}), strategy "
                              f"'business_as_usual': org_chart: file {str(tmp_path / 'gone.csv')!r} does not exist")

"""Analysis of an experiment's results (experiments/analysis.py, sensitivity.py,
figures.py): outcomes per run, intervals, paired differences, trajectories,
sweeps and SALib indices.

Most tests use small hand-made tables whose answers are known exactly; the
sensitivity tests use analytic functions whose indices are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import analysis, figures, sensitivity
from experiments.analysis import (
    OUTCOMES,
    format_differences,
    format_table,
    mean_ci,
    paired_differences,
    run_outcomes,
    summarize,
    trajectories,
)
from simulation import Config
from simulation.strategy import load_strategy

from support import run_cli


def tidy(run_id: int, **columns) -> pd.DataFrame:
    """A run's time series from per-week lists."""
    weeks = len(next(iter(columns.values())))
    return pd.DataFrame({"run_id": run_id, "week": range(weeks), **columns})


# --- intervals ------------------------------------------------------------------------------------
def test_mean_ci_is_student_t_and_ignores_nan():
    x = [1.0, 2.0, 4.0, np.nan]
    mean, low, high, n = mean_ci(x)
    half = stats.t.ppf(0.975, 2) * np.std([1, 2, 4], ddof=1) / np.sqrt(3)
    assert (mean, n) == (pytest.approx(7 / 3), 3)
    assert (low, high) == (pytest.approx(7 / 3 - half), pytest.approx(7 / 3 + half))


@pytest.mark.parametrize(("values", "n"), [([], 0), ([np.nan], 0), ([0.3], 1)])
def test_mean_ci_without_an_interval(values, n):
    mean, low, high, count = mean_ci(values)
    assert count == n and np.isnan(low) and np.isnan(high)
    assert np.isnan(mean) == (n == 0)


# --- outcomes of a run ----------------------------------------------------------------------------
def test_run_outcomes_final_values_time_to_half_practice_and_hours():
    runs = pd.DataFrame({"run_id": [0, 1, 2], "point": 0, "strategy": ["a", "a", "b"], "replicate": [0, 1, 0],
                         "seed": [5, 6, 5], "status": ["done", "done", "failed"]})
    ts = pd.concat([
        tidy(0, practice_frontline=[0.1, 0.4, 0.5, 0.7], commitment_frontline=[0.4, 0.5, 0.6, 0.6],
             leader_hours=[0.0, 10.0, 20.0, 30.0]),
        tidy(1, practice_frontline=[0.1, 0.2, 0.3, 0.49], commitment_frontline=[0.4, 0.4, 0.4, 0.3],
             leader_hours=[0.0, 1.0, 1.0, 1.0]),
    ])
    out = run_outcomes(runs, ts).set_index("run_id")
    assert list(out.index) == [0, 1], "the failed run is left out"
    assert out.loc[0, "weeks_to_half_practice"] == 2, "the first week at or above 0.5"
    assert np.isnan(out.loc[1, "weeks_to_half_practice"]), "never reached: no time"
    assert list(out["reached_half_practice"]) == [1.0, 0.0]
    assert out.loc[0, "commitment_gain"] == pytest.approx(0.2)
    assert out.loc[1, "commitment_gain"] == pytest.approx(-0.1)
    assert out.loc[0, "leader_hours"] == pytest.approx(20.0), "week 0 (nobody has acted) is left out"
    assert out.loc[0, "practice_frontline"] == 0.7
    assert "quality" not in out, "an outcome whose metric was not kept is absent, not NaN"
    assert "sustainment" not in out


def test_sustainment_is_the_share_of_the_gain_at_departure_kept_at_the_end():
    runs = pd.DataFrame({"run_id": [0, 1, 2, 3], "point": 0, "strategy": ["leave", "leave", "leave", "stay"],
                         "replicate": [0, 1, 2, 0], "seed": 1})
    ts = pd.concat([
        tidy(0, commitment_frontline=[0.4, 0.6, 0.8, 0.7, 0.6]),    # gain 0.4 at week 2, 0.2 kept: 0.5
        tidy(1, commitment_frontline=[0.4, 0.5, 0.6, 0.6, 0.65]),   # gain 0.2, 0.25 at the end: 1.25
        tidy(2, commitment_frontline=[0.4, 0.4, 0.405, 0.3, 0.3]),  # no real gain to keep: NaN
        tidy(3, commitment_frontline=[0.4, 0.6, 0.8, 0.7, 0.6]),    # no departure: NaN
    ])
    out = run_outcomes(runs, ts, departures={"leave": 2}).set_index("run_id")["sustainment"]
    assert out[0] == pytest.approx(0.5)
    assert out[1] == pytest.approx(1.25)
    assert np.isnan(out[2]) and np.isnan(out[3])


def test_departure_weeks_reads_the_strategy_schedule(tmp_path):
    leaving = tmp_path / "leaving.toml"
    leaving.write_text('name = "Leaving"\ndescription = "The CEO inspires, then leaves."\n[levers]\n'
                       'passion_display = 0.9\nschedule = [{week = 30, depart = "ceo"}, '
                       '{week = 20, lever = "steering", value = 0.2}]\n', encoding="utf-8")
    strategies = {"leaving": load_strategy(leaving), "mandate": load_strategy("mandate")}
    assert analysis.departure_weeks(strategies, Config()) == {"leaving": 30}


# --- summaries and paired differences -------------------------------------------------------------
@pytest.fixture
def two_arms() -> pd.DataFrame:
    """Outcomes of two strategies on five shared seeds: b = a + 0.1 + small noise."""
    rng = np.random.default_rng(0)
    a = rng.normal(0.5, 0.1, 5)
    b = a + 0.1 + rng.normal(0, 0.01, 5)
    rows = [{"run_id": k, "point": 0, "strategy": s, "replicate": k % 5, "quality": v}
            for k, (s, v) in enumerate([("a", x) for x in a] + [("b", x) for x in b])]
    return pd.DataFrame(rows)


def test_summarize_gives_mean_and_ci_per_strategy_clipped_to_the_range(two_arms):
    s = summarize(two_arms).set_index("strategy")
    mean, low, high, n = mean_ci(two_arms.query("strategy == 'a'")["quality"])
    assert s.loc["a", "mean"] == pytest.approx(mean) and s.loc["a", "n"] == n == 5
    assert s.loc["a", "low"] == pytest.approx(max(0, low))
    near_one = pd.DataFrame({"strategy": "c", "quality": [1.0, 0.9, 1.0]})
    assert summarize(near_one, names=["quality"])["high"].iloc[0] == 1.0, "a share's interval stops at 1"


def test_paired_differences_pair_on_the_shared_seed(two_arms):
    d = paired_differences(two_arms, "a").set_index("strategy").loc["b"]
    assert d["mean"] == pytest.approx(0.1, abs=0.01)
    # Pairing removes the spread between seeds: the paired CI is far narrower
    # than the two strategies' own intervals.
    own = summarize(two_arms).set_index("strategy")
    assert d["high"] - d["low"] < 0.3 * (own.loc["b", "high"] - own.loc["b", "low"])
    assert d["low"] > 0
    shuffled = two_arms.assign(replicate=two_arms["replicate"].where(two_arms["strategy"] == "a",
                                                                     (two_arms["replicate"] + 1) % 5))
    unpaired = paired_differences(shuffled, "a").set_index("strategy").loc["b"]
    assert unpaired["high"] - unpaired["low"] > 3 * (d["high"] - d["low"]), "the pairing key is used"


def test_paired_differences_need_a_known_baseline(two_arms):
    with pytest.raises(ValueError, match="baseline 'z' is not one of the strategies run: a, b"):
        paired_differences(two_arms, "z")


def test_tables_as_text(two_arms):
    text = format_table(summarize(two_arms))
    assert "Final patient-care quality (index 0-1)" in text and "[" in text
    diffs = format_differences(paired_differences(two_arms, "a"), "a")
    assert diffs.startswith("Difference from a (paired on shared seeds; * = 95% CI excludes 0)")
    assert "*" in diffs.splitlines()[-1]


def test_trajectories_band_each_week():
    runs = pd.DataFrame({"run_id": [0, 1, 2], "strategy": ["a", "a", "b"]})
    ts = pd.concat([tidy(0, quality=[0.1, 0.2]), tidy(1, quality=[0.3, 0.4]), tidy(2, quality=[0.5, 0.5])])
    t = trajectories(runs, ts, ["quality", "not_kept"]).set_index(["strategy", "week"])
    assert t.loc[("a", 1), "mean"] == pytest.approx(0.3)
    _, low, high, _ = mean_ci([0.2, 0.4])
    assert (t.loc[("a", 1), "low"], t.loc[("a", 1), "high"]) == (pytest.approx(low), pytest.approx(high))
    assert np.isnan(t.loc[("b", 1), "low"]), "one run: no band"
    assert set(t["metric"]) == {"quality"}


# --- sweeps ---------------------------------------------------------------------------------------
def factorial_outcomes() -> pd.DataFrame:
    """Two strategies over a 3 x 2 factorial design, 4 replicates each:
    quality = 0.2 + follow_through + 0.1 * (strategy b) + noise."""
    rng = np.random.default_rng(1)
    rows, run = [], 0
    for point, (rate, size) in enumerate([(r, s) for r in (0.1, 0.2, 0.3) for s in (50, 100)]):
        for strategy in ("a", "b"):
            for k in range(4):
                rows.append({"run_id": run, "point": point, "strategy": strategy, "replicate": k,
                             "follow_through": rate, "staff": size,
                             "quality": 0.2 + rate + 0.1 * (strategy == "b") + rng.normal(0, 0.01)})
                run += 1
    return pd.DataFrame(rows)


def test_point_summary_averages_replicates_per_design_point():
    points = analysis.point_summary(factorial_outcomes(), ["follow_through", "staff"], "quality")
    assert len(points) == 12 and set(points["n"]) == {4}
    row = points[(points["strategy"] == "b") & (points["follow_through"] == 0.3) & (points["staff"] == 50)].iloc[0]
    assert row["mean"] == pytest.approx(0.6, abs=0.02) and row["low"] < row["mean"] < row["high"]


def test_sweep_figure_has_a_panel_per_parameter_and_a_line_per_strategy():
    fig = figures.sweep_figure(factorial_outcomes(), ["follow_through", "staff"], "quality", ["a", "b"], {"b": "Bee"})
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    assert axes[0].get_xlabel() == "follow_through (0-1)" and "quality" in axes[0].get_ylabel()
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["a", "Bee"]
    x, y = axes[0].get_lines()[-1].get_data()  # strategy b's main-effect line
    assert list(x) == [0.1, 0.2, 0.3] and y == pytest.approx([0.4, 0.5, 0.6], abs=0.02)
    figures.plt.close(fig)


# --- sensitivity ----------------------------------------------------------------------------------
def salib_outcomes(kind: str, samples: int, replicates: int = 2, noise: float = 0.0) -> tuple[pd.DataFrame, dict]:
    """Outcomes of y = 4 x1 + x2 (x3 inert) over a SALib sample, as the
    runner stores them: point k is row k of the sample."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    if kind == "morris":
        x = morris_sample.sample(problem, samples, num_levels=4, seed=3)
    else:
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=3)
    rng = np.random.default_rng(4)
    rows = [{"run_id": len(x) * k + p, "point": p, "strategy": "a", "replicate": k, "x1": row[0], "x2": row[1],
             "x3": row[2], "quality": (4 * row[0] + row[1]) / 5 + rng.normal(0, noise)}
            for k in range(replicates) for p, row in enumerate(x)]
    design = {"kind": kind, "problem": problem, "num_levels": 4, "calc_second_order": False}
    return pd.DataFrame(rows), design


def test_morris_ranks_the_parameters_of_a_known_function():
    outcomes, design = salib_outcomes("morris", 12)
    result = sensitivity.analyze(outcomes, design, "quality")
    mu = result.table.set_index("parameter")["mu_star"]
    assert mu["x1"] == pytest.approx(0.8) and mu["x2"] == pytest.approx(0.2) and mu["x3"] == pytest.approx(0.0)
    assert (result.size, result.replicates, result.warnings) == (12, 2, [])
    assert "Morris screening" in sensitivity.format_sensitivity(result)


def test_sobol_indices_of_a_known_function():
    outcomes, design = salib_outcomes("sobol", 256, replicates=1)
    result = sensitivity.analyze(outcomes, design, "quality")
    t = result.table.set_index("parameter")
    # Var(4 x1 + x2) = 17/12, so S1 = ST = 16/17 and 1/17; x3 does nothing.
    assert t.loc["x1", "S1"] == pytest.approx(16 / 17, abs=0.05)
    assert t.loc["x2", "ST"] == pytest.approx(1 / 17, abs=0.02)
    assert abs(t.loc["x3", "ST"]) < 0.01
    assert result.size == 256 and result.warnings == []


def test_replicates_are_averaged_per_design_point():
    outcomes, design = salib_outcomes("morris", 12, replicates=3, noise=0.05)
    y = sensitivity.point_means(outcomes, "quality", "a", 48)
    assert y[7] == pytest.approx(outcomes.loc[outcomes["point"] == 7, "quality"].mean())


@pytest.mark.parametrize(("kind", "samples", "warning"), [
    ("morris", 4, "only 4 Morris trajectories: use at least 10"),
    ("sobol", 16, "only N = 16 Sobol base samples: use at least 64"),
])
def test_too_small_a_sample_warns(kind, samples, warning):
    outcomes, design = salib_outcomes(kind, samples, replicates=1, noise=0.2)
    result = sensitivity.analyze(outcomes, design, "quality")
    assert result.warnings and result.warnings[0].startswith(warning)
    if kind == "sobol":
        assert any("have a 95% CI wider than the index" in w for w in result.warnings), "vague indices too"


def test_sensitivity_needs_every_design_point():
    outcomes, design = salib_outcomes("morris", 10)
    with pytest.raises(ValueError, match="1 of 40 design points have no value of 'quality'"):
        sensitivity.analyze(outcomes[outcomes["point"] != 5], design, "quality")
    with pytest.raises(ValueError, match="sensitivity needs a design of kind morris or sobol, not 'factorial'"):
        sensitivity.analyze(outcomes, {**design, "kind": "factorial"}, "quality")


def test_sensitivity_figure_has_error_bars():
    outcomes, design = salib_outcomes("sobol", 64, replicates=1)
    result = sensitivity.analyze(outcomes, design, "quality")
    fig = figures.sensitivity_figure(result.table, "sobol", "quality")
    assert len(fig.axes) == 2 and fig.axes[0].get_ylabel().startswith("First-order S1")
    assert fig.axes[0].containers, "bars with error bars"
    figures.plt.close(fig)


def test_every_outcome_has_a_label_and_unit():
    for name, outcome in OUTCOMES.items():
        assert outcome.label and outcome.unit, name


# --- the commands, end to end on small real experiments --------------------------------------------
SMALL = ["--replicates", "3", "--weeks", "20", "--staff", "60", "--workers", "1"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """``orgchange compare`` of two presets, and what it printed."""
    import contextlib
    import io

    from simulation.cli import main

    out = tmp_path_factory.mktemp("compare") / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["compare", "--strategies", "business_as_usual", "mandate", *SMALL, "--seed", "4",
                     "--out", str(out)])
    return code, out, printed.getvalue()


def test_compare_prints_outcomes_and_paired_differences_and_writes_figures(compared):
    code, out, printed = compared
    assert code == 0
    assert "Outcomes at the end, mean [95% CI] over 3 runs per strategy (Student t):" in printed
    assert "Difference from business_as_usual (paired on shared seeds; * = 95% CI excludes 0)" in printed
    for name in ("trajectories.png", "effort_benefit.png", "outcomes.csv", "differences.csv", "experiment.toml",
                 "results.sqlite"):
        assert (out / name).is_file(), name
    summary = pd.read_csv(out / "outcomes.csv")
    assert set(summary["strategy"]) == {"business_as_usual", "mandate"}
    assert {"commitment_frontline", "practice_middle", "quality", "reached_half_practice",
            "projects_succeeded", "leader_hours"} <= set(summary["outcome"])


def test_compare_differences_are_paired_on_the_same_seeds(compared):
    from experiments import load

    _, out, _ = compared
    results = load(out / "results.sqlite")
    seeds = results.runs.pivot(index="replicate", columns="strategy", values="seed")
    assert (seeds["mandate"] == seeds["business_as_usual"]).all(), "strategies share each replicate's seed"
    final = analysis.run_outcomes(results.runs, results.timeseries).pivot(
        index="replicate", columns="strategy", values="quality")
    expected = mean_ci(final["mandate"] - final["business_as_usual"])
    d = pd.read_csv(out / "differences.csv").set_index("outcome").loc["quality"]
    assert (d["mean"], d["low"], d["high"]) == pytest.approx(expected[:3])


def test_compare_on_the_compiled_engine_gives_the_same_outcomes(compared, capsys, tmp_path):
    pytest.importorskip("numba", reason="the compiled engine needs: pip install 'orgchange[fast]'")
    _, out, _ = compared
    code, _, _ = run_cli(capsys, "compare", "--strategies", "business_as_usual", "mandate", *SMALL, "--seed", "4",
                         "--engine", "compiled", "--out", tmp_path / "compiled")
    assert code == 0 and 'engine = "compiled"' in (tmp_path / "compiled" / "experiment.toml").read_text()
    outcomes = pd.read_csv(tmp_path / "compiled" / "outcomes.csv")
    pd.testing.assert_frame_equal(outcomes, pd.read_csv(out / "outcomes.csv"))


def test_compare_keeps_its_earlier_results_unless_overwrite_or_resume(compared, capsys, tmp_path):
    import shutil

    _, done, _ = compared
    out = tmp_path / "again"
    shutil.copytree(done, out)
    before = (out / "outcomes.csv").read_bytes()
    code, printed, err = run_cli(capsys, "compare", "--strategies", "mandate", *SMALL, "--out", out)
    assert code == 2 and printed == ""
    assert err.startswith(f"orgchange: error: --out: {str(out)!r} already holds results (results.sqlite, "
                          f"experiment.toml, outcomes.csv") and "add --resume to finish them, or --overwrite" in err
    assert (out / "outcomes.csv").read_bytes() == before
    # --resume finishes the same comparison (nothing is left to run) and writes its tables again...
    code, printed, err = run_cli(capsys, "compare", "--strategies", "business_as_usual", "mandate", *SMALL,
                                 "--seed", "4", "--out", out, "--resume")
    assert code == 0 and "6 already finished, 0 to run" in err
    assert (out / "outcomes.csv").read_bytes() == before
    # ...but not another one, whose options differ, and the message names the command's own options.
    code, _, err = run_cli(capsys, "compare", "--strategies", "mandate", *SMALL, "--out", out, "--resume")
    assert code == 2 and "holds a different experiment" in err
    assert err.rstrip().endswith("use --overwrite to start it again, or another --out")
    # --resume and --overwrite together are refused before anything is removed.
    code, _, err = run_cli(capsys, "compare", "--strategies", "mandate", *SMALL, "--out", out, "--resume",
                           "--overwrite")
    assert code == 2 and err.startswith("orgchange: error: --resume and --overwrite: choose one")
    assert (out / "results.sqlite").is_file() and (out / "outcomes.csv").read_bytes() == before
    # --overwrite starts again.
    code, printed, _ = run_cli(capsys, "compare", "--strategies", "mandate", *SMALL, "--out", out, "--overwrite")
    assert code == 0 and "Difference from" not in printed, "one strategy: nothing to pair"
    assert set(pd.read_csv(out / "outcomes.csv")["strategy"]) == {"mandate"}


def test_compare_overwrite_never_removes_a_store_another_writer_holds(compared, capsys, tmp_path):
    """--overwrite replaces earlier results, but a store in use (its lock
    held: here by this process, as a second writer would find it) is
    refused, exit status 4, before anything in --out is removed."""
    import shutil

    from experiments.lock import StoreLock

    _, done, _ = compared
    out = tmp_path / "busy"
    shutil.copytree(done, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with StoreLock(out / "results.sqlite"):
        code, printed, err = run_cli(capsys, "compare", "--strategies", "mandate", *SMALL, "--out", out,
                                     "--overwrite")
    assert code == 4 and printed == ""
    assert err.startswith(f"orgchange: error: results file {str(out / 'results.sqlite')!r} is already being "
                          f"written") and err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(("argv", "message"), [
    (["--strategies", "mandat"], "--strategies: unknown preset 'mandat' (did you mean 'mandate'?)"),
    (["--strategies", "mandate", "--replicates", "0"], "--replicates: must be an integer >= 1, got 0"),
    (["--strategies", "mandate", "--baseline", "inspire"], "--baseline: must be one of the strategies"),
    (["--strategies", "mandate", "--weeks", "0"], "--weeks: must be"),
    (["--strategies", "mandate", "--workers", "0"], "--workers: must be an integer >= 1, got 0"),
])
def test_compare_bad_options_are_one_line_errors(capsys, tmp_path, argv, message):
    code, _, err = run_cli(capsys, "compare", *argv, "--out", tmp_path / "out")
    assert code == 2
    assert err.startswith(f"orgchange: error: {message}") and err.count("\n") == 1, err


FACTORIAL = """
[experiment]
name = "Follow-through"
strategies = ["leadership_rounding"]
replicates = 2
weeks = 20
seed = 3
[base.organization]
staff = 60
[design]
kind = "factorial"
[design.parameters]
follow_through = [0.0, 0.8]
"""

MORRIS = """
[experiment]
name = "Screening"
strategies = ["full_transformation"]
replicates = 2
weeks = 20
seed = 3
[base.organization]
staff = 60
[design]
kind = "morris"
samples = 4
[design.parameters]
follow_through = [0.2, 0.9]
steering = [0.2, 0.9]
"""


def test_sweep_runs_an_experiment_and_draws_each_outcome(tmp_path, capsys):
    path = tmp_path / "sweep.toml"
    path.write_text(FACTORIAL, encoding="utf-8")
    code, printed, _ = run_cli(capsys, "sweep", path, "--workers", "1", "--out", tmp_path / "out")
    assert code == 0
    assert "factorial design over follow_through: 2 points x 1 strategy" in printed
    for name in ("sweep_commitment_frontline.png", "sweep_practice_frontline.png", "sweep_quality.png",
                 "sweep_points.csv"):
        assert (tmp_path / "out" / name).is_file(), name
    # --from reads the stored results again, without running anything.
    code, printed, _ = run_cli(capsys, "sweep", "--from", tmp_path / "out" / "results.sqlite", "--outcome",
                               "quality", "--out", tmp_path / "again")
    assert code == 0 and (tmp_path / "again" / "sweep_quality.png").is_file()
    assert "runs done" not in printed


def test_sensitivity_runs_morris_averages_replicates_and_warns_on_a_small_sample(tmp_path, capsys):
    path = tmp_path / "morris.toml"
    path.write_text(MORRIS, encoding="utf-8")
    code, printed, err = run_cli(capsys, "sensitivity", path, "--workers", "1", "--out", tmp_path / "out")
    assert code == 0
    assert "Morris screening of final commitment: Front line (4 trajectories; each design point's 2 " \
           "replicates averaged before analysis)" in printed
    assert "orgchange: warning: only 4 Morris trajectories: use at least 10" in err
    table = pd.read_csv(tmp_path / "out" / "sensitivity_commitment_frontline.csv")
    assert list(table["parameter"]) == ["follow_through", "steering"]
    assert (table["mu_star"] >= 0).all() and (table["mu_star_conf"] >= 0).all()
    assert (tmp_path / "out" / "sensitivity_commitment_frontline.png").is_file()


@pytest.mark.parametrize(("command", "text", "message"), [
    ("sensitivity", FACTORIAL, "sensitivity: needs an experiment with morris or sobol; this one's design kind "
                               "is 'factorial'"),
    ("sweep", FACTORIAL.split("[design]")[0], "sweep: needs an experiment with varied parameters"),
])
def test_a_design_the_command_cannot_use_fails_before_running(tmp_path, capsys, command, text, message):
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    code, printed, err = run_cli(capsys, command, path, "--out", tmp_path / "out")
    assert code == 2 and err.startswith(f"orgchange: error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "out" / "results.sqlite").exists(), "nothing was run"


@pytest.mark.parametrize("argv", [[], ["x.toml", "--from", "r.sqlite"]])
def test_sweep_needs_an_experiment_or_a_results_file(tmp_path, capsys, argv):
    code, _, err = run_cli(capsys, "sweep", *argv, "--out", tmp_path)
    assert code == 2 and err.startswith("orgchange: error: sweep: give EXPERIMENT.toml to run, or --from")


# --- the worked examples of docs/analysis.md ---------------------------------------------------------
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "analysis"


@pytest.mark.parametrize(("name", "kind"), [("follow_through.toml", "factorial"), ("screening.toml", "morris"),
                                            ("sobol.toml", "sobol")])
def test_the_example_experiments_are_valid(name, kind):
    from experiments import Experiment

    experiment = Experiment.from_toml(EXAMPLES / name)
    experiment.check()
    assert experiment.design.kind == kind and experiment.question


def test_the_example_departure_strategy_leaves_in_week_104():
    strategy = load_strategy(EXAMPLES / "ceo_champion_leaves.toml")
    assert analysis.departure_weeks({"leaves": strategy}, Config()) == {"leaves": 104}


def test_the_docs_show_every_command():
    text = (EXAMPLES.parents[1] / "docs" / "analysis.md").read_text(encoding="utf-8")
    for command in ("orgchange compare", "orgchange sweep", "orgchange sensitivity", "orgchange report"):
        assert f"$ {command} " in text, f"no worked example of {command}"
    assert "Replicates are averaged per design point" in text


# --- common seeds and the screening of the assumptions ---------------------------------------------------
def _final_commitment(common_seeds: bool) -> pd.DataFrame:
    """Frontline commitment after 30 weeks at two design points that differ
    only in a parameter business as usual never uses (the hours a round of
    physician engagement takes), two replicates each."""
    from experiments import Experiment
    from simulation import OrgChangeModel

    experiment = Experiment.from_dict({
        "experiment": {"strategies": ["business_as_usual"], "replicates": 2, "weeks": 30, "seed": 5,
                       "common_seeds": common_seeds},
        "base": {"organization": {"staff": 90}},
        "design": {"kind": "factorial", "parameters": {"engagement_hours": [2.0, 4.0]}}})
    rows = [(run.point, run.replicate, OrgChangeModel(experiment.config_for(run.point, run.strategy, run.seed))
             .run()["commitment_frontline"].iloc[-1]) for run in experiment.runs()]
    return pd.DataFrame(rows, columns=["point", "replicate", "commitment"]).pivot(
        index="replicate", columns="point", values="commitment")


def test_common_seeds_leave_only_the_parameters_to_differ_between_design_points():
    # An inert parameter moves nothing: with common seeds the two points are the same runs, to the last bit,
    # which is why a screening's elementary effects of such a parameter are exactly zero.
    common = _final_commitment(True)
    assert np.array_equal(common[0], common[1])
    assert common[0].iloc[0] != common[0].iloc[1]  # the replicates are still different hospitals
    # Without them each point meets hospitals of its own, and the same parameter appears to matter.
    independent = _final_commitment(False)
    assert not np.array_equal(independent[0], independent[1])


def test_the_assumption_screening_varies_every_assumption_by_half_either_way():
    from simulation.parameters import PARAMETERS

    experiment = sensitivity.assumption_screening()
    varied = experiment.design.parameters
    assumptions = {name for name, p in PARAMETERS.items() if p.source.startswith("assumption")
                   and p.kind in ("int", "float")}
    assert set(varied) == assumptions - set(sensitivity.SCREENED_OUT)
    for name, (low, high) in varied.items():
        p = PARAMETERS[name]
        assert p.low <= low < high <= p.high, name
        if p.kind == "float" and p.low < p.default * 0.5 and p.default * 1.5 < p.high:
            assert (low, high) == pytest.approx((p.default * 0.5, p.default * 1.5)), name
    assert experiment.common_seeds and experiment.design.kind == "morris"
    experiment.check()

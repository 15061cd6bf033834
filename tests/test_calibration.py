"""Bayesian calibration to a hospital's survey (experiments.calibration,
experiments.survey, experiments.posterior) and ``orgchange calibrate``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")

from experiments import Experiment, ExperimentError  # noqa: E402
from experiments.calibration import (  # noqa: E402
    Calibration,
    SurveyDistance,
    run_calibration,
    simulate_survey,
    summarize,
    weighted_quantiles,
)
from experiments.posterior import META_TABLE, POSTERIOR_TABLE, Posterior  # noqa: E402
from experiments.survey import Survey, SurveyError, Target, parse_survey, read_survey  # noqa: E402

from support import run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SURVEY = ROOT / "examples" / "survey_example.csv"
EXAMPLE_CHART = ROOT / "examples" / "community_hospital.csv"
HEADER = "measure,level,week,value,respondents\n"


# --- the survey file ---------------------------------------------------------------------------------
def test_the_example_survey_reads_and_says_it_is_synthetic():
    survey = read_survey(EXAMPLE_SURVEY)
    assert "synthetic" in survey.text.lower().splitlines()[0]
    assert {t.measure for t in survey.targets} >= {"positive", "participation"}
    assert {t.level for t in survey.targets if t.measure == "positive"} == {"senior", "middle", "frontline"}


@pytest.mark.parametrize("row, field, value, allowed", [
    ("positiv,senior,0,0.5,", "measure", "'positiv'", "one of 'positive'"),
    ("positive,all,0,0.5,", "level", "'all'", "'senior', 'middle', 'frontline'"),
    ("quality,frontline,0,0.5,", "level", "'frontline'", "'all'"),
    ("positive,senior,0,62,", "value", "'62'", "a share in [0, 1]"),
    ("positive,senior,0,high,", "value", "'high'", "a share in [0, 1]"),
    ("positive,senior,-1,0.5,", "week", "'-1'", "an integer in [0, 520]"),
    ("positive,senior,2.5,0.5,", "week", "'2.5'", "an integer in [0, 520]"),
    ("positive,senior,0,0.5,0", "respondents", "'0'", "an integer >= 1, or empty"),
])
def test_a_bad_row_names_its_line_field_value_and_what_is_allowed(row, field, value, allowed):
    text = HEADER + "positive,middle,0,0.6,8\n" + row + "\n"
    with pytest.raises(SurveyError) as caught:
        parse_survey(text, "mine.csv")
    message = str(caught.value)
    assert message.startswith(f"mine.csv, line 3: {field}: must be ")
    assert f"got {value}" in message and allowed in message


@pytest.mark.parametrize("text, expected", [
    ("", "no header"),
    ("measure,level,vaule\n", "unknown column 'vaule' (did you mean 'value'?)"),
    ("measure,value\n", "missing column 'level'"),
    (HEADER, "has a header but no rows"),
    (HEADER + "positive,senior,0,0.5\n", "line 2: has 4 fields, but the header names 5"),
    (HEADER + "positive,senior,0,0.5,\npositive,senior,,0.7,\n", "line 3: positive of level 'senior' at week 0 is "
                                                               "given twice (first on line 2)"),
])
def test_a_malformed_file_says_what_is_wrong(text, expected):
    with pytest.raises(SurveyError) as caught:
        parse_survey(text, "mine.csv")
    assert expected in str(caught.value)


def test_comment_lines_keep_the_line_numbers_of_the_file():
    text = "# synthetic\n" + HEADER + "# a note\npositive,senior,0,1.5,\n"
    with pytest.raises(SurveyError, match=r"line 4: value"):
        parse_survey(text, "s.csv")


def test_a_bad_survey_on_the_command_line_is_one_line_with_status_2(tmp_path, capsys):
    survey = tmp_path / "s.csv"
    survey.write_text(HEADER + "positive,senior,0,1.5,\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "calibrate", survey, "--out", tmp_path / "out")
    assert code == 2
    assert err.strip() == f"orgchange: error: {survey}, line 2: value: must be a share in [0, 1] (write 0.62 for " \
                          f"62%), got '1.5'"
    assert not (tmp_path / "out").exists()


# --- the calibration file ------------------------------------------------------------------------------
@pytest.mark.parametrize("parameters, expected", [
    ({"frontline_comitment": [0, 1]}, "calibration.parameters.frontline_comitment: unknown parameter (did you mean "
                                      "'frontline_commitment'?)"),
    ({"frontline_commitment": [0.8, 0.2]}, "must be [low, high] with low < high, within the parameter's range [0, 1]"),
    ({"frontline_commitment": [0, 2]}, "within the parameter's range [0, 1], got [0, 2]"),
    ({"frontline_commitment": 0.5}, "must be [low, high] bounds of a uniform prior"),
    ({"staff": [10, 100]}, "only a number of [behaviour] can be calibrated"),
])
def test_a_bad_prior_names_the_parameter(parameters, expected):
    survey = read_survey(EXAMPLE_SURVEY)
    with pytest.raises(ExperimentError) as caught:
        Calibration.from_dict({"calibration": {"parameters": parameters}, "base": {"organization": {"staff": 30}}},
                              survey)
    assert expected in str(caught.value)


def test_a_calibration_file_error_names_its_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[calibration]\nsurvey = "s.csv"\npopulation = 1\n', encoding="utf-8")
    (tmp_path / "s.csv").write_text(HEADER + "positive,frontline,0,0.6,\n", encoding="utf-8")
    with pytest.raises(ExperimentError) as caught:
        Calibration.from_toml(path)
    assert str(caught.value) == f"{path}, line 3: calibration.population: must be an integer >= 2, got 1"


def test_default_priors_are_the_documented_ranges_and_the_threshold_stops_at_the_largest_drive():
    cal = Calibration.from_dict({"base": {"organization": {"staff": 30}}}, read_survey(EXAMPLE_SURVEY))
    assert cal.priors["frontline_commitment"] == (0.0, 1.0)
    b = cal.base.behaviour
    assert cal.priors["practice_threshold"] == (0.0, pytest.approx(
        b.weight_commitment + b.weight_alignment + b.weight_accountability + b.weight_peers + b.habit))
    # A calibrated parameter is this hospital's own: the context that would move it is fixed.
    assert cal.base_values()["hospital_culture_sd"] == 0.0 and cal.base_values()["hospital_passion_sd"] == 0.0
    assert cal.base_values()["hospital_turnover_sd"] == cal.base.hospital_turnover_sd


# --- the model's survey and the distance ---------------------------------------------------------------
def test_the_model_survey_samples_respondents_and_is_fixed_by_its_seed():
    values = Calibration.from_dict({"base": {"organization": {"staff": 60}}},
                                   read_survey(EXAMPLE_SURVEY)).base_values()
    exact = (Target("positive", "frontline", 0, 0.5),)
    sampled = (Target("positive", "frontline", 0, 0.5, respondents=7),)
    a = simulate_survey(values, exact, 3)["positive_frontline@0"]
    assert simulate_survey(values, exact, 3)["positive_frontline@0"] == a
    draws = {simulate_survey(values, sampled, seed)["positive_frontline@0"] for seed in range(12)}
    assert draws <= {k / 7 for k in range(8)} and len(draws) > 1  # a survey of 7 answers in sevenths


def test_a_quality_series_is_read_off_the_weeks_the_survey_names():
    from simulation import Config, OrgChangeModel

    survey = parse_survey(HEADER + "quality,all,0,0.3,\nquality,all,6,0.3,\nparticipation,frontline,3,0.2,\n", "s")
    assert survey.weeks == 6
    cal = Calibration.from_dict({"base": {"organization": {"staff": 40}}}, survey)
    assert cal.base.weeks == 6
    values = cal.base_values()
    got = simulate_survey(values, survey.targets, 5)
    df = OrgChangeModel(Config(**{**values, "seed": 5})).run()
    assert got == {"quality_all@0": df.quality[0], "quality_all@6": df.quality[6],
                   "participation_frontline@3": df.practice_frontline[3]}


def test_the_distance_is_the_rms_of_standard_errors_and_a_quality_series_weighs_as_one_target():
    targets = (Target("positive", "frontline", 0, 0.5, respondents=100),  # standard error 0.05
               Target("quality", "all", 0, 0.3), Target("quality", "all", 52, 0.3))  # exact: 0.01 each
    d = SurveyDistance(targets)
    y = {"positive_frontline@0": 0.5, "quality_all@0": 0.3, "quality_all@52": 0.3}
    assert d({**y, "positive_frontline@0": 0.6}, y) == pytest.approx(np.sqrt(2 ** 2 / 2))
    assert d({**y, "quality_all@0": 0.32, "quality_all@52": 0.32}, y) == pytest.approx(np.sqrt(2 ** 2 / 2))


def test_weighted_quantiles():
    x, w = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    assert weighted_quantiles(x, w, [0.5]) == [2.0]
    assert weighted_quantiles(np.arange(101.0), np.ones(101), [0.025, 0.975]) == pytest.approx([2.5, 97.5], abs=0.6)


# --- running it: determinism, resume, recovery ---------------------------------------------------------
def tiny(population: int = 10, generations: int = 2, **changes) -> Calibration:
    survey = parse_survey(HEADER + "positive,frontline,0,0.62,40\nparticipation,all,0,0.2,50\n", "tiny.csv")
    tables = {"base": {"organization": {"staff": 40}},
              "calibration": {"parameters": {"frontline_commitment": "default", "practice_threshold": "default"}}}
    return Calibration.from_dict(tables, survey, population=population, generations=generations, **changes)


def test_the_same_seed_gives_the_same_posterior_serially_and_on_a_process_pool(tmp_path):
    cal = tiny()
    a = run_calibration(cal, tmp_path / "a.sqlite", executor="serial")
    b = run_calibration(cal, tmp_path / "b.sqlite", executor="processes", workers=2)
    assert np.array_equal(a.posterior.values, b.posterior.values)
    assert np.array_equal(a.posterior.weights, b.posterior.weights)
    c = run_calibration(cal.replace(seed=1), tmp_path / "c.sqlite", executor="serial")
    assert not np.array_equal(a.posterior.values, c.posterior.values)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_posterior_on_dask(tmp_path):
    pytest.importorskip("distributed")
    a = run_calibration(tiny(), tmp_path / "a.sqlite", executor="serial")
    b = run_calibration(tiny(), tmp_path / "b.sqlite", executor="dask", workers=2)
    assert b.backend.startswith("Dask local cluster")
    assert np.array_equal(a.posterior.values, b.posterior.values)


def test_a_resumed_calibration_ends_as_an_uninterrupted_one(tmp_path):
    whole = run_calibration(tiny(generations=2), tmp_path / "whole.sqlite", executor="serial")
    path = tmp_path / "parts.sqlite"
    first = run_calibration(tiny(generations=1), path, executor="serial")
    assert first.generations == 1
    with pytest.raises(ExperimentError, match="already exists; add resume=True to finish it, or overwrite=True"):
        run_calibration(tiny(generations=2), path, executor="serial")
    with pytest.raises(ExperimentError, match="holds a different calibration"):
        run_calibration(tiny(generations=2, population=12), path, executor="serial", resume=True)
    resumed = run_calibration(tiny(generations=2), path, executor="serial", resume=True)
    assert resumed.resumed == 1 and resumed.generations == 2
    assert np.array_equal(whole.posterior.values, resumed.posterior.values)
    assert whole.epsilons == resumed.epsilons


def recover(truth: dict[str, float], population: int, generations: int, tmp_path: Path) -> pd.DataFrame:
    """Calibrate to a survey simulated with ``truth`` (exact shares of
    a generated hospital of 100, frontline predisposition 0.5 unless it is
    calibrated), and return the posterior's summary by parameter."""
    shape = (Target("positive", "frontline", 0, 0.5), Target("participation", "all", 0, 0.2))
    priors = {"frontline_commitment": [0.0, 1.0], "practice_threshold": [0.0, 1.25]}
    tables = {"base": {"organization": {"staff": 100},
                       # the truth's hospital is typical but for what is calibrated
                       "behaviour": {"frontline_commitment": 0.5, "hospital_culture_sd": 0.0}},
              "calibration": {"parameters": {name: priors[name] for name in truth}}}
    setup = Calibration.from_dict(tables, Survey(shape), population=population, generations=generations, seed=2)
    observed = simulate_survey({**setup.base_values(), **truth}, shape, seed=987)
    survey = Survey(tuple(Target(t.measure, t.level, t.week, observed[t.key]) for t in shape))
    result = run_calibration(setup.replace(survey=survey), tmp_path / "r.sqlite", executor="serial")
    return summarize(result.posterior, setup.priors).set_index("parameter")


def check_recovered(summary: pd.DataFrame, truth: dict[str, float], tolerance: dict[str, float]) -> None:
    for name, value in truth.items():
        row = summary.loc[name]
        assert row.low <= value <= row.high, summary  # the truth inside the 95% credible interval
        assert abs(row["mean"] - value) < tolerance[name], summary
        # the survey taught something: the posterior at most a third as wide (sd) as the uniform prior
        assert row.sd < (row.prior_high - row.prior_low) / np.sqrt(12) / 3, summary


def test_the_calibration_recovers_the_threshold_it_simulated_the_survey_with(tmp_path):
    """Parameter recovery, fast: the practice threshold (truth 0.45) from the
    participation and frontline survey of one generated hospital of 100.

    Tolerance 0.1 on the posterior mean: participation differs by about
    0.09 (sd) between hospitals of 100 that share their parameters, and it
    falls by about 2.4 per unit of threshold here (0.49 at 0.4, 0.02 at
    0.6), so one hospital pins the threshold to about 0.04; 0.1 is 2.5 of
    those, with room for an ABC of 3 generations that has not converged."""
    truth = {"practice_threshold": 0.45}
    check_recovered(recover(truth, 20, 3, tmp_path), truth, {"practice_threshold": 0.1})


@pytest.mark.slow
def test_the_calibration_recovers_two_parameters_it_simulated_the_survey_with(tmp_path):
    """Parameter recovery of two parameters at once, which trade off in
    participation, over 8 generations (about a minute). The frontline
    predisposition is pinned by the frontline survey share: it moves about
    0.3 per unit of predisposition, against hospital-to-hospital noise of
    0.009, so to about 0.03; tolerance 0.1, as for the threshold."""
    truth = {"frontline_commitment": 0.5, "practice_threshold": 0.45}
    check_recovered(recover(truth, 40, 8, tmp_path), truth, {name: 0.1 for name in truth})


# --- the posterior, drawn from ---------------------------------------------------------------------------
def write_posterior(path: Path, values: list[list[float]], weights: list[float], names=("frontline_commitment",),
                    organization: str = '{"staff": 60}') -> Path:
    db = sqlite3.connect(path)
    with db:
        columns = ", ".join(f'"{n}" REAL' for n in names)
        db.execute(f"CREATE TABLE {POSTERIOR_TABLE} (particle INTEGER PRIMARY KEY, weight REAL, {columns})")
        db.executemany(f"INSERT INTO {POSTERIOR_TABLE} VALUES ({', '.join('?' * (len(names) + 2))})",
                       [(k, w, *v) for k, (w, v) in enumerate(zip(weights, values))])
        db.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(f"INSERT INTO {META_TABLE} VALUES ('organization', ?)", (organization,))
    db.close()
    return path


def test_posterior_draws_are_fixed_by_the_seed_and_follow_the_weights(tmp_path):
    path = write_posterior(tmp_path / "p.sqlite", [[0.2], [0.8]], [9.0, 1.0])
    posterior = Posterior.load(path)
    assert posterior.weights.tolist() == [0.9, 0.1]
    first = [posterior.draw(seed)["frontline_commitment"] for seed in range(2000)]
    again = Posterior.load(path)
    assert first == [again.draw(seed)["frontline_commitment"] for seed in range(2000)]
    assert np.mean(np.array(first) == 0.2) == pytest.approx(0.9, abs=0.03)  # binomial sd 0.007
    assert posterior.values_for(5)["hospital_culture_sd"] == 0.0
    assert posterior.draws([3, 1]) == [posterior.draw(3), posterior.draw(1)]


@pytest.mark.parametrize("make, expected", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("not a database"), "holds no posterior of orgchange calibrate"),
])
def test_a_file_without_a_posterior_is_refused(tmp_path, make, expected):
    path = tmp_path / "p.sqlite"
    make(path)
    with pytest.raises(ExperimentError, match=expected):
        Posterior.load(path)


def test_an_experiment_draws_each_run_from_the_posterior_and_every_strategy_meets_the_same_draw(tmp_path):
    write_posterior(tmp_path / "p.sqlite", [[0.2], [0.5], [0.8]], [1.0, 1.0, 1.0])
    text = ('[experiment]\nstrategies = ["business_as_usual", "mandate"]\nreplicates = 12\nweeks = 4\nseed = 3\n'
            'posterior = "p.sqlite"\n[base.organization]\nstaff = 30\n')
    (tmp_path / "e.toml").write_text(text, encoding="utf-8")
    experiment = Experiment.from_toml(tmp_path / "e.toml")
    assert experiment.posterior == str((tmp_path / "p.sqlite").resolve())
    drawn = {}
    for spec in experiment.runs():
        config = experiment.config_for(spec.point, spec.strategy, spec.seed)
        assert config.hospital_culture_sd == 0.0
        drawn.setdefault(spec.replicate, set()).add(config.frontline_commitment)
    assert all(len(values) == 1 for values in drawn.values())  # the same draw under both strategies
    assert {v for values in drawn.values() for v in values} == {0.2, 0.5, 0.8}
    assert 'posterior = "' in experiment.to_toml()


def test_an_experiment_cannot_vary_a_parameter_it_draws(tmp_path):
    write_posterior(tmp_path / "p.sqlite", [[0.2]], [1.0])
    text = ('[experiment]\nseed = 3\nposterior = "p.sqlite"\n[design]\nkind = "factorial"\n'
            '[design.parameters]\nfrontline_commitment = [0.3, 0.4]\n')
    with pytest.raises(ExperimentError, match=r"line 3: experiment.posterior: 'frontline_commitment' is drawn from "
                                              r"the posterior, so the design cannot vary it too"):
        Experiment.loads(text, source="e.toml", base_dir=tmp_path)


def test_compare_refuses_a_missing_posterior_naming_the_option(tmp_path, capsys):
    code, out, err = run_cli(capsys, "compare", "--strategies", "mandate", "--posterior", tmp_path / "none.sqlite",
                             "--out", tmp_path / "out")
    assert code == 2
    assert err.startswith("orgchange: error: --posterior: posterior file") and "does not exist" in err


def test_compare_with_a_posterior_runs_on_the_calibrated_hospital(tmp_path, capsys):
    import tomllib

    write_posterior(tmp_path / "p.sqlite", [[0.2], [0.8]], [1.0, 1.0], organization='{"staff": 30}')
    code, out, err = run_cli(capsys, "compare", "--strategies", "business_as_usual", "mandate", "--replicates", "2",
                             "--weeks", "3", "--workers", "1", "--posterior", tmp_path / "p.sqlite", "--out",
                             tmp_path / "out")
    assert code == 0, err
    assert "30 staff" in out and "each replicate draws frontline_commitment from the posterior" in out
    written = tomllib.loads((tmp_path / "out" / "experiment.toml").read_text(encoding="utf-8"))
    assert written["base"]["organization"]["staff"] == 30
    assert written["experiment"]["posterior"] == str((tmp_path / "p.sqlite").resolve())
    from experiments import load
    from experiments.report import build_report

    assert "each run drew its values from that calibration&#x27;s posterior (p.sqlite)" in \
        build_report(load(tmp_path / "out" / "results.sqlite"))


# --- the command ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options, expected", [
    (["--population", "1"], "--population: must be an integer >= 2, got 1"),
    (["--generations", "0"], "--generations: must be an integer >= 1, got 0"),
    (["--workers", "0"], "--workers: must be an integer >= 1, got 0"),
    (["--staff", "50", "--org-chart", str(EXAMPLE_CHART)], "--org-chart and --staff: choose one"),
    (["--overwrite", "--resume"], "--resume and --overwrite: choose one"),
    (["--config", "missing.toml"], "calibration file 'missing.toml' does not exist"),
])
def test_calibrate_refuses_bad_options_with_status_2(tmp_path, capsys, options, expected):
    code, out, err = run_cli(capsys, "calibrate", EXAMPLE_SURVEY, *options, "--out", tmp_path / "out")
    assert code == 2 and expected in err and err.count("\n") == 1, err


def test_calibrate_help_lists_its_options(capsys):
    with pytest.raises(SystemExit) as done:
        run_cli(capsys, "calibrate", "--help")
    assert done.value.code == 0
    out = capsys.readouterr().out
    for option in ("--config", "--org-chart", "--population", "--generations", "--seed", "--workers", "--out",
                   "--overwrite", "--resume", "exit status:"):
        assert option in out


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """``orgchange calibrate`` of the example survey on the example chart, tiny."""
    folder = tmp_path_factory.mktemp("calibrate")
    config = folder / "c.toml"
    config.write_text(f'[calibration]\npredictive_draws = 8\n[base.organization]\norg_chart = "{EXAMPLE_CHART}"\n',
                      encoding="utf-8")
    from simulation.cli import main

    code = main(["calibrate", str(EXAMPLE_SURVEY), "--config", str(config), "--population", "8", "--generations",
                 "1", "--workers", "1", "--out", str(folder / "out")])
    return code, folder / "out", config


def test_calibrate_writes_the_posterior_the_check_and_the_figures(calibrated):
    code, out, _ = calibrated
    assert code == 0
    for name in ("calibration.sqlite", "posterior.csv", "posterior_summary.csv", "predictive.csv", "predictive.png",
                 "posterior.png", "calibration.toml"):
        assert (out / name).stat().st_size > 0, name
    posterior = pd.read_csv(out / "posterior.csv")
    assert list(posterior.columns) == ["frontline_commitment", "middle_commitment", "senior_passion",
                                       "practice_threshold", "weight"]
    assert len(posterior) == 8 and posterior["weight"].sum() == pytest.approx(1.0)
    predictive = pd.read_csv(out / "predictive.csv")
    assert len(predictive) == len(read_survey(EXAMPLE_SURVEY).targets)
    assert ((predictive["low"] <= predictive["median"]) & (predictive["median"] <= predictive["high"])).all()
    assert Posterior.load(out / "calibration.sqlite").organization["org_chart"] == str(EXAMPLE_CHART)


def test_calibrate_resumes_and_goes_on_to_more_generations(tmp_path, capsys):
    survey = tmp_path / "s.csv"
    survey.write_text(HEADER + "positive,frontline,0,0.62,40\nparticipation,all,0,0.2,50\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text('[calibration]\npopulation = 8\npredictive_draws = 4\n[calibration.parameters]\n'
                      'practice_threshold = "default"\n[base.organization]\nstaff = 30\n', encoding="utf-8")
    common = ["calibrate", survey, "--config", config, "--workers", "1", "--out", tmp_path / "out"]
    code, out, err = run_cli(capsys, *common, "--generations", "1")
    assert code == 0, err
    code, out, err = run_cli(capsys, *common, "--generations", "2", "--resume")
    assert code == 0, err
    assert "1 already done" in out and "generation 2 of 2" in out and "generation 1 of" not in out
    code, out, err = run_cli(capsys, *common, "--generations", "2", "--resume", "--seed", "4")
    assert code == 2 and "holds a different calibration" in err and "--overwrite" in err


def test_calibrate_refuses_to_replace_its_results_unless_asked(calibrated, capsys):
    _, out, config = calibrated
    code, _, err = run_cli(capsys, "calibrate", EXAMPLE_SURVEY, "--config", config, "--population", "8",
                           "--generations", "1", "--out", out)
    assert code == 2
    assert "already holds results" in err and "--resume" in err and "--overwrite" in err

"""The experiment commands of the command line: ``orgchange experiment run |
check | status`` and ``orgchange export``."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments import load

from support import TWO_CEOS, run_cli

EXPERIMENT = """
[experiment]
name = "CLI check"
question = "Does the command line work?"
strategies = ["business_as_usual", "mandate"]
replicates = 2
weeks = 10
seed = 5
metrics = ["commitment_frontline", "quality"]

[base.organization]
staff = 60

[design]
kind = "factorial"
[design.parameters]
influence_rate = [0.02, 0.04]
"""


@pytest.fixture
def experiment_file(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_check_validates_and_shows_the_plan(experiment_file, capsys):
    code, out, _ = run_cli(capsys, "experiment", "check", experiment_file)
    assert code == 0
    assert "CLI check" in out and "Does the command line work?" in out
    assert "business_as_usual (Business as usual), mandate (Mandate)" in out
    assert "factorial over influence_rate: 2 points" in out and "point 1: influence_rate=0.04" in out
    assert "runs:       8" in out and out.rstrip().endswith("The experiment is valid.")


def test_run_then_status_then_export(experiment_file, tmp_path, capsys):
    store = tmp_path / "results.sqlite"
    code, out, err = run_cli(capsys, "experiment", "run", experiment_file, "-o", store, "--workers", "1")
    assert code == 0, err
    assert "CLI check: 8 runs, 0 already finished, 8 to run on serial (this process)" in out
    assert "8 of 8 runs done, 0 failed" in out
    assert err == ""  # no progress bar off a terminal
    assert (load(store).runs.status == "done").all()

    code, out, _ = run_cli(capsys, "experiment", "status", store)
    assert code == 0 and out.startswith("CLI check: 8 runs: 8 done, 0 failed, 0 pending")

    code, out, _ = run_cli(capsys, "export", store, "--out", tmp_path / "csv")
    assert code == 0 and "runs.csv, timeseries.csv, manifest.json, experiment.toml" in out
    assert len(pd.read_csv(tmp_path / "csv" / "timeseries.csv")) == 8 * 11
    # Exporting again into the same folder is refused; --overwrite replaces it.
    code, _, err = run_cli(capsys, "export", store, "--out", tmp_path / "csv")
    assert code == 2
    assert err.strip() == (f"orgchange: error: --out: {str(tmp_path / 'csv')!r} already holds results (runs.csv, "
                           f"timeseries.csv, manifest.json, experiment.toml); add --overwrite to replace them, or "
                           f"choose another --out")
    assert run_cli(capsys, "export", store, "--out", tmp_path / "csv", "--overwrite")[0] == 0
    # Without --out, the export goes beside the results file, named after it.
    code, out, _ = run_cli(capsys, "export", store)
    assert code == 0 and out.startswith(f"Wrote {tmp_path / 'results'}/runs.csv")

    # Again without --resume: refused, and the results are untouched.
    code, _, err = run_cli(capsys, "experiment", "run", experiment_file, "-o", store)
    assert code == 2
    assert err.strip() == (f"orgchange: error: --output: {str(store)!r} already exists; add --resume to finish it, "
                           f"or --overwrite to start again")
    code, out, _ = run_cli(capsys, "experiment", "run", experiment_file, "-o", store, "--resume")
    assert code == 0 and "8 already finished, 0 to run" in out


def test_failed_runs_are_reported_and_the_exit_status_is_1(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text(TWO_CEOS)
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT.replace("influence_rate = [0.02, 0.04]", 'org_chart = ["", "bad.csv"]'))
    code, out, _ = run_cli(capsys, "experiment", "run", path, "-o", tmp_path / "r.sqlite", "--workers", "1")
    assert code == 1
    assert "4 of 8 runs done, 4 failed" in out
    assert "  run 4 failed: ChartError:" in out  # point 1 (bad.csv) starts at run 4
    assert "--resume --retry-failed" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["experiment", "check", "{dir}/missing.toml"], "experiment file '{dir}/missing.toml' does not exist"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--workers", "0"],
     "--workers: must be an integer >= 1, got 0"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--executor", "serial", "--workers", "2"],
     "--workers: the serial executor runs one run at a time, got 2"),
    (["experiment", "run", "{exp}", "-o", "{dir}", "--overwrite"], "--output: '{dir}' is a folder"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--retry-failed"], "--retry-failed: only with --resume"),
    (["experiment", "status", "{exp}"], "'{exp}' is not an orgchange results file"),
    (["export", "{dir}/none.sqlite", "--out", "{dir}/out"], "results file '{dir}/none.sqlite' does not exist"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--resume", "--overwrite"],
     "--resume and --overwrite: choose one"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--seed", "-2"], "--seed: must be an integer >= 0, got -2"),
    (["experiment", "run", "{exp}", "-o", "{dir}/r.sqlite", "--replicates", "0"],
     "--replicates: must be an integer >= 1, got 0"),
])
def test_bad_input_is_one_line_and_exit_status_2(experiment_file, tmp_path, capsys, argv, message):
    fill = {"dir": tmp_path, "exp": experiment_file}
    code, out, err = run_cli(capsys, *[a.format(**fill) for a in argv])
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("orgchange: error: ")
    assert message.format(**fill) in err
    assert "Traceback" not in err


def test_an_invalid_experiment_file_names_the_field(experiment_file, tmp_path, capsys):
    experiment_file.write_text(EXPERIMENT.replace('kind = "factorial"', 'kind = "grid"'))
    code, _, err = run_cli(capsys, "experiment", "run", experiment_file, "-o", tmp_path / "r.sqlite")
    assert code == 2
    line = EXPERIMENT.splitlines().index('kind = "factorial"') + 1
    assert err == (f"orgchange: error: {experiment_file}, line {line}: design.kind: must be one of 'factorial', "
                   f"'latin_hypercube', 'morris', 'sobol', 'none', got 'grid'\n")
    assert not (tmp_path / "r.sqlite").exists()


def test_the_file_s_seed_replicates_and_engine_can_be_overridden(experiment_file, tmp_path, capsys):
    store = tmp_path / "r.sqlite"
    code, out, err = run_cli(capsys, "experiment", "run", experiment_file, "-o", store, "--workers", "1",
                             "--seed", "9", "--replicates", "1", "--engine", "agent")
    assert code == 0, err
    assert "CLI check: 4 runs" in out  # 2 points x 2 strategies x 1 replicate
    results = load(store)
    assert results.manifest["root_seed"] == 9
    assert results.experiment.replicates == 1 and results.experiment.base.engine == "agent"
    # --resume with other options is another experiment: refused, naming the difference.
    code, _, err = run_cli(capsys, "experiment", "run", experiment_file, "-o", store, "--resume")
    assert code == 2 and "holds a different experiment" in err and "--overwrite" in err

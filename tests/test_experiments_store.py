"""The durable store (experiments/store.py, runner.py, results.py, export.py):
what it holds, failed runs, resuming after Ctrl-C and after ``kill -9``,
`experiments.load` and export."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import Executor, Future

import numpy as np
import pandas as pd
import pytest

from experiments import Experiment, ExperimentError, export, load, run_experiment
from experiments.store import Store
from experiments.worker import RunTask, execute_run
from simulation import OrgChangeModel

from support import SMALL, TWO_CEOS, assert_same_results, done_runs, wait_for_group_to_exit, write

GOOD_CHART = "id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nm,middle,s,u\n" + "".join(
    f"f{k},frontline,m,u\n" for k in range(12))


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The small experiment, run serially to the end."""
    folder = tmp_path_factory.mktemp("finished")
    store = folder / "results.sqlite"
    summary = run_experiment(write(folder), store, executor="serial", progress=False)
    return folder, store, summary


# --- what the store holds -----------------------------------------------------------------------------------
def test_the_store_has_runs_timeseries_and_manifest_tables(finished):
    _, store, summary = finished
    assert (summary.total, summary.done, summary.failed, summary.pending) == (8, 8, 0, 0)
    with sqlite3.connect(store) as db:
        columns = {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in ("runs", "timeseries", "manifest")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    assert columns["runs"] == ["run_id", "point", "strategy", "replicate", "seed", "params", "status", "error",
                               "wall_time", "leader_hours"]
    assert columns["timeseries"] == ["run_id", "week", "commitment_frontline", "practice_frontline", "quality",
                                     "projects_succeeded"]
    assert columns["manifest"] == ["key", "value"]


def test_the_manifest_records_versions_the_experiment_file_and_seeds(finished):
    folder, store, _ = finished
    m = load(store).manifest
    for key in ("orgchange_version", "mesa_version", "numpy_version", "networkx_version", "python_version",
                "git_commit", "created"):
        assert key in m
    assert m["mesa_version"] == __import__("mesa").__version__
    assert m["numpy_version"] == np.__version__
    assert m["experiment_toml"] == (folder / "exp.toml").read_text()  # the file, verbatim
    assert m["root_seed"] == 11 and m["n_runs"] == 8
    assert m["design"]["kind"] == "factorial" and m["design"]["parameters"] == {"influence_rate": [0.02, 0.06]}
    assert m["metrics"] == ["commitment_frontline", "practice_frontline", "quality", "projects_succeeded"]
    assert set(m["strategies"]) == {"business_as_usual", "mandate"}


def test_a_stored_run_is_exactly_the_model_run_its_config_describes(finished):
    folder, store, _ = finished
    results = load(store)
    experiment = Experiment.from_toml(folder / "exp.toml")
    run = results.runs.iloc[5]
    df = OrgChangeModel(experiment.config_for(int(run.point), run.strategy, int(run.seed))).run()
    stored = results.timeseries[results.timeseries.run_id == run.run_id].reset_index(drop=True)
    assert stored.week.tolist() == list(range(13))
    for metric in experiment.metrics:
        assert np.array_equal(stored[metric].to_numpy(), df[metric].to_numpy(dtype=float)), metric
    assert run.leader_hours == pytest.approx(df.leader_hours.iloc[1:].mean(), rel=0, abs=0)


def test_load_returns_tidy_dataframes_and_the_experiment(finished):
    folder, store, _ = finished
    results = load(store)
    runs = results.runs
    assert list(runs.columns) == ["run_id", "point", "strategy", "replicate", "seed", "influence_rate", "status",
                                  "error", "wall_time", "leader_hours"]
    assert runs.influence_rate.tolist() == [0.02] * 4 + [0.06] * 4
    assert (runs.status == "done").all() and (runs.wall_time > 0).all()
    assert len(results.timeseries) == 8 * 13
    assert not results.timeseries.duplicated(["run_id", "week"]).any()
    tidy = results.tidy()
    assert len(tidy) == 8 * 13 and {"strategy", "influence_rate", "week", "quality"} <= set(tidy.columns)
    assert results.parameters == ["influence_rate"]
    assert results.experiment.to_toml() == Experiment.from_toml(folder / "exp.toml").to_toml()


def test_a_finished_run_cannot_be_stored_twice(finished, tmp_path):
    _, store, _ = finished
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    experiment = load(copy).experiment
    values = experiment.config_for(0, "mandate", 1).as_dict()
    result = execute_run(RunTask(0, values, experiment.metrics))
    with Store.open(copy) as db:
        with pytest.raises(ExperimentError, match="run 0 is not pending"):
            db.record(result)
        assert db.counts() == {"pending": 0, "done": 8, "failed": 0}
    assert_same_results(store, copy)


# --- failed runs -------------------------------------------------------------------------------------------
def test_a_run_that_raises_is_recorded_as_failed_and_the_sweep_goes_on(tmp_path):
    # A chart that exists but has two CEOs is only found out when a run loads it, inside the worker.
    (tmp_path / "bad.csv").write_text(TWO_CEOS)
    (tmp_path / "good.csv").write_text(GOOD_CHART)
    path = write(tmp_path, SMALL.replace("influence_rate = [0.02, 0.06]", 'org_chart = ["good.csv", "bad.csv"]'))
    store = tmp_path / "r.sqlite"
    summary = run_experiment(path, store, executor="processes", workers=2, progress=False)
    assert (summary.done, summary.failed) == (4, 4)
    runs = load(store).runs
    failed = runs[runs.status == "failed"]
    assert (failed.org_chart.str.endswith("bad.csv")).all()
    assert failed.error.str.startswith("ChartError: ").all() and failed.error.str.contains("ceo").all()
    assert failed.leader_hours.isna().all()
    assert set(load(store).timeseries.run_id) == set(runs.run_id[runs.status == "done"])
    assert len(summary.errors) == 4 and summary.errors[0][1].startswith("ChartError")

    # --resume alone leaves failed runs alone; with retry_failed it runs them again (here, after a fix).
    again = run_experiment(path, store, executor="serial", resume=True, progress=False)
    assert (again.ran, again.failed) == (0, 4)
    (tmp_path / "bad.csv").write_text(GOOD_CHART)
    again = run_experiment(path, store, executor="serial", resume=True, retry_failed=True, progress=False)
    assert (again.ran, again.done, again.failed) == (4, 8, 0)
    assert load(store).runs.error.isna().all()


# --- guarding what is stored ---------------------------------------------------------------------------------
def test_an_existing_store_is_never_overwritten_by_accident(finished, tmp_path):
    folder, store, _ = finished
    copy = tmp_path / "r.sqlite"
    copy.write_bytes(b"precious")
    # The error names the Python arguments (the command line says --resume and --overwrite instead).
    with pytest.raises(ExperimentError, match=r"^store: '.*' already exists; add resume=True to finish it, or "
                                              r"overwrite=True to start again$"):
        run_experiment(folder / "exp.toml", copy, progress=False)
    assert copy.read_bytes() == b"precious"
    summary = run_experiment(folder / "exp.toml", copy, executor="serial", overwrite=True, progress=False)
    assert summary.done == 8
    assert_same_results(store, copy)


def test_resume_refuses_a_store_of_another_experiment(finished, tmp_path):
    folder, store, _ = finished
    other = write(tmp_path, SMALL.replace("replicates = 2", "replicates = 3"))
    with pytest.raises(ExperimentError, match=r"holds a different experiment \(experiment.replicates: 2 in the "
                                              r"store, 3 now\)"):
        run_experiment(other, store, resume=True, progress=False)
    with pytest.raises(ExperimentError, match="^resume=True and overwrite=True: choose one"):
        run_experiment(other, store, resume=True, overwrite=True, progress=False)
    with pytest.raises(ExperimentError, match="^retry_failed=True: only with resume=True$"):
        run_experiment(other, store, retry_failed=True, progress=False)


def test_load_refuses_what_is_not_a_store(tmp_path):
    with pytest.raises(ExperimentError, match="does not exist"):
        load(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()  # and did not create it
    (tmp_path / "notes.txt").write_text("not a database at all, just some text " * 20)
    with pytest.raises(ExperimentError, match="is not an orgchange results file"):
        load(tmp_path / "notes.txt")
    sqlite3.connect(tmp_path / "other.sqlite").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ExperimentError, match="is not an orgchange results file"):
        load(tmp_path / "other.sqlite")


# --- interruption and resume ---------------------------------------------------------------------------------
class InterruptingExecutor(Executor):
    """Runs calls at once, like the serial executor, but the ``after``-th call
    raises KeyboardInterrupt, as Ctrl-C would."""

    def __init__(self, after: int) -> None:
        self.after, self.calls = after, 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.calls += 1
        if self.calls == self.after:
            raise KeyboardInterrupt
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_after_ctrl_c_resume_completes_exactly_the_uninterrupted_results(finished, tmp_path):
    folder, reference, _ = finished
    store = tmp_path / "r.sqlite"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(folder / "exp.toml", store, executor=InterruptingExecutor(after=4), progress=False)
    assert load(store).runs.status.value_counts().to_dict() == {"pending": 5, "done": 3}
    summary = run_experiment(folder / "exp.toml", store, executor="serial", resume=True, progress=False)
    assert (summary.resumed, summary.ran, summary.done) == (3, 5, 8)
    assert_same_results(reference, store)


def test_kill_9_mid_sweep_then_resume_gives_the_uninterrupted_results(tmp_path):
    text = SMALL.replace("replicates = 2", "replicates = 12").replace("weeks = 12", "weeks = 80").replace(
        "staff = 60", "staff = 120")  # 48 runs of about 0.05 s each
    path = write(tmp_path, text)
    reference, store = tmp_path / "reference.sqlite", tmp_path / "killed.sqlite"
    command = [sys.executable, "-m", "simulation.cli", "experiment", "run", str(path), "-o", str(store),
               "--workers", "2"]
    log = (tmp_path / "stderr.txt").open("w")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while done_runs(store) < 6 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # the experiment's own process, mid-sweep
        process.wait(timeout=30)
        orphans = wait_for_group_to_exit(process.pid, seconds=20)
    finally:
        try:  # clean up whatever is left of the process group we started
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()
    assert process.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
    assert not orphans, "worker processes outlived the killed experiment"
    runs = load(store).runs
    done = int((runs.status == "done").sum())
    assert 6 <= done < 48, "the sweep finished before it could be killed: make it longer"
    assert set(runs.status) <= {"done", "pending"}
    series = load(store).timeseries
    assert set(series.run_id) == set(runs.run_id[runs.status == "done"])  # no partial run was kept
    assert len(series) == done * 81

    summary = run_experiment(path, store, executor="serial", resume=True, progress=False)
    assert (summary.resumed, summary.ran, summary.done, summary.pending) == (done, 48 - done, 48, 0)
    run_experiment(path, reference, executor="serial", progress=False)
    assert_same_results(reference, store)


# --- export ---------------------------------------------------------------------------------------------------
def test_export_writes_csv_that_reads_back_exactly(finished, tmp_path):
    folder, store, _ = finished
    written = export(store, tmp_path / "out")
    assert [p.name for p in written] == ["runs.csv", "timeseries.csv", "manifest.json", "experiment.toml"]
    results = load(store)
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    series = pd.read_csv(tmp_path / "out" / "timeseries.csv", **exact)
    pd.testing.assert_frame_equal(series, results.timeseries, check_exact=True)
    runs = pd.read_csv(tmp_path / "out" / "runs.csv", **exact)
    assert runs.run_id.tolist() == results.runs.run_id.tolist()
    assert runs.seed.tolist() == results.runs.seed.tolist()
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["root_seed"] == 11
    assert (tmp_path / "out" / "experiment.toml").read_text() == (folder / "exp.toml").read_text()


def test_export_keeps_an_earlier_export_unless_overwrite(finished, tmp_path):
    _, store, _ = finished
    export(store, tmp_path / "out")
    (tmp_path / "out" / "runs.csv").write_text("earlier")
    with pytest.raises(ExperimentError, match=r"^folder: '.*out' already holds results \(runs.csv, timeseries.csv, "
                                              r"manifest.json, experiment.toml\); add overwrite=True to replace "
                                              r"them, or choose another folder$"):
        export(store, tmp_path / "out")
    assert (tmp_path / "out" / "runs.csv").read_text() == "earlier"
    export(store, tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "runs.csv").read_text().startswith("run_id,")


def test_export_replaced_in_another_format_leaves_no_stale_table(finished, tmp_path):
    _, store, _ = finished
    out = tmp_path / "out"
    out.mkdir()
    for name in ("runs.parquet", "timeseries.parquet", "notes.txt"):  # an earlier parquet export, and a file of ours
        (out / name).write_text("earlier")
    with pytest.raises(ExperimentError, match=r"already holds results \(runs.parquet, timeseries.parquet\)"):
        export(store, out)
    export(store, out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["experiment.toml", "manifest.json", "notes.txt", "runs.csv",
                                                     "timeseries.csv"]


def test_export_parquet_needs_pyarrow_and_says_so(finished, tmp_path, monkeypatch):
    _, store, _ = finished
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("pyarrow", "fastparquet") else real(name, *a))
    with pytest.raises(ExperimentError, match=r"needs pyarrow: pip install pyarrow"):
        export(store, tmp_path / "out", "parquet")


def test_export_parquet_when_pyarrow_is_there(finished, tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow is optional; the CSV export is tested without it")
    _, store, _ = finished
    export(store, tmp_path / "out", "parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "timeseries.parquet"), load(store).timeseries)

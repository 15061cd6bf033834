"""Execution backends (experiments/backends.py): serial, local processes and
Dask give bit-identical results, whatever the order runs finish in; the
automatic choice; the progress bar."""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import re
import sys
import threading
from concurrent.futures import Executor, Future

import pandas as pd
import pytest

from experiments import Experiment, ExperimentError, backends, load, run_experiment
from experiments.backends import SMALL_JOB, choose, dask_executor
from experiments.progress import Progress

EXPERIMENT = """
[experiment]
name = "Backends"
strategies = ["business_as_usual", "mandate", "inspire"]
replicates = 2
weeks = 15
seed = 99

[base.organization]
staff = 70

[design]
kind = "latin_hypercube"
samples = 2
[design.parameters]
influence_rate = [0.01, 0.05]
unit_size = [8, 16]
"""


def frames(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = load(store)
    return results.runs.drop(columns="wall_time"), results.timeseries


def assert_bit_identical(a, b) -> None:
    runs_a, series_a = frames(a)
    runs_b, series_b = frames(b)
    pd.testing.assert_frame_equal(runs_a, runs_b, check_exact=True)
    pd.testing.assert_frame_equal(series_a, series_b, check_exact=True)


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("backends") / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial(experiment_file):
    """The reference: every run in this process, in run-id order."""
    store = experiment_file.parent / "serial.sqlite"
    summary = run_experiment(experiment_file, store, executor="serial", progress=False)
    assert summary.done == summary.total == 12 and summary.backend.startswith("serial")
    return store


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_two_worker_processes_give_bit_identical_results(experiment_file, serial, tmp_path, monkeypatch, method):
    if method not in multiprocessing.get_all_start_methods() or sys.platform != "linux":
        pytest.skip(f"workers start by {backends.start_method()!r} on this system")
    monkeypatch.setattr(backends, "start_method", lambda: method)  # whatever threads this test process has
    store = tmp_path / "processes.sqlite"
    summary = run_experiment(experiment_file, store, executor="processes", workers=2, progress=False)
    assert summary.backend == "2 worker processes" and summary.done == 12
    assert_bit_identical(serial, store)


def test_the_compiled_engine_on_worker_processes_gives_the_same_results(serial, tmp_path):
    """The runner compiles the engine's loop once, before the workers fork;
    they inherit it and give the vectorized engine's numbers exactly."""
    pytest.importorskip("numba", reason="the compiled engine needs: pip install 'orgchange[fast]'")
    path = tmp_path / "compiled.toml"
    path.write_text(EXPERIMENT.replace("[base.organization]", '[base.run]\nengine = "compiled"\n\n[base.organization]'),
                    encoding="utf-8")
    store = tmp_path / "compiled.sqlite"
    summary = run_experiment(path, store, executor="processes", workers=2, progress=False)
    assert summary.done == 12 and load(store).experiment.base.engine == "compiled"
    assert_bit_identical(serial, store)


def test_a_dask_local_cluster_gives_bit_identical_results(experiment_file, serial, tmp_path):
    pytest.importorskip("distributed", reason="the Dask backend needs: pip install 'orgchange[dask]'")
    store = tmp_path / "dask.sqlite"
    summary = run_experiment(experiment_file, store, executor="dask", workers=2, progress=False)
    assert summary.backend == "Dask local cluster (2 workers on 127.0.0.1)" and summary.done == 12
    assert_bit_identical(serial, store)


class CountingExecutor(Executor):
    """Hands every call on to ``inner``, noting how many runs each task carries."""

    def __init__(self, inner: Executor, runs_per_task: list[int]) -> None:
        self.inner, self.runs_per_task = inner, runs_per_task

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.runs_per_task.append(len(args[0]) if isinstance(args[0], list) else 1)
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, **kwargs) -> None:
        self.inner.shutdown(wait=wait, **kwargs)


def test_dask_ships_runs_in_batches_with_the_same_results(experiment_file, serial, tmp_path, monkeypatch):
    """Dask's cost per task is shared by a batch of runs: 12 runs in batches
    of 5 are three tasks, and the store is the serial one to the last bit."""
    pytest.importorskip("distributed", reason="the Dask backend needs: pip install 'orgchange[dask]'")
    runs_per_task: list[int] = []
    real = backends.dask_executor
    monkeypatch.setattr(backends, "dask_executor", lambda client: CountingExecutor(real(client), runs_per_task))
    monkeypatch.setattr(backends, "dask_batch", lambda jobs, workers: 5)
    store = tmp_path / "batched.sqlite"
    summary = run_experiment(experiment_file, store, executor="dask", workers=2, progress=False)
    assert summary.done == 12 and sorted(runs_per_task) == [2, 5, 5]
    assert_bit_identical(serial, store)


def test_dask_batches_are_small_enough_to_share_a_short_job():
    assert backends.dask_batch(1000, 2) == backends.DASK_BATCH  # a long sweep: full batches
    assert backends.dask_batch(40, 2) == 5  # four tasks a worker at least
    assert backends.dask_batch(12, 2) == 1  # a short job: one run a task


def test_dask_calls_are_never_answered_from_its_cache():
    distributed = pytest.importorskip("distributed", reason="the Dask backend needs: pip install 'orgchange[dask]'")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        executor = dask_executor(client)
        # With Dask's default pure=True, two equal calls would share one key and one result.
        first, second = executor.submit(os.urandom, 16), executor.submit(os.urandom, 16)
        assert first.result(timeout=30) != second.result(timeout=30)


class ShuffledExecutor(Executor):
    """Runs calls one at a time on a background thread, in random order."""

    def __init__(self, seed: int) -> None:
        self.rng, self.queue, self.lock = random.Random(seed), [], threading.Condition()
        self.order: list[int] = []
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        with self.lock:
            self.queue.append((future, fn, args))
            self.lock.notify()
        return future

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.queue:
                    self.lock.wait()
                time_to_wait = len(self.queue) < 3
            if time_to_wait:  # let a few calls queue up, so there is an order to shuffle
                threading.Event().wait(0.01)
            with self.lock:
                future, fn, args = self.queue.pop(self.rng.randrange(len(self.queue)))
            self.order.append(args[0].run_id)
            future.set_result(fn(*args))


def test_results_do_not_depend_on_the_order_runs_finish_in(experiment_file, serial, tmp_path):
    executor = ShuffledExecutor(seed=3)
    store = tmp_path / "shuffled.sqlite"
    run_experiment(experiment_file, store, executor=executor, workers=4, progress=False)
    assert executor.order != sorted(executor.order)  # the runs really ran out of order
    assert_bit_identical(serial, store)


def test_workers_are_not_forked_from_a_process_with_threads():
    if sys.platform != "linux":
        pytest.skip("fork is used on Linux only")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert backends.start_method() == "forkserver"  # forking with threads running can deadlock
    finally:
        stop.set()
        thread.join()


# --- choosing a backend ----------------------------------------------------------------------------------------
def test_the_automatic_choice():
    assert choose(None, None, None, jobs=SMALL_JOB - 1) == "serial"
    assert choose(None, 1, None, jobs=1000) == "serial"
    assert choose(None, 2, None, jobs=1000) == "processes"
    assert choose(None, None, "tcp://127.0.0.1:8786", jobs=3) == "dask"
    assert choose("dask", 2, None, jobs=3) == "dask"
    if (os.cpu_count() or 1) > 1:
        assert choose(None, None, None, jobs=SMALL_JOB) == "processes"


@pytest.mark.parametrize(("args", "message"), [
    (("grid", None, None), "--executor: must be one of 'serial', 'processes', 'dask', got 'grid'"),
    ((None, 0, None), "--workers: must be an integer >= 1, got 0"),
    (("serial", 2, None), "--workers: the serial executor runs one run at a time, got 2"),
    (("processes", None, "tcp://h:8786"), "--scheduler: only the 'dask' executor connects to a scheduler"),
])
def test_bad_backend_options_are_named(args, message):
    with pytest.raises(ExperimentError) as info:
        choose(*args, jobs=10)
    assert message in str(info.value)


def test_an_unreachable_scheduler_gets_a_clear_error(experiment_file, tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="the Dask backend needs: pip install 'orgchange[dask]'")
    import socket

    monkeypatch.setattr("experiments.backends.CONNECT_TIMEOUT", "1s")

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    experiment = Experiment.from_toml(experiment_file).replace(replicates=1)
    with pytest.raises(ExperimentError, match=f"--scheduler: cannot connect to 'tcp://127.0.0.1:{port}'"):
        run_experiment(experiment, tmp_path / "r.sqlite", scheduler=f"tcp://127.0.0.1:{port}", progress=False)
    assert not (tmp_path / "r.sqlite").exists()  # checked before anything is written


# --- the progress bar -----------------------------------------------------------------------------------------------
def test_the_progress_bar_shows_runs_done_failed_and_time_left():
    out = io.StringIO()
    bar = Progress(10, done=2, stream=out, enabled=True)
    assert "2/10 runs" in out.getvalue() and "? left" in out.getvalue()  # no pace yet: runs stored before
    bar.update()
    bar.update(failed=True)
    bar.bar.refresh()
    line = out.getvalue().rsplit("\r", 1)[-1]
    assert " 40%|" in line and "4/10 runs, 1 failed" in line
    assert re.search(r"so far, \d\d:\d\d left", line)  # a time left, now that runs have finished
    bar.close()
    assert out.getvalue().endswith("\n")


def test_the_progress_bar_is_silent_off_a_terminal():
    out = io.StringIO()  # not a terminal
    bar = Progress(5, stream=out)
    bar.update()
    bar.close()
    assert out.getvalue() == ""


def test_a_worker_lets_finished_models_go():
    """Mesa 3.3 keeps every model in a class-level registry; the worker must
    release each one, or a long sweep grows without end."""
    import mesa

    from experiments.worker import RunTask, execute_run
    from simulation import Config

    task = RunTask(0, Config(staff=61, weeks=3, seed=424242).as_dict(), ("quality",))
    for _ in range(3):
        assert execute_run(task).error is None
    kept = [m for m in getattr(mesa.Agent, "_ids", {}) if getattr(getattr(m, "config", None), "seed", None) == 424242]
    assert kept == []


# --- the imports out of the garbage collector's sight ------------------------------------------------------
def test_imports_are_frozen_once_per_process_and_again_in_a_forked_worker(monkeypatch):
    import gc

    from simulation import heap

    heap.freeze_imports()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    made = [[] for _ in range(1000)]  # tracked objects, made after the freeze
    heap.freeze_imports()  # the same process: nothing more is frozen
    assert gc.get_freeze_count() == frozen
    # A worker forked from this process inherits the record of who froze, with a pid of its own:
    # it freezes what it has made since.
    monkeypatch.setattr(heap, "_frozen_in", os.getpid() + 1)
    heap.freeze_imports()
    assert gc.get_freeze_count() >= frozen + len(made)

"""Run an experiment into its store: `run_experiment`.

The loop is the same for every backend. It keeps a few runs more than there
are workers in flight (so no worker waits, and a sweep of a million runs
does not queue a million tasks), stores each run as it finishes, in the
order runs finish, and submits the next. Since every run's seed is fixed by
the experiment, the order does not matter: the store ends the same.
"""

from __future__ import annotations

import datetime as dt
import time
import tomllib
import warnings
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    as_completed,
    wait,
)
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from experiments.backends import open_backend
from experiments.errors import ExperimentArgumentError
from experiments.experiment import Experiment, RunSpec
from experiments.integrity import unstarted
from experiments.lock import StoreLock
from experiments.manifest import build_manifest, package_versions
from experiments.progress import Progress
from experiments.store import Store, check_new
from experiments.worker import RunResult, RunTask, execute_run, execute_runs
from simulation.engines import engine
from simulation.outputs import check_choice
from simulation.wording import plural

IN_FLIGHT = 2
"""Runs in flight per worker: one running, one waiting, so a worker never idles."""


@dataclass
class Summary:
    """What `run_experiment` did.

    Attributes
    ----------
    path
        The store.
    total, done, failed, pending
        Runs in the store, by status, at the end.
    resumed
        Runs already finished (done or failed) when this session started.
    ran
        Runs finished in this session.
    elapsed
        Seconds for the whole call, backend start-up and storage included.
    run_seconds
        Sum of this session's runs' own times (each measured in its worker).
    store_seconds
        Seconds this process spent writing results to the store.
    backend, workers
        Where the runs ran, and how many at once.
    errors
        ``(run_id, first line of the error)`` of each run that failed in this session.
    """

    path: Path
    total: int
    done: int
    failed: int
    pending: int
    resumed: int
    ran: int
    elapsed: float
    run_seconds: float
    store_seconds: float
    backend: str
    workers: int
    errors: list[tuple[int, str]] = field(default_factory=list)


def run_experiment(experiment: Experiment | str | Path, store: str | Path,
                   executor: str | Executor | None = None, workers: int | None = None,
                   scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
                   retry_failed: bool = False, progress: bool | None = None,
                   log: Callable[[str], None] | None = None) -> Summary:
    """Run every run of ``experiment`` and store it in the SQLite file ``store``.

    Parameters
    ----------
    experiment
        An `Experiment`, or the path of an experiment TOML file.
    store
        The results file. A new experiment refuses an existing file unless
        ``overwrite`` (a file whose creation was interrupted holds no
        results, and is started again). Whatever the options, a store that
        another process is writing is refused with `StoreInUse`, naming
        that process; the store's lock is held until this call returns.
    executor
        ``"serial"``, ``"processes"``, ``"dask"``, any
        `concurrent.futures.Executor`, or None to choose: serial for one
        worker or a small job, else processes (Dask if ``scheduler`` is set).
    workers
        Processes (or Dask workers of a local cluster); default: all cores.
    scheduler
        Address of a running Dask scheduler, ``tcp://host:8786``.
    resume
        Finish an existing store: skip its finished runs, run the rest. The
        experiment must be the one the store was made from, and the store
        must pass every check (`experiments.integrity`): a damaged one is
        refused with `StoreDamaged`. A missing store, or one whose creation
        was interrupted, is simply started.
    retry_failed
        With ``resume``, run the failed runs again too.
    progress
        Show a progress bar on standard error (default: if it is a terminal).
    log
        Called with each one-line notice (which backend, warnings on resume).

    Returns
    -------
    Summary
        Read the results with `experiments.load`.
    """
    started = time.perf_counter()
    experiment = experiment if isinstance(experiment, Experiment) else Experiment.from_toml(experiment)
    path = Path(store)
    check_choice(resume, overwrite, ExperimentArgumentError)
    if retry_failed and not resume:
        raise ExperimentArgumentError("{retry_failed}: only with {resume}")
    experiment.check()
    specs = experiment.runs()
    say = log or (lambda message: warnings.warn(message, stacklevel=3))

    # Everything that can go wrong is checked before the store is written:
    # the experiment above; here, that no other process writes the store
    # (its lock, held to the end), then the store itself; the backend (say,
    # an unreachable scheduler) as it opens.
    db = None
    lock = StoreLock(path)
    try:
        _make_folder(path)
        lock.acquire()
        stub = unstarted(path)
        if stub:
            say(f"note: {str(path)!r} was left unfinished by an interrupted start and holds no results; "
                f"starting it again")
        if resume and path.exists() and not stub:
            db = Store.open(path, lock=lock)
            _check_same(db, experiment, path, say)
            if retry_failed:
                db.retry_failed()
        else:
            check_new(path, overwrite)
        with open_backend(executor, workers, scheduler, jobs=len(db.todo()) if db else len(specs)) as backend:
            if db is None:
                db = Store.create(path, experiment, specs, build_manifest(experiment), overwrite=overwrite,
                                  lock=lock)
            before = db.counts()
            todo = db.todo()
            if log:
                log(f"{experiment.name}: {plural(len(specs), 'run')}, {before['done'] + before['failed']} already "
                    f"finished, {len(todo)} to run on {backend.name}")
            db.set_manifest("sessions", [*db.manifest().get("sessions", []), {
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "backend": backend.name,
                "workers": backend.workers, "to_run": len(todo)}])
            stats: dict[str, Any] = {"run_seconds": 0.0, "store_seconds": 0.0, "ran": 0}
            errors: list[tuple[int, str]] = []
            bar = Progress(len(specs), done=before["done"], failed=before["failed"], enabled=progress)
            try:
                _run_all(experiment, specs, todo, backend.executor, IN_FLIGHT * backend.workers, db, bar, stats,
                         errors, backend.batch)
            finally:
                bar.close()
            after = db.counts()
    finally:
        if db is not None:
            db.close()
        lock.release()
    return Summary(path, len(specs), after["done"], after["failed"], after["pending"],
                   before["done"] + before["failed"], stats["ran"], time.perf_counter() - started,
                   stats["run_seconds"], stats["store_seconds"], backend.name, backend.workers, errors)


def _run_all(experiment: Experiment, specs: list[RunSpec], todo: list[int], executor: Executor, window: int,
             db: Store, bar: Progress, stats: dict[str, Any], errors: list[tuple[int, str]], batch: int = 1) -> None:
    """Submit the runs of ``todo``, at most ``window`` tasks at a time, and
    store each run as it finishes. A task is one run, or with ``batch`` > 1
    up to ``batch`` runs (`experiments.worker.execute_runs`)."""

    @lru_cache(maxsize=64)  # replicates of one point and strategy are consecutive: build its config once
    def values(point: int, strategy: str) -> dict[str, Any]:
        return experiment.config_for(point, strategy).as_dict()

    queue = iter(todo)
    pending: dict[Future, list[int]] = {}  # each task's runs

    def task_of(run_id: int) -> RunTask:
        spec = specs[run_id]
        # With a posterior, the run's calibrated parameters are drawn from its seed alone.
        return RunTask(run_id, {**values(spec.point, spec.strategy), "seed": spec.seed,
                                **experiment.drawn_values(spec.seed)}, experiment.metrics)

    def submit_more() -> None:
        while len(pending) < window:
            run_ids = list(islice(queue, batch))
            if not run_ids:
                return
            future: Future[Any]
            if batch == 1:
                future = executor.submit(execute_run, task_of(run_ids[0]))
            else:
                future = executor.submit(execute_runs, [task_of(run_id) for run_id in run_ids])
            pending[future] = run_ids

    def store(future: Future) -> None:
        run_ids = pending.pop(future)
        for result in _results_of(future, run_ids, batched=batch > 1):
            began = time.perf_counter()
            db.record(result)
            stats["store_seconds"] += time.perf_counter() - began
            stats["run_seconds"] += result.wall_time
            stats["ran"] += 1
            if result.error is not None:
                errors.append((result.run_id, result.error.splitlines()[0]))
            bar.update(failed=result.error is not None)

    if isinstance(executor, ProcessPoolExecutor) and _uses_compiled_engine(experiment):
        # Compiled here, once, the compiled engine's loop is inherited by
        # workers as they fork, rather than compiled again in each of them.
        engine("compiled")  # a clear error now if Numba is missing, rather than in every run
        from simulation.compiled import warm_up

        warm_up()
    try:
        submit_more()
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                store(future)
            submit_more()
    except KeyboardInterrupt:
        # Stop: cancel what has not started, and keep the runs already under
        # way (each a single run). A second Ctrl-C stops at once.
        for future in pending:
            future.cancel()
        try:
            for future in as_completed(list(pending)):
                if not future.cancelled():
                    store(future)
        except KeyboardInterrupt:
            pass
        raise


def _make_folder(path: Path) -> None:
    """The store's folder, created if missing; an error names the store."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None


def _uses_compiled_engine(experiment: Experiment) -> bool:
    return experiment.base.engine == "compiled" or any(
        point.get("engine") == "compiled" for point in experiment.points.points)


def _results_of(future: Future, run_ids: list[int], batched: bool) -> list[RunResult]:
    """The results of a task's runs (one run, or a batch of them); runs lost
    to their backend (not to the model, whose errors come back as results)
    are recorded as failed, except that a dead process pool stops the
    experiment."""
    try:
        return future.result() if batched else [future.result()]
    except BrokenExecutor as err:
        raise ExperimentArgumentError("a worker process stopped unexpectedly ({err}); the finished runs are stored: "
                                      "run again with {resume}", err=str(err)) from None
    except BaseException as err:  # noqa: B036 - e.g. Dask's KilledWorker, or a cancelled task
        if isinstance(err, KeyboardInterrupt):
            raise
        return [RunResult(run_id, None, None, None, 0.0, f"{type(err).__name__}: {err}") for run_id in run_ids]


def _check_same(db: Store, experiment: Experiment, path: Path, say: Callable[[str], None]) -> None:
    """Resume only the experiment the store was made from; warn if the
    software has changed since, as results may then differ."""
    manifest = db.manifest()
    stored, current = manifest["experiment_resolved"], experiment.to_toml()
    if stored != current:
        where = _first_difference(tomllib.loads(stored), tomllib.loads(current))
        raise ExperimentArgumentError("{resume}: {path!r} holds a different experiment ({where}); "
                                      "use {overwrite} to start it again, or another {store}",
                                      path=str(path), where=where)
    changed = [f"{name} {was} -> {now}" for name, now in package_versions().items()
               if (was := manifest.get("versions", {}).get(name, now)) != now]
    if changed:
        say(f"warning: resuming with other versions than the store was started with ({', '.join(changed)}); "
            f"results may differ from an uninterrupted run")


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{where}.{key}" if where else key)
    return f"{where or 'the experiment'}: {a!r} in the store, {b!r} now"

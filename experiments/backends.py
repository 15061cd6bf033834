"""Where runs execute: every backend is a `concurrent.futures.Executor`.

The runner only calls ``executor.submit(execute_run, task)`` and waits on
the futures, so any executor works, including your own. Three are built in:

``serial``
    Each run in this process, one after the other (`SerialExecutor`). The
    default for small jobs, and the easiest to debug.
``processes``
    A local pool of worker processes (`process_pool`), one run per process
    at a time. The default when there are enough runs to share out.
``dask``
    A Dask distributed cluster (`dask_executor`; the optional extra
    ``pip install 'orgchange[dask]'``): an existing one at ``scheduler``
    (``tcp://host:8786``), or else a local cluster started for the
    experiment and closed after it.

Which backend runs a job never changes its results: every run's seed is
fixed by the experiment (see `experiments.experiment.run_seed`).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from experiments.errors import ExperimentError
from simulation.heap import freeze_imports

EXECUTORS = ("serial", "processes", "dask")
SMALL_JOB = 8
"""Below this many runs, the automatic choice is ``serial``: starting worker
processes would cost more than it saves."""
DASK_HINT = "the Dask backend needs the optional extra: pip install 'orgchange[dask]'"
CONNECT_TIMEOUT = "15s"
"""How long to try to reach a Dask scheduler before giving up."""


class SerialExecutor(Executor):
    """Run each call at once, in this process, and hand back a finished future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # delivered through the future, as other executors do
            future.set_exception(err)
        return future


def _init_worker() -> None:
    """Set up a worker process of the pool.

    * Ctrl-C reaches every process of the terminal's group; only the main
      process should act on it (it stops submitting, and the workers finish
      the run in hand and leave).
    * If the main process dies without shutting the pool down (``kill -9``),
      nothing would tell the workers: they would wait for work forever. So a
      watchdog thread waits on the main process's sentinel, which becomes
      ready when it dies, and ends the worker then.
    * The model is imported now, and everything imported is then moved out
      of the garbage collector's sight (`gc.freeze`): it lives as long as
      the worker, and a full collection would otherwise walk all of numpy,
      pandas, scipy and Mesa again every so often, a few milliseconds each.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = mp.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="orgchange-watchdog", daemon=True).start()
    import experiments.worker  # noqa: F401  (already there when forked: then this costs nothing)
    import simulation  # noqa: F401

    freeze_imports()


def _settle_dask_worker() -> None:
    """Set up a Dask worker as `_init_worker` sets up a pool's: the model
    imported, and everything imported so far out of the garbage collector's
    sight (`gc.freeze`), so that its collections, which a worker building
    thousands of models triggers often, do not walk all of numpy, pandas,
    scipy, Mesa and distributed every time. Run on every worker by
    ``client.run``; doing it again costs nothing."""
    import experiments.worker  # noqa: F401
    import simulation  # noqa: F401

    freeze_imports()


def dask_batch(jobs: int, workers: int) -> int:
    """Runs per Dask task: up to `DASK_BATCH`, but few enough that every
    worker gets a share of a short job (with the runner's window of two
    tasks per worker in flight, four batches a worker at least)."""
    return max(1, min(DASK_BATCH, jobs // (4 * workers)))


def _exit_with(parent: mp.process.BaseProcess) -> None:
    parent.join()  # returns once the main process has gone
    os._exit(1)


def start_method() -> str:
    """How worker processes start.

    ``fork`` on Linux while this process has a single thread: workers start
    at once, with the model already imported, and a script needs no
    ``if __name__ == "__main__":`` guard. Forking a process that has other
    threads (a Dask client, say) can deadlock, so then workers come from a
    fork server, which has imported the model once; and on other systems
    (macOS, Windows), they are spawned. Those two start each worker by
    importing the main module afresh, so a script must then guard its call
    of `run_experiment`, as multiprocessing always requires.
    """
    methods = mp.get_all_start_methods()
    if sys.platform == "linux" and threading.active_count() == 1 and "fork" in methods:
        return "fork"
    return "forkserver" if sys.platform == "linux" and "forkserver" in methods else "spawn"


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes (see `start_method`)."""
    context = mp.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["experiments.worker", "simulation"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker)


def dask_executor(client: Any) -> Executor:
    """A Dask distributed `Client` as a `concurrent.futures.Executor`
    (distributed's own ``Client.get_executor``).

    Dask treats calls as pure by default: two calls with equal arguments
    share one key, and the second gets the first one's cached result. Here
    every call is impure (``pure=False``), so it gets a key of its own and no
    run is ever silently answered from another's cache.
    """
    return client.get_executor(pure=False)


DASK_BATCH = 8
"""Runs per Dask task at most. Dask's scheduler costs about ten milliseconds
a task, several times what a local process pool costs a run; shipping runs
in batches shares that cost (`experiments.worker.execute_runs`)."""


@dataclass
class Backend:
    """An open executor, what to call it, how many runs it can take at once,
    and how many runs to send it in one task (``batch``, at most)."""

    executor: Executor
    name: str
    workers: int
    batch: int = 1


def choose(executor: str | Executor | None, workers: int | None, scheduler: str | None, jobs: int) -> str:
    """The backend to use: ``executor`` if named, else ``dask`` when a
    scheduler is given, ``serial`` for one worker or a small job, and
    ``processes`` otherwise."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ExperimentError(f"--workers: must be an integer >= 1, got {workers!r}")
    if isinstance(executor, Executor):
        return "custom"
    if executor is not None and executor not in EXECUTORS:
        raise ExperimentError(f"--executor: must be one of {', '.join(repr(e) for e in EXECUTORS)}, "
                              f"got {executor!r}")
    if scheduler and executor not in (None, "dask"):
        raise ExperimentError(f"--scheduler: only the 'dask' executor connects to a scheduler, not {executor!r}")
    if executor == "serial" and workers not in (None, 1):
        raise ExperimentError(f"--workers: the serial executor runs one run at a time, got {workers}")
    if executor is not None:
        return executor
    if scheduler:
        return "dask"
    if workers == 1 or (workers is None and (jobs < SMALL_JOB or (os.cpu_count() or 1) == 1)):
        return "serial"
    return "processes"


@contextmanager
def open_backend(executor: str | Executor | None = None, workers: int | None = None,
                 scheduler: str | None = None, jobs: int = 0) -> Iterator[Backend]:
    """Open the chosen backend for ``jobs`` runs, and close what it started.

    An `Executor` you pass in is used as it is and left open: it is yours.
    """
    kind = choose(executor, workers, scheduler, jobs)
    cores = os.cpu_count() or 1
    if isinstance(executor, Executor):  # kind "custom"
        yield Backend(executor, type(executor).__name__, workers or cores)
    elif kind == "serial":
        yield Backend(SerialExecutor(), "serial (this process)", 1)
    elif kind == "processes":
        n = max(1, min(workers or cores, jobs or 1))  # no idle processes for a short job
        pool = process_pool(n)
        try:
            yield Backend(pool, f"{n} worker process{'es' if n > 1 else ''}", n)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        with _dask_client(workers or cores, scheduler) as (client, name):
            n = max(1, sum(client.nthreads().values()))
            client.run(_settle_dask_worker)
            futures = dask_executor(client)
            try:
                yield Backend(futures, name.format(n=n), n, dask_batch(jobs, n))
            finally:
                futures.shutdown(wait=False)  # cancels what is still queued


@contextmanager
def _dask_client(workers: int, scheduler: str | None) -> Iterator[tuple[Any, str]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError(DASK_HINT) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise ExperimentError(f"--scheduler: cannot connect to {scheduler!r}: {err}") from None
        try:
            yield client, f"Dask cluster at {scheduler} ({{n}} worker threads)"
        finally:
            client.close()
        return
    # One single-threaded worker process per core, on loopback only, with no
    # dashboard: a private cluster for this experiment.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client, "Dask local cluster ({n} workers on 127.0.0.1)"
    finally:
        client.close()
        cluster.close()

"""pyabc's sampler on orgchange's backends, with every particle seeded: `SeededSampler`.

pyabc's `ConcurrentFutureSampler` hands each simulation (a "job": draw a
parameter, run the model, compute the distance) to any executor with
``submit``, so the serial executor, the process pool and Dask of
`experiments.backends` all serve. It numbers jobs in the order it submits
them, and keeps, of every generation, the jobs from the first up to the one
that brings the n-th acceptance, whatever order they finish in (pyabc's
"first start" rule, which keeps the sample unbiased).

On its own, each job seeds numpy from the operating system's entropy, so
two runs differ. Here each job seeds numpy's global generator (which pyabc
and scipy.stats draw from) from ``(root seed, generation, job number)``
instead. A job's outcome then depends on its number alone, and the kept
jobs are fixed by their numbers: the posterior is the same for the same seed
on any backend, with any number of workers, and after an interrupted run is
resumed. What may differ is only how many extra jobs run (and are thrown
away) beyond the last one kept: pyabc's count of simulations, not the
posterior.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import ConcurrentFutureSampler


def seed_numpy(seed: int, generation: int, job: int) -> None:
    """Seed numpy's and Python's global generators for one job."""
    state = np.random.SeedSequence(seed, spawn_key=(generation, job)).generate_state(4)
    np.random.seed(state)  # noqa: NPY002 - the legacy generator is the one pyabc and scipy.stats draw from
    random.seed(int(state[0]))


_UNPICKLED: dict[bytes, Callable[[], Any]] = {}
"""This process's last unpickled job function: every job of a generation
ships the same one, and unpickling it costs more than many a model run."""


def run_jobs(simulate_one_pickle: bytes, job_ids: list[int], seed: int, generation: int) -> list[tuple]:
    """Run the jobs ``job_ids`` of one generation, each seeded by its number;
    return what pyabc's sampler expects: (result, accepted, job id) each."""
    simulate_one = _UNPICKLED.get(simulate_one_pickle)
    if simulate_one is None:
        _UNPICKLED.clear()
        simulate_one = _UNPICKLED[simulate_one_pickle] = cloudpickle.loads(simulate_one_pickle)
    batch = []
    for job in job_ids:
        seed_numpy(seed, generation, job)
        result = simulate_one()
        batch.append((result, result.accepted, job))
    return batch


class _SeededClient:
    """An executor as pyabc's sampler sees it, submitting `run_jobs` in place
    of pyabc's own job function (which would seed from entropy)."""

    def __init__(self, executor: Executor, seed: int) -> None:
        self.executor = executor
        self.seed = seed
        self.generation = 0

    def submit(self, _function, simulate_one_pickle: bytes, _batch_size: int, job_ids: list[int]) -> Future:
        return self.executor.submit(run_jobs, simulate_one_pickle, list(job_ids), self.seed, self.generation)


class SeededSampler(ConcurrentFutureSampler):
    """pyabc's `ConcurrentFutureSampler` on ``executor``, each job seeded
    from ``seed`` (see the module's documentation).

    Parameters
    ----------
    executor
        Any `concurrent.futures.Executor` (`experiments.backends.open_backend`).
    workers
        How many jobs it runs at once; twice as many are kept in flight.
    seed
        The root seed.
    """

    def __init__(self, executor: Executor, workers: int, seed: int) -> None:
        # At least 8 in flight: on the serial executor each submission runs at
        # once, and pyabc sleeps 10 ms between rounds of submissions.
        super().__init__(_SeededClient(executor, seed), client_max_jobs=max(8, 2 * workers), batch_size=1)

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        # pyabc's generation t is -1 for the calibration sample drawn from
        # the prior; spawn keys must not be negative.
        self.client.generation = t + 1
        return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)

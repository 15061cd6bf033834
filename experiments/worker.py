"""The function that carries out one run, in whatever process runs it.

It is a top-level function of an importable module, taking and returning
plain data (a dict of parameter values, numpy arrays), so that every backend
can ship it: pickled to a local worker process, or to a Dask worker on
another machine (which needs orgchange installed).
"""

from __future__ import annotations

import time
import traceback
from typing import NamedTuple

import numpy as np


class RunTask(NamedTuple):
    """What a worker needs for one run."""

    run_id: int
    values: dict  # every parameter of the run's Config (`Config.as_dict`), its seed included
    metrics: tuple[str, ...]  # the columns to send back


class RunResult(NamedTuple):
    """What a worker sends back.

    ``weeks`` (int64) and ``values`` (float64, weeks x metrics) are the time
    series; both are None, and ``error`` says why, if the run raised.
    ``leader_hours`` is the run's leader effort: the mean leader-hours per
    week over weeks 1 to the horizon. ``wall_time`` is the run's own time in
    seconds (building and running the model), measured in the worker.
    """

    run_id: int
    weeks: np.ndarray | None
    values: np.ndarray | None
    leader_hours: float | None
    wall_time: float
    error: str | None


def execute_run(task: RunTask) -> RunResult:
    """Build and run the model of ``task``. Never raises for a model error:
    the error (type, message and traceback) comes back in the result, so one
    bad run is recorded as failed and the rest go on."""
    started = time.perf_counter()
    try:
        from simulation import Config, OrgChangeModel

        model = OrgChangeModel(Config(**task.values))
        df = model.run()
        model.release()  # a worker builds thousands of models
        weeks = df["week"].to_numpy(dtype=np.int64)
        values = df[list(task.metrics)].to_numpy(dtype=np.float64)
        effort = df["leader_hours"].to_numpy(dtype=np.float64)[1:]
        leader_hours = float(effort.mean()) if len(effort) else 0.0
        return RunResult(task.run_id, weeks, values, leader_hours, time.perf_counter() - started, None)
    except Exception as err:  # any model error is the run's result, not the sweep's
        message = f"{type(err).__name__}: {err}\n\n{traceback.format_exc()}"
        return RunResult(task.run_id, None, None, None, time.perf_counter() - started, message)


def execute_runs(tasks: list[RunTask]) -> list[RunResult]:
    """`execute_run` of each of ``tasks``, in turn: a batch of runs shipped
    as one task, for backends whose every task costs milliseconds to
    schedule (Dask), so that the cost is shared by the batch."""
    return [execute_run(task) for task in tasks]

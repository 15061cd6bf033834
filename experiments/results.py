"""Reading an experiment's store back as pandas DataFrames.

>>> from experiments import load
>>> results = load("results.sqlite")                           # doctest: +SKIP
>>> results.runs.groupby("strategy").leader_hours.mean()       # doctest: +SKIP
>>> results.tidy().query("week == 260").groupby("strategy").quality.mean()  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.errors import ExperimentError, StoreDamaged, store_failure
from experiments.experiment import Experiment
from experiments.store import open_checked

RUN_KEYS = ["run_id", "point", "strategy", "replicate", "seed"]
RUN_OUTCOMES = ["status", "error", "wall_time", "leader_hours"]


@dataclass
class Results:
    """An experiment's results.

    Attributes
    ----------
    runs
        One row per run: ``run_id, point, strategy, replicate, seed``, then
        one column per varied parameter, then ``status`` (pending, done or
        failed), ``error``, ``wall_time`` (seconds) and ``leader_hours``
        (mean leader-hours per week, weeks 1 to the horizon).
    timeseries
        Tidy: one row per finished run and week, ``run_id, week`` and one
        column per kept metric (floats).
    manifest
        Versions, seeds, the experiment file and the design (see
        `experiments.store`).
    experiment
        The `Experiment`, rebuilt from the store's self-contained copy
        (None, with a warning, if this orgchange can no longer read it).
    """

    runs: pd.DataFrame
    timeseries: pd.DataFrame
    manifest: dict[str, Any]
    experiment: Experiment | None

    @property
    def parameters(self) -> list[str]:
        """The varied parameters: the design's columns of `runs`."""
        return list(self.manifest["design"].get("parameters", {}))

    def tidy(self) -> pd.DataFrame:
        """`timeseries` joined with each run's keys and varied parameters:
        ``run_id, point, strategy, replicate, seed, <parameters>, week,
        <metrics>``, for finished runs."""
        keys = self.runs[RUN_KEYS + self.parameters]
        return keys.merge(self.timeseries, on="run_id", how="inner", validate="one_to_many")


def load(path: str | Path, timeseries: bool = True) -> Results:
    """Read the store at ``path``. It may still be running, or have been
    stopped: the runs it has are there, the others are ``pending``.
    ``timeseries=False`` skips the (large) time series table.

    The store is checked first (`experiments.integrity`): a damaged one
    raises `experiments.errors.StoreDamaged`, naming the file and the fault.
    """
    connection, manifest = open_checked(path)
    try:
        return read_results(connection, Path(path), manifest, timeseries)
    finally:
        connection.close()


def read_results(connection: sqlite3.Connection, path: Path, manifest: dict[str, Any],
                 timeseries: bool = True) -> Results:
    """`load`, from a connection that `experiments.store.open_checked` opened."""
    parameters = list(manifest["design"].get("parameters", {}))
    with reading(path):
        runs = pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", connection)
        series = pd.read_sql_query(
            "SELECT * FROM timeseries ORDER BY run_id, week" if timeseries else "SELECT * FROM timeseries LIMIT 0",
            connection)
        return Results(_expand(runs, parameters), _typed(series, manifest), manifest, _experiment(manifest))


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Around reads of the store at ``path``: an SQLite error, bare or as
    pandas wraps it, and a stored value that cannot be decoded, raise what
    they mean (`experiments.errors.store_failure`), naming the file."""
    try:
        yield
    except ExperimentError:
        raise
    except (sqlite3.Error, pd.errors.DatabaseError) as err:
        cause = err if isinstance(err, sqlite3.Error) else err.__cause__
        if isinstance(cause, sqlite3.Error):
            raise store_failure(cause, path, reading=True) from None
        raise StoreDamaged(f"results file {str(path)!r} is damaged or unreadable: {err}") from None
    except (ValueError, TypeError) as err:  # a value that no longer decodes: JSON, a number
        raise StoreDamaged(f"results file {str(path)!r} is damaged: {err}") from None


def _expand(runs: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """The ``params`` JSON as one column per varied parameter."""
    values = [_params(run_id, text) for run_id, text in zip(runs["run_id"].tolist(), runs.pop("params"))]
    params = pd.DataFrame.from_records(values, columns=parameters, index=runs.index)
    for name in parameters:  # one type per column: ints stay ints, floats floats
        params[name] = pd.Series(params[name].tolist(), index=runs.index, dtype=_dtype(params[name]))
    runs = pd.concat([runs[RUN_KEYS], params, runs[RUN_OUTCOMES]], axis=1)
    return runs.astype({"wall_time": float, "leader_hours": float})


def _params(run_id: int, text: Any) -> dict[str, Any]:
    try:
        values = json.loads(text)
    except (TypeError, ValueError):
        values = None
    if not isinstance(values, dict):
        raise ValueError(f"run {run_id}: its params must be a JSON table of the varied parameters, got {text!r}")
    return values


def _dtype(column: pd.Series) -> Any:
    kinds = {type(v) for v in column}
    return kinds.pop() if len(kinds) == 1 and next(iter(kinds), None) in (int, float, bool) else object


def _typed(series: pd.DataFrame, manifest: dict[str, Any]) -> pd.DataFrame:
    columns = ["run_id", "week", *manifest["metrics"]]
    series = series.reindex(columns=columns)
    return series.astype({"run_id": "int64", "week": "int64", **{m: "float64" for m in manifest["metrics"]}})


def _experiment(manifest: dict[str, Any]) -> Experiment | None:
    try:
        experiment = Experiment.loads(manifest["experiment_resolved"])
        # Where it came from, for reference (its paths are stored absolute).
        return dataclasses.replace(experiment, source=manifest.get("experiment_path", ""),
                                   text=manifest.get("experiment_toml", ""))
    except ExperimentError as err:
        warnings.warn(f"the stored experiment cannot be rebuilt by this orgchange ({err}); "
                      f"results.experiment is None", stacklevel=4)
        return None

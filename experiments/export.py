"""Write a store's results as CSV or Parquet files: `export`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd

from experiments.errors import ExperimentArgumentError
from experiments.results import load
from experiments.store import connect_read_only
from simulation.outputs import prepare_folder

FORMATS = ("csv", "parquet")
WRITTEN = tuple(f"{table}.{fmt}" for fmt in FORMATS for table in ("runs", "timeseries")) + (
    "manifest.json", "experiment.toml")
"""Every file an export may write: those of both formats, so that an export
replaced in another format leaves no stale table behind."""
CHUNK = 200_000
"""Time-series rows per chunk when writing CSV, so a big store need not fit in memory."""


def export(store: str | Path, folder: str | Path, fmt: str = "csv", overwrite: bool = False) -> list[Path]:
    """Write ``runs``, ``timeseries`` (``.csv`` or ``.parquet``),
    ``manifest.json`` and ``experiment.toml`` (the experiment file as given)
    into ``folder``; return the paths written.

    A folder that already holds an export is refused unless ``overwrite``,
    which replaces it. Parquet needs pyarrow (or fastparquet), which
    orgchange does not install.
    """
    if fmt not in FORMATS:
        raise ExperimentArgumentError("must be one of {allowed}, got {got!r}", ("fmt",), allowed=", ".join(FORMATS),
                                      got=fmt)
    if fmt == "parquet" and not any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet")):
        raise ExperimentArgumentError("parquet needs pyarrow: pip install pyarrow (orgchange does not install it), "
                                      "or write csv", ("fmt",))
    results = load(store, timeseries=(fmt == "parquet"))
    folder = Path(folder)
    prepare_folder(folder, WRITTEN, overwrite, "folder", error=ExperimentArgumentError)
    runs, series = folder / f"runs.{fmt}", folder / f"timeseries.{fmt}"
    if fmt == "csv":
        results.runs.to_csv(runs, index=False)
        _timeseries_csv(store, series, results.manifest["metrics"])
    else:
        results.runs.to_parquet(runs, index=False)
        results.timeseries.to_parquet(series, index=False)
    manifest, toml = folder / "manifest.json", folder / "experiment.toml"
    manifest.write_text(json.dumps(results.manifest, indent=2) + "\n", encoding="utf-8")
    toml.write_text(results.manifest["experiment_toml"], encoding="utf-8")
    return [runs, series, manifest, toml]


def _timeseries_csv(store: str | Path, path: Path, metrics: list[str]) -> None:
    """The time series, read and written a chunk at a time."""
    connection = connect_read_only(store)
    try:
        chunks = pd.read_sql_query("SELECT * FROM timeseries ORDER BY run_id, week", connection, chunksize=CHUNK)
        with path.open("w", encoding="utf-8", newline="") as out:
            header = True
            for chunk in chunks:
                chunk = chunk.reindex(columns=["run_id", "week", *metrics])
                chunk.to_csv(out, index=False, header=header)
                header = False
            if header:  # no finished run: still write the header
                pd.DataFrame(columns=["run_id", "week", *metrics]).to_csv(out, index=False)
    finally:
        connection.close()

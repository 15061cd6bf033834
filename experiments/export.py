"""Write a store's results as CSV or Parquet files: `export`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd

from experiments.errors import ExperimentError
from experiments.results import load
from experiments.store import connect_read_only

FORMATS = ("csv", "parquet")
CHUNK = 200_000
"""Time-series rows per chunk when writing CSV, so a big store need not fit in memory."""


def export(store: str | Path, folder: str | Path, fmt: str = "csv") -> list[Path]:
    """Write ``runs``, ``timeseries`` (``.csv`` or ``.parquet``),
    ``manifest.json`` and ``experiment.toml`` (the experiment file as given)
    into ``folder``; return the paths written.

    Parquet needs pyarrow (or fastparquet), which orgchange does not install.
    """
    if fmt not in FORMATS:
        raise ExperimentError(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and not any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet")):
        raise ExperimentError("--format parquet needs pyarrow: pip install pyarrow (or use --format csv)")
    results = load(store, timeseries=(fmt == "parquet"))
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(f"--output: {str(folder)!r} is a file; give a folder")
    folder.mkdir(parents=True, exist_ok=True)
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

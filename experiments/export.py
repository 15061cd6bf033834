"""Write a store's results as CSV or Parquet files: `export`."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import sqlite3
from pathlib import Path

import pandas as pd

from experiments.errors import ExperimentArgumentError
from experiments.results import read_results, reading
from experiments.store import open_checked
from simulation.outputs import check_folder

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

    A folder that already holds an export is refused unless ``overwrite``
    (the one rule of `simulation.outputs`), which replaces it.

    The store is checked first, and the files are written into a temporary
    folder beside ``folder``, then moved into place: a damaged store, a full
    disk or a kill never leaves half an export, and an export being replaced
    stays whole until the new one is. A new ``folder`` appears whole, in one
    rename; into an existing one, each file is replaced whole, once all four
    are written, and the earlier export's files of the other format are
    removed last.

    Parquet needs pyarrow (or fastparquet), which orgchange does not install.
    """
    if fmt not in FORMATS:
        raise ExperimentArgumentError("must be one of {allowed}, got {got!r}", ("fmt",), allowed=", ".join(FORMATS),
                                      got=fmt)
    if fmt == "parquet" and not any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet")):
        raise ExperimentArgumentError("parquet needs pyarrow: pip install pyarrow (orgchange does not install it), "
                                      "or write csv", ("fmt",))
    store, folder = Path(store), Path(folder)
    connection, manifest = open_checked(store)  # a missing or damaged store is reported before anything is written
    try:
        earlier = check_folder(folder, WRITTEN, overwrite, "folder", error=ExperimentArgumentError)
        results = read_results(connection, store, manifest, timeseries=(fmt == "parquet"))
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Beside the target, so that moving it is a rename; made with mkdir (not
        # mkdtemp, whose folder only its owner may read) to get the usual permissions.
        staging = folder.parent / f".{folder.name}.{os.getpid()}-{secrets.token_hex(4)}.partial"
        staging.mkdir()
        try:
            names = [f"runs.{fmt}", f"timeseries.{fmt}", "manifest.json", "experiment.toml"]
            runs, series, manifest_json, toml = (staging / name for name in names)
            with reading(store):
                if fmt == "csv":
                    results.runs.to_csv(runs, index=False)
                    _timeseries_csv(connection, series, results.manifest["metrics"])
                else:
                    results.runs.to_parquet(runs, index=False)
                    results.timeseries.to_parquet(series, index=False)
            manifest_json.write_text(json.dumps(results.manifest, indent=2) + "\n", encoding="utf-8")
            toml.write_text(results.manifest["experiment_toml"], encoding="utf-8")
            _move_into_place(staging, folder, names, stale=[n for n in earlier if n not in names])
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        connection.close()
    return [folder / name for name in names]


def _timeseries_csv(connection: sqlite3.Connection, path: Path, metrics: list[str]) -> None:
    """The time series, read and written a chunk at a time."""
    chunks = pd.read_sql_query("SELECT * FROM timeseries ORDER BY run_id, week", connection, chunksize=CHUNK)
    with path.open("w", encoding="utf-8", newline="") as out:
        header = True
        for chunk in chunks:
            chunk = chunk.reindex(columns=["run_id", "week", *metrics])
            chunk.to_csv(out, index=False, header=header)
            header = False
        if header:  # no finished run: still write the header
            pd.DataFrame(columns=["run_id", "week", *metrics]).to_csv(out, index=False)


def _move_into_place(staging: Path, folder: Path, names: list[str], stale: list[str]) -> None:
    """The finished files from ``staging`` to ``folder``: the whole folder in
    one rename if it is new, else file by file, each replaced in one step;
    then the ``stale`` files of the export replaced (those of the other
    format) are removed."""
    if not folder.exists():
        try:
            os.rename(staging, folder)
            return
        except OSError:  # it appeared meanwhile, or cannot be renamed onto: file by file
            folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(staging / name, folder / name)
    for name in stale:
        (folder / name).unlink(missing_ok=True)

"""The durable store: one SQLite file per experiment.

SQLite comes with Python and needs no server; one file holds everything::

    runs(run_id INTEGER PRIMARY KEY, point INTEGER, strategy TEXT, replicate INTEGER,
         seed INTEGER, params TEXT, status TEXT, error TEXT, wall_time REAL, leader_hours REAL)
    timeseries(run_id INTEGER, week INTEGER, <one REAL column per kept metric>,
               PRIMARY KEY (run_id, week))
    manifest(key TEXT PRIMARY KEY, value TEXT)

``params`` is the JSON of the design point's varied parameters; ``status``
is ``pending``, ``done`` or ``failed``; ``wall_time`` is the run's own time
in seconds; ``leader_hours`` is its leader effort (mean leader-hours per
week over weeks 1 to the horizon).

How it stays consistent:

* Every run is written as ``pending`` before any runs, in one transaction.
* Only the parent process writes. A finished run's time series and its new
  status go in one transaction, so a run is either entirely stored and
  ``done`` or not stored at all and still ``pending``, whenever the process
  is stopped. The primary keys make a duplicate impossible.
* The journal is a write-ahead log (WAL): readers, such as
  `experiments.load` on a running experiment, never block the writer.
  ``synchronous = NORMAL`` means a commit survives the process being killed,
  though a power cut may lose the last few (which ``--resume`` reruns).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentArgumentError, ExperimentError
from experiments.experiment import Experiment, RunSpec
from experiments.worker import RunResult
from simulation.outputs import check_file

SCHEMA_VERSION = "1"
STATUSES = ("pending", "done", "failed")


class Store:
    """An open experiment store, for the runner that writes it.

    Use `create` for a new experiment and `open` to resume one; read results
    with `experiments.load`.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.metrics = tuple(self.manifest()["metrics"])
        columns = ", ".join(["run_id", "week", *(_quote(m) for m in self.metrics)])
        self._insert = f"INSERT INTO timeseries ({columns}) VALUES ({', '.join('?' * (len(self.metrics) + 2))})"

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, experiment: Experiment, runs: Iterable[RunSpec],
               manifest: dict[str, Any], overwrite: bool = False) -> Store:
        """A new store at ``path`` with every run ``pending``.

        Refuses an existing file unless ``overwrite``, so that finished
        results are never lost by accident.
        """
        path = Path(path)
        check_new(path, overwrite)
        if path.exists():
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = _connect(path)
        points = experiment.points.points
        with _transaction(connection):
            connection.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT)")
            connection.execute(
                "CREATE TABLE runs (run_id INTEGER PRIMARY KEY, point INTEGER, strategy TEXT, "
                "replicate INTEGER, seed INTEGER, params TEXT, status TEXT NOT NULL DEFAULT 'pending', "
                "error TEXT, wall_time REAL, leader_hours REAL)")
            metric_columns = "".join(f", {_quote(m)} REAL" for m in experiment.metrics)
            connection.execute(f"CREATE TABLE timeseries (run_id INTEGER NOT NULL, week INTEGER NOT NULL"
                               f"{metric_columns}, PRIMARY KEY (run_id, week)) WITHOUT ROWID")
            connection.executemany("INSERT INTO manifest VALUES (?, ?)",
                                   [(k, _encode(v)) for k, v in manifest.items()])
            connection.executemany(
                "INSERT INTO runs (run_id, point, strategy, replicate, seed, params) VALUES (?, ?, ?, ?, ?, ?)",
                [(r.run_id, r.point, r.strategy, r.replicate, r.seed, json.dumps(points[r.point]))
                 for r in runs])
        return cls(connection, path)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """An existing store, to resume writing it."""
        path = Path(path)
        check_store(path)
        return cls(_connect(path), path)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        return read_manifest(self.connection)

    def counts(self) -> dict[str, int]:
        """Runs by status."""
        rows = dict(self.connection.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return {status: rows.get(status, 0) for status in STATUSES}

    def todo(self) -> list[int]:
        """Ids of the runs still ``pending``, in order."""
        return [r for (r,) in self.connection.execute(
            "SELECT run_id FROM runs WHERE status = 'pending' ORDER BY run_id")]

    # -- writing ------------------------------------------------------------------------------------
    def retry_failed(self) -> int:
        """Mark every failed run pending again; returns how many."""
        with _transaction(self.connection):
            cursor = self.connection.execute(
                "UPDATE runs SET status = 'pending', error = NULL, wall_time = NULL WHERE status = 'failed'")
        return cursor.rowcount

    def record(self, result: RunResult) -> None:
        """Store one finished run, its time series and its status, in one
        transaction: all of it or (if the process dies) none of it."""
        done = result.error is None
        with _transaction(self.connection):
            cursor = self.connection.execute(
                "UPDATE runs SET status = ?, error = ?, wall_time = ?, leader_hours = ? "
                "WHERE run_id = ? AND status = 'pending'",
                ("done" if done else "failed", result.error, result.wall_time, result.leader_hours, result.run_id))
            if cursor.rowcount != 1:  # rolls the transaction back: a run is never stored twice
                raise ExperimentError(f"run {result.run_id} is not pending in {self.path}; not stored twice")
            if done:
                rows = [(result.run_id, int(w), *v) for w, v in zip(result.weeks.tolist(), result.values.tolist())]
                self.connection.executemany(self._insert, rows)

    def set_manifest(self, key: str, value: Any) -> None:
        with _transaction(self.connection):
            self.connection.execute("INSERT OR REPLACE INTO manifest VALUES (?, ?)", (key, _encode(value)))


# -- helpers shared with experiments.results ---------------------------------------------------------
MANIFEST_JSON = ("root_seed", "n_runs", "design", "metrics", "strategies", "versions", "sessions")
"""Manifest values stored as JSON; the rest are plain text."""


def read_manifest(connection: sqlite3.Connection) -> dict[str, Any]:
    manifest = dict(connection.execute("SELECT key, value FROM manifest").fetchall())
    for key in MANIFEST_JSON:
        if key in manifest:
            manifest[key] = json.loads(manifest[key])
    return manifest


def check_new(path: Path, overwrite: bool = False) -> None:
    """Raise a clear error unless a new store may be written at ``path``:
    an existing one is only replaced with ``overwrite`` (the one rule of
    `simulation.outputs`)."""
    check_file(path, overwrite, "store", resumable=True, what="results file", error=ExperimentArgumentError)


def check_store(path: Path) -> None:
    """Raise a clear error unless ``path`` is an orgchange results file."""
    if not path.exists():
        raise ExperimentError(f"results file {str(path)!r} does not exist")
    if path.is_dir():
        raise ExperimentError(f"{str(path)!r} is a folder, not a results file")
    try:
        connection = _connect_existing(path)
        try:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = connection.execute("SELECT value FROM manifest WHERE key = 'schema_version'").fetchone() \
                if "manifest" in tables else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise ExperimentError(f"{str(path)!r} is not an orgchange results file ({err})") from None
    if not {"runs", "timeseries", "manifest"} <= tables or version is None:
        raise ExperimentError(f"{str(path)!r} is not an orgchange results file (no runs, timeseries and manifest)")
    if version[0] != SCHEMA_VERSION:
        raise ExperimentError(f"{str(path)!r} has store schema {version[0]}, this orgchange reads {SCHEMA_VERSION}")


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection for reading a store (it never creates a missing file)."""
    path = Path(path)
    check_store(path)
    return _connect_existing(path)


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Open an existing file without creating one. Read-write where allowed:
    after a crash, SQLite needs to write to recover the write-ahead log;
    read-only otherwise (say, a results file on a read-only disk)."""
    uri = path.resolve().as_uri()
    try:
        connection = sqlite3.connect(f"{uri}?mode=rw", uri=True)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        return connection
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; `_transaction` says where each begins and ends.
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


class _transaction:
    """``with _transaction(connection):`` commits at the end, or rolls back on any error."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _encode(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)

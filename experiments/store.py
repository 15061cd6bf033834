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
week over weeks 1 to the horizon). `experiments.schema` writes the tables
down once, for creating them and for checking them.

How it stays consistent:

* One writer at a time: a `Store` holds the store's lock
  (`experiments.lock`) while it is open, so a second writer (a plain run,
  ``--resume`` or ``--overwrite``) is refused, naming the process at work.
* A store is complete from the moment it exists. It is built under a
  temporary name (``.<name>.creating``), schema, manifest and every run
  ``pending`` in one transaction, flushed to disk and then renamed into
  place: a kill at any moment leaves either no store or a whole one.
* Only the parent process writes. A finished run's time series and its new
  status go in one transaction, so a run is either entirely stored and
  ``done`` or not stored at all and still ``pending``, whenever the process
  is stopped. The primary keys make a duplicate impossible.
* The journal is a write-ahead log (WAL): readers, such as
  `experiments.load` on a running experiment, never block the writer.
  ``synchronous = NORMAL`` means a commit survives the process being killed,
  though a power cut may lose the last few (which ``--resume`` reruns).
* Every read checks the file first (`experiments.integrity`), and an SQLite
  error says what it means (`experiments.errors.store_failure`): a damaged
  file, a busy one, or a machine that refused.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from experiments.errors import ExperimentArgumentError, ExperimentError, StoreDamaged, store_failure
from experiments.experiment import Experiment, RunSpec
from experiments.integrity import check_connection, check_file, unstarted
from experiments.lock import StoreLock
from experiments.schema import SCHEMA_VERSION, STATUSES, create_statements, decode, encode, quote
from experiments.worker import RunResult
from simulation.outputs import check_file as check_output

__all__ = ["SCHEMA_VERSION", "STATUSES", "Store", "check_new", "companions", "creating_path", "open_checked"]


class Store:
    """An open experiment store, for the runner that writes it.

    Use `create` for a new experiment and `open` to resume one; read results
    with `experiments.load`. An open store holds the store's lock; `close`
    gives it up (unless it was handed a lock its caller holds).
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, lock: StoreLock, own_lock: bool) -> None:
        self.connection = connection
        self.path = path
        self._lock, self._own_lock = lock, own_lock
        self.metrics = tuple(self.manifest()["metrics"])
        columns = ", ".join(["run_id", "week", *(quote(m) for m in self.metrics)])
        self._insert = f"INSERT INTO timeseries ({columns}) VALUES ({', '.join('?' * (len(self.metrics) + 2))})"

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, experiment: Experiment, runs: Iterable[RunSpec],
               manifest: dict[str, Any], overwrite: bool = False, lock: StoreLock | None = None) -> Store:
        """A new store at ``path`` with every run ``pending``.

        Refuses an existing store unless ``overwrite``, so that finished
        results are never lost by accident (a file whose creation was
        interrupted holds none, and is replaced). ``lock``: the store's lock,
        if the caller holds it already; else it is taken here.
        """
        path = Path(path)
        lock, own = (lock, False) if lock is not None else (StoreLock(path).acquire(), True)
        try:
            check_new(path, overwrite)
            path.parent.mkdir(parents=True, exist_ok=True)
            points = experiment.points.points
            _build(path, experiment.metrics, manifest,
                   [(r.run_id, r.point, r.strategy, r.replicate, r.seed, json.dumps(points[r.point])) for r in runs])
            return cls(_connect(path), path, lock, own)
        except BaseException:
            if own:
                lock.release()
            raise

    @classmethod
    def open(cls, path: str | Path, lock: StoreLock | None = None) -> Store:
        """An existing store, checked, to resume writing it."""
        path = Path(path)
        lock, own = (lock, False) if lock is not None else (StoreLock(path).acquire(), True)
        try:
            connection, _ = open_checked(path)
            connection.close()
            return cls(_connect(path), path, lock, own)
        except BaseException:
            if own:
                lock.release()
            raise

    def close(self) -> None:
        self.connection.close()
        if self._own_lock:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        return read_manifest(self.connection, self.path)

    def counts(self) -> dict[str, int]:
        """Runs by status."""
        with _translated(self.path):
            rows = dict(self.connection.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return {status: rows.get(status, 0) for status in STATUSES}

    def todo(self) -> list[int]:
        """Ids of the runs still ``pending``, in order."""
        with _translated(self.path):
            return [r for (r,) in self.connection.execute(
                "SELECT run_id FROM runs WHERE status = 'pending' ORDER BY run_id")]

    # -- writing ------------------------------------------------------------------------------------
    def retry_failed(self) -> int:
        """Mark every failed run pending again; returns how many."""
        with _transaction(self.connection, self.path):
            cursor = self.connection.execute(
                "UPDATE runs SET status = 'pending', error = NULL, wall_time = NULL WHERE status = 'failed'")
        return cursor.rowcount

    def record(self, result: RunResult) -> None:
        """Store one finished run, its time series and its status, in one
        transaction: all of it or (if the process dies) none of it."""
        done = result.error is None
        with _transaction(self.connection, self.path):
            cursor = self.connection.execute(
                "UPDATE runs SET status = ?, error = ?, wall_time = ?, leader_hours = ? "
                "WHERE run_id = ? AND status = 'pending'",
                ("done" if done else "failed", result.error, result.wall_time, result.leader_hours, result.run_id))
            if cursor.rowcount != 1:  # rolls the transaction back: a run is never stored twice
                raise ExperimentError(f"run {result.run_id} is not pending in {self.path}; not stored twice")
            if done:
                assert result.weeks is not None and result.values is not None  # a run without error has its series
                rows = [(result.run_id, int(w), *v) for w, v in zip(result.weeks.tolist(), result.values.tolist())]
                self.connection.executemany(self._insert, rows)

    def set_manifest(self, key: str, value: Any) -> None:
        with _transaction(self.connection, self.path):
            self.connection.execute("INSERT OR REPLACE INTO manifest VALUES (?, ?)", (key, encode(value)))


# -- helpers shared with experiments.results and experiments.export -------------------------------------
def read_manifest(connection: sqlite3.Connection, path: Path) -> dict[str, Any]:
    """The manifest, JSON values decoded; `StoreDamaged` if one is not valid JSON."""
    with _translated(path):
        rows = connection.execute("SELECT key, value FROM manifest").fetchall()
    try:
        return decode(rows)
    except ValueError as err:
        raise StoreDamaged(f"results file {str(path)!r} is damaged: {err}") from None


def check_new(path: Path, overwrite: bool = False) -> None:
    """Raise a clear error unless a new store may be written at ``path``:
    nothing there, a store whose creation was interrupted (it holds no
    results, and is started again), or ``overwrite``. Otherwise an existing
    store is refused, naming ``resume`` and ``overwrite`` (the one rule of
    `simulation.outputs`)."""
    if unstarted(path):
        return
    check_output(path, overwrite, "store", resumable=True, what="results file", error=ExperimentArgumentError)


def open_checked(path: str | Path) -> tuple[sqlite3.Connection, dict[str, Any]]:
    """A connection for reading the store at ``path``, once it has passed
    every check of `experiments.integrity`, and its manifest. It never
    creates a missing file."""
    path = Path(path)
    check_file(path)
    connection = _connect_existing(path)
    try:
        return connection, check_connection(connection, path)
    except BaseException:
        connection.close()
        raise


def creating_path(path: str | Path) -> Path:
    """Where a new store at ``path`` is built before it is renamed into place."""
    path = Path(path)
    return path.with_name(f".{path.name}.creating")


def companions(path: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory index of the store at ``path``."""
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def _build(path: Path, metrics: tuple[str, ...], manifest: dict[str, Any], runs: list[tuple]) -> None:
    """Write the complete new store under a temporary name, then rename it
    to ``path``: whenever this is stopped, ``path`` is an old store, no
    store, or the whole new one. Needs the store's lock (one builder)."""
    temp = creating_path(path)
    for leftover in (temp, Path(f"{temp}-journal")):  # from a build that was killed
        leftover.unlink(missing_ok=True)
    try:
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            # A rollback journal, not a write-ahead log, while building: once
            # committed, the file is complete on its own and can be renamed.
            connection.execute("PRAGMA synchronous = FULL")
            with _transaction(connection, path):
                for statement in create_statements(metrics):
                    connection.execute(statement)
                connection.executemany("INSERT INTO manifest VALUES (?, ?)",
                                       [(k, encode(v)) for k, v in manifest.items()])
                connection.executemany(
                    "INSERT INTO runs (run_id, point, strategy, replicate, seed, params) VALUES (?, ?, ?, ?, ?, ?)",
                    runs)
        finally:
            connection.close()
        # The store being replaced goes first, with its log: a write-ahead log
        # left beside the new file would be replayed into it.
        for old in (path, *companions(path)):
            old.unlink(missing_ok=True)
        os.replace(temp, path)
        _sync_folder(path.parent)
    except sqlite3.Error as err:
        raise store_failure(err, path) from None
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None
    finally:
        temp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Open an existing file without creating one. Read-write where allowed:
    after a crash, SQLite needs to write to recover the write-ahead log;
    read-only otherwise (say, a results file on a read-only disk)."""
    uri = path.resolve().as_uri()
    connection = None
    try:
        connection = sqlite3.connect(f"{uri}?mode=rw", uri=True)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        return connection
    except sqlite3.Error as err:
        if connection is not None:
            connection.close()
        if not isinstance(err, sqlite3.OperationalError):  # not a permission: the file itself is at fault
            raise store_failure(err, path, reading=True) from None
    try:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise store_failure(err, path, reading=True) from None


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; `_transaction` says where each begins and ends.
    with _translated(path):
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    return connection


class _translated:
    """``with _translated(path):`` raises, for an SQLite error, what it means
    (`experiments.errors.store_failure`), naming the store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: type | None, err: BaseException | None, *tb: object) -> None:
        if isinstance(err, sqlite3.Error):
            raise store_failure(err, self.path) from None


class _transaction(_translated):
    """``with _transaction(connection, path):`` commits at the end, or rolls
    back on any error; an SQLite error (a full disk at commit, say) is
    translated as `_translated` does."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        super().__init__(path)
        self.connection = connection

    def __enter__(self) -> None:
        with _translated(self.path):
            self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type | None, err: BaseException | None, *tb: object) -> None:
        try:
            self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
        except sqlite3.Error as failure:
            if kind is None:  # the commit failed: that is the error to report
                raise store_failure(failure, self.path) from None
            # else the rollback failed too (SQLite may have rolled back already); report the first error
        super().__exit__(kind, err, *tb)

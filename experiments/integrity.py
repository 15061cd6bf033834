"""Is this file a sound results store? Checked on every read.

Every command that reads a store (``status``, ``export``, ``report``,
``sweep`` and ``sensitivity --from``, ``--resume``) and `experiments.load`
check it first, in three layers, cheapest first:

1. the file: there, a file, not empty, an SQLite database;
2. SQLite's own ``PRAGMA quick_check``: every page and index is sound (it
   reads the whole file once: about 0.1 s for a 60 MB store);
3. ours: the tables and columns of `experiments.schema`, a manifest with
   every key readers rely on and valid JSON where JSON belongs, one time
   series column per kept metric, as many runs as the manifest says, only
   known statuses, and every run's parameters a JSON table.

A failure raises `StoreDamaged`, naming the file and what is wrong; a file
that is no results file at all (another kind of file, or another SQLite
database) raises a plain `ExperimentError`, as any wrong input does.

A file whose creation was interrupted by an older orgchange (which created
the file first and its tables after) is *unstarted*: empty, or an SQLite
database without a single table. It holds no results, so the runner
simply starts it again (`unstarted`); a reader refuses it with
`StoreUnstarted`, a `StoreDamaged` whose remedy names ``resume`` as the
caller spells it (``resume=True``, or ``--resume`` on the command line).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from experiments.errors import CannotRead, ExperimentError, StoreDamaged, StoreUnstarted, store_failure
from experiments.schema import (
    MANIFEST_COLUMNS,
    MANIFEST_REQUIRED,
    RUN_COLUMNS,
    SCHEMA_VERSION,
    SERIES_KEYS,
    STATUSES,
    decode,
)

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""
UNSTARTED_HINT = "its creation was interrupted before any run was stored; run the experiment with {resume} to start it"
"""The remedy `StoreUnstarted` names, spelled as the caller spells ``resume``."""


def check_file(path: Path) -> None:
    """Layer 1: a file that can be an SQLite store (raises before SQLite
    is asked to open it, which would create a missing file)."""
    if not path.exists():
        raise ExperimentError(f"results file {str(path)!r} does not exist")
    if path.is_dir():
        raise ExperimentError(f"{str(path)!r} is a folder, not a results file")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as err:
        raise CannotRead(err.errno, err.strerror, str(path)) from None
    if not header:
        raise StoreUnstarted(f"results file {{path!r}} is empty (0 bytes): {UNSTARTED_HINT}", path=str(path))
    if header != SQLITE_HEADER:
        raise ExperimentError(f"{str(path)!r} is not an orgchange results file (it does not begin as an SQLite "
                              f"database does: another kind of file, or one damaged at its start)")


def check_connection(connection: sqlite3.Connection, path: Path) -> dict[str, Any]:
    """Layers 2 and 3, on an open connection to ``path``; returns the
    decoded manifest."""
    name = repr(str(path))
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise StoreDamaged(f"results file {name} is damaged: SQLite's integrity check reports "
                               f"{'; '.join(problems)}")
        tables = {t: [c[1] for c in connection.execute(f"PRAGMA table_info({t})")]
                  for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            raise StoreUnstarted(f"results file {{path!r}} holds no tables: {UNSTARTED_HINT}", path=str(path))
        if not {"runs", "timeseries", "manifest"} <= set(tables):
            raise ExperimentError(f"{name} is not an orgchange results file (no runs, timeseries and manifest)")
        _check_columns(tables, "manifest", list(MANIFEST_COLUMNS), name)
        try:
            manifest = decode(connection.execute("SELECT key, value FROM manifest").fetchall())
        except ValueError as err:
            raise StoreDamaged(f"results file {name} is damaged: {err}") from None
        version = manifest.get("schema_version")
        if version is None:
            raise StoreDamaged(f"results file {name} is damaged: its manifest has no schema_version")
        if version != SCHEMA_VERSION:
            raise StoreDamaged(f"results file {name} has store schema {version}, this orgchange reads "
                               f"{SCHEMA_VERSION}")
        missing = [key for key in MANIFEST_REQUIRED if key not in manifest]
        if missing:
            raise StoreDamaged(f"results file {name} is damaged: its manifest lacks {', '.join(missing)}")
        metrics = manifest["metrics"]
        if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
            raise StoreDamaged(f"results file {name} is damaged: manifest value 'metrics' must be a list of "
                               f"metric names, got {metrics!r}")
        if not isinstance(manifest["design"], dict):
            raise StoreDamaged(f"results file {name} is damaged: manifest value 'design' must be a table, "
                               f"got {manifest['design']!r}")
        _check_columns(tables, "runs", [c for c, _ in RUN_COLUMNS], name)
        _check_columns(tables, "timeseries", [*SERIES_KEYS, *metrics], name)
        (runs,) = connection.execute("SELECT COUNT(*) FROM runs").fetchone()
        if runs != manifest["n_runs"]:
            raise StoreDamaged(f"results file {name} is damaged: it holds {runs} runs, its manifest says "
                               f"{manifest['n_runs']!r}")
        marks = ", ".join("?" * len(STATUSES))
        odd = connection.execute(f"SELECT run_id, status FROM runs WHERE status NOT IN ({marks}) LIMIT 1",
                                 STATUSES).fetchone()
        if odd:
            raise StoreDamaged(f"results file {name} is damaged: run {odd[0]} has status {odd[1]!r}; "
                               f"allowed: {', '.join(STATUSES)}")
        bad = _bad_params(connection)
        if bad:
            raise StoreDamaged(f"results file {name} is damaged: run {bad[0]}: its params must be a JSON table "
                               f"of the varied parameters, got {bad[1]!r}")
    except sqlite3.Error as err:
        raise store_failure(err, path, reading=True) from None
    return manifest


def _bad_params(connection: sqlite3.Connection) -> tuple[int, Any] | None:
    """The first run whose ``params`` is not a JSON object, if any: in SQL
    where SQLite has its JSON functions (3.38 and later build them in),
    which checks a million runs in well under a second; else in Python."""
    try:
        return connection.execute("SELECT run_id, params FROM runs WHERE NOT json_valid(params) "
                                  "OR json_type(params) != 'object' ORDER BY run_id LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no JSON functions in this SQLite
        for run_id, text in connection.execute("SELECT run_id, params FROM runs ORDER BY run_id"):
            try:
                if isinstance(json.loads(text), dict):
                    continue
            except (TypeError, ValueError):
                pass
            return run_id, text
        return None


def unstarted(path: Path) -> bool:
    """Whether ``path`` is a store whose creation was interrupted before its
    tables were made: an empty file, or an SQLite database without tables."""
    if not path.is_file():
        return False
    if path.stat().st_size == 0:
        return True
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return False


def _check_columns(tables: dict[str, list[str]], table: str, expected: list[str], name: str) -> None:
    if tables[table] != expected:
        missing = [c for c in expected if c not in tables[table]]
        what = f"lacks column(s) {', '.join(missing)}" if missing else \
            f"has columns {', '.join(tables[table])}, expected {', '.join(expected)}"
        raise StoreDamaged(f"results file {name} is damaged: its {table} table {what}")

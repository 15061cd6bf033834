"""What a results file holds, written down once: the store creates its
tables from this, and `experiments.integrity` checks a file against it.

See `experiments.store` for what each table and column means.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_VERSION = "1"
STATUSES = ("pending", "done", "failed")

RUN_COLUMNS = (("run_id", "INTEGER PRIMARY KEY"), ("point", "INTEGER"), ("strategy", "TEXT"),
               ("replicate", "INTEGER"), ("seed", "INTEGER"), ("params", "TEXT"),
               ("status", "TEXT NOT NULL DEFAULT 'pending'"), ("error", "TEXT"), ("wall_time", "REAL"),
               ("leader_hours", "REAL"))
SERIES_KEYS = ("run_id", "week")
"""The time series' first columns, its primary key; one REAL column per kept metric follows."""
MANIFEST_COLUMNS = ("key", "value")

MANIFEST_JSON = ("root_seed", "n_runs", "design", "metrics", "strategies", "versions", "sessions")
"""Manifest values stored as JSON; the rest are plain text."""
MANIFEST_REQUIRED = ("schema_version", "name", "created", "root_seed", "n_runs", "metrics", "design",
                     "strategies", "experiment_toml", "experiment_resolved", "sessions")
"""What every reader relies on finding in the manifest."""


def create_statements(metrics: tuple[str, ...] | list[str]) -> list[str]:
    """The ``CREATE TABLE`` statements of a store that keeps ``metrics``."""
    runs = ", ".join(f"{name} {kind}" for name, kind in RUN_COLUMNS)
    series = "".join(f", {quote(m)} REAL" for m in metrics)
    return [f"CREATE TABLE manifest ({MANIFEST_COLUMNS[0]} TEXT PRIMARY KEY, {MANIFEST_COLUMNS[1]} TEXT)",
            f"CREATE TABLE runs ({runs})",
            f"CREATE TABLE timeseries (run_id INTEGER NOT NULL, week INTEGER NOT NULL{series}, "
            f"PRIMARY KEY (run_id, week)) WITHOUT ROWID"]


def encode(value: Any) -> str:
    """A manifest value as stored: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def decode(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """The manifest from its ``(key, value)`` rows, JSON values decoded.

    Raises ValueError naming the key whose value is not valid JSON.
    """
    manifest = dict(rows)
    for key in MANIFEST_JSON:
        if key in manifest:
            try:
                manifest[key] = json.loads(manifest[key])
            except (TypeError, ValueError) as err:
                raise ValueError(f"manifest value {key!r} is not valid JSON ({err})") from None
    return manifest


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'

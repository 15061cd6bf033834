"""What several test modules share (imported as ``support``: pytest puts
this folder on the import path)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pandas as pd

from experiments import load
from simulation.cli import main

TWO_CEOS = "id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nboss,ceo,,\nm,middle,s,u\nf,frontline,m,u\n"
"""An org chart that names two CEOs: valid CSV, refused at row 4."""


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run ``orgchange ARGV`` in this process; returns (exit status, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


SMALL = """
[experiment]
name = "Small"
strategies = ["business_as_usual", "mandate"]
replicates = 2
weeks = 12
seed = 11
metrics = ["commitment_frontline", "practice_frontline", "quality", "projects_succeeded"]

[base.organization]
staff = 60

[design]
kind = "factorial"
[design.parameters]
influence_rate = [0.02, 0.06]
"""
"""A small experiment: 2 points x 2 strategies x 2 replicates of 12 weeks, 60 staff (8 runs)."""


def write(tmp_path: Path, text: str = SMALL, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def frames(store: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A store's runs (without wall times, which vary) and time series."""
    results = load(store)
    return results.runs.drop(columns="wall_time"), results.timeseries


def assert_same_results(a: Path, b: Path) -> None:
    runs_a, series_a = frames(a)
    runs_b, series_b = frames(b)
    pd.testing.assert_frame_equal(runs_a, runs_b, check_exact=True)
    pd.testing.assert_frame_equal(series_a, series_b, check_exact=True)


def done_runs(store: Path) -> int:
    """Runs done in ``store`` so far, read without disturbing its writer (0 before it exists)."""
    try:
        with sqlite3.connect(store.resolve().as_uri() + "?mode=ro", uri=True) as db:
            (n,) = db.execute("SELECT COUNT(*) FROM runs WHERE status = 'done'").fetchone()
        db.close()
        return n
    except sqlite3.Error:  # not created yet
        return 0


def wait_for_group_to_exit(group: int, seconds: float) -> bool:
    """Wait until no process of process group ``group`` is left; return
    whether some still are after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True

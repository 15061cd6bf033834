"""Clear errors and exit statuses (simulation/cli/exits.py): each status
one meaning, listed in --help; every input checked before a plan is
printed; a full disk or an unwritable path explained, with the results
computed so far kept."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from experiments import load, run_experiment
from simulation.cli import main

from support import SMALL, assert_same_results, run_cli, write


# --- exit statuses -----------------------------------------------------------------------------------------
def test_help_lists_every_exit_status(capsys):
    for argv in (["--help"], ["experiment", "status", "--help"], ["export", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        text = " ".join(capsys.readouterr().out.split())
        for status in ("0 success", "1 some runs failed", "2 bad input", "3 a damaged results file",
                       "4 the machine refused (disk full, no permission, read-only file system, or a results file "
                       "in use by another process)", "130 interrupted"):
            assert status in text, (argv, status)


def small_page_limit(monkeypatch, extra_pages: int) -> None:
    """Make the store's disk fill up after ``extra_pages`` more pages: SQLite's
    own max_page_count, which fails writes with SQLITE_FULL as a full disk does."""
    module = sys.modules["experiments.store"]
    real = module._connect

    def connect(path):
        connection = real(path)
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        connection.execute(f"PRAGMA max_page_count = {pages + extra_pages}")
        return connection

    monkeypatch.setattr(module, "_connect", connect)


def test_a_full_disk_exits_4_names_the_store_and_keeps_the_finished_runs(tmp_path, capsys, monkeypatch):
    text = SMALL.replace("weeks = 12", "weeks = 80")  # about a page of time series a run
    path, store, reference = write(tmp_path, text), tmp_path / "r.sqlite", tmp_path / "reference.sqlite"
    small_page_limit(monkeypatch, extra_pages=3)
    code, _, err = run_cli(capsys, "experiment", "run", path, "-o", store, "--workers", "1")
    assert code == 4, err
    assert err == f"orgchange: error: cannot write {str(store)!r}: database or disk is full (No space left on device)\n"
    monkeypatch.undo()
    runs = load(store).runs  # sound, with what was stored before the disk filled
    assert 0 < (runs.status == "done").sum() < 8 and set(runs.status) <= {"done", "pending"}
    code, _, err = run_cli(capsys, "experiment", "run", path, "-o", store, "--resume", "--workers", "1")
    assert code == 0, err
    run_experiment(path, reference, executor="serial", progress=False)
    assert_same_results(reference, store)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/full and /proc are Linux's")
def test_a_full_device_exits_4(tmp_path, capsys):
    path, store = write(tmp_path), tmp_path / "r.sqlite"
    run_experiment(path, store, executor="serial", progress=False)
    code, _, err = run_cli(capsys, "report", store, "-o", "/dev/full", "--overwrite")  # it exists
    assert code == 4
    assert err == "orgchange: error: cannot write '/dev/full': No space left on device\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and /sys are Linux's")
@pytest.mark.parametrize(("target", "reason"), [("/proc/x.sqlite", "No such file or directory"),
                                                ("/sys/x.sqlite", "Permission denied")])
def test_an_unwritable_store_path_is_explained(tmp_path, capsys, target, reason):
    """Like the other commands' "cannot write ...", not SQLite's "unable to open database file"."""
    code, out, err = run_cli(capsys, "experiment", "run", write(tmp_path), "-o", target)
    assert code == 4
    assert err == f"orgchange: error: cannot write {target!r}: {reason}\n"
    assert out == ""


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["--workers", "0"], 2, "--workers: must be an integer >= 1, got 0"),
    (["--out", "/proc/compare-out"], 4, "cannot write '/proc/compare-out': No such file or directory"),
    (["--seed", "-1"], 2, "--seed: must be an integer >= 0, got -1"),
])
def test_compare_checks_every_input_before_it_prints_its_plan(tmp_path, capsys, argv, status, message):
    if not sys.platform.startswith("linux") and "/proc" in " ".join(argv):
        pytest.skip("/proc is Linux's")
    code, out, err = run_cli(capsys, "compare", "--strategies", "mandate", "--replicates", "1", "--weeks", "2",
                             "--staff", "20", "--out", tmp_path / "out", *argv)
    assert code == status
    assert err.startswith(f"orgchange: error: {message}") and err.count("\n") == 1
    assert out == "", "a plan was printed before the input was checked"


def test_run_checks_every_input_before_it_prints_the_strategy(tmp_path, capsys):
    code, out, err = run_cli(capsys, "run", "--strategy", "mandate", "--staff", "5", "--out", tmp_path / "o")
    assert code == 2 and "staff: must be an integer >= 10, got 5" in err
    assert out == ""


def test_a_store_that_is_busy_for_sqlite_is_in_use_not_damaged(tmp_path):
    """A connection outside orgchange holding the database (SQLITE_BUSY) is
    the environment's doing: StoreInUse, exit status 4."""
    from experiments.errors import StoreInUse, store_failure

    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY
    failure = store_failure(busy, tmp_path / "r.sqlite")
    assert isinstance(failure, StoreInUse) and str(tmp_path / "r.sqlite") in str(failure)

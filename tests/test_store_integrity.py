"""Every read checks the store (experiments/integrity.py), and a store is
usable from the moment its file exists (experiments/store.py): a damaged
store is refused by every command that reads it, naming the file and the
fault, with exit status 3; export never leaves half an output; a store
whose creation was interrupted is recognized and started again."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments import Experiment, export, load, run_experiment
from experiments.errors import StoreDamaged
from experiments.store import Store, creating_path

from support import SMALL, assert_same_results, run_cli, write

PAGE = 4096
"""SQLite's default page size, which the stores use."""


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The small experiment, run to the end; tests damage copies of it."""
    folder = tmp_path_factory.mktemp("finished")
    store = folder / "results.sqlite"
    run_experiment(write(folder), store, executor="serial", progress=False)
    return folder, store


def copy_of(store: Path, tmp_path: Path, name: str = "copy.sqlite") -> Path:
    target = tmp_path / name
    target.write_bytes(store.read_bytes())  # a finished store is all in its main file (no -wal)
    return target


def damage_page(store: Path, page: int, seed: int = 0) -> None:
    """Overwrite one page (numbered from 0) with random bytes, as a bad disk sector would."""
    noise = np.random.default_rng(seed).integers(0, 256, PAGE, dtype=np.uint8).tobytes()
    with store.open("r+b") as fh:
        fh.seek(page * PAGE)
        fh.write(noise)


def edit(store: Path, sql: str) -> None:
    connection = sqlite3.connect(store)
    connection.execute(sql)
    connection.commit()
    connection.close()


def reads(folder: Path, store: Path, tmp_path: Path) -> dict[str, list]:
    """Every command that reads a store, on ``store``."""
    return {"status": ["experiment", "status", store],
            "export": ["export", store, "--out", tmp_path / "exported"],
            "report": ["report", store, "-o", tmp_path / "report.html"],
            "sweep": ["sweep", "--from", store, "--out", tmp_path / "sweep"],
            "sensitivity": ["sensitivity", "--from", store, "--out", tmp_path / "sensitivity"],
            "resume": ["experiment", "run", folder / "exp.toml", "-o", store, "--resume"]}


# --- a damaged store --------------------------------------------------------------------------------------
def test_a_page_overwritten_in_the_middle_is_refused_by_every_command_that_reads(finished, tmp_path, capsys):
    folder, store = finished
    damaged = copy_of(store, tmp_path)
    pages = damaged.stat().st_size // PAGE
    damage_page(damaged, pages // 2)
    before = damaged.read_bytes()
    for name, argv in reads(folder, damaged, tmp_path).items():
        code, out, err = run_cli(capsys, *argv)
        assert code == 3, (name, err)
        assert err.startswith(f"orgchange: error: results file {str(damaged)!r} is damaged"), (name, err)
        assert err.count("\n") == 1 and "Traceback" not in err, name
    assert damaged.read_bytes() == before, "--resume wrote to a damaged store"
    assert not (tmp_path / "exported").exists(), "export left a partial output folder"
    assert not list(tmp_path.glob(".exported*")), "export left its temporary folder"
    assert not (tmp_path / "report.html").exists()


def test_every_damaged_page_is_found(finished, tmp_path):
    """No page of a finished store can be overwritten unnoticed: each one,
    damaged in turn, makes `load` raise StoreDamaged naming the file."""
    _, store = finished
    pages = store.stat().st_size // PAGE
    assert pages >= 6
    for page in range(1, pages):  # page 0 holds the file header: that is "not a results file" (below)
        damaged = copy_of(store, tmp_path, f"page{page}.sqlite")
        damage_page(damaged, page, seed=page)
        with pytest.raises(StoreDamaged, match=f"^results file {str(damaged)!r} is damaged"):
            load(damaged)


@pytest.mark.parametrize(("sql", "fault"), [
    ("UPDATE manifest SET value = '{oops' WHERE key = 'design'", "manifest value 'design' is not valid JSON"),
    ("UPDATE manifest SET value = 'x' WHERE key = 'metrics'", "manifest value 'metrics' is not valid JSON"),
    ("UPDATE manifest SET value = '7' WHERE key = 'metrics'", "manifest value 'metrics' must be a list"),
    ("DELETE FROM manifest WHERE key = 'experiment_resolved'", "its manifest lacks experiment_resolved"),
    ("DELETE FROM manifest WHERE key = 'schema_version'", "its manifest has no schema_version"),
    ("UPDATE runs SET status = 'finished' WHERE run_id = 2", "run 2 has status 'finished'"),
    ("DELETE FROM runs WHERE run_id = 5", "it holds 7 runs, its manifest says 8"),
    ("UPDATE runs SET params = '{oops' WHERE run_id = 3", "run 3: its params must be a JSON table"),
    ("ALTER TABLE timeseries DROP COLUMN quality", "its timeseries table lacks column(s) quality"),
    ("UPDATE manifest SET value = '2' WHERE key = 'schema_version'", "has store schema 2, this orgchange reads 1"),
])
def test_a_damaged_manifest_or_table_is_named(finished, tmp_path, capsys, sql, fault):
    folder, store = finished
    damaged = copy_of(store, tmp_path)
    edit(damaged, sql)
    with pytest.raises(StoreDamaged) as err:
        load(damaged)
    assert str(damaged) in str(err.value) and fault in str(err.value)
    code, _, err = run_cli(capsys, "export", damaged, "--out", tmp_path / "out")
    assert code == 3 and fault in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_what_is_not_a_store_is_bad_input_not_damage(finished, tmp_path, capsys):
    folder, _ = finished
    code, _, err = run_cli(capsys, "experiment", "status", folder / "exp.toml")
    assert code == 2 and "is not an orgchange results file" in err


# --- export: all or nothing ------------------------------------------------------------------------------
def test_an_export_that_fails_midway_leaves_no_output_and_keeps_an_earlier_one(finished, tmp_path, monkeypatch):
    _, store = finished
    out = tmp_path / "out"
    export(store, out)
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    module = sys.modules["experiments.export"]  # (the package's name `export` is the function)

    def full_disk(*args):
        raise OSError(28, "No space left on device", "timeseries.csv")

    monkeypatch.setattr(module, "_timeseries_csv", full_disk)  # after runs.csv is written
    with pytest.raises(OSError, match="No space left"):
        export(store, out, overwrite=True)  # replacing it: the earlier export stays whole until the new one is
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier, "the earlier export was changed"
    with pytest.raises(OSError):
        export(store, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "a temporary folder was left behind"


# --- creation: a store is whole from the moment it exists --------------------------------------------------
@pytest.mark.parametrize("stub", ["empty", "no tables", "no tables, with a log"])
def test_a_store_whose_creation_was_interrupted_is_started_again(finished, tmp_path, capsys, stub):
    """An older orgchange created the file first and its tables after: a kill
    in between left an empty file or an SQLite database without tables.
    Status says so (exit 3); --resume, as the docs promise scripts, starts
    it, and so does a plain run (it holds no results to lose)."""
    folder, reference = finished
    store = tmp_path / "s.sqlite"
    if stub == "empty":
        store.write_bytes(b"")
    else:
        connection = sqlite3.connect(store)
        connection.execute("PRAGMA journal_mode = WAL" if "log" in stub else "PRAGMA user_version = 0")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("DROP TABLE t")
        connection.commit()
        if "log" in stub:  # keep the connection open: the -wal file stays, as after a kill
            assert Path(f"{store}-wal").exists()
        else:
            connection.close()
    code, _, err = run_cli(capsys, "experiment", "status", store)
    assert code == 3 and "its creation was interrupted" in err and "--resume" in err
    with pytest.raises(StoreDamaged, match="run the experiment with resume=True to start it"):  # Python's spelling
        load(store)
    for argv in (["--resume"], []):
        code, out, err = run_cli(capsys, "experiment", "run", folder / "exp.toml", "-o", store, "--workers", "1",
                                 *argv)
        assert code == 0, err
        assert_same_results(reference, store)
        if not argv:
            break
        store.write_bytes(b"")  # again, for the plain run
    assert "was left unfinished by an interrupted start" in out


def test_creation_that_is_stopped_leaves_no_store_and_resume_starts_it(finished, tmp_path, monkeypatch):
    folder, reference = finished
    store = tmp_path / "s.sqlite"
    module = sys.modules["experiments.store"]

    def killed(*args):
        raise KeyboardInterrupt  # at the last step of creation: the rename into place

    monkeypatch.setattr(module.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(folder / "exp.toml", store, executor="serial", progress=False)
    monkeypatch.undo()
    assert not store.exists(), "a store appeared before it was complete"
    run_experiment(folder / "exp.toml", store, executor="serial", resume=True, progress=False)
    assert_same_results(reference, store)


def test_a_half_built_store_left_by_a_kill_is_cleared_away(finished, tmp_path):
    folder, reference = finished
    store = tmp_path / "s.sqlite"
    creating_path(store).write_bytes(b"SQLite format 3\x00 and then the process was killed")
    run_experiment(folder / "exp.toml", store, executor="serial", resume=True, progress=False)
    assert not creating_path(store).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]
    assert_same_results(reference, store)


def test_overwrite_never_replays_the_old_stores_log_into_the_new_one(finished, tmp_path):
    folder, _ = finished
    store = tmp_path / "s.sqlite"
    run_experiment(folder / "exp.toml", store, executor="serial", progress=False)
    Path(f"{store}-wal").write_bytes(b"left over")  # the old store's companions, as after a crash
    other = write(tmp_path, SMALL.replace("replicates = 2", "replicates = 1"), "other.toml")
    run_experiment(other, store, executor="serial", overwrite=True, progress=False)
    assert len(load(store).runs) == 4
    assert load(store).experiment.to_toml() == Experiment.from_toml(other).to_toml()


def test_store_open_refuses_a_damaged_store_before_writing(finished, tmp_path):
    _, store = finished
    damaged = copy_of(store, tmp_path)
    edit(damaged, "DELETE FROM manifest WHERE key = 'n_runs'")
    before = damaged.read_bytes()
    with pytest.raises(StoreDamaged, match="its manifest lacks n_runs"):
        Store.open(damaged)
    assert damaged.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["copy.sqlite"], "the lock was not released"

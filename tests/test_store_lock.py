"""One writer per results file (experiments/lock.py): a second writer is
refused, naming the store and the process at work, whatever its options;
a lock left by a killed process is taken over. Tested with real processes:
the record lock is the kernel's, and belongs to a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from experiments import load, run_experiment
from experiments.errors import StoreInUse
from experiments.lock import StoreLock, lock_path

from support import SMALL, assert_same_results, done_runs, run_cli, wait_for_group_to_exit, write

HOLDER = """
import sys
from experiments.lock import StoreLock
lock = StoreLock(sys.argv[1]).acquire()
print("held", flush=True)
sys.stdin.read()  # until the test closes our standard input, or kills us
"""


def hold(store) -> subprocess.Popen:
    """Another process that holds the lock of ``store`` until it is killed
    or its standard input is closed."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(store)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "held\n"
    return process


def test_a_lock_held_by_another_process_is_refused_naming_the_store_and_the_process(tmp_path):
    store = tmp_path / "r.sqlite"
    holder = hold(store)
    try:
        with pytest.raises(StoreInUse) as err:
            StoreLock(store).acquire()
        message = str(err.value)
        assert f"results file {str(store)!r} is in use by process {holder.pid} " in message
        assert "-c" in message and "since " in message  # the holder's command line and start time
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with StoreLock(store):  # released when the holder ends
        assert lock_path(store).exists()
    assert not lock_path(store).exists(), "releasing removes the lock file"


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    store = tmp_path / "r.sqlite"
    holder = hold(store)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_path(store).exists(), "kill -9 leaves the lock file behind"
    with StoreLock(store) as lock:  # the kernel dropped the dead process's lock: taken over at once
        assert lock.held
        assert f'"pid": {os.getpid()}' in lock_path(store).read_text()


def test_one_process_cannot_take_its_own_lock_twice(tmp_path):
    store = tmp_path / "r.sqlite"
    with StoreLock(store):
        with pytest.raises(StoreInUse, match=f"already being written by this process \\(pid {os.getpid()}\\)"):
            StoreLock(store).acquire()
        # The refusal did not close the lock file, which would have released the lock.
        holder = subprocess.run([sys.executable, "-c", HOLDER, str(store)], input="", capture_output=True,
                                text=True, timeout=60)
        assert holder.returncode == 1 and "StoreInUse" in holder.stderr


def test_the_store_is_unlocked_when_a_run_ends_however_it_ends(tmp_path):
    path, store = write(tmp_path), tmp_path / "r.sqlite"
    store.write_text("not a store")
    with pytest.raises(ValueError, match="already exists"):  # refused once the lock is held
        run_experiment(path, store, progress=False)
    assert not lock_path(store).exists()
    store.unlink()
    with pytest.raises(ValueError, match="the serial executor runs one run at a time"):  # the backend refuses
        run_experiment(path, store, executor="serial", workers=2, progress=False)
    assert not lock_path(store).exists()
    run_experiment(path, store, executor="serial", progress=False)
    assert not lock_path(store).exists()


def test_no_second_writer_while_an_experiment_runs(tmp_path, capsys):
    """The audit's data loss: --overwrite deleted a store another process was
    writing, which then reported all its runs done. Now a plain run, --resume
    and --overwrite are each refused while the first process writes; killed,
    it leaves a lock that the next --resume takes over, and the store ends
    exactly as an uninterrupted run's."""
    text = SMALL.replace("replicates = 2", "replicates = 12").replace("weeks = 12", "weeks = 80").replace(
        "staff = 60", "staff = 120")  # 48 runs of about 0.05 s each
    path, other = write(tmp_path, text), write(tmp_path, SMALL, "other.toml")
    store, reference = tmp_path / "r.sqlite", tmp_path / "reference.sqlite"
    command = [sys.executable, "-m", "simulation.cli", "experiment", "run", str(path), "-o", str(store),
               "--workers", "1"]
    writer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while done_runs(store) < 2 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        for options in ([other, "-o", store, "--overwrite"], [path, "-o", store, "--resume"],
                        [other, "-o", store]):
            code, out, err = run_cli(capsys, "experiment", "run", *options)
            assert code == 4, err
            assert err.startswith(f"orgchange: error: results file {str(store)!r} is in use by process "
                                  f"{writer.pid} ("), err
            assert out == ""
        assert writer.poll() is None, "the sweep finished before the second writers came: make it longer"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        assert not wait_for_group_to_exit(writer.pid, seconds=20)
    finally:
        try:
            os.killpg(writer.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert lock_path(store).exists()  # left by the killed writer
    runs = load(store, timeseries=False).runs
    assert set(runs.strategy) == {"business_as_usual", "mandate"} and len(runs) == 48  # untouched by the others
    code, out, err = run_cli(capsys, "experiment", "run", path, "-o", store, "--resume", "--workers", "1")
    assert code == 0, err
    run_experiment(path, reference, executor="serial", progress=False)
    assert_same_results(reference, store)

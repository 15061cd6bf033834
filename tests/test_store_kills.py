"""``kill -9`` at random moments, creation and resume included: whenever the
runner dies, the file it leaves passes every check, ``--resume`` finishes
it, and the result is exactly an uninterrupted run's.

Slow: every kill costs an interpreter start. CI runs `KILLS` episodes of
three processes each; ``ORGCHANGE_KILL_EPISODES=20`` runs more.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from experiments import load, run_experiment
from experiments.lock import lock_path
from experiments.store import creating_path

from support import SMALL, assert_same_results, done_runs, wait_for_group_to_exit, write

EPISODES = int(os.environ.get("ORGCHANGE_KILL_EPISODES", "3"))
"""Episodes of the slow test: each kills a fresh start during or near its
store's creation, then a resume near its opening of the store, then
finishes with a resume."""
RUNS, WEEKS = 48, 80


def start(path: Path, store: Path, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "simulation.cli", "experiment", "run", str(path), "-o", str(store),
               "--resume", "--workers", "2"]  # a script's way: --resume always
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)


def kill(process: subprocess.Popen) -> bool:
    """``kill -9`` the runner (not its workers: they must notice and go);
    returns whether it was still running to be killed."""
    alive = process.poll() is None
    if alive:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert not wait_for_group_to_exit(process.pid, seconds=20), "worker processes outlived the runner"
    return alive


def wait_for(condition, store: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    """Poll ``condition(store, process)`` every half millisecond while ``process`` runs."""
    deadline = time.monotonic() + seconds
    while not condition(store, process) and process.poll() is None:
        assert time.monotonic() < deadline, "the runner never got there"
        time.sleep(0.0005)


def building(store: Path, process: subprocess.Popen) -> bool:
    """Whether the store is being built (or has been)."""
    return creating_path(store).exists() or store.exists()


def holds_lock(store: Path, process: subprocess.Popen) -> bool:
    """Whether ``process`` has taken the lock of ``store`` (its record names it)."""
    try:
        return f'"pid": {process.pid},' in lock_path(store).read_text()
    except OSError:
        return False


def assert_sound(store: Path) -> str:
    """What a kill may leave: no store (a half-built one stays hidden under
    its temporary name), or one that passes every check, with each run
    wholly stored or still pending. Returns which, in words."""
    if not store.exists():
        return "no store yet" + (" (half built)" if creating_path(store).exists() else "")
    results = load(store)  # every integrity check
    runs = results.runs
    assert len(runs) == RUNS and set(runs.status) <= {"done", "pending"}
    done = set(runs.run_id[runs.status == "done"])
    assert set(results.timeseries.run_id) == done and len(results.timeseries) == len(done) * (WEEKS + 1)
    return f"{len(done)} runs done"


@pytest.mark.slow
def test_kill_9_at_random_moments_including_creation_and_resume(tmp_path):
    text = SMALL.replace("replicates = 2", "replicates = 12").replace("weeks = 12", f"weeks = {WEEKS}").replace(
        "staff = 60", "staff = 120")  # 48 runs of about 0.05 s each
    path = write(tmp_path, text)
    reference = tmp_path / "reference.sqlite"
    run_experiment(path, reference, executor="serial", progress=False)
    rng = np.random.default_rng(15)
    killed = survived = 0
    landed: list[str] = []
    log = (tmp_path / "stderr.txt").open("w")
    try:
        for episode in range(EPISODES):
            store = tmp_path / f"episode{episode}.sqlite"
            # 1. A fresh start, killed while it builds its store (every other
            #    episode), or within 0.4 s of taking the store's lock: while it
            #    checks, builds, renames the store into place, or starts its runs.
            process = start(path, store, log)
            if episode % 2 == 0:
                wait_for(building, store, process)
            else:
                wait_for(holds_lock, store, process)
                time.sleep(rng.uniform(0.0, 0.4))
            killed += kill(process)
            landed.append(assert_sound(store))
            # 2. A resume, killed within 0.3 s of taking the lock (the lock file
            #    the first process left is taken over): while it opens and
            #    checks the store, records its session, or stores runs.
            process = start(path, store, log)
            wait_for(holds_lock, store, process)
            time.sleep(rng.uniform(0.0, 0.3))
            killed += kill(process)
            landed.append(assert_sound(store))
            # 3. A resume to the end.
            process = start(path, store, log)
            assert process.wait(timeout=300) == 0, (tmp_path / "stderr.txt").read_text()
            assert_same_results(reference, store)
            survived += 1
            assert done_runs(store) == RUNS
    finally:
        log.close()
    print(f"{killed} kills in {EPISODES} episodes, leaving: {'; '.join(landed)}; {survived} of {EPISODES} "
          f"stores ended exactly as the uninterrupted run")
    assert survived == EPISODES and killed >= EPISODES

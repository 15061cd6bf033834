"""What each backend costs per run, beyond the run itself: process pool against a warm Dask cluster.

Run from the repository root (needs ``orgchange[dask]``)::

    python benchmarks/bench_backends.py            # 200 runs of 200 staff x 52 weeks, 3 rounds
    python benchmarks/bench_backends.py --runs 400 --rounds 5

Each round runs the same experiment through `experiments.run_experiment`
on each backend in turn, so that a burst of load elsewhere hits them alike:

* ``processes``: a local pool of worker processes, started by the call;
* ``dask``: a Dask `LocalCluster` started once before the rounds and warmed
  up with a small experiment (a warm cluster), reached by its address, with
  the runs batched as the Dask backend batches them
  (`experiments.backends.dask_batch`);
* ``dask, 1 run a task``: the same cluster, one run per task, as before the
  runs were batched.

The overhead per run is the capacity the call had (wall time x workers)
less the runs' own times (measured in the workers), divided by the runs:
starting workers (or connecting to the scheduler), shipping tasks and
results, storing, and idle workers at the start and the end. Small
hospitals keep the runs short, so the overhead shows. Medians of the
rounds are printed, and the Dask overhead as a multiple of the pool's
(issue 17: within 2x). Figures only; nothing is judged.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
from pathlib import Path

from experiments import Experiment, backends, run_experiment


def experiment(runs: int, staff: int, weeks: int, seed: int) -> Experiment:
    return Experiment.from_dict({
        "experiment": {"name": "bench backends", "strategies": ["business_as_usual"], "replicates": runs,
                       "weeks": weeks, "seed": seed},
        "base": {"organization": {"staff": staff}},
    })


def overhead_per_run(summary) -> tuple[float, float]:
    """Seconds of overhead per run, and the mean run time, of one sweep."""
    assert summary.done == summary.total, summary.errors[:3]
    return (summary.elapsed * summary.workers - summary.run_seconds) / summary.ran, summary.run_seconds / summary.ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.ERROR)
    address = cluster.scheduler_address
    figures: dict[str, list[tuple[float, float]]] = {"processes": [], "dask": [], "dask, 1 run a task": []}
    batch = backends.DASK_BATCH
    try:
        with Client(address), tempfile.TemporaryDirectory(prefix="bench_backends-") as tmp:
            folder = Path(tmp)
            # Warm the cluster: workers import the model, and the scheduler has seen the task.
            run_experiment(experiment(8, args.staff, 4, seed=1), folder / "warm.sqlite", scheduler=address)
            print(f"{args.runs} runs of {args.staff} staff x {args.weeks} weeks on {args.workers} workers, "
                  f"{args.rounds} rounds; batch of {backends.dask_batch(args.runs, args.workers)} runs a Dask task",
                  flush=True)
            for k in range(args.rounds):
                exp = experiment(args.runs, args.staff, args.weeks, seed=100 + k)
                for name in figures:
                    backends.DASK_BATCH = 1 if name == "dask, 1 run a task" else batch
                    store = folder / f"{k}-{name}.sqlite"
                    summary = (run_experiment(exp, store, executor="processes", workers=args.workers)
                               if name == "processes" else run_experiment(exp, store, scheduler=address))
                    figures[name].append(overhead_per_run(summary))
                    print(f"  round {k + 1} {name:20s} wall {summary.elapsed:6.2f} s; overhead "
                          f"{1e3 * figures[name][-1][0]:6.2f} ms a run; run {1e3 * figures[name][-1][1]:6.1f} ms",
                          flush=True)
    finally:
        backends.DASK_BATCH = batch
        cluster.close()
    print("\nMedian of the rounds")
    pool = statistics.median(o for o, _ in figures["processes"])
    for name, rows in figures.items():
        overhead = statistics.median(o for o, _ in rows)
        run = statistics.median(r for _, r in rows)
        print(f"  {name:20s} overhead {1e3 * overhead:6.2f} ms a run = {overhead / pool:5.2f} x the pool's; "
              f"mean run {1e3 * run:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

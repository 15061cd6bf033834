"""How the cost of a week grows with the hospital, for every preset.

Run from the repository root:

    python benchmarks/bench_scaling.py                 # 10k to 200k staff, every preset
    python benchmarks/bench_scaling.py --sizes 10000 50000 --presets business_as_usual
    python benchmarks/bench_scaling.py --system 1000000 --weeks 52   # a health system, full transformation

For each preset and size it prints the first week's time, the median of the
later weeks, and the later week as a multiple of one sparse product
``peers @ x`` measured in the same process (the floor a week cannot go
below: the staff week needs a few of them). Then, per preset, the exponent
``a`` of a least-squares fit of week time ~ N^a. With ``--system`` it runs
one generated system through ``orgchange run`` and reports the time and
the peak memory (its resident set size, from the operating system).

It prints figures and never fails on them: judge the ratios.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from simulation import Config, OrgChangeModel
from simulation.strategy import load_strategy, preset_names


def product_time(model: OrgChangeModel, repeats: int = 20) -> float:
    """Median seconds of one ``peers @ x`` product on ``model``'s network."""
    x = model.state.commitment.copy()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.network.peers @ x
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def weeks_of(preset: str, staff: int, weeks: int, seed: int = 1) -> tuple[float, float, float, float]:
    """Build time, first week, median later week, and one product, in seconds."""
    config = load_strategy(preset).apply(Config(staff=staff, weeks=weeks + 1, seed=seed))
    started = time.perf_counter()
    model = OrgChangeModel(config)
    built = time.perf_counter() - started
    times = []
    for _ in range(weeks + 1):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    product = product_time(model)
    model.release()
    return built, times[0], float(np.median(times[1:])), product


def scaling(sizes: list[int], presets: list[str], weeks: int) -> None:
    print(f"{'preset':22s} {'staff':>8s} {'build s':>8s} {'week 1 ms':>10s} {'week ms':>9s} {'product ms':>11s} "
          f"{'week/product':>13s} {'week 1/week':>12s}")
    for preset in presets:
        rows = []
        for staff in sizes:
            built, first, later, product = weeks_of(preset, staff, weeks)
            rows.append((staff, later))
            print(f"{preset:22s} {staff:8d} {built:8.2f} {1e3 * first:10.1f} {1e3 * later:9.1f} {1e3 * product:11.2f} "
                  f"{later / product:13.1f} {first / later:12.1f}", flush=True)
        if len(rows) > 1:
            n, t = np.log([r[0] for r in rows]), np.log([r[1] for r in rows])
            slope = np.polyfit(n, t, 1)[0]
            print(f"{preset:22s} week time ~ N^{slope:.2f}", flush=True)


def system(staff: int, weeks: int) -> None:
    """One health-system-sized run of full transformation through the command line."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "system"
        command = [sys.executable, "-m", "simulation.cli", "run", "--strategy", "full_transformation",
                   "--staff", str(staff), "--weeks", str(weeks), "--out", str(out), "--no-figure"]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # KiB on Linux
    print(f"{staff:,} staff x {weeks} weeks of full_transformation: {elapsed:.0f} s, peak memory {peak:.2f} GiB "
          f"({peak * 1024**3 / staff:.0f} bytes a person)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 50_000, 100_000, 200_000])
    parser.add_argument("--presets", nargs="+", default=preset_names())
    parser.add_argument("--weeks", type=int, default=6, help="later weeks timed per size (scaling), or weeks run")
    parser.add_argument("--system", type=int, default=0, help="staff of a health-system run (0: none)")
    args = parser.parse_args()
    if args.system:
        system(args.system, args.weeks)
    else:
        scaling(args.sizes, args.presets, args.weeks)


if __name__ == "__main__":
    main()

"""How the cost of a week grows with the hospital, for every preset.

Run from the repository root:

    python benchmarks/bench_scaling.py                 # 10k to 200k staff, every preset
    python benchmarks/bench_scaling.py --sizes 10000 50000 --presets business_as_usual
    python benchmarks/bench_scaling.py --system 1000000 --weeks 52   # a health system, full transformation
    python benchmarks/bench_scaling.py --profile 100000 --weeks 10    # where one 100k week goes, by phase
    python benchmarks/bench_scaling.py --profile 100000 --engine compiled   # the same on the compiled engine

For each preset and size it prints the first week's time, the median of the
later weeks, and the later week as a multiple of one sparse product
``peers @ x`` measured in the same process (the floor a week cannot go
below: the staff week needs a few of them). Then, per preset, the exponent
``a`` of a least-squares fit of week time ~ N^a. With ``--system`` it runs
one generated system through ``orgchange run`` and reports the time and
the peak memory (its resident set size, from the operating system). With
``--profile`` it times the phases of the week (the steps of
`OrgChangeModel.step`) at one size, for each preset asked for (business
as usual and full transformation if none), without a profiler's overhead:
each phase's milliseconds, its share of the week, and the week as a
multiple of one product.

The imported modules are kept out of the garbage collector's sight before
the first model is built (`simulation.heap.freeze_imports`), as ``orgchange
run`` and the workers of a pool keep them; ``--no-freeze`` measures without
(a full collection then walks them, 90 ms, in whichever week it falls).

It prints figures and never fails on them: judge the ratios. On a shared
2-core machine one pass can be off by half; to compare two versions of the
code, run them in turn, several times, and compare medians.
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
from simulation.heap import freeze_imports
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


def weeks_of(preset: str, staff: int, weeks: int, seed: int = 1,
             engine: str = "vectorized") -> tuple[float, float, float, float]:
    """Build time, first week, median later week, and one product, in seconds."""
    config = load_strategy(preset).apply(Config(staff=staff, weeks=weeks + 1, seed=seed, engine=engine))
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


def scaling(sizes: list[int], presets: list[str], weeks: int, engine: str = "vectorized") -> None:
    print(f"{'preset':22s} {'staff':>8s} {'build s':>8s} {'week 1 ms':>10s} {'week ms':>9s} {'product ms':>11s} "
          f"{'week/product':>13s} {'week 1/week':>12s}")
    for preset in presets:
        rows = []
        for staff in sizes:
            built, first, later, product = weeks_of(preset, staff, weeks, engine=engine)
            rows.append((staff, later))
            print(f"{preset:22s} {staff:8d} {built:8.2f} {1e3 * first:10.1f} {1e3 * later:9.1f} {1e3 * product:11.2f} "
                  f"{later / product:13.1f} {first / later:12.1f}", flush=True)
        if len(rows) > 1:
            n, t = np.log([r[0] for r in rows]), np.log([r[1] for r in rows])
            slope = np.polyfit(n, t, 1)[0]
            print(f"{preset:22s} week time ~ N^{slope:.2f}", flush=True)


PHASES = {
    "_leaders_act": "2. leaders act",
    "update": "3-5, 7. staff update",
    "project_week": "6. projects",
    "leavers": "8. turnover draws",
    "departure_effects": "8. departures' trust",
    "hire": "8. hiring (agent swaps)",
    "_unit_means": "9. unit means",
}
"""The model's methods timed by `phases`, and what step of the week each is."""


def phases(preset: str, staff: int, weeks: int, seed: int = 1, engine: str = "vectorized") -> None:
    """Print where ``weeks`` later weeks of ``preset`` at ``staff`` go."""
    import simulation.model as model_module

    model = OrgChangeModel(load_strategy(preset).apply(Config(staff=staff, weeks=weeks + 2, seed=seed, engine=engine)))
    model.step()  # the first week, with its one-off costs, is not profiled
    spent: dict[str, float] = dict.fromkeys([*PHASES.values(), "9. unit week", "9. metrics", "9. collector"], 0.0)

    def timed(function, label):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started
        return wrapper

    # Each phase wrapped on this model alone (the module functions for this process).
    for name, label in PHASES.items():
        setattr(model, name, timed(getattr(model, name), label))
    model.datacollector.collect = timed(model.datacollector.collect, "9. collector")
    originals = model_module.unit_week, model_module.measure
    model_module.unit_week = timed(model_module.unit_week, "9. unit week")
    model_module.measure = timed(model_module.measure, "9. metrics")
    try:
        started = time.perf_counter()
        for _ in range(weeks):
            model.step()
        week = (time.perf_counter() - started) / weeks
    finally:
        model_module.unit_week, model_module.measure = originals
    product = product_time(model)
    print(f"{preset}, {staff:,} staff, {engine} engine: one week {1e3 * week:.1f} ms = {week / product:.1f} x one "
          f"product ({1e3 * product:.2f} ms), the mean of {weeks} weeks")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {label:26s} {1e3 * seconds / weeks:8.2f} ms {seconds / weeks / week:7.1%}")
    rest = week - sum(spent.values()) / weeks
    print(f"  {'the rest (urgency, energy)':26s} {1e3 * rest:8.2f} ms {rest / week:7.1%}", flush=True)
    model.release()


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
    parser.add_argument("--profile", type=int, default=0, help="staff of a week profiled by phase (0: none)")
    parser.add_argument("--engine", choices=["vectorized", "compiled"], default="vectorized",
                        help="the engine of the scaling and profile runs (default: vectorized)")
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the imported modules in the garbage collector's sight")
    args = parser.parse_args()
    if not args.no_freeze:
        freeze_imports()
    if args.system:
        system(args.system, args.weeks)
    elif args.profile:
        for preset in args.presets if args.presets != preset_names() else ["business_as_usual",
                                                                           "full_transformation"]:
            phases(preset, args.profile, args.weeks, engine=args.engine)
    else:
        scaling(args.sizes, args.presets, args.weeks, engine=args.engine)


if __name__ == "__main__":
    main()

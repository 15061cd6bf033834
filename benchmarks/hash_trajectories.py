"""Fingerprint the model's trajectories, to prove a speed-up changed no number.

Run from the repository root::

    python benchmarks/hash_trajectories.py                   # print one line per configuration
    python benchmarks/hash_trajectories.py > before.txt      # record, change the code, then
    python benchmarks/hash_trajectories.py | diff before.txt -   # no output: bit-identical

``benchmarks/trajectory_hashes.txt`` holds the lines of the code as of
issue 14's collaborative (Python 3.11, numpy 2.3-2.4, x86-64 Linux). numpy
picks its kernels for ``exp`` and the like by what the CPU offers, and its
AVX-512 ``exp`` rounds the last bit of a few survey shares differently from
its AVX2 one (2e-16; the staff state is the same). So this script runs numpy
on its AVX2 kernels, as ``NPY_DISABLE_CPU_FEATURES`` below says, and the file
holds on any x86-64 machine; another platform or library version may still
round differently, so record your own "before" there.

Each configuration is run in full, and two SHA-256 digests are printed:

* ``series``: the time series `OrgChangeModel.run` returns, as its column
  names and the bytes of ``df.to_numpy()`` (every metric, every week);
* ``state``: the final staff state (`StaffState.values`), the units' state,
  and the portfolio's capability gains, as bytes.

The configurations cover every preset strategy at 100, 500 and 2,000 staff,
a few seeds and horizons, the example org chart under its own levers, and
each engine: the default (vectorized), the agent engine on small hospitals,
and the compiled engine if Numba is installed. A performance change must
leave every line unchanged; anything else changes model behaviour.
"""

from __future__ import annotations

import os

# Before numpy is imported: the same kernels on AVX2 and AVX-512 machines
# (see above). Features a CPU lacks are ignored; a value already set wins.
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")

import argparse
import hashlib
import importlib.util
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np

from simulation import Config, OrgChangeModel
from simulation.strategy import load_strategy, preset_names

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "examples" / "community_hospital.toml"


def configurations() -> list[tuple[str, Config]]:
    """The (label, config) pairs that are fingerprinted, about thirty."""
    compiled = importlib.util.find_spec("numba") is not None
    runs: list[tuple[str, Config]] = []
    sizes = (100, 500, 2000)
    for k, preset in enumerate(preset_names()):
        strategy = load_strategy(preset)
        for j, staff in enumerate(sizes):
            seed = 1 + k + 10 * j
            weeks = (104, 80, 60)[j]
            runs.append((f"{preset} staff={staff} seed={seed}",
                         strategy.apply(Config(staff=staff, weeks=weeks, seed=seed))))
    full = load_strategy("full_transformation")
    bau = load_strategy("business_as_usual")
    for engine, staff, weeks in (("agent", 100, 40), ("agent", 200, 30)):
        for name, strategy in (("full_transformation", full), ("business_as_usual", bau)):
            runs.append((f"{name} staff={staff} engine={engine}",
                         strategy.apply(Config(staff=staff, weeks=weeks, seed=5, engine=engine))))
    if compiled:
        for staff in (100, 500, 2000):
            runs.append((f"full_transformation staff={staff} engine=compiled",
                         full.apply(Config(staff=staff, weeks=60, seed=9, engine="compiled"))))
        runs.append(("business_as_usual staff=500 engine=compiled",
                     bau.apply(Config(staff=500, weeks=80, seed=3, engine="compiled"))))
    chart = Config.from_toml(CHART)
    runs.append(("community_hospital.toml", chart))
    runs.append(("community_hospital.toml seed=11", chart.replace(seed=11)))
    runs.append(("community_hospital.toml agent", chart.replace(engine="agent", weeks=60)))
    runs.append(("ceo_champion hospital_seed=4 seed=12",
                 load_strategy("ceo_champion").apply(Config(staff=500, weeks=80, seed=12, hospital_seed=4))))
    # A schedule: a lever change, then the CEO leaves (weeks 104 and 156).
    release = load_strategy(ROOT / "examples" / "mandate_then_release.toml")
    runs.append(("mandate_then_release.toml staff=300", release.apply(Config(staff=300, weeks=170, seed=2))))
    # A larger hospital, where leaders' look-ups take their other branches.
    runs.append(("full_transformation staff=10000", full.apply(Config(staff=10_000, weeks=30, seed=4))))
    # Hospitals of several blocks of the vectorized staff week (`simulation.week.BLOCK`).
    runs.append(("business_as_usual staff=40000", bau.apply(Config(staff=40_000, weeks=12, seed=6))))
    runs.append(("full_transformation staff=40000", full.apply(Config(staff=40_000, weeks=8, seed=7))))
    return runs


def digest(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()[:24]


def fingerprint(config: Config) -> tuple[str, str]:
    """The digests of one run's time series and of its final state."""
    model = OrgChangeModel(config)
    df = model.run()
    series = digest("\0".join(df.columns).encode(), np.ascontiguousarray(df.to_numpy()).tobytes())
    units = [np.ascontiguousarray(getattr(model.units, f.name)).tobytes() for f in fields(model.units)]
    state = digest(np.ascontiguousarray(model.state.values).tobytes(), *units,
                   model.projects.quick_gain.tobytes(), model.projects.redesign_gain.tobytes())
    model.release()
    return series, state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="run only the configurations whose label contains this text")
    args = parser.parse_args(argv)
    for label, config in configurations():
        if args.only and args.only not in label:
            continue
        series, state = fingerprint(config)
        print(f"{label:52s} series {series} state {state}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

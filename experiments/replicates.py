"""Independent replicates of one configuration, and the one seeding scheme.

Every entry point derives run seeds the same way: replicate ``k`` of design
point ``p`` under root seed ``r`` gets the seed of
``SeedSequence(r, spawn_key=(p, k))`` (`run_seed`). A single configuration
is design point 0. So the same root seed gives the same hospitals in
`run_replicates`, the patterns (`experiments.patterns`), ``orgchange
compare`` and experiment files; and every strategy of a comparison meets
the same hospitals and chance events (common random numbers), since the
strategy is not part of the key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation import Config, OrgChangeModel


def seed_of(sequence: np.random.SeedSequence) -> int:
    """A model seed from a seed sequence: its first 64-bit word, halved so
    that it fits the model's seed range [0, 2**63)."""
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_seed(root_seed: int, point: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` at design point ``point``: that of
    ``SeedSequence(root_seed, spawn_key=(point, replicate))``, a stream
    statistically independent of every other (point, replicate)."""
    return seed_of(np.random.SeedSequence(root_seed, spawn_key=(point, replicate)))


def replicate_seeds(root_seed: int, replicates: int, point: int = 0) -> list[int]:
    """The seeds of replicates ``0 .. replicates - 1`` at design point
    ``point`` (see `run_seed`): replicate ``k`` gets the same seed whatever
    else is run and in what order."""
    if replicates < 1:
        raise ValueError(f"replicates: must be an integer >= 1, got {replicates}")
    return [run_seed(root_seed, point, k) for k in range(replicates)]


def run_replicates(config: Config, replicates: int) -> pd.DataFrame:
    """Run ``replicates`` copies of ``config`` and stack their time series,
    with a ``replicate`` and a ``seed`` column. The config's own seed is the
    root seed."""
    frames = []
    for k, seed in enumerate(replicate_seeds(config.seed, replicates)):
        df = OrgChangeModel(config.replace(seed=seed)).run()
        frames.append(df.assign(replicate=k, seed=seed))
    return pd.concat(frames, ignore_index=True)

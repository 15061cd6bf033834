"""Independent replicates of one configuration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation import Config, OrgChangeModel


def seed_of(sequence: np.random.SeedSequence) -> int:
    """A model seed from a seed sequence: its first 64-bit word, halved so
    that it fits the model's seed range [0, 2**63)."""
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds for ``replicates`` independent runs, derived from ``root_seed``.

    `numpy.random.SeedSequence` spawns statistically independent streams, so
    replicate ``k`` gets the same seed whatever else is run and in what order.
    """
    if replicates < 1:
        raise ValueError(f"replicates: must be an integer >= 1, got {replicates}")
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [seed_of(child) for child in children]


def run_replicates(config: Config, replicates: int) -> pd.DataFrame:
    """Run ``replicates`` copies of ``config`` and stack their time series,
    with a ``replicate`` and a ``seed`` column. The config's own seed is the
    root seed."""
    frames = []
    for k, seed in enumerate(replicate_seeds(config.seed, replicates)):
        df = OrgChangeModel(config.replace(seed=seed)).run()
        frames.append(df.assign(replicate=k, seed=seed))
    return pd.concat(frames, ignore_index=True)

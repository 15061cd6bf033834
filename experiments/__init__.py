"""Experiments on the model: configuration in, tidy data out.

For now this offers independent replicates of one configuration, seeded from
one root seed through `numpy.random.SeedSequence`; strategy comparisons,
sweeps and the durable store build on it.
"""

from experiments.replicates import replicate_seeds, run_replicates

__all__ = ["replicate_seeds", "run_replicates"]

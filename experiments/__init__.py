"""Experiments on the model: configuration in, tidy, durable, reproducible data out.

* `Experiment`: what to run (an experiment TOML file, or built in Python):
  a base configuration, strategies, a design over varied parameters,
  replicates, the horizon, the root seed and the metrics to keep.
* `run_experiment`: run it, serially, on local processes or on Dask, into
  one SQLite file that survives interruption and resumes.
* `load`: read that file back as pandas DataFrames; `export` writes CSV or
  Parquet.
* `replicate_seeds`, `run_replicates`: independent replicates of one
  configuration, in memory.

See docs/experiments.md.
"""

from experiments.design import Design
from experiments.errors import ExperimentError, StoreDamaged, StoreInUse
from experiments.experiment import Experiment, RunSpec, run_seed
from experiments.export import export
from experiments.replicates import replicate_seeds, run_replicates
from experiments.results import Results, load
from experiments.runner import Summary, run_experiment

__all__ = ["Design", "Experiment", "ExperimentError", "Results", "RunSpec", "StoreDamaged", "StoreInUse", "Summary",
           "export", "load", "replicate_seeds", "run_experiment", "run_replicates", "run_seed"]

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
* `Calibration`, `run_calibration`, `read_survey`, `Posterior`: Bayesian
  calibration to a hospital's own survey (docs/calibration.md), and the
  posterior an experiment's runs draw from.

See docs/experiments.md.
"""

from experiments.calibration import Calibration, run_calibration
from experiments.design import Design
from experiments.errors import ExperimentError, StoreDamaged, StoreInUse
from experiments.experiment import Experiment, RunSpec, run_seed
from experiments.export import export
from experiments.posterior import Posterior
from experiments.replicates import replicate_seeds, run_replicates
from experiments.results import Results, load
from experiments.runner import Summary, run_experiment
from experiments.survey import read_survey

__all__ = ["Calibration", "Design", "Experiment", "ExperimentError", "Posterior", "Results", "RunSpec", "StoreDamaged",
           "StoreInUse", "Summary", "export", "load", "read_survey", "replicate_seeds", "run_calibration",
           "run_experiment", "run_replicates", "run_seed"]

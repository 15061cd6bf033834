"""A calibration's posterior, read back, and one draw from it per run.

``orgchange calibrate`` stores its posterior in its results file
(``calibration.sqlite``, pyabc's own database) in two tables of orgchange's:

``orgchange_posterior``
    The final population: one row per particle, its ``weight`` and one
    column per calibrated parameter.
``orgchange_calibration``
    ``key``/``value`` pairs: the resolved calibration (``calibration_toml``),
    the survey's text, the calibrated parameters (JSON), the hospital's
    ``[organization]`` table (JSON), and how many generations are done.

This module reads them with the standard library's sqlite3 alone, so that
``orgchange compare --posterior`` and experiment files with ``posterior =
"..."`` need no pyabc.

A run draws one particle, with probability equal to its weight, from a
generator seeded by the run's own seed alone (`Posterior.draw`): the same run
always gets the same parameters, whatever else runs, and every strategy of a
comparison meets the same draw (the strategy is not part of the run's seed).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from experiments.errors import ExperimentError

POSTERIOR_TABLE = "orgchange_posterior"
META_TABLE = "orgchange_calibration"
POSTERIOR_STREAM = 0x9057
"""The `numpy.random.SeedSequence` spawn key of a run's posterior draw: apart
from every stream the model itself draws from."""
CONTEXT_OF = {
    "frontline_commitment": "hospital_culture_sd",
    "middle_commitment": "hospital_culture_sd",
    "ceo_passion": "hospital_passion_sd",
    "senior_passion": "hospital_passion_sd",
    "turnover_rate": "hospital_turnover_sd",
    "care_slack": "hospital_staffing_sd",
}
"""The part of a hospital's drawn context (`simulation.context`) that moves
each parameter. A calibrated parameter is this hospital's own value, so that
part of the context is fixed (its standard deviation set to 0) wherever the
calibrated value is used: in the calibration's own runs and in every run that
draws from its posterior. The culture draw moves frontline and middle
commitment together, so calibrating either fixes both."""


def context_fixed(names) -> dict[str, float]:
    """The context standard deviations to set to 0 for calibrated ``names``."""
    return {CONTEXT_OF[name]: 0.0 for name in names if name in CONTEXT_OF}


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of parameter values: a calibration's posterior.

    Attributes
    ----------
    names
        The calibrated parameters, in order.
    values
        Particles x parameters.
    weights
        Each particle's weight, summing to 1.
    organization
        The calibrated hospital's ``[organization]`` table (org chart or
        generated size) as plain values.
    source
        The file it was read from.
    """

    names: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    organization: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read the posterior of a calibration's results file; a file that
        holds none raises `ExperimentError` naming it and why."""
        path = Path(path)
        name = repr(str(path))
        if not path.is_file():
            raise ExperimentError(f"posterior file {name} does not exist (orgchange calibrate writes "
                                  f"calibration.sqlite into its --out folder)")
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                columns = [row[1] for row in db.execute(f"PRAGMA table_info({POSTERIOR_TABLE})")]
                rows = db.execute(f"SELECT * FROM {POSTERIOR_TABLE} ORDER BY particle").fetchall()
                meta = dict(db.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
            finally:
                db.close()
        except sqlite3.Error as err:
            raise ExperimentError(f"posterior file {name} holds no posterior of orgchange calibrate ({err})") from None
        if not rows or columns[:2] != ["particle", "weight"]:
            raise ExperimentError(f"posterior file {name} holds no finished generation yet; finish it with "
                                  f"orgchange calibrate --resume")
        table = np.array(rows, dtype=float)
        weights = table[:, 1] / table[:, 1].sum()
        return cls(tuple(columns[2:]), table[:, 2:], weights, json.loads(meta.get("organization", "{}")), str(path))

    @cached_property
    def _cumulative(self) -> np.ndarray:
        return np.cumsum(self.weights)

    def draw(self, seed: int) -> dict[str, float]:
        """The parameters of the run with ``seed``: one particle, chosen with
        probability equal to its weight, by a generator seeded from ``seed``
        alone (so the same seed always gets the same particle)."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(POSTERIOR_STREAM,)))
        k = int(np.searchsorted(self._cumulative, rng.random() * self._cumulative[-1], side="right"))
        k = min(k, len(self.weights) - 1)
        return {name: float(v) for name, v in zip(self.names, self.values[k])}

    def values_for(self, seed: int) -> dict[str, float]:
        """What a run with ``seed`` sets: its draw (`draw`), and the hospital
        context those parameters fix (`context_fixed`)."""
        return {**context_fixed(self.names), **self.draw(seed)}

    def draws(self, seeds) -> list[dict[str, float]]:
        """The draw of each seed, in order: which calibrated values each run
        of an experiment got (``[posterior.draw(s) for s in runs.seed]``),
        recomputed from the seeds a results file keeps."""
        return [self.draw(int(seed)) for seed in seeds]

    def mean(self) -> dict[str, float]:
        """Each parameter's posterior mean."""
        return {name: float(self.weights @ self.values[:, k]) for k, name in enumerate(self.names)}

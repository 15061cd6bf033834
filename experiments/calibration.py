"""Bayesian calibration to a hospital's own survey: `Calibration` and `run_calibration`.

A planner knows their hospital from its staff survey, not from the model's
parameters. This module turns the first into the second: it finds which
values of a few uncertain parameters (by default the mean predispositions
of frontline staff and middle managers, the senior leaders' passion and the
practice threshold) make the model's hospital answer the survey as the
real one did, and how sure we can be.

The method is approximate Bayesian computation by sequential Monte Carlo
(ABC-SMC: Toni et al. 2009), as the library pyabc implements it (Schälte et
al. 2022):

1. Draw parameter values from the prior (uniform over each parameter's
   range), run the model's hospital with them, and take its survey
   (`simulate_survey`): the same shares the real survey gives, drawn with
   the real survey's sampling error when its respondents are known.
2. Keep the values whose survey lies within a tolerance of the real one
   (`SurveyDistance`), then draw new values around those kept, with a
   tighter tolerance (the median distance of the last generation), and so
   on for ``generations`` generations.

The particles of the last generation, with their weights, approximate the
posterior: the parameter values consistent with the survey. Experiments and
``orgchange compare --posterior`` draw from it (`experiments.posterior`),
so a comparison of strategies carries the parameter uncertainty.

What the survey can and cannot tell. Each target is the share of positive
(or problematic) answers by staff level, the share of staff in QI work and,
optionally, quality over time, so the parameters that move those shares are
identifiable: the levels' predispositions (through the survey) and the
practice threshold (through participation). Dynamic parameters (turnover,
influence rates) move a survey taken once hardly at all; calibrate them only
with a series of surveys or of quality.

Determinism: the same seed gives the same posterior on every backend and
with any number of workers (`experiments.abc_sampler`); ``resume`` finishes
an interrupted calibration to the same posterior as an uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.errors import ExperimentArgumentError, ExperimentError, store_failure
from experiments.posterior import META_TABLE, POSTERIOR_TABLE, Posterior, context_fixed
from experiments.survey import Survey, SurveyError, Target, read_survey
from simulation import Config, OrgChangeModel, tomlio
from simulation.errors import ConfigError, did_you_mean
from simulation.parameters import PARAMETERS, SECTIONS

DEFAULT_PARAMETERS = ("frontline_commitment", "middle_commitment", "senior_passion", "practice_threshold")
"""What is calibrated unless a calibration file says otherwise: what a survey
taken once identifies (see the module's documentation)."""
CALIBRATION_KEYS = ("survey", "population", "generations", "seed", "parameters", "predictive_draws")
DEFAULT_POPULATION = 100
"""Particles per generation (pyabc's population size)."""
DEFAULT_GENERATIONS = 6
"""Generations of ABC-SMC: each one tightens the tolerance to the median distance of the last."""
DEFAULT_PREDICTIVE_DRAWS = 100
"""Posterior draws in the posterior predictive check."""
SCALE_FLOOR = 0.01
"""The standard error a share given without respondents is taken to have: one
percentage point (a share given exactly still has rounding in it)."""
SURVEY_STREAM = 0x5AB
"""The spawn key of a run's survey sampling (the binomial draws of respondents)."""
PREDICTIVE_STREAM = 0x99C
"""The spawn key of the posterior predictive check's draws."""


def default_prior(name: str, behaviour=None) -> tuple[float, float]:
    """A parameter's prior range: its documented range in the parameter
    table, except the practice threshold, which stops at the largest
    practice drive possible before a strategy starts (the sum of the drive's
    weights and the habit bonus): above it nobody could practise, and every
    such value predicts the same zero participation."""
    p = PARAMETERS[name]
    # Every number of [behaviour] has a documented range.
    assert p.low is not None and p.high is not None, f"{name} has no documented range"
    if name == "practice_threshold":
        b = behaviour or Config().behaviour
        top = b.weight_commitment + b.weight_alignment + b.weight_accountability + b.weight_peers + b.habit
        return (float(p.low), float(min(p.high, top)))
    return (float(p.low), float(p.high))


@dataclasses.dataclass(frozen=True)
class Calibration:
    """What to calibrate, to what, and how long: a validated calibration.

    Attributes
    ----------
    survey
        The targets (`experiments.survey.Survey`).
    priors
        Each calibrated parameter's uniform prior, ``(low, high)``, in order.
    base
        The hospital and what it does now: its organization (an org chart or
        a generated size) and its levers (default: business as usual), run
        for the survey's weeks. Context drawn from each run's seed, except
        the parts the calibrated parameters fix (`experiments.posterior.CONTEXT_OF`).
    population, generations
        Particles per generation, and generations.
    seed
        The root seed.
    predictive_draws
        Posterior draws in the posterior predictive check.
    """

    survey: Survey
    priors: dict[str, tuple[float, float]]
    base: Config
    population: int = DEFAULT_POPULATION
    generations: int = DEFAULT_GENERATIONS
    seed: int = 0
    predictive_draws: int = DEFAULT_PREDICTIVE_DRAWS

    @classmethod
    def from_toml(cls, path: str | Path, survey: Survey | str | Path | None = None) -> Calibration:
        """Read a calibration file; ``survey`` (a `Survey` or a path) replaces
        the file's own ``survey``. Relative paths resolve next to the file."""
        path = Path(path)
        tables, text = tomlio.read(path, "calibration file")
        try:
            return cls.from_dict(tables, survey, base_dir=path.parent)
        except ConfigError as err:
            raise ExperimentError(err.message, err.location, source=str(path),
                                  line=tomlio.line_of(text, err.location)) from None

    @classmethod
    def from_dict(cls, tables: Mapping[str, Any], survey: Survey | str | Path | None = None,
                  base_dir: str | Path | None = None, **overrides: Any) -> Calibration:
        """Validate TOML-shaped tables: ``[calibration]`` (survey, population,
        generations, seed, predictive_draws and a ``parameters`` table of
        ``name = [low, high]`` priors) and ``[base.*]`` (the hospital, as in an
        experiment file). Keyword ``overrides`` (``population=50``) win."""
        base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        for key in tables:
            if key not in ("calibration", "base"):
                raise ExperimentError(f"unknown table{did_you_mean(key, ['calibration', 'base'])}; allowed: "
                                      f"[calibration], [base]", (key,))
        head = {**dict(tables.get("calibration", {})), **{k: v for k, v in overrides.items() if v is not None}}
        for key in head:
            if key not in CALIBRATION_KEYS:
                raise ExperimentError(f"unknown key{did_you_mean(key, CALIBRATION_KEYS)}; allowed: "
                                      f"{', '.join(CALIBRATION_KEYS)}", ("calibration", key))
        if survey is None:
            if "survey" not in head:
                raise ExperimentError("missing; give the survey CSV file to calibrate to", ("calibration", "survey"))
            given = Path(str(head["survey"]))
            survey = given if given.is_absolute() else base_dir / given
        if not isinstance(survey, Survey):
            survey = read_survey(survey)
        population = _count(head, "population", DEFAULT_POPULATION, 2)
        generations = _count(head, "generations", DEFAULT_GENERATIONS, 1)
        draws = _count(head, "predictive_draws", DEFAULT_PREDICTIVE_DRAWS, 2)
        seed = head.get("seed", 0)
        try:
            seed = int(PARAMETERS["seed"].default if seed is None else seed)
            Config(seed=seed)
        except (ConfigError, TypeError, ValueError):
            raise ExperimentError(f"must be an integer >= 0, got {head.get('seed')!r}", ("calibration", "seed")) \
                from None
        base = _base(tables.get("base", {}), survey.weeks, base_dir)
        priors = _priors(head.get("parameters"), base)
        calibration = cls(survey, priors, base, population, generations, seed, draws)
        calibration.check_hospital()
        return calibration

    def replace(self, **changes: Any) -> Calibration:
        """A copy with some fields changed (``seed=1``, ``population=50``)."""
        return dataclasses.replace(self, **changes)

    @property
    def names(self) -> tuple[str, ...]:
        """The calibrated parameters, in order."""
        return tuple(self.priors)

    def base_values(self) -> dict[str, Any]:
        """Every parameter of the base configuration a run starts from, with
        the hospital context that the calibrated parameters fix set to 0."""
        return {**self.base.as_dict(), **context_fixed(self.names)}

    def check_hospital(self) -> None:
        """Refuse a survey level the hospital has nobody in (a chart with no
        senior team and a ``senior`` row, say), before any run."""
        model = OrgChangeModel(self.base.replace(weeks=1))
        df = model.run()
        model.release()
        for t in self.survey.targets:
            if not np.isfinite(df[t.metric].iloc[0]):
                raise SurveyError(f"must be a level the hospital has people at; this hospital has nobody at level "
                                  f"{t.level!r}, so the model has no {t.measure} share to compare", ("level",),
                                  source=self.survey.source, line=t.line or None)

    def to_dict(self) -> dict[str, Any]:
        """Self-contained tables: the survey's rows are kept beside the file
        (`Survey.text`), and the base is written out in full."""
        head = {"population": self.population, "generations": self.generations, "seed": self.seed,
                "predictive_draws": self.predictive_draws,
                "parameters": {name: list(bounds) for name, bounds in self.priors.items()}}
        values = self.base.as_dict()
        base = {section: {name: values[name] for name, p in PARAMETERS.items()
                          if p.section == section and name not in ("weeks", "seed")} for section in SECTIONS}
        return {"calibration": head, "base": base}

    def to_toml(self) -> str:
        """The resolved calibration, as a calibration file (its survey is
        the results file's ``survey_csv``)."""
        from experiments.experiment import _plain

        return tomlio.dumps(_plain(self.to_dict()), comment="orgchange calibration, fully resolved.")


def _count(head: Mapping[str, Any], key: str, default: int, low: int) -> int:
    value = head.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ExperimentError(f"must be an integer >= {low}, got {value!r}", ("calibration", key))
    return int(value)


def _base(table: Any, weeks: int, base_dir: Path) -> Config:
    """The hospital's configuration, as an experiment's [base] (its org chart
    found next to the file), run for ``weeks``."""
    if not isinstance(table, Mapping):
        raise ExperimentError(f"must be a table ([base]), got {table!r}", ("base",))
    tables = {k: dict(v) if isinstance(v, Mapping) else v for k, v in table.items()}
    organization = tables.get("organization")
    if isinstance(organization, dict) and isinstance(organization.get("org_chart"), str) and \
            organization["org_chart"] and not Path(organization["org_chart"]).is_absolute():
        organization["org_chart"] = str((base_dir / organization["org_chart"]).resolve())
    try:
        return Config.from_dict(tables, weeks=weeks)
    except ConfigError as err:
        raise ExperimentError(err.message, ("base", *err.location)) from None


def _priors(table: Any, base: Config) -> dict[str, tuple[float, float]]:
    """The priors: ``name = [low, high]`` each, or ``name = "default"`` for
    `default_prior`; the `DEFAULT_PARAMETERS` with their default priors if
    no table is given."""
    where = ("calibration", "parameters")
    if table is None:
        return {name: default_prior(name, base.behaviour) for name in DEFAULT_PARAMETERS}
    if not isinstance(table, Mapping) or not table:
        raise ExperimentError(f"must be a table of name = [low, high] priors, got {table!r}", where)
    priors = {}
    for name, bounds in table.items():
        if name not in PARAMETERS:
            raise ExperimentError(f"unknown parameter{did_you_mean(name, PARAMETERS)}", (*where, name))
        p = PARAMETERS[name]
        if p.section != "behaviour" or p.kind != "float":
            raise ExperimentError(f"only a number of [behaviour] can be calibrated; {name!r} is "
                                  f"{'a ' + p.kind if p.kind != 'float' else 'in [' + p.section + ']'}", (*where, name))
        if bounds == "default":
            priors[name] = default_prior(name, base.behaviour)
            continue
        if (not isinstance(bounds, list) or len(bounds) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in bounds)):
            raise ExperimentError(f"must be [low, high] bounds of a uniform prior, or \"default\", got {bounds!r}",
                                  (*where, name))
        low, high = float(bounds[0]), float(bounds[1])
        if not (p.low is None or low >= p.low) or not (p.high is None or high <= p.high) or not low < high:
            raise ExperimentError(f"must be [low, high] with low < high, within the parameter's range "
                                  f"[{p.low:g}, {p.high:g}], got {bounds!r}", (*where, name))
        priors[name] = (low, high)
    return priors


# --- the model's survey ----------------------------------------------------------------------------------
def simulate_survey(values: Mapping[str, Any], targets: tuple[Target, ...], seed: int) -> dict[str, float]:
    """The survey the model's hospital gives with parameter ``values`` and
    ``seed``: each target's share, at its week (`Target.metric` of the time
    series), drawn as a survey of ``respondents`` would give it (binomial)
    when the target has respondents."""
    model = OrgChangeModel(Config(**{**values, "seed": seed}))
    # A survey of now needs no week run: the hospital's week-0 row is measured when it is built (and is the
    # first row of the time series a run returns).
    df = model.run() if max(t.week for t in targets) > 0 else pd.DataFrame([model.latest])
    model.release()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SURVEY_STREAM,)))
    out = {}
    for t in targets:
        share = float(df[t.metric].iloc[t.week])
        if t.respondents:
            share = rng.binomial(t.respondents, min(max(share, 0.0), 1.0)) / t.respondents
        out[t.key] = share
    return out


class SurveyModel:
    """The model as pyabc calls it: parameters in, the survey out.

    Each call takes its seed from numpy's global generator, which
    `experiments.abc_sampler` seeds for every job, so a job's survey is
    fixed by its number. It is a plain class of an importable module, so
    that pyabc can ship it to worker processes and Dask workers.
    """

    def __init__(self, base_values: Mapping[str, Any], targets: tuple[Target, ...]) -> None:
        self.base_values = dict(base_values)
        self.targets = targets

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, float]:
        # The legacy global generator on purpose: it is the one pyabc draws
        # parameters from, and the one the sampler seeds for each job.
        seed = int(np.random.randint(0, 2**62, dtype=np.int64))  # noqa: NPY002
        return simulate_survey({**self.base_values, **{k: float(v) for k, v in parameters.items()}},
                               self.targets, seed)


class SurveyDistance:
    """How far the model's survey lies from the real one: the root mean
    square of the standardized differences,

        d = sqrt( sum_i w_i ((x_i - y_i) / s_i)^2 / sum_i w_i ),

    where s_i is all the noise target i has: its sampling standard error
    (`Target.standard_error`, at least `SCALE_FLOOR`) and the model's own
    run-to-run noise (``noise``: how much one hospital differs from another
    with the same parameters, `model_noise`), added in quadrature. A
    distance of 1 is then a model within about one standard deviation of
    the survey on average. Each week of a quality series weighs 1/k (k, the
    weeks measured), so that the series counts as much as one survey share,
    however many weeks it has."""

    def __init__(self, targets: tuple[Target, ...], noise: Mapping[str, float] | None = None) -> None:
        series = sum(1 for t in targets if t.measure == "quality")
        noise = noise or {}
        self.scales = {t.key: float(np.hypot(max(t.standard_error, SCALE_FLOOR), noise.get(t.key, 0.0)))
                       for t in targets}
        self.weights = {t.key: 1.0 / series if t.measure == "quality" else 1.0 for t in targets}
        self.total = sum(self.weights.values())

    def __call__(self, x: Mapping[str, float], y: Mapping[str, float]) -> float:
        squares = sum(self.weights[k] * ((x[k] - y[k]) / self.scales[k]) ** 2 for k in self.scales)
        return float(np.sqrt(squares / self.total))


PILOT_SETS = 5
"""Parameter values drawn from the prior to measure the model's noise at (`model_noise`)."""
PILOT_SEEDS = 4
"""Hospitals (seeds) run at each of them."""
PILOT_STREAM = 0x1107
"""The spawn key of the pilot's draws."""


def model_noise(calibration: Calibration, executor: Any = None) -> dict[str, float]:
    """The model's own run-to-run noise in each target: its standard
    deviation between hospitals (seeds) that share their parameter values,
    pooled over `PILOT_SETS` values drawn from the prior, `PILOT_SEEDS`
    hospitals each. Without respondents' sampling, which `SurveyDistance`
    counts apart. Drawn from the calibration's seed, so it is the same
    every time."""
    rng = np.random.default_rng(np.random.SeedSequence(calibration.seed, spawn_key=(PILOT_STREAM,)))
    exact = tuple(dataclasses.replace(t, respondents=0) for t in calibration.survey.targets)
    base = calibration.base_values()
    jobs: list[tuple] = []
    for _ in range(PILOT_SETS):
        values = {**base, **{name: float(rng.uniform(low, high)) for name, (low, high) in calibration.priors.items()}}
        jobs.extend((values, exact, int(rng.integers(0, 2**62))) for _ in range(PILOT_SEEDS))
    surveys = _simulate_all(jobs, executor)
    noise = {}
    for t in exact:
        x = np.array([s[t.key] for s in surveys]).reshape(PILOT_SETS, PILOT_SEEDS)
        noise[t.key] = float(np.sqrt(np.mean(np.var(x, axis=1, ddof=1))))
    return noise


def _simulate_all(jobs: list[tuple], executor: Any = None) -> list[dict[str, float]]:
    """`simulate_survey` of each job, on ``executor`` if given, in order."""
    if executor is None:
        return [simulate_survey(*job) for job in jobs]
    return [f.result() for f in [executor.submit(simulate_survey, *job) for job in jobs]]


# --- running it ------------------------------------------------------------------------------------------
@dataclasses.dataclass
class CalibrationResult:
    """What `run_calibration` did.

    Attributes
    ----------
    path
        The results file (pyabc's database, with orgchange's posterior tables).
    posterior
        The last generation's particles and weights.
    generations
        Generations done; ``epsilons`` their tolerances, ``simulations`` the
        model runs each took (pyabc's count, which includes jobs thrown away).
    resumed
        Generations that were already done when this call started.
    backend
        Where the simulations ran.
    """

    path: Path
    posterior: Posterior
    generations: int
    epsilons: list[float]
    simulations: list[int]
    resumed: int
    backend: str


def run_calibration(calibration: Calibration, path: str | Path, executor: Any = None, workers: int | None = None,
                    scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
                    log: Callable[[str], None] | None = None) -> CalibrationResult:
    """Calibrate by ABC-SMC into the SQLite file ``path`` and return the posterior.

    Parameters
    ----------
    calibration
        What to calibrate (`Calibration`).
    path
        The results file: pyabc's database, with the posterior in orgchange's
        tables (`experiments.posterior`). An existing file is refused unless
        ``overwrite`` (start again) or ``resume`` (finish it: its
        calibration must be this one).
    executor, workers, scheduler
        Where the model runs, as for experiments (`experiments.backends`).
    log
        Called with a line as each generation finishes.
    """
    import pyabc

    from experiments.abc_sampler import SeededSampler
    from experiments.backends import open_backend
    from experiments.lock import StoreLock
    from simulation.outputs import check_choice

    path = Path(path)
    check_choice(resume, overwrite, ExperimentArgumentError)
    say = log or (lambda message: None)
    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's own chatter: one line per generation is ours
    with StoreLock(path):
        exists = path.exists()
        if exists and not (resume or overwrite):
            raise ExperimentArgumentError("{path!r} already exists; add {resume} to finish it, or {overwrite} to "
                                          "start again", ("store",), path=str(path))
        if exists and resume:
            _check_same(path, calibration)
        elif exists:
            path.unlink()
        done = _generations_done(path) if path.exists() else 0
        with open_backend(executor, workers, scheduler, jobs=calibration.population) as backend:
            url = f"sqlite:///{path.resolve()}"
            say(f"calibrating {', '.join(calibration.names)} to {len(calibration.survey.targets)} survey "
                f"targets: {calibration.population} particles x {calibration.generations} generations on "
                f"{backend.name}" + (f"; {done} already done" if done else ""))
            try:
                # One generation a call, each by a fresh pyabc object that
                # loads the file, and the posterior stored after each: so an
                # uninterrupted run is a run resumed after every generation, and
                # an interruption loses at most the generation under way.
                noise = _stored_noise(path) if path.exists() else model_noise(calibration, backend.executor)
                for t in range(done, calibration.generations):
                    abc = _abc(calibration, SeededSampler(backend.executor, backend.workers, calibration.seed), noise)
                    if t == 0 and not path.exists():
                        abc.new(url, calibration.survey.observed)
                        _write_meta(path, calibration, noise)
                    else:
                        abc.load(url, 1)
                    abc.run(max_nr_populations=1)
                    _write_posterior(path, abc.history, calibration)
                    last = abc.history.get_all_populations().iloc[-1]
                    say(f"generation {t + 1} of {calibration.generations}: tolerance {last.epsilon:.3g}, "
                        f"{int(last.samples)} simulations")
                history = pyabc.History(url)
                populations = history.get_all_populations()
            except sqlite3.Error as err:
                raise store_failure(err, path) from None
        populations = populations[populations.t >= 0]
    return CalibrationResult(path, Posterior.load(path), len(populations), populations.epsilon.tolist(),
                             populations.samples.astype(int).tolist(), done, backend.name)


def _abc(calibration: Calibration, sampler, noise: Mapping[str, float]):
    """pyabc's ABC-SMC for ``calibration``: uniform priors, `SurveyModel`,
    `SurveyDistance` (with the model's ``noise``), and each generation's tolerance the median distance of
    the last (pyabc's `MedianEpsilon`; the first from a sample of the prior)."""
    import pyabc

    prior = pyabc.Distribution(**{name: pyabc.RV("uniform", low, high - low)
                                  for name, (low, high) in calibration.priors.items()})
    return pyabc.ABCSMC(SurveyModel(calibration.base_values(), calibration.survey.targets), prior,
                        SurveyDistance(calibration.survey.targets, noise), population_size=calibration.population,
                        sampler=sampler, eps=pyabc.MedianEpsilon())


def _stored_noise(path: Path) -> dict[str, float]:
    """The model noise a calibration measured when it started (kept, so a
    resumed one measures distance as it did)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'noise'").fetchone()
    finally:
        db.close()
    return json.loads(row[0]) if row else {}


def _generations_done(path: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'generations_done'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def _check_same(path: Path, calibration: Calibration) -> None:
    """Resume only the calibration the file was started with."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(db.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        raise ExperimentArgumentError("{resume}: {path!r} is not a results file of orgchange calibrate; use "
                                      "{overwrite} to start again", ("store",), path=str(path)) from None
    if meta.get("identity") != _identity(calibration):
        raise ExperimentArgumentError("{resume}: {path!r} holds a different calibration (its survey, parameters, "
                                      "hospital, population or seed differ); use {overwrite} to start again",
                                      ("store",), path=str(path))


def _identity(calibration: Calibration) -> str:
    """What a resumed calibration must share with the one it finishes:
    everything but the number of generations (a resumed one may go on
    further)."""
    return calibration.replace(generations=1).to_toml() + calibration.survey.to_csv()


def _write_meta(path: Path, calibration: Calibration, noise: Mapping[str, float]) -> None:
    from experiments.manifest import package_versions

    organization = {name: v for name, v in calibration.base.as_dict().items()
                    if PARAMETERS[name].section == "organization"}
    meta = {"calibration_toml": calibration.to_toml(), "identity": _identity(calibration),
            "survey_csv": calibration.survey.to_csv(),
            "survey_source": calibration.survey.source, "parameters": json.dumps(calibration.priors),
            "organization": json.dumps(organization), "versions": json.dumps(package_versions()),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "generations_done": "0",
            "noise": json.dumps(dict(noise))}
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
            db.executemany(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", meta.items())
    finally:
        db.close()


def _write_posterior(path: Path, history, calibration: Calibration) -> None:
    """Store the last generation's particles in orgchange's table (replacing
    the one before), and count it done, in one transaction."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    names = list(calibration.names)
    frame = frame[names]
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(f"DROP TABLE IF EXISTS {POSTERIOR_TABLE}")
            columns = ", ".join(f'"{name}" REAL' for name in names)
            db.execute(f"CREATE TABLE {POSTERIOR_TABLE} (particle INTEGER PRIMARY KEY, weight REAL, {columns})")
            rows = [(k, float(w), *map(float, row)) for k, (w, row) in enumerate(zip(weights, frame.to_numpy()))]
            db.executemany(f"INSERT INTO {POSTERIOR_TABLE} VALUES ({', '.join('?' * (len(names) + 2))})", rows)
            db.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES ('generations_done', ?)",
                       (str(history.max_t + 1),))
            db.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES ('calibration_toml', ?)",
                       (calibration.to_toml(),))
    finally:
        db.close()


# --- what it found ---------------------------------------------------------------------------------------
def summarize(posterior: Posterior, priors: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """One row per parameter: the posterior's weighted mean, standard
    deviation, median and 95% credible interval (2.5% and 97.5% weighted
    quantiles), with the prior's range."""
    rows = []
    for k, name in enumerate(posterior.names):
        x = posterior.values[:, k]
        w = posterior.weights
        mean = float(w @ x)
        sd = float(np.sqrt(w @ (x - mean) ** 2))
        low, median, high = weighted_quantiles(x, w, [0.025, 0.5, 0.975])
        prior = (priors or {}).get(name, (np.nan, np.nan))
        rows.append({"parameter": name, "mean": mean, "sd": sd, "median": median, "low": low, "high": high,
                     "prior_low": prior[0], "prior_high": prior[1]})
    return pd.DataFrame(rows)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, q: list[float]) -> list[float]:
    """Quantiles ``q`` of ``x`` weighted by ``w``: the inverse of the weighted
    empirical distribution function, each particle's weight centred on it."""
    order = np.argsort(x)
    x, w = np.asarray(x)[order], np.asarray(w)[order] / np.sum(w)
    centres = np.cumsum(w) - 0.5 * w
    return [float(v) for v in np.interp(q, centres, x)]


def predictive_check(calibration: Calibration, posterior: Posterior, executor: Any = None) -> pd.DataFrame:
    """The posterior predictive check: the survey the model's hospital gives
    with ``predictive_draws`` parameter values drawn from the posterior (each
    with its own seed, from the calibration's seed), against the real one.

    One row per target: the observed share, the predictive median and 95%
    interval (2.5% and 97.5% quantiles; with the survey's sampling error
    when it has respondents), and whether the observed share lies inside.
    """
    base = calibration.base_values()
    targets = calibration.survey.targets
    jobs = []
    for k in range(calibration.predictive_draws):
        seed = int(np.random.SeedSequence(calibration.seed, spawn_key=(PREDICTIVE_STREAM, k))
                   .generate_state(1, dtype=np.uint64)[0] >> np.uint64(2))
        values = {**base, **posterior.draw(seed)}
        jobs.append((values, targets, seed))
    surveys = _simulate_all(jobs, executor)
    rows = []
    for t in targets:
        draws = np.array([s[t.key] for s in surveys])
        low, median, high = np.quantile(draws, [0.025, 0.5, 0.975])
        rows.append({"target": t.key, "measure": t.measure, "level": t.level, "week": t.week,
                     "observed": t.value, "respondents": t.respondents or None, "median": float(median),
                     "low": float(low), "high": float(high), "inside": bool(low <= t.value <= high)})
    return pd.DataFrame(rows)

"""An experiment: what to run, written as a TOML file or built in Python.

::

    [experiment]
    name = "Mandate vs inspire"
    strategies = ["business_as_usual", "mandate", "inspire"]
    replicates = 10
    weeks = 260
    seed = 2026

    [base.organization]
    staff = 500

    [design]
    kind = "factorial"
    [design.parameters]
    influence_rate = [0.01, 0.03, 0.05]

The runs are every design point x every strategy x every replicate. Each
run's configuration is the base configuration, then the strategy's levers,
then the design point's values, then the horizon and the run's seed (see
`Experiment.config_for`).

Seeds. Run ``(point, strategy, replicate)`` gets the seed
``SeedSequence(root_seed, spawn_key=(point, replicate))``, so it is fixed by
the experiment alone: not by the order the runs happen in, the number of
workers or the backend. The strategy is deliberately left out, so every
strategy meets the same hospitals and the same chance events (common random
numbers), and strategy differences are not blurred by noise.
``common_seeds = true`` leaves the point out too: replicate ``k`` of every
design point gets ``SeedSequence(root_seed, spawn_key=(0, k))``, the same
hospital and the same chance events, so the differences between design
points are the parameters' alone. Use it for screening (Morris's elementary
effects difference neighbouring points) and for one-at-a-time sweeps; leave
it off when the points' runs should be independent samples (a Sobol
analysis's variance decomposition, a Latin hypercube's emulator).

Parameter uncertainty. ``posterior = "calibration.sqlite"`` in
``[experiment]`` (the results file of ``orgchange calibrate``) makes every
run draw the calibrated parameters from that posterior, one particle per
run, chosen from the run's seed alone (`experiments.posterior`): replicates
then differ in their parameters as well as their chance events, every
strategy meets the same draws, and the comparison's intervals carry the
parameter uncertainty.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from experiments.design import Design, DesignPoints
from experiments.errors import ExperimentError
from experiments.posterior import Posterior
from experiments.replicates import run_seed
from simulation import tomlio
from simulation.config import Config, ConfigError, check_value
from simulation.errors import did_you_mean
from simulation.metrics import METRICS
from simulation.parameters import LEVER_NAMES, PARAMETERS, SECTIONS, plain
from simulation.strategy import Strategy, load_strategy

TABLES = ("experiment", "base", "design", "strategy")
EXPERIMENT_KEYS = ("name", "question", "strategies", "replicates", "weeks", "seed", "common_seeds", "metrics",
                   "baseline", "posterior")
STRATEGY_KEYS = ("name", "description", "levers")
ALL_METRICS = tuple(m for m in METRICS if m != "week")
"""Every metric a run records; ``week`` is always kept as the time index."""
BASE = "base"
"""The strategy label that means: the base configuration's own levers, unchanged."""
_BASE_STRATEGY = Strategy("Base configuration", "The base configuration's own levers, unchanged.", {}, BASE)


class RunSpec(NamedTuple):
    """One run of an experiment: which design point, strategy and replicate,
    and the seed they give."""

    run_id: int
    point: int
    strategy: str
    replicate: int
    seed: int


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A validated experiment. Build one with `from_toml` or `from_dict`.

    Attributes
    ----------
    name, question
        A title, and the question it answers (for reports).
    strategies
        Label to `simulation.strategy.Strategy`, in the order given. A preset's
        label is its name, a strategy file's is its file name without
        ``.toml``, and ``"base"`` means the base configuration's own levers.
    base
        The base configuration, with the experiment's horizon.
    design
        The varied parameters and how their values are chosen.
    replicates
        Runs per design point and strategy, each with its own seed.
    weeks
        The horizon of every run, in weeks.
    seed
        The root seed every run's seed derives from.
    metrics
        The metrics kept in the store's time series.
    baseline
        The strategy that comparisons are made against.
    source, text
        The file it was read from, and that file's text ("" if built in Python).
    posterior
        The calibration results file each run draws its calibrated
        parameters from (an absolute path), or "" for none.
    common_seeds
        Whether every design point's replicate ``k`` gets the same seed
        (common random numbers across points, see the module's text).
    """

    name: str
    strategies: dict[str, Strategy]
    base: Config
    design: Design
    replicates: int
    weeks: int
    seed: int
    metrics: tuple[str, ...]
    baseline: str
    question: str = ""
    source: str = ""
    text: str = ""
    posterior: str = ""
    common_seeds: bool = False

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> Experiment:
        """Read and validate an experiment file. Strategy files and org charts
        given as relative paths are found next to it."""
        path = Path(path)
        try:
            text = tomlio.read_text(path, "experiment file")
        except ConfigError as err:
            raise ExperimentError(err.message) from None
        return cls.loads(text, source=str(path), base_dir=path.parent)

    @classmethod
    def loads(cls, text: str, source: str = "", base_dir: str | Path | None = None) -> Experiment:
        """Validate the text of an experiment file. An error names the file
        and the line of the value at fault."""
        try:
            tables = tomlio.parse(text, source or "experiment")
        except ConfigError as err:
            raise ExperimentError(err.message, source=err.source) from None
        try:
            return cls.from_dict(tables, base_dir=base_dir, source=source, text=text)
        except ConfigError as err:
            if not source:
                raise
            raise ExperimentError(err.message, err.location, source=source,
                                  line=tomlio.line_of(text, err.location)) from None

    @classmethod
    def from_dict(cls, tables: Mapping[str, Any], base_dir: str | Path | None = None, source: str = "",
                  text: str = "") -> Experiment:
        """Validate TOML-shaped tables (``{"experiment": {...}, "base": {...},
        "design": {...}}``). Errors name the field: ``experiment.replicates:
        must be an integer >= 1, got 0``."""
        base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        if not isinstance(tables, Mapping):
            raise ExperimentError(f"an experiment must be a mapping of tables, got {tables!r}")
        for key in tables:
            if key not in TABLES:
                raise ExperimentError(f"unknown table{did_you_mean(key, TABLES)}; allowed: "
                                      f"[experiment], [base], [design], [strategy.NAME]", (key,))
        head = _table(tables, "experiment")
        if "experiment" not in tables:
            raise ExperimentError("missing; an experiment file needs an [experiment] table", ("experiment",))
        for key in head:
            if key not in EXPERIMENT_KEYS:
                raise ExperimentError(f"unknown key{did_you_mean(key, EXPERIMENT_KEYS)}; "
                                      f"allowed: {', '.join(EXPERIMENT_KEYS)}", ("experiment", key))
        if "seed" not in head:
            raise ExperimentError("missing; every run's seed derives from this root seed", ("experiment", "seed"))
        seed = _check(("experiment", "seed"), "seed", head["seed"])
        weeks = _check(("experiment", "weeks"), "weeks", head.get("weeks", PARAMETERS["weeks"].default))
        replicates = head.get("replicates", 1)
        if not _is_int(replicates) or replicates < 1:
            raise ExperimentError(f"must be an integer >= 1, got {replicates!r}", ("experiment", "replicates"))
        common_seeds = head.get("common_seeds", False)
        if not isinstance(common_seeds, bool):
            raise ExperimentError(f"must be true or false, got {common_seeds!r}", ("experiment", "common_seeds"))
        name = _text(head, "name", Path(source).stem if source else "experiment")
        question = _text(head, "question", "")
        metrics = _metrics(head.get("metrics", list(ALL_METRICS)))

        def resolve(p: str) -> str:
            return p if Path(p).is_absolute() else str(base_dir / p)

        base = _base(_table(tables, "base"), weeks, resolve)
        strategies = _strategies(head.get("strategies", [BASE]), _table(tables, "strategy"), base_dir)
        baseline = head.get("baseline", next(iter(strategies)))
        if baseline not in strategies:
            normal = str(baseline).strip().lower().replace("-", "_")
            stem = Path(str(baseline)).stem
            baseline = normal if normal in strategies else stem if stem in strategies else baseline
        if baseline not in strategies:
            raise ExperimentError(f"must be one of the strategies ({', '.join(repr(s) for s in strategies)}), "
                                  f"got {head['baseline']!r}", ("experiment", "baseline"))
        design = Design.from_dict(tables.get("design"), resolve)
        posterior = _posterior(head.get("posterior", ""), resolve, design)
        return cls(name, strategies, base, design, int(replicates), weeks, seed, metrics, baseline, question,
                   source, text, posterior, common_seeds)

    def __post_init__(self) -> None:
        if self.base.weeks != self.weeks:  # the horizon lives in one place: `weeks`
            raise ExperimentError(f"its horizon ({self.base.weeks} weeks) must be experiment.weeks "
                                  f"({self.weeks})", ("base",))

    def replace(self, **changes: Any) -> Experiment:
        """A copy with some fields changed, e.g. ``replicates=2`` or
        ``weeks=52`` (the base configuration follows). The copy no longer has
        a file text of its own; `to_toml` writes it."""
        weeks = changes.get("weeks", self.weeks)
        base = changes.get("base", self.base)
        changes["base"] = base if base.weeks == weeks else base.replace(weeks=weeks)
        return dataclasses.replace(self, **{"text": "", **changes})

    # -- the runs ---------------------------------------------------------------------------------
    @cached_property
    def points(self) -> DesignPoints:
        """The design points (generated once, from the root seed)."""
        return self.design.generate(self.seed)

    @property
    def n_runs(self) -> int:
        """Design points x strategies x replicates."""
        return self.design.size() * len(self.strategies) * self.replicates

    def runs(self) -> list[RunSpec]:
        """Every run, in run-id order. The id is ``(point x strategies +
        strategy index) x replicates + replicate``; the seed leaves out the
        strategy, and with `common_seeds` the point too."""
        specs = []
        labels = list(self.strategies)
        for point in range(len(self.points)):
            seeded_as = 0 if self.common_seeds else point
            for s, label in enumerate(labels):
                for r in range(self.replicates):
                    run_id = (point * len(labels) + s) * self.replicates + r
                    specs.append(RunSpec(run_id, point, label, r, run_seed(self.seed, seeded_as, r)))
        return specs

    @cached_property
    def drawn(self) -> Posterior | None:
        """The posterior each run draws from (`posterior`), or None."""
        return Posterior.load(self.posterior) if self.posterior else None

    def drawn_values(self, seed: int) -> dict[str, Any]:
        """What the run with ``seed`` takes from the posterior: its draw and
        the hospital context that fixes (nothing without a posterior)."""
        return self.drawn.values_for(seed) if self.drawn is not None else {}

    def config_for(self, point: int, strategy: str, seed: int | None = None) -> Config:
        """The configuration of design point ``point`` under ``strategy``:
        base, then the strategy's levers, then the point's values (so a varied
        lever overrides the strategy), then the run's seed, and with a
        posterior the calibrated parameters the seed draws."""
        try:
            config = self.strategies[strategy].apply(self.base).replace(**self.points.points[point])
            return config if seed is None else config.replace(seed=seed, **self.drawn_values(seed))
        except ConfigError as err:
            raise ExperimentError(f"{self._where(point, strategy)}: {err}") from None

    def _where(self, point: int, strategy: str) -> str:
        """``design point 1 (org_chart='b.csv'), strategy 'mandate'``, for messages."""
        values = ", ".join(f"{k}={v!r}" for k, v in self.points.points[point].items())
        return f"design point {point}" + (f" ({values})" if values else "") + f", strategy {strategy!r}"

    def check(self) -> None:
        """Build every design point's configuration under every strategy, so
        that a clash (say, a lever value a strategy cannot take at some
        point) stops the experiment before it starts, not in the middle."""
        # A missing chart would fail every run that uses it: say so now, naming
        # the first design point and strategy that use it. (A chart that exists
        # but is malformed is only found by loading it, in the run.)
        checked = set()
        for point in range(len(self.points)):
            for label in self.strategies:
                chart = self.config_for(point, label).org_chart
                if chart and chart not in checked:
                    checked.add(chart)
                    if not Path(chart).is_file():
                        raise ExperimentError(f"{self._where(point, label)}: org_chart: file {chart!r} does "
                                              "not exist")

    # -- writing it out -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Self-contained TOML tables: the full base configuration and every
        strategy's levers written out, so the experiment rebuilds exactly even
        if presets or defaults change later."""
        head: dict[str, Any] = {"name": self.name}
        if self.question:
            head["question"] = self.question
        head.update(strategies=list(self.strategies), replicates=self.replicates, weeks=self.weeks,
                    seed=self.seed, metrics=list(self.metrics), baseline=self.baseline)
        if self.common_seeds:
            head["common_seeds"] = True
        if self.posterior:
            head["posterior"] = self.posterior
        values = self.base.as_dict()
        base = {section: {name: values[name] for name, p in PARAMETERS.items()
                          if p.section == section and name not in ("weeks", "seed")} for section in SECTIONS}
        strategies = {label: {"name": s.name, "description": s.description, "levers": s.plain_levers()}
                      for label, s in self.strategies.items()}
        return {"experiment": head, "base": base, "design": self.design.to_dict(), "strategy": strategies}

    def to_toml(self) -> str:
        """`to_dict` as the text of an experiment file."""
        return tomlio.dumps(_plain(self.to_dict()), comment=f"orgchange experiment {self.name!r}, fully resolved.")


# -- validation helpers ------------------------------------------------------------------------------
def _table(tables: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = tables.get(key, {})
    if not isinstance(table, Mapping):
        raise ExperimentError(f"must be a table ([{key}]), got {table!r}", (key,))
    return table


def _check(where: tuple[str | int, ...], name: str, value: Any) -> Any:
    """`check_value`, with the error placed at ``where`` in the experiment."""
    try:
        return check_value(name, value)
    except ConfigError as err:
        raise ExperimentError(err.message, (*where, *err.location[1:])) from None


def _posterior(path: Any, resolve, design: Design) -> str:
    """``[experiment] posterior``: a calibration's results file, resolved
    next to the experiment file and read now, so that a missing or wrong
    file stops the experiment before it starts."""
    where = ("experiment", "posterior")
    if not isinstance(path, str):
        raise ExperimentError(f"must be the path of a calibration's results file, got {path!r}", where)
    if not path:
        return ""
    resolved = str(Path(resolve(path)).resolve())
    try:
        posterior = Posterior.load(resolved)
    except ExperimentError as err:
        raise ExperimentError(err.message, where) from None
    varied = [name for name in posterior.names if name in design.parameters]
    if varied:
        raise ExperimentError(f"{varied[0]!r} is drawn from the posterior, so the design cannot vary it too", where)
    return resolved


def _plain(value: Any) -> Any:
    """Tables of parameter values as plain TOML data (lists, dictionaries)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return plain(value)


def _text(head: Mapping[str, Any], key: str, default: str) -> str:
    value = head.get(key, default)
    if not isinstance(value, str):
        raise ExperimentError(f"must be a string, got {value!r}", ("experiment", key))
    return " ".join(value.split())


def _metrics(metrics: Any) -> tuple[str, ...]:
    where = ("experiment", "metrics")
    if not isinstance(metrics, list) or not metrics or not all(isinstance(m, str) for m in metrics):
        raise ExperimentError(f"must be a non-empty list of metric names, got {metrics!r}", where)
    kept = []
    for m in metrics:
        if m == "week":  # always kept as the time index
            continue
        if m not in ALL_METRICS:
            raise ExperimentError(f"unknown metric {m!r}{did_you_mean(m, ALL_METRICS)}", where)
        if m in kept:
            raise ExperimentError(f"{m!r} is listed twice", where)
        kept.append(m)
    return tuple(kept)


def _base(table: Mapping[str, Any], weeks: int, resolve) -> Config:
    """The base configuration; its horizon and seed belong to [experiment]."""
    tables = {k: dict(v) if isinstance(v, Mapping) else v for k, v in table.items()}
    for name, where in (("seed", "experiment.seed (the root seed)"), ("weeks", "experiment.weeks")):
        if name in tables or name in tables.get("run", {}):
            raise ExperimentError(f"set it as {where}, not in [base]", ("base", "run", name))
    organization = tables.get("organization")
    if isinstance(organization, dict) and isinstance(organization.get("org_chart"), str) \
            and organization["org_chart"]:
        organization["org_chart"] = resolve(organization["org_chart"])
    try:
        return Config.from_dict(tables, weeks=weeks)
    except ConfigError as err:
        raise ExperimentError(err.message, ("base", *err.location)) from None


def _strategies(entries: Any, inline: Mapping[str, Any], base_dir: Path) -> dict[str, Strategy]:
    if not isinstance(entries, list) or not entries or not all(isinstance(e, str) and e.strip() for e in entries):
        raise ExperimentError("must be a non-empty list of preset names, strategy file paths or "
                              f"[strategy.NAME] tables, got {entries!r}", ("experiment", "strategies"))
    strategies: dict[str, Strategy] = {}
    for k, entry in enumerate(entries):
        where = ("experiment", "strategies", k)
        if entry in inline:
            label, strategy = entry, _inline_strategy(entry, inline[entry])
        elif entry.strip().lower() == BASE:
            label, strategy = BASE, _BASE_STRATEGY
        elif entry.endswith(".toml") or "/" in entry or "\\" in entry:
            path = Path(entry) if Path(entry).is_absolute() else base_dir / entry
            label = Path(entry).stem
            try:
                strategy = load_strategy(path)
            except ConfigError as err:
                raise ExperimentError(str(err), where) from None
        else:
            label = entry.strip().lower().replace("-", "_")
            try:
                strategy = load_strategy(label)
            except ConfigError as err:
                raise ExperimentError(err.message, where) from None
        if label in strategies:
            raise ExperimentError(f"strategy {label!r} is listed twice", where)
        strategies[label] = strategy
    unused = [name for name in inline if name not in strategies]
    if unused:
        raise ExperimentError("defined but not listed in experiment.strategies", ("strategy", unused[0]))
    return strategies


def _inline_strategy(label: str, table: Any) -> Strategy:
    where = ("strategy", label)
    if not isinstance(table, Mapping):
        raise ExperimentError(f"must be a table ([strategy.{label}]), got {table!r}", where)
    for key in table:
        if key not in STRATEGY_KEYS:
            raise ExperimentError(f"unknown key{did_you_mean(key, STRATEGY_KEYS)}; "
                                  f"allowed: {', '.join(STRATEGY_KEYS)}", (*where, key))
    for key in ("name", "description"):
        if not isinstance(table.get(key, ""), str):
            raise ExperimentError(f"must be a string, got {table[key]!r}", (*where, key))
    levers = table.get("levers", {})
    if not isinstance(levers, Mapping):
        raise ExperimentError(f"must be a table of levers, got {levers!r}", (*where, "levers"))
    checked = {}
    for name, value in levers.items():
        if name not in LEVER_NAMES:
            hint = did_you_mean(name, LEVER_NAMES)
            if not hint and name in PARAMETERS:
                hint = f" ({name!r} is a parameter of [{PARAMETERS[name].section}], not a lever)"
            raise ExperimentError(f"unknown lever{hint}", (*where, "levers", name))
        checked[name] = _check((*where, "levers", name), name, value)
    return Strategy(table.get("name", label), " ".join(table.get("description", "").split()), checked, label)


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)

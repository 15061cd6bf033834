"""Experimental designs: which parameter values an experiment runs.

An experiment varies some parameters of the base configuration. Its design
says how the values are chosen; each chosen combination is a *design point*.

``none``
    One point: the base configuration itself.
``factorial``
    Every combination of the listed levels (`itertools.product`), in the
    order the parameters are listed, the last varying fastest.
``latin_hypercube``
    ``samples`` points spread over the box of ``[low, high]`` bounds so that
    each parameter's range is cut into ``samples`` equal slices and every
    slice is used exactly once (`scipy.stats.qmc.LatinHypercube`).
``morris``
    ``samples`` Morris trajectories on a grid of ``levels`` levels: each
    trajectory moves one parameter at a time, so ``samples x (D + 1)``
    points for D parameters. It screens which parameters matter.
``sobol``
    Saltelli's sampling scheme for Sobol' variance-based indices, with a
    base sample of ``samples`` points (a power of 2): ``samples x (D + 2)``
    points, or ``samples x (2D + 2)`` with ``second_order = true``.

Morris and Sobol samples come from SALib, the field's standard library for
sensitivity analysis, so that `SALib.analyze.morris` and
`SALib.analyze.sobol` can analyse the results with the same ``problem``
and matrix (both are kept in the store's manifest).

Random draws (Latin hypercube, Morris, Sobol scrambling) are seeded from the
experiment's root seed, so the design is the same every time.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from experiments.errors import ExperimentError
from simulation.config import ConfigError, check_value
from simulation.errors import did_you_mean
from simulation.parameters import PARAMETERS

KINDS = ("factorial", "latin_hypercube", "morris", "sobol", "none")
SAMPLED = ("latin_hypercube", "morris", "sobol")
"""Kinds that sample numbers between ``[low, high]`` bounds."""
KEYS = ("kind", "samples", "levels", "second_order", "parameters")
FIXED = {
    "seed": "every run's seed derives from [experiment] seed",
    "weeks": "the horizon is [experiment] weeks",
}
"""Parameters a design may not vary, and why."""

DESIGN_STREAM = 2**32 - 1
"""The `numpy.random.SeedSequence` spawn key of the design's own random draws.
Run seeds use two-word keys (point, replicate), so this one never collides."""


def _kinds() -> str:
    return ", ".join(repr(k) for k in KINDS)


@dataclass(frozen=True)
class Design:
    """How an experiment chooses its design points.

    Attributes
    ----------
    kind
        One of `KINDS`.
    parameters
        Parameter name to its levels (``factorial``) or to its ``(low, high)``
        bounds (the sampled kinds), in the order given.
    samples
        Latin hypercube: points; Morris: trajectories; Sobol: the base
        sample N. Unused by ``factorial`` and ``none``.
    levels
        Morris only: the number of grid levels (SALib's ``num_levels``).
    second_order
        Sobol only: sample for second-order indices too (more points).
    """

    kind: str = "none"
    parameters: dict[str, tuple] = field(default_factory=dict)
    samples: int | None = None
    levels: int = 4
    second_order: bool = False

    # -- reading a [design] table -----------------------------------------------------
    @classmethod
    def from_dict(cls, table: Mapping[str, Any] | None,
                  resolve_path: Callable[[str], str] | None = None) -> Design:
        """Validate a ``[design]`` table; errors name the field (``design.kind``).

        ``resolve_path`` turns a relative ``org_chart`` level into a path
        relative to the experiment file.
        """
        if table is None:
            return cls()
        if not isinstance(table, Mapping):
            raise ExperimentError(f"must be a table ([design]), got {table!r}", ("design",))
        for k in table:
            if k not in KEYS:
                raise ExperimentError(f"unknown key{did_you_mean(k, KEYS)}; allowed: {', '.join(KEYS)}",
                                      ("design", k))
        kind = table.get("kind", "none")
        if kind not in KINDS:
            raise ExperimentError(f"must be one of {_kinds()}, got {kind!r}", ("design", "kind"))
        samples = _samples(kind, table.get("samples"))
        levels = table.get("levels", 4)
        if "levels" in table:
            if kind != "morris":
                raise ExperimentError(f"only a 'morris' design takes levels, not {kind!r}", ("design", "levels"))
            if not _is_int(levels) or levels < 2:
                raise ExperimentError(f"must be an integer >= 2, got {levels!r}", ("design", "levels"))
        second_order = table.get("second_order", False)
        if "second_order" in table:
            if kind != "sobol":
                raise ExperimentError(f"only a 'sobol' design takes it, not {kind!r}", ("design", "second_order"))
            if not isinstance(second_order, bool):
                raise ExperimentError(f"must be true or false, got {second_order!r}", ("design", "second_order"))
        raw = table.get("parameters", {})
        where = ("design", "parameters")
        if not isinstance(raw, Mapping):
            raise ExperimentError(f"must be a table ([design.parameters]), got {raw!r}", where)
        if kind == "none" and raw:
            raise ExperimentError(f"a 'none' design varies nothing; set design.kind to one of {_kinds()}", where)
        if kind != "none" and not raw:
            raise ExperimentError(f"a {kind!r} design needs at least one parameter to vary", where)
        parameters = {name: _check_parameter(kind, name, values, resolve_path) for name, values in raw.items()}
        return cls(kind, parameters, samples, int(levels), bool(second_order))

    def to_dict(self) -> dict[str, Any]:
        """The ``[design]`` table that `from_dict` reads back."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind in SAMPLED:
            out["samples"] = self.samples
        if self.kind == "morris":
            out["levels"] = self.levels
        if self.kind == "sobol":
            out["second_order"] = self.second_order
        if self.parameters:
            out["parameters"] = {name: list(values) for name, values in self.parameters.items()}
        return out

    # -- the points ----------------------------------------------------------------------
    def problem(self) -> dict[str, Any] | None:
        """SALib's problem definition (names and bounds) for a sampled design."""
        if self.kind not in SAMPLED:
            return None
        names = list(self.parameters)
        return {"num_vars": len(names), "names": names,
                "bounds": [[float(lo), float(hi)] for lo, hi in self.parameters.values()]}

    def generate(self, root_seed: int) -> DesignPoints:
        """Every design point, drawn reproducibly from ``root_seed``."""
        names = list(self.parameters)
        if self.kind == "none":
            return DesignPoints([{}], None, None, None)
        if self.kind == "factorial":
            combos = itertools.product(*self.parameters.values())
            return DesignPoints([dict(zip(names, combo)) for combo in combos], None, None, None)
        seed = design_seed(root_seed)
        matrix = _sample(self, seed)
        points = [{name: _as_parameter(name, x) for name, x in zip(names, row)} for row in matrix]
        return DesignPoints(points, matrix, self.problem(), seed)

    def size(self) -> int:
        """How many design points `generate` gives, without generating them."""
        if self.kind == "none":
            return 1
        if self.kind == "factorial":
            return int(np.prod([len(v) for v in self.parameters.values()]))
        d = len(self.parameters)
        n = self.samples
        if n is None:  # `from_dict` requires it; a Design made in Python may lack it
            raise ExperimentError(f"missing; a {self.kind!r} design needs samples", ("design", "samples"))
        return {"latin_hypercube": n, "morris": n * (d + 1),
                "sobol": n * (2 * d + 2 if self.second_order else d + 2)}[self.kind]


@dataclass(frozen=True)
class DesignPoints:
    """The generated design.

    Attributes
    ----------
    points
        One mapping per design point, parameter name to value, as the model
        gets it (integer parameters rounded).
    matrix
        The sampled design matrix (points x parameters) before rounding, for
        SALib's analysis; None for ``none`` and ``factorial``.
    problem
        SALib's problem definition; None for ``none`` and ``factorial``.
    seed
        The seed of the design's random draws; None if it draws none.
    """

    points: list[dict[str, Any]]
    matrix: np.ndarray | None
    problem: dict[str, Any] | None
    seed: int | None

    def __len__(self) -> int:
        return len(self.points)


def design_seed(root_seed: int) -> int:
    """The seed of the design's own draws: a 32-bit integer, which every
    sampler accepts, from the root seed's `DESIGN_STREAM` child."""
    sequence = np.random.SeedSequence(root_seed, spawn_key=(DESIGN_STREAM,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def _sample(design: Design, seed: int) -> np.ndarray:
    """The design matrix in parameter units, one row per point."""
    problem = design.problem()
    if problem is None:  # not a sampled kind (`from_dict` allows none other here)
        raise ExperimentError(f"must be one of {_kinds()}, got {design.kind!r}", ("design", "kind"))
    if design.kind == "latin_hypercube":
        from scipy.stats import qmc

        d = problem["num_vars"]
        try:  # SciPy >= 1.15 takes rng=; older releases only seed=
            sampler = qmc.LatinHypercube(d, rng=np.random.default_rng(seed))
        except TypeError:
            sampler = qmc.LatinHypercube(d, seed=np.random.default_rng(seed))
        lows, highs = np.array(problem["bounds"]).T
        return qmc.scale(sampler.random(design.samples), lows, highs)
    if design.kind == "morris":
        from SALib.sample import morris

        return morris.sample(problem, design.samples, num_levels=design.levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=seed)


def _as_parameter(name: str, x: float) -> int | float:
    """A sampled number as the parameter takes it: integers are rounded."""
    return int(round(float(x))) if PARAMETERS[name].kind == "int" else float(x)


def _samples(kind: str, samples: Any) -> int | None:
    where = ("design", "samples")
    if kind not in SAMPLED:
        if samples is not None:
            raise ExperimentError(f"a {kind!r} design takes no samples "
                                  f"(only {', '.join(repr(k) for k in SAMPLED)} do)", where)
        return None
    what = {"latin_hypercube": "points", "morris": "trajectories", "sobol": "the base sample N"}[kind]
    if samples is None:
        raise ExperimentError(f"missing; a {kind!r} design needs samples ({what})", where)
    low = 1 if kind == "sobol" else 2
    if not _is_int(samples) or samples < low:
        raise ExperimentError(f"must be an integer >= {low} ({what}), got {samples!r}", where)
    if kind == "sobol" and samples & (samples - 1):
        # Sobol' sequences keep their balance only for powers of 2 (SALib warns otherwise).
        power = 1 << (samples.bit_length() - 1)
        raise ExperimentError(f"a 'sobol' design needs a power of 2, such as {power} or {2 * power}, "
                              f"got {samples}", where)
    return int(samples)


def _check_parameter(kind: str, name: str, values: Any,
                     resolve_path: Callable[[str], str] | None) -> tuple:
    where = ("design", "parameters", name)
    if name not in PARAMETERS:
        raise ExperimentError(f"unknown parameter {name!r}{did_you_mean(name, PARAMETERS)}", where)
    if name in FIXED:
        raise ExperimentError(f"cannot be varied; {FIXED[name]}", where)
    p = PARAMETERS[name]
    if kind == "factorial":
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"must be a non-empty list of levels, e.g. [{_example(name)}], got {values!r}",
                                  where)
        levels = []
        for k, v in enumerate(values):
            if name == "org_chart" and isinstance(v, str) and v and resolve_path:
                v = resolve_path(v)
            try:
                levels.append(check_value(name, v))
            except ConfigError as err:
                raise ExperimentError(err.message, (*where, k)) from None
        for k, v in enumerate(levels):
            if v in levels[:k]:
                raise ExperimentError(f"level {values[k]!r} is listed twice", where)
        return tuple(levels)
    if p.kind not in ("int", "float"):
        raise ExperimentError(f"a {kind!r} design samples numbers, but {name!r} is "
                              f"{'true/false' if p.kind == 'bool' else 'not a number'}; "
                              f"vary it in a 'factorial' design instead", where)
    if (not isinstance(values, list) or len(values) != 2
            or any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values)):
        raise ExperimentError(f"a {kind!r} design needs [low, high] bounds, e.g. [{_example(name)}], "
                              f"got {values!r}", where)
    bounds = []
    for v in values:
        try:
            bounds.append(check_value(name, v))
        except ConfigError as err:
            raise ExperimentError(f"bound {err.message}", where) from None
    if not bounds[0] < bounds[1]:
        raise ExperimentError(f"bounds must be [low, high] with low < high, got {values!r}", where)
    return tuple(bounds)


def _example(name: str) -> str:
    p = PARAMETERS[name]
    if p.kind == "int":
        return f"{p.default}, {2 * p.default or 1}"
    if p.kind == "float":
        return f"{p.default:g}, {min(p.high if p.high is not None else 1e9, 2 * p.default or 0.5):g}"
    if p.kind == "bool":
        return "false, true"
    if p.kind == "choice":
        return ", ".join(repr(c) for c in p.choices)
    return repr(p.default)


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

An experiment whose design kind is ``morris`` or ``sobol`` runs the SALib
sample: design point ``k`` is row ``k`` of the sample matrix. The model is
stochastic, so each point has several replicates; this module **averages the
replicates of each design point** and gives SALib those means, one value per
point and strategy. Replicates therefore make each point's value less noisy,
but they are not extra samples: the precision of the indices comes from the
number of design points (Morris trajectories, or Sobol base samples N).

`too_small` states when the sample is too small for indices to be trusted;
the command line prints its warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import OUTCOMES, in_sentence
from experiments.experiment import Experiment
from simulation.parameters import PARAMETERS
from simulation.wording import plural

METHODS = ("morris", "sobol")

MIN_MORRIS_TRAJECTORIES = 10
"""Fewer Morris trajectories than this give unstable rankings (Campolongo et al. 2007 use 10-20)."""

MIN_SOBOL_N = 64
"""Fewer Sobol base samples N than this give indices whose bootstrap intervals
are unreliable (Saltelli et al. 2010 recommend N in the hundreds or more)."""

MATTERS = 0.05
"""A Sobol total index at least this large (5% of the outcome's variance)
marks a parameter that matters; its indices must then be told from zero."""

MORRIS_LEVELS = 4
"""SALib's default number of Morris grid levels, used when the design does not say."""

NUM_RESAMPLES = 1000
"""Bootstrap resamples for the confidence intervals."""


@dataclass
class Sensitivity:
    """Sensitivity indices of one outcome, for every strategy.

    ``table`` has one row per strategy and parameter. Morris columns:
    ``mu_star``, ``mu_star_conf`` (95% CI half-width), ``mu``, ``sigma``;
    Sobol columns: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``. ``size`` is the
    number of Morris trajectories or Sobol base samples N; ``warnings`` are
    `too_small`'s.
    """

    method: str
    outcome: str
    table: pd.DataFrame
    size: int
    replicates: int
    warnings: list[str] = field(default_factory=list)


def point_means(outcomes: pd.DataFrame, name: str, strategy: str, points: int) -> np.ndarray:
    """The replicate mean of outcome ``name`` at each design point
    ``0 .. points - 1`` for ``strategy``, in the sample's order.

    SALib needs a value for every point; a point whose runs all failed, or
    whose outcome has no value (e.g. 50% practice never reached), has none,
    and that is an error.
    """
    runs = outcomes[outcomes["strategy"] == strategy]
    means = runs.groupby("point")[name].mean().reindex(range(points))
    missing = np.flatnonzero(means.isna().to_numpy())
    if len(missing):
        shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"{len(missing)} of {points} design points have no value of {name!r} for strategy "
                         f"{strategy!r} (points {shown}); sensitivity indices need every point")
    return means.to_numpy(dtype=float)


def sample_matrix(design: dict[str, Any], outcomes: pd.DataFrame, names: list[str], points: int) -> np.ndarray:
    """The design's sample matrix (points x parameters): as SALib drew it,
    from the manifest, where it is recorded; else as the runs record it.

    The recorded matrix matters for Morris: integer parameters are rounded
    for the model, and rounding can hide which parameter a trajectory's
    step moved."""
    if design.get("matrix") is not None:
        return np.asarray(design["matrix"], dtype=float)
    x = outcomes.groupby("point")[names].first().reindex(range(points))
    return x.to_numpy(dtype=float)


def analyze(outcomes: pd.DataFrame, design: dict[str, Any], name: str = "commitment_frontline",
            seed: int = 0) -> Sensitivity:
    """Morris or Sobol indices of outcome ``name`` for each strategy.

    ``design`` is the manifest's design record: its ``kind`` (morris or
    sobol), SALib's ``problem`` (``names``, ``bounds``), and where recorded
    the number of ``points``, the sampled ``matrix``, ``num_levels``
    (Morris) and ``calc_second_order`` (Sobol).
    ``seed`` seeds SALib's bootstrap, so the intervals are reproducible.
    """
    from SALib.analyze import morris, sobol

    method = design.get("kind")
    if method not in METHODS:
        raise ValueError(f"sensitivity needs a design of kind morris or sobol, not {method!r}")
    if name not in OUTCOMES:
        raise ValueError(f"unknown outcome {name!r}; choose one of {', '.join(OUTCOMES)}")
    if name not in outcomes or outcomes[name].isna().all():
        raise ValueError(f"outcome {name!r} has no values in these results (is its metric kept?)")
    problem = _problem(design)
    d = problem["num_vars"]
    points = int(design.get("points") or outcomes["point"].max() + 1)
    replicates = int(outcomes.groupby(["point", "strategy"]).size().max())
    rows = []
    if method == "morris":
        size, extra = divmod(points, d + 1)
        _check_divisible(extra, points, f"a multiple of D + 1 = {d + 1} (D parameters)")
        x = sample_matrix(design, outcomes, problem["names"], points)
        levels = int(design.get("num_levels", MORRIS_LEVELS))
        for strategy in dict.fromkeys(outcomes["strategy"]):
            y = point_means(outcomes, name, strategy, points)
            si = morris.analyze(problem, x, y, num_resamples=NUM_RESAMPLES, conf_level=0.95,
                                num_levels=levels, seed=seed)
            for k, parameter in enumerate(problem["names"]):
                rows.append({"strategy": strategy, "parameter": parameter, "mu_star": si["mu_star"][k],
                             "mu_star_conf": si["mu_star_conf"][k], "mu": si["mu"][k], "sigma": si["sigma"][k]})
    else:
        second = _second_order(design, points, d)
        size = points // (2 * d + 2 if second else d + 2)
        for strategy in dict.fromkeys(outcomes["strategy"]):
            y = point_means(outcomes, name, strategy, points)
            # SALib's sobol.analyze treats seed 0 as no seed at all (``if seed:``) and would draw its
            # bootstrap afresh each time; one more than ours is a seed it honours.
            si = sobol.analyze(problem, y, calc_second_order=second, num_resamples=NUM_RESAMPLES,
                               conf_level=0.95, seed=seed + 1)
            for k, parameter in enumerate(problem["names"]):
                rows.append({"strategy": strategy, "parameter": parameter, "S1": si["S1"][k],
                             "S1_conf": si["S1_conf"][k], "ST": si["ST"][k], "ST_conf": si["ST_conf"][k]})
    table = pd.DataFrame(rows)
    return Sensitivity(method, name, table, size, replicates, too_small(method, table, size))


def _problem(design: dict[str, Any]) -> dict[str, Any]:
    """The SALib problem dict, with ``num_vars`` filled in."""
    problem = dict(design.get("problem") or {})
    if not problem.get("names"):
        raise ValueError("the design records no SALib problem (parameter names and bounds)")
    problem["num_vars"] = len(problem["names"])
    problem["bounds"] = [list(map(float, b)) for b in problem["bounds"]]
    return problem


def _check_divisible(extra: int, points: int, what: str) -> None:
    if extra:
        raise ValueError(f"the design has {points} points, which is not {what}; "
                         "was it made by SALib's sampler?")


def _second_order(design: dict[str, Any], points: int, d: int) -> bool:
    """Whether the Sobol sample includes the second-order rows: as recorded,
    or else as the number of points allows (N (2D + 2) rows with, N (D + 2)
    without)."""
    if "calc_second_order" in design:
        second = bool(design["calc_second_order"])
        _check_divisible(points % (2 * d + 2 if second else d + 2), points,
                         f"a multiple of {'2D + 2' if second else 'D + 2'} (D = {d})")
        return second
    if points % (2 * d + 2) == 0:
        return True
    _check_divisible(points % (d + 2), points, f"a multiple of 2D + 2 or D + 2 (D = {d})")
    return False


def too_small(method: str, table: pd.DataFrame, size: int) -> list[str]:
    """Warnings when the sample is too small for stable indices.

    The rules:

    - Morris: fewer than `MIN_MORRIS_TRAJECTORIES` trajectories; or a
      parameter whose mu* is at least a tenth of the largest mu* but whose
      95% CI half-width is wider than mu* itself (its importance cannot be
      told from none).
    - Sobol: fewer than `MIN_SOBOL_N` base samples; or a parameter whose
      total index ST is at least `MATTERS` but whose first-order or total
      index has a 95% CI half-width wider than the index itself.
    """
    warnings = []
    if method == "morris":
        if size < MIN_MORRIS_TRAJECTORIES:
            warnings.append(f"only {size} Morris trajectories: use at least {MIN_MORRIS_TRAJECTORIES} "
                            "(design samples) for a stable ranking")
        top = table.groupby("strategy")["mu_star"].transform("max")
        vague = table[(table["mu_star"] >= 0.1 * top) & (table["mu_star_conf"] > table["mu_star"])]
        if len(vague):
            warnings.append(f"{len(vague)} mu* estimate(s) have a 95% CI wider than the estimate "
                            f"({', '.join(sorted(set(vague['parameter'])))}): add trajectories")
    else:
        if size < MIN_SOBOL_N:
            warnings.append(f"only N = {size} Sobol base samples: use at least {MIN_SOBOL_N} "
                            "(design samples) for stable indices")
        vague = table[(table["ST"] >= MATTERS)
                      & ((table["S1_conf"] > table["S1"].abs()) | (table["ST_conf"] > table["ST"]))]
        if len(vague):
            warnings.append(f"{len(vague)} Sobol estimate(s) have a 95% CI wider than the index "
                            f"({', '.join(sorted(set(vague['parameter'])))}): add samples")
    return warnings


def format_sensitivity(result: Sensitivity) -> str:
    """The indices as a text table, with how they were computed."""
    table = result.table.copy()
    if result.method == "morris":
        table["mu* [95% CI]"] = [f"{m:.4f} [{m - c:.4f}, {m + c:.4f}]"
                                 for m, c in zip(table["mu_star"], table["mu_star_conf"])]
        table["mu"] = table["mu"].map("{:.4f}".format)
        table["sigma"] = table["sigma"].map("{:.4f}".format)
        shown = table[["strategy", "parameter", "mu* [95% CI]", "mu", "sigma"]]
        size = f"{result.size} trajectories"
    else:
        for index in ("S1", "ST"):
            table[f"{index} [95% CI]"] = [f"{s:.3f} [{s - c:.3f}, {s + c:.3f}]"
                                          for s, c in zip(table[index], table[f"{index}_conf"])]
        shown = table[["strategy", "parameter", "S1 [95% CI]", "ST [95% CI]"]]
        size = f"N = {result.size} base samples"
    label = in_sentence(result.outcome)
    head = (f"{'Morris screening' if result.method == 'morris' else 'Sobol indices'} of {label} "
            f"({size}; each design point's {plural(result.replicates, 'replicate')} averaged before analysis)")
    return f"{head}\n{shown.to_string(index=False)}"


# --- screening the model's own assumptions ---------------------------------------------------------
SCREENED_OUT = ("staff", "senior_team")
"""Assumptions the screening does not vary: the size is the pattern matrix's
dimension (claims are scale-free, 10.2), and a senior team of 0 means "sized
to the hospital", which no factor of it changes."""


def assumption_screening(trajectories: int = 12, replicates: int = 2, staff: int = 300) -> Experiment:
    """The Morris experiment over every assumption (`SCREENED_OUT` aside),
    each from 0.5 to 1.5 times its default within its allowed range, under
    business as usual and the full transformation. Every design point meets
    the same hospitals (``common_seeds``): an elementary effect differences
    two neighbouring points, and with hospitals drawn afresh at each point
    the differences between hospitals (5.2) would swamp all but the largest
    effects."""
    ranges = {}
    for name, p in PARAMETERS.items():
        if not p.source.startswith("assumption") or name in SCREENED_OUT or p.kind not in ("int", "float"):
            continue
        low, high = sorted((float(np.clip(p.default * 0.5, p.low, p.high)),
                            float(np.clip(p.default * 1.5, p.low, p.high))))
        if p.kind == "int":
            low, high = int(round(low)), int(round(high))
        ranges[name] = [low, high]
    return Experiment.from_dict({
        "experiment": {"name": "Screening the assumptions",
                       "question": "Which of the model's pure assumptions move its five-year outcomes most?",
                       "strategies": ["business_as_usual", "full_transformation"],
                       "replicates": replicates, "weeks": 260, "seed": 2026, "common_seeds": True},
        "base": {"organization": {"staff": staff}},
        "design": {"kind": "morris", "samples": trajectories, "parameters": ranges}})

"""Figures of an experiment: trajectories, effort against benefit, sweeps and
sensitivity indices.

Each function takes the tables `experiments.analysis` and
`experiments.sensitivity` return and gives back a matplotlib figure, styled
by `simulation.plotting.style` (title, axes with units, legend) in the
colour-blind-safe Okabe-Ito palette. Writing it is the caller's job
(`save`, or `simulation.plotting.png_bytes` for the HTML report).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis import OUTCOMES, in_sentence, point_summary
from simulation.parameters import PARAMETERS

# strategy_styles: the project's one strategy-to-colour mapping (a preset has the same colour in every figure).
from simulation.plotting import NEUTRAL, OKABE_ITO, plt, strategy_styles, style

TRAJECTORY_PANELS = [
    ("commitment_frontline", "Frontline commitment to quality", "Mean commitment (0-1)"),
    ("practice_frontline", "Frontline QI practice", "Share practising QI (0-1)"),
    ("quality", "Patient-care quality", "Quality index (0-1)"),
]
"""The metrics of the trajectory figure: (metric, panel title, y label)."""


def _label(strategy: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(strategy, strategy)


def trajectory_figure(traj: pd.DataFrame, strategies: list[str], labels: Mapping[str, str] | None = None,
                      title: str = "", departures: Mapping[str, int] | None = None,
                      panels: list[tuple[str, str, str]] | None = None) -> plt.Figure:
    """Mean trajectory of each strategy with its 95% band, one panel per
    metric of ``panels`` (default `TRAJECTORY_PANELS`) that ``traj`` (from
    `experiments.analysis.trajectories`) holds. ``departures`` (strategy to
    week, as `Comparison.departures`) marks the week each strategy's leader
    leaves with a dotted line in the strategy's colour."""
    panels = [p for p in (panels or TRAJECTORY_PANELS) if p[0] in set(traj["metric"])]
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(4.4 * max(1, len(panels)), 4.0),
                             constrained_layout=True, squeeze=False)
    looks = strategy_styles(strategies)
    for ax, (metric, panel_title, ylabel) in zip(axes[0], panels):
        for strategy in strategies:
            d = traj[(traj["metric"] == metric) & (traj["strategy"] == strategy)].sort_values("week")
            if d.empty:
                continue
            years = d["week"] / 52
            ax.plot(years, d["mean"], label=_label(strategy, labels), linewidth=1.8, **looks[strategy])
            ax.fill_between(years, d["low"], d["high"], color=looks[strategy]["color"], alpha=0.2, linewidth=0)
        for strategy, week in (departures or {}).items():
            if strategy in strategies:
                ax.axvline(week / 52, color=looks[strategy]["color"], linestyle=":", linewidth=1.4)
                ax.annotate(f"leader leaves ({_label(strategy, labels)})", (week / 52, 0.99),
                            xycoords=("data", "axes fraction"), rotation=90, ha="right", va="top", fontsize=7,
                            color=looks[strategy]["color"])
        style(ax, panel_title, "Time (years)", ylabel, legend=False)
        ax.set_ylim(-0.02, 1.02)
    handles, names = axes[0][0].get_legend_handles_labels()
    if handles:
        axes[0][-1].legend(handles, names, frameon=False, fontsize=8, loc="best")
    fig.suptitle(title or "Mean trajectories with 95% confidence bands", fontsize=12)
    return fig


EFFORT_BENEFIT_OUTCOMES = ["commitment_gain", "practice_frontline", "quality"]
"""The benefits set against effort by default, one panel each."""


def effort_benefit_figure(summary: pd.DataFrame, strategies: list[str], labels: Mapping[str, str] | None = None,
                          outcomes: list[str] | None = None) -> plt.Figure:
    """Leader-hours per week (x) against each benefit in ``outcomes`` (y;
    default `EFFORT_BENEFIT_OUTCOMES`, those ``summary`` has), one panel per
    outcome and one point per strategy with 95% CI bars both ways. Up and to
    the left is more benefit for less effort."""
    table = summary.set_index(["strategy", "outcome"])
    present = set(summary["outcome"])
    outcomes = [o for o in (outcomes or EFFORT_BENEFIT_OUTCOMES) if o in present] or ["commitment_gain"]
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5.2 * len(outcomes), 4.6), constrained_layout=True,
                             squeeze=False)
    looks = strategy_styles(strategies)
    for ax, outcome in zip(axes[0], outcomes):
        labelled = []
        for strategy in strategies:
            if (strategy, "leader_hours") not in table.index or (strategy, outcome) not in table.index:
                continue
            x, y = table.loc[(strategy, "leader_hours")], table.loc[(strategy, outcome)]
            ax.errorbar(x["mean"], y["mean"], xerr=_errors(x), yerr=_errors(y), fmt="o", markersize=7, capsize=3,
                        color=looks[strategy]["color"], label=_label(strategy, labels))
            labelled.append((strategy, x["mean"], y["mean"]))
        # Name each point beside it: on its right, or on its left in the right half, where a name could run off.
        right_edge = max((x for _, x, _ in labelled), default=0.0)
        for strategy, x, y in labelled:
            left = x > 0.6 * right_edge
            ax.annotate(_label(strategy, labels), (x, y), textcoords="offset points", xytext=(-6 if left else 6, 6),
                        ha="right" if left else "left", fontsize=8)
        if outcome == "commitment_gain":
            ax.axhline(0.0, color=NEUTRAL, linewidth=0.8)
        ax.margins(x=0.1, y=0.1)
        spec = OUTCOMES[outcome]
        style(ax, f"Effort against {spec.label[0].lower() + spec.label[1:]}", "Leader effort (leader-hours per week)",
              f"{spec.label} ({spec.unit})", legend=False)
    handles, names = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside lower center", ncol=min(len(names), 4), frameon=False, fontsize=8)
    fig.suptitle("Effort against benefit: up and to the left is more for less", fontsize=12)
    return fig


def _errors(row: pd.Series) -> np.ndarray | None:
    """Error-bar lengths below and above the mean; none without an interval."""
    if np.isnan(row["low"]):
        return None
    return np.array([[row["mean"] - row["low"]], [row["high"] - row["mean"]]])


def sweep_figure(outcomes: pd.DataFrame, parameters: list[str], name: str, strategies: list[str],
                 labels: Mapping[str, str] | None = None) -> plt.Figure:
    """Outcome ``name`` against each varied parameter, one panel each.

    Every design point is a marker at its replicate mean, with its 95% CI
    bar; the line per strategy joins the means over the points at each
    parameter value (averaging over the other parameters: the main effect).
    When a parameter takes many values (a Latin hypercube), the line joins
    the means of six equal-count bins of the parameter instead.
    """
    points = point_summary(outcomes, parameters, name)
    n = max(1, len(parameters))
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.9 * rows), constrained_layout=True, squeeze=False)
    looks = strategy_styles(strategies)
    outcome = OUTCOMES[name]
    for ax, parameter in zip(axes.flat, parameters):
        values = points[parameter].to_numpy(dtype=float)
        # Strategies' markers at one parameter value would hide each other: nudge them apart.
        nudge = 0.012 * (np.ptp(values) or 1.0)
        for k, strategy in enumerate(strategies):
            d = points[points["strategy"] == strategy].sort_values(parameter)
            if d.empty:
                continue
            colour = looks[strategy]["color"]
            yerr = np.vstack([d["mean"] - d["low"], d["high"] - d["mean"]])
            x_points = d[parameter].to_numpy(dtype=float) + (k - (len(strategies) - 1) / 2) * nudge
            ax.errorbar(x_points, d["mean"], yerr=None if np.isnan(yerr).all() else yerr, fmt="o",
                        markersize=4, capsize=2, alpha=0.6, color=colour)
            x, y = _trend(d[parameter].to_numpy(dtype=float), d["mean"].to_numpy(dtype=float))
            ax.plot(x, y, label=_label(strategy, labels), **looks[strategy])
        style(ax, f"Against {parameter}", _parameter_label(parameter), f"{outcome.label} ({outcome.unit})",
              legend=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        axes.flat[0].legend(handles, names, frameon=False, fontsize=8)
    fig.suptitle(f"{outcome.label}: replicate mean and 95% CI at each design point;\n"
                 "lines: mean over the other parameters", fontsize=11)
    return fig


def _parameter_label(name: str) -> str:
    """``follow_through (0-1)``: the parameter's name and unit; a switch is
    drawn at 0 (off) and 1 (on), and a parameter without a unit is a
    dimensionless weight or number."""
    p = PARAMETERS.get(name)
    if p is not None and p.kind == "bool":
        unit = "0 = off, 1 = on"
    elif p is not None and p.unit not in ("", "-"):
        unit = p.unit
    else:
        unit = "dimensionless"
    return f"{name} ({unit})"


def _trend(x: np.ndarray, y: np.ndarray, bins: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` at each distinct ``x``, or in equal-count bins of ``x``
    when it has more distinct values than ``2 * bins``."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna()
    if frame["x"].nunique() <= 2 * bins:
        means = frame.groupby("x")["y"].mean()
        return means.index.to_numpy(), means.to_numpy()
    frame["bin"] = pd.qcut(frame["x"], bins, labels=False, duplicates="drop")
    means = frame.groupby("bin")[["x", "y"]].mean()
    return means["x"].to_numpy(), means["y"].to_numpy()


def sensitivity_figure(table: pd.DataFrame, method: str, outcome: str,
                       labels: Mapping[str, str] | None = None) -> plt.Figure:
    """Bar chart of sensitivity indices with 95% CI error bars, one group of
    bars per parameter and one colour per strategy (Morris: mu*; Sobol:
    first-order S1 and total ST side by side)."""
    strategies = list(dict.fromkeys(table["strategy"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    indices = [("mu_star", "mu*")] if method == "morris" else [("S1", "First-order S1"), ("ST", "Total ST")]
    fig, axes = plt.subplots(1, len(indices), figsize=(max(6.0, 1.2 * len(parameters) * len(strategies)) * (
        0.8 if len(indices) > 1 else 1.0) + 1.5, 4.5), constrained_layout=True, squeeze=False)
    looks = strategy_styles(strategies)
    width = 0.8 / len(strategies)
    position = np.arange(len(parameters))
    for ax, (column, index_label) in zip(axes[0], indices):
        for k, strategy in enumerate(strategies):
            d = table[table["strategy"] == strategy].set_index("parameter").reindex(parameters)
            ax.bar(position + (k - (len(strategies) - 1) / 2) * width, d[column], width,
                   yerr=d[f"{column}_conf"], capsize=3, color=looks[strategy]["color"], edgecolor="black",
                   linewidth=0.5, label=_label(strategy, labels))
        ax.set_xticks(position, parameters, rotation=20, ha="right")
        ax.axhline(0.0, color=NEUTRAL, linewidth=0.8)
        unit = "outcome change across the parameter's range" if method == "morris" else "share of variance"
        style(ax, f"{'Morris' if method == 'morris' else 'Sobol'}: {index_label}", "Parameter",
              f"{index_label} ({unit})")
    fig.suptitle(f"Sensitivity of {in_sentence(outcome)} (bars: 95% CI)", fontsize=12)
    return fig


def tipping_figure(runs: pd.DataFrame, high: np.ndarray, title: str = "") -> plt.Figure:
    """Tipping: the weekly frontline practice of every history of one
    hospital under one strategy (``runs``, from
    `experiments.science.tipping_runs` with trajectories), coloured by the
    path it ends on (``high``, from `experiments.science.bimodality`), and
    the histogram of their last year's practice; each path's legend says
    how many of its histories let the programme lapse."""
    paths = {True: ("high path", OKABE_ITO[4]), False: ("low path", OKABE_ITO[3])}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True,
                                      gridspec_kw={"width_ratios": [2, 1]})
    for on_high in (False, True):
        path, colour = paths[on_high]
        rows = runs[high == on_high]
        label = f"{path}: {len(rows)} histories, {int(rows['lapsed'].sum())} lapsed"
        for k, trajectory in enumerate(rows["trajectory"]):
            left.plot(np.arange(len(trajectory)), trajectory, color=colour, alpha=0.35, linewidth=0.9,
                      label=label if k == 0 else None)
        right.hist(rows["practice"], bins=np.linspace(0, 1, 41), color=colour, alpha=0.8, label=label)
    style(left, "Each history of one hospital", "Week", "Frontline QI practice (share, 0-1)")
    style(right, "Where they end", "Last year's frontline QI practice (share, 0-1)", "Histories")
    fig.suptitle(title or "Tipping: the same hospital and strategy, two paths", fontsize=12)
    return fig


def save(fig: plt.Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` as a PNG and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path

"""The numbers an experiment answers with: outcomes per run, and their means
with 95% confidence intervals, per strategy and per design point.

Everything here reads the store's tables (see `experiments.load`) and
returns plain DataFrames; figures live in `experiments.figures`, and the
command line and the report format what these functions return.

Runs of different strategies share their seed for each design point and
replicate (common random numbers), so a difference between two strategies is
taken run by run, paired on ``(point, replicate)``: the noise both runs share
cancels, and the interval of the difference is narrower than the two
intervals side by side suggest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulation.parameters import ROLES, Departure
from simulation.plotting import ROLE_LABELS

PAIR_KEYS = ["point", "replicate"]
"""What pairs two runs of different strategies: they share these, hence their seed."""

HALF_PRACTICE = 0.5
"""The frontline practice share whose first crossing `weeks_to_half_practice` times."""

MIN_GAIN_FOR_SUSTAINMENT = 0.01
"""Sustainment is a ratio over the commitment gain at departure; a gain
smaller than this (on the 0-1 scale) makes the ratio meaningless, so such a
run has no sustainment value (NaN)."""

UNIT = (0.0, 1.0)
"""The range of the outcomes that are shares or indices."""


@dataclass(frozen=True)
class Outcome:
    """One outcome of a run: its label for people, its unit, and the
    time-series metric it needs."""

    label: str
    unit: str
    metric: str
    digits: int = 3
    bounds: tuple[float, float] = (-np.inf, np.inf)
    """The outcome's possible range; confidence intervals are clipped to it
    (a Student-t interval of a share near 1 can otherwise pass 1)."""
    interval: bool = True
    """Whether a confidence interval means something: not for one person's
    0/1 state (the CEO practises QI or not), whose mean over runs is the
    share of runs in which it is 1."""
    lower_is_better: bool = False
    """Whether a lower value is the better one (cynicism)."""


OUTCOMES: dict[str, Outcome] = {
    **{f"commitment_{r}": Outcome(f"Final commitment: {ROLE_LABELS[r]}", "0-1", f"commitment_{r}", 3, UNIT)
       for r in ROLES},
    **{f"practice_{r}": Outcome(f"Final QI practice: {ROLE_LABELS[r]}", "share 0-1", f"practice_{r}", 3, UNIT)
       for r in ROLES if r != "ceo"},
    # One person, 0 or 1 each run: the mean is the share of runs, and no interval is shown.
    "practice_ceo": Outcome("Runs in which the CEO practises QI at the end", "share of runs", "practice_ceo", 2,
                            UNIT, interval=False),
    "quality": Outcome("Final patient-care quality", "index 0-1", "quality", 3, UNIT),
    "trust": Outcome("Final trust in leadership", "mean 0-1", "trust", 3, UNIT),
    "cynicism": Outcome("Final cynicism", "mean 0-1", "cynicism", 3, UNIT, lower_is_better=True),
    "commitment_gain": Outcome("Gain in frontline commitment", "0-1 points", "commitment_frontline"),
    "weeks_to_half_practice": Outcome("Weeks to 50% frontline practice", "weeks, runs that got there",
                                      "practice_frontline", 1, (0, np.inf)),
    "reached_half_practice": Outcome("Runs reaching 50% frontline practice", "share 0-1", "practice_frontline", 2,
                                     UNIT),
    "projects_succeeded": Outcome("Projects succeeded", "count", "projects_succeeded", 1, (0, np.inf)),
    "leader_hours": Outcome("Leader effort", "leader-hours/week", "leader_hours", 1, (0, np.inf)),
    # Not bounded: commitment can end above its level at the departure (> 1) or below its start (< 0).
    "sustainment": Outcome("Commitment gain kept after the departure", "share of gain", "commitment_frontline", 2),
}
"""Every outcome `run_outcomes` can compute, in the order tables show them."""


# --- intervals ------------------------------------------------------------------------------------
def half_width(sd, n, level: float = 0.95):
    """Half-width of the Student-t confidence interval of a mean, from the
    sample standard deviation ``sd`` of ``n`` values: numbers, or pandas
    Series (one interval per group). NaN where ``n < 2``."""
    n = np.asarray(n, dtype=float) if not isinstance(n, pd.Series) else n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n > 1, n - 1, np.nan) if not isinstance(n, pd.Series) else (n - 1).where(n > 1)
        return stats.t.ppf(0.5 + level / 2, df) * sd / np.sqrt(n)


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and Student-t confidence interval of ``values``, ignoring NaN.

    Returns ``(mean, low, high, n)``. With fewer than two values there is no
    interval (low and high are NaN), and with none no mean either.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, np.nan, np.nan, 1
    half = float(half_width(x.std(ddof=1), n, level))
    return mean, mean - half, mean + half, n


def _ci_frame(groups, column: str) -> pd.DataFrame:
    """`mean_ci` of ``column`` in every group, as columns mean, low, high, n."""
    rows = {key: mean_ci(g[column].to_numpy()) for key, g in groups}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "low", "high", "n"])
    frame["n"] = frame["n"].astype(int)
    return frame


# --- outcomes of each run -------------------------------------------------------------------------
def completed(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished: status ``done`` (the store also has
    ``pending`` and ``failed``). A table without a status is all done."""
    if "status" not in runs:
        return runs
    return runs[runs["status"] == "done"]


def run_outcomes(runs: pd.DataFrame, timeseries: pd.DataFrame,
                 departures: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per completed run: its keys (run_id, point, strategy,
    replicate, seed and any varied parameters) and every outcome of
    `OUTCOMES` whose metric the time series kept.

    ``departures`` maps a strategy to the week its schedule makes a leader
    leave; only those strategies get a ``sustainment`` value: the share of
    the frontline commitment gain (since week 0) at the departure week that
    remains at the end, ``(c_end - c_0) / (c_depart - c_0)``. 1 means all of
    it was kept, 0 that commitment fell back to where it started.
    """
    runs = completed(runs)
    keys = [c for c in runs.columns if c not in ("status", "error", "wall_time", "leader_hours")]
    out = runs[keys].set_index("run_id")
    ts = timeseries[timeseries["run_id"].isin(out.index)].sort_values(["run_id", "week"])
    by_run = ts.groupby("run_id")
    first, last = by_run.first(), by_run.last()

    for name in (*(f"commitment_{r}" for r in ROLES), *(f"practice_{r}" for r in ROLES),
                 "quality", "trust", "cynicism", "projects_succeeded"):
        if name in ts:
            out[name] = last[name]
    if "commitment_frontline" in ts:
        out["commitment_gain"] = last["commitment_frontline"] - first["commitment_frontline"]
    if "practice_frontline" in ts:
        # The first week at or above the threshold; a run that never gets there has none (NaN).
        reached = ts[ts["practice_frontline"] >= HALF_PRACTICE].groupby("run_id")["week"].min()
        out["weeks_to_half_practice"] = reached.reindex(out.index).astype(float)
        out["reached_half_practice"] = out["weeks_to_half_practice"].notna().astype(float)
    if "leader_hours" in runs:  # the store's own: the mean over weeks 1 to the end, kept metric or not
        out["leader_hours"] = runs.set_index("run_id")["leader_hours"]
    elif "leader_hours" in ts:
        # Week 0 is the starting state, before anyone has acted, so it is left out of the mean.
        out["leader_hours"] = ts[ts["week"] > 0].groupby("run_id")["leader_hours"].mean()
    if departures and "commitment_frontline" in ts:
        out["sustainment"] = _sustainment(ts, out["strategy"], departures)
    return out.reset_index()


def _sustainment(ts: pd.DataFrame, strategy: pd.Series, departures: Mapping[str, int]) -> pd.Series:
    """`run_outcomes`' sustainment, NaN for runs whose strategy has no departure."""
    week = strategy.map(departures)
    commitment = ts.set_index(["run_id", "week"])["commitment_frontline"]
    has = week.dropna()
    at_departure = commitment.reindex(list(zip(has.index, has.astype(int)))).to_numpy()
    start = ts.groupby("run_id")["commitment_frontline"].first().reindex(has.index).to_numpy()
    end = ts.groupby("run_id")["commitment_frontline"].last().reindex(has.index).to_numpy()
    gain = at_departure - start
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.where(gain >= MIN_GAIN_FOR_SUSTAINMENT, (end - start) / gain, np.nan)
    return pd.Series(kept, index=has.index).reindex(strategy.index)


def departure_weeks(strategies: Mapping, base) -> dict[str, int]:
    """For each strategy (label to `simulation.strategy.Strategy`) whose
    schedule, applied to the ``base`` `Config`, makes a leader depart: the
    week of the first departure."""
    weeks = {}
    for label, strategy in strategies.items():
        departing = [event.week for event in strategy.apply(base).schedule if isinstance(event, Departure)]
        if departing:
            weeks[label] = min(departing)
    return weeks


def outcome_names(outcomes: pd.DataFrame) -> list[str]:
    """The outcomes of `OUTCOMES` present in ``outcomes`` with at least one value, in table order."""
    return [name for name in OUTCOMES if name in outcomes and outcomes[name].notna().any()]


# --- summaries ------------------------------------------------------------------------------------
def summarize(outcomes: pd.DataFrame, by: str | list[str] = "strategy",
              names: Iterable[str] | None = None) -> pd.DataFrame:
    """Mean and 95% CI of every outcome over the runs in each group: a long
    table with the ``by`` columns, ``outcome``, mean, low, high and n (the
    runs with a value, e.g. only those that reached 50% practice)."""
    by = [by] if isinstance(by, str) else list(by)
    frames = []
    for name in names or outcome_names(outcomes):
        frame = _ci_frame(outcomes.groupby(by, sort=False), name)
        frame[["low", "high"]] = frame[["low", "high"]].clip(*OUTCOMES[name].bounds)
        if not OUTCOMES[name].interval:
            frame[["low", "high"]] = np.nan
        frame.index = pd.MultiIndex.from_tuples(
            [k if isinstance(k, tuple) else (k,) for k in frame.index], names=by)
        frames.append(frame.reset_index().assign(outcome=name))
    columns = [*by, "outcome", "mean", "low", "high", "n"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def paired_differences(outcomes: pd.DataFrame, baseline: str, names: Iterable[str] | None = None) -> pd.DataFrame:
    """Each strategy minus ``baseline``, run by run on shared seeds (paired on
    ``(point, replicate)``), with the mean difference and its 95% CI: a long
    table of strategy, outcome, mean, low, high, n."""
    if baseline not in set(outcomes["strategy"]):
        raise ValueError(f"baseline {baseline!r} is not one of the strategies run: "
                         f"{', '.join(map(str, outcomes['strategy'].unique()))}")
    rows = []
    for name in names or outcome_names(outcomes):
        wide = outcomes.pivot_table(index=PAIR_KEYS, columns="strategy", values=name, dropna=False)
        if baseline not in wide:  # the baseline has no value for this outcome at all
            continue
        for strategy in _order(outcomes["strategy"]):
            if strategy != baseline and strategy in wide:
                row = mean_ci((wide[strategy] - wide[baseline]).to_numpy())
                if not OUTCOMES[name].interval:  # one person's 0/1 state: a difference of shares, no interval
                    row = (row[0], np.nan, np.nan, row[3])
                if row[3]:  # no pair has both values (say, neither reached 50% practice): no row
                    rows.append((strategy, name, *row))
    return pd.DataFrame(rows, columns=["strategy", "outcome", "mean", "low", "high", "n"])


def _order(values: pd.Series) -> list:
    """Distinct values in order of first appearance (the experiment's order)."""
    return list(dict.fromkeys(values))


def trajectories(runs: pd.DataFrame, timeseries: pd.DataFrame, metrics: Iterable[str]) -> pd.DataFrame:
    """Mean and 95% band of each metric, week by week, over the runs of each
    strategy: a long table of strategy, metric, week, mean, low, high, n."""
    runs = completed(runs)
    ts = timeseries.merge(runs[["run_id", "strategy"]], on="run_id")
    frames = []
    for metric in metrics:
        if metric not in ts:
            continue
        grouped = ts.groupby(["strategy", "week"], sort=False)[metric]
        mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
        half = half_width(sd, n)  # one interval per strategy and week
        frames.append(pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half, "n": n})
                      .reset_index().assign(metric=metric))
    columns = ["strategy", "metric", "week", "mean", "low", "high", "n"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def point_summary(outcomes: pd.DataFrame, parameters: Iterable[str], name: str) -> pd.DataFrame:
    """Per design point and strategy: the varied parameters' values and the
    mean and 95% CI over replicates of outcome ``name``."""
    parameters = list(parameters)
    keys = ["point", "strategy"]
    frame = _ci_frame(outcomes.groupby(keys, sort=False), name)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=keys)
    values = outcomes.groupby(keys, sort=False)[parameters].first()
    return values.join(frame).reset_index()


# --- text -----------------------------------------------------------------------------------------
LINE_WIDTH = 120
"""Terminal tables wrap their columns at this width."""


def format_value(mean: float, low: float, high: float, digits: int = 3) -> str:
    """``0.523 [0.510, 0.536]``; just the mean when there is no interval, and
    ``-`` when there is no value."""
    if np.isnan(mean):
        return "-"

    def show(x: float) -> str:
        text = f"{x:.{digits}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.000"

    if np.isnan(low):
        return show(mean)
    return f"{show(mean)} [{show(low)}, {show(high)}]"


def in_sentence(name: str) -> str:
    """An outcome's label inside a sentence: ``final QI practice: Front line``."""
    label = OUTCOMES[name].label
    return label[0].lower() + label[1:]


def outcome_label(name: str) -> str:
    """``Final patient-care quality (index 0-1)``."""
    o = OUTCOMES[name]
    return f"{o.label} ({o.unit})"


MIN_RUNS_FOR_INTERVAL = 3
"""Fewest runs an interval is shown for, in a table that counts its runs:
from two runs a Student-t interval spans nearly everything."""


def wide_table(summary: pd.DataFrame, strategies: Iterable[str] | None = None,
               runs: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Outcomes down, strategies across, cells ``mean [low, high]``: the
    table people read. With ``runs`` (each strategy's number of runs), a
    cell from fewer runs says how many ("(3 of 10 runs)"), and one from
    fewer than `MIN_RUNS_FOR_INTERVAL` shows no interval."""
    strategies = list(strategies) if strategies is not None else _order(summary["strategy"])
    names = _order(summary["outcome"])

    def cell(row) -> str:
        digits = OUTCOMES[row.outcome].digits
        if runs is None:
            return format_value(row.mean, row.low, row.high, digits)
        total = runs.get(row.strategy, row.n)
        if row.n == 0:
            return f"- (0 of {total} runs)"
        low, high = (row.low, row.high) if row.n >= MIN_RUNS_FOR_INTERVAL else (np.nan, np.nan)
        text = format_value(row.mean, low, high, digits)
        return text if row.n >= total else f"{text} ({row.n} of {total} runs)"

    cells = {(row.outcome, row.strategy): cell(row) for row in summary.itertuples()}
    return pd.DataFrame([[cells.get((n, s), "-") for s in strategies] for n in names],
                        index=[outcome_label(n) for n in names], columns=strategies)


def format_table(summary: pd.DataFrame, strategies: Iterable[str] | None = None) -> str:
    """`wide_table` as text for a terminal; strategies that do not fit in
    `LINE_WIDTH` characters continue in a block below."""
    table = wide_table(summary, strategies)
    return table.to_string(line_width=LINE_WIDTH)


def format_differences(differences: pd.DataFrame, baseline: str) -> str:
    """Paired differences as text: one row per outcome, one column per
    strategy, cells ``mean [low, high]``; an interval that excludes 0 is
    marked ``*``."""
    if differences.empty:
        return "(no other strategy to compare with the baseline)"
    table = wide_table(differences)
    for row in differences.itertuples():
        if clearly_nonzero(row.mean, row.low, row.high, OUTCOMES[row.outcome].digits):
            table.loc[outcome_label(row.outcome), row.strategy] += " *"
    return (f"Difference from {baseline} (paired on shared seeds; * = 95% CI excludes 0)\n"
            f"{table.to_string(line_width=LINE_WIDTH)}")


def clearly_nonzero(mean: float, low: float, high: float, digits: int) -> bool:
    """Whether a difference's 95% CI excludes 0 and the difference shows at
    ``digits`` decimals (a difference of 1e-6 with no spread at all is not
    worth a mark)."""
    if np.isnan(low) or abs(mean) < 0.5 * 10.0 ** -digits:
        return False
    return bool(low > 0 or high < 0)


# --- in words -------------------------------------------------------------------------------------
def paired_contrast(comparison, outcome: str, first: str, second: str) -> tuple[float, float, float, int]:
    """``first`` minus ``second`` on ``outcome``, paired run by run on shared
    seeds: (mean, low, high, n), as `paired_differences` gives against a baseline."""
    both = comparison.outcomes[comparison.outcomes["strategy"].isin([first, second])]
    diff = paired_differences(both, second, [outcome])
    row = diff[(diff["strategy"] == first) & (diff["outcome"] == outcome)]
    if row.empty:
        return np.nan, np.nan, np.nan, 0
    r = row.iloc[0]
    return float(r["mean"]), float(r["low"]), float(r["high"]), int(r["n"])


def direction(comparison, outcome: str, first: str, second: str) -> str:
    """How ``first`` compares with ``second`` on ``outcome``, paired on shared
    seeds: ``"higher"`` or ``"lower"`` where the 95% interval of the
    difference excludes zero, else ``"not clearly different"``."""
    mean, low, high, _ = paired_contrast(comparison, outcome, first, second)
    if clearly_nonzero(mean, low, high, OUTCOMES[outcome].digits):
        return "higher" if mean > 0 else "lower"
    return "not clearly different"


def contrast(comparison, outcome: str, first: str, second: str) -> str:
    """One sentence, computed from the runs, on how ``first`` compares with
    ``second`` on ``outcome``: their means with 95% intervals and the paired
    difference, so that a notebook's text can never contradict its table."""
    table = comparison.summary.set_index(["strategy", "outcome"])
    spec = OUTCOMES[outcome]

    def shown(strategy: str) -> str:
        r = table.loc[(strategy, outcome)]
        value = format_value(r["mean"], r["low"], r["high"], spec.digits)
        return f"{comparison.labels.get(strategy, strategy)} {value}"

    mean, low, high, n = paired_contrast(comparison, outcome, first, second)
    word = direction(comparison, outcome, first, second)
    verdict = (f"clearly {word}" if word != "not clearly different"
               else "not clearly different (the 95% interval of the difference includes zero)")
    return (f"{in_sentence(outcome)[0].upper() + in_sentence(outcome)[1:]}: {shown(first)} against {shown(second)}; "
            f"paired difference {format_value(mean, low, high, spec.digits)} over {n} hospitals, {verdict}.")


# --- everything a comparison shows ----------------------------------------------------------------
TRAJECTORY_METRICS = ("commitment_frontline", "practice_frontline", "quality", "trust", "cynicism")


@dataclass
class Comparison:
    """A strategy comparison, ready to print, draw or report.

    ``outcomes`` has one row per completed run (`run_outcomes`); ``summary``
    the mean and 95% CI of each outcome per strategy (`summarize`);
    ``differences`` each strategy minus the baseline, paired on shared seeds
    (`paired_differences`, empty without a baseline); ``trajectories`` the
    weekly means with 95% bands (`trajectories`). ``labels`` and
    ``descriptions`` give each strategy's name and plain-language
    description; ``departures`` the week a leader leaves, for strategies
    whose schedule says so; ``failed`` and ``pending`` count the runs left
    out because they failed or have not run yet.
    """

    strategies: list[str]
    baseline: str | None
    outcomes: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    trajectories: pd.DataFrame
    labels: dict[str, str]
    descriptions: dict[str, str]
    departures: dict[str, int]
    failed: int
    pending: int = 0


def compare(results) -> Comparison:
    """Analyse a store's results (`experiments.load`) as a comparison of its
    strategies. Runs at every design point are pooled, so with a design the
    intervals span the parameter values as well as the replicates."""
    experiment = results.experiment
    runs = results.runs
    defined = strategy_objects(experiment)
    # Without the experiment (a store this orgchange cannot rebuild), the
    # manifest still names and describes each strategy.
    stored = results.manifest.get("strategies") or {}
    labels = {k: s.name for k, s in defined.items()} or {k: v.get("name", k) for k, v in stored.items()}
    descriptions = ({k: s.description for k, s in defined.items()}
                    or {k: v.get("description", "") for k, v in stored.items()})
    strategies = list(defined) or list(stored) or _order(runs["strategy"])
    departures = departure_weeks(defined, base_config(experiment))
    outcomes = run_outcomes(runs, results.timeseries, departures)
    if outcomes.empty:
        raise ValueError("no run in these results completed, so there is nothing to analyse")
    present = set(outcomes["strategy"])
    baseline = getattr(experiment, "baseline", None)
    if baseline not in present:
        baseline = None
    return Comparison(
        strategies=[s for s in strategies if s in present],
        baseline=baseline,
        outcomes=outcomes,
        summary=summarize(outcomes),
        differences=paired_differences(outcomes, baseline) if baseline else pd.DataFrame(
            columns=["strategy", "outcome", "mean", "low", "high", "n"]),
        trajectories=trajectories(runs, results.timeseries, TRAJECTORY_METRICS),
        labels=labels,
        descriptions={k: " ".join(d.split()) for k, d in descriptions.items()},
        departures=departures,
        failed=int((runs["status"] == "failed").sum()) if "status" in runs else 0,
        pending=int((runs["status"] == "pending").sum()) if "status" in runs else 0,
    )


def strategy_objects(experiment) -> dict:
    """The experiment's strategies, label to `simulation.strategy.Strategy`
    (none without an experiment)."""
    return dict(getattr(experiment, "strategies", None) or {})


def base_config(experiment):
    """The experiment's base `Config` (with its horizon), or the defaults."""
    from simulation import Config

    base = getattr(experiment, "base", None)
    return base if isinstance(base, Config) else Config()

"""A collaborative: the same two-year improvement campaign in many hospitals, then stopped.

The field's benchmark. Glasgow, Davies and Kaboli (2012, "Findings from a
national improvement collaborative: are improvements sustained?", BMJ
Quality & Safety 21:663-669) followed 130 Veterans Affairs hospitals through
a national improvement collaborative (the Flow Improvement Inpatient
Initiative), with two years of data before it, one year to measure
improvement and two years after it:

* 35% of the hospitals improved beyond their baseline trend on length of
  stay, and 46% on discharges before noon;
* of those that improved, 60% sustained the improvement over the two years
  after (length of stay), and 32% (discharges before noon).

The model's collaborative (`collaborative_experiment`): ``hospitals``
generated hospitals, each its own hospital drawn from its seed (its
structure, people and context: `simulation.context`), each run twice on the
same seed (common random numbers):

* **the campaign**: a strategy (default ``improvement_teams``: what a
  collaborative asks of a hospital, an improvement team in every unit,
  sponsored, funded and unblocked) for ``campaign_weeks`` (two years), then
  every lever back to business as usual for ``follow_up_weeks`` (two
  years);
* **its counterfactual**: business as usual throughout. It is the model's
  exact version of the study's "baseline trend": what the same hospital
  would have done without the campaign.

The definitions (`hospital_outcomes`), on patient-care quality (the share
of care delivered without a defect):

* a hospital's **gain** at a week is its campaign run's quality minus its
  counterfactual's, averaged over the ``window`` weeks (a quarter) up to
  that week;
* it **improved** if its gain at the end of the campaign is at least
  ``meaningful`` (default 0.02: two percentage points of defect-free care);
* it **sustained** if it improved and its gain at the end of the follow-up,
  two years after the campaign stopped, is still at least ``meaningful``.

The study judged improvement by statistical significance on patient-level
data; the model has no sampling error to test against, so a fixed
meaningful size stands in for it, and the command reports the gains
themselves too, so a reader can apply another threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.experiment import Experiment
from simulation.parameters import PARAMETERS, SCHEDULED_LEVERS
from simulation.strategy import load_strategy

CAMPAIGN_WEEKS = 104
"""The campaign: two years."""
FOLLOW_UP_WEEKS = 104
"""The follow-up after it stops: two years, as in Glasgow et al. (2012)."""
WINDOW = 13
"""Weeks averaged for a gain: a quarter, as quality is reported."""
MEANINGFUL = 0.02
"""The smallest gain in quality (share of care without a defect) that counts as an improvement."""
DEFAULT_STRATEGY = "improvement_teams"
"""The campaign's strategy: an improvement team in every unit, sponsored by its manager and a senior leader, with
its time funded and its barriers cleared, as in the unit-based collaboratives (the IHI Breakthrough Series model:
teams with an executive sponsor). Leaders add some direction and visible support, but do not transform how they
lead."""
COUNTERFACTUAL = "business_as_usual"
FIELD = {"improved": (0.35, 0.46), "sustained": (0.60, 0.32)}
"""Glasgow et al. (2012): shares that improved (length of stay, discharges before noon), and shares of those
that sustained."""


def collaborative_experiment(hospitals: int = 40, strategy: str = DEFAULT_STRATEGY, seed: int = 0,
                             staff: int | None = None, campaign_weeks: int = CAMPAIGN_WEEKS,
                             follow_up_weeks: int = FOLLOW_UP_WEEKS) -> Experiment:
    """The collaborative as an experiment: strategies ``campaign`` (the
    strategy, stopped after ``campaign_weeks``) and ``business_as_usual``
    (the counterfactual), ``hospitals`` replicates each (one per hospital).

    Parameters
    ----------
    hospitals
        Hospitals in the collaborative (>= 1).
    strategy
        A preset name or strategy file: what the campaign does.
    seed
        The root seed; hospital k is replicate k's seed.
    staff
        Staff of each generated hospital (default: the parameter table's).
    campaign_weeks, follow_up_weeks
        How long the campaign runs, and how long after it stops the
        hospitals are followed (weeks >= 1 each).
    """
    chosen = load_strategy(strategy)
    usual = load_strategy(COUNTERFACTUAL)
    levers = {name: value for name, value in chosen.plain_levers().items() if name != "schedule"}
    # The campaign stops: from the week after it, every lever it set is back at business as usual's
    # (or, for a lever business as usual leaves alone, its default).
    usual_levers = usual.plain_levers()
    reset = [{"week": campaign_weeks + 1, "lever": name,
              "value": usual_levers.get(name, _plain_default(name))}
             for name in levers if name in SCHEDULED_LEVERS]
    kept = [e for e in chosen.plain_levers().get("schedule", []) if e.get("week", 0) <= campaign_weeks]
    tables: dict[str, Any] = {
        "experiment": {"name": f"Collaborative: {chosen.name}, {campaign_weeks} weeks, then stopped",
                       "question": f"What share of {hospitals} hospitals improve with a {campaign_weeks}-week "
                                   f"campaign, and what share of those sustain it {follow_up_weeks} weeks after?",
                       "strategies": ["campaign", COUNTERFACTUAL], "replicates": hospitals,
                       "weeks": campaign_weeks + follow_up_weeks, "seed": seed,
                       "metrics": ["quality", "commitment_frontline", "practice_frontline"],
                       "baseline": COUNTERFACTUAL},
        "base": {"organization": {"staff": staff}} if staff is not None else {},
        "strategy": {"campaign": {"name": f"{chosen.name} for {campaign_weeks} weeks, then stopped",
                                  "description": chosen.description,
                                  "levers": {**levers, "schedule": [*kept, *reset]}}},
    }
    return Experiment.from_dict(tables)


def _plain_default(name: str) -> Any:
    default = PARAMETERS[name].default
    return list(default) if isinstance(default, tuple) else default


def hospital_outcomes(campaign: pd.DataFrame, counterfactual: pd.DataFrame, campaign_weeks: int = CAMPAIGN_WEEKS,
                      window: int = WINDOW, meaningful: float = MEANINGFUL) -> pd.DataFrame:
    """Each hospital's gains, and whether it improved and sustained (see the
    module's documentation for the definitions).

    Parameters
    ----------
    campaign, counterfactual
        Tidy time series with columns ``replicate``, ``week`` and ``quality``:
        each hospital's campaign run and its business-as-usual twin (same
        replicates, same weeks).
    campaign_weeks
        The campaign's last week; the follow-up ends at the series' last week.
    window
        Weeks averaged for each gain (those up to and including the week).
    meaningful
        The smallest gain that counts as an improvement.

    Returns
    -------
    DataFrame
        One row per hospital (``replicate``): ``quality_start`` (week 0),
        ``gain_end`` (at the campaign's end), ``gain_follow_up`` (at the last
        week), ``improved``, ``sustained``; and ``commitment_start``, the
        front line's commitment at week 0 (its baseline culture), where the
        series have a ``commitment_frontline`` column.
    """
    end = int(max(campaign["week"].max(), counterfactual["week"].max()))
    if not 1 <= campaign_weeks < end:
        raise ValueError(f"campaign_weeks: must be in [1, {end - 1}] (the series ends at week {end}), "
                         f"got {campaign_weeks}")
    a = campaign.pivot(index="week", columns="replicate", values="quality")
    b = counterfactual.pivot(index="week", columns="replicate", values="quality")
    if list(a.columns) != list(b.columns) or list(a.index) != list(b.index):
        raise ValueError("campaign and counterfactual must hold the same hospitals (replicates) and weeks")
    gain = a - b

    def at(week: int) -> pd.Series:
        return gain.loc[max(0, week - window + 1):week].mean()

    out = pd.DataFrame({"replicate": a.columns, "quality_start": a.loc[0].to_numpy(),
                        "gain_end": at(campaign_weeks).to_numpy(), "gain_follow_up": at(end).to_numpy()})
    if "commitment_frontline" in campaign:
        out["commitment_start"] = campaign.pivot(index="week", columns="replicate",
                                                 values="commitment_frontline").loc[0].to_numpy()
    out["improved"] = out["gain_end"] >= meaningful
    out["sustained"] = out["improved"] & (out["gain_follow_up"] >= meaningful)
    return out


@dataclass(frozen=True)
class Share:
    """A share of hospitals with its 95% Wilson score interval."""

    count: int
    of: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.count / self.of if self.of else float("nan")

    def __str__(self) -> str:
        if not self.of:
            return "none of 0"
        return f"{self.value:.0%} ({self.count} of {self.of}; 95% CI {self.low:.0%} to {self.high:.0%})"


def wilson(count: int, of: int, z: float = 1.959964) -> Share:
    """``count`` of ``of`` with its Wilson score interval (good for small
    counts and shares near 0 or 1, unlike the normal approximation)."""
    if of == 0:
        return Share(0, 0, float("nan"), float("nan"))
    p = count / of
    centre = (p + z * z / (2 * of)) / (1 + z * z / of)
    half = z * np.sqrt(p * (1 - p) / of + z * z / (4 * of * of)) / (1 + z * z / of)
    return Share(count, of, float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def summarize(outcomes: pd.DataFrame) -> dict[str, Share]:
    """The collaborative's two shares: hospitals that improved (of all), and
    hospitals that sustained (of those that improved)."""
    improved = int(outcomes["improved"].sum())
    return {"improved": wilson(improved, len(outcomes)),
            "sustained": wilson(int(outcomes["sustained"].sum()), improved)}


def outcomes_of(results, campaign_weeks: int = CAMPAIGN_WEEKS, window: int = WINDOW,
                meaningful: float = MEANINGFUL) -> pd.DataFrame:
    """`hospital_outcomes` of a collaborative's results (`experiments.load`)."""
    tidy = results.tidy()
    campaign = tidy[tidy["strategy"] == "campaign"]
    counterfactual = tidy[tidy["strategy"] == COUNTERFACTUAL]
    return hospital_outcomes(campaign, counterfactual, campaign_weeks, window, meaningful)


def collaborative_figure(outcomes: pd.DataFrame, meaningful: float = MEANINGFUL, title: str = ""):
    """Each hospital's gain at the campaign's end against its gain two years
    after, with the meaningful size marked: the hospitals right of the line
    improved, and those also above it sustained."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    bins = np.linspace(min(outcomes[["gain_end", "gain_follow_up"]].min().min(), -meaningful),
                       max(outcomes[["gain_end", "gain_follow_up"]].max().max(), 2 * meaningful), 25)
    left.hist(outcomes["gain_end"], bins=bins, alpha=0.7, label="at the campaign's end")
    left.hist(outcomes["gain_follow_up"], bins=bins, alpha=0.7, label="two years after it stopped")
    left.axvline(meaningful, color="k", ls="--", lw=1, label=f"meaningful ({meaningful:g})")
    left.set_xlabel("gain in quality over the hospital's business-as-usual twin")
    left.set_ylabel("hospitals")
    left.legend(fontsize=8)
    colours = np.where(outcomes["sustained"], "tab:green", np.where(outcomes["improved"], "tab:orange", "tab:grey"))
    right.scatter(outcomes["gain_end"], outcomes["gain_follow_up"], c=colours, s=18)
    right.axvline(meaningful, color="k", ls="--", lw=1)
    right.axhline(meaningful, color="k", ls="--", lw=1)
    right.set_xlabel("gain at the campaign's end")
    right.set_ylabel("gain two years after")
    shares = summarize(outcomes)
    right.set_title(f"improved {shares['improved'].value:.0%}; of those, sustained "
                    f"{shares['sustained'].value:.0%}" if shares["sustained"].of else
                    f"improved {shares['improved'].value:.0%}", fontsize=10)
    fig.suptitle(title or "The collaborative: gains of each hospital")
    fig.tight_layout()
    return fig

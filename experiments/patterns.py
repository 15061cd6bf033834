"""The stylized facts the model must reproduce (DESIGN section 1, P1-P8).

Each ``pattern_*`` function runs the scenarios a pattern compares, over
replicates, and returns the numbers its claims are about; each ``claims_*``
function turns those numbers into `Claim`s, each a statement with a 95%
confidence interval and whether it holds. The claims are written once and
serve both the pattern tests (tests/test_patterns.py), which assert them,
and the calibration script (benchmarks/calibrate.py), which shows how they
respond to the defaults. `CLAIMS` lists them by pattern.

Scenarios that are compared share their replicate seeds (common random
numbers), so differences are paired and their confidence intervals narrow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis import mean_ci
from experiments.replicates import replicate_seeds
from simulation import Config, OrgChangeModel
from simulation.effort import planned_hours, scale_to_effort
from simulation.organization import FRONTLINE
from simulation.strategy import load_strategy


@dataclass(frozen=True)
class Interval:
    """A mean with its 95% confidence interval (Student's t over replicates)."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values) -> Interval:
        values = np.asarray(values, dtype=float)
        if np.isnan(values).any():  # a claim about a missing value cannot hold
            return cls(np.nan, np.nan, np.nan, len(values))
        return cls(*mean_ci(values))

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def preset(name: str, base: Config | None = None, **overrides) -> Config:
    """A preset strategy applied to ``base`` (default: the defaults)."""
    return load_strategy(name).apply(base or Config()).replace(**overrides)


def run_arms(arms: dict[str, Config], replicates: int, seed: int,
             measure: Callable[[OrgChangeModel, pd.DataFrame], dict[str, float]]) -> pd.DataFrame:
    """Run every arm on the same replicate seeds; one row per arm and replicate
    with whatever ``measure(model, timeseries)`` returns."""
    rows = []
    for k, s in enumerate(replicate_seeds(seed, replicates)):
        for arm, config in arms.items():
            model = OrgChangeModel(config.replace(seed=s))
            rows.append({"arm": arm, "replicate": k, **measure(model, model.run())})
    return pd.DataFrame(rows)


def paired(df: pd.DataFrame, column: str, a: str, b: str) -> Interval:
    """Mean difference ``a - b`` in ``column`` over paired replicates."""
    wide = df.pivot(index="replicate", columns="arm", values=column)
    return Interval.of(wide[a] - wide[b])


def at(df: pd.DataFrame, week: int, column: str) -> float:
    return float(df[column].iloc[week])


# --- P1 -------------------------------------------------------------------------------------------
def pattern_synergy(replicates: int = 12, seed: int = 1, weeks: int = 260, release: int = 156,
                    base: Config | None = None) -> pd.DataFrame:
    """P1: structure alone, passion alone, and both; the pressure of
    steering and accountability is released at week ``release``."""
    base = (base or Config()).replace(weeks=weeks)
    mandate, inspire = load_strategy("mandate").levers, load_strategy("inspire").levers
    both = {**mandate, "passion_display": inspire["passion_display"]}
    released = [{"week": release, "lever": "steering", "value": 0.1},
                {"week": release, "lever": "accountability", "value": 0.05}]
    arms = {name: base.replace(**levers, schedule=released)
            for name, levers in (("mandate", mandate), ("inspire", inspire), ("both", both))}

    def measure(model, df):
        return {"practice_26": at(df, 26, "practice_frontline") - at(df, 0, "practice_frontline"),
                "commitment_26": at(df, 26, "commitment_frontline") - at(df, 0, "commitment_frontline"),
                "commitment_release": at(df, release, "commitment_frontline"),
                "practice_release": at(df, release, "practice_frontline"),
                "commitment_final": at(df, weeks, "commitment_frontline"),
                "practice_final": at(df, weeks, "practice_frontline"),
                "practice_kept": at(df, weeks, "practice_frontline") - at(df, release, "practice_frontline")}

    return run_arms(arms, replicates, seed, measure)


# --- P2 -------------------------------------------------------------------------------------------
TEAM_LEVERS = dict(involved=["ceo", "senior"], rounders=["ceo", "senior"], rounding_frequency=1.0,
                   rounding_contacts=6, follow_through=0.8, steering=0.4, accountability=0.3, resources=0.4,
                   passion_display=0.6, projects_per_leader=1, barrier_removal=0.6)


def pattern_team(replicates: int = 12, seed: int = 2, base: Config | None = None) -> tuple[pd.DataFrame, float]:
    """P2: the senior team against the CEO alone, planning the same
    leader-hours a week. Returns the runs and those planned hours."""
    team = (base or Config()).replace(**TEAM_LEVERS)
    hours = planned_hours(OrgChangeModel(team))
    lone = scale_to_effort(team.replace(involved=["ceo"], rounders=["ceo"], projects_per_leader=7), hours)

    def measure(model, df):
        return {"commitment_final": at(df, -1, "commitment_frontline"),
                "practice_final": at(df, -1, "practice_frontline"),
                "hours_spent": float(df["leader_hours"].iloc[1:].mean())}

    return run_arms({"team": team, "lone": lone}, replicates, seed, measure), hours


# --- P3 -------------------------------------------------------------------------------------------
def pattern_middle(replicates: int = 12, seed: int = 3, base: Config | None = None) -> pd.DataFrame:
    """P3: one strategy with ordinary, developed and frozen middle managers."""
    strategy = preset("senior_team", base)
    arms = {"ordinary": strategy,
            "developed": strategy.replace(middle_development=0.8, involved=["ceo", "senior", "middle"]),
            "frozen": strategy.replace(middle_commitment=0.15)}

    def measure(model, df):
        return {"commitment_final": at(df, -1, "commitment_frontline"),
                "commitment_gain": at(df, -1, "commitment_frontline") - at(df, 0, "commitment_frontline"),
                "alignment_final": at(df, -1, "alignment_frontline")}

    return run_arms(arms, replicates, seed, measure)


# --- P4 -------------------------------------------------------------------------------------------
def pattern_rounding(replicates: int = 12, seed: int = 4, weeks: int = 26,
                     base: Config | None = None) -> pd.DataFrame:
    """P4: rounding by the senior team for ``weeks`` weeks with follow-through
    (``rounds``), the same contacts with no follow-through (``unresolved``),
    and no rounding at all (``none``)."""
    rounding = dict(rounders=["senior"], rounding_frequency=1.0, rounding_contacts=6, weeks=weeks)
    base = base or Config()
    arms = {"rounds": base.replace(**rounding, follow_through=0.9),
            "unresolved": base.replace(**rounding, follow_through=0.0),
            "none": base.replace(weeks=weeks)}

    def measure(model, df):
        return {"commitment_final": at(df, -1, "commitment_frontline"),
                "cynicism_final": float(model.state.cynicism[model.organization.role == FRONTLINE].mean())}

    return run_arms(arms, replicates, seed, measure)


def pattern_rounding_locality(replicates: int = 12, seed: int = 4, weeks: int = 12,
                              base: Config | None = None) -> pd.DataFrame:
    """P4: where rounding's effect lands. The CEO rounds once a week, talking
    with three people of a unit (a field study's walkround); a
    ``placebo`` run meets the same people (the same draws) but neither the
    conversations nor their follow-up carry any weight, so per person the
    difference between the runs is the rounding's own effect. Also the
    gains of the people spoken with against their units' average gains."""
    rounding = (base or Config()).replace(rounders=["ceo"], rounding_frequency=1.0, rounding_contacts=3,
                                          follow_through=0.9, weeks=weeks)
    placebo = rounding.replace(rounding_weight=0.0, feedback_boost=0.0, trust_rate=0.0,
                               broken_promise_cynicism=0.0)
    rows = []
    for k, s in enumerate(replicate_seeds(seed, replicates)):
        real, fake = OrgChangeModel(rounding.replace(seed=s)), OrgChangeModel(placebo.replace(seed=s))
        start = real.state.commitment.copy()
        met = np.zeros(real.organization.n, dtype=bool)
        for _ in range(weeks):
            real.step()
            fake.step()
            met |= real.signals.contact_weight > 0
        effect = real.state.commitment - fake.state.commitment
        gain = real.state.commitment - start
        unit, front = real.organization.unit, real.organization.role == FRONTLINE
        visited = front & np.isin(unit, unit[met])
        rows.append({"replicate": k, "contacted": int(met.sum()),
                     "effect_contacted": float(effect[met].mean()),
                     "effect_unit_mates": float(effect[visited & ~met].mean()),
                     "effect_elsewhere": float(effect[front & ~visited].mean()),
                     "gain_contacted": float(gain[met].mean()),
                     "gain_visited_units": float(gain[visited].mean()),
                     "gain_other_units": float(gain[front & ~visited].mean())})
    return pd.DataFrame(rows)


# --- P5 -------------------------------------------------------------------------------------------
def pattern_gradient(replicates: int = 12, seed: int = 5, problematic_below: float = 0.5,
                     base: Config | None = None) -> pd.DataFrame:
    """P5: commitment by level at baseline (week 0), and how much more often
    frontline staff than managers hold a problematic view of quality
    (commitment below ``problematic_below``)."""
    rows = []
    for k, s in enumerate(replicate_seeds(seed, replicates)):
        model = OrgChangeModel((base or Config()).replace(seed=s))
        c, role = model.state.commitment, model.organization.role
        front = role == FRONTLINE
        managers_share = (c[~front] < problematic_below).mean()
        rows.append({"replicate": k, **{f"commitment_{r}": float(c[role == code].mean())
                                        for code, r in enumerate(("ceo", "senior", "middle", "frontline"))},
                     # no manager with a problematic view: the ratio is unbounded
                     "problem_ratio": float((c[front] < problematic_below).mean() / managers_share)
                     if managers_share else float("inf")})
    return pd.DataFrame(rows)


# --- P6 -------------------------------------------------------------------------------------------
def pattern_years(replicates: int = 12, seed: int = 6, transformed: float = 0.7,
                  base: Config | None = None) -> pd.DataFrame:
    """P6: how long the full transformation takes. ``weeks_to_90`` is the
    week frontline commitment first makes 90% of its five-year gain;
    ``transformed`` is whether frontline commitment ever reaches
    ``transformed``."""
    def measure(model, df):
        c = df["commitment_frontline"].to_numpy()
        gain = c[-1] - c[0]
        return {"gain_1y": c[52] - c[0], "gain_5y": gain,
                "weeks_to_90": int(np.argmax(c >= c[0] + 0.9 * gain)),
                "transformed": float(c.max() >= transformed)}

    return run_arms({"full": preset("full_transformation", base)}, replicates, seed, measure)


# --- P7 -------------------------------------------------------------------------------------------
def pattern_departure(replicates: int = 12, seed: int = 7, depart: int = 130,
                      base: Config | None = None) -> pd.DataFrame:
    """P7: the CEO leaves at week ``depart`` with no succession planning.
    ``kept`` is the share of the frontline commitment gained by then that
    remains at the end."""
    leave = dict(schedule=[{"week": depart, "depart": "ceo"}], succession=0.0, successor_passion=0.3,
                 ceo_turnover=0.0)
    arms = {"embedded": preset("full_transformation", base, **leave),
            "ceo_alone": preset("ceo_champion", base, involved=["ceo"], **leave)}

    def measure(model, df):
        c = df["commitment_frontline"].to_numpy()
        return {"gain_at_departure": c[depart] - c[0], "gain_final": c[-1] - c[0],
                "kept": (c[-1] - c[0]) / (c[depart] - c[0])}

    return run_arms(arms, replicates, seed, measure)


# --- P8 -------------------------------------------------------------------------------------------
def pattern_projects(replicates: int = 12, seed: int = 8,
                     strategies=("senior_team", "leadership_rounding", "full_transformation"),
                     base: Config | None = None) -> pd.DataFrame:
    """P8: project success rates, and how much of the quality each kind of
    successful project added is still there at the end."""
    def measure(model, df):
        p = model.projects
        done = p.n_succeeded + p.n_failed
        return {"succeeded": p.n_succeeded, "finished": done,
                "success_rate": p.n_succeeded / done if done else np.nan,
                "quick_left": p.quick_gain.sum() / max(1, p.succeeded["quick_fix"]) / model.config.quality_gain,
                "redesign_left": p.redesign_gain.sum() / max(1, p.succeeded["redesign"]) / model.config.quality_gain}

    return run_arms({name: preset(name, base) for name in strategies}, replicates, seed, measure)


# --- the claims ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One statement about the model, and whether the runs bear it out."""

    text: str
    value: Interval | float
    holds: bool

    def __str__(self) -> str:
        return f"{'holds' if self.holds else 'FAILS'}  {self.text}: {self.value}"


def above(text: str, value: Interval, bound: float) -> Claim:
    """The whole interval lies above ``bound``."""
    return Claim(f"{text} > {bound:g}", value, value.low > bound)


def below(text: str, value: Interval, bound: float) -> Claim:
    """The whole interval lies below ``bound``."""
    return Claim(f"{text} < {bound:g}", value, value.high < bound)


def claims_synergy(replicates: int = 24, base: Config | None = None) -> list[Claim]:
    df = pattern_synergy(replicates, base=base)
    arm = {name: group for name, group in df.groupby("arm")}
    return [
        *[above(f"both - {alone}: final frontline commitment", paired(df, "commitment_final", "both", alone), 0)
          for alone in ("mandate", "inspire")],
        *[above(f"both - {alone}: frontline practice two years after the pressure goes",
                paired(df, "practice_final", "both", alone), 0) for alone in ("mandate", "inspire")],
        above("mandate: frontline practice gained in 26 weeks", Interval.of(arm["mandate"]["practice_26"]), 0.2),
        below("mandate: frontline commitment gained in 26 weeks", Interval.of(arm["mandate"]["commitment_26"]),
              0.05),
        below("mandate: frontline practice change after the pressure goes",
              Interval.of(arm["mandate"]["practice_kept"]), -0.1),
        below("inspire: frontline practice gained in 26 weeks", Interval.of(arm["inspire"]["practice_26"]), 0.1),
    ]


def claims_team(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df, hours = pattern_team(replicates, base=base)
    spent = {name: group["hours_spent"] for name, group in df.groupby("arm")}
    return [
        above("team - lone CEO: final frontline commitment", paired(df, "commitment_final", "team", "lone"), 0.03),
        above("team - lone CEO: final frontline practice", paired(df, "practice_final", "team", "lone"), 0.1),
        below(f"lone CEO: leader-hours spent a week (of {hours:.1f} planned)", Interval.of(spent["lone"]),
              0.5 * hours),
        Claim("team: spends the hours it plans", float(spent["team"].mean()),
              bool(np.allclose(spent["team"], hours))),
    ]


def claims_middle(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df = pattern_middle(replicates, base=base)
    return [
        above("developed - ordinary middle: final frontline commitment",
              paired(df, "commitment_final", "developed", "ordinary"), 0.02),
        above("ordinary - frozen middle: final frontline commitment",
              paired(df, "commitment_final", "ordinary", "frozen"), 0.03),
        above("ordinary - frozen middle: final frontline alignment",
              paired(df, "alignment_final", "ordinary", "frozen"), 0),
    ]


def claims_rounding(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df, local = pattern_rounding(replicates, base=base), pattern_rounding_locality(replicates, base=base)
    contacted = Interval.of(local["effect_contacted"])
    return [
        above("rounding - none: frontline commitment", paired(df, "commitment_final", "rounds", "none"), 0.01),
        below("unresolved rounding - none: frontline commitment",
              paired(df, "commitment_final", "unresolved", "none"), 0),
        above("unresolved rounding - none: frontline cynicism",
              paired(df, "cynicism_final", "unresolved", "none"), 0.05),
        above("rounding's effect on those spoken with", contacted, 0.01),
        above("effect on those spoken with - 10 x on their unit mates",
              Interval.of(local["effect_contacted"] - 10 * local["effect_unit_mates"]), 0),
        above("effect on those spoken with - 10 x elsewhere",
              Interval.of(local["effect_contacted"] - 10 * local["effect_elsewhere"].abs()), 0),
        above("gain of those spoken with - 3 x their units' average gain",
              Interval.of(local["gain_contacted"] - 3 * local["gain_visited_units"]), 0),
    ]


def claims_gradient(replicates: int = 30, base: Config | None = None) -> list[Claim]:
    df = pattern_gradient(replicates, base=base)
    levels = ["commitment_ceo", "commitment_senior", "commitment_middle", "commitment_frontline"]
    ratio = Interval.of(df["problem_ratio"])
    return [
        *[above(f"{higher} - {lower} at baseline", Interval.of(df[higher] - df[lower]), 0)
          for higher, lower in zip(levels, levels[1:])],
        above("frontline / manager share with commitment below 0.5", ratio, 1.2),
        below("frontline / manager share with commitment below 0.5", ratio, 1.8),
    ]


def claims_years(replicates: int = 12, transformed: float = 0.7, base: Config | None = None) -> list[Claim]:
    df = pattern_years(replicates, transformed=transformed, base=base)
    return [
        above("full transformation: five-year gain in frontline commitment", Interval.of(df["gain_5y"]), 0.1),
        above("weeks to 90% of the five-year gain", Interval.of(df["weeks_to_90"]), 78),
        below("share of the five-year gain made in year one", Interval.of(df["gain_1y"] / df["gain_5y"]), 0.8),
        Claim(f"no hospital fully transformed (frontline commitment >= {transformed}) in five years",
              float(df["transformed"].mean()), bool(df["transformed"].sum() == 0)),
    ]


def claims_departure(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df = pattern_departure(replicates, base=base)
    kept = {name: group["kept"] for name, group in df.groupby("arm")}
    return [
        above("embedded - CEO alone: share of the gain kept after the CEO leaves",
              paired(df, "kept", "embedded", "ceo_alone"), 0.2),
        above("embedded: share of the gain kept", Interval.of(kept["embedded"]), 0.8),
        below("CEO alone: share of the gain kept", Interval.of(kept["ceo_alone"]), 0.7),
    ]


def claims_projects(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df = pattern_projects(replicates, base=base)
    pooled = df.groupby("replicate")[["succeeded", "finished"]].sum()
    return [
        below("project success rate", Interval.of(pooled["succeeded"] / pooled["finished"]), 0.5),
        above("projects finished per run (enough to judge)", Interval.of(df["finished"]), 20),
        below("share of a quick fix's quality gain left at the end", Interval.of(df["quick_left"]), 0.25),
        above("share of a redesign's quality gain left at the end", Interval.of(df["redesign_left"]), 0.6),
    ]


CLAIMS = {"P1": claims_synergy, "P2": claims_team, "P3": claims_middle, "P4": claims_rounding,
          "P5": claims_gradient, "P6": claims_years, "P7": claims_departure, "P8": claims_projects}
"""The claims of each pattern, by its DESIGN label."""

"""The stylized facts the model must reproduce (DESIGN section 1, P1-P8; and P9, the collaborative).

Each ``pattern_*`` function runs the scenarios a pattern compares, over
replicates, and returns the numbers its claims are about; each ``claims_*``
function turns those numbers into `Claim`s, each a statement with a 95%
confidence interval and whether it holds. The claims are written once and
serve the pattern tests (tests/test_patterns.py), the pattern matrix over
hospitals (`pattern_matrix`) and the calibration script
(benchmarks/calibrate.py). `CLAIMS` lists them by pattern.

Every claim is scale-free: a share, a ratio or a difference between
strategies on the same hospitals, with no size or number of units assumed,
so that it can be checked on any hospital: generated ones of any size, or a
loaded org chart (``base``). A claim that cannot apply to some hospital
(say, about the units a round did not reach, in a hospital whose every unit
it reached) says so (``applies`` is False) instead of returning NaN.

Scenarios that are compared share their replicate seeds (common random
numbers), so differences are paired and their confidence intervals narrow.
Each replicate is a hospital of its own: its context, structure and people
are drawn from its seed (`simulation.context`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis import mean_ci
from experiments.collaborative import (
    COUNTERFACTUAL,
    FIELD,
    Share,
    collaborative_experiment,
    hospital_outcomes,
    summarize,
)
from experiments.replicates import replicate_seeds
from simulation import Config, OrgChangeModel
from simulation.effort import planned_hours, scale_to_effort
from simulation.organization import FRONTLINE
from simulation.parameters import PARAMETERS, SCHEDULED_LEVERS, plain
from simulation.strategy import load_strategy

IVERS_RANGE = (0.005, 0.16)
"""The 26-week gain in frontline practice a mandate may make: the
interquartile range of the absolute improvement in compliance with desired
practice that audit and feedback bring (0.5 to 16 percentage points, median
4.3; Ivers et al. 2012, Cochrane Database Syst Rev CD000259)."""
FIELD_IMPROVED = (min(FIELD["improved"]), max(FIELD["improved"]))
"""Share of the hospitals of a collaborative that improved (Glasgow et al. 2012: 35% and 46% on two measures)."""
FIELD_SUSTAINED = (min(FIELD["sustained"]), max(FIELD["sustained"]))
"""Share of the improvers that sustained the gain two years later (the same study: 32% and 60%)."""
SINGER_SHARES = {"frontline": 0.176, "senior": 0.124}
"""Problematic safety-climate responses on the front line and among senior
managers in 92 US hospitals (Singer et al. 2008, Med Care 46(11))."""


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

    @classmethod
    def welch(cls, a, b) -> Interval:
        """The difference of two independent samples' means, ``mean(a) -
        mean(b)``, with its 95% interval (Welch: unequal variances); missing
        when either has fewer than two values."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if min(len(a), len(b)) < 2:
            return cls(np.nan, np.nan, np.nan, len(a) + len(b))
        from scipy import stats

        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = np.sqrt(va + vb)
        dof = (va + vb) ** 2 / max(va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1), 1e-300)
        half = float(stats.t.ppf(0.975, dof) * se) if se > 0 else 0.0
        mean = float(a.mean() - b.mean())
        return cls(mean, mean - half, mean + half, len(a) + len(b))

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
            model.release()
    return pd.DataFrame(rows)


def paired(df: pd.DataFrame, column: str, a: str, b: str) -> Interval:
    """Mean difference ``a - b`` in ``column`` over paired replicates."""
    wide = df.pivot(index="replicate", columns="arm", values=column)
    return Interval.of(wide[a] - wide[b])


def at(df: pd.DataFrame, week: int, column: str) -> float:
    return float(df[column].iloc[week])


def business_as_usual() -> dict:
    """Every lever at business as usual (the defaults), the schedule aside:
    the strategy of a successor who brings nothing of their predecessor's."""
    return {name: plain(PARAMETERS[name].default) for name in SCHEDULED_LEVERS}


def _horizon(base: Config | None, weeks: int) -> Config:
    return (base or Config()).replace(weeks=weeks, schedule=[], impetus_shocks=[])


# --- P1 -------------------------------------------------------------------------------------------
RELEASE = 156
"""Week at which P1's pressure is released (steering and accountability back to business as usual)."""


def pattern_synergy(replicates: int = 12, seed: int = 1, weeks: int = 260, release: int = RELEASE,
                    base: Config | None = None) -> pd.DataFrame:
    """P1: business as usual, structure alone (mandate), passion alone
    (inspire), and both; the pressure of steering and accountability is
    released at week ``release``."""
    base = _horizon(base, weeks)
    bau = load_strategy("business_as_usual").levers
    mandate, inspire = load_strategy("mandate").levers, load_strategy("inspire").levers
    both = {**mandate, "passion_display": inspire["passion_display"]}
    released = [{"week": release, "lever": "steering", "value": bau["steering"]},
                {"week": release, "lever": "accountability", "value": bau["accountability"]}]
    arms = {"bau": base.replace(**bau)}
    arms.update({name: base.replace(**levers, schedule=released)
                 for name, levers in (("mandate", mandate), ("inspire", inspire), ("both", both))})

    def measure(model, df):
        return {"practice_26": at(df, 26, "practice_frontline") - at(df, 0, "practice_frontline"),
                "commitment_26": at(df, 26, "commitment_frontline") - at(df, 0, "commitment_frontline"),
                "practice_release": at(df, release, "practice_frontline") - at(df, 0, "practice_frontline"),
                "commitment_final": at(df, weeks, "commitment_frontline"),
                "practice_final": at(df, weeks, "practice_frontline"),
                "practice_kept": at(df, weeks, "practice_frontline") - at(df, release, "practice_frontline"),
                "cynicism_final": at(df, weeks, "cynicism"), "trust_final": at(df, weeks, "trust")}

    return run_arms(arms, replicates, seed, measure)


def interaction(df: pd.DataFrame, column: str) -> Interval:
    """The two routes' interaction: (both - inspire) - (mandate - business as usual)."""
    wide = df.pivot(index="replicate", columns="arm", values=column)
    return Interval.of((wide["both"] - wide["inspire"]) - (wide["mandate"] - wide["bau"]))


# --- P2 -------------------------------------------------------------------------------------------
TEAM_LEVERS = dict(involved=["ceo", "senior"], rounders=["ceo", "senior"], rounding_frequency=1.0,
                   rounding_contacts=4, follow_through=0.8, steering=0.4, accountability=0.3, resources=0.4,
                   passion_display=0.6, projects_per_leader=1, barrier_removal=0.6)


TEAM_WEEKS = 260
"""P2's horizon: five years."""


def pattern_team(replicates: int = 12, seed: int = 2, base: Config | None = None) -> tuple[pd.DataFrame, float]:
    """P2: the senior team against the CEO alone, planning the same
    leader-hours a week. Returns the runs and those planned hours."""
    team = _horizon(base, TEAM_WEEKS).replace(**TEAM_LEVERS)
    hours = planned_hours(OrgChangeModel(team))
    # The lone CEO may sponsor as many projects as the whole team does, and more.
    lone = scale_to_effort(team.replace(involved=["ceo"], rounders=["ceo"], projects_per_leader=20), hours)

    def measure(model, df):
        # Hours are judged while the strategy is in force: a programme that
        # lapses (ODD 7.2) plans nothing more, so its later weeks say nothing
        # of whether its leaders could spend what it planned.
        in_force = df.iloc[1:][df["programme_lapsed"].iloc[1:] == 0]
        return {"commitment_final": at(df, -1, "commitment_frontline"),
                "practice_final": at(df, -1, "practice_frontline"),
                "hours_spent": float(in_force["leader_hours"].mean()) if len(in_force) else np.nan}

    return run_arms({"team": team, "lone": lone}, replicates, seed, measure), hours


# --- P3 -------------------------------------------------------------------------------------------
def pattern_middle(replicates: int = 12, seed: int = 3, base: Config | None = None) -> pd.DataFrame:
    """P3: one strategy with ordinary, developed and frozen middle managers
    (a frozen middle: their predisposition far below the front line's)."""
    strategy = preset("senior_team", _horizon(base, 260))
    frozen = max(0.0, strategy.middle_commitment - 0.3)
    arms = {"ordinary": strategy,
            "developed": strategy.replace(middle_development=0.8),
            "frozen": strategy.replace(middle_commitment=frozen)}

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
    rounding = dict(rounders=["senior"], rounding_frequency=1.0, rounding_contacts=5)
    base = _horizon(base, weeks)
    arms = {"rounds": base.replace(**rounding, follow_through=0.9),
            "unresolved": base.replace(**rounding, follow_through=0.0),
            "none": base}

    def measure(model, df):
        front = model.organization.role == FRONTLINE
        return {"commitment_final": at(df, -1, "commitment_frontline"),
                "cynicism_final": float(model.state.cynicism[front].mean())}

    return run_arms(arms, replicates, seed, measure)


def pattern_rounding_locality(replicates: int = 12, seed: int = 4, weeks: int = 12,
                              base: Config | None = None) -> pd.DataFrame:
    """P4: where rounding's effect lands. The CEO rounds once a week, talking
    with three people of a unit (a field study's walkround); a ``placebo``
    run meets the same people (the same draws) but neither the
    conversations nor their follow-up carry any weight, and resolved issues
    clear no barriers, so per person the difference between the runs is the
    rounding's own effect. Also the gains of the people spoken with against
    those of their unit mates who were not (what a survey of participants and
    non-participants compares). ``effect_elsewhere`` is NaN, and
    ``elsewhere`` 0, in a hospital whose every unit the rounds reached;
    ``effect_unit_mates`` and ``gain_unit_mates`` are NaN, and ``unit_mates``
    0, where the rounds met everyone in the units they visited."""
    rounding = _horizon(base, weeks).replace(rounders=["ceo"], rounding_frequency=1.0, rounding_contacts=3,
                                             rounding_patients=0, follow_through=0.9)
    placebo = rounding.replace(rounding_weight=0.0, feedback_boost=0.0, trust_rate=0.0,
                               broken_promise_cynicism=0.0, barrier_removed=0.0)
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
        elsewhere, mates = front & ~visited, visited & ~met
        rows.append({"replicate": k, "contacted": int(met.sum()), "elsewhere": int(elsewhere.sum()),
                     "unit_mates": int(mates.sum()),
                     "effect_contacted": float(effect[met].mean()),
                     "effect_unit_mates": float(effect[mates].mean()) if mates.any() else np.nan,
                     "effect_elsewhere": float(effect[elsewhere].mean()) if elsewhere.any() else np.nan,
                     "gain_contacted": float(gain[met].mean()),
                     "gain_unit_mates": float(gain[mates].mean()) if mates.any() else np.nan})
    return pd.DataFrame(rows)


# --- P5 -------------------------------------------------------------------------------------------
def pattern_gradient(replicates: int = 30, seed: int = 5, base: Config | None = None) -> pd.DataFrame:
    """P5: commitment by level at baseline (week 0), and the expected shares
    of problematic survey answers by level (senior managers are the CEO and
    the senior team; `simulation.metrics.survey_responses`)."""
    rows = []
    for k, s in enumerate(replicate_seeds(seed, replicates)):
        model = OrgChangeModel(_horizon(base, 1).replace(seed=s))
        first = model.latest
        rows.append({"replicate": k, **{f"commitment_{r}": first[f"commitment_{r}"]
                                        for r in ("ceo", "senior", "middle", "frontline")},
                     **{f"problematic_{level}": first[f"problematic_{level}"]
                        for level in ("senior", "middle", "frontline")}})
        model.release()
    return pd.DataFrame(rows)


# --- P6 -------------------------------------------------------------------------------------------
TRANSFORMED = {"commitment_frontline": 0.6, "practice_frontline": 0.6, "quality": 0.7}
"""What a transformed hospital holds for a whole year together: most of its
front line committed and practising improvement, and reliable care. Lukas
et al. (2007) define transformation as sustained, reliable,
organization-wide improvement in patient care; none of their seven funded
systems had got there after five to seven years."""


def transformed_week(df: pd.DataFrame, held: int = 52) -> int:
    """The first week by which a hospital has held every level of
    `TRANSFORMED` for ``held`` weeks running, or -1 if it never has."""
    ok = np.ones(len(df), dtype=bool)
    for column, level in TRANSFORMED.items():
        ok &= df[column].to_numpy() >= level
    run = 0
    for week, good in enumerate(ok):
        run = run + 1 if good else 0
        if run >= held:
            return week
    return -1


FIVE_YEARS = 260
"""The source study's horizon: none of its systems had transformed after five to seven years."""
TRANSFORMATION_WEEKS = 780
"""P6 follows a sustained full transformation for fifteen years: long
enough to see whether some hospitals get there, and when."""


def pattern_years(replicates: int = 12, seed: int = 6, weeks: int = TRANSFORMATION_WEEKS,
                  base: Config | None = None) -> pd.DataFrame:
    """P6: how long the full transformation takes, kept up for ``weeks``.

    Its pace is judged on patient-care quality over the first five years:
    ``weeks_to_90`` is the week quality first makes 90% of its five-year
    gain, and ``gain_1y`` and ``gain_5y`` the gains after one and five
    years. Quality is the slowest part of the change, as it waits on
    process capability that only years of improvement work build, so its
    pace is the organization's (frontline commitment can move within a
    year in a small hospital its leaders can reach in person).
    ``transformed`` is the week the hospital is transformed (-1: never, in
    ``weeks``)."""
    def measure(model, df):
        q = df["quality"].to_numpy()[:FIVE_YEARS + 1]
        gain = q[-1] - q[0]
        return {"gain_1y": q[52] - q[0], "gain_5y": gain,
                "weeks_to_90": int(np.argmax(q >= q[0] + 0.9 * gain)),
                "transformed": transformed_week(df)}

    return run_arms({"full": preset("full_transformation", _horizon(base, weeks))}, replicates, seed, measure)


# --- P7 -------------------------------------------------------------------------------------------
def pattern_departure(replicates: int = 12, seed: int = 7, depart: int = 130,
                      base: Config | None = None) -> pd.DataFrame:
    """P7: the CEO leaves at week ``depart`` with no succession planning,
    and the successor brings their own strategy: they carry on none of the
    predecessor's personal duties. Under full transformation the rest of
    the leadership carries on (``embedded``); under a CEO champion who
    acted alone, nobody does (``ceo_alone``). ``kept_commitment`` and
    ``kept_practice`` are the shares of the frontline commitment and QI
    practice gained by the departure that remain at the end. A CEO acting
    alone buys mostly practice (steering, accountability and incentives
    reach everyone; their passion reaches few), so practice is the change
    whose decay P7 is about."""
    base = _horizon(base, 260).replace(succession=0.0, ceo_turnover=0.0)
    successor = {"involved": ["senior", "middle"], "rounders": ["senior"], "behind_the_scenes": 0.0}
    arms = {"embedded": preset("full_transformation", base,
                               schedule=[{"week": depart, "depart": "ceo", "levers": successor}]),
            "ceo_alone": preset("ceo_champion", base, involved=["ceo"], physician_engagement=0.0, schedule=[
                {"week": depart, "depart": "ceo", "levers": business_as_usual()}])}

    def measure(model, df):
        row = {}
        for outcome in ("commitment", "practice"):
            c = df[f"{outcome}_frontline"].to_numpy()
            gained = c[depart] - c[0]
            row.update({f"gain_{outcome}": gained, f"gain_final_{outcome}": c[-1] - c[0],
                        f"kept_{outcome}": (c[-1] - c[0]) / gained if gained > 0 else np.nan})
        return row

    return run_arms(arms, replicates, seed, measure)


# --- P8 -------------------------------------------------------------------------------------------
def pattern_projects(replicates: int = 12, seed: int = 8,
                     strategies=("senior_team", "leadership_rounding", "full_transformation"),
                     base: Config | None = None) -> pd.DataFrame:
    """P8: project success rates, and how much of the capability each kind
    of successful project added is still there at the end."""
    def measure(model, df):
        p = model.projects
        return {"succeeded": p.n_succeeded, "finished": p.n_succeeded + p.n_failed,
                "quick_left": p.quick_left(), "redesign_left": p.redesign_left()}

    return run_arms({name: preset(name, _horizon(base, 260)) for name in strategies}, replicates, seed, measure)


# --- P9 -------------------------------------------------------------------------------------------
def pattern_collaborative(replicates: int = 40, seed: int = 9, base: Config | None = None) -> pd.DataFrame:
    """P9: the collaborative (`experiments.collaborative`), ``replicates``
    hospitals of ``base`` (default: generated ones of the default size),
    each run with the campaign and as its business-as-usual twin. One row
    per hospital (`hospital_outcomes`)."""
    experiment = collaborative_experiment(hospitals=replicates, seed=seed)
    if base is not None:
        experiment = experiment.replace(base=base.replace(weeks=experiment.weeks))
    series: dict[str, list[pd.DataFrame]] = {"campaign": [], COUNTERFACTUAL: []}
    for run in experiment.runs():
        model = OrgChangeModel(experiment.config_for(run.point, run.strategy, run.seed))
        series[run.strategy].append(model.run()[["week", "quality", "commitment_frontline"]]
                                    .assign(replicate=run.replicate))
        model.release()
    return hospital_outcomes(pd.concat(series["campaign"]), pd.concat(series[COUNTERFACTUAL]))


# --- the claims ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One statement about the model, and whether the runs bear it out.

    ``applies`` is False for a claim that cannot apply to the hospital it
    was run on (it then holds vacuously, and says so).
    """

    text: str
    value: Interval | float
    holds: bool
    applies: bool = True
    shortfall: float = 0.0
    """How far the interval falls short of the bound (0 when it holds): a
    distance calibration can minimize."""

    def __str__(self) -> str:
        if not self.applies:
            return f"n/a    {self.text}: does not apply to this hospital"
        return f"{'holds' if self.holds else 'FAILS'}  {self.text}: {self.value}"


def _short(distance: float) -> float:
    return float("inf") if np.isnan(distance) else max(0.0, float(distance))


def above(text: str, value: Interval, bound: float) -> Claim:
    """The whole interval lies above ``bound``."""
    return Claim(f"{text} > {bound:g}", value, bool(value.low > bound), shortfall=_short(bound - value.low))


def below(text: str, value: Interval, bound: float) -> Claim:
    """The whole interval lies below ``bound``."""
    return Claim(f"{text} < {bound:g}", value, bool(value.high < bound), shortfall=_short(value.high - bound))


def between(text: str, value: Interval, low: float, high: float) -> Claim:
    """The whole interval lies within [``low``, ``high``]."""
    return Claim(f"{low:g} < {text} < {high:g}", value, bool(value.low > low and value.high < high),
                 shortfall=_short(max(low - value.low, value.high - high)))


def not_applicable(text: str) -> Claim:
    return Claim(text, float("nan"), True, applies=False)


def claims_synergy(replicates: int = 16, base: Config | None = None, seed: int = 1) -> list[Claim]:
    df = pattern_synergy(replicates, seed, base=base)
    arm = {name: group for name, group in df.groupby("arm")}
    return [
        between("mandate: frontline practice gained in 26 weeks (Ivers et al. 2012)",
                Interval.of(arm["mandate"]["practice_26"]), *IVERS_RANGE),
        above("mandate - inspire: frontline practice gained in 26 weeks",
              paired(df, "practice_26", "mandate", "inspire"), 0),
        below("mandate: frontline commitment gained in 26 weeks, less half its practice gain",
              Interval.of(arm["mandate"]["commitment_26"] - 0.5 * arm["mandate"]["practice_26"]), 0),
        # Reverts: falls once the pressure goes. (As a share of the gain it is a
        # ratio of two small differences, too noisy to bound over a dozen hospitals.)
        below("mandate: frontline practice gained after the pressure goes",
              Interval.of(arm["mandate"]["practice_kept"]), 0),
        *[above(f"both - {alone}: final frontline commitment", paired(df, "commitment_final", "both", alone), 0)
          for alone in ("mandate", "inspire")],
        *[above(f"both - {alone}: frontline practice two years after the pressure goes",
                paired(df, "practice_final", "both", alone), 0) for alone in ("mandate", "inspire")],
        above("interaction of the routes: final frontline commitment", interaction(df, "commitment_final"), 0),
        above("interaction of the routes: frontline practice after the pressure goes",
              interaction(df, "practice_final"), 0),
    ]


def claims_team(replicates: int = 12, base: Config | None = None, seed: int = 2) -> list[Claim]:
    df, hours = pattern_team(replicates, seed, base=base)
    spent = {name: group["hours_spent"] for name, group in df.groupby("arm")}
    # One leader can give the strategy ``energy_recovery`` hours a week for
    # good, and their store of energy once over the run: the lone CEO's share
    # of the team's plan is bounded by that (with 0.1 to spare). In a small
    # hospital the team plans no more than one leader can sustain, and there
    # is nothing to show.
    config = base or Config()
    sustainable = config.energy_recovery + config.leader_capacity / TEAM_WEEKS
    lone = (below(f"lone CEO: share of the planned leader-hours spent ({hours:.1f} a week; one leader sustains "
                  f"{sustainable:.1f})", Interval.of(spent["lone"] / hours), sustainable / hours + 0.1)
            if hours > 1.25 * sustainable else
            not_applicable(f"lone CEO: share of the planned leader-hours spent: the team plans {hours:.1f} hours a "
                           f"week, which one leader can nearly sustain ({sustainable:.1f})"))
    return [
        above("team - lone CEO: final frontline commitment", paired(df, "commitment_final", "team", "lone"), 0),
        above("team - lone CEO: final frontline practice", paired(df, "practice_final", "team", "lone"), 0),
        lone,
        above("team: share of the planned leader-hours spent", Interval.of(spent["team"] / hours), 0.9),
    ]


def claims_middle(replicates: int = 12, base: Config | None = None, seed: int = 3) -> list[Claim]:
    df = pattern_middle(replicates, seed, base=base)
    return [
        above("developed - ordinary middle: final frontline commitment",
              paired(df, "commitment_final", "developed", "ordinary"), 0),
        above("ordinary - frozen middle: final frontline commitment",
              paired(df, "commitment_final", "ordinary", "frozen"), 0),
        above("ordinary - frozen middle: final frontline alignment",
              paired(df, "alignment_final", "ordinary", "frozen"), 0),
    ]


def claims_rounding(replicates: int = 12, base: Config | None = None, seed: int = 4) -> list[Claim]:
    df, local = pattern_rounding(replicates, seed, base=base), pattern_rounding_locality(replicates, seed, base=base)
    contacted = Interval.of(local["effect_contacted"])
    claims = [
        above("rounding - none: frontline commitment", paired(df, "commitment_final", "rounds", "none"), 0),
        below("unresolved rounding - none: frontline commitment",
              paired(df, "commitment_final", "unresolved", "none"), 0),
        above("unresolved rounding - none: frontline cynicism", paired(df, "cynicism_final", "unresolved", "none"),
              0),
        above("rounding's effect on those spoken with", contacted, 0),
    ]
    # Participants against non-participants of the same units (Thomas et al.
    # 2005): a comparison of people, whatever share of a unit a round meets.
    mates = ("effect on those spoken with - 10 x on their unit mates",
             "gain of those spoken with - 3 x their unit mates' gain")
    if (local["unit_mates"] > 0).all():
        claims += [above(mates[0], Interval.of(local["effect_contacted"] - 10 * local["effect_unit_mates"]), 0),
                   above(mates[1], Interval.of(local["gain_contacted"] - 3 * local["gain_unit_mates"]), 0)]
    else:
        claims += [not_applicable(f"{text} (the rounds met everyone in the units they visited)") for text in mates]
    text = "effect on those spoken with - 10 x elsewhere"
    if (local["elsewhere"] > 0).all():
        claims.append(above(text, Interval.of(local["effect_contacted"] - 10 * local["effect_elsewhere"].abs()), 0))
    else:
        claims.append(not_applicable(f"{text} (the rounds reached every unit)"))
    return claims


def claims_gradient(replicates: int = 30, base: Config | None = None, seed: int = 5) -> list[Claim]:
    df = pattern_gradient(replicates, seed, base=base)
    levels = ["commitment_ceo", "commitment_senior", "commitment_middle", "commitment_frontline"]
    senior = df["problematic_senior"]
    return [
        *[above(f"{higher} - {lower} at baseline", Interval.of(df[higher] - df[lower]), 0)
          for higher, lower in zip(levels, levels[1:])],
        between("frontline / senior share of problematic answers (Singer et al. 2008: 1.4)",
                Interval.of(df["problematic_frontline"] / senior), 1.2, 1.65),
        between("middle / senior share of problematic answers (about 1.25)",
                Interval.of(df["problematic_middle"] / senior), 1.05, 1.5),
        between("frontline share of problematic answers (Singer et al. 2008: 0.176)",
                Interval.of(df["problematic_frontline"]), 0.12, 0.24),
        between("senior share of problematic answers (Singer et al. 2008: 0.124)", Interval.of(senior), 0.08, 0.17),
    ]


def claims_years(replicates: int = 12, base: Config | None = None, seed: int = 6) -> list[Claim]:
    df = pattern_years(replicates, seed, base=base)
    transformed = df["transformed"]
    return [
        above("full transformation: five-year gain in quality", Interval.of(df["gain_5y"]), 0.05),
        above("weeks to 90% of the five-year gain in quality", Interval.of(df["weeks_to_90"]), 78),
        below("share of the five-year gain in quality made in year one",
              Interval.of(df["gain_1y"] / df["gain_5y"]), 0.6),
        Claim("no hospital transformed within five years (TRANSFORMED held for a year)",
              float(((transformed >= 0) & (transformed <= FIVE_YEARS)).mean()),
              bool(((transformed < 0) | (transformed > FIVE_YEARS)).all())),
        Claim("some hospitals transformed within fifteen years",
              float((transformed >= 0).mean()), bool((transformed >= 0).any())),
    ]


def claims_departure(replicates: int = 12, base: Config | None = None, seed: int = 7) -> list[Claim]:
    df = pattern_departure(replicates, seed, base=base)
    df["after_practice"] = df["gain_final_practice"] - df["gain_practice"]  # change after the departure
    arm = {name: group for name, group in df.groupby("arm")}
    claims = [
        above("embedded: share of the frontline practice gain kept", Interval.of(arm["embedded"]["kept_practice"]),
              0.7),
        above("embedded: share of the frontline commitment gain kept",
              Interval.of(arm["embedded"]["kept_commitment"]), 0.7),
    ]
    # What the CEO alone had bought by the departure must be there before its
    # decay can be judged: in a large hospital a lone CEO may have bought nothing.
    bought = Interval.of(arm["ceo_alone"]["gain_practice"])
    texts = ("embedded - CEO alone: frontline practice gained after the CEO leaves",
             "CEO alone: frontline practice gained after the CEO leaves")
    if bought.low > 0:
        claims += [above(texts[0], paired(df, "after_practice", "embedded", "ceo_alone"), 0),
                   below(texts[1], Interval.of(arm["ceo_alone"]["after_practice"]), 0)]
    else:
        claims += [not_applicable(f"{text} (the CEO alone had gained no practice by then: {bought})")
                   for text in texts]
    return claims


def claims_projects(replicates: int = 12, base: Config | None = None, seed: int = 8) -> list[Claim]:
    df = pattern_projects(replicates, seed, base=base)
    pooled = df.groupby("replicate")[["succeeded", "finished"]].sum()
    return [
        between("project success rate", Interval.of(pooled["succeeded"] / pooled["finished"]), 0.2, 0.5),
        # Over the histories that had a successful project of the kind (one
        # whose programme lapsed early may have none).
        below("share of a quick fix's capability gain left at the end", Interval.of(df["quick_left"].dropna()), 0.25),
        above("share of a redesign's capability gain left at the end", Interval.of(df["redesign_left"].dropna()),
              0.6),
    ]


def claims_collaborative(replicates: int = 40, base: Config | None = None, seed: int = 9) -> list[Claim]:
    """P9: the collaborative's shares of hospitals that improved and that
    sustained, against Glasgow et al. (2012) (`field_claims`)."""
    return field_claims(summarize(pattern_collaborative(replicates, seed, base)))


def field_claims(shares: dict[str, Share]) -> list[Claim]:
    """The collaborative's two shares (`experiments.collaborative.summarize`)
    against the field's. A share's claim holds when its 95% Wilson interval
    meets the range the study found on its two measures: a collaborative of
    a few dozen hospitals cannot pin a share down more finely than that
    interval. With no hospital improved, the sustained share does not apply."""
    claims = []
    for name, (low, high) in (("improved", FIELD_IMPROVED), ("sustained", FIELD_SUSTAINED)):
        share = shares[name]
        text = (f"share of hospitals that {name}" + (" (of those that improved)" if name == "sustained" else "")
                + f" meets the field's {low:.0%}-{high:.0%}")
        if not share.of:
            claims.append(not_applicable(text))
            continue
        meets = share.low <= high and share.high >= low
        claims.append(Claim(f"{text} ({share.count} of {share.of}, Wilson interval)",
                            Interval(share.value, share.low, share.high, share.of), bool(meets),
                            shortfall=max(0.0, low - share.high, share.low - high)))
    return claims


CLAIMS = {"P1": claims_synergy, "P2": claims_team, "P3": claims_middle, "P4": claims_rounding,
          "P5": claims_gradient, "P6": claims_years, "P7": claims_departure, "P8": claims_projects,
          "P9": claims_collaborative}
"""The claims of each pattern, by its label (P1-P8 from DESIGN section 1, P9 from issue 14)."""


CALIBRATION_ROOT = 0
"""Pattern seeds are ``10 * root + k`` for pattern ``Pk``: root 0 is the
seeds the defaults were calibrated on (1 to 8); any other root gives
hospitals and histories the calibration never saw."""
HELD_OUT_ROOTS = (101, 202, 303)
"""Root seeds never used in calibration, for the pattern matrix."""


def pattern_seed(pattern: str, root: int = CALIBRATION_ROOT) -> int:
    """The seed of pattern ``pattern`` (``"P3"``) under root seed ``root``."""
    return 10 * root + int(pattern[1:])


def pattern_matrix(hospitals: dict[str, Config], roots=(CALIBRATION_ROOT, *HELD_OUT_ROOTS), scale: float = 1.0,
                   patterns=tuple(CLAIMS), progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Every claim of every pattern on every hospital and root seed: one
    row per (hospital, root, pattern, claim) with its interval and whether
    it holds (or does not apply). ``hospitals`` maps a label to the base
    configuration of that hospital (a generated size, or an org chart);
    each claim runs ``scale`` times its usual replicates (at least 3)."""
    import inspect

    rows = []
    for label, base in hospitals.items():
        for root in roots:
            for pattern in patterns:
                make = CLAIMS[pattern]
                replicates = max(3, round(scale * inspect.signature(make).parameters["replicates"].default))
                for claim in make(replicates, base=base, seed=pattern_seed(pattern, root)):
                    v = claim.value
                    rows.append({"hospital": label, "root": root, "held_out": root != CALIBRATION_ROOT,
                                 "pattern": pattern, "claim": claim.text, "holds": claim.holds,
                                 "applies": claim.applies, "replicates": replicates,
                                 **({"mean": v.mean, "low": v.low, "high": v.high} if isinstance(v, Interval)
                                    else {"mean": v, "low": np.nan, "high": np.nan})})
                if progress is not None:
                    progress(f"{label} root {root} {pattern}")
    return pd.DataFrame(rows)

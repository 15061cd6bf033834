"""The behaviours of issues 12 and 13 as claims over replicates.

Patterns P1-P8 (`experiments.patterns`) are the field's stylized facts; the
claims here check that each mechanism behind them does what the model's
documentation (docs/ODD.md, section 7) says: quality as an outcome, results
that feed back, levers with a cost and a reach, compliance that is not
commitment, the capability trap, trust's sources, and the field sites'
behaviours. Each ``claims_*`` function runs its scenarios on common random
numbers and returns `Claim`s; tests/test_science.py asserts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.patterns import Claim, Interval, above, below, paired, preset, run_arms
from experiments.replicates import replicate_seeds
from simulation import Config, OrgChangeModel
from simulation.organization import FRONTLINE


def _last(df: pd.DataFrame, column: str) -> float:
    return float(df[column].iloc[-1])


def _base(base: Config | None, weeks: int = 260, **changes) -> Config:
    """``base`` for ``weeks``, with no schedule or shocks and, unless
    ``changes`` say otherwise, programmes held in force (``lapse_urgency``
    0): each claim compares arms that differ by its own mechanism only, and
    lapsing has its own claim (`claims_tipping`)."""
    return (base or Config()).replace(**{"weeks": weeks, "schedule": [], "impetus_shocks": [], "lapse_urgency": 0.0,
                                         **changes})


# --- issue 12 ----------------------------------------------------------------------------
QUALITY_CEILING = 0.85
"""No preset comes near the top of the quality scale within five years: its
five-year quality stays below this."""


def claims_quality(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Quality is a patient-care outcome: no preset nears the top in five
    years, and each of full transformation's committee, rounding and middle
    development changes its five-year quality."""
    from simulation.strategy import preset_names

    base = _base(base)
    arms = {name: preset(name, base) for name in preset_names()}
    full = arms["full_transformation"]
    arms.update({"no committee": full.replace(committee=False), "no rounding": full.replace(rounders=[]),
                 "no development": full.replace(middle_development=0.0)})
    df = run_arms(arms, replicates, 12, lambda model, ts: {"quality": _last(ts, "quality"),
                                                         "practice": _last(ts, "practice_frontline"),
                                                         "commitment": _last(ts, "commitment_frontline")})
    claims = [below(f"{name}: five-year quality", Interval.of(df[df.arm == name]["quality"]), QUALITY_CEILING)
              for name in preset_names()]
    # Middle development is judged on what it works through, the middle's and
    # so the front line's commitment: in full transformation the middle is
    # already involved, and its practice near its top, so development adds
    # commitment but no quality that replicates can tell apart (ODD 7.1).
    for removed, outcome in (("no committee", "quality"), ("no rounding", "quality"),
                             ("no development", "commitment")):
        diff = paired(df, outcome, "full_transformation", removed)
        claims.append(Claim(f"full transformation - {removed}: five-year {outcome}, interval excludes 0", diff,
                            bool(diff.low > 0 or diff.high < 0)))
    return claims


TIPPING_STRATEGY = dict(involved=["ceo", "senior"], steering=0.4, accountability=0.3, resources=0.3,
                        passion_display=0.6, projects_per_leader=1, barrier_removal=0.6)
"""A moderate strategy, to be scaled to the hospital's edge (`edge_of_tipping`)."""


def _tipping_history(config: Config, trajectory: bool = False) -> dict:
    """One history's outcomes (and, with ``trajectory``, its weekly frontline practice)."""
    model = OrgChangeModel(config)
    df = model.run()
    model.release()
    # The path a history ends on: its last year's frontline practice, which
    # a single week's draws would blur in a small hospital.
    row = {"practice": float(df["practice_frontline"].iloc[-52:].mean()), "quality": _last(df, "quality"),
           "lapsed": float(df["programme_lapsed"].iloc[-1]),
           "early_quality": float(df["quality"].iloc[52] - df["quality"].iloc[0])}
    if trajectory:
        row["trajectory"] = df["practice_frontline"].to_numpy()
    return row


EARLY_WEEKS = 156
"""The early years, whose results decide whether a programme lasts: three."""


def edge_of_tipping(base: Config | None = None, hospital: int = 11, probes: int = 16, weeks: int = 260) -> Config:
    """`TIPPING_STRATEGY` on hospital ``hospital``, with leaders whose
    patience (``lapse_urgency``) puts it at the edge: half its histories
    let the programme lapse in the early years.

    A history lapses at the first week its urgency falls below
    ``lapse_urgency``, so, run with lapses switched off, the lowest urgency
    of its early years (`EARLY_WEEKS`) is the patience at which it would just
    lapse; the edge is the median of that over ``probes`` histories."""
    config = _base(base, weeks, hospital_seed=hospital, **TIPPING_STRATEGY)
    lowest = []
    for s in replicate_seeds(22, probes):
        model = OrgChangeModel(config.replace(seed=s, lapse_urgency=0.0, weeks=EARLY_WEEKS))
        lowest.append(float(model.run()["urgency"].iloc[1:].min()))
        model.release()
    return config.replace(lapse_urgency=float(np.median(lowest)))


def tipping_runs(replicates: int = 40, base: Config | None = None, hospital: int = 11,
                 weeks: int = 260, trajectories: bool = False) -> pd.DataFrame:
    """One hospital (``hospital_seed``) at its edge (`edge_of_tipping`), one
    strategy, many histories: each one's last year's frontline practice,
    final quality, whether its programme lapsed, its first year's gain in
    quality, and with ``trajectories`` its weekly frontline practice (an
    array per row)."""
    config = edge_of_tipping(base, hospital, weeks=weeks)
    return pd.DataFrame([{"replicate": k, **_tipping_history(config.replace(seed=s), trajectories)}
                         for k, s in enumerate(replicate_seeds(21, replicates))])


def bimodality(values: np.ndarray) -> tuple[float, np.ndarray]:
    """Split ``values`` into the two groups that leave the least spread
    within them (two-means clustering, exact in one dimension), and return
    Ashman's D of the split, ``sqrt(2) |m1 - m2| / sqrt(s1^2 + s2^2)``
    (Ashman, Bird and Zepf 1994: above 2, a clean separation of two
    modes), with which side each value falls on. D is 0 when either side
    would hold fewer than two values."""
    order = np.sort(values)
    n = len(order)
    if n < 4:
        return 0.0, np.zeros(n, dtype=bool)
    # Within-group sums of squares of every split (k lowest | the rest), from prefix sums.
    total, squares = np.cumsum(order), np.cumsum(order ** 2)
    k = np.arange(2, n - 1)
    low_ss = squares[k - 1] - total[k - 1] ** 2 / k
    high_ss = (squares[-1] - squares[k - 1]) - (total[-1] - total[k - 1]) ** 2 / (n - k)
    cut = order[k[int(np.argmin(low_ss + high_ss))] - 1]
    high = values > cut
    if min(high.sum(), (~high).sum()) < 2:
        return 0.0, high
    spread = np.sqrt(values[high].var(ddof=1) + values[~high].var(ddof=1))
    return float(np.sqrt(2.0) * (values[high].mean() - values[~high].mean()) / max(spread, 1e-12)), high


def claims_tipping(replicates: int = 40, base: Config | None = None, hospital: int = 11) -> list[Claim]:
    """Results feed back, so otherwise identical hospitals at the edge end
    on clearly different paths, depending on early results: on the low
    path, leaders let the programme lapse."""
    df = tipping_runs(replicates, base, hospital)
    separation, high = bimodality(df["practice"].to_numpy())
    share = float(high.mean())
    early = Interval.welch(df[high]["early_quality"], df[~high]["early_quality"])
    lapsed_low = float(df[~high]["lapsed"].mean()) if (~high).any() else np.nan
    lapsed_high = float(df[high]["lapsed"].mean()) if high.any() else np.nan
    return [
        Claim("the last year's frontline practice splits into two paths (Ashman's D > 2)", separation,
              separation > 2.0),
        Claim("each path holds at least a fifth of the histories", share, 0.2 <= share <= 0.8),
        above("the path taken follows early results: first-year quality gain, high path - low path", early, 0),
        Claim(f"the low path is the programme lapsing and the high one keeping it: at least 80% of low histories "
              f"lapsed ({lapsed_low:.0%}), at most 20% of high ones ({lapsed_high:.0%})", lapsed_low - lapsed_high,
              bool(lapsed_low >= 0.8 and lapsed_high <= 0.2)),
    ]


def claims_reach(replicates: int = 8, base: Config | None = None) -> list[Claim]:
    """Structural levers cost leader-hours per unit reached: in a 2,000-person
    hospital a mandate carried by the CEO alone reaches far less of it than
    the same mandate carried by the whole senior team."""
    large = _base(base, 104, staff=2000)
    arms = {"team": preset("mandate", large), "ceo": preset("mandate", large, involved=["ceo"])}
    df = run_arms(arms, replicates, 13, lambda model, ts: {
        "practice": _last(ts, "practice_frontline") - float(ts["practice_frontline"].iloc[0]),
        "hours": float(ts["leader_hours"].iloc[1:].mean())})
    team = df[df.arm == "team"]["practice"].mean()
    return [above("team - CEO alone: frontline practice gained in two years, at 2,000 staff",
                  paired(df, "practice", "team", "ceo"), 0.5 * max(team, 0.0)),
            above("team - CEO alone: leader-hours a week", paired(df, "hours", "team", "ceo"), 0)]


def claims_compliance(replicates: int = 16, base: Config | None = None) -> list[Claim]:
    """A mandate buys compliance at a cost in cynicism and trust."""
    base = _base(base)
    df = run_arms({"mandate": preset("mandate", base), "bau": preset("business_as_usual", base)}, replicates, 14,
                  lambda model, ts: {"cynicism": _last(ts, "cynicism"), "trust": _last(ts, "trust")})
    return [above("mandate - business as usual: cynicism", paired(df, "cynicism", "mandate", "bau"), 0),
            below("mandate - business as usual: trust", paired(df, "trust", "mandate", "bau"), 0)]


TRAP = dict(involved=["ceo", "senior", "middle"], projects_per_leader=3, barrier_removal=0.2, steering=0.6,
            accountability=0.6, resources=0.05, project_start_rate=0.15)
"""Overload: many initiatives, pressure, and almost no resources to backfill the time they take."""


def trap_runs(replicates: int = 12, base: Config | None = None) -> pd.DataFrame:
    """The overloaded campaign (``trap``), and the same with the time it
    takes backfilled and fewer initiatives (``escape``)."""
    base = _base(base, 260)
    arms = {"trap": base.replace(**TRAP), "escape": base.replace(**{**TRAP, "resources": 0.8,
                                                                   "projects_per_leader": 1})}

    def measure(model, ts):
        q = ts["quality"].to_numpy()
        return {"quality_change": q[-1] - q[0], "overload_peak": float(ts["overload"].max()),
                "practice_change": _last(ts, "practice_frontline") - float(ts["practice_frontline"].iloc[0]),
                "low_point": float(q.min() - q[0])}

    return run_arms(arms, replicates, 15, measure)


def claims_capability_trap(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    df = trap_runs(replicates, base)
    trap, escape = df[df.arm == "trap"], df[df.arm == "escape"]
    return [above("trap: overload at its peak", Interval.of(trap["overload_peak"]), 0),
            below("trap: five-year change in quality", Interval.of(trap["quality_change"]), 0),
            above("escape: five-year change in quality", Interval.of(escape["quality_change"]), 0),
            above("escape - trap: five-year frontline practice", paired(df, "practice_change", "escape", "trap"), 0)]


def claims_trust(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Trust follows what steering promised: a mandate that delivers the
    resources it asks for builds it, one that does not erodes it."""
    base = _base(base)
    df = run_arms({"resourced": preset("mandate", base, resources=0.9),
                   "unresourced": preset("mandate", base, resources=0.05)}, replicates, 16,
                  lambda model, ts: {"trust": _last(ts, "trust")})
    return [above("resourced - unresourced mandate: trust", paired(df, "trust", "resourced", "unresourced"), 0)]


# --- issue 13 ----------------------------------------------------------------------------
def claims_site_f(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Daily rounding with patients, in realistic hours, and a debrief that
    removes process barriers."""
    base = _base(base, 104)
    site_f = preset("leadership_rounding", base)
    arms = {"daily": site_f, "weekly": site_f.replace(rounding_frequency=1.0),
            "no patients": site_f.replace(rounding_patients=0), "no follow-through": site_f.replace(follow_through=0.0)}

    def measure(model, ts):
        on_duty = [i for i in model.on_duty if "ceo" in model.people[i].lever_groups
                   or "senior" in model.people[i].lever_groups]
        planned = max(model.people[i].planned_hours() for i in on_duty)
        return {"barriers": _last(ts, "barriers"), "quality": _last(ts, "quality"),
                "cynicism": _last(ts, "cynicism"), "planned_per_leader": planned,
                "spent": float(ts["leader_hours"].iloc[1:].mean())}

    df = run_arms(arms, replicates, 17, measure)
    daily = df[df.arm == "daily"]
    recovery = (base or Config()).energy_recovery
    return [
        below("daily rounding: hours a week the busiest senior leader plans, less what they can sustain",
              Interval.of(daily["planned_per_leader"] - recovery), 0),
        below("daily - weekly rounding: process barriers", paired(df, "barriers", "daily", "weekly"), 0),
        above("daily - weekly rounding: quality", paired(df, "quality", "daily", "weekly"), 0),
        below("with - without patients on rounds: process barriers", paired(df, "barriers", "daily", "no patients"),
              0),
        above("no follow-through - follow-through: process barriers",
              paired(df, "barriers", "no follow-through", "daily"), 0),
        above("no follow-through - follow-through: cynicism", paired(df, "cynicism", "no follow-through", "daily"),
              0),
    ]


def _project_outcomes(model: OrgChangeModel, ts: pd.DataFrame) -> dict:
    p = model.projects
    finished = p.n_succeeded + p.n_failed
    return {"success_rate": p.n_succeeded / finished if finished else np.nan, "succeeded": p.n_succeeded,
            "weeks": float(np.mean(p.durations)) if p.durations else np.nan}


def claims_linking(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """A senior champion who links the team to other units' managers gets
    its projects done more often and sooner."""
    base = _base(base, 260)
    champions = preset("senior_team", base, projects_per_leader=2)
    df = run_arms({"linked": champions.replace(linking=1.0), "alone": champions.replace(linking=0.0)}, replicates,
                  18, _project_outcomes)
    return [above("linked - unlinked champions: project success rate",
                  paired(df, "success_rate", "linked", "alone"), 0),
            below("linked - unlinked champions: weeks a successful project takes",
                  paired(df, "weeks", "linked", "alone"), 0)]


def claims_site_d(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """The CEO's behind-the-scenes work has its cost and effect; an edgy,
    impatient culture sustains urgency and pushes slow projects; Site D with
    that culture differs from the same behaviours without it."""
    base = _base(base, 260)
    site_d = preset("ceo_champion", base)
    arms = {"site D": site_d, "patient": site_d.replace(impatience=0.0),
            "in sight": site_d.replace(behind_the_scenes=0.0)}

    def measure(model, ts):
        managers = model.organization.role <= 2
        return {"urgency": float(ts["urgency"].iloc[104:].mean()), "barriers": _last(ts, "barriers"),
                "hours": float(ts["leader_hours"].iloc[1:].mean()),
                "manager_alignment": float(model.state.alignment[managers & (model.organization.role > 0)].mean()),
                "commitment": _last(ts, "commitment_frontline"), **_project_outcomes(model, ts)}

    df = run_arms(arms, replicates, 19, measure)
    return [
        above("behind the scenes - not: leader-hours a week", paired(df, "hours", "site D", "in sight"), 0),
        below("behind the scenes - not: process barriers", paired(df, "barriers", "site D", "in sight"), 0),
        above("behind the scenes - not: managers' alignment",
              paired(df, "manager_alignment", "site D", "in sight"), 0),
        above("impatient - patient culture: urgency in years three to five",
              paired(df, "urgency", "site D", "patient"), 0),
    ]


def claims_physicians(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Physicians listen to physicians and respond to the physician QI
    leader: engaging the medical staff moves physicians more than nurses."""
    base = _base(base, 156, involved=["ceo", "senior"], passion_display=0.5)
    df = run_arms({"engaged": base.replace(physician_engagement=1.0), "not": base}, replicates, 20,
                  lambda model, ts: {"physicians": _last(ts, "commitment_physician"),
                                     "nurses": _last(ts, "commitment_nurse")})
    wide = df.pivot(index="replicate", columns="arm")
    lift_doctors = wide["physicians"]["engaged"] - wide["physicians"]["not"]
    lift_nurses = wide["nurses"]["engaged"] - wide["nurses"]["not"]
    return [above("physician engagement: physicians' commitment gained", Interval.of(lift_doctors), 0),
            above("physician engagement: physicians' gain - nurses' gain", Interval.of(lift_doctors - lift_nurses), 0)]


def claims_incentives(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Pay tied to results raises the middle's relay and alignment, and
    breeds gaming where the incentive outruns managers' commitment."""
    base = _base(base, 156)
    strategy = preset("senior_team", base)
    df = run_arms({"tied": strategy.replace(incentives=0.8), "not": strategy}, replicates, 22,
                  lambda model, ts: {"alignment": _last(ts, "alignment_frontline"), "gaming": _last(ts, "gaming"),
                                     "reported_gap": _last(ts, "quality_reported") - _last(ts, "quality")})
    tied = df[df.arm == "tied"]
    return [above("incentives - none: frontline alignment", paired(df, "alignment", "tied", "not"), 0),
            above("incentives: gaming", Interval.of(tied["gaming"]), 0),
            above("incentives: reported quality above real quality", Interval.of(tied["reported_gap"]), 0)]


def claims_integration(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Cooperation on a project comes from the ties that exist: more
    cross-unit ties, more help, and redesigns that spread."""
    base = _base(base, 260)
    strategy = preset("senior_team", base, projects_per_leader=2)
    df = run_arms({"tied": strategy.replace(cross_unit_ties=4.0), "apart": strategy.replace(cross_unit_ties=0.0)},
                  replicates, 23, lambda model, ts: {**_project_outcomes(model, ts),
                                                     "capability": _last(ts, "capability")})
    return [above("many - no cross-unit ties: project success rate",
                  paired(df, "success_rate", "tied", "apart"), 0),
            above("many - no cross-unit ties: capability", paired(df, "capability", "tied", "apart"), 0)]


def claims_turnover(replicates: int = 12, base: Config | None = None) -> list[Claim]:
    """Cynicism and overload raise the chance of leaving."""
    base = _base(base, 104, ceo_turnover=0.0, senior_turnover=0.0)
    rows = []
    for k, s in enumerate(replicate_seeds(24, replicates)):
        counts = {}
        for arm, changes in (("cynical", {"follow_through": 0.0}), ("calm", {"follow_through": 1.0})):
            model = OrgChangeModel(base.replace(seed=s, rounders=["ceo", "senior", "middle"], rounding_frequency=2.0,
                                                **changes))
            model.run()
            front = model.organization.role == FRONTLINE
            counts[arm] = float((model.state.tenure[front] < 104).mean())
            model.release()
        rows.append({"replicate": k, **counts})
    df = pd.DataFrame(rows)
    return [above("broken promises - kept: share of the front line hired in two years",
                  Interval.of(df["cynical"] - df["calm"]), 0)]


__all__ = ["claims_quality", "claims_tipping", "claims_reach", "claims_compliance", "claims_capability_trap",
           "claims_trust", "claims_site_f", "claims_linking", "claims_site_d", "claims_physicians",
           "claims_incentives", "claims_integration", "claims_turnover"]

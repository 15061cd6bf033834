"""Every parameter of orgchange: its default, unit, allowed range and meaning.

This table is the single source of truth for configuration. `Config`
validates against it, `docs/ODD.md` documents it, and the command line
builds its help from it. Parameters are grouped into four sections, which
are also the tables of a TOML configuration file:

``run``
    Horizon, seed, engine and output options.
``organization``
    The size and wiring of the hospital, or the path of an org chart.
``behaviour``
    How staff and leaders respond: rates per week, weights and thresholds.
``levers``
    The leadership strategy: what leaders do, how intensely, and who does it
    (DESIGN section 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SECTIONS = ("run", "organization", "behaviour", "levers")
ROLES = ("ceo", "senior", "middle", "frontline")
LEADER_GROUPS = ("ceo", "senior", "physician", "middle")
SCHEDULE_DEPARTURES = ("ceo", "physician")
"""Leaders a schedule can make depart: ``{week = 104, depart = "ceo"}``."""


@dataclass(frozen=True)
class Parameter:
    """The specification of one configuration parameter.

    Attributes
    ----------
    name, section
        The key, and the TOML table it lives in.
    kind
        ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ``"choice"`` (one of
        ``choices``), ``"weeks"`` (a list of week numbers), ``"groups"``
        (a list drawn from ``choices``) or ``"schedule"`` (a list of timed
        events, see `SCHEDULE_DEPARTURES`).
    default, unit, doc
        The documented default, its unit and a one-line meaning.
    low, high
        Inclusive bounds for numbers (``None`` means unbounded).
    """

    name: str
    section: str
    kind: str
    default: Any
    unit: str
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


def _p(section: str, name: str, kind: str, default: Any, unit: str, doc: str,
       low: float | None = None, high: float | None = None,
       choices: tuple[str, ...] = ()) -> Parameter:
    return Parameter(name, section, kind, default, unit, doc, low, high, choices)


_TABLE = [
    # --- run ---------------------------------------------------------------
    _p("run", "weeks", "int", 260, "weeks", "Simulated horizon; one step is one week.", 1, 5200),
    _p("run", "seed", "int", 0, "-", "Root seed of the model's random generator.", 0, 2**63 - 1),
    _p("run", "engine", "choice", "vectorized", "-",
       "'vectorized' applies the rules to whole arrays; 'agent' runs each agent's step(); 'compiled' gives "
       "the vectorized numbers from one loop compiled by Numba (orgchange[fast]), for long sweeps.",
       choices=("vectorized", "agent", "compiled")),
    _p("run", "snapshot_every", "int", 0, "weeks",
       "Record agent-level state every N weeks (0 = never).", 0, 5200),
    # --- organization ------------------------------------------------------
    _p("organization", "org_chart", "str", "", "path",
       "CSV (id,role,manager,unit) or GraphML org chart; empty = generate one."),
    _p("organization", "staff", "int", 500, "people", "Total head count of a generated hospital.", 10, 10_000_000),
    _p("organization", "senior_team", "int", 6, "people", "Senior leaders reporting to the CEO.", 1, 100),
    _p("organization", "unit_size", "int", 14, "people",
       "Mean frontline staff per unit; each unit has one middle manager.", 2, 1000),
    _p("organization", "peer_density", "float", 0.25, "probability",
       "Chance that two members of the same unit share a peer tie.", 0.0, 1.0),
    _p("organization", "cross_unit_ties", "float", 1.0, "ties per person",
       "Mean informal ties to people in other units (the integration lever).", 0.0, 50.0),
    _p("organization", "committee_size", "int", 8, "people",
       "Members of the quality integrating committee when it meets.", 0, 100),
    # --- behaviour ---------------------------------------------------------
    _p("behaviour", "frontline_commitment", "float", 0.38, "0-1",
       "Mean predisposition to quality of frontline staff.", 0.0, 1.0),
    _p("behaviour", "middle_commitment", "float", 0.42, "0-1",
       "Mean predisposition to quality of middle managers (P5; a low value is a frozen middle).", 0.0, 1.0),
    _p("behaviour", "predisposition_spread", "float", 0.15, "0-1 (sd)",
       "Standard deviation of individual predispositions.", 0.0, 0.4),
    _p("behaviour", "susceptibility", "float", 0.6, "0-1",
       "Mean weight a person gives to social influence over their predisposition.", 0.0, 1.0),
    _p("behaviour", "influence_rate", "float", 0.03, "per week",
       "Share of the gap to the influence target closed each week.", 0.0, 1.0),
    _p("behaviour", "leader_weight", "float", 4.0, "peer equivalents",
       "Weight of a fully visible leader relative to one peer.", 0.0, 100.0),
    _p("behaviour", "manager_weight", "float", 3.0, "peer equivalents",
       "Weight a person gives their own manager relative to one peer.", 0.0, 100.0),
    _p("behaviour", "practice_learning", "float", 0.1, "0-1",
       "Pull of one's own QI practice on commitment: doing improvement work builds belief in it.", 0.0, 1.0),
    _p("behaviour", "rounding_weight", "float", 6.0, "peer equivalents",
       "Weight of a rounding conversation in that week's influence.", 0.0, 100.0),
    _p("behaviour", "ceo_passion", "float", 0.75, "0-1", "The CEO's passion for quality (a trait).", 0.0, 1.0),
    _p("behaviour", "senior_passion", "float", 0.6, "0-1", "Mean passion of senior leaders.", 0.0, 1.0),
    _p("behaviour", "base_trust", "float", 0.5, "0-1", "Initial trust in leadership.", 0.0, 1.0),
    _p("behaviour", "feedback_boost", "float", 0.05, "0-1 per issue",
       "Share of the gap to full commitment closed when an issue raised on a round is resolved.", 0.0, 1.0),
    _p("behaviour", "trust_rate", "float", 0.15, "0-1 per event",
       "Share of the gap to full (or no) trust closed by a kept (or broken) promise.", 0.0, 1.0),
    _p("behaviour", "alignment_rate", "float", 0.1, "per week",
       "Share of the gap to the received direction closed each week.", 0.0, 1.0),
    _p("behaviour", "development_rate", "float", 0.02, "per week",
       "Share of a middle manager's gap to full predisposition closed weekly at full development.", 0.0, 1.0),
    _p("behaviour", "relay_gain_low", "float", 0.2, "0-1",
       "Relay gain of a manager with zero commitment (a frozen middle filters).", 0.0, 1.0),
    _p("behaviour", "relay_gain_high", "float", 1.0, "0-1",
       "Relay gain of a fully committed manager.", 0.0, 1.0),
    _p("behaviour", "urgency_decay", "float", 0.02, "per week", "Weekly decay of organizational urgency.", 0.0, 1.0),
    _p("behaviour", "baseline_urgency", "float", 0.2, "0-1", "Initial urgency (impetus to transform).", 0.0, 1.0),
    _p("behaviour", "practice_threshold", "float", 0.4, "drive units",
       "Mean threshold the practice drive must reach.", 0.0, 5.0),
    _p("behaviour", "threshold_spread", "float", 0.12, "drive units (sd)",
       "Standard deviation of practice thresholds.", 0.0, 2.0),
    _p("behaviour", "weight_commitment", "float", 0.6, "-", "Weight of commitment in the practice drive.", 0.0, 5.0),
    _p("behaviour", "weight_alignment", "float", 0.2, "-", "Weight of alignment in the practice drive.", 0.0, 5.0),
    _p("behaviour", "weight_accountability", "float", 0.25, "-",
       "Weight of accountability pressure in the practice drive.", 0.0, 5.0),
    _p("behaviour", "weight_peers", "float", 0.15, "-", "Weight of peers' practice in the practice drive.", 0.0, 5.0),
    _p("behaviour", "peer_mode", "choice", "fraction", "-",
       "Peer practice counted as a 'fraction' of ties (Watts) or a 'count' (absolute threshold).",
       choices=("fraction", "count")),
    _p("behaviour", "practice_uptake", "float", 0.1, "per week",
       "Weekly chance that a person acts on a changed practice drive (1 = at once).", 0.0, 1.0),
    _p("behaviour", "habit", "float", 0.05, "drive units", "Drive bonus for having practised last week.", 0.0, 5.0),
    _p("behaviour", "cynicism_weight", "float", 0.3, "0-1", "How far cynicism pulls the commitment target down.", 0.0, 1.0),
    _p("behaviour", "cynicism_decay", "float", 0.02, "per week", "Weekly decay of cynicism.", 0.0, 1.0),
    _p("behaviour", "broken_promise_cynicism", "float", 0.1, "0-1 per event",
       "Cynicism added when a raised issue is not resolved.", 0.0, 1.0),
    _p("behaviour", "overload_cynicism", "float", 0.01, "0-1 per week per project",
       "Cynicism added weekly for each active project beyond a unit's capacity.", 0.0, 1.0),
    _p("behaviour", "unit_capacity", "int", 2, "projects", "Concurrent projects a unit can absorb.", 0, 100),
    _p("behaviour", "turnover_rate", "float", 0.18, "per year", "Annual staff turnover (US hospitals: 0.16-0.21).", 0.0, 0.95),
    _p("behaviour", "socialization", "float", 0.6, "0-1",
       "Weight of the unit's prevailing commitment in a new hire's starting commitment.", 0.0, 1.0),
    _p("behaviour", "ceo_turnover", "float", 0.15, "per year", "Annual chance that the CEO leaves (0.13-0.20).", 0.0, 0.95),
    _p("behaviour", "senior_turnover", "float", 0.10, "per year", "Annual chance that a senior leader leaves.", 0.0, 0.95),
    _p("behaviour", "leader_capacity", "float", 20.0, "hours",
       "A leader's store of personal capital (energy) when fully rested.", 0.0, 1000.0),
    _p("behaviour", "energy_recovery", "float", 4.0, "hours per week", "Energy a leader regains each week.", 0.0, 100.0),
    _p("behaviour", "project_start_rate", "float", 0.03, "per unit per week",
       "Weekly chance a fully resourced, fully committed unit starts a project, at urgency 0.5.", 0.0, 1.0),
    _p("behaviour", "project_length", "float", 26.0, "weeks", "Weeks of work a project needs at full support.", 1.0, 520.0),
    _p("behaviour", "project_hazard", "float", 0.06, "per week",
       "Weekly chance an unsupported project collapses.", 0.0, 1.0),
    _p("behaviour", "redesign_share", "float", 0.3, "0-1",
       "Share of new projects that are system redesigns rather than quick fixes.", 0.0, 1.0),
    _p("behaviour", "success_boost", "float", 0.08, "0-1",
       "Share of the gap to full commitment a team closes when its project succeeds.", 0.0, 1.0),
    _p("behaviour", "observer_boost", "float", 0.02, "0-1",
       "Share of the gap to full commitment closed by the team's contacts outside the unit.", 0.0, 1.0),
    _p("behaviour", "failure_cynicism", "float", 0.08, "0-1", "Cynicism added to a team whose project fails.", 0.0, 1.0),
    _p("behaviour", "quality_gain", "float", 0.1, "0-1", "Unit quality gained by a successful project.", 0.0, 1.0),
    _p("behaviour", "quick_fix_decay", "float", 0.04, "per week", "Weekly decay of a quick fix's quality gain.", 0.0, 1.0),
    _p("behaviour", "redesign_decay", "float", 0.002, "per week", "Weekly decay of a redesign's quality gain.", 0.0, 1.0),
    _p("behaviour", "quality_rate", "float", 0.05, "per week",
       "Share of the gap to practice-driven quality closed each week.", 0.0, 1.0),
    _p("behaviour", "culture_memory", "float", 26.0, "weeks",
       "Time constant of the culture index (an exponential moving average).", 1.0, 1000.0),
    # --- levers ------------------------------------------------------------
    _p("levers", "involved", "groups", ["ceo", "senior"], "-",
       "Leaders who carry out the strategy: any of ceo, senior, physician, middle.",
       choices=LEADER_GROUPS),
    _p("levers", "steering", "float", 0.1, "0-1",
       "Intensity of direction and expectations sent down the reporting lines.", 0.0, 1.0),
    _p("levers", "accountability", "float", 0.05, "0-1", "Pressure on units to report and act on quality.", 0.0, 1.0),
    _p("levers", "resources", "float", 0.2, "0-1", "QI resources given to units (share of need).", 0.0, 1.0),
    _p("levers", "passion_display", "float", 0.1, "0-1",
       "How visibly involved leaders show their passion beyond their direct reports.", 0.0, 1.0),
    _p("levers", "rounders", "groups", [], "-", "Leaders who round: any of ceo, senior, physician, middle.",
       choices=LEADER_GROUPS),
    _p("levers", "rounding_frequency", "float", 0.0, "rounds per week", "Rounds each rounding leader makes.", 0.0, 7.0),
    _p("levers", "rounding_contacts", "int", 5, "people per round", "Staff spoken with on one round.", 0, 100),
    _p("levers", "follow_through", "float", 0.5, "0-1", "Share of issues raised on rounds that get resolved.", 0.0, 1.0),
    _p("levers", "projects_per_leader", "int", 0, "projects", "Projects each involved leader sponsors at once.", 0, 20),
    _p("levers", "barrier_removal", "float", 0.5, "0-1",
       "How much a sponsor clears a project's barriers.", 0.0, 1.0),
    _p("levers", "committee", "bool", False, "-", "Whether the quality integrating committee meets.", None, None),
    _p("levers", "middle_development", "float", 0.0, "0-1",
       "Intensity of middle-manager development (raises their commitment and relay).", 0.0, 1.0),
    _p("levers", "impetus_shocks", "weeks", [], "weeks",
       "Weeks at which an external shock (sentinel event, grant, award) raises urgency."),
    _p("levers", "shock_size", "float", 0.5, "0-1", "Urgency added by one shock.", 0.0, 1.0),
    _p("levers", "succession", "float", 0.5, "0-1",
       "Succession planning: how much of a departing leader's passion their successor carries on.",
       0.0, 1.0),
    _p("levers", "successor_passion", "float", 0.4, "0-1",
       "Passion a successor brings of their own, before succession planning.", 0.0, 1.0),
    _p("levers", "schedule", "schedule", [], "-",
       "Timed changes: {week, lever, value} sets a lever from that week; {week, depart} makes "
       "'ceo' or 'physician' leave that week."),
]

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _TABLE}
LEVER_NAMES = [name for name, p in PARAMETERS.items() if p.section == "levers"]
"""The strategy's levers: the parameters a strategy file may set."""

# Each action a leader can take costs personal capital, in hours.
ACTION_HOURS = {
    "steer": 2.0,  # per week at full steering intensity
    "round_contact": 0.25,  # per person spoken with
    "sponsor": 1.5,  # per sponsored project per week, at full barrier removal
    "committee": 1.5,  # per committee meeting week
}


def defaults() -> dict[str, Any]:
    """Return a fresh dictionary of every parameter's default value."""
    return {name: (list(p.default) if isinstance(p.default, list) else p.default)
            for name, p in PARAMETERS.items()}

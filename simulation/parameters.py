"""Every parameter of orgchange: its default, unit, allowed range and meaning.

The parameters are the fields of four frozen dataclasses, one per table of
a TOML configuration file:

`RunSettings` (``[run]``)
    Horizon, seed, engine and output options.
`OrganizationSettings` (``[organization]``)
    The size and wiring of the hospital, or the path of an org chart.
`Behaviour` (``[behaviour]``)
    How staff and leaders respond: rates per week, weights, thresholds, and
    what each leader action costs in hours.
`Levers` (``[levers]``)
    The leadership strategy: what leaders do, how intensely, and who does it
    (DESIGN section 4).

Each field is declared with `parameter`, which records its unit, range,
meaning and source next to its default. This is the single source of
truth: `PARAMETERS` (the table that `Config` validates against, the command
line builds its help from and `docs/ODD.md` documents) is read off these
fields, and the model's code reads typed values (``behaviour.influence_rate``
is a ``float``). Build tables through `simulation.Config`, which validates
every value; `check_value` is the one validator.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any

import numpy as np

from simulation.errors import ConfigError, did_you_mean

SECTIONS = ("run", "organization", "behaviour", "levers")
ROLES = ("ceo", "senior", "middle", "frontline")
GROUPS = ("other", "nurse", "physician")
"""Professional groups of frontline staff (other staff, nurses, physicians)."""
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
        ``choices``), ``"weeks"`` (week numbers), ``"groups"`` (drawn from
        ``choices``) or ``"schedule"`` (timed events, see `LeverChange` and
        `Departure`).
    default, unit, doc
        The documented default, its unit and a one-line meaning.
    low, high
        Inclusive bounds for numbers (``None`` means unbounded).
    source
        Where the default comes from: a reference, the pattern it was
        calibrated to (P1-P8), or "assumption".
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
    source: str = ""


def parameter(default: Any, unit: str, doc: str, low: float | None = None, high: float | None = None, *,
              choices: tuple[str, ...] = (), kind: str = "", source: str = "") -> Any:
    """A table field: its default, and its specification as field metadata.

    ``kind`` is read off the default where it can be (``bool``, ``int``,
    ``float``, ``str``; a ``str`` with ``choices`` is a choice, a tuple with
    ``choices`` a list of groups); week lists and schedules name theirs.
    """
    if not kind:
        if isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        elif isinstance(default, float):
            kind = "float"
        elif isinstance(default, str):
            kind = "choice" if choices else "str"
        elif isinstance(default, tuple) and choices:
            kind = "groups"
        else:
            raise TypeError(f"parameter: say which kind a default of {default!r} is")
    spec = {"unit": unit, "doc": doc, "low": low, "high": high, "choices": choices, "kind": kind,
            "source": source}
    return field(default=default, metadata=spec)


# --- schedules ---------------------------------------------------------------------
@dataclass(frozen=True)
class LeverChange:
    """A scheduled lever change: ``lever`` takes ``value`` from ``week`` on."""

    week: int
    lever: str
    value: Any

    def as_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"week": self.week, "lever": self.lever, "value": value}


@dataclass(frozen=True)
class Departure:
    """A scheduled departure: ``depart`` (``"ceo"`` or ``"physician"``)
    leaves at ``week``'s turnover and is replaced by a successor, whose own
    strategy (``levers``, as (name, value) pairs) takes effect the week after,
    once they are in post."""

    week: int
    depart: str
    levers: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"week": self.week, "depart": self.depart}
        if self.levers:
            out["levers"] = {name: list(v) if isinstance(v, tuple) else v for name, v in self.levers}
        return out


Event = LeverChange | Departure


# --- the four tables -----------------------------------------------------------------
@dataclass(frozen=True)
class RunSettings:
    """``[run]``: horizon, seed, engine and output options."""

    weeks: int = parameter(260, "weeks", "Simulated horizon; one step is one week.", 1, 5200, source="run setting")
    seed: int = parameter(0, "-", "Root seed of the model's random generator.", 0, 2**63 - 1, source="run setting")
    hospital_seed: int = parameter(
        -1, "-", "Seed of the hospital itself (its structure, people and context); -1 = drawn from seed. Runs "
        "with one hospital seed and different seeds are the same hospital meeting different events.",
        -1, 2**63 - 1, source="run setting")
    engine: str = parameter(
        "vectorized", "-",
        "'vectorized' applies the rules to whole arrays; 'agent' runs each agent's step(); 'compiled' gives "
        "the vectorized numbers from one loop compiled by Numba (orgchange[fast]), for long sweeps.",
        choices=("vectorized", "agent", "compiled"), source="run setting")
    snapshot_every: int = parameter(0, "weeks", "Record agent-level state every N weeks (0 = never).", 0, 5200,
        source="run setting")


@dataclass(frozen=True)
class OrganizationSettings:
    """``[organization]``: the size and wiring of the hospital, or its chart."""

    org_chart: str = parameter("", "path", "CSV (id,role,manager,unit) or GraphML org chart; empty = generate one.",
        source="input data (the user's chart); empty = generated")
    staff: int = parameter(500, "people", "Total head count of a generated hospital.", 10, 10_000_000,
        source="assumption (claims are scale-free, ODD 1.2)")
    senior_team: int = parameter(
        0, "people", "Senior leaders reporting to the CEO; 0 sizes the team to the hospital: one per 80 staff, "
        "at least 2 and at most 6.", 0, 100,
        source="assumption (a small hospital's executive team is a CEO with two or three chiefs)")
    unit_size: int = parameter(14, "people", "Mean frontline staff per unit; each unit has one middle manager.",
                               2, 1000, source="assumption (a care team; cf. Boned-Galan et al. 2023)")
    peer_density: float = parameter(0.25, "probability", "Chance that two members of the same unit share a peer tie.",
                                    0.0, 1.0, source="assumption (cf. Creswick et al. 2009)")
    cross_unit_ties: float = parameter(1.0, "ties per person",
                                       "Mean informal ties to people in other units (the integration lever).",
                                       0.0, 50.0, source="assumption")
    manager_peers: float = parameter(8.0, "ties per manager",
                                     "Expected peer ties of a middle manager with the other managers of their "
                                     "division (all of them in a division this small or smaller).", 0.0, 1000.0,
                                     source="assumption")
    committee_size: int = parameter(8, "people", "Members of the quality integrating committee when it meets.", 0, 100,
        source="assumption")
    nurse_share: float = parameter(
        0.35, "0-1", "Share of a generated hospital's frontline staff who are nurses (registered nurses are 30% of "
        "all US hospital employment: BLS 2020).", 0.0, 1.0, source="BLS 2020")
    physician_share: float = parameter(
        0.08, "0-1", "Share of a generated hospital's frontline staff who are physicians (employed or on the "
        "medical staff).", 0.0, 1.0, source="assumption")
    physician_ties: float = parameter(
        2.0, "ties per physician", "Mean ties of a physician to physicians of other units: the medical staff "
        "crosses units.", 0.0, 50.0, source="assumption")


@dataclass(frozen=True)
class Behaviour:
    """``[behaviour]``: how staff and leaders respond, and what actions cost."""

    frontline_commitment: float = parameter(0.38, "0-1", "Mean predisposition to quality of frontline staff.",
                                            0.0, 1.0, source="calibrated: P5 (Singer et al. 2008)")
    nurse_offset: float = parameter(
        0.02, "0-1", "How far nurses' mean predisposition lies above other frontline staff's (nurses give the "
        "fewest problematic safety-climate responses of frontline groups: Singer et al. 2015, PSCHO).",
        -1.0, 1.0, source="assumption (cf. Singer et al. 2008)")
    physician_offset: float = parameter(
        0.01, "0-1", "How far physicians' mean predisposition lies above other frontline staff's.", -1.0, 1.0,
        source="assumption (cf. Singer et al. 2008)")
    physician_peer_weight: float = parameter(
        2.0, "peer equivalents", "Weight a physician gives another physician's view, against one tie's 1: "
        "physicians listen most to physicians.", 0.0, 100.0, source="assumption (homophily: Creswick et al. 2009)")
    physician_leader_weight: float = parameter(
        1.0, "visible-leader equivalents", "How much physicians see the physician QI leader, their professional "
        "leader, when that leader makes themselves visible, against a leader above them (1).", 0.0, 100.0,
        source="assumption")
    middle_commitment: float = parameter(
        0.42, "0-1", "Mean predisposition to quality of middle managers (P5; a low value is a frozen middle).",
        0.0, 1.0, source="calibrated: P3, P5 (Singer et al. 2008)")
    predisposition_spread: float = parameter(0.15, "0-1 (sd)", "Standard deviation of individual predispositions.",
                                             0.0, 0.4, source="calibrated: P5")
    susceptibility: float = parameter(
        0.6, "0-1", "Mean weight a person gives to social influence over their predisposition.", 0.0, 1.0,
        source="Friedkin and Johnsen 1990 (form); calibrated: P6")
    susceptibility_spread: float = parameter(
        0.8, "-", "Spread of susceptibility around its mean, as a multiple of s(1-s) (0 = everyone alike).",
        0.0, 4.0, source="assumption")
    influence_rate: float = parameter(0.01, "per week", "Share of the gap to the influence target closed each week.",
                                      0.0, 1.0, source="calibrated: P6")
    leader_weight: float = parameter(4.0, "peer equivalents", "Weight of a fully visible leader relative to one peer.",
                                     0.0, 100.0, source="calibrated: P1, P2")
    manager_weight: float = parameter(3.0, "peer equivalents",
                                      "Weight a person gives their own manager relative to one peer.", 0.0, 100.0,
                                          source="calibrated: P3")
    practice_learning: float = parameter(
        0.05, "0-1", "Pull of one's own QI practice on commitment: doing improvement work builds belief in it.",
        0.0, 1.0, source="calibrated: P1 (practice reverts)")
    rounding_weight: float = parameter(6.0, "peer equivalents",
                                       "Weight of a rounding conversation in that week's influence.", 0.0, 100.0,
                                           source="calibrated: P4 (Thomas et al. 2005)")
    ceo_passion: float = parameter(0.75, "0-1", "The CEO's passion for quality (a trait).", 0.0, 1.0,
        source="assumption (above staff, as P5: Singer et al. 2008)")
    senior_passion: float = parameter(0.6, "0-1", "Mean passion of senior leaders.", 0.0, 1.0,
        source="assumption (above staff, as P5: Singer et al. 2008)")
    base_trust: float = parameter(0.5, "0-1", "Initial trust in leadership.", 0.0, 1.0, source="Greene et al. 2025")
    feedback_boost: float = parameter(
        0.05, "0-1 per issue",
        "Share of the gap to full commitment closed when an issue raised on a round is resolved.", 0.0, 1.0,
            source="calibrated: P4 (Thomas et al. 2005)")
    trust_rate: float = parameter(
        0.15, "0-1 per event", "Share of the gap to full trust closed by a kept promise.", 0.0, 1.0,
        source="assumption")
    trust_asymmetry: float = parameter(
        3.0, "-", "A broken promise removes this many times the share of trust a kept one adds "
        "(the asymmetry principle: Slovic 1993).", 1.0, 10.0, source="Slovic 1993; calibrated: compliance")
    departure_trust_loss: float = parameter(
        0.1, "0-1", "Share of trust in leadership lost by the staff of a leader who leaves.", 0.0, 1.0,
        source="assumption")
    alignment_rate: float = parameter(0.1, "per week", "Share of the gap to the received direction closed each week.",
                                      0.0, 1.0, source="calibrated: P6")
    development_rate: float = parameter(
        0.02, "per week",
        "Share of a middle manager's gap to full predisposition closed weekly at full development.", 0.0, 1.0,
            source="calibrated: P3")
    relay_gain_low: float = parameter(
        0.2, "0-1", "Relay gain of a manager with zero commitment (a frozen middle filters).", 0.0, 1.0,
        source="assumption (frozen middle: Birken et al. 2012)")
    relay_gain_high: float = parameter(1.0, "0-1", "Relay gain of a fully committed manager.", 0.0, 1.0,
        source="assumption (a committed manager relays in full)")
    urgency_decay: float = parameter(0.02, "per week", "Weekly decay of organizational urgency.", 0.0, 1.0,
        source="assumption (cf. Kotter 1995)")
    results_urgency: float = parameter(
        0.2, "urgency per unit of result", "Urgency gained (lost) per unit of the hospital's visible rise (fall) "
        "in quality: results keep leaders' urgency up (Repenning 2002).", 0.0, 50.0,
        source="calibrated: business as usual stays flat")
    results_boost: float = parameter(
        0.05, "0-1 per unit of result", "Share of the gap to full (no) commitment closed weekly per unit of the own "
        "unit's visible rise (fall) in quality.", 0.0, 50.0, source="calibrated: business as usual stays flat")
    lapse_urgency: float = parameter(
        0.03, "0-1", "Urgency below which leaders let the programme lapse, back to the resting levers, until a new "
        "impetus or plan relaunches it (Repenning 2002; Keating et al. 1999).", 0.0, 1.0,
        source="calibrated: a strategy without results lapses after two years; the pattern matrix (P3)")
    results_memory: float = parameter(
        26.0, "weeks", "Time constant of the quality people compare today's with to see results.", 1.0, 520.0,
        source="assumption")
    baseline_urgency: float = parameter(0.2, "0-1", "Initial urgency (impetus to transform).", 0.0, 1.0,
        source="assumption (urgency usually too low: Kotter 1995)")
    practice_threshold: float = parameter(0.4, "drive units", "Mean threshold the practice drive must reach.",
                                          0.0, 5.0, source="Granovetter 1978 (form); calibrated: P1")
    threshold_spread: float = parameter(0.12, "drive units (sd)", "Standard deviation of practice thresholds.",
                                        0.0, 2.0, source="assumption (cf. Granovetter 1978, sd 0.12)")
    weight_commitment: float = parameter(0.6, "-", "Weight of commitment in the practice drive.", 0.0, 5.0,
        source="assumption")
    weight_alignment: float = parameter(0.15, "-", "Weight of alignment in the practice drive.", 0.0, 5.0,
        source="calibrated: P1 (Ivers et al. 2012)")
    weight_accountability: float = parameter(0.05, "-", "Weight of accountability pressure in the practice drive.",
                                             0.0, 5.0, source="calibrated: P1 (Ivers et al. 2012)")
    weight_peers: float = parameter(0.15, "-", "Weight of peers' practice in the practice drive.", 0.0, 5.0,
        source="assumption")
    peer_mode: str = parameter(
        "fraction", "-", "Peer practice counted as a 'fraction' of ties (Watts) or a 'count' (absolute threshold).",
        choices=("fraction", "count"), source="model form: Watts 2002; Granovetter 1978")
    practice_uptake: float = parameter(
        0.1, "per week", "Weekly chance that a person acts on a changed practice drive (1 = at once).", 0.0, 1.0,
        source="calibrated: P1, P6")
    habit: float = parameter(0.02, "drive units", "Drive bonus for having practised last week.", 0.0, 5.0,
        source="calibrated: P1 (practice reverts)")
    weight_workload: float = parameter(
        2.0, "drive units per unit of overload",
        "Practice drive lost when a unit's care work exceeds its staff's time: people cut improvement work to "
        "get today's work done (Repenning and Sterman 2002).", 0.0, 10.0, source="calibrated: capability trap")
    internalization_half: float = parameter(
        0.15, "share of influence",
        "Share of a person's influence coming from leaders they see and meet at which half of the practice "
        "that pressure drives is taken on as one's own (self-determination theory: Gagne and Deci 2005).",
        0.001, 1.0, source="calibrated: P1 synergy")
    pressure_meaning: float = parameter(
        0.2, "0-1 per unit of pressure", "How far accountability moves the commitment target: up for people who make "
        "it their own, down for people who do not (Gagne and Deci 2005).", 0.0, 1.0,
        source="calibrated: P1 synergy")
    compliance_cynicism: float = parameter(
        0.02, "0-1 per week", "Cynicism added each week to a person who practises only because they are held to "
        "account, as far as they have not made it their own.", 0.0, 1.0, source="calibrated: compliance")
    cynicism_weight: float = parameter(0.3, "0-1", "How far cynicism pulls the commitment target down.", 0.0, 1.0,
        source="assumption (direction: Reichers et al. 1997)")
    cynicism_decay: float = parameter(0.02, "per week", "Weekly decay of cynicism.", 0.0, 1.0, source="assumption")
    broken_promise_cynicism: float = parameter(0.1, "0-1 per event",
                                               "Cynicism added when a raised issue is not resolved.", 0.0, 1.0,
                                                   source="calibrated: P4 (Reichers et al. 1997)")
    overload_cynicism: float = parameter(0.01, "0-1 per week per project",
                                         "Cynicism added weekly for each active project beyond a unit's capacity.",
                                         0.0, 1.0, source="assumption")
    unit_capacity: int = parameter(2, "projects", "Concurrent projects a unit can absorb.", 0, 100, source="assumption")
    turnover_rate: float = parameter(0.18, "per year", "Annual staff turnover (US hospitals: 0.16-0.21).", 0.0, 0.95,
        source="NSI 2024, 2025 (US hospitals 18-21%/yr)")
    socialization: float = parameter(
        0.6, "0-1", "Weight of the unit's prevailing commitment in a new hire's starting commitment.", 0.0, 1.0,
        source="assumption (direction: Bauer et al. 2007)")
    hire_culture: float = parameter(
        0.3, "0-1", "Weight of the unit's prevailing commitment in a new hire's own predisposition: who is "
        "attracted, selected and stays (Schneider 1987).", 0.0, 1.0, source="Schneider 1987; calibrated: P6")
    predisposition_drift: float = parameter(
        0.002, "per week", "Share of the gap between a person's private predisposition and their commitment that "
        "closes weekly: commitment held for years becomes one's own.", 0.0, 1.0, source="calibrated: P6")
    climate_turnover: float = parameter(
        1.0, "-", "Rise in the hazard of leaving per unit of cynicism or of overload (1 = twice the hazard at full "
        "cynicism; Aiken et al. 2002 found 43% of burned-out nurses intending to leave, against 11%).",
        0.0, 10.0, source="Aiken et al. 2002")
    ceo_turnover: float = parameter(0.15, "per year", "Annual chance that the CEO leaves (0.13-0.20).", 0.0, 0.95,
        source="ACHE 2021 (US hospital CEOs 13-20%/yr)")
    senior_turnover: float = parameter(0.10, "per year", "Annual chance that a senior leader leaves.", 0.0, 0.95,
        source="Jones et al. 2008 (CNOs: about 6-17%/yr)")
    initial_tenure: float = parameter(
        520.0, "weeks", "Founding staff's tenure is drawn uniformly from whole weeks below this.", 1.0, 5200.0,
        source="assumption")
    leader_capacity: float = parameter(20.0, "hours",
                                       "A leader's store of personal capital (energy) when fully rested.",
                                       0.0, 1000.0, source="assumption")
    energy_recovery: float = parameter(
        10.0, "hours per week", "Energy a leader regains each week: the hours a week they can give the strategy "
        "for good (about a fifth of a 50-hour week; Vaughn et al. 2006).", 0.0, 100.0,
        source="calibrated: P2")
    steer_hours: float = parameter(3.0, "hours per week",
                                   "A leader's time for unit reviews at full steering or accountability.", 0.01, 100.0,
                                   source="assumption")
    review_hours: float = parameter(
        1.0, "hours per unit", "One review of a unit: expectations set face to face, and its quality figures "
        "gone through with its manager.", 0.01, 100.0, source="assumption")
    review_promise: float = parameter(
        0.2, "promises per review", "How much a review's promise of support counts, against a promise made face to "
        "face on a round (1).", 0.0, 1.0, source="calibrated: trust")
    expectation_decay: float = parameter(
        0.1, "per week", "Weekly fading of the expectations and accountability a review set in a unit, until the "
        "next review.", 0.0, 1.0, source="calibrated: reach")
    round_hours: float = parameter(
        0.5, "hours per round", "A round's fixed time: walking the unit and the debrief that decides which issues "
        "to resolve (with its contacts, about the hour of a WalkRound: Frankel et al. 2005).", 0.01, 10.0,
        source="Frankel et al. 2005")
    round_contact_hours: float = parameter(0.1, "hours per person",
                                           "Time with one person (staff or patient) met on a round.", 0.01, 10.0,
                                           source="Frankel et al. 2005")
    engagement_hours: float = parameter(
        3.0, "hours per week", "The physician QI leader's work with the medical staff at full physician "
        "engagement.", 0.01, 100.0, source="assumption")
    engagement_weight: float = parameter(
        8.0, "peer equivalents", "Weight of the physician QI leader's voice for every physician at full physician "
        "engagement (medical staff meetings, one-to-ones).", 0.0, 100.0, source="assumption")
    behind_scenes_hours: float = parameter(
        3.0, "hours per week", "The CEO's behind-the-scenes work at full intensity: clarifying expectations with "
        "managers and resolving escalated problems.", 0.01, 100.0, source="assumption")
    sponsor_hours: float = parameter(1.5, "hours per project per week",
                                     "Clearing one sponsored project's barriers at full barrier removal.",
                                     0.01, 100.0, source="assumption")
    committee_hours: float = parameter(1.5, "hours per week", "A quality committee meeting, for each member present.",
                                       0.01, 100.0, source="assumption")
    project_start_rate: float = parameter(
        0.03, "per unit per week",
        "Weekly chance a fully resourced, fully committed unit starts a project, at urgency 0.5.", 0.0, 1.0,
        source="assumption")
    project_length: float = parameter(26.0, "weeks", "Weeks of work a project needs at full support.", 1.0, 520.0,
        source="IHI 2003 (6-15 months); JCJQI 2001 (13 months)")
    project_timeout: float = parameter(
        3.0, "project lengths", "A project still unfinished after this many times its length has failed.",
        1.0, 100.0, source="assumption")
    project_hazard: float = parameter(0.08, "per week", "Weekly chance an unsupported project collapses.", 0.0, 1.0,
        source="calibrated: P8 in every hospital (<50% succeed: Birken et al. 2013), P9")
    project_time: float = parameter(
        0.02, "share of the week", "Staff time an active project takes from each member of its unit's staff.",
        0.0, 1.0, source="assumption")
    redesign_share: float = parameter(
        0.3, "0-1", "Share of new projects that are system redesigns rather than quick fixes.", 0.0, 1.0,
        source="assumption (cf. Tucker and Edmondson 2003)")
    committee_redesign_boost: float = parameter(
        0.5, "0-1", "Share of the remaining quick fixes a fully attended committee turns into system redesigns.",
        0.0, 1.0, source="assumption")
    integration_per_tie: float = parameter(
        0.1, "progress bonus per tie", "Project progress bonus per tie from its unit's members to other units, per "
        "member.", 0.0, 10.0, source="assumption")
    max_tie_integration: float = parameter(0.5, "progress bonus", "Cap on the cross-unit-tie progress bonus.",
                                           0.0, 10.0, source="assumption")
    linking_integration: float = parameter(
        0.4, "progress bonus", "Project progress bonus from a champion who links the team to the managers of "
        "other units, at full linking.", 0.0, 10.0, source="assumption")
    redesign_spread: float = parameter(
        0.3, "0-1", "Share of a successful redesign's capability that a unit adopts per unit of its ties to the "
        "redesigning unit (cross-unit ties per member).", 0.0, 1.0, source="assumption")
    committee_integration: float = parameter(
        0.3, "progress bonus", "Project progress bonus when the quality integrating committee meets in full.",
        0.0, 10.0, source="assumption")
    success_boost: float = parameter(
        0.08, "0-1", "Share of the gap to full commitment a team closes when its project succeeds.", 0.0, 1.0,
        source="assumption (direction tested in P8)")
    observer_boost: float = parameter(
        0.02, "0-1", "Share of the gap to full commitment closed by the team's contacts outside the unit.", 0.0, 1.0,
        source="assumption (direction tested in P8)")
    failure_cynicism: float = parameter(0.08, "0-1", "Cynicism added to a team whose project fails.", 0.0, 1.0,
        source="assumption (direction: Reichers et al. 1997; P8)")
    project_capability: float = parameter(
        0.025, "0-1", "Share of a unit's gap to full process capability that a successful project closes.",
        0.0, 1.0, source="calibrated: P6, P8")
    quick_fix_decay: float = parameter(0.04, "per week", "Weekly decay of a quick fix's capability gain.", 0.0, 1.0,
        source="assumption (cf. Glasgow et al. 2012)")
    redesign_decay: float = parameter(0.002, "per week", "Weekly decay of a redesign's capability gain.", 0.0, 1.0,
        source="assumption (cf. Glasgow et al. 2012)")
    team_attention: float = parameter(
        0.016, "0-1", "Share of a unit's remaining defects that one active improvement team prevents while it runs "
        "(its measurement, huddles and attention to the process), lost when the team stops.", 0.0, 1.0,
        source="calibrated: P9, the collaborative (Glasgow et al. 2012)")
    # Process capability and patient-care quality (simulation.units).
    learning_rate: float = parameter(
        0.002, "per week", "Share of a unit's gap to full process capability closed weekly when all its staff do "
        "improvement work: learning by doing, with diminishing returns.", 0.0, 1.0,
        source="calibrated: P6, quality")
    capability_erosion: float = parameter(
        0.0008, "per week", "Weekly erosion of process capability that improvement work does not renew "
        "(Repenning and Sterman 2002).", 0.0, 1.0, source="calibrated: P6, quality")
    qi_time: float = parameter(
        0.05, "share of the week", "Time a person doing improvement work spends on it (about two hours of a "
        "40-hour week).", 0.0, 1.0, source="assumption")
    care_slack: float = parameter(
        0.05, "share of the week", "Time a unit's staff have to spare before the strategy starts, after care and "
        "their everyday improvement work; below 0 a unit starts overloaded.", -0.5, 0.5,
        source="assumption; calibrated: capability trap")
    rework_saving: float = parameter(
        0.3, "0-1", "Share of the care work that full process capability saves (defects and rework avoided); "
        "below 1, since no capability does away with care itself (at 1, a fully capable unit's staffing would be "
        "infinite).", 0.0, 0.95, source="assumption")
    overload_harm: float = parameter(
        1.5, "quality per unit of overload", "Quality of care lost per unit of care work beyond the staff's time.",
        0.0, 10.0, source="assumption")
    barrier_rate: float = parameter(
        0.01, "per week", "Process barriers that arise in a unit each week (share of the way to fully blocked).",
        0.0, 1.0, source="assumption")
    barrier_harm: float = parameter(
        0.3, "0-1", "Share of process capability that fully blocking barriers take out of care.", 0.0, 1.0,
        source="assumption")
    barrier_fixing: float = parameter(
        0.04, "per week", "Share of a unit's process barriers its staff fix weekly when all of them do improvement "
        "work.", 0.0, 1.0, source="assumption")
    incentive_relay: float = parameter(
        0.5, "0-1", "Share of a middle manager's gap to a full relay that fully quality-tied incentives close.",
        0.0, 1.0, source="assumption")
    gaming_inflation: float = parameter(
        0.3, "quality per unit of gaming", "How far gaming inflates a unit's reported quality above its real "
        "quality.", 0.0, 1.0, source="assumption")
    barrier_removed: float = parameter(
        0.01, "0-1 per issue", "Share of a unit's process barriers that one resolved issue removes.", 0.0, 1.0,
        source="assumption")
    issues_per_contact: float = parameter(
        0.5, "issues per patient met", "Chance that a patient met on a round raises an issue (every member of staff "
        "spoken with raises one).",
        0.0, 1.0, source="Frankel et al. 2005")
    behind_scenes_resolution: float = parameter(
        0.1, "0-1 per week", "Share of the barriers of the most blocked unit in scope that the CEO's "
        "behind-the-scenes work removes each week, at full intensity.", 0.0, 1.0, source="assumption")
    # How commitment shows in a staff survey (simulation.metrics.survey_responses).
    survey_problem_point: float = parameter(
        -0.55, "0-1 (commitment)", "Commitment at which a survey answer is as likely problematic as not.",
        -1.0, 1.0, source="calibrated: P5 (Singer et al. 2008)")
    survey_positive_point: float = parameter(
        0.17, "0-1 (commitment)", "Commitment at which a survey answer is as likely positive as not.",
        -1.0, 2.0, source="calibrated: survey (AHRQ HSOPS)")
    survey_spread: float = parameter(
        0.61, "0-1 (commitment)", "Spread of survey answers around a person's commitment (answers are noisy).",
        0.01, 2.0, source="calibrated: P5 (Singer et al. 2008)")
    # Hospitals differ (simulation.context): each draws its own context.
    hospital_culture_sd: float = parameter(
        0.05, "0-1 (sd)", "Between-hospital standard deviation of the mean predisposition of frontline staff and "
        "middle managers (a hospital's baseline culture; problematic safety-climate responses ranged from 9% to "
        "24% between hospitals: Singer et al. 2003).", 0.0, 0.3, source="Singer et al. 2003")
    hospital_passion_sd: float = parameter(
        0.1, "0-1 (sd)", "Between-hospital standard deviation of the CEO's and senior leaders' passion for "
        "quality.", 0.0, 0.5, source="assumption")
    hospital_turnover_sd: float = parameter(
        0.25, "log-scale sd", "Between-hospital standard deviation of the log of the staff turnover rate (US "
        "hospitals: about 10% to 30% a year: NSI 2024).", 0.0, 2.0, source="NSI 2024")
    hospital_staffing_sd: float = parameter(
        0.04, "share of the week (sd)", "Between-hospital standard deviation of the care slack (staffing: 4 to 8 "
        "patients a nurse across hospitals: Aiken et al. 2002).", 0.0, 0.5, source="Aiken et al. 2002")
    culture_memory: float = parameter(26.0, "weeks",
                                      "Time constant of the culture index (an exponential moving average).",
                                      1.0, 1000.0, source="assumption (smoothing of the culture index)")


@dataclass(frozen=True)
class Levers:
    """``[levers]``: the leadership strategy in force."""

    involved: tuple[str, ...] = parameter(
        ("ceo", "senior"), "-", "Leaders who carry out the strategy: any of ceo, senior, physician, middle.",
        choices=LEADER_GROUPS, source="lever (strategy choice)")
    steering: float = parameter(0.1, "0-1", "Intensity of direction and expectations sent down the reporting lines.",
                                0.0, 1.0, source="lever (strategy choice)")
    accountability: float = parameter(0.05, "0-1", "Pressure on units to report and act on quality.", 0.0, 1.0,
        source="lever (strategy choice)")
    resources: float = parameter(0.2, "0-1", "QI resources given to units (share of need).", 0.0, 1.0,
        source="lever (strategy choice)")
    passion_display: float = parameter(
        0.1, "0-1", "How visibly involved leaders show their passion beyond their direct reports.", 0.0, 1.0,
        source="lever (strategy choice)")
    rounders: tuple[str, ...] = parameter((), "-", "Leaders who round: any of ceo, senior, physician, middle.",
                                          choices=LEADER_GROUPS, source="lever (strategy choice)")
    rounding_frequency: float = parameter(0.0, "rounds per week", "Rounds each rounding leader makes.", 0.0, 7.0,
        source="lever (strategy choice)")
    rounding_contacts: int = parameter(5, "people per round", "Frontline staff spoken with on one round.", 0, 100,
        source="lever (strategy choice)")
    rounding_patients: int = parameter(0, "people per round", "Patients asked about their care on one round; what "
                                       "they report goes into the unit's issues.", 0, 100,
                                       source="lever (strategy choice)")
    follow_through: float = parameter(0.5, "0-1", "Share of issues raised on rounds that get resolved.", 0.0, 1.0,
        source="lever (strategy choice)")
    projects_per_leader: int = parameter(0, "projects", "Projects each involved leader sponsors at once.", 0, 20,
        source="lever (strategy choice)")
    barrier_removal: float = parameter(0.5, "0-1", "How much a sponsor clears a project's barriers.", 0.0, 1.0,
        source="lever (strategy choice)")
    linking: float = parameter(0.0, "0-1", "How much a senior champion links their project's team to the managers "
                               "of other units who can help remove its barriers.", 0.0, 1.0,
                               source="lever (strategy choice)")
    behind_the_scenes: float = parameter(
        0.0, "0-1", "The CEO's behind-the-scenes work: clarifying expectations with managers and resolving the "
        "problems they escalate (Site D).", 0.0, 1.0, source="lever (strategy choice)")
    impatience: float = parameter(
        0.0, "0-1", "An edgy, impatient culture about quality: urgency that is sustained rather than decaying, and "
        "impatience with slow projects, which are pushed or stopped sooner (Site D).", 0.0, 1.0,
        source="lever (strategy choice)")
    physician_engagement: float = parameter(
        0.0, "0-1", "How much the physician QI leader engages the medical staff in person, beyond the reporting "
        "lines.", 0.0, 1.0, source="lever (strategy choice)")
    incentives: float = parameter(
        0.0, "0-1", "How far managers' evaluations and pay are tied to their unit's quality results.", 0.0, 1.0,
        source="lever (strategy choice)")
    committee: bool = parameter(False, "-", "Whether the quality integrating committee meets.",
        source="lever (strategy choice)")
    middle_development: float = parameter(
        0.0, "0-1", "Intensity of middle-manager development (raises their commitment and relay).", 0.0, 1.0,
        source="lever (strategy choice)")
    impetus_shocks: tuple[int, ...] = parameter(
        (), "weeks", "Weeks at which an external shock (sentinel event, grant, award) raises urgency.", kind="weeks",
        source="lever (strategy choice)")
    shock_size: float = parameter(0.5, "0-1", "Urgency added by one shock.", 0.0, 1.0, source="lever (strategy choice)")
    succession: float = parameter(
        0.5, "0-1", "Succession planning: how much of a departing leader's passion their successor carries on; "
        "the rest is their own, drawn as for any new leader.", 0.0, 1.0, source="lever (strategy choice)")
    schedule: tuple[Event, ...] = parameter(
        (), "-", "Timed changes: {week, lever, value} sets a lever from that week; {week, depart} makes "
        "'ceo' or 'physician' leave that week, and an optional levers table is the successor's strategy.",
        kind="schedule", source="lever (strategy choice)")


TABLES: dict[str, type] = {"run": RunSettings, "organization": OrganizationSettings, "behaviour": Behaviour,
                           "levers": Levers}
"""The dataclass of each table, by section name."""


def _specification(section: str, f: Any) -> Parameter:
    m = f.metadata
    return Parameter(f.name, section, m["kind"], f.default, m["unit"], m["doc"], m["low"], m["high"],
                     m["choices"], m["source"])


PARAMETERS: dict[str, Parameter] = {
    f.name: _specification(section, f) for section, table in TABLES.items() for f in fields(table)}
"""Every parameter by name, in table order."""
LEVER_NAMES = [f.name for f in fields(Levers)]

TIMELINE_LEVERS = ("impetus_shocks", "shock_size", "succession", "schedule")
"""Levers that describe the run's timeline rather than what leaders do week
by week; a lapsed programme keeps them."""


def resting(programme: Levers) -> Levers:
    """The levers a hospital runs on when its programme lapses: every lever
    back to its default (business as usual), but the timeline's."""
    return replace(Levers(), **{name: getattr(programme, name) for name in TIMELINE_LEVERS})
"""The strategy's levers: the parameters a strategy file may set."""
assert all(f.default is not MISSING for table in TABLES.values() for f in fields(table))


def plain(value: Any) -> Any:
    """A parameter value as plain data (lists and dicts), as TOML and JSON hold it."""
    if isinstance(value, (LeverChange, Departure)):
        return value.as_dict()
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def defaults() -> dict[str, Any]:
    """A fresh dictionary of every parameter's default value, as plain data."""
    return {name: plain(p.default) for name, p in PARAMETERS.items()}


# --- validation --------------------------------------------------------------------
def _bound(p: Parameter, x: float) -> str:
    return str(int(x)) if p.kind == "int" else f"{x:g}"


def allowed(p: Parameter, value: Any = None) -> str:
    """What ``p`` accepts, in words (for error messages and help)."""
    kinds = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "a string",
             "weeks": "a list of week numbers >= 1",
             "schedule": "a list of {week, lever, value} or {week, depart} tables"}
    if p.kind == "choice":
        return "one of " + ", ".join(repr(c) for c in p.choices)
    if p.kind == "groups":
        return "a list drawn from " + ", ".join(repr(c) for c in p.choices)
    text = kinds[p.kind]
    # A huge upper bound (a sanity cap) is left out of the message, unless the
    # value broke it: then the message must say so. (The stubs of numbers.Real have no >.)
    above = isinstance(value, numbers.Real) and p.high is not None and value > p.high  # type: ignore[operator]
    if p.low is not None and p.high is not None and (p.high < 1e6 or above):
        return f"{text} in [{_bound(p, p.low)}, {_bound(p, p.high)}]"
    if p.low is not None:
        return f"{text} >= {_bound(p, p.low)}"
    if p.high is not None:
        return f"{text} <= {_bound(p, p.high)}"
    return text


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_value(name: str, value: Any, location: tuple[str | int, ...] | None = None) -> Any:
    """Validate one value of parameter ``name`` and return it in its
    canonical type (a tuple for lists, `LeverChange`/`Departure` for events).

    Raises `ConfigError` at ``location`` (default: ``(name,)``) with the
    message ``"must be <allowed>, got <value>"`` when the value's type or
    range is wrong.
    """
    p = PARAMETERS[name]
    where = location or (name,)
    given = value  # as the user wrote it, for the message: 9, not the 9.0 it becomes

    def fail() -> ConfigError:
        return ConfigError(f"must be {allowed(p, given)}, got {given!r}", where)

    if p.kind == "bool":
        if not _is_bool(value):
            raise fail()
        return bool(value)
    if p.kind in ("str", "choice"):
        if not isinstance(value, str) or (p.kind == "choice" and value not in p.choices):
            raise fail()
        return value
    if p.kind == "groups":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or any(v not in p.choices for v in value):
            raise fail()
        return tuple(sorted(set(value), key=p.choices.index))
    if p.kind == "schedule":
        if not isinstance(value, (list, tuple)):
            raise fail()
        # Kept in the order given, so that an event's index is its place in
        # the user's file; the model takes each week's events in this order.
        return tuple(_check_event(e, (*where, k)) for k, e in enumerate(value))
    if p.kind == "weeks":
        if not isinstance(value, (list, tuple)) or any(
                _is_bool(w) or not isinstance(w, numbers.Integral) or w < 1 for w in value):
            raise fail()
        return tuple(sorted(int(w) for w in value))
    # Numbers (numpy's included). bool is a subclass of int, and must not pass for one.
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise fail()
    try:
        if p.kind == "int":
            if not isinstance(value, numbers.Integral) and not float(value).is_integer():
                raise fail()
            value = int(value)  # type: ignore[call-overload]  # stubs: Real has no __int__
        else:
            value = float(value)
            if not math.isfinite(value):
                raise fail()
    except (OverflowError, ValueError):  # an int too large for a float, or inf for an int
        raise fail() from None
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        raise fail()
    return value


SCHEDULED_LEVERS = [name for name in LEVER_NAMES if name != "schedule"]
"""The levers a schedule may change."""


def _check_event(event: Any, where: tuple[str | int, ...]) -> Event:
    """Validate one timed event of a ``schedule``: ``{week, lever, value}``
    sets a lever from that week on; ``{week, depart}`` makes a leader leave."""
    if isinstance(event, (LeverChange, Departure)):
        event = event.as_dict()
    if not isinstance(event, Mapping):
        raise ConfigError(f"must be a table such as {{week = 104, lever = \"accountability\", value = 0.0}} "
                          f"or {{week = 156, depart = \"ceo\"}}, got {event!r}", where)
    week = event.get("week")
    if _is_bool(week) or not isinstance(week, numbers.Integral) or week < 1:
        raise ConfigError(f"must be an integer >= 1, got {week!r}", (*where, "week"))
    keys = set(event) - {"week"}
    if keys in ({"depart"}, {"depart", "levers"}):
        if event["depart"] not in SCHEDULE_DEPARTURES:
            raise ConfigError(f"must be one of {', '.join(repr(d) for d in SCHEDULE_DEPARTURES)}, "
                              f"got {event['depart']!r}", (*where, "depart"))
        successor = event.get("levers", {})
        if not isinstance(successor, Mapping):
            raise ConfigError(f"must be a table of the successor's levers, got {successor!r}", (*where, "levers"))
        for name in successor:
            if name not in SCHEDULED_LEVERS:
                raise ConfigError(f"unknown lever{did_you_mean(str(name), SCHEDULED_LEVERS)}",
                                  (*where, "levers", name))
        return Departure(int(week), event["depart"], tuple(
            (name, check_value(name, value, (*where, "levers", name))) for name, value in successor.items()))
    if keys == {"lever", "value"}:
        lever = event["lever"]
        if lever not in SCHEDULED_LEVERS:
            raise ConfigError(f"unknown lever {lever!r}{did_you_mean(str(lever), SCHEDULED_LEVERS)}",
                              (*where, "lever"))
        return LeverChange(int(week), lever, check_value(lever, event["value"], (*where, "value")))
    unknown = sorted(keys - {"lever", "value", "depart", "levers"})
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}{did_you_mean(unknown[0], ['lever', 'value', 'depart'])}; "
                          "an event has week plus either lever and value, or depart (and the successor's levers)",
                          (*where, unknown[0]))
    raise ConfigError(f"must have week plus either lever and value, or depart; got keys "
                      f"{', '.join(sorted(event))}", where)

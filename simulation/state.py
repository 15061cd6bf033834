"""The model's state: numpy arrays indexed by person, and the week's signals.

`StaffState` holds what each person is (traits) and what they currently
feel and do. Agents are views onto it: ``agent.commitment`` reads
``model.state.commitment[agent.index]``. `Signals` holds what leaders did
this week (direction sent, rounding conversations, promises kept or
broken); leaders write it, and the staff update reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulation.config import Config
from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR, Organization
from simulation.rules import practice_drive, practises, within


@dataclass
class StaffState:
    """Per-person state; every array has one entry per person.

    Traits: ``predisposition`` (0-1, the private anchor of commitment),
    ``susceptibility`` (0-1, weight on social influence), ``threshold``
    (drive units, for practice) and ``passion`` (0-1, CEO and senior leaders
    only; it is also their predisposition).

    State: ``commitment``, ``alignment``, ``direction`` (the direction held
    and passed on), ``trust``, ``cynicism`` (all 0-1), ``practice`` (1.0 if
    the person does QI work this week, else 0.0), ``tenure`` (weeks) and
    ``energy`` (hours of personal capital; leaders only).
    """

    predisposition: np.ndarray
    susceptibility: np.ndarray
    threshold: np.ndarray
    passion: np.ndarray
    commitment: np.ndarray
    alignment: np.ndarray
    direction: np.ndarray
    trust: np.ndarray
    cynicism: np.ndarray
    practice: np.ndarray
    tenure: np.ndarray
    energy: np.ndarray

    def copy(self) -> StaffState:
        return StaffState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})


def level_predisposition(role, config: Config):
    """Mean predisposition by role: frontline staff at ``frontline_commitment``,
    middle managers at ``middle_commitment`` (P5); the CEO and senior
    leaders at their passion."""
    means = np.array([config.ceo_passion, config.senior_passion, config.middle_commitment,
                      config.frontline_commitment])
    return means[role]


def draw_traits(role: np.ndarray, config: Config, rng: np.random.Generator,
                passion: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Draw heterogeneous traits for the people with the given roles.

    Used for the founding staff and for every new hire, always drawing in the
    same order, so that both engines consume the generator identically.
    ``passion``, if given, is the passion of each CEO or senior leader among
    them (a successor's, set by succession planning) instead of a fresh draw.
    """
    k = len(role)
    top = role <= SENIOR
    mean = level_predisposition(role, config)
    # The three traits' noise in one draw: the same numbers as three draws in turn.
    noise = rng.standard_normal((3, k))
    predisposition = within(mean + config.predisposition_spread * noise[0], 0.0, 1.0)
    np.putmask(predisposition, role == CEO, mean)  # the CEO's passion is set exactly
    if passion is not None:
        predisposition = np.where(top, passion, predisposition)
    s = config.susceptibility
    # The spread vanishes at 0 and 1, so a population with susceptibility 1
    # (DeGroot) or 0 (fully stubborn) has exactly that, leaders aside.
    susceptibility = within(s + 0.8 * s * (1.0 - s) * noise[1], 0.0, 1.0)
    # Passionate leaders hold to their conviction: they are swayed less.
    susceptibility = np.where(top, susceptibility * (1.0 - predisposition), susceptibility)
    threshold = config.practice_threshold + config.threshold_spread * noise[2]
    passion = np.where(top, predisposition, 0.0)
    return {"predisposition": predisposition, "susceptibility": susceptibility,
            "threshold": threshold, "passion": passion}


def initial_state(org: Organization, config: Config, rng: np.random.Generator) -> StaffState:
    """The founding staff, before any strategy has acted."""
    n = org.n
    traits = draw_traits(org.role, config, rng)
    tenure = rng.integers(0, 10 * 52, size=n).astype(float)
    commitment = traits["predisposition"].copy()
    zeros = np.zeros(n)
    drive = practice_drive(commitment, zeros, zeros, zeros, zeros, config.weight_commitment,
                           config.weight_alignment, config.weight_accountability, config.weight_peers,
                           config.habit)
    is_leader = org.role <= MIDDLE
    return StaffState(
        commitment=commitment, alignment=zeros.copy(), direction=zeros.copy(),
        trust=np.full(n, config.base_trust), cynicism=zeros.copy(),
        practice=practises(drive, traits["threshold"]).astype(float), tenure=tenure,
        energy=np.where(is_leader, config.leader_capacity, 0.0), **traits)


class Signals:
    """What leaders did this week, per person, reset every week.

    ``steer``: direction a person sends down themselves (0-1).
    ``visibility``: how visible a leader's passion is beyond their direct
    reports (0-1). ``contact_weight`` / ``contact_sum``: weight of this week's
    rounding conversations with a person, and that weight times the rounding
    leader's commitment. ``kept`` / ``broken``: promises (issues raised on
    rounds) resolved or dropped. ``hours``: leader-hours spent this week.
    ``accountability``: the organization's accountability this week (0-1).
    ``practice_draw``: each person's uniform draw for acting on their
    practice drive this week (drawn by the model, so both engines use it).
    """

    ARRAYS = ("steer", "visibility", "contact_weight", "contact_sum", "kept", "broken", "hours")

    def __init__(self, n: int) -> None:
        for name in self.ARRAYS:
            setattr(self, name, np.zeros(n))
        self.accountability = 0.0
        self.practice_draw = np.zeros(n)  # every draw below an uptake of 1: the threshold rule acts at once

    def reset(self) -> None:
        self.__init__(len(self.steer))

    def leaders_reach_anyone(self) -> bool:
        """Whether any leader was visible or spoke with anyone this week; if
        not, the engines can leave leaders out of social influence."""
        return bool(self.visibility.any() or self.contact_weight.any())


__all__ = ["StaffState", "Signals", "initial_state", "draw_traits", "level_predisposition",
           "CEO", "SENIOR", "MIDDLE", "FRONTLINE"]

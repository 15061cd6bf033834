"""Turnover, departures and succession (step 8 of DESIGN section 3).

`turnover` draws who leaves this week and what their successors bring, and
returns it as `Replacements`; the model writes the new hires' state and
swaps in their agents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation import rules
from simulation.organization import MIDDLE, Organization
from simulation.parameters import Behaviour, Levers
from simulation.state import STATE_FIELDS, StaffState, draw_traits


@dataclass
class Replacements:
    """Who leaves this week, and the state their successors start with.

    ``leavers`` are person indices (ascending); ``state`` is a `StaffState`
    with one column per leaver, in the same order.
    """

    leavers: np.ndarray
    state: StaffState


def turnover(state: StaffState, org: Organization, behaviour: Behaviour, levers: Levers, leave_hazard: np.ndarray,
             departing: list[int], unit_commitment: np.ndarray, rng: np.random.Generator) -> Replacements | None:
    """Staff and leaders who leave this week, and their successors.

    Everyone leaves with their role's weekly hazard (``leave_hazard``), and
    the people in ``departing`` (scheduled departures) leave for certain. A
    new hire starts between their own predisposition and their unit's
    prevailing commitment (socialization); a successor to a leader carries on
    a share of their predecessor's passion (succession planning). Returns
    None if nobody leaves.
    """
    leaving = rng.random(org.n) < leave_hazard
    leaving[departing] = True
    leavers = np.flatnonzero(leaving)
    if not len(leavers):
        return None
    role = org.role[leavers]
    successor = levers.succession * state.passion[leavers] + (1.0 - levers.succession) * levers.successor_passion
    traits = draw_traits(role, behaviour, rng, passion=successor)
    unit = org.unit[leavers]
    unit_c = unit_commitment[np.maximum(unit, 0)]
    k = len(leavers)
    zeros = np.zeros(k)
    columns = {
        **traits,
        "commitment": np.where(unit >= 0,
                               rules.new_hire_commitment(traits["predisposition"], unit_c, behaviour.socialization),
                               traits["predisposition"]),
        "alignment": zeros, "direction": zeros, "trust": np.full(k, behaviour.base_trust), "cynicism": zeros,
        "practice": zeros, "tenure": zeros, "energy": np.where(role <= MIDDLE, behaviour.leader_capacity, 0.0)}
    return Replacements(leavers, StaffState.from_arrays(**{name: columns[name] for name in STATE_FIELDS}))

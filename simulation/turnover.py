"""Turnover, departures and succession (step 8 of DESIGN section 3).

`turnover` draws who leaves this week and what their successors bring, and
returns it as `Replacements`; the model writes the new hires' state, puts
their agents in place (`OrgChangeModel.hire`), and applies the trust the
departures cost.
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
             overload: np.ndarray, departing: list[int], unit_commitment: np.ndarray,
             rng: np.random.Generator) -> Replacements | None:
    """Staff and leaders who leave this week, and their successors.

    Everyone leaves with their role's weekly hazard (``leave_hazard``),
    raised in a poor climate by their cynicism and their unit's overload
    (``overload``, one per person); the people in ``departing`` (scheduled
    departures) leave for certain. A new hire starts between their own
    predisposition and their unit's prevailing commitment (socialization),
    and their predisposition itself leans to it (who is attracted and
    stays); a successor to a leader carries on the share ``succession`` of
    their predecessor's passion and brings the rest of their own. Returns
    None if nobody leaves.
    """
    hazard = rules.climate_hazard(leave_hazard, state.cynicism, overload, behaviour.climate_turnover)
    leaving = rng.random(org.n) < hazard
    if departing:
        leaving[departing] = True
    leavers = leaving.nonzero()[0]
    if not len(leavers):
        return None
    role = org.role[leavers]
    traits = draw_traits(role, behaviour, rng, inherited=state.passion[leavers], succession=levers.succession,
                         group=org.group[leavers])
    unit = org.unit[leavers]
    in_unit = unit >= 0
    unit_c = unit_commitment[np.maximum(unit, 0)]
    traits["predisposition"] = np.where(in_unit, rules.hired_predisposition(traits["predisposition"], unit_c,
                                                                            behaviour.hire_culture),
                                        traits["predisposition"])
    k = len(leavers)
    zeros = np.zeros(k)
    columns = {
        **traits,
        "commitment": np.where(in_unit,
                               rules.new_hire_commitment(traits["predisposition"], unit_c, behaviour.socialization),
                               traits["predisposition"]),
        "alignment": zeros, "direction": zeros, "trust": np.full(k, behaviour.base_trust), "cynicism": zeros,
        "practice": zeros, "tenure": zeros, "energy": np.where(role <= MIDDLE, behaviour.leader_capacity, 0.0)}
    return Replacements(leavers, StaffState.from_arrays(**{name: columns[name] for name in STATE_FIELDS}))

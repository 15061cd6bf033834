"""What a mechanism changes, returned for the model to apply in one place.

Projects, turnover and the other mechanisms of the week do not write into
the model's state. Each returns an `Effects` saying what it changes, and
`OrgChangeModel.step` applies them, in the order of DESIGN section 3, with
`Effects.apply`: one rule for each kind of change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation import rules
from simulation.parameters import Behaviour
from simulation.state import StaffState

NOBODY = np.zeros(0, dtype=np.int64)
"""No one lifted: the default of `Effects.lifted`, shared by every week's
`Effects` rather than allocated for each (read-only, so nobody changes it)."""
NO_LIFT = np.zeros(0)
"""The lifts of nobody (read-only, as `NOBODY`)."""
NOBODY.flags.writeable = NO_LIFT.flags.writeable = False


@dataclass
class Effects:
    """Changes to the staff's state.

    Attributes
    ----------
    lifted : int array
        People whose commitment a success lifts.
    lift : float array
        For each of ``lifted``, the share of their gap to full commitment
        that closes (0-1).
    cynicism_added : float array (n,) or None
        Cynicism added to each person (0-1), before the cap at 1.
    trust_kept, trust_broken : float arrays (n,) or None
        Promises kept and broken for each person (project outcomes), which
        move trust by `simulation.rules.trust_next`.
    trust_lost : float array (n,) or None
        Share of each person's trust lost at once (a leader who leaves).
    """

    lifted: np.ndarray = field(default_factory=lambda: NOBODY)
    lift: np.ndarray = field(default_factory=lambda: NO_LIFT)
    cynicism_added: np.ndarray | None = None
    trust_kept: np.ndarray | None = None
    trust_broken: np.ndarray | None = None
    trust_lost: np.ndarray | None = None

    def apply(self, state: StaffState, behaviour: Behaviour) -> None:
        """Make these changes to ``state``."""
        if len(self.lifted):
            state.commitment[self.lifted] = rules.kick(state.commitment[self.lifted], self.lift)
        if self.cynicism_added is not None:
            state.cynicism = rules.cynicism_next(state.cynicism, 0.0, self.cynicism_added)
        if self.trust_kept is not None or self.trust_broken is not None:
            zeros = np.zeros(state.n)
            kept = zeros if self.trust_kept is None else self.trust_kept
            broken = zeros if self.trust_broken is None else self.trust_broken
            state.trust = rules.trust_next(state.trust, kept, broken, behaviour.trust_rate, behaviour.trust_asymmetry)
        if self.trust_lost is not None:
            state.trust = state.trust * (1.0 - self.trust_lost)

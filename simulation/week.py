"""The staff week (steps 3, 4, 5 and 7 of DESIGN section 3), written once.

A week of the staff update has two parts:

1. **Gathering** what each person hears from around them: their manager's
   commitment, development and direction, the weighted sums of their ties'
   commitment and practice, and the leaders they see beyond their manager.
   This is the only part that walks the network. `gather_everyone` does it
   for the whole hospital with sparse products; `gather_person` does it for
   one person with a loop over their ties, in the same order, so it gives the
   same sums to the last bit.
2. **The week itself**, `staff_week`: the rules of `simulation.rules`
   applied in order, from what each person holds and hears to what they
   hold next week (the rules are called through their module, so that a
   test can swap one). It is written against rows (``now[COMMITMENT]``), so it runs
   unchanged on the whole hospital (2-D arrays: every row is everyone's) or
   on one person (their column: every row is one number).

The three engines are these two parts put together three ways:

* the vectorized engine: `gather_everyone`, then `staff_week` on everyone
  (in blocks of people, `staff_week_by_block`);
* the compiled engine (`simulation.compiled`): a loop over people, compiled
  by Numba, of `gather_person` then `staff_week` on the person's column;
* the agent engine: each agent's ``step()`` (`agents.Person.step`) runs the
  same two functions for its own index, in plain Python.

Adding a mechanism to the staff week therefore means one rule in
`simulation.rules` and one line here (plus a row in `simulation.state`
if it needs new state).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from simulation import rules
from simulation.state import ACCOUNTABILITY as HELD_TO_ACCOUNT
from simulation.state import (
    ALIGNMENT,
    BROKEN,
    COMMITMENT,
    CONTACT_SUM,
    CONTACT_WEIGHT,
    CYNICISM,
    DEVELOPMENT,
    DIRECTION,
    KEPT,
    OVERLOAD,
    PRACTICE,
    PRACTICE_DRAW,
    PREDISPOSITION,
    PROMISE_BROKEN,
    PROMISE_KEPT,
    RELAY_SUPPORT,
    RESULTS,
    STATE_FIELDS,
    STEER,
    SUSCEPTIBILITY,
    TENURE,
    THRESHOLD,
    TRUST,
    VISIBILITY,
)

AROUND_FIELDS = ("has_boss", "boss_commitment", "boss_relay_support", "boss_direction", "tie_commitment",
                 "tie_practice", "tie_weight", "seen_commitment", "seen_weight")
"""What `gather_everyone` and `gather_person` give, row by row."""
(HAS_BOSS, BOSS_COMMITMENT, BOSS_RELAY_SUPPORT, BOSS_DIRECTION, TIE_COMMITMENT, TIE_PRACTICE, TIE_WEIGHT,
 SEEN_COMMITMENT, SEEN_WEIGHT) = range(len(AROUND_FIELDS))

CHANGED_FIELDS = (COMMITMENT, ALIGNMENT, DIRECTION, TRUST, CYNICISM, PRACTICE, TENURE, PREDISPOSITION)
"""The rows of the state that `staff_week` writes; the others carry over."""
CARRIED_FIELDS = tuple(row for row in range(len(STATE_FIELDS)) if row not in CHANGED_FIELDS)
"""The rows of the state that carry over from one week to the next (traits and energy)."""


def staff_week(now: Any, around: Any, sig: Any, p: Any, nxt: Any) -> None:
    """Write next week's state of everyone (or of one person) into ``nxt``.

    Parameters
    ----------
    now, nxt
        This week's and next week's state, as the rows of
        `simulation.state.StaffState.values` (2-D, everyone) or one
        person's column of them (1-D). Only the rows of `CHANGED_FIELDS` of
        ``nxt`` are written.
    around
        What the person hears from around them, rows of `AROUND_FIELDS`
        (from `gather_everyone` or `gather_person`).
    sig
        This week's leader signals, rows of `simulation.state.SIGNAL_FIELDS`.
    p
        The behaviour parameters (`simulation.parameters.Behaviour`, or the
        compiled engine's copy of it).
    """
    # 3. Structural cascade: take up the direction the manager relays.
    has_boss = around[HAS_BOSS] > 0.0
    boss_gain = rules.select(has_boss, rules.relay_gain(around[BOSS_COMMITMENT], p.relay_gain_low,
                                                        p.relay_gain_high, around[BOSS_RELAY_SUPPORT]), 0.0)
    direction = rules.direction_next(sig[STEER], around[BOSS_DIRECTION], boss_gain)
    alignment = rules.alignment_next(now[ALIGNMENT], direction, p.alignment_rate)

    # 4. Social influence: ties and manager, then the leaders seen and met,
    # as far as the person trusts leadership.
    trust_weight = rules.leader_trust_weight(now[TRUST], now[CYNICISM])
    leaders_heard = trust_weight * (p.leader_weight * around[SEEN_WEIGHT] + sig[CONTACT_WEIGHT])
    weighted = around[TIE_COMMITMENT] + trust_weight * (p.leader_weight * around[SEEN_COMMITMENT] + sig[CONTACT_SUM])
    total = around[TIE_WEIGHT] + leaders_heard
    target = rules.influence_target(weighted, total, now[COMMITMENT], now[PREDISPOSITION], now[SUSCEPTIBILITY],
                                    now[CYNICISM], p.cynicism_weight)
    # Practice builds belief, fully where it is one's own choice; where only
    # pressure brings it about (compliance), only as far as the leaders one
    # hears make it one's own.
    peers = rules.peer_practice(around[TIE_PRACTICE], around[TIE_WEIGHT], p.peer_mode)
    pressure = rules.accountability_pressure(sig[HELD_TO_ACCOUNT], boss_gain)
    # Pressure is made one's own through the leaders one sees and meets, and
    # through one's own manager as far as the manager believes in it: a
    # committed middle turns a demand into a shared purpose, a frozen one
    # passes it on as a bare order.
    meaning = leaders_heard + rules.select(has_boss, p.manager_weight * around[BOSS_COMMITMENT], 0.0)
    internalized = rules.internalization(rules.share(meaning, around[TIE_WEIGHT]), p.internalization_half)
    own_drive = rules.practice_drive(now[COMMITMENT], now[ALIGNMENT], 0.0, peers, now[PRACTICE], p.weight_commitment,
                                     p.weight_alignment, p.weight_accountability, p.weight_peers, p.habit,
                                     sig[OVERLOAD], p.weight_workload)
    compliant = rules.compliance(now[PRACTICE], own_drive, now[THRESHOLD])
    target = rules.practice_experience(target, now[PRACTICE],
                                       rules.learning_from_practice(p.practice_learning, compliant, internalized))
    target = rules.framed_pressure(target, pressure, internalized, p.pressure_meaning)
    commitment = rules.commitment_next(now[COMMITMENT], target, p.influence_rate)
    commitment = rules.feedback(commitment, sig[KEPT], p.feedback_boost)  # issues resolved on rounds
    commitment = rules.kick(commitment, rules.within(p.results_boost * sig[RESULTS], -1.0, 1.0))  # results seen

    # 5. Practice: a threshold on attitude, clarity, pressure, peers and
    # habit, less what overload takes.
    drive = rules.practice_drive(commitment, alignment, pressure, peers, now[PRACTICE], p.weight_commitment,
                                 p.weight_alignment, p.weight_accountability, p.weight_peers, p.habit,
                                 sig[OVERLOAD], p.weight_workload)

    # 7. Fatigue, cynicism, trust and development. Broken promises, and
    # practice that only pressure brings about and that is not made one's
    # own, breed cynicism; trust follows promises kept and broken, on rounds and in reviews.
    coerced = compliant * (1.0 - internalized)
    nxt[COMMITMENT] = commitment
    nxt[ALIGNMENT] = alignment
    nxt[DIRECTION] = direction
    nxt[PRACTICE] = rules.practice_next(now[PRACTICE], rules.practises(drive, now[THRESHOLD]),
                                        sig[PRACTICE_DRAW], p.practice_uptake)
    nxt[CYNICISM] = rules.cynicism_next(now[CYNICISM], p.cynicism_decay,
                                        sig[BROKEN] * p.broken_promise_cynicism + p.compliance_cynicism * coerced)
    nxt[TRUST] = rules.trust_next(now[TRUST], sig[KEPT] + sig[PROMISE_KEPT], sig[BROKEN] + sig[PROMISE_BROKEN],
                                  p.trust_rate, p.trust_asymmetry)
    predisposition = rules.developed_predisposition(now[PREDISPOSITION], sig[DEVELOPMENT], p.development_rate)
    nxt[PREDISPOSITION] = rules.drifted_predisposition(predisposition, commitment, p.predisposition_drift)
    nxt[TENURE] = now[TENURE] + 1.0


BLOCK = 32_768
"""People per block of `staff_week_by_block` (256 KiB a temporary array)."""


def staff_week_by_block(now: np.ndarray, around: tuple[np.ndarray, ...], sig: np.ndarray, p: Any, nxt: np.ndarray,
                        block: int = BLOCK) -> None:
    """`staff_week` on everyone (2-D rows), ``block`` people at a time.

    The week is elementwise: each person's next state reads only their own
    column of ``now``, ``around`` and ``sig``, so on a block of columns it
    gives those people's numbers exactly. What a block buys is steadiness:
    the week makes some hundred temporary arrays, and a large hospital's
    (800 KiB each at 100,000 staff) are, in some processes, mapped afresh
    by the memory allocator every time. Measured at 100,000 staff, the
    whole-hospital week took 8 ms in some processes and 17 to 20 ms in
    others; in blocks of 8,192 to 32,768 people, a steady 10 to 11 ms. A
    hospital of one block runs in one call, as before.
    """
    n = now.shape[1]
    if n <= block:
        staff_week(now, around, sig, p, nxt)
        return
    for start in range(0, n, block):
        people = slice(start, start + block)
        staff_week(now[:, people], tuple(row[people] for row in around), sig[:, people], p, nxt[:, people])


class Network:
    """The structure the staff week reads: who listens to whom, and how much.

    Attributes
    ----------
    peers : CSR matrix (n x n)
        Whom each person listens to every week (row = listener), with the
        weight of each tie (informal ties 1, one's own manager
        ``manager_weight``).
    skip_level : CSR matrix (n x n)
        1 where a person can see a leader above their own manager, when that
        leader makes themselves visible.
    tie_weight : float array (n,)
        Each row's sum of ``peers``.
    boss : int array (n,)
        Each person's manager (0 for the CEO, whose ``has_boss`` is 0).
    has_boss : float array (n,)
        1.0 for everyone but the CEO.
    """

    def __init__(self, peers: sp.csr_matrix, skip_level: sp.csr_matrix, manager: np.ndarray) -> None:
        self.peers = peers
        self.skip_level = skip_level
        self.tie_weight = np.asarray(peers.sum(axis=1)).ravel()
        self.has_boss = (manager >= 0).astype(float)
        self.boss = np.where(manager >= 0, manager, 0)

    @property
    def n(self) -> int:
        return len(self.boss)


def gather_everyone(now: np.ndarray, sig: np.ndarray, network: Network) -> tuple[np.ndarray, ...]:
    """What everyone hears this week, rows of `AROUND_FIELDS`, from sparse products."""
    boss, has_boss = network.boss, network.has_boss
    # Nobody seen beyond their manager this week: those sums are zero.
    if sig[VISIBILITY].any():
        seen_commitment = network.skip_level @ (sig[VISIBILITY] * now[COMMITMENT])
        seen_weight = network.skip_level @ sig[VISIBILITY]
    else:
        seen_commitment = seen_weight = np.zeros(network.n)
    return (has_boss, now[COMMITMENT][boss], sig[RELAY_SUPPORT][boss],
            rules.select(has_boss > 0.0, now[DIRECTION][boss], 0.0),
            network.peers @ now[COMMITMENT], network.peers @ now[PRACTICE], network.tie_weight,
            seen_commitment, seen_weight)


def gather_person(i: int, now: np.ndarray, sig: np.ndarray, has_boss: np.ndarray, boss: np.ndarray,
                  tie_weight: np.ndarray, peer_start: np.ndarray, peer_index: np.ndarray, peer_weight: np.ndarray,
                  seen_start: np.ndarray, seen_index: np.ndarray, seen_weight: np.ndarray,
                  around: np.ndarray) -> None:
    """What person ``i`` hears this week, written into ``around`` (rows of
    `AROUND_FIELDS`). ``has_boss``, ``boss`` and ``tie_weight`` are those of
    `Network`; ``peer_*`` and ``seen_*`` are the CSR arrays (indptr, indices,
    data) of its ``peers`` and ``skip_level`` (see `network_arrays`).

    Each sum runs over the person's ties in storage order, from zero, as
    SciPy's sparse product does, so it gives `gather_everyone`'s numbers
    exactly. Plain Python: the agent engine runs it as it is, and the
    compiled engine compiles it.
    """
    manager = boss[i]
    around[HAS_BOSS] = has_boss[i]
    around[BOSS_COMMITMENT] = now[COMMITMENT, manager]
    around[BOSS_RELAY_SUPPORT] = sig[RELAY_SUPPORT, manager]
    around[BOSS_DIRECTION] = now[DIRECTION, manager] if has_boss[i] > 0.0 else 0.0
    weighted = 0.0
    practising = 0.0
    for k in range(peer_start[i], peer_start[i + 1]):
        weighted += peer_weight[k] * now[COMMITMENT, peer_index[k]]
        practising += peer_weight[k] * now[PRACTICE, peer_index[k]]
    seen = 0.0
    seen_total = 0.0
    for k in range(seen_start[i], seen_start[i + 1]):
        j = seen_index[k]
        seen += seen_weight[k] * (sig[VISIBILITY, j] * now[COMMITMENT, j])
        seen_total += seen_weight[k] * sig[VISIBILITY, j]
    around[TIE_COMMITMENT] = weighted
    around[TIE_PRACTICE] = practising
    around[TIE_WEIGHT] = tie_weight[i]
    around[SEEN_COMMITMENT] = seen
    around[SEEN_WEIGHT] = seen_total


NetworkArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                      np.ndarray]
"""What `network_arrays` gives: nine arrays, so that type checkers can count them in calls."""


def network_arrays(network: Network) -> NetworkArrays:
    """The arrays of ``network`` that `gather_person` takes after ``sig``, in its order."""
    peers, skip = network.peers, network.skip_level
    return (network.has_boss, network.boss, network.tie_weight, peers.indptr, peers.indices, peers.data,
            skip.indptr, skip.indices, skip.data)

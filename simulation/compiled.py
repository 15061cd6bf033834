"""The compiled engine: the weekly staff update as one loop, compiled by Numba.

`compiled_update` computes exactly what `simulation.engines.vectorized_update`
computes, bit for bit, in a third way. Where the vectorized engine makes some
sixty numpy calls a week (each one cheap, but each with a fixed cost that
dominates at a few hundred staff), this engine makes one call to a loop over
people that Numba has compiled to machine code. At 500 staff its week takes
about a third of the vectorized engine's; the rest of the model (leaders,
projects, turnover, measuring) is the same for every engine.

How it stays the same model:

* **The rules are not written again.** `twins` compiles each rule of
  `simulation.rules` from its own source. Only `rules.select` (``np.where``)
  has a scalar stand-in, because Numba's ``np.where`` on scalars returns an
  array.
* **The same arithmetic in the same order.** Each person's ties are summed in
  the sparse matrices' storage order, from zero, as scipy's sparse products
  do; a rule is applied to a person only where the vectorized engine applies
  it to them (feedback and trust only for those spoken with on rounds).
  Powers in the rules raise a number from the configuration to a power per
  person, which numpy computes element by element with the C library's
  ``pow``, as the loop does. (Were a rule to raise a whole array to a power,
  numpy's SIMD ``pow`` could differ in the last bit, and the engines would
  then agree to 1e-16 rather than exactly.) `tests/test_engines.py` holds
  the two engines to identical trajectories.

Numba is optional (``pip install "orgchange[fast]"``). The rules' compiled
twins are cached on disk next to their source, and recompiled when it
changes; the loop itself is compiled afresh in each process, about a second,
so that an edited rule can never run from a stale cache.
"""

from __future__ import annotations

from types import FunctionType, SimpleNamespace

import numpy as np
from numba import njit

from simulation import rules
from simulation.state import StaffState


@njit(cache=True)
def _select(condition, if_true, if_false):
    """`rules.select` for one person."""
    return if_true if condition else if_false


def _compile_twins() -> SimpleNamespace:
    """Every rule of `simulation.rules`, compiled from its own source.

    A twin sees the other twins where the rule sees the other rules, so a
    rule that calls another (``commitment_next`` keeps its result ``within``
    [0, 1]) calls the compiled one.
    """
    namespace = dict(vars(rules), select=_select)
    compiled = {}
    for name, rule in vars(rules).items():
        if isinstance(rule, FunctionType) and rule.__module__ == rules.__name__ and name != "select":
            twin = FunctionType(rule.__code__, namespace, name, rule.__defaults__)
            compiled[name] = namespace[name] = njit(cache=True)(twin)
    return SimpleNamespace(**compiled)


twins = _compile_twins()
"""The compiled twins of the rules, by name (``twins.influence_target``)."""

# The loop below calls the twins by these names, as the engines call the rules.
relay_gain, direction_next, alignment_next = twins.relay_gain, twins.direction_next, twins.alignment_next
leader_trust_weight, influence_target = twins.leader_trust_weight, twins.influence_target
practice_experience, commitment_next, feedback = twins.practice_experience, twins.commitment_next, twins.feedback
peer_practice, accountability_pressure = twins.peer_practice, twins.accountability_pressure
practice_drive, practises, practice_next = twins.practice_drive, twins.practises, twins.practice_next
trust_next, cynicism_next = twins.trust_next, twins.cynicism_next
developed_predisposition = twins.developed_predisposition


@njit
def _staff_week(now, signals, accountability, leaders_seen, boss, development, developing,
                peers, skip_level, tie_weight, parameters, count_peers, nxt):
    """Steps 3, 4, 5 and 7 for every person; writes the rows of ``nxt``.

    ``now`` and ``nxt`` are tuples of the state arrays (see `compiled_update`
    for the order); ``signals`` the leaders' signal arrays; ``peers`` and
    ``skip_level`` the (indptr, indices, data) of the sparse matrices.
    """
    (commitment, alignment, direction, trust, cynicism, practice, tenure, predisposition,
     susceptibility, threshold) = now
    steer, visibility, contact_weight, contact_sum, kept, broken, practice_draw = signals
    (relay_low, relay_high, alignment_rate, leader_weight, cynicism_weight, practice_learning,
     influence_rate, feedback_boost, w_commitment, w_alignment, w_accountability, w_peers, habit,
     trust_rate, development_rate, cynicism_decay, broken_promise_cynicism, practice_uptake) = parameters
    (next_commitment, next_alignment, next_direction, next_trust, next_cynicism, next_practice,
     next_tenure, next_predisposition) = nxt
    peer_start, peer_index, peer_weight = peers
    seen_start, seen_index, seen_weight = skip_level

    for i in range(len(commitment)):
        # 3. Structural cascade: what the manager relays.
        manager = boss[i]
        if manager >= 0:
            boss_gain = relay_gain(commitment[manager], relay_low, relay_high, development[manager])
            boss_direction = direction[manager]
        else:
            boss_gain = 0.0
            boss_direction = 0.0
        held = direction_next(steer[i], boss_direction, boss_gain)
        aligned = alignment_next(alignment[i], held, alignment_rate)

        # 4. Social influence: ties, then the leaders seen and met.
        # Both sums over the ties in one pass, each in the sparse products' order.
        weighted = 0.0
        practising = 0.0
        for k in range(peer_start[i], peer_start[i + 1]):
            weighted += peer_weight[k] * commitment[peer_index[k]]
            practising += peer_weight[k] * practice[peer_index[k]]
        total = tie_weight[i]
        if leaders_seen:
            seen_sum = 0.0
            seen_total = 0.0
            for k in range(seen_start[i], seen_start[i + 1]):
                j = seen_index[k]
                seen_sum += seen_weight[k] * (visibility[j] * commitment[j])
                seen_total += seen_weight[k] * visibility[j]
            weight = leader_trust_weight(trust[i], cynicism[i])
            weighted += weight * (leader_weight * seen_sum + contact_sum[i])
            total += weight * (leader_weight * seen_total + contact_weight[i])
        target = influence_target(weighted, total, commitment[i], predisposition[i], susceptibility[i],
                                  cynicism[i], cynicism_weight)
        target = practice_experience(target, practice[i], practice_learning)
        committed = commitment_next(commitment[i], target, influence_rate)
        spoken = contact_weight[i] != 0.0  # only they can have had issues resolved
        if spoken:
            committed = feedback(committed, kept[i], feedback_boost)

        # 5. Practice. The mode is spelled out so that Numba settles it once.
        if count_peers:
            peers_now = peer_practice(practising, tie_weight[i], "count")
        else:
            peers_now = peer_practice(practising, tie_weight[i], "fraction")
        pressure = accountability_pressure(accountability, boss_gain)
        drive = practice_drive(committed, aligned, pressure, peers_now, practice[i], w_commitment,
                               w_alignment, w_accountability, w_peers, habit)

        # 7. Fatigue, cynicism and trust.
        next_trust[i] = trust_next(trust[i], kept[i], broken[i], trust_rate) if spoken else trust[i]
        if developing:
            next_predisposition[i] = developed_predisposition(predisposition[i], development[i], development_rate)
        next_commitment[i] = committed
        next_alignment[i] = aligned
        next_direction[i] = held
        next_cynicism[i] = cynicism_next(cynicism[i], cynicism_decay, broken[i] * broken_promise_cynicism)
        next_practice[i] = practice_next(practice[i], practises(drive, threshold[i]), practice_draw[i],
                                         practice_uptake)
        next_tenure[i] = tenure[i] + 1.0


def _csr(matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return matrix.indptr, matrix.indices, matrix.data


def compiled_update(model) -> StaffState:
    """Next week's staff state: what `vectorized_update` gives, from one compiled loop."""
    cfg, now, sig = model.config, model.state, model.signals
    n = len(now.commitment)
    developing = bool(model.development.any())
    nxt = tuple(np.empty(n) for _ in range(8))
    _staff_week(
        (now.commitment, now.alignment, now.direction, now.trust, now.cynicism, now.practice, now.tenure,
         now.predisposition, now.susceptibility, now.threshold),
        (sig.steer, sig.visibility, sig.contact_weight, sig.contact_sum, sig.kept, sig.broken, sig.practice_draw),
        float(sig.accountability), sig.leaders_reach_anyone(),
        model.organization.manager, model.development, developing, _csr(model.peers), _csr(model.skip_level),
        model.tie_weight, _parameters(cfg), cfg.peer_mode == "count", nxt)
    commitment, alignment, direction, trust, cynicism, practice, tenure, predisposition = nxt
    return StaffState(
        predisposition=predisposition if developing else now.predisposition,
        susceptibility=now.susceptibility, threshold=now.threshold, passion=now.passion,
        commitment=commitment, alignment=alignment, direction=direction, trust=trust, cynicism=cynicism,
        practice=practice, tenure=tenure, energy=now.energy)


def _parameters(cfg) -> tuple[float, ...]:
    """The configuration values the loop reads, in its order, as floats
    (one compiled loop serves every configuration)."""
    return tuple(float(getattr(cfg, name)) for name in _PARAMETERS)


_PARAMETERS = ("relay_gain_low", "relay_gain_high", "alignment_rate", "leader_weight", "cynicism_weight",
               "practice_learning", "influence_rate", "feedback_boost", "weight_commitment", "weight_alignment",
               "weight_accountability", "weight_peers", "habit", "trust_rate", "development_rate",
               "cynicism_decay", "broken_promise_cynicism", "practice_uptake")


def warm_up() -> None:
    """Compile the loop now, rather than in the first week of the first run
    (about a second). Processes forked afterwards inherit it."""
    from simulation.model import OrgChangeModel  # the model reaches this module through the engines

    model = OrgChangeModel(staff=30, weeks=1, seed=0, engine="compiled")
    model.run()
    model.release()

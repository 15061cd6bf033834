"""The engines of the weekly staff update (steps 3, 4, 5 and 7).

Each applies the same rules from `simulation.rules` to last week's state
and this week's leader signals, and writes next week's state:

* `vectorized_update` applies each rule once to whole arrays, with sparse
  matrix products for the network. It is the default, and fast.
* `agent_update` calls every agent's own ``step()`` (`agents.Person.step`),
  which applies the rules to one person with plain loops over their ties.
  It is the readable reference and the place to extend the model.
* `compiled_update` runs the vectorized engine's arithmetic as one loop
  compiled by Numba (`simulation.compiled`): bit for bit the same numbers,
  for long sweeps. Numba is optional (``orgchange[fast]``).

Everything random is drawn outside these functions, by the model and the
leaders, so the engines see the same numbers and give the same
trajectories to floating-point precision (the vectorized and compiled
engines, exactly).
"""

from __future__ import annotations

import numpy as np

from simulation import rules
from simulation.config import ConfigError
from simulation.state import StaffState


def vectorized_update(model) -> StaffState:
    """Next week's staff state, for everyone at once."""
    cfg, now, sig = model.config, model.state, model.signals
    boss, has_boss = model.boss, model.has_boss

    # 3. Structural cascade.
    gain = rules.relay_gain(now.commitment, cfg.relay_gain_low, cfg.relay_gain_high, model.development)
    boss_gain = np.where(has_boss, gain[boss], 0.0)
    boss_direction = np.where(has_boss, now.direction[boss], 0.0)
    direction = rules.direction_next(sig.steer, boss_direction, boss_gain)
    alignment = rules.alignment_next(now.alignment, direction, cfg.alignment_rate)

    # 4. Social influence.
    weighted = model.peers @ now.commitment
    total = model.tie_weight.copy()
    if sig.leaders_reach_anyone():
        trust_weight = rules.leader_trust_weight(now.trust, now.cynicism)
        seen_sum = model.skip_level @ (sig.visibility * now.commitment)
        seen_weight = model.skip_level @ sig.visibility
        weighted += trust_weight * (cfg.leader_weight * seen_sum + sig.contact_sum)
        total += trust_weight * (cfg.leader_weight * seen_weight + sig.contact_weight)
    target = rules.influence_target(weighted, total, now.commitment, now.predisposition,
                                    now.susceptibility, now.cynicism, cfg.cynicism_weight)
    target = rules.practice_experience(target, now.practice, cfg.practice_learning)
    commitment = rules.commitment_next(now.commitment, target, cfg.influence_rate)
    spoken = np.flatnonzero(sig.contact_weight)  # only they can have had issues resolved
    if len(spoken):
        commitment[spoken] = rules.feedback(commitment[spoken], sig.kept[spoken], cfg.feedback_boost)

    # 5. Practice.
    peers = rules.peer_practice(model.peers @ now.practice, model.tie_weight, cfg.peer_mode)
    pressure = rules.accountability_pressure(sig.accountability, boss_gain)
    drive = rules.practice_drive(commitment, alignment, pressure, peers, now.practice,
                                 cfg.weight_commitment, cfg.weight_alignment, cfg.weight_accountability,
                                 cfg.weight_peers, cfg.habit)

    # 7. Fatigue, cynicism and trust. Only people spoken with on rounds
    # this week can have kept or broken promises; the rest keep their trust.
    trust = now.trust.copy()
    if len(spoken):
        trust[spoken] = rules.trust_next(now.trust[spoken], sig.kept[spoken], sig.broken[spoken], cfg.trust_rate)
    predisposition = now.predisposition
    if model.development.any():
        predisposition = rules.developed_predisposition(now.predisposition, model.development,
                                                        cfg.development_rate)
    nxt = StaffState(
        predisposition=predisposition,
        susceptibility=now.susceptibility, threshold=now.threshold, passion=now.passion,
        commitment=commitment, alignment=alignment, direction=direction,
        trust=trust,
        cynicism=rules.cynicism_next(now.cynicism, cfg.cynicism_decay,
                                     sig.broken * cfg.broken_promise_cynicism),
        practice=rules.practice_next(now.practice, rules.practises(drive, now.threshold), sig.practice_draw,
                                     cfg.practice_uptake),
        tenure=now.tenure + 1.0, energy=now.energy)
    return nxt


def agent_update(model) -> StaffState:
    """Next week's staff state, one agent ``step()`` at a time."""
    model.next_state = model.state.copy()
    model.agents.do("step")
    nxt, model.next_state = model.next_state, None
    return nxt


def compiled_update(model) -> StaffState:
    """Next week's staff state from one compiled loop (`simulation.compiled`;
    needs Numba). The same numbers as `vectorized_update`, sooner."""
    from simulation.compiled import compiled_update as update

    return update(model)


ENGINES = {"vectorized": vectorized_update, "agent": agent_update, "compiled": compiled_update}


def engine(name: str):
    """The update function of the engine called ``name`` (see `ENGINES`).

    Raises `ConfigError` if it cannot run here: the compiled engine needs the
    optional Numba package, and asking for it here (as a model is built)
    makes a missing Numba show at once rather than in the first week.
    """
    if name == "compiled":
        try:
            import simulation.compiled  # noqa: F401
        except ImportError as err:
            raise ConfigError(f"engine: 'compiled' needs the Numba package, which is not installed ({err}); "
                              "install it with pip install \"orgchange[fast]\", or use engine 'vectorized', "
                              "which gives the same results") from None
    return ENGINES[name]


def settle(model, tolerance: float = 1e-10, max_weeks: int = 500) -> None:
    """Bring the founding staff to rest before the strategy starts.

    A hospital has been running long before week 0: commitment has settled
    where the informal network and each person's predisposition hold it
    (the Friedkin-Johnsen rest point), and practice where the drive and
    thresholds hold it. With no leader signals, this iterates the same rules
    as the weekly update (at full rate: the rest point does not depend on
    the rate) until nothing changes by more than ``tolerance``. Practice,
    a threshold rule, is iterated a bounded number of times, as a
    synchronous threshold rule can cycle.
    """
    cfg, s = model.config, model.state
    zeros = np.zeros_like(s.commitment)
    commitment, practice = s.commitment, s.practice
    for _ in range(max_weeks):
        target = rules.influence_target(model.peers @ commitment, model.tie_weight, commitment,
                                        s.predisposition, s.susceptibility)
        target = rules.practice_experience(target, practice, cfg.practice_learning)
        new_commitment = rules.commitment_next(commitment, target, 1.0)
        peers = rules.peer_practice(model.peers @ practice, model.tie_weight, cfg.peer_mode)
        drive = rules.practice_drive(new_commitment, zeros, zeros, peers, practice, cfg.weight_commitment,
                                     cfg.weight_alignment, cfg.weight_accountability, cfg.weight_peers, cfg.habit)
        new_practice = rules.practises(drive, s.threshold).astype(float)
        done = (np.abs(new_commitment - commitment).max(initial=0.0) < tolerance
                and np.array_equal(new_practice, practice))
        commitment, practice = new_commitment, new_practice
        if done:
            break
    s.commitment, s.practice = commitment, practice

"""The engines of the weekly staff update (steps 3, 4, 5 and 7).

An engine is a function ``update(state, signals, network, behaviour)`` that
returns next week's `StaffState`. All three run the one composition of the
week in `simulation.week` (see its docstring), and give identical numbers:

* ``"vectorized"``: `vectorized_update` runs `simulation.week.staff_week`
  on everyone at once, with sparse products for the network. The default.
* ``"agent"``: `AgentEngine` has every agent run its own ``step()``
  (`agents.Person.step`), which runs the same week on its own index. The
  readable reference, and the place to extend a person's behaviour.
* ``"compiled"``: `simulation.compiled.compiled_update` runs the same week
  as one loop over people compiled by Numba, for long sweeps. Numba is
  optional (``orgchange[fast]``).

Everything random is drawn outside the engines, by the model and the
leaders, so every engine sees the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simulation.errors import ConfigError
from simulation.parameters import Behaviour
from simulation.state import COMMITMENT, PRACTICE, Signals, StaffState
from simulation.week import (
    AROUND_FIELDS,
    CARRIED_FIELDS,
    Network,
    NetworkArrays,
    gather_everyone,
    network_arrays,
    staff_week_by_block,
)

Engine = Callable[[StaffState, Signals, Network, Behaviour], StaffState]
"""``update(state, signals, network, behaviour) -> next week's state``."""


def vectorized_update(state: StaffState, signals: Signals, network: Network, behaviour: Behaviour) -> StaffState:
    """Next week's staff state, for everyone at once."""
    # Traits and energy carry over; the week writes every other row whole.
    nxt = StaffState(np.empty_like(state.values))
    for row in CARRIED_FIELDS:
        nxt.values[row] = state.values[row]
    around = gather_everyone(state.values, signals.values, network)
    staff_week_by_block(state.values, around, signals.values, behaviour, nxt.values)
    return nxt


@dataclass
class AgentWeek:
    """What each agent's ``step()`` reads while the agent engine runs a week."""

    now: np.ndarray
    nxt: np.ndarray
    sig: np.ndarray
    network: NetworkArrays  # `simulation.week.network_arrays`
    behaviour: Behaviour
    around: np.ndarray  # scratch space, one column of `AROUND_FIELDS`


class AgentEngine:
    """The agent engine: every agent runs its own ``step()`` (Mesa's
    ``agents.do("step")``), writing its own column of next week's state.

    The update is synchronous (each agent reads only this week's arrays), so
    the order in which agents step does not matter; ``shuffle_do`` gives the
    same week.
    """

    def __init__(self, agents: Any) -> None:
        self.agents = agents
        self.week: AgentWeek | None = None  # set while a week runs

    def __call__(self, state: StaffState, signals: Signals, network: Network, behaviour: Behaviour) -> StaffState:
        nxt = state.copy()
        self.week = AgentWeek(state.values, nxt.values, signals.values, network_arrays(network), behaviour,
                              np.empty(len(AROUND_FIELDS)))
        try:
            self.agents.do("step")
        finally:
            self.week = None
        return nxt


def compiled_update(state: StaffState, signals: Signals, network: Network, behaviour: Behaviour) -> StaffState:
    """Next week's staff state from one compiled loop (`simulation.compiled`;
    needs Numba). The same numbers as `vectorized_update`."""
    from simulation.compiled import compiled_update as update

    return update(state, signals, network, behaviour)


ENGINE_NAMES = ("vectorized", "agent", "compiled")


def engine(name: str, agents: Any = None) -> Engine:
    """The update function of the engine called ``name``; the agent engine
    runs the steps of ``agents`` (a Mesa AgentSet).

    Raises `ConfigError` if it cannot run here: the compiled engine needs the
    optional Numba package, and asking for it here (as a model is built)
    makes a missing Numba show at once rather than in the first week.
    """
    if name == "agent":
        return AgentEngine(agents)
    if name == "compiled":
        try:
            import simulation.compiled  # noqa: F401
        except ImportError as err:
            raise ConfigError(f"'compiled' needs the Numba package, which is not installed ({err}); "
                              "install it with pip install \"orgchange[fast]\", or use engine 'vectorized', "
                              "which gives the same results", ("engine",)) from None
        return compiled_update
    if name == "vectorized":
        return vectorized_update
    raise ConfigError(f"must be one of {', '.join(map(repr, ENGINE_NAMES))}, got {name!r}", ("engine",))


def settle(state: StaffState, network: Network, behaviour: Behaviour, tolerance: float = 1e-10,
           max_weeks: int = 500, quiet: Signals | None = None) -> None:
    """Bring the founding staff to rest before the strategy starts.

    A hospital has been running long before week 0: commitment has settled
    where the informal network and each person's predisposition hold it
    (the Friedkin-Johnsen rest point), and practice where the drive and
    thresholds hold it. With no leader signals (``quiet``: blank signals,
    all zeros, which it only reads; new ones if not given), this runs the
    staff week itself (at full rate and full uptake: the rest point depends
    on neither) until commitment changes by less than ``tolerance`` and
    practice not at all, and keeps the commitment and practice it reaches.
    Practice, a threshold rule, is iterated a bounded number of times, as a
    synchronous threshold rule can cycle.
    """
    at_once = replace(behaviour, influence_rate=1.0, practice_uptake=1.0)
    signals = (quiet if quiet is not None else Signals(state.n)).values
    # The week runs on the state's own rows: only commitment and practice
    # change here, and they are written back as each week ends. The rows
    # of ``nxt`` the week does not write are never read, so they need no
    # values. A large hospital's build reaches its peak memory here, and a
    # copy of the state and signals of its own would add some 215 bytes a
    # person to it.
    now, nxt = state.values, np.empty_like(state.values)
    for _ in range(max_weeks):
        staff_week_by_block(now, gather_everyone(now, signals, network), signals, at_once, nxt)
        done = (np.abs(nxt[COMMITMENT] - now[COMMITMENT]).max(initial=0.0) < tolerance
                and np.array_equal(nxt[PRACTICE], now[PRACTICE]))
        now[COMMITMENT], now[PRACTICE] = nxt[COMMITMENT], nxt[PRACTICE]
        if done:
            break

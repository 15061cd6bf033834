"""The compiled engine: the staff week as one loop over people, compiled by Numba.

`compiled_update` runs the week of `simulation.week` for one person after
another: `gather_person`, then `staff_week` on the person's column. Numba
compiles that loop to machine code, so where the vectorized engine makes a
few dozen numpy calls a week (each cheap, but each with a fixed cost that
dominates at a few hundred staff) this engine makes one call.

How it stays the same model:

* **Nothing is written again.** `twins` compiles every function of
  `simulation.rules` and the two functions of `simulation.week` from their
  own source, each seeing the others' twins where the original sees the
  originals. Only `rules.select` (``np.where``) has a scalar stand-in,
  because Numba's ``np.where`` on scalars returns an array.
* **The same arithmetic in the same order.** `gather_person` sums each
  person's ties in storage order from zero, as SciPy's sparse products do,
  and every rule does per person what numpy does per element. Powers in the
  rules raise a number from the configuration to a power per person, which
  numpy computes element by element with the C library's ``pow``, as the
  loop does. (Were a rule to raise a whole array to a power, numpy's SIMD
  ``pow`` could differ in the last bit.) `tests/test_engines.py` holds the
  engines to identical trajectories.
* **The parameters are the same object's.** The loop reads the behaviour
  parameters by name from a named tuple made from `Behaviour` itself: the
  fields the staff week reads (`WEEK_PARAMETERS`), the numbers handed over
  as a plain tuple and the one text (``peer_mode``) apart, because Numba
  checks the types of a plain tuple of numbers in a few microseconds and
  those of a named tuple with text in it in a few hundred, every week.

Numba is optional (``pip install "orgchange[fast]"``).
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections import namedtuple
from dataclasses import fields
from types import FunctionType, ModuleType, SimpleNamespace
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from numba import njit

from simulation import rules, week
from simulation.parameters import Behaviour
from simulation.state import SIGNAL_FIELDS, STATE_FIELDS, Signals, StaffState
from simulation.week import AROUND_FIELDS, Network, network_arrays


@njit(cache=True, inline="always")  # compiled into the rules that choose (see `_compiled`)
def _select(condition, if_true, if_false):
    """`rules.select` for one person."""
    return if_true if condition else if_false


def _parameters_read() -> tuple[str, ...]:
    """The fields of `Behaviour` that `week.staff_week` reads (as ``p.name``),
    the numbers first, in the order of `Behaviour`, and ``peer_mode`` last."""
    read = set(re.findall(r"\bp\.(\w+)", inspect.getsource(week.staff_week)))
    names = [f.name for f in fields(Behaviour) if f.name in read and f.name != "peer_mode"]
    return (*names, "peer_mode")


WEEK_PARAMETERS = _parameters_read()
"""The behaviour parameters the compiled week reads, in the order of `BehaviourTuple`."""

# Numba's on-disk cache checks only the stamp of the file a function comes
# from, not of the functions it calls nor of the globals it reads, so a
# changed rule would leave the cached week stale, and so would a change in
# the order of the parameters (the loop reads them by position from the
# tuple it is handed) or of the rows of the state (the week reads them by
# number). Naming every compiled function after the source of the rules and
# the week, the parameters' order and the rows gives each change a cache
# entry of its own.
VERSION = hashlib.sha256((inspect.getsource(rules) + inspect.getsource(week)
                          + " ".join(WEEK_PARAMETERS + STATE_FIELDS + SIGNAL_FIELDS)).encode()).hexdigest()[:12]
"""A stamp of the source of the rules and the week, of `WEEK_PARAMETERS` and of the state's rows."""


def _compiled(original: FunctionType, namespace: dict[str, Any], inline: bool = True) -> Any:
    """``original``'s code, compiled by Numba, seeing ``namespace`` as its
    globals and named after `VERSION` (cached on disk). An inlined function
    is compiled into its callers: no call between rules, or between the week
    and its rules, costs anything (calls that pass arrays cost a count of
    references each, which was a third of the loop's time)."""
    twin = FunctionType(original.__code__, namespace, original.__name__, original.__defaults__)
    twin.__qualname__ = f"{original.__name__}_{VERSION}"
    return njit(cache=True, inline="always" if inline else "never")(twin)


def _compile_twins() -> SimpleNamespace:
    """Every rule of `simulation.rules`, and the week's `gather_person` and
    `staff_week`, compiled from their own source.

    A twin sees the other twins where the original sees the originals, so a
    rule that calls another (``commitment_next`` keeps its result ``within``
    [0, 1]) calls the compiled one, and so does the week.
    """
    namespace = dict(vars(rules), select=_select)
    compiled = {}
    originals = [(name, f) for name, f in vars(rules).items()
                 if isinstance(f, FunctionType) and f.__module__ == rules.__name__ and name != "select"]
    for name, original in originals:
        compiled[name] = namespace[name] = _compiled(original, namespace)
    # The week calls the rules through the module `rules`: here, a module of twins.
    twin_rules = ModuleType("simulation.rules (compiled)")
    vars(twin_rules).update(compiled, select=_select)
    week_namespace = {**vars(week), "rules": twin_rules}
    for name in ("gather_person", "staff_week"):
        compiled[name] = week_namespace[name] = _compiled(vars(week)[name], week_namespace)
    return SimpleNamespace(**compiled)


twins = _compile_twins()
"""The compiled twins, by name (``twins.influence_target``, ``twins.staff_week``)."""

_gather_person, _staff_week = twins.gather_person, twins.staff_week

# Its fields are known only at run time, so the type checker sees it as Any.
BehaviourTuple = cast(Any, namedtuple)("BehaviourTuple", WEEK_PARAMETERS)
"""The parameters the staff week reads, as a named tuple, which compiled code can read by field name."""


def _everyone(now, sig, has_boss, boss, tie_weight, peer_start, peer_index, peer_weight, seen_start, seen_index,
              seen_weight, numbers, peer_mode, nxt):
    """The week of everyone, one person after another (compiled as `_week`)."""
    p = BehaviourTuple(*numbers, peer_mode)
    around = np.empty(len(AROUND_FIELDS))
    for i in range(now.shape[1]):
        _gather_person(i, now, sig, has_boss, boss, tie_weight, peer_start, peer_index, peer_weight,
                       seen_start, seen_index, seen_weight, around)
        _staff_week(now[:, i], around, sig[:, i], p, nxt[:, i])


# Cached like the twins: with them inlined, compiling it takes seconds.
_week = _compiled(cast(FunctionType, _everyone), globals(), inline=False)


def behaviour_numbers(behaviour: Behaviour) -> tuple[Any, ...]:
    """The numbers of `WEEK_PARAMETERS` in ``behaviour`` (all but ``peer_mode``), as they are."""
    return tuple(getattr(behaviour, name) for name in WEEK_PARAMETERS[:-1])


def compiled_update(state: StaffState, signals: Signals, network: Network, behaviour: Behaviour) -> StaffState:
    """Next week's staff state: what `vectorized_update` gives, from one compiled loop."""
    nxt = state.copy()
    _week(state.values, signals.values, *network_arrays(network), behaviour_numbers(behaviour), behaviour.peer_mode,
          nxt.values)
    return nxt


def warm_up() -> None:
    """Compile the loop now, rather than in the first week of the first run:
    one week of a two-person hospital. Processes forked afterwards inherit it."""
    nobody = sp.csr_matrix((2, 2))
    network = Network(nobody, nobody, np.array([-1, 0]))
    compiled_update(StaffState(np.zeros((len(STATE_FIELDS), 2))), Signals(2), network, Behaviour())

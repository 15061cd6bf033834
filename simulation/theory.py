"""The model reproduces classic results of social-influence and contagion theory.

An agent-based model earns trust when, in special cases, it provably reduces
to models whose behaviour is known exactly. This module makes that provable
for orgchange. Every case below builds a real `OrgChangeModel`, switches off
every mechanism the theory does not have, gives it the network and the traits
the theory assumes, and advances it with ``model.step()``: the whole weekly
schedule, with the production rule functions of `simulation.rules`. Nothing
here re-implements an update rule. What this module adds is the *theory*:
closed forms, fixed points and generating functions, computed independently
of the model, and the comparison of the two.

The reductions (`docs/validation.md` explains each in full):

* Social influence (`rules.influence_target`, `rules.commitment_next`). With
  ``influence_rate = 1`` a person's commitment becomes
  ``s_i (W c)_i / (W 1)_i + (1 - s_i) pi_i``, the Friedkin-Johnsen update
  with Lambda = diag(susceptibility) and anchors pi = predisposition; with
  susceptibility 1 as well it is DeGroot averaging.
* Practice (`rules.peer_practice`, `rules.practice_drive`, `rules.practises`).
  With every weight but ``weight_peers = 1`` set to 0, no habit, and
  everyone acting on their drive at once (``practice_uptake = 1``), a person
  practises when the share (``peer_mode = "fraction"``) or the number
  (``"count"``) of their ties who practised last week reaches their
  threshold: Granovetter's and Watts' threshold models, and Centola and
  Macy's complex contagion. A seed is a person with threshold 0 (they always
  practise). Starting from seeds only, these dynamics are monotone (nobody
  who practises ever stops), so no habit term is needed to make adoption
  permanent.
* The hierarchy: commitment down the reporting lines under a CEO whose
  susceptibility is 0, a linear recursion from level to level.

Public API: `Case` (one row of the results), one function per theory
(`degroot`, `friedkin_johnsen`, `granovetter_riot`, `granovetter_normal`,
`watts_cascade`, `complex_contagion`, `rewiring`, `hierarchy_chain`), the
theory they are compared with (`degroot_consensus`, `fj_equilibrium`,
`normal_equilibrium`, `critical_spread`, `watts_window`,
`watts_cascade_probability`, `ring_spread_weeks`, `chain_commitment`,
`chart_chain_equilibrium`), `case_groups`, `run_all`, and the table:
`format_table`, or `format_header` and `format_row` for a table printed as
its cases finish, which ``orgchange validate`` does.

Tolerances. Exact cases must agree to `EXACT` (1e-9). Stochastic cases pass
within `SIGMAS` (4) standard errors of the mean over the replicates, from
the binomial or the sampling distribution, plus where stated a term for the
model's finite size; every tolerance is computed, in the function that
states it, from the number of replicates and people. Every random draw comes
from a numpy Generator seeded from `DEFAULT_SEED` (or the seed given), so a
run is reproducible.

References
----------
* DeGroot, M. H. (1974). Reaching a consensus. *Journal of the American
  Statistical Association* 69(345):118-121.
* Friedkin, N. E. and Johnsen, E. C. (1990). Social influence and opinions.
  *Journal of Mathematical Sociology* 15(3-4):193-206.
* Granovetter, M. (1978). Threshold models of collective behavior.
  *American Journal of Sociology* 83(6):1420-1443.
* Watts, D. J. (2002). A simple model of global cascades on random networks.
  *PNAS* 99(9):5766-5771.
* Gleeson, J. P. and Cahalane, D. J. (2007). Seed size strongly affects
  cascades on random networks. *Physical Review E* 75(5):056103.
* Centola, D. and Macy, M. (2007). Complex contagions and the weakness of
  long ties. *American Journal of Sociology* 113(3):702-734.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy import optimize, stats

from simulation.config import Config
from simulation.model import OrgChangeModel
from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR, Organization
from simulation.parameters import PARAMETERS

DEFAULT_SEED = PARAMETERS["seed"].default
"""Root seed of ``orgchange validate``: the default seed of every command (0)."""
EXACT = 1e-9
"""Tolerance of the exact cases."""
SIGMAS = 4.0
"""Stochastic cases pass within this many standard errors. For a normal
estimate, a correct model fails one comparison in about 16,000."""

WATTS_PHI = 0.18
"""The uniform threshold of the Watts cases; its window is about 1.02 < z < 5.76."""
WATTS_Z_QUICK = (0.5, 2.0, 4.0, 8.0)
WATTS_Z_FULL = (0.5, 1.5, 2.0, 3.0, 4.0, 8.0)
"""Mean degrees compared with theory: two outside the window, the rest inside."""
WATTS_EDGE_MARGINS = (0.45, 1.7)
"""No stochastic comparison is made within these distances in z of the lower
and the upper edge of the window, where finite-size effects dominate. The
lower edge is benign: the cascade probability grows continuously from 0
there. The upper edge is not: at n = 2000 (2000 replicates), z = 5 (0.76
inside) reads high by about two standard errors, and just outside, where
theory says no single seed can start a global cascade, z = 6.3 (0.54
outside) still cascades in about 8% of graphs and z = 7 in about 0.1%."""


# =====================================================================================
# One row of the results
# =====================================================================================
@dataclass(frozen=True)
class Case:
    """One comparison of the model with theory.

    Attributes
    ----------
    name : str
        The theory and the quantity compared.
    setting : str
        Network, parameters and replicates.
    expected : float
        The value theory gives.
    simulated : float
        The value the model gives.
    tolerance : float
        Allowed ``error`` for ``relation == "=="``; unused for one-sided cases.
    relation : str
        ``"=="``: pass when ``error <= tolerance``. ``"<"`` or ``">"``: a
        one-sided prediction, pass when ``simulated < expected`` (or ``>``).
    error : float or None
        The discrepancy measured, when it is not ``|simulated - expected|``
        (for example the largest difference over all agents, while
        ``expected`` and ``simulated`` show their means).
    """

    name: str
    setting: str
    expected: float
    simulated: float
    tolerance: float = 0.0
    relation: str = "=="
    error: float | None = None

    @property
    def deviation(self) -> float:
        """The discrepancy the pass/fail decision uses (``"=="`` cases)."""
        if self.error is not None:
            return float(self.error)
        return abs(float(self.simulated) - float(self.expected))

    @property
    def passed(self) -> bool:
        if self.relation == "<":
            return bool(self.simulated < self.expected)
        if self.relation == ">":
            return bool(self.simulated > self.expected)
        return bool(self.deviation <= self.tolerance)  # False for NaN


def _binomial_tolerance(p: float, replicates: int) -> float:
    """`SIGMAS` binomial standard errors of a frequency over ``replicates``
    trials, plus one trial's worth (1/R), so that an expected frequency of 0
    tolerates the granularity of counting."""
    return SIGMAS * math.sqrt(p * (1.0 - p) / replicates) + 1.0 / replicates


# =====================================================================================
# Building a reduced model
# =====================================================================================
_NEUTRAL = dict(
    # No strategy: nobody steers, rounds, sponsors, sits on a committee or shows passion.
    involved=[], rounders=[], committee=False, steering=0.0, accountability=0.0, resources=0.0,
    passion_display=0.0, projects_per_leader=0, rounding_frequency=0.0, middle_development=0.0,
    impetus_shocks=[], schedule=[], ceo_departure_week=0,
    # A closed population: no turnover, no projects, no cynicism in the influence target.
    turnover_rate=0.0, ceo_turnover=0.0, senior_turnover=0.0, project_start_rate=0.0, cynicism_weight=0.0,
    # Influence: Friedkin-Johnsen with rate 1; doing QI work does not pull commitment, and
    # no rounding feedback.
    influence_rate=1.0, practice_learning=0.0, feedback_boost=0.0,
    # Practice: only peers count (habit 0: see the module docstring), and everyone acts on
    # their drive the same week, as in Granovetter's and Watts' models.
    weight_commitment=0.0, weight_alignment=0.0, weight_accountability=0.0, weight_peers=1.0, habit=0.0,
    practice_uptake=1.0,
    # The feedback loops and slow processes of the full model: results move
    # neither commitment nor urgency, no programme lapses, pressure has no meaning, private anchors
    # stay put, overload costs no practice, and the climate moves nobody out.
    results_boost=0.0, results_urgency=0.0, lapse_urgency=0.0, pressure_meaning=0.0, compliance_cynicism=0.0,
    predisposition_drift=0.0, hire_culture=0.0, weight_workload=0.0, climate_turnover=0.0,
    # Every hospital typical: no context drawn.
    hospital_culture_sd=0.0, hospital_passion_sd=0.0, hospital_turnover_sd=0.0, hospital_staffing_sd=0.0,
    weeks=5200,  # longer than any reduction runs
)
"""Every mechanism the classic models lack, switched off.

Only the names this version of the model has are used, so the reductions
keep working as parameters come and go. A mechanism added later with a
default that is not neutral shows up here as a failing case, which is the
point: add it to this list, switched off."""


def neutral_config(**changes) -> Config:
    """A `Config` with every mechanism off that the classic models lack.

    What stays on is social influence on commitment and the practice
    threshold rule; ``changes`` set their parameters (``peer_mode``,
    ``influence_rate``, ``engine``, ``seed``, ...).
    """
    neutral = {k: v for k, v in _NEUTRAL.items() if k in PARAMETERS}
    return Config(**{**neutral, **changes})


def flat_organization(n: int) -> Organization:
    """The smallest valid structure for ``n`` people: person 0 is the CEO and
    everyone else is frontline staff of unit 0 reporting to them. The
    network the engine reads is replaced afterwards (`OrgChangeModel.use_network`)."""
    role = np.full(n, FRONTLINE, dtype=np.int64)
    role[0] = CEO
    manager = np.zeros(n, dtype=np.int64)
    manager[0] = -1
    unit = np.zeros(n, dtype=np.int64)
    unit[0] = -1
    return Organization(role=role, manager=manager, unit=unit, ties=np.zeros((0, 2), dtype=np.int64),
                        committee=np.zeros(0, dtype=np.int64), physician=-1)


def _anchor_chain(model: OrgChangeModel, susceptibility: float, anchor: float, ceo: float) -> None:
    """Give a chain of command its traits: the CEO (index 0) holds to
    ``ceo``; everyone below has predisposition ``anchor`` and the given
    susceptibility; each starts at their predisposition."""
    s = model.state
    s.susceptibility[:] = susceptibility
    s.susceptibility[0] = 0.0
    s.predisposition[:] = anchor
    s.predisposition[0] = ceo
    s.commitment[:] = s.predisposition


def chain_organization(levels: int) -> Organization:
    """A single chain of command of ``levels + 1`` people: the CEO (level 0),
    a senior leader, a middle manager heading unit 0, then frontline staff,
    each reporting to the one above. The engine does not require that only
    middle managers have frontline reports, so levels 4 and below are
    frontline staff reporting to frontline staff (think charge nurses)."""
    n = levels + 1
    role = np.full(n, FRONTLINE, dtype=np.int64)
    role[0] = CEO
    if n > 1:
        role[1] = SENIOR
    if n > 2:
        role[2] = MIDDLE
    manager = np.arange(-1, n - 1, dtype=np.int64)
    unit = np.where(role >= MIDDLE, 0, -1).astype(np.int64)
    return Organization(role=role, manager=manager, unit=unit, ties=np.zeros((0, 2), dtype=np.int64),
                        committee=np.zeros(0, dtype=np.int64), physician=-1)


def reduced_model(organization: Organization, weights=None, *, rng: np.random.Generator | None = None,
                  **config) -> OrgChangeModel:
    """A real `OrgChangeModel` on ``organization`` with `neutral_config`
    (updated by ``config``), listening along ``weights`` if given. Set its
    traits and state in ``model.state`` before stepping."""
    if rng is not None:
        config.setdefault("seed", int(rng.integers(2**62)))
    model = OrgChangeModel(neutral_config(**config), organization=organization)
    if weights is not None:
        model.use_network(weights)
    return model


def settle_commitment(model: OrgChangeModel, max_weeks: int = 100_000, atol: float = 1e-15) -> int:
    """Step the model until no commitment moves by more than ``atol`` in a
    week; return the number of weeks stepped."""
    for week in range(1, max_weeks + 1):
        before = model.state.commitment.copy()
        model.step()
        if np.max(np.abs(model.state.commitment - before)) <= atol:
            return week
    raise RuntimeError(f"commitment still moving after {max_weeks} weeks")


def settle_practice(model: OrgChangeModel, max_weeks: int = 100_000) -> int:
    """Step the model until practice stops changing; return the number of
    weeks in which someone started (or stopped) practising."""
    for week in range(max_weeks):
        before = model.state.practice.copy()
        model.step()
        if np.array_equal(model.state.practice, before):
            return week
    raise RuntimeError(f"practice still changing after {max_weeks} weeks")


def seed_practice(model: OrgChangeModel, thresholds, seeds) -> None:
    """Give everyone their threshold, make ``seeds`` practise with threshold 0
    (so they always do), and nobody else practise."""
    s = model.state
    s.threshold[:] = thresholds
    s.practice[:] = 0.0
    s.threshold[seeds] = 0.0
    s.practice[seeds] = 1.0


def _row_normalized(w: np.ndarray) -> np.ndarray:
    return w / w.sum(axis=1, keepdims=True)


def _random_influence_matrix(n: int, rng: np.random.Generator, others: int | None = None) -> np.ndarray:
    """A random row-stochastic influence matrix with positive self-weights.

    ``others=None``: everyone listens to everyone (dense). Otherwise each
    person listens to themselves, the next person round a circle (so that
    the network is strongly connected) and ``others`` random others.
    Positive self-weights make it aperiodic, so DeGroot converges.
    """
    if others is None:
        w = rng.random((n, n)) + 0.01
    else:
        w = np.zeros((n, n))
        for i in range(n):
            chosen = rng.choice(np.delete(np.arange(n), i), size=others, replace=False)
            w[i, chosen] = rng.random(others) + 0.01
        w[np.arange(n), (np.arange(n) + 1) % n] += rng.random(n) + 0.01
        w[np.arange(n), np.arange(n)] += rng.random(n) + 0.01
    return _row_normalized(w)


# =====================================================================================
# 1. DeGroot (1974)
# =====================================================================================
def degroot_consensus(weights: np.ndarray, x0: np.ndarray) -> float:
    """DeGroot's consensus: ``pi @ x0``, where ``pi`` is the left unit
    eigenvector of the row-normalized W (``pi W = pi``, ``sum(pi) = 1``).

    Repeated averaging ``x(t+1) = W x(t)`` of a strongly connected, aperiodic
    W converges to ``1 pi^T x0``: everyone ends at the same opinion, the
    initial opinions weighted by their holders' eigenvector centrality.
    """
    w = _row_normalized(np.asarray(weights, dtype=float))
    values, vectors = np.linalg.eig(w.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    pi = pi / pi.sum()
    return float(pi @ x0)


def degroot(rng: np.random.Generator, n: int = 12, others: int | None = None,
            engine: str = "vectorized") -> Case:
    """DeGroot averaging: influence rate 1, susceptibility 1 for everyone.

    The influence target is then the tie-weighted mean of the commitment of
    the people one listens to, and commitment becomes it each week:
    ``c(t+1) = W c(t)``. Compared with `degroot_consensus`; the error is the
    largest distance of anyone's final commitment from it.
    """
    w = _random_influence_matrix(n, rng, others)
    x0 = rng.random(n)
    model = reduced_model(flat_organization(n), w, rng=rng, engine=engine)
    model.state.susceptibility[:] = 1.0
    model.state.commitment[:] = x0
    weeks = settle_commitment(model)
    expected = degroot_consensus(w, x0)
    final = model.state.commitment
    kind = "dense" if others is None else f"sparse ({others + 2} ties)"
    return Case("DeGroot: consensus", f"{kind} W, n={n}, {engine} engine, {weeks} wk",
                expected, float(final.mean()), EXACT, error=float(np.max(np.abs(final - expected))))


# =====================================================================================
# 2. Friedkin and Johnsen (1990)
# =====================================================================================
def fj_equilibrium(weights: np.ndarray, susceptibility: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """Friedkin-Johnsen equilibrium ``x* = (I - Lambda W)^-1 (I - Lambda) x0``.

    Each person is pulled with weight ``lambda_i`` towards the mean of those
    they listen to and with weight ``1 - lambda_i`` back to their initial
    opinion ``x0``. When ``Lambda W`` has spectral radius below 1 (everyone
    is linked, directly or not, to someone with some stubbornness) the
    iteration ``x(t+1) = Lambda W x(t) + (I - Lambda) x0`` converges to x*.
    """
    w = _row_normalized(np.asarray(weights, dtype=float))
    lam = np.diag(susceptibility)
    return np.linalg.solve(np.eye(len(x0)) - lam @ w, (1.0 - susceptibility) * x0)


def friedkin_johnsen(rng: np.random.Generator, n: int = 30, others: int = 3,
                     fully_stubborn: int = 0, fully_susceptible: int = 0) -> Case:
    """Friedkin-Johnsen: influence rate 1, susceptibility = Lambda, and the
    predisposition as the anchor (and the starting commitment) x0.

    ``fully_stubborn`` people get susceptibility 0 (they never move),
    ``fully_susceptible`` get 1 (no anchor of their own); the rest are drawn
    from U(0.2, 0.95). Compared with `fj_equilibrium`, agent by agent.
    """
    w = _random_influence_matrix(n, rng, others)
    x0 = rng.random(n)
    lam = rng.uniform(0.2, 0.95, n)
    special = rng.permutation(n)
    lam[special[:fully_stubborn]] = 0.0
    lam[special[fully_stubborn:fully_stubborn + fully_susceptible]] = 1.0
    model = reduced_model(flat_organization(n), w, rng=rng)
    model.state.susceptibility[:] = lam
    model.state.predisposition[:] = x0
    model.state.commitment[:] = x0
    weeks = settle_commitment(model)
    expected = fj_equilibrium(w, lam, x0)
    final = model.state.commitment
    setting = f"n={n}, {others + 2} ties each"
    if fully_stubborn or fully_susceptible:
        setting += f", {fully_stubborn} with s=0, {fully_susceptible} with s=1"
    return Case("Friedkin-Johnsen: equilibrium (mean)", f"{setting}, {weeks} wk", float(expected.mean()),
                float(final.mean()), EXACT, error=float(np.max(np.abs(final - expected))))


# =====================================================================================
# 3. Granovetter (1978)
# =====================================================================================
def complete_graph(n: int) -> sp.csr_matrix:
    """Complete mixing: everyone listens to everyone else, with weight 1."""
    return sp.csr_matrix(np.ones((n, n)) - np.eye(n))


def _run_threshold_model(model: OrgChangeModel, thresholds: np.ndarray) -> tuple[int, int]:
    """Start with nobody practising, thresholds as given; run to rest and
    return (people practising, weeks in which someone started)."""
    model.state.threshold[:] = thresholds
    model.state.practice[:] = 0.0
    weeks = settle_practice(model)
    return int(model.state.practice.sum()), weeks


def granovetter_riot(rng: np.random.Generator, n: int = 100) -> list[Case]:
    """Granovetter's riot: thresholds 0, 1, ..., n-1 as numbers of others
    rioting (``peer_mode = "count"``), everyone seeing everyone.

    The instigator (threshold 0) starts, which brings in the person with
    threshold 1, and so on: one more rioter a week until all n riot. Move
    the person with threshold 1 to threshold 2 and the chain breaks at
    once: only the instigator riots. Same distribution of motives to within
    one person, opposite outcomes.
    """
    model = reduced_model(flat_organization(n), complete_graph(n), rng=rng, peer_mode="count")
    thresholds = np.arange(n, dtype=float)
    rioters, weeks = _run_threshold_model(model, thresholds)
    moved = thresholds.copy()
    moved[1] = 2.0
    model = reduced_model(flat_organization(n), complete_graph(n), rng=rng, peer_mode="count")
    rioters_moved, _ = _run_threshold_model(model, moved)
    return [
        Case("Granovetter riot: rioters", f"n={n}, thresholds 0..{n - 1}, complete mixing",
             float(n), float(rioters), EXACT),
        Case("Granovetter riot: weeks to riot", f"n={n}, one more rioter a week", float(n), float(weeks), EXACT),
        Case("Granovetter riot: rioters", "same, threshold 1 moved to 2", 1.0, float(rioters_moved), EXACT),
    ]


def realized_equilibrium(thresholds: np.ndarray) -> int:
    """Granovetter's recursion on the realized thresholds: with R people
    acting, everyone whose threshold is at most ``R / (n - 1)`` (the share
    of the others who act) acts next round. Iterated from R = 0."""
    n = len(thresholds)
    acting = 0
    while True:
        nxt = int(np.sum(thresholds <= acting / (n - 1)))
        if nxt == acting:
            return acting
        acting = nxt


def normal_equilibrium(mu: float, sigma: float) -> float:
    """The share acting at equilibrium in an infinite population with
    normally distributed thresholds: the smallest fixed point of
    ``r = F(r) = Phi((r - mu) / sigma)``, reached by iterating from 0."""
    r = 0.0
    for _ in range(1_000_000):
        nxt = float(stats.norm.cdf((r - mu) / sigma))
        if abs(nxt - r) < 1e-15:
            return nxt
        r = nxt
    return r


def critical_spread(mu: float) -> tuple[float, float]:
    """The critical standard deviation of thresholds (Granovetter 1978).

    Below it the riot stays small; above it, it takes almost everyone. At
    the critical point ``F(r) = Phi((r - mu)/sigma)`` touches the diagonal:
    ``F(r) = r`` and ``F'(r) = phi(x) / sigma = 1`` with ``x = (r - mu) /
    sigma``, so ``sigma = phi(x)`` and ``Phi(x) - x phi(x) = mu``. Returns
    ``(sigma_c, x_c)``; for mu = 0.25, sigma_c = 0.1222, Granovetter's
    "12.2" for a crowd of 100 with mean threshold 25.
    """
    x = optimize.brentq(lambda x: stats.norm.cdf(x) - x * stats.norm.pdf(x) - mu, -10.0, 0.0, xtol=1e-14)
    return float(stats.norm.pdf(x)), float(x)


def _crowd(n: int, rng: np.random.Generator) -> OrgChangeModel:
    """A crowd of n in complete mixing, thresholds as shares of the others."""
    return reduced_model(flat_organization(n), complete_graph(n), rng=rng, peer_mode="fraction")


def granovetter_normal(rng: np.random.Generator, mu: float = 0.25, sigmas: Sequence[float] = (0.10, 0.20),
                       n: int = 1000, replicates: int = 10, critical_n: int = 1000) -> list[Case]:
    """Granovetter's normally distributed thresholds, as shares of the others
    (``peer_mode = "fraction"``), everyone seeing everyone.

    Three comparisons:

    1. *Exact*, for a crowd of 100 (Granovetter's): the model's final count
       equals the recursion `realized_equilibrium` on the same thresholds.
    2. *Infinite-population theory*: the mean final share over
       ``replicates`` crowds of ``n`` equals `normal_equilibrium`. The
       realized fixed point moves with the empirical CDF:
       ``r_hat - r* ~ (F_hat - F)(r*) / (1 - F'(r*))``, so its standard error
       over R crowds is ``sqrt(r*(1 - r*) / (n R)) / (1 - F'(r*))``; the
       tolerance is `SIGMAS` of those plus 1/n, the granularity of counting
       people. These sigmas stay well away from the critical one.
    3. *The critical spread*: bisection on sigma, running the model on a
       crowd whose thresholds sit at the normal quantiles ``mu + sigma
       Phi^-1((i - 1/2)/n)``. Its empirical CDF is within 1/(2n) of Phi, and
       seeing ``R/(n - 1)`` rather than ``R/n`` shifts F by at most
       ``1/(n - 1)``; a perturbation e of F moves the tangency by
       ``e / |dF/dsigma| = e / |x_c|``, which with the bisection's width is
       the tolerance. This is the boundary case where finite size
       dominates, which is why it uses a deterministic crowd rather than
       random replicates.
    """
    cases = []
    for sigma in sigmas:
        thresholds = mu + sigma * rng.standard_normal(100)
        model = _crowd(100, rng)
        acting, _ = _run_threshold_model(model, thresholds)
        cases.append(Case("Granovetter normal: acting (realized)", f"n=100, mu={mu}, sigma={sigma}",
                          float(realized_equilibrium(thresholds)), float(acting), EXACT))
    for sigma in sigmas:
        expected = normal_equilibrium(mu, sigma)
        slope = stats.norm.pdf((expected - mu) / sigma) / sigma
        model = _crowd(n, rng)
        shares = []
        for _ in range(replicates):
            acting, _ = _run_threshold_model(model, mu + sigma * rng.standard_normal(n))
            shares.append(acting / n)
        se = math.sqrt(expected * (1.0 - expected) / (n * replicates)) / (1.0 - slope)
        cases.append(Case("Granovetter normal: share acting", f"n={n}, mu={mu}, sigma={sigma}, {replicates} crowds",
                          expected, float(np.mean(shares)), SIGMAS * se + 1.0 / n))

    sigma_c, x_c = critical_spread(mu)
    quantiles = stats.norm.ppf((np.arange(1, critical_n + 1) - 0.5) / critical_n)
    model = _crowd(critical_n, rng)

    def riots(sigma: float) -> bool:
        acting, _ = _run_threshold_model(model, mu + sigma * quantiles)
        return acting > critical_n / 2

    low, high = 0.5 * sigma_c, 2.0 * sigma_c
    if riots(low) or not riots(high):
        simulated = math.nan  # the outcome does not jump between the brackets: fail
    else:
        while high - low > 1e-5:
            mid = 0.5 * (low + high)
            low, high = (low, mid) if riots(mid) else (mid, high)
        simulated = 0.5 * (low + high)
    tolerance = (1.0 / (2 * critical_n) + 1.0 / (critical_n - 1)) / abs(x_c) + 1e-5
    cases.append(Case("Granovetter normal: critical sigma", f"n={critical_n} at normal quantiles, mu={mu}",
                      sigma_c, simulated, tolerance))
    return cases


# =====================================================================================
# 4. Watts (2002)
# =====================================================================================
def _poisson_vulnerable(z: float, phi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Degrees k, Poisson(z) probabilities p_k, and vulnerability rho_k: a
    node of degree k >= 1 is vulnerable (one active neighbour tips it) when
    ``1/k >= phi``, that is ``k <= floor(1/phi)``."""
    k = np.arange(int(z + 40 * math.sqrt(z + 1) + 40))
    p = stats.poisson.pmf(k, z)
    rho = ((k >= 1) & (k <= math.floor(1.0 / phi))).astype(float)
    return k, p, rho


def watts_window(phi: float) -> tuple[float, float]:
    """The cascade window in mean degree z of an Erdos-Renyi graph.

    Watts' cascade condition: global cascades are possible when the
    vulnerable nodes percolate, ``G0''(1) = sum_k k(k-1) rho_k p_k > z``.
    For Poisson degrees and K = floor(1/phi) this is
    ``z * P(Poisson(z) <= K - 2) > 1``; the window is the interval of z
    where it holds. Returns its two edges.
    """
    big_k = math.floor(1.0 / phi)

    def margin(z: float) -> float:
        return z * stats.poisson.cdf(big_k - 2, z) - 1.0

    peak = optimize.minimize_scalar(lambda z: -margin(z), bounds=(1.0, 3.0 * big_k), method="bounded").x
    if margin(peak) <= 0:
        return math.nan, math.nan  # no window
    return (optimize.brentq(margin, 1e-9, peak, xtol=1e-14),
            optimize.brentq(margin, peak, 10.0 * big_k + 10.0, xtol=1e-14))


def watts_cascade_probability(z: float, phi: float) -> float:
    """Probability that one random seed starts a global cascade (n -> inf).

    Follow a random edge to a node of degree k (probability ``k p_k / z``).
    Let u be the probability that this does *not* lead into the infinite
    cluster of vulnerable nodes. The node leads there if it is vulnerable
    and at least one of its other k - 1 edges does:

        u = 1 - G1(1) + G1(u),   G1(x) = sum_k k rho_k p_k x^(k-1) / z

    (Watts 2002's H1; the smallest root in [0, 1], found by iterating from
    0). The seed is switched on whatever its own threshold, so it starts a
    global cascade when any of its k edges leads into that cluster:
    ``P = 1 - sum_k p_k u^k = 1 - exp(z (u - 1))`` for Poisson degrees. This
    is the size of the *extended* vulnerable cluster (the vulnerable cluster
    and its neighbours). The vulnerable cluster alone, to which Watts (2002)
    relates the frequency of cascades, is smaller in the upper part of the
    window, where the seed itself is rarely vulnerable.
    """
    k, p, rho = _poisson_vulnerable(z, phi)
    if np.sum(k * (k - 1) * rho * p) <= z:
        return 0.0  # outside the window u = 1 is the only root: no global cascades
    q = k * rho * p / z  # edge-end distribution, vulnerable ends only
    u = 0.0
    for _ in range(1_000_000):
        nxt = 1.0 - q.sum() + float(np.sum(q[1:] * u ** (k[1:] - 1)))
        if abs(nxt - u) < 1e-15:
            break
        u = nxt
    return float(1.0 - np.exp(z * (u - 1.0)))


def erdos_renyi(n: int, z: float, rng: np.random.Generator) -> sp.csr_matrix:
    """Adjacency of an Erdos-Renyi G(n, p) graph with mean degree z.

    Exactly G(n, p) with p = z/(n-1): the number of edges is binomial, and
    that many distinct pairs are drawn uniformly. (networkx's generators
    draw the same distribution, but one pair at a time in Python, which is
    too slow for thousands of replicates.)
    """
    pairs = n * (n - 1) // 2
    m = int(rng.binomial(pairs, z / (n - 1)))
    index = rng.choice(pairs, size=m, replace=False)
    # Decode index -> (i, j), i < j, for the row-major upper triangle.
    i = (n - 2 - np.floor(np.sqrt(-8.0 * index + 4.0 * n * (n - 1) - 7) / 2.0 - 0.5)).astype(np.int64)
    j = (index + i + 1 - pairs + (n - i) * (n - i - 1) // 2).astype(np.int64)
    a = sp.coo_matrix((np.ones(2 * m), (np.r_[i, j], np.r_[j, i])), shape=(n, n)).tocsr()
    a.sort_indices()
    return a


def watts_cascade(rng: np.random.Generator, z_values: Sequence[float] = WATTS_Z_QUICK, phi: float = WATTS_PHI,
                  n: int = 2000, replicates: int = 200, global_share: float = 0.05) -> list[Case]:
    """Watts' cascade model on Erdos-Renyi graphs with uniform threshold phi.

    Everyone's threshold is phi as a share of their ties (``peer_mode =
    "fraction"``); a single random seed practises. Each replicate is a new
    graph and a new seed. A cascade is global when it reaches
    ``global_share`` of the people: final sizes are bimodal (a handful, or
    a large share of the giant component), so the cut matters little.

    The frequency of global cascades is compared with
    `watts_cascade_probability` within the binomial tolerance. Choose z
    inside the window away from its edges, or outside it, where the
    prediction is 0 (below z = 1 there is no giant component; above the
    window nobody is tipped by one neighbour in a large enough cluster).
    Near the edges finite-size effects dominate, so the z compared stay
    `WATTS_EDGE_MARGINS` away from them.
    """
    low, high = watts_window(phi)
    model = reduced_model(flat_organization(n), sp.csr_matrix((n, n)), rng=rng, peer_mode="fraction")
    cases = []
    for z in z_values:
        hits = 0
        for _ in range(replicates):
            model.use_network(erdos_renyi(n, z, rng))
            seed_practice(model, phi, rng.integers(n))
            settle_practice(model)
            hits += model.state.practice.sum() >= global_share * n
        expected = watts_cascade_probability(z, phi)
        where = "inside" if low < z < high else "outside"
        cases.append(Case("Watts: P(global cascade)",
                          f"ER n={n}, z={z:g} ({where} window {low:.3f}-{high:.3f}), phi={phi}, {replicates} reps",
                          expected, hits / replicates, _binomial_tolerance(expected, replicates)))
    return cases


# =====================================================================================
# 5. Complex contagion: Centola and Macy (2007)
# =====================================================================================
def ring_lattice(n: int, k: int) -> sp.csr_matrix:
    """A ring of n people, each tied to the k nearest on either side."""
    return nx.to_scipy_sparse_array(nx.circulant_graph(n, range(1, k + 1)), nodelist=range(n), format="csr")


def ring_spread_weeks(n: int, k: int, tau: int) -> int:
    """Weeks for complex contagion to cover a ring lattice, from the geometry.

    Seeds: tau adjacent people. A person j places beyond the edge of the
    practising block has ``k - j + 1`` practising ties on that side, so
    with threshold tau each front advances ``a = k - tau + 1`` people a
    week (and not at all if tau > k). While the gap G between the two
    fronts exceeds ``2k + 1 - tau`` nobody in it sees both fronts enough to
    matter; once ``G <= 2k + 1 - tau`` everyone in the gap has
    ``(k - j + 1) + (k - j' + 1) = 2k + 1 - G >= tau`` practising ties (or
    is within ``a`` of a front), so the gap closes in one week. Starting
    from ``G = n - tau``:

        weeks = 1 + ceil((n - 2k - 1) / (2a))     (n > 2k + 1)
    """
    if tau > k:
        return 0
    return 1 + math.ceil((n - 2 * k - 1) / (2 * (k - tau + 1)))


def _contagion(model: OrgChangeModel, adjacency, tau: float, seeds) -> tuple[int, int]:
    model.use_network(adjacency)
    seed_practice(model, tau, seeds)
    weeks = settle_practice(model)
    return int(model.state.practice.sum()), weeks


def complex_contagion(rng: np.random.Generator, n: int = 200, ks: Sequence[int] = (1, 2, 3, 4),
                      weeks_for: Sequence[tuple[int, int]] = ((1, 1), (2, 2), (3, 2), (4, 3))) -> list[Case]:
    """Absolute thresholds on ring lattices (``peer_mode = "count"``).

    With k ties per side and threshold tau, tau adjacent seeds reach
    everyone if and only if tau <= k: the first person beyond the seeds
    has min(tau, k) practising ties. For each k the model is run with tau =
    1, ..., k + 2; the simulated value is the largest tau for which spread
    is complete, provided every smaller tau spreads to all and every larger
    one stays with the seeds (otherwise NaN, a failure). Then the number of
    weeks is compared with `ring_spread_weeks`.
    """
    model = reduced_model(flat_organization(n), sp.csr_matrix((n, n)), rng=rng, peer_mode="count")
    cases = []
    for k in ks:
        lattice = ring_lattice(n, k)
        reach = {tau: _contagion(model, lattice, tau, np.arange(tau))[0] for tau in range(1, k + 3)}
        spreads = [tau for tau, r in reach.items() if r == n]
        stuck = [tau for tau, r in reach.items() if r == tau]
        largest = max(spreads, default=0)
        consistent = spreads == list(range(1, largest + 1)) and stuck == list(range(largest + 1, k + 3))
        cases.append(Case("Complex contagion: largest tau that spreads",
                          f"ring n={n}, k={k}/side, tau=1..{k + 2}, tau adjacent seeds",
                          float(k), float(largest) if consistent else math.nan, EXACT))
    for k, tau in weeks_for:
        reached, weeks = _contagion(model, ring_lattice(n, k), tau, np.arange(tau))
        cases.append(Case("Complex contagion: weeks to reach all", f"ring n={n}, k={k}/side, tau={tau}",
                          float(ring_spread_weeks(n, k, tau)), float(weeks) if reached == n else math.nan, EXACT))
    return cases


def rewiring(rng: np.random.Generator, n: int = 1000, k: int = 2, p: float = 0.1, replicates: int = 10) -> list[Case]:
    """Watts-Strogatz rewiring: it helps simple contagion, blocks complex.

    Each of ``replicates`` graphs is ``networkx.watts_strogatz_graph(n, 2k,
    p)``, the ring lattice with each tie rewired to a random person with
    probability p (Centola and Macy's design).

    * Simple contagion (tau = 1, one seed) is a breadth-first search: the
      weeks to rest equal the seed's eccentricity (the longest shortest
      path from it within its component), exactly, on every graph. The
      long ties shorten paths, so it needs far fewer weeks than the ring
      (`ring_spread_weeks`).
    * Complex contagion (tau = 2 = k, two adjacent seeds) needs two
      practising ties; a front moves only where both ties behind it survive,
      and a long tie brings one practising tie, never two. A rewired tie in
      the path stops a front, so with n p rewired ties most people are never
      reached, where the ring reaches them all. The prediction is
      one-sided: mean reach below half the people.
    """
    model = reduced_model(flat_organization(n), sp.csr_matrix((n, n)), rng=rng, peer_mode="count")
    eccentric, simple_weeks, complex_reach = [], [], []
    for _ in range(replicates):
        graph = nx.watts_strogatz_graph(n, 2 * k, p, seed=rng)
        adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(n), format="csr")
        eccentric.append(max(nx.single_source_shortest_path_length(graph, 0).values()))
        simple_weeks.append(_contagion(model, adjacency, 1.0, [0])[1])
        complex_reach.append(_contagion(model, adjacency, 2.0, [0, 1])[0] / n)
    ring_weeks = ring_spread_weeks(n, k, 1)
    setting = f"WS n={n}, k={k}/side, p={p}, {replicates} graphs"
    return [
        Case("Rewiring, simple (tau=1): weeks = BFS depth", setting, float(np.mean(eccentric)),
             float(np.mean(simple_weeks)), EXACT, error=float(np.max(np.abs(np.subtract(simple_weeks, eccentric))))),
        Case("Rewiring, simple (tau=1): weeks vs ring", f"{setting}; ring takes {ring_weeks} wk",
             float(ring_weeks), float(np.mean(simple_weeks)), relation="<"),
        Case("Rewiring, complex (tau=2): share reached", f"{setting}; ring reaches 1", 0.5,
             float(np.mean(complex_reach)), relation="<"),
    ]


# =====================================================================================
# 6. The hierarchy
# =====================================================================================
def chain_commitment(levels: int, weeks: int, susceptibility: float, rate: float, anchor: float,
                     ceo: float) -> np.ndarray:
    """Commitment of each level of a chain of command after ``weeks`` weeks.

    Level l listens only to its manager (level l - 1), with susceptibility
    s and anchor pi, and the CEO (level 0) is stubborn at c0. Starting from
    the anchor, the deviation ``d_l = c_l - pi`` follows
    ``d_l(t+1) = (1 - r) d_l(t) + r s d_(l-1)(t)`` with ``d_0 = c0 - pi``,
    whose solution is

        c_l(t) = pi + s^l (c0 - pi) P(Binomial(t, r) >= l).

    Each level passes on a share s of its deviation (attenuation s^l), and
    the signal needs l "successes" of probability r a week to arrive (a
    negative-binomial delay). As t grows, ``c_l -> pi + s^l (c0 - pi)``.
    """
    level = np.arange(levels + 1)
    arrived = stats.binom.sf(level - 1, weeks, rate)  # P(Bin(t, r) >= l); 1 for the CEO
    return anchor + susceptibility ** level * (ceo - anchor) * arrived


def chart_chain_equilibrium(levels: int, up: float, down: float, susceptibility: float, anchor: float,
                            ceo: float) -> np.ndarray:
    """Equilibrium commitment of a chain of command that listens both ways.

    With the organization's own ties, level l (0 < l < L) listens to its
    manager with weight ``up`` and its report with weight ``down``; the
    bottom level has only its manager. At equilibrium the deviation from
    the anchor solves the linear recursion

        d_l = s (up d_(l-1) + down d_(l+1)) / (up + down),   d_L = s d_(L-1),

    with ``d_0 = c0 - pi`` (a stubborn CEO). Its solution is
    ``d_l = A lambda_+^l + B lambda_-^l``, where lambda are the roots of
    ``s down lambda^2 - (up + down) lambda + s up = 0``, and A, B meet the
    two boundary conditions.
    """
    s, big_l = susceptibility, levels
    disc = math.sqrt((up + down) ** 2 - 4.0 * s * s * up * down)
    lam = np.array([(up + down + disc) / (2 * s * down), (up + down - disc) / (2 * s * down)])
    # A + B = d0;  A lam+^(L-1) (lam+ - s) + B lam-^(L-1) (lam- - s) = 0
    system = np.array([[1.0, 1.0], lam ** (big_l - 1) * (lam - s)])
    coef = np.linalg.solve(system, np.array([ceo - anchor, 0.0]))
    level = np.arange(big_l + 1)[:, None]
    return anchor + (coef * lam ** level).sum(axis=1)


def hierarchy_chain(rng: np.random.Generator, levels: int = 8, susceptibility: float = 0.8, rate: float = 0.3,
                    anchor: float = 0.3, ceo: float = 0.9, weeks: int = 60) -> list[Case]:
    """A chain of reporting levels under a stubborn CEO.

    1. *Listening up* (``model.peers`` = the reporting lines, each person to
       their manager): the model's commitment by level, every week up to
       ``weeks``, against `chain_commitment`.
    2. *The chart's own ties* (the production peer matrix of the chain:
       manager and direct report, with whatever weights the organization
       gives them): the equilibrium by level against
       `chart_chain_equilibrium`, with influence rate 1.
    """
    org = chain_organization(levels)
    n = levels + 1
    reports = np.arange(1, n)
    up_only = sp.csr_matrix((np.ones(levels), (reports, org.manager[reports])), shape=(n, n))
    model = reduced_model(org, up_only, rng=rng, influence_rate=rate)
    _anchor_chain(model, susceptibility, anchor, ceo)
    worst = 0.0
    for week in range(1, weeks + 1):
        model.step()  # a new model.state each week
        expected = chain_commitment(levels, week, susceptibility, rate, anchor, ceo)
        worst = max(worst, float(np.max(np.abs(model.state.commitment - expected))))
    cases = [Case("Hierarchy, listening up: level values",
                  f"{levels} levels, s={susceptibility}, rate={rate}, weeks 1-{weeks}",
                  float(expected[-1]), float(model.state.commitment[-1]), EXACT, error=worst)]

    model = reduced_model(org, rng=rng)  # keeps the organization's own peer matrix
    peers = model.peers.toarray()
    up, down = peers[1, 0], peers[1, 2]
    uniform = all(peers[i, i - 1] == up and peers[i, i + 1] == down for i in range(1, levels))
    _anchor_chain(model, susceptibility, anchor, ceo)
    settle = settle_commitment(model)
    final = model.state.commitment
    expected = chart_chain_equilibrium(levels, up, down, susceptibility, anchor, ceo)
    error = float(np.max(np.abs(final - expected))) if uniform else math.nan
    cases.append(Case("Hierarchy, chart ties: equilibrium by level",
                      f"{levels} levels, up/down weights {up:g}/{down:g}, s={susceptibility}, {settle} wk",
                      float(expected[-1]), float(final[-1]), EXACT, error=error))
    return cases


# =====================================================================================
# Everything
# =====================================================================================
def case_groups(quick: bool = False, seed: int = DEFAULT_SEED) -> list[tuple[str, Callable[[], list[Case]]]]:
    """Every validation case, in the groups that are computed together: one
    ``(theory, run)`` pair per group, where ``run()`` computes its cases.

    ``quick`` uses fewer replicates and fewer settings (under a minute); the
    full run uses enough replicates for tight tolerances (a few minutes).
    Each group draws from its own stream of the root ``seed``, so a group's
    cases are the same whether it runs alone or after the others.
    """
    streams = iter(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(16))

    def group(theory: str, cases: Callable[..., Case | list[Case]], **options) -> tuple[str, Callable[[], list[Case]]]:
        rng = next(streams)  # drawn now, in this order, whatever order the groups run in

        def run() -> list[Case]:
            result = cases(rng, **options)
            return result if isinstance(result, list) else [result]

        return theory, run

    return [
        group("DeGroot", degroot, n=12),
        group("DeGroot", degroot, n=60, others=3),
        group("DeGroot", degroot, n=12, engine="agent"),
        group("Friedkin-Johnsen", friedkin_johnsen, n=30),
        group("Friedkin-Johnsen", friedkin_johnsen, n=30, fully_stubborn=4, fully_susceptible=6),
        group("Granovetter riot", granovetter_riot),
        group("Granovetter normal", granovetter_normal, replicates=10 if quick else 50,
              critical_n=500 if quick else 1000),
        group("Watts", watts_cascade, z_values=WATTS_Z_QUICK if quick else WATTS_Z_FULL,
              replicates=400 if quick else 2000),
        group("Complex contagion", complex_contagion),
        group("Rewiring", rewiring, replicates=10 if quick else 50),
        group("Hierarchy", hierarchy_chain),
    ]


def run_all(quick: bool = False, seed: int = DEFAULT_SEED) -> list[Case]:
    """Every validation case (see `case_groups`), computed one group after another."""
    return [case for _, run in case_groups(quick, seed) for case in run()]


def _number(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


TABLE_NOTE = (
    "expected: theory; simulated: the model. Where a row compares many values (every agent, level or\n"
    "week), both columns show a summary (the mean, or the bottom level at the last week) and error is\n"
    "the largest difference over all of them; otherwise error = |simulated - expected|. Exact cases pass\n"
    f"within {EXACT:g}; stochastic ones within {SIGMAS:g} standard errors of their replicates (plus 1/R for a\n"
    "frequency, 1/n for a share of n people); one-sided rows state the bound.")
"""What the columns of `format_table` mean, for printing under it."""


COLUMNS = ("case", "setting", "expected", "simulated", "error", "tolerance", "result")
"""The columns of the results table."""
_RIGHT = {2, 3, 4, 5}
"""The numeric columns, aligned right."""
STREAM_WIDTHS = (43, 66, 10, 9, 7, 9, 6)
"""Column widths for a table printed row by row as cases finish
(`format_row`), wide enough for every case of the full run."""


def _cells(c: Case) -> list[str]:
    if c.relation == "==":
        expected, error, tolerance = _number(c.expected), f"{c.deviation:.1e}", f"{c.tolerance:.1e}"
    else:
        expected, error, tolerance = f"{c.relation} {_number(c.expected)}", "-", "one-sided"
    return [c.name, c.setting, expected, _number(c.simulated), error, tolerance, "pass" if c.passed else "FAIL"]


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.rjust(w) if i in _RIGHT else cell.ljust(w)
                     for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()


def format_header(widths: Sequence[int] = STREAM_WIDTHS) -> str:
    """The table's two header lines: the column names, and a rule under each."""
    return _line(COLUMNS, widths) + "\n" + _line(["-" * w for w in widths], widths)


def format_row(case: Case, widths: Sequence[int] = STREAM_WIDTHS) -> str:
    """One case as a line of the table (a cell wider than its column pushes the rest along)."""
    return _line(_cells(case), widths)


def format_table(cases: Sequence[Case]) -> str:
    """The results as a plain-text table, each column as wide as its widest cell."""
    rows = [_cells(c) for c in cases]
    widths = [max(len(r[i]) for r in [list(COLUMNS), *rows]) for i in range(len(COLUMNS))]
    return "\n".join([format_header(widths), *(_line(r, widths) for r in rows)])

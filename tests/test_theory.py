"""The model reduces to classic models of influence and contagion
(simulation/theory.py, ``orgchange validate``).

Three groups of tests:

* the theory side alone (closed forms, fixed points, generating functions,
  graph generators) against known values, so that a comparison can only
  pass when both sides are right;
* every case of ``orgchange validate --quick`` passes: exact cases to 1e-9,
  stochastic ones within the tolerance each case derives from its number of
  replicates (`simulation.theory.SIGMAS` standard errors);
* the reductions run the production rules: patching a rule in
  `simulation.rules` makes a validation case fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from simulation import rules, theory
from simulation.cli import main
from simulation.theory import Case


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- the theory side ------------------------------------------------------------------------------
def test_degroot_consensus_of_two_people():
    # W = [[1-a, a], [b, 1-b]] has left unit eigenvector (b, a) / (a + b).
    a, b = 0.3, 0.1
    w = np.array([[1 - a, a], [b, 1 - b]])
    x0 = np.array([0.2, 0.9])
    assert theory.degroot_consensus(w, x0) == pytest.approx((b * 0.2 + a * 0.9) / (a + b), abs=1e-12)


def test_fj_equilibrium_special_cases():
    w = theory._random_influence_matrix(6, rng(1), others=2)
    x0 = rng(2).random(6)
    # Everyone stubborn: nobody moves.
    np.testing.assert_allclose(theory.fj_equilibrium(w, np.zeros(6), x0), x0, atol=1e-12)
    # Fixed point of the Friedkin-Johnsen map.
    lam = np.array([0.0, 0.5, 1.0, 0.9, 0.2, 0.7])
    x = theory.fj_equilibrium(w, lam, x0)
    np.testing.assert_allclose(x, lam * (w @ x) + (1 - lam) * x0, atol=1e-12)


def test_critical_spread_is_granovetters_12_point_2():
    sigma_c, x_c = theory.critical_spread(0.25)
    assert sigma_c == pytest.approx(0.1222, abs=5e-5)
    # Tangency: F(r) = r and F'(r) = 1 at r = mu + sigma x.
    r = 0.25 + sigma_c * x_c
    assert stats.norm.cdf(x_c) == pytest.approx(r, abs=1e-12)
    assert stats.norm.pdf(x_c) / sigma_c == pytest.approx(1.0, abs=1e-12)
    # Just below the critical spread the riot is small; just above, nearly everyone.
    assert theory.normal_equilibrium(0.25, 0.99 * sigma_c) < 0.1
    assert theory.normal_equilibrium(0.25, 1.01 * sigma_c) > 0.99


def test_realized_equilibrium_of_the_riot():
    assert theory.realized_equilibrium(np.arange(100) / 99) == 100
    moved = np.arange(100) / 99
    moved[1] = 2 / 99
    assert theory.realized_equilibrium(moved) == 1


def test_watts_window_edges_satisfy_the_cascade_condition():
    low, high = theory.watts_window(0.18)
    assert 1.0 < low < 1.1 and 5.5 < high < 6.0
    for z in (low, high):
        k, p, rho = theory._poisson_vulnerable(z, 0.18)
        assert np.sum(k * (k - 1) * rho * p) == pytest.approx(z, rel=1e-9)


def test_cascade_probability_with_everyone_vulnerable_is_the_giant_component():
    # phi -> 0: one active neighbour tips anyone, so a seed cascades when it
    # is in the giant component, of size S = 1 - exp(-z S).
    z = 2.5
    giant = optimize.brentq(lambda s: s - 1 + math.exp(-z * s), 1e-6, 1.0)
    assert theory.watts_cascade_probability(z, 1e-9) == pytest.approx(giant, abs=1e-9)
    assert theory.watts_cascade_probability(0.5, 0.18) == 0.0  # below the window
    assert theory.watts_cascade_probability(8.0, 0.18) == 0.0  # above it
    assert 0.5 < theory.watts_cascade_probability(3.0, 0.18) < 1.0


def test_erdos_renyi_is_a_simple_graph_with_mean_degree_z():
    a = theory.erdos_renyi(3000, 4.0, rng(3))
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert a.data.max() == 1.0  # no pair drawn twice
    assert a.sum() / 3000 == pytest.approx(4.0, abs=0.15)


def test_erdos_renyi_decodes_every_pair_once():
    # With p = 1 every pair is drawn: the complete graph.
    n = 9
    a = theory.erdos_renyi(n, n - 1, rng(4)).toarray()
    np.testing.assert_array_equal(a, np.ones((n, n)) - np.eye(n))


def test_ring_spread_weeks():
    # Simple contagion on a cycle: the two fronts meet halfway.
    assert theory.ring_spread_weeks(10, 1, 1) == 5
    assert theory.ring_spread_weeks(11, 1, 1) == 5
    assert theory.ring_spread_weeks(20, 3, 3) == 8
    assert theory.ring_spread_weeks(20, 3, 4) == 0  # tau > k: no spread


def test_chain_commitment_closed_form():
    levels, s, r, pi, c0 = 5, 0.7, 0.4, 0.2, 0.9
    np.testing.assert_allclose(theory.chain_commitment(levels, 0, s, r, pi, c0), [c0] + [pi] * levels)
    far = theory.chain_commitment(levels, 10_000, s, r, pi, c0)
    np.testing.assert_allclose(far, pi + s ** np.arange(levels + 1) * (c0 - pi), atol=1e-12)
    # It solves the level recursion week by week.
    for t in range(1, 20):
        now, before = (theory.chain_commitment(levels, w, s, r, pi, c0) for w in (t, t - 1))
        step = before[1:] + r * (s * before[:-1] + (1 - s) * pi - before[1:])
        np.testing.assert_allclose(now[1:], step, atol=1e-12)


@pytest.mark.parametrize(("up", "down"), [(1.0, 1.0), (3.0, 1.0)])
def test_chart_chain_equilibrium_solves_the_recursion(up, down):
    levels, s, pi, c0 = 7, 0.8, 0.3, 0.9
    d = theory.chart_chain_equilibrium(levels, up, down, s, pi, c0) - pi
    assert d[0] == pytest.approx(c0 - pi)
    np.testing.assert_allclose(d[1:-1], s * (up * d[:-2] + down * d[2:]) / (up + down), atol=1e-12)
    assert d[-1] == pytest.approx(s * d[-2], abs=1e-12)


# --- the cases and the table ----------------------------------------------------------------------
def test_case_pass_rules():
    assert Case("x", "", 1.0, 1.0 + 1e-10, 1e-9).passed
    assert not Case("x", "", 1.0, 1.0 + 1e-8, 1e-9).passed
    assert not Case("x", "", 1.0, math.nan, 1e-9).passed
    assert not Case("x", "", 1.0, 1.0, 1e-9, error=math.nan).passed
    assert Case("x", "", 1.0, 0.5, relation="<").passed
    assert not Case("x", "", 1.0, 1.5, relation="<").passed
    assert Case("x", "", 1.0, 1.5, relation=">").passed


def test_stochastic_tolerance_shrinks_with_replicates():
    assert theory._binomial_tolerance(0.5, 400) == pytest.approx(4 * 0.5 / 20 + 1 / 400)
    assert theory._binomial_tolerance(0.5, 1600) < theory._binomial_tolerance(0.5, 400)
    assert theory._binomial_tolerance(0.0, 200) == pytest.approx(1 / 200)


def test_stochastic_cases_stay_away_from_the_window_edges():
    """Finite-size effects dominate at the edges of the cascade window, so
    no stochastic assertion is made there."""
    low, high = theory.watts_window(theory.WATTS_PHI)
    below, above = theory.WATTS_EDGE_MARGINS
    for z in (*theory.WATTS_Z_QUICK, *theory.WATTS_Z_FULL):
        assert abs(z - low) >= below and abs(z - high) >= above


@pytest.fixture(scope="module")
def quick_cases() -> list[Case]:
    return theory.run_all(quick=True)


def test_every_quick_case_passes(quick_cases):
    failed = [c for c in quick_cases if not c.passed]
    assert not failed, "\n" + theory.format_table(failed)


def test_exact_cases_are_compared_to_1e_9(quick_cases):
    exact = [c for c in quick_cases if c.tolerance == theory.EXACT]
    assert len(exact) >= 20
    for c in exact:
        assert c.deviation <= 1e-9, c


def test_every_theory_is_covered(quick_cases):
    names = " ".join(c.name for c in quick_cases)
    for theory_name in ("DeGroot", "Friedkin-Johnsen", "Granovetter riot", "Granovetter normal", "critical sigma",
                        "Watts", "Complex contagion", "Rewiring", "Hierarchy"):
        assert theory_name in names
    assert any("agent engine" in c.setting for c in quick_cases)


def test_runs_are_reproducible():
    first, second = (theory.watts_cascade(rng(9), z_values=(2.0,), replicates=30) for _ in range(2))
    assert first == second


def test_format_table_aligns_columns(quick_cases):
    table = theory.format_table(quick_cases)
    lines = table.splitlines()
    assert lines[0].split() == ["case", "setting", "expected", "simulated", "error", "tolerance", "result"]
    assert len(lines) == len(quick_cases) + 2
    # Right-aligned columns end, and the result column starts, at the same place on every line.
    end = lines[0].index("tolerance") + len("tolerance")
    start = lines[0].index("result")
    assert all(line[end - 1] != " " and line[start:] in ("pass", "FAIL") for line in lines[2:])


# --- the reductions run the production rules ------------------------------------------------------
# The production rules, kept before any test patches them.
INFLUENCE_TARGET, PEER_PRACTICE = rules.influence_target, rules.peer_practice


def _strict_practises(drive, threshold):
    return drive > threshold  # ">" for ">=": the instigator (threshold 0) never starts


def _unanchored_target(weighted_sum, total_weight, own, predisposition, susceptibility,
                       cynicism=0.0, cynicism_weight=0.0):
    # Forget the anchor to predisposition (the Friedkin-Johnsen term): everyone fully susceptible.
    return INFLUENCE_TARGET(weighted_sum, total_weight, own, predisposition, 1.0, cynicism, cynicism_weight)


def _rate_one(commitment, target, rate):
    return np.clip(target, 0.0, 1.0)  # ignore the influence rate


def _fraction_always(practising_ties, ties, mode):
    return PEER_PRACTICE(practising_ties, ties, "fraction")  # ignore the count mode


@pytest.mark.parametrize(("rule", "replacement", "case"), [
    ("practises", _strict_practises, lambda: theory.granovetter_riot(rng())),
    ("influence_target", _unanchored_target, lambda: [theory.friedkin_johnsen(rng(), n=20)]),
    ("influence_target", _unanchored_target, lambda: [theory.friedkin_johnsen(rng(), n=20, fully_stubborn=3)]),
    ("commitment_next", _rate_one, lambda: theory.hierarchy_chain(rng())[:1]),
    ("peer_practice", _fraction_always, lambda: theory.complex_contagion(rng(), ks=(2,), weeks_for=((2, 2),))),
], ids=["practises-riot", "influence_target-FJ", "influence_target-FJ-stubborn", "commitment_next-hierarchy",
        "peer_practice-complex"])
def test_changing_a_production_rule_changes_the_validation(monkeypatch, rule, replacement, case):
    assert all(c.passed for c in case()), "the case must pass with the production rule"
    original = [c.simulated for c in case()]
    monkeypatch.setattr(rules, rule, replacement)
    changed = case()
    assert [c.simulated for c in changed] != original or any(not c.passed for c in changed)
    assert not all(c.passed for c in changed), f"patching rules.{rule} went unnoticed"


def test_the_agent_engine_runs_the_same_rules(monkeypatch):
    assert theory.degroot(rng(), engine="agent").passed
    # Shrink every step towards 0: averaging no longer preserves the consensus.
    monkeypatch.setattr(rules, "commitment_next", lambda c, target, rate: np.clip(0.5 * target, 0.0, 1.0))
    assert not theory.degroot(rng(), engine="agent").passed


# --- orgchange validate ---------------------------------------------------------------------------
def test_validate_prints_each_row_as_its_case_finishes_and_exits_0(monkeypatch, capsys, quick_cases):
    seen, printed_before = {}, []

    def fake_case_groups(quick=False, seed=theory.DEFAULT_SEED):
        seen.update(quick=quick, seed=seed)

        def first():
            return quick_cases[:2]

        def rest():
            printed_before.append(capsys.readouterr().out)  # what was printed before this group ran
            return quick_cases[2:]

        return [("first", first), ("rest", rest)]

    monkeypatch.setattr(theory, "case_groups", fake_case_groups)
    assert main(["validate", "--quick"]) == 0
    out = printed_before[0] + capsys.readouterr().out
    assert seen == {"quick": True, "seed": theory.DEFAULT_SEED} and theory.DEFAULT_SEED == 0
    assert theory.format_header() in printed_before[0]
    assert all(theory.format_row(c) in printed_before[0] for c in quick_cases[:2])  # streamed, not held back
    assert all(theory.format_row(c) in out for c in quick_cases)
    assert f"{len(quick_cases)} cases, all pass" in out
    assert main(["validate", "--seed", "7"]) == 0
    assert seen == {"quick": False, "seed": 7}


def test_case_groups_give_the_cases_of_run_all():
    groups = theory.case_groups(quick=True, seed=3)
    assert [name for name, _ in groups][:3] == ["DeGroot"] * 3
    first = groups[0][1]()  # a group's cases do not depend on the groups run before it
    assert first == theory.run_all(quick=True, seed=3)[:len(first)]


def test_streamed_rows_line_up_under_the_header(quick_cases):
    header = theory.format_header().splitlines()[0]
    end, start = header.index("tolerance") + len("tolerance"), header.index("result")
    for c in quick_cases:
        line = theory.format_row(c)
        assert line[end - 1] != " " and line[start:] in ("pass", "FAIL"), line


def test_validate_exits_1_on_a_failure(monkeypatch, capsys):
    cases = [Case("good", "s", 1.0, 1.0, 1e-9), Case("bad", "s", 1.0, 2.0, 1e-9)]
    monkeypatch.setattr(theory, "case_groups", lambda quick=False, seed=0: [("two", lambda: cases)])
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 FAILED" in out


def test_validate_rejects_a_negative_seed(capsys):
    assert main(["validate", "--seed", "-1"]) == 2
    assert "--seed" in capsys.readouterr().err

"""Patterns held out of calibration: the model's out-of-sample checks.

The defaults were calibrated by hand against patterns P1-P9
(`experiments.patterns.CLAIMS`; `benchmarks/calibrate.py`), and a planner
calibrates a few of them to a survey (`experiments.calibration`). Neither
ever looks at the patterns here, so whether they hold is a test of the model
on what it was not fitted to (issue 14):

``H2``, tipping (Repenning 2002; Keating et al. 1999)
    Otherwise identical hospitals at the edge end on two paths, by their
    early results: on the low one the programme lapses
    (`experiments.science.claims_tipping`).
``H3``, context decides who improves (Kaplan et al. 2010)
    In a collaborative, the hospitals that improve started with a more
    committed front line than those that did not: a culture that supports
    improvement is among the context factors most often tied to the success
    of quality improvement (`claims_context`).

(``H1``, the collaborative's shares, was held out until the third
December 2026 calibration, which set `team_attention` on it; it is P9.)

`OUT_OF_SAMPLE` lists them (``python benchmarks/calibrate.py
out-of-sample`` runs them); the ODD (10.2) reports them apart from P1-P9.
"""

from __future__ import annotations

from collections.abc import Callable

from experiments.patterns import Claim, Interval, above, not_applicable, pattern_collaborative
from experiments.science import claims_tipping
from simulation import Config

CONTEXT_SEED = 47
"""H3's root seed: hospitals that no calibration ran."""


def claims_context(hospitals: int = 40, base: Config | None = None, seed: int = CONTEXT_SEED) -> list[Claim]:
    """H3: in a collaborative of ``hospitals`` (`pattern_collaborative`),
    the front line's week-0 commitment of the hospitals that improved minus
    that of those that did not, with its 95% Welch interval, must be above 0.
    Where every hospital or none improved, the claim does not apply."""
    outcomes = pattern_collaborative(hospitals, seed, base)
    text = "improvers' week-0 frontline commitment - the others'"
    improved = outcomes["improved"]
    if improved.sum() < 2 or (~improved).sum() < 2:
        return [not_applicable(f"{text} > 0")]
    start = outcomes["commitment_start"]
    return [above(text, Interval.welch(start[improved], start[~improved]), 0.0)]


OUT_OF_SAMPLE: dict[str, Callable[..., list[Claim]]] = {"H2": claims_tipping, "H3": claims_context}
"""The held-out patterns' claims, by label; never part of any calibration."""

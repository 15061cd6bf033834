"""Patterns held out of calibration: the model's out-of-sample checks.

The defaults were calibrated by hand against patterns P1-P8
(`experiments.patterns.CLAIMS`; `benchmarks/calibrate.py`), and a planner
calibrates a few of them to a survey (`experiments.calibration`). Neither
ever looks at the patterns here, so whether they hold is a test of the model
on what it was not fitted to (issue 14):

``H1``, the collaborative (Glasgow, Davies and Kaboli 2012)
    The same two-year campaign in many hospitals, then stopped
    (`experiments.collaborative`): about a third to a half of the hospitals
    improve, and of those about a third to two thirds sustain the gain two
    years later.
``H2``, tipping (Repenning 2002; Keating et al. 1999)
    Otherwise identical hospitals at the edge end on two paths, by their
    early results: on the low one the programme lapses
    (`experiments.science.claims_tipping`).

`OUT_OF_SAMPLE` lists both (``python benchmarks/calibrate.py
out-of-sample`` runs them); the ODD (10.2) reports them apart from P1-P8.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from experiments.collaborative import FIELD, Share, collaborative_experiment, outcomes_of, summarize
from experiments.patterns import Claim, Interval, not_applicable
from experiments.results import load
from experiments.runner import run_experiment
from experiments.science import claims_tipping
from simulation import Config

FIELD_IMPROVED = (min(FIELD["improved"]), max(FIELD["improved"]))
"""Share of hospitals that improved in Glasgow et al. (2012): 35% and 46% on their two measures."""
FIELD_SUSTAINED = (min(FIELD["sustained"]), max(FIELD["sustained"]))
"""Share of the improvers that sustained: 32% and 60%."""


def claims_collaborative(hospitals: int = 40, base: Config | None = None, seed: int = 31,
                         workers: int | None = None) -> list[Claim]:
    """H1: the collaborative (``hospitals`` generated hospitals of
    ``base``'s size, root seed ``seed``) against the field (`field_claims`)."""
    staff = None if base is None else base.staff
    experiment = collaborative_experiment(hospitals=hospitals, seed=seed, staff=staff)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "collaborative.sqlite"
        run_experiment(experiment, store, workers=workers, progress=False)
        return field_claims(summarize(outcomes_of(load(store))))


def field_claims(shares: dict[str, Share]) -> list[Claim]:
    """The collaborative's two shares (`experiments.collaborative.summarize`)
    against the field's. A share's claim holds when its 95% Wilson interval
    meets the range the study found on its two measures: a collaborative of
    a few dozen hospitals cannot pin a share down more finely than that
    interval. With no hospital improved, the sustained share does not apply."""
    claims = []
    for name, (low, high) in (("improved", FIELD_IMPROVED), ("sustained", FIELD_SUSTAINED)):
        share = shares[name]
        text = (f"share of hospitals that {name}" + (" (of those that improved)" if name == "sustained" else "")
                + f" meets the field's {low:.0%}-{high:.0%}")
        if not share.of:
            claims.append(not_applicable(text))
            continue
        meets = share.low <= high and share.high >= low
        claims.append(Claim(f"{text} ({share.count} of {share.of}, Wilson interval)",
                            Interval(share.value, share.low, share.high, share.of), bool(meets),
                            shortfall=max(0.0, low - share.high, share.low - high)))
    return claims


OUT_OF_SAMPLE: dict[str, Callable[..., list[Claim]]] = {"H1": claims_collaborative, "H2": claims_tipping}
"""The held-out patterns' claims, by label; never part of any calibration."""


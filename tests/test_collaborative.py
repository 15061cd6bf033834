"""The collaborative (experiments.collaborative) and ``orgchange collaborative``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.collaborative import (
    COUNTERFACTUAL,
    collaborative_experiment,
    hospital_outcomes,
    summarize,
    wilson,
)
from simulation import OrgChangeModel
from simulation.strategy import load_strategy

from support import run_cli


def series(gains_by_week: dict[int, list[float]], base: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A campaign and its counterfactual, whose quality differs by the gains given per week."""
    rows_a, rows_b = [], []
    for week, gains in gains_by_week.items():
        for replicate, gain in enumerate(gains):
            rows_a.append({"replicate": replicate, "week": week, "quality": base + gain})
            rows_b.append({"replicate": replicate, "week": week, "quality": base})
    return pd.DataFrame(rows_a), pd.DataFrame(rows_b)


def test_improved_and_sustained_follow_their_definitions():
    # Three hospitals, weeks 0-8, campaign to week 4, window 2: gains averaged over weeks 3-4 and 7-8.
    weeks = {w: [0.0, 0.0, 0.0] for w in range(9)}
    for w in (3, 4):
        weeks[w] = [0.05, 0.05, 0.01]
    for w in (7, 8):
        weeks[w] = [0.03, 0.00, 0.05]
    campaign, counterfactual = series(weeks)
    out = hospital_outcomes(campaign, counterfactual, campaign_weeks=4, window=2, meaningful=0.02)
    assert out["gain_end"].tolist() == pytest.approx([0.05, 0.05, 0.01])
    assert out["gain_follow_up"].tolist() == pytest.approx([0.03, 0.0, 0.05])
    assert out["improved"].tolist() == [True, True, False]
    # The third gains late, but never improved by the campaign's end, so it did not "sustain".
    assert out["sustained"].tolist() == [True, False, False]
    shares = summarize(out)
    assert (shares["improved"].count, shares["improved"].of) == (2, 3)
    assert (shares["sustained"].count, shares["sustained"].of) == (1, 2)


def test_the_gain_is_over_the_counterfactual_not_over_the_start():
    # Both runs rise by 0.1 (a baseline trend); the campaign adds nothing beyond it.
    campaign = pd.DataFrame({"replicate": 0, "week": range(5), "quality": np.linspace(0.3, 0.4, 5)})
    out = hospital_outcomes(campaign, campaign.copy(), campaign_weeks=2, window=1)
    assert out["gain_end"].iloc[0] == 0.0 and not out["improved"].iloc[0]


def test_mismatched_series_are_refused():
    campaign, counterfactual = series({w: [0.0, 0.0] for w in range(6)})
    with pytest.raises(ValueError, match="same hospitals"):
        hospital_outcomes(campaign, counterfactual[counterfactual.replicate == 0], campaign_weeks=2)
    with pytest.raises(ValueError, match=r"campaign_weeks: must be in \[1, 4\]"):
        hospital_outcomes(campaign, counterfactual, campaign_weeks=5)


def test_wilson_intervals():
    assert (wilson(0, 10).low, round(wilson(0, 10).high, 3)) == (0.0, 0.278)  # the textbook value
    share = wilson(35, 100)
    assert share.low < 0.35 < share.high and round(share.low, 3) == 0.264
    assert wilson(0, 0).of == 0 and str(wilson(0, 0)) == "none of 0"


def test_the_campaign_stops_after_its_weeks_and_every_hospital_meets_its_twin():
    experiment = collaborative_experiment(hospitals=3, strategy="mandate", seed=4, staff=40, campaign_weeks=5,
                                          follow_up_weeks=3)
    assert list(experiment.strategies) == ["campaign", COUNTERFACTUAL] and experiment.weeks == 8
    specs = experiment.runs()
    assert {s.seed for s in specs if s.strategy == "campaign"} == {s.seed for s in specs if s.strategy != "campaign"}
    config = experiment.config_for(0, "campaign", specs[0].seed)
    mandate, usual = load_strategy("mandate").levers, load_strategy(COUNTERFACTUAL).levers
    model = OrgChangeModel(config)
    for _ in range(5):
        model.step()
    assert all(getattr(model.levers, name) == value for name, value in mandate.items())
    model.step()  # week 6: the campaign has stopped
    assert all(getattr(model.levers, name) == value for name, value in usual.items())


def test_collaborative_help(capsys):
    with pytest.raises(SystemExit) as done:
        run_cli(capsys, "collaborative", "--help")
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Glasgow et al. (2012" in out and "--hospitals" in out and "--resume" in out


def test_collaborative_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "c"
    code, text, err = run_cli(capsys, "collaborative", "--hospitals", "3", "--staff", "40", "--campaign-weeks", "6",
                              "--follow-up-weeks", "4", "--workers", "1", "--out", out)
    assert code == 0, err
    hospitals = pd.read_csv(out / "hospitals.csv")
    assert len(hospitals) == 3 and set(hospitals.columns) >= {"gain_end", "gain_follow_up", "improved", "sustained"}
    assert (out / "collaborative.png").stat().st_size > 0 and (out / "results.sqlite").exists()
    assert "Improved (gain >= 0.02 at the campaign's end):" in text and "Glasgow et al. 2012" in text
    code, _, err = run_cli(capsys, "collaborative", "--hospitals", "0", "--out", tmp_path / "d")
    assert code == 2 and "--hospitals: must be an integer >= 1, got 0" in err


def test_the_collaborative_claims_meet_the_field_by_their_intervals():
    from experiments.patterns import FIELD_IMPROVED, FIELD_SUSTAINED, field_claims

    assert FIELD_IMPROVED == (0.35, 0.46) and FIELD_SUSTAINED == (0.32, 0.60)
    # 16 of 40 improved (40%, inside the field's range); all 16 sustained: the interval, 81% to 100%, misses 60%.
    improved, sustained = field_claims({"improved": wilson(16, 40), "sustained": wilson(16, 16)})
    assert improved.holds and not sustained.holds
    assert sustained.value.low == pytest.approx(wilson(16, 16).low) and sustained.shortfall > 0.2
    # 4 of 40 (10%; interval to 23%) improved: too few. Of them 2 sustained: the wide interval meets the field's.
    improved, sustained = field_claims({"improved": wilson(4, 40), "sustained": wilson(2, 4)})
    assert not improved.holds and sustained.holds
    # No hospital improved: whether improvers sustain cannot be asked.
    improved, sustained = field_claims({"improved": wilson(0, 40), "sustained": wilson(0, 0)})
    assert not improved.holds and not sustained.applies and sustained.holds


def test_h3_compares_the_improvers_baseline_culture_and_says_when_it_cannot(monkeypatch):
    from experiments import holdout

    def outcomes(start, improved):
        return lambda hospitals, seed, base: pd.DataFrame({"commitment_start": start, "improved": improved})

    # Improvers started 0.1 higher, with a little spread: the Welch interval lies above 0.
    monkeypatch.setattr(holdout, "pattern_collaborative",
                        outcomes([0.50, 0.52, 0.51, 0.40, 0.41, 0.42], [True, True, True, False, False, False]))
    (claim,) = holdout.claims_context(6)
    assert claim.holds and claim.value.mean == pytest.approx(0.1) and claim.value.low > 0.05
    # The other way round it fails, and by how much is its shortfall.
    monkeypatch.setattr(holdout, "pattern_collaborative",
                        outcomes([0.40, 0.41, 0.42, 0.50, 0.52, 0.51], [True, True, True, False, False, False]))
    (claim,) = holdout.claims_context(6)
    assert not claim.holds and claim.shortfall > 0.1
    # Every hospital improved: there is no one to compare with.
    monkeypatch.setattr(holdout, "pattern_collaborative", outcomes([0.4, 0.5, 0.6], [True, True, True]))
    (claim,) = holdout.claims_context(3)
    assert not claim.applies and claim.holds

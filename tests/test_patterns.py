"""The eight patterns of DESIGN section 1 hold under the default calibration.

Each test runs its scenarios over replicates from a fixed root seed (see
`experiments.patterns`) and states its claim as a 95% confidence interval:
a difference between strategies must have an interval that excludes zero,
and a level must have an interval on the right side of its bound. Compared
scenarios share replicate seeds, so differences are paired. The replicate
counts are the smallest that keep every interval clear of its bound with a
margin (they were chosen with benchmarks/calibrate.py); the whole file runs
in about a minute.
"""

import numpy as np
import pytest

from experiments import patterns as pt
from experiments.patterns import Interval, paired

pytestmark = pytest.mark.slow


def test_p1_synergy_of_the_two_routes():
    df = pt.pattern_synergy(replicates=24)
    # Both routes together beat either alone, on commitment and on the
    # practice that remains two years after the pressure is released.
    for alone in ("mandate", "inspire"):
        assert paired(df, "commitment_final", "both", alone).low > 0
        assert paired(df, "practice_final", "both", alone).low > 0
    mandate = df[df.arm == "mandate"]
    # Structure raises compliance quickly while commitment lags...
    assert Interval.of(mandate["practice_26"]).low > 0.2
    assert Interval.of(mandate["commitment_26"]).high < 0.05
    # ...and practice reverts once the pressure goes.
    assert Interval.of(mandate["practice_kept"]).high < -0.1
    # Passion alone spreads slowly.
    assert Interval.of(df[df.arm == "inspire"]["practice_26"]).high < 0.1


def test_p2_an_engaged_senior_team_beats_a_lone_ceo_at_equal_effort():
    df, hours = pt.pattern_team(replicates=12)
    assert hours > 10
    assert paired(df, "commitment_final", "team", "lone").low > 0.03
    assert paired(df, "practice_final", "team", "lone").low > 0.1
    # The lone CEO cannot spend the hours planned: personal capital runs out.
    lone = df[df.arm == "lone"]
    assert Interval.of(lone["hours_spent"]).high < 0.5 * hours
    assert np.allclose(df[df.arm == "team"]["hours_spent"], hours)


def test_p3_the_middle_decides():
    df = pt.pattern_middle(replicates=12)
    assert paired(df, "commitment_final", "developed", "ordinary").low > 0.02
    assert paired(df, "commitment_final", "ordinary", "frozen").low > 0.03
    # A frozen middle filters the direction on its way down.
    assert paired(df, "alignment_final", "ordinary", "frozen").low > 0


def test_p4_rounding_needs_follow_through():
    df = pt.pattern_rounding(replicates=12)
    assert paired(df, "commitment_final", "rounds", "none").low > 0.01
    # Issues raised and never resolved leave staff worse off than no rounding.
    assert paired(df, "commitment_final", "unresolved", "none").high < 0
    assert paired(df, "cynicism_final", "unresolved", "none").low > 0.05


def test_p4_rounding_effects_are_local():
    df = pt.pattern_rounding_locality(replicates=12)
    contacted = Interval.of(df["effect_contacted"])
    assert contacted.low > 0.01
    assert contacted.low > 10 * Interval.of(df["effect_unit_mates"]).high
    assert contacted.low > 10 * abs(Interval.of(df["effect_elsewhere"]).mean)
    # Those spoken with gain; their units' averages move a third as much or less.
    assert Interval.of(df["gain_contacted"] - 3 * df["gain_visited_units"]).low > 0


def test_p5_commitment_falls_with_level_at_baseline():
    df = pt.pattern_gradient(replicates=30)
    levels = ["commitment_ceo", "commitment_senior", "commitment_middle", "commitment_frontline"]
    for higher, lower in zip(levels, levels[1:]):
        assert Interval.of(df[higher] - df[lower]).low > 0, (higher, lower)
    # Problematic views (commitment below 0.5) are about 1.4 times as common
    # on the front line as among managers.
    ratio = Interval.of(df["problem_ratio"])
    assert 1.2 < ratio.low and ratio.high < 1.8


def test_p6_transformation_takes_years():
    df = pt.pattern_years(replicates=12, transformed=0.7)
    assert Interval.of(df["gain_5y"]).low > 0.1  # the strategy works...
    assert Interval.of(df["weeks_to_90"]).low > 78  # ...but 90% of its gain takes over 18 months
    assert Interval.of(df["gain_1y"] / df["gain_5y"]).high < 0.8
    assert df["transformed"].sum() == 0  # and no hospital is fully transformed in five years


def test_p7_embedded_change_survives_the_ceo():
    df = pt.pattern_departure(replicates=12)
    assert paired(df, "kept", "embedded", "ceo_alone").low > 0.2
    assert Interval.of(df[df.arm == "embedded"]["kept"]).low > 0.8
    assert Interval.of(df[df.arm == "ceo_alone"]["kept"]).high < 0.7


def test_p8_most_projects_fail_and_only_redesigns_last():
    df = pt.pattern_projects(replicates=12)
    pooled = df.groupby("replicate")[["succeeded", "finished"]].sum()
    assert Interval.of(pooled["succeeded"] / pooled["finished"]).high < 0.5
    assert df["finished"].min() > 20
    # Share of each success's quality gain still there at the end.
    assert Interval.of(df["quick_left"]).high < 0.25
    assert Interval.of(df["redesign_left"]).low > 0.6

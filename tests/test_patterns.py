"""The patterns of DESIGN section 1 (and P9, the collaborative) hold under the default calibration.

Each pattern's claims are written in `experiments.patterns` (`CLAIMS`): a
difference between strategies must have a 95% confidence interval that
excludes zero (or a stated bound), and a level must have its interval on
the right side of its bound. Every run starts from a fixed root seed, and
compared scenarios share replicate seeds, so differences are paired. The
replicate counts are the patterns' defaults: the smallest that keep every
interval clear of its bound with a margin (benchmarks/calibrate.py shows the
margins). The whole file takes about a minute.
"""

import pytest

from experiments.patterns import CLAIMS

PATTERNS = {
    "P1": "synergy of the two routes",
    "P2": "an engaged senior team beats a lone CEO at equal effort",
    "P3": "the middle decides",
    "P4": "rounding is local and needs follow-through",
    "P5": "commitment falls with level at baseline",
    "P6": "transformation takes years",
    "P7": "embedded change survives the CEO's departure",
    "P8": "most projects fail, and only redesigns last",
    "P9": "in a collaborative, some hospitals improve and some of those sustain",
}


@pytest.mark.slow
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_pattern_holds(pattern):
    claims = CLAIMS[pattern]()
    failed = [str(c) for c in claims if not c.holds]
    assert claims and not failed, f"{pattern} ({PATTERNS[pattern]}):\n" + "\n".join(failed)


def test_an_interval_is_a_t_interval_and_claims_need_all_of_it_past_the_bound():
    from experiments.patterns import Interval, above, below

    interval = Interval.of([1.0, 2.0, 3.0])
    assert (interval.mean, interval.n) == (2.0, 3)
    assert interval.high - interval.mean == pytest.approx(4.302653 * 1.0 / 3**0.5, rel=1e-6)  # t(0.975, 2)
    assert above("x", interval, -0.5).holds and not above("x", interval, -0.45).holds
    assert below("x", interval, 4.5).holds and not below("x", interval, 4.45).holds


def test_a_hospital_is_transformed_once_it_has_held_every_level_for_a_year():
    import pandas as pd

    from experiments.patterns import TRANSFORMED, transformed_week

    weeks = 200
    levels = {column: [level] * weeks for column, level in TRANSFORMED.items()}
    df = pd.DataFrame(levels)
    assert transformed_week(df) == 51  # held from week 0: a year is weeks 0-51
    df.loc[30, "quality"] = TRANSFORMED["quality"] - 0.01  # one bad week starts the year again
    assert transformed_week(df) == 31 + 51
    df.loc[:, "practice_frontline"] = TRANSFORMED["practice_frontline"] - 0.01  # one level never reached
    assert transformed_week(df) == -1

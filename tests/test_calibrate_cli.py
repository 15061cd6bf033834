"""`benchmarks/calibrate.py matrix` refuses hospitals and seeds it cannot run,
before it runs anything, with a message that names the option, the value and
what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def calibrate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "benchmarks/calibrate.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("args", "message"), [
    (["--roots", "4a"], "argument --roots: must be whole numbers separated by commas (as in 404,505), got '4a'"),
    (["--roots", "-1"], "argument --roots: must be 0 or more, got '-1'"),
    (["--staff", "100,5"], "staff: must be an integer >= 10, got 5"),
    (["--staff", "nobody"], "argument --staff: must be whole numbers separated by commas (as in 404,505), got "
                            "'nobody' (or none, for org charts alone)"),
    (["--chart", "no_such_chart.csv"], "org_chart: file 'no_such_chart.csv' does not exist"),
    (["--staff", "none", "--chart", "no_such_chart.csv"], "org_chart: file 'no_such_chart.csv' does not exist"),
])
def test_the_matrix_names_what_is_wrong_with_its_hospitals_and_seeds(args, message):
    done = calibrate("matrix", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout

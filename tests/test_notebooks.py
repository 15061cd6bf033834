"""The notebooks in notebooks/ (issue 6): the four required ones exist, and
every notebook is committed clean, without outputs, so that diffs show only
what was written. nbmake executes them as part of the suite (see
``[tool.pytest.ini_options]`` in pyproject.toml); this checks that the kernel
it asks for runs this interpreter, not some other Python."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REQUIRED = [
    "01_quickstart.ipynb",
    "02_classroom_strategy_comparison.ipynb",
    "03_research_sensitivity.ipynb",
    "04_planner_own_org_chart.ipynb",
]
KERNEL = "python3"


def test_the_required_notebooks_exist():
    missing = [name for name in REQUIRED if not (NOTEBOOKS / name).is_file()]
    assert not missing, f"missing from notebooks/: {', '.join(missing)}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_the_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}, not 4"
    nbformat.validate(nb)
    dirty = [k for k, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None or "execution" in cell.metadata)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs or execution counts; clear them before "
                       "committing (in Jupyter: Edit > Clear Outputs of All Cells, then save)")
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL, f"{path.name}: kernel is not {KERNEL!r}"


def test_the_notebook_kernel_is_this_python():
    from jupyter_client.manager import KernelManager

    command = KernelManager(kernel_name=KERNEL).format_kernel_cmd()
    assert Path(command[0]) == Path(sys.executable), (
        f"the {KERNEL!r} kernel would run {command[0]}, not this interpreter ({sys.executable})")


RESULT_NUMBER = re.compile(r"(?<![\w.])(0\.\d+|\d+\.\d+ \[|\d+(\.\d+)? leader-hours)")
"""A result written into prose: a value on a 0-1 scale, a mean with an interval, or hours."""


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_the_notebooks_prose_writes_no_result_of_its_own(path):
    """A notebook's numbers come from its code cells (printed, or checked by an
    assert), never typed into its text, where a recalibrated model would make
    them wrong. (Settings such as "0.2" in a lever's description are code
    values, quoted in backticks, or written in words.)"""
    nb = nbformat.read(path, as_version=4)
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            prose = re.sub(r"`[^`]*`", "", cell.source)  # code in backticks is a setting, not a result
            found += [f"cell {k}: {m.group(0)!r}" for m in RESULT_NUMBER.finditer(prose)]
    assert not found, f"{path.name}: results written into the text: {found}"


def test_every_claim_about_a_pattern_is_checked_where_it_is_made():
    """Where the classroom notebook states one of the model's patterns, the
    next code cell asserts it on the runs above."""
    nb = nbformat.read(NOTEBOOKS / "02_classroom_strategy_comparison.ipynb", as_version=4)
    cells = nb.cells
    pattern = re.compile(r"\*\*Pattern P\d", re.IGNORECASE)
    stated = [k for k, c in enumerate(cells) if c.cell_type == "markdown" and pattern.search(c.source)]
    assert len(stated) >= 3
    for k in stated:
        following = next(c for c in cells[k + 1:] if c.cell_type == "code")
        assert "assert analysis.direction(" in following.source, f"cell {k} states a pattern it does not check"

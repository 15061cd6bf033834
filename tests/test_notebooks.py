"""The notebooks in notebooks/ (issue 6): the four required ones exist, and
every notebook is committed clean, without outputs, so that diffs show only
what was written. nbmake executes them as part of the suite (see
``[tool.pytest.ini_options]`` in pyproject.toml); this checks that the kernel
it asks for runs this interpreter, not some other Python."""

from __future__ import annotations

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

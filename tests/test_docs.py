"""The documentation keeps up with the code: every parameter and every metric
must be documented in docs/ODD.md, and its tables must be the ones the code
generates (regenerate them with ``python docs/make_parameter_table.py --write``)."""

import importlib.util
from pathlib import Path

import pytest

from simulation.metrics import METRICS
from simulation.parameters import PARAMETERS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.mark.parametrize(("kind", "names"), [("parameter", sorted(PARAMETERS)), ("metric", sorted(METRICS))])
def test_odd_documents_every_name(odd_text: str, kind: str, names: list[str]) -> None:
    missing = [name for name in names if f"`{name}`" not in odd_text]
    assert not missing, (f"{kind}(s) missing from {ODD.name}: {', '.join(missing)}; "
                         "run `python docs/make_parameter_table.py` and update its tables")


def test_odd_tables_match_the_code(odd_text: str) -> None:
    spec = importlib.util.spec_from_file_location("make_parameter_table", ODD.parent / "make_parameter_table.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.with_tables(odd_text) == odd_text, (
        "docs/ODD.md tables are stale: run `python docs/make_parameter_table.py --write`")

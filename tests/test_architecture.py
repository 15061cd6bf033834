"""The shape of the code: light imports, no import cycles, one parameter
table behind the typed configuration, levers with one home, one seeding
scheme."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import networkx as nx
import pytest

from simulation import Config, OrgChangeModel
from simulation.parameters import PARAMETERS, TABLES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulation", "agents", "experiments")
HEAVY = ("mesa", "pandas", "scipy", "networkx", "matplotlib")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return {name.split(".")[0] for name in out.stdout.split()}


@pytest.mark.parametrize("module", ["simulation.rules", "simulation.parameters", "simulation.errors", "simulation"])
def test_light_modules_load_no_heavy_library(module):
    loaded = _loaded_after(f"import {module}")
    assert not loaded & set(HEAVY), f"import {module} loads {sorted(loaded & set(HEAVY))}"


def _module_imports(path: Path) -> set[str]:
    """The project modules a file imports when it is loaded (imports inside
    functions and ``if TYPE_CHECKING:`` blocks run later, or never)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(inner, ast.Import):
                names.update(alias.name for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                names.add(inner.module)
                names.update(f"{inner.module}.{alias.name}" for alias in inner.names)
    return {n for n in names if n.split(".")[0] in PACKAGES}


def test_the_import_graph_has_no_cycles():
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in _module_imports(path) if target in modules
                             and target != name)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_typed_tables_are_the_parameter_table():
    names = [f.name for table in TABLES.values() for f in fields(table)]
    assert names == list(PARAMETERS)
    config = Config()
    for section, table in TABLES.items():
        assert isinstance(getattr(config, section), table)
        for f in fields(table):
            assert PARAMETERS[f.name].section == section
            assert getattr(getattr(config, section), f.name) == getattr(config, f.name) == f.default


def test_levers_have_one_home_while_a_run_is_in_force():
    model = OrgChangeModel(staff=60, weeks=10, seed=1,
                           schedule=[{"week": 3, "lever": "steering", "value": 0.9}])
    model.run(2)
    assert model.levers.steering == model.config.steering == 0.1
    model.step()
    assert model.levers.steering == model.config.steering == 0.9
    model.set_levers(accountability=0.7)
    assert model.config.levers is model.levers and model.config.accountability == 0.7


def test_one_seeding_scheme_gives_the_same_hospitals_everywhere(tmp_path):
    from experiments import Experiment, load, run_experiment
    from experiments.patterns import run_arms
    from experiments.replicates import replicate_seeds, run_replicates

    config = Config(staff=60, weeks=3, seed=77)
    seeds = replicate_seeds(77, 2)
    by_replicates = run_replicates(config, 2)
    assert by_replicates.groupby("replicate")["seed"].first().tolist() == seeds
    arms = run_arms({"base": config}, 2, 77, lambda model, df: {"c": float(df.commitment.iloc[-1])})
    experiment = Experiment.from_dict({"experiment": {"name": "x", "seed": 77, "replicates": 2, "weeks": 3},
                                       "base": {"organization": {"staff": 60}}})
    assert [run.seed for run in experiment.runs()] == seeds
    store = run_experiment(experiment, tmp_path / "s.sqlite", progress=False).path
    stored = load(store).timeseries.groupby("run_id")["commitment"].last().tolist()
    last = by_replicates.groupby("replicate")["commitment"].last().tolist()
    assert stored == last == arms["c"].tolist()

"""Property tests: configurations drawn from the parameter table.

Hypothesis draws a value for every parameter of
`simulation.parameters.PARAMETERS`, within its documented kind and range
(numbers at and between their bounds, every choice, lever lists, shocks and
schedules), on every engine, in generated hospitals and in org charts
loaded from CSV and GraphML files. For each configuration the model must
run without an exception or a RuntimeWarning (pytest makes those errors),
and every week every state variable and every metric must be a number
within its documented range, exactly: ``leader_energy`` is at most 1, not
1 plus an ulp.

What makes a run costly is capped, so that 1,000 configurations take a few
minutes: `COST_CAPS` (a hospital of at most 200 staff, a horizon of at most
52 weeks, ...). Those caps shrink only sizes; every rate, weight and
switch still spans its whole range. The fast suite draws `FAST_EXAMPLES`
configurations; the slow test draws `SLOW_EXAMPLES`. Both are
derandomized and drawn without the constants Hypothesis reads from the
modules loaded (`constants_of_no_module`), so the same code draws the same
configurations however the tests are run. ``ORGCHANGE_FUZZ_EXAMPLES=N``
draws more.
"""

from __future__ import annotations

import csv
import importlib
import math
import os
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import Config, OrgChangeModel
from simulation.metrics import BY_GROUP, COUNTS, RANGES
from simulation.organization import MIDDLE
from simulation.parameters import GROUPS, PARAMETERS, SCHEDULE_DEPARTURES

FAST_EXAMPLES = 25
SLOW_EXAMPLES = int(os.environ.get("ORGCHANGE_FUZZ_EXAMPLES", "1000"))
COST_CAPS = {"weeks": 52, "staff": 200, "snapshot_every": 52, "unit_size": 40, "senior_team": 12,
             "committee_size": 20, "rounding_contacts": 30, "projects_per_leader": 4, "unit_capacity": 6,
             "leader_capacity": 1000.0}
"""Upper bounds, below the table's, on what makes a run slow."""
UNIT_RANGE = ("predisposition", "susceptibility", "passion", "commitment", "alignment", "direction", "trust",
              "cynicism")
"""State variables documented as 0-1 (`simulation.state.StaffState`)."""


# --- drawing a configuration from the parameter table ----------------------------------------------------
def number(name: str):
    p = PARAMETERS[name]
    high = min(p.high, COST_CAPS.get(name, p.high))
    if p.kind == "int":
        return st.integers(int(p.low), int(high))
    return st.floats(p.low, high, allow_nan=False, allow_infinity=False)


def lever_value(name: str):
    """A value for lever ``name``, as a schedule event would set it."""
    p = PARAMETERS[name]
    if p.kind in ("int", "float"):
        return number(name)
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "groups":
        return st.lists(st.sampled_from(p.choices), unique=True)
    raise AssertionError(name)


SCHEDULABLE = [n for n, p in PARAMETERS.items() if p.section == "levers" and p.kind in ("int", "float", "bool",
                                                                                       "groups")]


@st.composite
def events(draw, weeks: int):
    week = draw(st.integers(1, weeks))
    if draw(st.booleans()):
        return {"week": week, "depart": draw(st.sampled_from(SCHEDULE_DEPARTURES))}
    lever = draw(st.sampled_from(SCHEDULABLE))
    return {"week": week, "lever": lever, "value": draw(lever_value(lever))}


@st.composite
def configurations(draw) -> dict:
    """Every parameter of the table, each drawn within its kind and range."""
    values = {}
    weeks = draw(number("weeks"))
    for name, p in PARAMETERS.items():
        if name in ("weeks", "org_chart"):
            continue
        if p.kind in ("int", "float"):
            values[name] = draw(number(name))
        elif p.kind == "bool":
            values[name] = draw(st.booleans())
        elif p.kind == "choice":
            values[name] = draw(st.sampled_from(p.choices))
        elif p.kind == "groups":
            values[name] = draw(st.lists(st.sampled_from(p.choices), unique=True))
        elif p.kind == "weeks":
            values[name] = draw(st.lists(st.integers(1, weeks), max_size=4))
        elif p.kind == "schedule":
            values[name] = draw(st.lists(events(weeks), max_size=4))
        else:
            raise AssertionError(f"no strategy for parameters of kind {p.kind!r} ({name})")
    # The one rule between parameters: the relay gain rises with commitment.
    low, high = sorted((values["relay_gain_low"], values["relay_gain_high"]))
    values.update(weeks=weeks, relay_gain_low=low, relay_gain_high=high)
    return values


@dataclass
class Chart:
    """A valid org chart: rows of (id, role, manager, unit, physician)."""

    rows: list[tuple[str, str, str, str, str]]
    graphml: bool
    ties: list[tuple[str, str]]

    def write(self, folder: Path, name: str) -> Path:
        if not self.graphml:
            path = folder / f"{name}.csv"
            with path.open("w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["id", "role", "manager", "unit", "physician"])
                writer.writerows(self.rows)
            return path
        g = nx.Graph()
        for pid, role, manager, unit, physician in self.rows:
            g.add_node(pid, role=role, manager=manager, unit=unit, physician=physician)
        g.add_edges_from(self.ties)
        path = folder / f"{name}.graphml"
        nx.write_graphml(g, path)
        return path


@st.composite
def charts(draw) -> Chart:
    """Any chart the rules allow: a CEO; senior leaders under the CEO or an
    earlier senior leader; units, each headed by a middle manager who
    reports to the CEO, a senior leader or an earlier middle manager; and
    frontline staff under their unit's manager (at least one in all)."""
    seniors = [f"s{k}" for k in range(draw(st.integers(1, 4)))]
    rows = [("ceo", "ceo", "", "", "")]
    physician = draw(st.sampled_from([None, *seniors]))
    for k, s in enumerate(seniors):
        rows.append((s, "senior", draw(st.sampled_from(["ceo", *seniors[:k]])), "",
                     draw(st.sampled_from(["yes", "True", "1"])) if s == physician else
                     draw(st.sampled_from(["", "no", "false", "0"]))))
    managers = []
    sizes = draw(st.lists(st.integers(0, 12), min_size=1, max_size=6))
    sizes[0] = max(sizes[0], 1)  # someone on the front line
    for u, size in enumerate(sizes):
        m = f"m{u}"
        rows.append((m, "middle", draw(st.sampled_from(["ceo", *seniors, *managers])), f"unit{u}", ""))
        managers.append(m)
        rows += [(f"f{u}_{k}", "frontline", m, f"unit{u}", "") for k in range(size)]
    order = draw(st.permutations(range(1, len(rows))))  # rows in any order, the CEO first or not
    rows = [rows[0], *(rows[i] for i in order)]
    graphml = draw(st.booleans())
    ids = [r[0] for r in rows]
    ties = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=20)) if graphml else []
    return Chart(rows, graphml, ties)


@st.composite
def cases(draw) -> tuple[dict, Chart | None]:
    return draw(configurations()), draw(st.one_of(st.none(), charts()))


# --- what must hold -----------------------------------------------------------------------------------
def out_of_range(model: OrgChangeModel) -> list[str]:
    """Every state variable and metric of this week that is not a number
    within its documented range."""
    s, faults = model.state, []
    for name in UNIT_RANGE:
        values = getattr(s, name)
        if not (np.isfinite(values).all() and (values >= 0.0).all() and (values <= 1.0).all()):
            faults.append(f"{name} in [{values.min()!r}, {values.max()!r}]")
    if not np.isin(s.practice, (0.0, 1.0)).all():
        faults.append(f"practice not 0 or 1: {np.unique(s.practice)[:5]}")
    if not (np.isfinite(s.tenure).all() and (s.tenure >= 0).all()):
        faults.append("tenure negative or not finite")
    if not np.isfinite(s.threshold).all():
        faults.append("threshold not finite")
    leaders = model.organization.role <= MIDDLE
    energy = s.energy
    if not ((energy[leaders] >= 0).all() and (energy[leaders] <= model.config.leader_capacity).all()
            and (energy[~leaders] == 0).all()):
        faults.append(f"energy in [{energy.min()!r}, {energy.max()!r}], capacity {model.config.leader_capacity}")
    nobody = absent_groups(model)
    for name, value in model.latest.items():
        if name in BY_GROUP and name in nobody and math.isnan(value):
            continue  # a group the hospital lacks has no mean
        low, high = RANGES[name]
        if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
            faults.append(f"metric {name} = {value!r}, documented range [{low}, {high}]")
        if name in COUNTS and value != int(value):
            faults.append(f"metric {name} = {value!r} is not a whole number")
    return faults


def absent_groups(model: OrgChangeModel) -> set[str]:
    """The metrics of the professional groups the hospital has no frontline
    staff of: NaN, by design (`simulation.metrics.BY_GROUP`)."""
    return {f"{name}_{g}" for name in ("commitment", "practice") for g, n in zip(GROUPS, model.group_sizes)
            if n == 0}


def check(values: dict, chart: Chart | None, folder: Path, tag: str) -> OrgChangeModel:
    if chart is not None:
        values = {**values, "org_chart": str(chart.write(folder, tag))}
    config = Config(**values)
    model = OrgChangeModel(config)
    weeks = [(0, out_of_range(model))]
    for week in range(1, config.weeks + 1):
        model.step()
        weeks.append((week, out_of_range(model)))
    bad = [(w, f) for w, f in weeks if f]
    assert not bad, f"week {bad[0][0]}: {'; '.join(bad[0][1])}\nconfig: {config!r}"
    df = model.timeseries()
    assert len(df) == config.weeks + 1 and not df.drop(columns=list(absent_groups(model))).isna().any().any()
    model.release()
    return model


@contextmanager
def constants_of_no_module():
    """Draw without the constants Hypothesis finds in the modules loaded.

    Hypothesis (6.x) mixes into its draws the numbers and strings it reads
    from every non-test module of the project already in ``sys.modules``,
    and adds more as modules are imported. So a derandomized test would
    draw other cases alone, in an xdist worker that collected every test
    file, or after a test that loaded the dashboard. With no module's
    constants, the cases depend only on the code of this file and the
    number of examples. This reaches into Hypothesis's internals; if a
    later version moves them, the draws are as before (only less fixed).
    """
    from hypothesis.internal.conjecture import providers

    if not hasattr(providers, "_get_local_constants"):
        yield
        return
    saved, nothing = providers._get_local_constants, providers.Constants()
    providers._get_local_constants = lambda: nothing
    providers.CONSTANTS_CACHE.cache.clear()  # its pools were cut from the modules' constants
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def drawing(examples: int, run) -> None:
    """Call ``run(case)`` on ``examples`` derandomized cases."""
    one = settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])(
        given(case=cases())(run))
    with constants_of_no_module():
        one()


def fuzz(folder: Path, examples: int) -> Counter:
    """Run ``examples`` drawn cases; returns how many of each kind ran."""
    seen: Counter = Counter()

    def one(case):
        values, chart = case
        kind = "generated" if chart is None else ("graphml" if chart.graphml else "csv")
        seen[values["engine"]] += 1
        seen[kind] += 1
        seen["cases"] += 1
        model = check(values, chart, folder, f"chart{seen['cases']}")
        seen["weeks"] += model.config.weeks
        seen["staff"] += model.organization.n

    drawing(examples, one)
    return seen


def test_the_drawn_cases_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    # A module with constants of its own, loaded between two drawings, is
    # what running this file after other tests looks like to Hypothesis.
    def cases_drawn() -> list[str]:
        drawn: list[str] = []
        drawing(FAST_EXAMPLES, lambda case: drawn.append(repr(case)))
        return drawn

    before = cases_drawn()
    (tmp_path / "probe_constants.py").write_text(
        "".join(f"c{k} = {0.1234567 + k / 7:.9f}\nn{k} = {7919 * k + 3}\n" for k in range(50)))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "probe_constants", raising=False)  # so that it is unloaded afterwards
    importlib.import_module("probe_constants")
    assert cases_drawn() == before


def test_drawn_configurations_stay_in_range(tmp_path):
    seen = fuzz(tmp_path, FAST_EXAMPLES)
    assert seen["cases"] >= FAST_EXAMPLES


@pytest.mark.slow
def test_a_thousand_drawn_configurations_stay_in_range(tmp_path):
    seen = fuzz(tmp_path, SLOW_EXAMPLES)
    kinds = ", ".join(f"{k} {seen[k]}" for k in (*PARAMETERS["engine"].choices, "generated", "csv", "graphml"))
    print(f"fuzzed {seen['cases']} configurations ({kinds}); mean horizon {seen['weeks'] / seen['cases']:.1f} "
          f"weeks, mean hospital {seen['staff'] / seen['cases']:.1f} staff")
    assert seen["cases"] >= SLOW_EXAMPLES
    assert all(seen[e] > 0 for e in PARAMETERS["engine"].choices)
    assert all(seen[k] > 0 for k in ("generated", "csv", "graphml"))

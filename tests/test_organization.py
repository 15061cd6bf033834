"""Organization: generated hospitals, loaded org charts, and chart errors (simulation/organization.py)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from simulation import Config, OrgChangeModel
from simulation.organization import CEO, FRONTLINE, MIDDLE, NURSE, OTHER, PHYSICIAN, SENIOR, ChartError, Organization
from simulation.parameters import ROLES

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "examples" / "community_hospital.csv"


def generate(staff=100, senior_team=6, unit_size=14, peer_density=0.25, cross_unit_ties=1.0,
             committee_size=8, seed=0) -> Organization:
    return Organization.generate(staff=staff, senior_team=senior_team, unit_size=unit_size,
                                 peer_density=peer_density, cross_unit_ties=cross_unit_ties,
                                 committee_size=committee_size, rng=np.random.default_rng(seed))


def load(path, peer_density=0.25, cross_unit_ties=1.0, committee_size=8, seed=0) -> Organization:
    return Organization.load(path, peer_density=peer_density, cross_unit_ties=cross_unit_ties,
                             committee_size=committee_size, rng=np.random.default_rng(seed))


def tie_set(org: Organization) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in org.ties}


def reporting_tree(org: Organization) -> nx.DiGraph:
    """The reports_to edges of ``org.graph``, directed from manager to report."""
    tree = nx.DiGraph()
    tree.add_nodes_from(org.graph.nodes)
    for a, b, kind in org.graph.edges(data="kind"):
        if kind == "reports_to":
            boss, report = (a, b) if org.manager[b] == a else (b, a)
            assert org.manager[report] == boss  # the edge is a reporting line, one way or the other
            tree.add_edge(boss, report)
    return tree


# --- generated hospitals --------------------------------------------------------------------------
SIZES = [
    # staff, senior_team, unit_size
    (10, 6, 14),  # the smallest allowed hospital: the senior team is capped
    (37, 3, 5),
    (100, 6, 14),
    (500, 6, 14),  # the default hospital
    (1500, 10, 20),
]


@pytest.mark.parametrize(("staff", "senior_team", "unit_size"), SIZES)
def test_a_generated_hospital_has_the_documented_structure(staff, senior_team, unit_size):
    org = generate(staff=staff, senior_team=senior_team, unit_size=unit_size, committee_size=8)
    assert org.n == staff
    role = org.role

    # Exactly one CEO, who has no manager; everyone else has one.
    assert np.count_nonzero(role == CEO) == 1
    assert org.manager[org.ceo] == -1
    assert np.count_nonzero(org.manager == -1) == 1

    # The reporting lines form a tree rooted at the CEO, and levels are depths in it.
    tree = reporting_tree(org)
    assert nx.is_arborescence(tree)
    assert [n for n, d in tree.in_degree() if d == 0] == [org.ceo]
    depth = nx.single_source_shortest_path_length(tree, org.ceo)
    assert all(org.graph.nodes[i]["level"] == depth[i] == org.depth[i] for i in range(org.n))

    # Senior team: as requested, unless the hospital is too small; all report to the CEO.
    seniors = np.flatnonzero(role == SENIOR)
    assert len(seniors) == min(senior_team, staff - 3)
    assert np.all(org.manager[seniors] == org.ceo)
    assert org.physician in seniors

    # Every middle manager heads exactly one unit and reports to a senior leader.
    middles = np.flatnonzero(role == MIDDLE)
    assert len(middles) == org.n_units >= 1
    assert sorted(org.unit[middles]) == list(range(org.n_units))
    assert np.array_equal(org.unit_head[org.unit[middles]], middles)
    assert np.all(role[org.manager[middles]] == SENIOR)

    # Frontline staff belong to units, with the unit's middle manager as manager.
    front = np.flatnonzero(role == FRONTLINE)
    assert len(front) == staff - 1 - len(seniors) - len(middles)
    assert np.all(org.unit[front] >= 0)
    assert np.array_equal(org.manager[front], org.unit_head[org.unit[front]])
    # ...spread evenly: unit head counts differ by at most one.
    per_unit = np.bincount(org.unit[front], minlength=org.n_units)
    assert per_unit.max() - per_unit.min() <= 1
    # The CEO and senior team belong to no unit.
    assert np.all(org.unit[role <= SENIOR] == -1)

    # Node attributes on the graph.
    for i in range(org.n):
        node = org.graph.nodes[i]
        assert node["role"] == ROLES[role[i]]
        assert node["unit"] == org.unit[i] and node["manager"] == org.manager[i] and node["id"] == org.ids[i]

    # Committee: the CEO, the physician QI leader, then middle managers, up to committee_size.
    assert len(org.committee) == min(8, 2 + len(middles))
    assert len(set(org.committee.tolist())) == len(org.committee)
    assert {org.ceo, org.physician} <= set(org.committee.tolist())
    assert set(org.committee.tolist()) - {org.ceo, org.physician} <= set(middles.tolist())


@pytest.mark.parametrize("unit_size", [2, 5, 14, 40])
def test_unit_size_sets_the_mean_frontline_per_unit(unit_size):
    org = generate(staff=2000, unit_size=unit_size)
    mean = np.count_nonzero(org.role == FRONTLINE) / org.n_units
    assert mean == pytest.approx(unit_size, rel=0.05)


@pytest.mark.parametrize("size", [0, 1, 2, 5, 30])
def test_committee_size_is_honoured_up_to_the_available_members(size):
    org = generate(staff=200, committee_size=size)
    n_middle = np.count_nonzero(org.role == MIDDLE)
    assert len(org.committee) == min(size, 2 + n_middle)
    if size >= 1:
        assert org.ceo in org.committee


def test_ties_are_unique_undirected_pairs_without_self_ties():
    org = generate(staff=300)
    assert org.ties.shape[1] == 2
    assert np.all(org.ties[:, 0] < org.ties[:, 1])
    assert len(tie_set(org)) == len(org.ties)


def test_the_senior_team_is_fully_linked():
    org = generate(staff=300, senior_team=7)
    top = np.flatnonzero(org.role <= SENIOR)
    peers = org.peer_matrix().toarray()
    block = peers[np.ix_(top, top)]
    assert np.array_equal(block, 1 - np.eye(len(top)))


def test_peer_matrix_is_symmetric_zero_one_without_self_loops():
    org = generate(staff=400)
    for committee in (False, True):
        m = org.peer_matrix(committee=committee)
        dense = m.toarray()
        assert (m != m.T).nnz == 0
        assert set(np.unique(dense)) == {0.0, 1.0}
        assert not dense.diagonal().any()
    # It holds every informal tie and every reporting line...
    dense = org.peer_matrix().toarray()
    assert all(dense[a, b] == 1 for a, b in org.ties)
    assert all(dense[i, org.manager[i]] == 1 for i in range(org.n) if org.manager[i] >= 0)
    # ...and nothing else.
    assert dense.sum() / 2 == len(tie_set(org) | {tuple(sorted((i, int(org.manager[i]))))
                                                  for i in range(org.n) if org.manager[i] >= 0})


def test_peer_matrix_links_the_committee_only_when_it_meets():
    org = generate(staff=400, committee_size=8)
    without, with_ = org.peer_matrix().toarray(), org.peer_matrix(committee=True).toarray()
    members = org.committee
    block = with_[np.ix_(members, members)]
    assert np.array_equal(block, 1 - np.eye(len(members)))
    assert not without[np.ix_(members, members)].all(axis=None)  # not already a clique
    added = with_ - without
    assert added.min() == 0.0  # the committee adds ties, never removes them
    rows, cols = np.nonzero(added)
    assert set(rows) | set(cols) <= set(members.tolist())


@pytest.mark.parametrize("staff", [10, 100, 700])
def test_skip_level_matrix_links_people_to_the_leaders_above_their_manager(staff):
    org = generate(staff=staff)
    m = org.skip_level_matrix()
    assert set(np.unique(m.data)) <= {1.0}
    for i in range(org.n):
        linked = set(m.indices[m.indptr[i]:m.indptr[i + 1]].tolist())
        if org.role[i] == FRONTLINE:
            senior = int(org.manager[org.manager[i]])
            assert org.role[senior] == SENIOR
            assert linked == {senior, org.ceo}
        elif org.role[i] == MIDDLE:
            assert linked == {org.ceo}
        else:
            assert linked == set()


def _within_unit_frontline(org):
    front = org.role == FRONTLINE
    ties = [(a, b) for a, b in org.ties if front[a] and front[b]]
    same = sum(org.unit[a] == org.unit[b] for a, b in ties)
    sizes = np.bincount(org.unit[front])
    pairs = int((sizes * (sizes - 1) // 2).sum())
    return same, pairs, len(ties) - same


@pytest.mark.parametrize("density", [0.1, 0.25, 0.6])
def test_within_unit_tie_density_matches_peer_density(density):
    org = generate(staff=2000, unit_size=20, peer_density=density, cross_unit_ties=0.0)
    ties, pairs, cross = _within_unit_frontline(org)
    # Each within-unit pair is tied independently with probability `density`, so the
    # count is Binomial(pairs, density); allow four standard deviations.
    sd = math.sqrt(pairs * density * (1 - density))
    assert abs(ties - density * pairs) <= 4 * sd, (ties, density * pairs, sd)
    assert cross == 0  # no cross-unit ties were asked for


@pytest.mark.parametrize(("density", "expected"), [(0.0, 0.0), (1.0, 1.0)])
def test_peer_density_extremes_give_no_ties_or_complete_units(density, expected):
    org = generate(staff=300, peer_density=density)
    ties, pairs, _ = _within_unit_frontline(org)
    assert ties == expected * pairs


@pytest.mark.parametrize(("staff", "per_person"), [(100, 1.0), (100, 3.0), (1000, 0.5), (1000, 2.0)])
def test_cross_unit_ties_average_cross_unit_ties_per_person(staff, per_person):
    org = generate(staff=staff, peer_density=0.0, cross_unit_ties=per_person)
    front = org.role == FRONTLINE
    n_front = int(front.sum())
    ties = [(a, b) for a, b in org.ties if front[a] and front[b]]
    assert all(org.unit[a] != org.unit[b] for a, b in ties)  # every one crosses units
    # per_person * n / 2 ties are drawn, each between two units; only the rare
    # duplicate draw is lost (expected well under 5% at these sizes).
    drawn = round(per_person * n_front / 2)
    assert 0.9 * drawn <= len(ties) <= drawn
    assert 2 * len(ties) / n_front == pytest.approx(per_person, rel=0.1)


def test_no_cross_unit_ties_when_none_are_asked_for():
    org = generate(staff=300, cross_unit_ties=0.0)
    kinds = {kind for *_, kind in org.graph.edges(data="kind")}
    assert "cross_unit" not in kinds
    assert {"reports_to", "peer", "senior_team"} <= kinds


def test_graph_edge_kinds_describe_the_tie():
    org = generate(staff=500)
    for a, b, kind in org.graph.edges(data="kind"):
        if kind == "reports_to":
            assert org.manager[a] == b or org.manager[b] == a
        elif kind == "senior_team":
            assert org.role[a] <= SENIOR and org.role[b] <= SENIOR
        elif kind == "manager_peer":
            assert org.role[a] == org.role[b] == MIDDLE
        elif kind == "peer":
            assert org.unit[a] == org.unit[b] >= 0
        else:
            assert kind == "cross_unit" and org.unit[a] != org.unit[b]


def test_a_generated_hospitals_ids_behave_as_the_list_of_them():
    """`NumberedIds` stands in for the list ["p0", ..., "p<n-1>"]: whatever
    reads the ids (snapshots, the graph, the dashboard) sees the same."""
    from simulation.organization import NumberedIds

    org = generate(staff=300, seed=5)
    listed = [f"p{i}" for i in range(org.n)]
    ids = org.ids
    assert isinstance(ids, NumberedIds) and len(ids) == org.n
    assert ids == listed and listed == ids and list(ids) == listed and ids != listed[:-1]
    assert ids[0] == "p0" and ids[-1] == listed[-1] and ids[5:9] == listed[5:9] and ids[::-50] == listed[::-50]
    assert ids.index("p42") == 42 and "p42" in ids and ids.count("p7") == 1
    for absent in ("p300", "p-1", "p07", "x1", "", 3):
        assert absent not in ids and ids.count(absent) == 0
        with pytest.raises(ValueError, match="not the id of anyone"):
            ids.index(absent)
    with pytest.raises(IndexError, match="not in a hospital of 300"):
        ids[300]
    assert [node["id"] for _, node in org.graph.nodes(data=True)] == listed


def test_generation_is_deterministic_for_a_seed():
    a, b, c = generate(staff=300, seed=5), generate(staff=300, seed=5), generate(staff=300, seed=6)
    for name in ("role", "manager", "unit", "ties", "committee"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.physician == b.physician and a.ids == b.ids
    assert tie_set(a) != tie_set(c)  # and the seed matters


# --- loaded charts ------------------------------------------------------------------------------------
def chart_rows(path=CHART) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def assert_matches_rows(org: Organization, rows: list[dict[str, str]]):
    """The loaded organization holds exactly the chart's people, roles, managers and units."""
    assert org.ids == [r["id"] for r in rows]
    index = {pid: i for i, pid in enumerate(org.ids)}
    for i, r in enumerate(rows):
        assert ROLES[org.role[i]] == r["role"], r
        assert org.manager[i] == (index[r["manager"]] if r["manager"] else -1), r
    # Units: the same people together, whatever the unit numbering.
    by_name: dict[str, set[str]] = {}
    for r in rows:
        if r["role"] in ("middle", "frontline"):
            by_name.setdefault(r["unit"], set()).add(r["id"])
    by_index = {u: {org.ids[i] for i in org.members(u)} for u in range(org.n_units)}
    assert sorted(map(sorted, by_name.values())) == sorted(map(sorted, by_index.values()))
    assert all(org.unit[index[r["id"]]] == -1 for r in rows if r["role"] in ("ceo", "senior"))
    physicians = [r["id"] for r in rows if r.get("physician") == "yes"]
    assert [org.ids[org.physician]] == physicians


def test_the_example_chart_loads():
    org = load(CHART)
    assert org.n == 73
    assert org.n_units == 8
    assert org.ids[org.physician] == "cmo"
    assert org.ids[org.ceo] == "ceo"
    assert_matches_rows(org, chart_rows())
    assert nx.is_arborescence(reporting_tree(org))
    # Every unit has its middle manager.
    assert np.all(org.unit_head >= 0) and np.all(org.role[org.unit_head] == MIDDLE)


def test_a_loaded_chart_gets_generated_informal_ties_and_a_committee():
    org = load(CHART, peer_density=1.0, cross_unit_ties=0.0, committee_size=4)
    top = np.flatnonzero(org.role <= SENIOR)
    assert tie_set(org) >= {(int(a), int(b)) for a in top for b in top if a < b}  # the senior team clique
    for u in range(org.n_units):  # a density of 1 ties everyone in a unit
        members = org.members(u)
        assert tie_set(org) >= {(int(a), int(b)) for a in members for b in members if a < b}
    assert len(org.committee) == 4
    assert {org.ceo, org.physician} <= set(org.committee.tolist())
    assert np.all(org.role[[c for c in org.committee if c not in (org.ceo, org.physician)]] == MIDDLE)


def test_loading_is_deterministic_for_a_seed():
    a, b = load(CHART, seed=3), load(CHART, seed=3)
    assert np.array_equal(a.ties, b.ties) and np.array_equal(a.committee, b.committee)


def test_the_example_chart_runs_in_the_model():
    model = OrgChangeModel(org_chart=str(CHART), weeks=3, seed=1)
    df = model.run()
    assert model.organization.n == 73
    assert list(df["week"]) == [0, 1, 2, 3]
    assert model.config.staff == Config().staff  # the chart, not staff, sets the head count


def test_the_example_config_file_runs_with_its_chart():
    config = Config.from_toml(ROOT / "examples" / "community_hospital.toml", weeks=2)
    model = OrgChangeModel(config)
    assert model.organization.n == 73
    assert len(model.run()) == 3


def write_graphml(path: Path, rows: list[dict[str, str]], edges=(), int_units=False) -> Path:
    g = nx.DiGraph()
    units = {name: k for k, name in enumerate(sorted({r["unit"] for r in rows if r["unit"]}))}
    for r in rows:
        attrs = {"role": r["role"], "manager": r["manager"], "unit": r["unit"]}
        if int_units:
            attrs["unit"] = units.get(r["unit"], -1) if r["unit"] else ""
        if r.get("physician"):
            attrs["physician"] = r["physician"]
        g.add_node(r["id"], **attrs)
    for r in rows:
        if r["manager"]:
            g.add_edge(r["id"], r["manager"], kind="reports_to")
    for a, b in edges:
        g.add_edge(a, b, kind="peer")
    nx.write_graphml(g, path)
    return path


def test_the_same_chart_as_graphml_loads_to_the_same_structure(tmp_path):
    rows = chart_rows()
    org = load(write_graphml(tmp_path / "chart.graphml", rows))
    assert_matches_rows(org, rows)
    from_csv = load(CHART)
    for name in ("role", "manager", "unit"):
        assert np.array_equal(getattr(org, name), getattr(from_csv, name)), name
    assert org.physician == from_csv.physician


def test_graphml_units_given_as_integers_including_zero(tmp_path):
    # Unit 0 is a unit, not a missing value.
    rows = chart_rows()
    org = load(write_graphml(tmp_path / "chart.graphml", rows, int_units=True))
    assert_matches_rows(org, rows)


def test_graphml_edges_other_than_reporting_lines_are_the_informal_ties(tmp_path):
    rows = chart_rows()
    edges = [("emergency_01", "icu_01"), ("emergency_01", "emergency_02"), ("cno", "coo")]
    org = load(write_graphml(tmp_path / "chart.graphml", rows, edges), peer_density=1.0, cross_unit_ties=5.0)
    index = {pid: i for i, pid in enumerate(org.ids)}
    assert tie_set(org) == {tuple(sorted((index[a], index[b]))) for a, b in edges}


def test_a_graphml_file_without_informal_ties_gets_generated_ones(tmp_path):
    org = load(write_graphml(tmp_path / "chart.graphml", chart_rows()), peer_density=1.0)
    assert len(org.ties) > 100


# --- chart errors ---------------------------------------------------------------------------------------
GOOD = """\
id,role,manager,unit,physician
ceo,ceo,,,
cmo,senior,ceo,,yes
cno,senior,ceo,,
er_mgr,middle,cmo,er,
er_1,frontline,er_mgr,er,
er_2,frontline,er_mgr,er,
icu_mgr,middle,cno,icu,
icu_1,frontline,icu_mgr,icu,
"""
# Line numbers in GOOD: 1 header, 2 ceo, 3 cmo, 4 cno, 5 er_mgr, 6 er_1, 7 er_2, 8 icu_mgr, 9 icu_1.


def edit(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def load_text(tmp_path, text: str, name: str = "chart.csv") -> Organization:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(path)


def chart_error(tmp_path, text: str) -> str:
    """The message of the `ChartError` that loading ``text`` as chart.csv raises."""
    with pytest.raises(ChartError) as err:
        load_text(tmp_path, text)
    return str(err.value)


def test_the_good_chart_used_below_is_valid(tmp_path):
    org = load_text(tmp_path, GOOD)
    assert org.n == 8 and org.n_units == 2 and org.ids[org.physician] == "cmo"


@pytest.mark.parametrize(("line", "row", "message"), [
    (6, ",frontline,er_mgr,er,", "chart.csv row 6: id is empty"),
    (7, "er_1,frontline,er_mgr,er,", "chart.csv row 7: duplicate id 'er_1' (first at chart.csv row 6)"),
    (6, "er_1,nurse,er_mgr,er,", "chart.csv row 6: unknown role 'nurse'; allowed: ceo, senior, middle, frontline"),
    (4, "cno,ceo,,,", "chart.csv row 4: a second CEO (the first is at chart.csv row 2); exactly one is allowed"),
    (2, "ceo,ceo,cmo,,", "chart.csv row 2: the CEO must have no manager, got 'cmo'"),
    (6, "er_1,frontline,,er,", "chart.csv row 6: frontline 'er_1' has no manager"),
    (3, "cmo,senior,,,yes", "chart.csv row 3: senior 'cmo' has no manager"),
    (6, "er_1,frontline,er_boss,er,", "chart.csv row 6: unknown manager 'er_boss'"),
    (6, "er_1,frontline,er_1,er,", "chart.csv row 6: 'er_1' reports to themselves"),
    (5, "er_mgr,middle,cmo,,", "chart.csv row 5: middle 'er_mgr' has no unit"),
    (9, "icu_1,frontline,icu_mgr,,", "chart.csv row 9: frontline 'icu_1' has no unit"),
    (8, "icu_mgr,middle,cno,er,",
     "chart.csv row 8: unit 'er' already has a middle manager ('er_mgr'); one per unit is allowed"),
    (4, "cno,senior,ceo,,yes", "chart.csv row 4: a second physician QI leader; one is allowed"),
    (6, "er_1,frontline,er_mgr,er,,extra", "chart.csv row 6: 6 fields, but the header has 5"),
])
def test_each_row_error_names_its_row(tmp_path, line, row, message):
    assert chart_error(tmp_path, edit(GOOD, line, row)) == message


# The audit's charts that ran although they make no sense: each now names its row and the rule.
@pytest.mark.parametrize(("line", "row", "message"), [
    (7, "er_2,frontline,er_1,er,",  # a frontline person who manages someone
     "chart.csv row 7: frontline 'er_2' reports to 'er_1', who is frontline staff (chart.csv row 6); "
     "frontline staff manage nobody"),
    (8, "icu_mgr,middle,er_1,icu,",  # a middle manager who reports to a frontline person
     "chart.csv row 8: middle 'icu_mgr' reports to 'er_1', who is frontline staff (chart.csv row 6); "
     "frontline staff manage nobody"),
    (4, "cno,senior,er_mgr,,",  # a senior leader below a middle manager
     "chart.csv row 4: senior 'cno' reports to 'er_mgr', a middle manager (chart.csv row 5), a level below "
     "them; a manager is at the same level or above (ceo, senior, middle, frontline, from the top)"),
    (9, "icu_1,frontline,icu_mgr,picu,",  # a unit with frontline staff and no middle manager
     "chart.csv row 9: unit 'picu' has frontline staff but no middle manager; every unit needs one (a row "
     "with role middle and unit 'picu')"),
    (3, "cmo,senior,ceo,,maybe",  # a flag that is neither yes nor no
     "chart.csv row 3: physician must be yes or no (also true/false or 1/0; empty means no), got 'maybe'"),
])
def test_a_chart_that_makes_no_sense_names_the_row_and_the_rule(tmp_path, line, row, message):
    assert chart_error(tmp_path, edit(GOOD, line, row)) == message


@pytest.mark.parametrize(("text", "missing"), [
    ("id,role,manager,unit\nceo,ceo,,\n", "senior, middle, frontline"),  # the audit's CEO-only chart
    ("id,role,manager,unit\nceo,ceo,,\nm,middle,ceo,u\nf,frontline,m,u\n", "senior"),
    ("id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nm,middle,s,u\n", "frontline"),
])
def test_a_chart_needs_someone_at_each_level(tmp_path, text, missing):
    assert chart_error(tmp_path, text) == (f"chart.csv: nobody at level {missing}; a chart needs at least one "
                                           f"person at each level: ceo, senior, middle, frontline")


def test_the_smallest_chart_gives_no_nan_at_any_level(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_text("id,role,manager,unit\nceo,ceo,,\ns,senior,ceo,\nm,middle,s,u\nf,frontline,m,u\n")
    df = OrgChangeModel(org_chart=str(path), weeks=5, seed=3).run()
    # A chart without a group column has "other" frontline staff only: the
    # nurses' and physicians' means are of nobody, so NaN; nothing else is.
    absent = [f"{name}_{g}" for name in ("commitment", "practice") for g in ("nurse", "physician")]
    assert df[absent].isna().all().all()
    assert not df.drop(columns=absent).isna().any().any()


def test_a_middle_manager_may_report_to_another_and_a_senior_leader_to_a_senior_leader(tmp_path):
    text = edit(edit(GOOD, 8, "icu_mgr,middle,er_mgr,icu,"), 4, "cno,senior,cmo,,")
    org = load_text(tmp_path, text)
    assert org.ids[org.manager[org.ids.index("icu_mgr")]] == "er_mgr"


@pytest.mark.parametrize(("flag", "is_physician"), [
    ("yes", True), ("YES", True), ("True", True), ("1", True), (" yes ", True),
    ("no", False), ("No", False), ("false", False), ("0", False), ("", False),
])
def test_the_documented_spellings_of_the_physician_flag(tmp_path, flag, is_physician):
    text = edit(edit(GOOD, 3, "cmo,senior,ceo,,"), 4, f"cno,senior,ceo,,{flag}")
    org = load_text(tmp_path, text)
    # Without a flag, the first senior leader is the physician QI leader.
    assert org.ids[org.physician] == ("cno" if is_physician else "cmo")


def test_graphml_physician_flags_are_read_the_same_way(tmp_path):
    rows = [dict(r) for r in GOOD_ROWS]
    for value, expected in ((True, "cno"), ("maybe", None)):
        g = nx.DiGraph()
        for r in rows:
            extra = {"physician": value} if r["id"] == "cno" else {}
            g.add_node(r["id"], role=r["role"], manager=r["manager"], unit=r["unit"], **extra)
        path = tmp_path / "chart.graphml"
        nx.write_graphml(g, path)
        if expected:
            org = load(path)
            assert org.ids[org.physician] == expected
        else:
            with pytest.raises(ChartError, match="^chart.graphml node 'cno': physician must be yes or no"):
                load(path)


def with_groups(text: str, groups: dict[str, str]) -> str:
    """``text`` (a chart with the five columns of GOOD) with a group column,
    ``groups[id]`` for the ids it names and empty for everyone else."""
    lines = text.strip().splitlines()
    return "\n".join([lines[0] + ",group"] + [f"{row},{groups.get(row.split(',')[0], '')}" for row in lines[1:]]) + "\n"


def test_a_group_column_gives_frontline_staff_their_profession(tmp_path):
    org = load_text(tmp_path, with_groups(GOOD, {"er_1": "nurse", "er_2": "Physician", "icu_1": "other"}))
    group = dict(zip(org.ids, org.group))
    assert (group["er_1"], group["er_2"], group["icu_1"]) == (NURSE, PHYSICIAN, OTHER)
    assert group[org.ids[org.physician]] == PHYSICIAN  # the physician QI leader is a physician
    # A loaded chart's groups reach the model: the nurse is the nurses' whole mean.
    path = tmp_path / "chart.csv"
    model = OrgChangeModel(org_chart=str(path), weeks=1, seed=2)
    row = model.latest
    assert row["commitment_nurse"] == pytest.approx(model.state.commitment[org.ids.index("er_1")])


@pytest.mark.parametrize(("groups", "message"), [
    ({"er_1": "surgeon"}, "chart.csv row 6: group must be one of other, nurse, physician (empty means other), "
                          "got 'surgeon'"),
    ({"er_mgr": "doctor"}, "chart.csv row 5: group must be one of other, nurse, physician (empty means other), "
                           "got 'doctor'"),
])
def test_a_group_that_makes_no_sense_names_the_row(tmp_path, groups, message):
    assert chart_error(tmp_path, with_groups(GOOD, groups)) == message


def test_only_frontline_staff_have_a_professional_group(tmp_path):
    org = load_text(tmp_path, with_groups(GOOD, {"er_mgr": "nurse", "cno": "physician"}))
    leaders = [org.ids.index(i) for i in ("er_mgr", "cno")]
    assert (org.group[leaders] == OTHER).all() and org.group[org.physician] == PHYSICIAN


def test_graphml_groups_are_read_the_same_way(tmp_path):
    g = nx.DiGraph()
    for r in GOOD_ROWS:
        extra = {"group": "nurse"} if r["id"] == "er_1" else {}
        g.add_node(r["id"], role=r["role"], manager=r["manager"], unit=r["unit"], **extra)
    path = tmp_path / "chart.graphml"
    nx.write_graphml(g, path)
    org = load(path)
    assert org.group[org.ids.index("er_1")] == NURSE and org.group[org.ids.index("er_2")] == OTHER


def test_a_physician_who_is_not_a_senior_leader(tmp_path):
    text = edit(edit(GOOD, 3, "cmo,senior,ceo,,"), 5, "er_mgr,middle,cmo,er,yes")
    assert chart_error(tmp_path, text) == "chart.csv row 5: the physician QI leader must be a senior leader"


def test_no_ceo(tmp_path):
    text = edit(GOOD, 2, "ceo,senior,cmo,,")
    assert chart_error(tmp_path, text) == "chart.csv: no CEO; exactly one person must have role 'ceo'"


def test_a_reporting_cycle_is_named(tmp_path):
    # er_mgr reports to er_1, who reports to er_mgr: neither reaches the CEO.
    text = edit(GOOD, 5, "er_mgr,middle,er_1,er,")
    assert chart_error(tmp_path, text) == "chart.csv row 5: reporting lines form a cycle: er_mgr -> er_1 -> er_mgr"


def test_a_longer_cycle_away_from_the_first_rows(tmp_path):
    text = GOOD + "a,frontline,c,icu,\nb,frontline,a,icu,\nc,frontline,b,icu,\n"  # rows 10-12
    assert chart_error(tmp_path, text) == "chart.csv row 10: reporting lines form a cycle: a -> c -> b -> a"


def test_missing_columns(tmp_path):
    text = edit(GOOD, 1, "id,role,boss,physician")
    assert chart_error(tmp_path, text) == ("chart.csv row 1: missing column(s) manager, unit; the header must be "
                                           "id,role,manager,unit, got id,role,boss,physician")


def test_an_empty_file(tmp_path):
    assert chart_error(tmp_path, "") == ("chart.csv: the file is empty; its first line must be the header "
                                         "id,role,manager,unit")


def test_a_header_without_rows(tmp_path):
    empty = "id,role,manager,unit\n\n"
    assert chart_error(tmp_path, empty) == "chart.csv: the chart has a header but no rows of people"


def test_row_numbers_are_file_lines_even_after_blank_lines(tmp_path):
    # A blank line after the header: er_1's row is now line 7 of the file.
    lines = GOOD.splitlines()
    text = "\n".join(lines[:1] + [""] + lines[1:]) + "\n"
    assert load_text(tmp_path, text).n == 8  # blank lines are skipped
    with pytest.raises(ChartError, match=r"^chart\.csv row 7: unknown manager 'x'$"):
        load_text(tmp_path, edit(text, 7, "er_1,frontline,x,er,"))


def test_columns_may_come_in_any_order_and_case_and_spacing(tmp_path):
    text = "Unit, Manager ,ROLE,id\n,,ceo,boss\n,boss,senior,s\nu,s,middle,m\nu,m,frontline,f\n"
    org = load_text(tmp_path, text)
    assert [ROLES[r] for r in org.role] == ["ceo", "senior", "middle", "frontline"]
    assert list(org.manager) == [-1, 0, 1, 2]


def test_a_file_that_is_not_text(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_bytes(b"id,role,manager,unit\n\xff\xfe\x00\x01\n")
    with pytest.raises(ChartError, match=r"^chart\.csv: not a UTF-8 text file"):
        load(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(ChartError) as err:
        load(tmp_path / "nope.csv")
    assert str(err.value) == f"org_chart: file {str(tmp_path / 'nope.csv')!r} does not exist"


def test_a_folder_is_not_a_chart(tmp_path):
    (tmp_path / "charts.csv").mkdir()
    with pytest.raises(ChartError, match="is not a file"):
        load(tmp_path / "charts.csv")


def test_a_wrong_file_extension(tmp_path):
    path = tmp_path / "chart.txt"
    path.write_text(GOOD)
    with pytest.raises(ChartError) as err:
        load(path)
    assert str(err.value) == "org_chart: must be a .csv or .graphml file, got 'chart.txt'"


def test_unreadable_graphml(tmp_path):
    path = tmp_path / "chart.graphml"
    path.write_text("this is not XML <<<")
    with pytest.raises(ChartError, match=r"^chart\.graphml: not readable GraphML: "):
        load(path)


def test_empty_graphml(tmp_path):
    path = tmp_path / "chart.graphml"
    nx.write_graphml(nx.DiGraph(), path)
    with pytest.raises(ChartError) as err:
        load(path)
    assert str(err.value) == "chart.graphml: the chart has no nodes"


GOOD_ROWS = list(csv.DictReader(GOOD.splitlines()))


@pytest.mark.parametrize(("node", "change", "message"), [
    ("er_1", {"role": "nurse"}, "chart.graphml node 'er_1': unknown role 'nurse'"),
    ("er_1", {"manager": "er_boss"}, "chart.graphml node 'er_1': unknown manager 'er_boss'"),
    ("cno", {"role": "ceo", "manager": ""}, "chart.graphml node 'cno': a second CEO (the first is at "
                                            "chart.graphml node 'ceo')"),
    ("icu_1", {"unit": ""}, "chart.graphml node 'icu_1': frontline 'icu_1' has no unit"),
    ("er_mgr", {"manager": "er_1"}, "chart.graphml node 'er_mgr': reporting lines form a cycle: "
                                    "er_mgr -> er_1 -> er_mgr"),
])
def test_graphml_errors_name_the_node(tmp_path, node, change, message):
    rows = [dict(r, **change) if r["id"] == node else dict(r) for r in GOOD_ROWS]
    g = nx.DiGraph()
    for r in rows:  # only reporting attributes; no edges needed
        g.add_node(r["id"], role=r["role"], manager=r["manager"], unit=r["unit"])
    path = tmp_path / "chart.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(ChartError) as err:
        load(path)
    assert str(err.value).startswith(message)


def test_chart_errors_reach_the_model_user(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_text(edit(GOOD, 4, "cno,ceo,,,"))
    with pytest.raises(ChartError, match="row 4: a second CEO"):
        OrgChangeModel(org_chart=str(path), weeks=1)


def test_an_exported_graph_loads_back_as_the_same_organization(tmp_path):
    org = generate(staff=200, seed=4)
    path = tmp_path / "exported.graphml"
    nx.write_graphml(org.graph, path)
    back = load(path, peer_density=0.9, cross_unit_ties=9.0)  # the file's own ties win
    for name in ("role", "manager", "unit"):
        assert np.array_equal(getattr(back, name), getattr(org, name)), name
    # A tie that is also a reporting line (CEO and senior leader) is one edge of kind
    # reports_to in the graph; the engine's network, which holds both, is the same.
    assert (back.peer_matrix() != org.peer_matrix()).nnz == 0
    assert tie_set(back) <= tie_set(org)
    assert back.physician == org.physician
    assert back.ids == [str(i) for i in range(org.n)]  # node keys are the ids


def test_a_manager_written_as_the_string_minus_one_is_an_id(tmp_path):
    g = nx.DiGraph()
    g.add_node("ceo", role="ceo", manager="-1", unit="")
    path = tmp_path / "chart.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(ChartError, match="the CEO must have no manager, got '-1'"):
        load(path)


def test_the_regional_example_chart_has_the_shape_the_readme_gives_it():
    # README and ODD 10.2: 365 people, 32 units of 3 to 27 frontline staff,
    # six unit managers under another unit's manager, four levels below the CEO.
    org = OrgChangeModel(Config(org_chart=str(ROOT / "examples" / "regional_hospital.csv"), weeks=1)).organization
    assert org.n == 365 and org.n_units == 32
    assert org.unit_sizes.min() == 4 and org.unit_sizes.max() == 28  # the manager is a member of the unit
    middles = np.flatnonzero(org.role == MIDDLE)
    assert int((org.role[org.manager[middles]] == MIDDLE).sum()) == 6
    assert org.depth.max() == 4

"""The hospital as a network of people.

An `Organization` is the model's structure, fixed for a run: who holds which
role, who reports to whom, which unit each person belongs to, and the
informal ties that run sideways. People are numbered 0..n-1; every array
here is indexed by that number, and so are the model's state arrays.

Two ways to get one:

* `Organization.generate` builds a hospital from size, span and tie-density
  parameters (DESIGN section 2).
* `Organization.load` reads a user's org chart, a CSV of
  ``id,role,manager,unit`` or a GraphML file, and validates it against
  `CHART_RULES`. A bad chart raises `ChartError` naming the offending row
  or node and the rule it breaks.

The engine never walks the networkx graph; it uses the sparse matrices from
`peer_matrix` and `skip_level_matrix`. `graph` is for people: analysis,
plotting and export.
"""

from __future__ import annotations

import csv
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import overload

import networkx as nx
import numpy as np
import scipy.sparse as sp

from simulation.parameters import GROUPS, ROLES

CEO, SENIOR, MIDDLE, FRONTLINE = range(4)
"""Role codes; ``ROLES[code]`` is the role's name."""
OTHER, NURSE, PHYSICIAN = range(3)
"""Professional group codes; ``GROUPS[code]`` is the group's name."""


ALL_PAIRS_LIMIT = 200
"""Largest unit in which tie generation tests every pair (see `_within_unit_ties`)."""


CHART_RULES = (
    "exactly one CEO, who has no manager",
    "roles are ceo, senior, middle or frontline",
    "everyone else has a manager who is in the chart, and the reporting lines reach the CEO (no cycles)",
    "frontline staff manage nobody",
    "nobody reports to someone at a lower level (ceo, senior, middle, frontline, from the top)",
    "middle managers and frontline staff belong to a unit",
    "every unit has exactly one middle manager",
    "at least one person at each level: ceo, senior, middle and frontline",
    "at most one physician QI leader, a senior leader",
    "a group, if given, is nurse, physician or other (empty: other); only frontline staff's counts",
)
"""What a loaded org chart must satisfy, as `_from_records` checks it (the README lists it too)."""

YES, NO = ("yes", "true", "1"), ("no", "false", "0", "")
"""The spellings of the ``physician`` flag (any case); anything else is an error."""


class ChartError(ValueError):
    """An org chart that cannot describe a hospital."""


class NumberedIds(Sequence[str]):
    """The ids of a generated hospital's ``n`` people, ``"p0"`` to
    ``"p<n-1>"``, each written out when it is asked for.

    A sequence of strings like a list of them (indexing, slicing, ``len``,
    ``in``, ``index``; equal to a list of the same ids), without holding
    them: a list of 100,000 such strings takes 6 MB, 63 bytes a person.
    """

    __slots__ = ("n",)
    _FORM = re.compile(r"p(0|[1-9][0-9]*)")

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        k = operator.index(i)
        if not -self.n <= k < self.n:
            raise IndexError(f"person {i} is not in a hospital of {self.n}")
        return f"p{k % self.n}"

    def _number(self, value: object) -> int:
        """The index whose id is ``value``, or -1 if none is."""
        match = self._FORM.fullmatch(value) if isinstance(value, str) else None
        return int(match.group(1)) if match and int(match.group(1)) < self.n else -1

    def __contains__(self, value: object) -> bool:
        return self._number(value) >= 0

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        k = self._number(value)
        if k < 0 or not start <= k < (self.n if stop is None else stop):
            raise ValueError(f"{value!r} is not the id of anyone in this hospital")
        return k

    def count(self, value: object) -> int:
        return int(self._number(value) >= 0)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NumberedIds):
            return self.n == other.n
        if isinstance(other, (list, tuple)):
            return len(other) == self.n and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have none

    def __repr__(self) -> str:
        return f"NumberedIds({self.n})"


STAFF_PER_SENIOR = 80
"""Staff per senior leader when the senior team is sized to the hospital (`Organization.senior_team_size`)."""


@dataclass(eq=False)
class Organization:
    """The structure of a hospital.

    Attributes
    ----------
    role : int array (n,)
        Role code per person: 0 CEO, 1 senior, 2 middle, 3 frontline.
    manager : int array (n,)
        Index of each person's manager; -1 for the CEO.
    unit : int array (n,)
        Unit index per person; -1 for the CEO and senior leaders. A middle
        manager belongs to the unit they head.
    ties : int array (m, 2)
        Informal undirected ties (peer, cross-unit, senior team), each once.
    committee : int array
        Members of the quality integrating committee (ties among them exist
        only while the committee meets).
    physician : int
        Index of the senior leader who is the physician QI leader, or -1.
    ids : sequence of str
        The people's ids as in the chart (a list), or ``"p<index>"`` when
        generated (`NumberedIds`).
    group : int array (n,)
        Professional group per person: 0 other staff, 1 nurses, 2
        physicians (``GROUPS``). Groups matter on the front line; the
        physician QI leader is a physician.
    """

    role: np.ndarray
    manager: np.ndarray
    unit: np.ndarray
    ties: np.ndarray
    committee: np.ndarray
    physician: int = -1
    ids: Sequence[str] = field(default_factory=list)
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = NumberedIds(len(self.role))
        if len(self.group) != len(self.role):
            self.group = np.full(len(self.role), OTHER, dtype=np.int64)
            if self.physician >= 0:
                self.group[self.physician] = PHYSICIAN

    # -- derived structure ----------------------------------------------------
    @property
    def n(self) -> int:
        """Head count."""
        return len(self.role)

    # The structure is fixed once built, so what is derived from it is
    # computed once (the model reads some of it every week).
    @cached_property
    def ceo(self) -> int:
        """Index of the CEO."""
        return int(np.flatnonzero(self.role == CEO)[0])

    @cached_property
    def n_units(self) -> int:
        """Number of units."""
        return int(self.unit.max()) + 1 if (self.unit >= 0).any() else 0

    @cached_property
    def depth(self) -> np.ndarray:
        """Reporting distance from the CEO (CEO 0, senior team 1, ...)."""
        depth = np.zeros(self.n, dtype=np.int64)
        has_boss = self.manager >= 0
        for _ in range(self.n):
            new = np.where(has_boss, depth[np.maximum(self.manager, 0)] + 1, 0)
            if np.array_equal(new, depth):
                return depth
            depth = new
        raise ChartError("reporting lines contain a cycle")  # guarded by validation

    @cached_property
    def unit_head(self) -> np.ndarray:
        """Index of the middle manager heading each unit (-1 if none)."""
        head = np.full(self.n_units, -1, dtype=np.int64)
        middles = np.flatnonzero(self.role == MIDDLE)
        head[self.unit[middles]] = middles
        return head

    @cached_property
    def units_led(self) -> dict[int, np.ndarray]:
        """The units under each leader (ascending): those whose manager is
        the leader or reports to them, directly or not. One walk up the
        reporting chain from each unit's head, so it costs the number of
        units times the depth of the hierarchy."""
        led: dict[int, list[int]] = {}
        for unit, head in enumerate(self.unit_head.tolist()):
            boss = head
            while boss >= 0:
                led.setdefault(boss, []).append(unit)
                boss = int(self.manager[boss])
        return {leader: np.array(units, dtype=np.int64) for leader, units in led.items()}

    def members(self, unit: int | np.integer) -> np.ndarray:
        """Indices of the staff in a unit, its manager included (ascending)."""
        order, bounds = self._by_unit(everyone=True)
        return order[bounds[unit]:bounds[unit + 1]]

    def members_of(self, units: np.ndarray) -> np.ndarray:
        """Indices of the staff of all of ``units`` (each unit's block in
        turn, ascending within it): one slice per unit, so the cost grows
        with the people found, not with the head count."""
        order, bounds = self._by_unit(everyone=True)
        if len(units) == 0:
            return order[:0]
        return np.concatenate([order[bounds[u]:bounds[u + 1]] for u in units.tolist()])

    def frontline(self, unit: int) -> np.ndarray:
        """Indices of a unit's frontline staff (ascending)."""
        order, bounds = self._by_unit(everyone=False)
        return order[bounds[unit]:bounds[unit + 1]]

    @cached_property
    def unit_sizes(self) -> np.ndarray:
        """Head count of each unit, its manager included."""
        return np.bincount(self.unit[self.unit >= 0], minlength=self.n_units).astype(float)

    def _by_unit(self, everyone: bool) -> tuple[np.ndarray, np.ndarray]:
        """People sorted by unit, and where each unit's block starts, so that
        a unit's members are one slice (computed once; the structure is fixed)."""
        key = "_members_by_unit" if everyone else "_frontline_by_unit"
        if key not in self.__dict__:
            people = np.flatnonzero(self.unit >= 0 if everyone else self.role == FRONTLINE)
            order = people[np.argsort(self.unit[people], kind="stable")]
            self.__dict__[key] = order, np.searchsorted(self.unit[order], np.arange(self.n_units + 1))
        return self.__dict__[key]

    # -- matrices for the engine ------------------------------------------------
    def peer_matrix(self, committee: bool = False, manager_weight: float = 1.0,
                    physician_weight: float = 1.0) -> sp.csr_matrix:
        """Whom each person listens to every week, and how much (row = listener).

        Informal ties (peers, cross-unit contacts, the senior team) weigh 1
        both ways, and ``physician_weight`` between two physicians (physicians
        listen most to physicians). A reporting tie weighs ``manager_weight``
        for the report listening to their manager, and 1 for the manager
        listening to the report. With ``committee=True`` the committee members
        are tied too.
        """
        src, dst = [self.ties[:, 0]], [self.ties[:, 1]]
        if committee and len(self.committee) > 1:
            a, b = np.triu_indices(len(self.committee), k=1)
            src.append(self.committee[a])
            dst.append(self.committee[b])
        src_a, dst_a = np.concatenate(src), np.concatenate(dst)
        informal = sp.coo_matrix((np.ones(2 * len(src_a)), (np.r_[src_a, dst_a], np.r_[dst_a, src_a])),
                                 shape=(self.n, self.n)).tocsr()
        informal.data[:] = 1.0  # a tie listed twice is still one tie
        if physician_weight != 1.0:
            rows = np.repeat(np.arange(self.n), np.diff(informal.indptr))
            doctors = (self.group[rows] == PHYSICIAN) & (self.group[informal.indices] == PHYSICIAN)
            informal.data[doctors] = physician_weight
        reports = np.flatnonzero(self.manager >= 0)
        bosses = self.manager[reports]
        reporting = sp.coo_matrix(
            (np.r_[np.full(len(reports), float(manager_weight)), np.ones(len(reports))],
             (np.r_[reports, bosses], np.r_[bosses, reports])), shape=(self.n, self.n)).tocsr()
        # Where an informal tie doubles a reporting one, the larger weight holds.
        adj = informal.maximum(reporting).tocsr()
        adj.sort_indices()
        return adj

    def skip_level_matrix(self, physician_leader_weight: float = 0.0) -> sp.csr_matrix:
        """Matrix linking each person to the CEO and senior leaders above
        their direct manager (weight 1): the leaders they see only when those
        leaders make themselves visible. Every physician also sees the
        physician QI leader, their professional leader, with weight
        ``physician_leader_weight`` (0: not at all)."""
        src, dst = [], []
        people = np.flatnonzero(self.manager >= 0)
        above = self.manager[self.manager[people]]  # the manager's manager, -1 above the CEO
        while len(people):
            keep = above >= 0
            people, above = people[keep], above[keep]
            senior_or_ceo = self.role[above] <= SENIOR
            src.append(people[senior_or_ceo])
            dst.append(above[senior_or_ceo])
            above = self.manager[above]
        src_a = np.concatenate(src) if src else np.zeros(0, dtype=np.int64)
        dst_a = np.concatenate(dst) if dst else np.zeros(0, dtype=np.int64)
        m = sp.csr_matrix((np.ones(len(src_a)), (src_a, dst_a)), shape=(self.n, self.n))
        if physician_leader_weight > 0 and self.physician >= 0:
            doctors = np.flatnonzero((self.group == PHYSICIAN) & (np.arange(self.n) != self.physician))
            professional = sp.csr_matrix((np.full(len(doctors), physician_leader_weight),
                                          (doctors, np.full(len(doctors), self.physician))), shape=(self.n, self.n))
            m = m.maximum(professional).tocsr()
        m.sort_indices()
        return m

    # -- for people -------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.Graph:
        """The organization as a networkx graph.

        Nodes are person indices with attributes ``id``, ``role``, ``unit``,
        ``manager``, ``level`` and ``physician``. Written out with
        ``nx.write_graphml``, it loads back as an org chart. Edges carry ``kind``: ``"reports_to"`` for
        reporting lines, ``"peer"`` within a unit, ``"manager_peer"`` between
        middle managers, ``"cross_unit"`` across units, ``"senior_team"``
        among the CEO and senior leaders.
        """
        g = nx.Graph()
        for i in range(self.n):
            g.add_node(i, id=self.ids[i], role=ROLES[self.role[i]], unit=int(self.unit[i]),
                       manager=int(self.manager[i]), level=int(self.depth[i]), physician=i == self.physician,
                       group=GROUPS[self.group[i]])
        for a, b in self.ties:
            if self.role[a] <= SENIOR and self.role[b] <= SENIOR:
                kind = "senior_team"
            elif self.role[a] == MIDDLE and self.role[b] == MIDDLE:
                kind = "manager_peer"
            elif self.unit[a] == self.unit[b]:
                kind = "peer"
            else:
                kind = "cross_unit"
            g.add_edge(int(a), int(b), kind=kind)
        for r in np.flatnonzero(self.manager >= 0):
            g.add_edge(int(r), int(self.manager[r]), kind="reports_to")
        return g

    # -- construction -------------------------------------------------------------
    @staticmethod
    def senior_team_size(staff: int, senior_team: int = 0) -> int:
        """Senior leaders of a generated hospital of ``staff``: ``senior_team``
        if it is set (> 0), else one per `STAFF_PER_SENIOR` staff, at least 2
        and at most 6. A fixed team of six would be a fifteenth of a
        100-person hospital, whose leaders would then reach everyone within
        months (pattern P6); from 440 staff the team is the six the
        patterns were calibrated with."""
        if senior_team > 0:
            return senior_team
        return int(min(6, max(2, round(staff / STAFF_PER_SENIOR))))

    @classmethod
    def generate(cls, *, staff: int, senior_team: int, unit_size: int, peer_density: float,
                 cross_unit_ties: float, committee_size: int, rng: np.random.Generator,
                 manager_peers: float = 8.0, nurse_share: float = 0.0, physician_share: float = 0.0,
                 physician_ties: float = 0.0) -> Organization:
        """Build a hospital from parameters (see `simulation.parameters`).

        Person 0 is the CEO, then the senior team (the first senior leader is
        the physician QI leader), then one middle manager per unit, then the
        front line. Middle managers are spread evenly over the senior team,
        and frontline staff evenly over units. Frontline staff are nurses,
        physicians or other staff at the given shares; each physician has
        about ``physician_ties`` ties to physicians of other units (the
        medical staff crosses units).
        """
        n_senior = min(cls.senior_team_size(staff, senior_team), staff - 3)
        rest = staff - 1 - n_senior
        n_units = max(1, min(rest // 2, round(rest / (unit_size + 1))))
        n_front = rest - n_units
        seniors = np.arange(1, 1 + n_senior)
        middles = np.arange(1 + n_senior, 1 + n_senior + n_units)
        fronts = np.arange(1 + n_senior + n_units, staff)

        role = np.full(staff, FRONTLINE, dtype=np.int64)
        role[0], role[seniors], role[middles] = CEO, SENIOR, MIDDLE
        unit = np.full(staff, -1, dtype=np.int64)
        unit[middles] = np.arange(n_units)
        unit[fronts] = np.arange(n_front) % n_units
        manager = np.full(staff, -1, dtype=np.int64)
        manager[seniors] = 0
        manager[middles] = seniors[np.arange(n_units) % n_senior]
        manager[fronts] = middles[unit[fronts]]

        pairs = [_clique(np.r_[0, seniors])]
        # Middle managers of one division work together as peers: all of them
        # in a small division, about `manager_peers` each in a large one.
        division = manager[middles]
        size = np.bincount(division)[division]
        pairs.append(_within_unit_ties(middles, division, min(1.0, manager_peers / max(1, int(np.max(size)) - 1)), rng))
        pairs.append(_within_unit_ties(fronts, unit[fronts], peer_density, rng))
        pairs.append(_cross_unit_ties(fronts, unit[fronts], cross_unit_ties, rng))
        group = np.full(staff, OTHER, dtype=np.int64)
        drawn = rng.random(n_front)
        group[fronts] = np.where(drawn < physician_share, PHYSICIAN,
                                 np.where(drawn < physician_share + nurse_share, NURSE, OTHER))
        doctors = fronts[group[fronts] == PHYSICIAN]
        pairs.append(_cross_unit_ties(doctors, unit[doctors], physician_ties, rng))
        ties = _unique_pairs(np.concatenate(pairs))

        n_comm = min(committee_size, staff)
        pool = np.r_[0, seniors[:1], rng.permutation(middles)]
        committee = np.sort(pool[:n_comm])
        physician = int(seniors[0]) if n_senior else -1
        if physician >= 0:
            group[physician] = PHYSICIAN
        return cls(role=role, manager=manager, unit=unit, ties=ties, committee=committee, physician=physician,
                   group=group)

    @classmethod
    def load(cls, path: str | Path, *, peer_density: float, cross_unit_ties: float,
             committee_size: int, rng: np.random.Generator) -> Organization:
        """Read and validate an org chart (``.csv`` or ``.graphml``).

        A CSV has columns ``id,role,manager,unit`` (an optional ``physician``
        column marks the physician QI leader with ``yes``: see `YES` and
        `NO`; an optional ``group`` column gives a frontline person's
        professional group, ``nurse``, ``physician`` or ``other``, and
        empty means other). A GraphML file has
        node attributes ``role``, ``manager`` and ``unit`` (and optionally
        ``physician`` and ``group``); its edges, if any, are the informal
        ties. Where the chart gives no informal ties they
        are generated from ``peer_density`` and ``cross_unit_ties``.
        """
        path = Path(path)
        if not path.exists():
            raise ChartError(f"org_chart: file {str(path)!r} does not exist")
        if not path.is_file():
            raise ChartError(f"org_chart: {str(path)!r} is not a file")
        suffix = path.suffix.lower()
        try:
            if suffix == ".csv":
                records, ties = _read_csv(path), None
            elif suffix in (".graphml", ".xml"):
                records, ties = _read_graphml(path)
            else:
                raise ChartError(f"org_chart: must be a .csv or .graphml file, got {path.name!r}")
        except OSError as err:
            raise ChartError(f"org_chart: cannot read {str(path)!r}: {err.strerror or err}") from None
        org = _from_records(records, path.name)
        if ties is not None and len(ties):
            index = {pid: i for i, pid in enumerate(org.ids)}
            org.ties = _unique_pairs(np.array([[index[a], index[b]] for a, b in ties], dtype=np.int64))
        else:
            org.ties = _generated_ties(org, peer_density, cross_unit_ties, rng)
        middles = np.flatnonzero(org.role == MIDDLE)
        lead = [org.ceo] + ([org.physician] if org.physician >= 0 else [])
        pool = np.r_[lead, rng.permutation(middles)].astype(np.int64)
        org.committee = np.sort(pool[:min(committee_size, len(pool))])
        return org


# --- tie generation ------------------------------------------------------------
def _clique(nodes: np.ndarray) -> np.ndarray:
    a, b = np.triu_indices(len(nodes), k=1)
    return np.column_stack([nodes[a], nodes[b]]).astype(np.int64)


def _within_unit_ties(people: np.ndarray, unit: np.ndarray, density: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Each pair of people in the same unit is tied with probability
    ``density`` (an Erdos-Renyi graph inside each unit, so ties cluster).

    Units of up to `ALL_PAIRS_LIMIT` people test every pair. In larger ones
    (say the middle managers of a big division) that would cost the square
    of the size, so the number of ties is drawn from its binomial
    distribution and that many random pairs are tied instead.
    """
    order = np.argsort(unit, kind="stable")
    people, unit = people[order], unit[order]
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    sizes = np.diff(np.r_[starts, len(unit)])
    pairs = []
    for size in np.unique(sizes):
        if size > ALL_PAIRS_LIMIT:
            counts = rng.binomial(size * (size - 1) // 2, density, size=(sizes == size).sum())
            first = np.repeat(starts[sizes == size], counts)
            a = rng.integers(0, size, len(first))
            b = rng.integers(0, size - 1, len(first))
            b += b >= a  # a random other member
            pairs.append(np.column_stack([people[first + a], people[first + b]]))
            continue
        blocks = starts[sizes == size][:, None] + np.arange(size)  # (units, size)
        a, b = np.triu_indices(size, k=1)
        pairs.append(np.column_stack([people[blocks[:, a]].ravel(), people[blocks[:, b]].ravel()]))
    pairs_a = np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)
    return pairs_a[rng.random(len(pairs_a)) < density]


def _cross_unit_ties(people: np.ndarray, unit: np.ndarray, per_person: float,
                     rng: np.random.Generator) -> np.ndarray:
    """About ``per_person`` ties per person to random people in other units.

    ``per_person * len(people) / 2`` ties: each joins a random person to a
    random person outside their unit (drawn directly, so that no draw is
    wasted on a same-unit pair and the mean really is ``per_person``).
    """
    m = int(round(per_person * len(people) / 2))
    if m == 0 or len(np.unique(unit)) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(unit, kind="stable")
    people, unit = people[order], unit[order]  # each unit is now one block
    labels, start, size = np.unique(unit, return_index=True, return_counts=True)
    a = rng.integers(0, len(people), size=m)
    block = np.searchsorted(labels, unit[a])
    r = rng.integers(0, len(people) - size[block])  # a position outside a's block...
    b = r + np.where(r >= start[block], size[block], 0)  # ...skipping over it
    return np.column_stack([people[a], people[b]])


def _unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Each undirected tie once, as (low, high), sorted; self-ties dropped."""
    pairs = np.sort(pairs.reshape(-1, 2).astype(np.int64), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if not len(pairs):
        return pairs
    width = pairs.max() + 1
    keys = np.unique(pairs[:, 0] * width + pairs[:, 1])
    return np.column_stack([keys // width, keys % width])


def _generated_ties(org: Organization, density: float, cross: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Informal ties for a loaded chart that gives none of its own."""
    staff = np.flatnonzero(org.unit >= 0)
    leaders = np.flatnonzero(org.role <= SENIOR)
    ties = [_clique(leaders),
            _within_unit_ties(staff, org.unit[staff], density, rng),
            _cross_unit_ties(staff, org.unit[staff], cross, rng)]
    return _unique_pairs(np.concatenate(ties))


# --- reading charts ---------------------------------------------------------------
@dataclass
class _Record:
    where: str  # "row 5" or "node 'n17'", for error messages
    id: str
    role: str
    manager: str
    unit: str
    physician: str = ""  # the flag as written; `_from_records` reads it (see YES and NO)
    group: str = ""  # a frontline person's professional group as written (GROUPS; empty: other)


def _read_csv(path: Path) -> list[_Record]:
    """The chart's rows. "row N" in messages is line N of the file (the
    header is row 1), counting any blank lines, as an editor shows it."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise ChartError(f"{path.name}: the file is empty; its first line must be the header "
                                 "id,role,manager,unit")
            header = [h.strip().lower() for h in header]
            missing = [c for c in ("id", "role", "manager", "unit") if c not in header]
            if missing:
                raise ChartError(f"{path.name} row {reader.line_num}: missing column(s) {', '.join(missing)}; "
                                 f"the header must be id,role,manager,unit, got {','.join(header)}")
            col = {name: header.index(name) for name in ("id", "role", "manager", "unit", "physician", "group")
                   if name in header}
            records = []
            start = reader.line_num + 1
            for fields in reader:
                if not any(f.strip() for f in fields):  # a blank line
                    start = reader.line_num + 1
                    continue
                where = f"{path.name} row {start}"
                if len(fields) > len(header):
                    raise ChartError(f"{where}: {len(fields)} fields, but the header has {len(header)}")
                row = {name: fields[i].strip() if i < len(fields) else "" for name, i in col.items()}
                records.append(_Record(where, row["id"], row["role"].lower(), row["manager"], row["unit"],
                                       row.get("physician", ""), row.get("group", "").lower()))
                start = reader.line_num + 1
    except UnicodeDecodeError as err:
        raise ChartError(f"{path.name}: not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    except csv.Error as err:
        raise ChartError(f"{path.name} row {reader.line_num}: not valid CSV: {err}") from None
    if not records:
        raise ChartError(f"{path.name}: the chart has a header but no rows of people")
    return records


def _read_graphml(path: Path) -> tuple[list[_Record], list[tuple[str, str]]]:
    try:
        g = nx.read_graphml(path)
    except Exception as err:  # networkx raises several parser errors
        raise ChartError(f"{path.name}: not readable GraphML: {err}") from None
    if g.number_of_nodes() == 0:
        raise ChartError(f"{path.name}: the chart has no nodes")

    def text(value) -> str:
        # 0 is a valid unit or manager id. A missing value, or a negative integer (as
        # `Organization.graph` writes for "none"), is empty; the string "-1" is an id.
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value < 0):
            return ""
        return str(value).strip()

    records = []
    for node, data in g.nodes(data=True):
        records.append(_Record(f"{path.name} node {str(node)!r}", text(node), text(data.get("role")).lower(),
                               text(data.get("manager")), text(data.get("unit")), text(data.get("physician")),
                               text(data.get("group")).lower()))
    ties = [(str(a), str(b)) for a, b, d in g.edges(data=True) if d.get("kind") != "reports_to"]
    return records, ties


def _from_records(records: list[_Record], source: str = "the chart") -> Organization:
    """Validate chart records and turn them into an `Organization`."""
    index: dict[str, int] = {}
    for i, r in enumerate(records):
        if not r.id:
            raise ChartError(f"{r.where}: id is empty")
        if r.id in index:
            raise ChartError(f"{r.where}: duplicate id {r.id!r} (first at {records[index[r.id]].where})")
        if r.role not in ROLES:
            raise ChartError(f"{r.where}: unknown role {r.role!r}; allowed: {', '.join(ROLES)}")
        index[r.id] = i
    ceos = [r for r in records if r.role == "ceo"]
    if not ceos:
        raise ChartError(f"{source}: no CEO; exactly one person must have role 'ceo'")
    if len(ceos) > 1:
        raise ChartError(f"{ceos[1].where}: a second CEO (the first is at {ceos[0].where}); "
                         "exactly one is allowed")
    manager = np.full(len(records), -1, dtype=np.int64)
    for i, r in enumerate(records):
        if r.role == "ceo":
            if r.manager:
                raise ChartError(f"{r.where}: the CEO must have no manager, got {r.manager!r}")
            continue
        if not r.manager:
            raise ChartError(f"{r.where}: {r.role} {r.id!r} has no manager")
        if r.manager not in index:
            raise ChartError(f"{r.where}: unknown manager {r.manager!r}")
        if r.manager == r.id:
            raise ChartError(f"{r.where}: {r.id!r} reports to themselves")
        manager[i] = index[r.manager]
    _check_cycles(records, manager)

    units: dict[str, int] = {}
    unit = np.full(len(records), -1, dtype=np.int64)
    for i, r in enumerate(records):
        if r.role in ("middle", "frontline"):
            if not r.unit:
                raise ChartError(f"{r.where}: {r.role} {r.id!r} has no unit")
            unit[i] = units.setdefault(r.unit, len(units))
    role = np.array([ROLES.index(r.role) for r in records], dtype=np.int64)
    heads: dict[int, int] = {}  # unit -> its middle manager
    for m in np.flatnonzero(role == MIDDLE).tolist():
        u = int(unit[m])
        if u in heads:
            raise ChartError(f"{records[m].where}: unit {records[m].unit!r} already has a middle "
                             f"manager ({records[heads[u]].id!r}); one per unit is allowed")
        heads[u] = m
    _check_levels(records, role, manager)
    _check_units(records, role, unit)
    physicians = [i for i, r in enumerate(records) if _flag(r)]
    if len(physicians) > 1:
        raise ChartError(f"{records[physicians[1]].where}: a second physician QI leader; one is allowed")
    if physicians and role[physicians[0]] != SENIOR:
        raise ChartError(f"{records[physicians[0]].where}: the physician QI leader must be a senior leader")
    missing = [name for code, name in enumerate(ROLES) if not (role == code).any()]
    if missing:
        raise ChartError(f"{source}: nobody at level {', '.join(missing)}; a chart needs at least one person at "
                         f"each level: {', '.join(ROLES)}")
    # Without a marked physician QI leader, the first senior leader is it (as in a generated hospital).
    physician = physicians[0] if physicians else int(np.flatnonzero(role == SENIOR)[0])
    group = np.array([_group(r) for r in records], dtype=np.int64)
    group[physician] = PHYSICIAN
    return Organization(role=role, manager=manager, unit=unit, ties=np.zeros((0, 2), dtype=np.int64),
                        committee=np.zeros(0, dtype=np.int64), physician=physician,
                        ids=[r.id for r in records], group=group)


def _group(record: _Record) -> int:
    """The record's professional group (`GROUPS`). Only a frontline
    person's counts: a leader's views are their level's, not their
    profession's, and the physician QI leader is marked by the physician
    column (a leader's group is still checked, since a chart written by
    `Organization.graph` gives everyone one)."""
    if not record.group:
        return OTHER
    if record.group not in GROUPS:
        raise ChartError(f"{record.where}: group must be one of {', '.join(GROUPS)} (empty means other), "
                         f"got {record.group!r}")
    return GROUPS.index(record.group) if record.role == "frontline" else OTHER


def _flag(record: _Record) -> bool:
    """The record's physician flag, in one of the documented spellings."""
    text = record.physician.strip().lower()
    if text not in YES + NO:
        raise ChartError(f"{record.where}: physician must be yes or no (also true/false or 1/0; empty means no), "
                         f"got {record.physician!r}")
    return text in YES


def _check_levels(records: list[_Record], role: np.ndarray, manager: np.ndarray) -> None:
    """Frontline staff manage nobody, and nobody reports to someone below
    them; the error names the row of the person whose manager is wrong."""
    for i in np.flatnonzero(manager >= 0):
        r, boss = records[i], records[manager[i]]
        if role[manager[i]] == FRONTLINE:
            raise ChartError(f"{r.where}: {r.role} {r.id!r} reports to {boss.id!r}, who is frontline staff "
                             f"({boss.where}); frontline staff manage nobody")
        if role[manager[i]] > role[i]:
            raise ChartError(f"{r.where}: {r.role} {r.id!r} reports to {boss.id!r}, a {boss.role} manager "
                             f"({boss.where}), a level below them; a manager is at the same level or above "
                             f"({', '.join(ROLES)}, from the top)")


def _check_units(records: list[_Record], role: np.ndarray, unit: np.ndarray) -> None:
    """Every unit with frontline staff has a middle manager (direction
    reaches a unit through its manager, and its projects need one)."""
    unheaded = np.flatnonzero((role == FRONTLINE) & ~np.isin(unit, unit[role == MIDDLE]))
    if len(unheaded):
        i = unheaded[0]
        raise ChartError(f"{records[i].where}: unit {records[i].unit!r} has frontline staff but no middle "
                         f"manager; every unit needs one (a row with role middle and unit {records[i].unit!r})")


def _check_cycles(records: list[_Record], manager: np.ndarray) -> None:
    """Everyone's chain of managers must reach the CEO."""
    state = np.zeros(len(records), dtype=np.int8)  # 0 unseen, 1 on the current path, 2 reaches the CEO
    for start in range(len(records)):
        path = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = manager[node]
        if node >= 0 and state[node] == 1:
            cycle = path[path.index(node):] + [node]
            chain = " -> ".join(records[i].id for i in cycle)
            raise ChartError(f"{records[node].where}: reporting lines form a cycle: {chain}")
        state[path] = 2

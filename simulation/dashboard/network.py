"""The hospital drawn as an org chart: a layered layout, and the figure.

People sit in rows by level: the CEO at the top, the senior team below, then
the units side by side, each one a block with its middle manager on top and
its frontline staff in columns underneath. Units are grouped by the senior
leader they report to, and each senior leader sits above their own group.

The layout depends only on the organization, which is fixed for a run
(turnover replaces a person at the same index, see
`OrgChangeModel._turnover`), so it is computed once per `Organization` and
cached. Each frame then only recolours the people: that is what keeps the
view responsive as the simulation plays, where a force layout recomputed
every frame would be slow and would make people jump about.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR, Organization
from simulation.parameters import ROLES
from simulation.plotting import COMMITMENT_BINS, COMMITMENT_COLOURS, NEUTRAL, ROLE_LABELS, commitment_colour, style

LEVEL_Y = {CEO: 0.0, SENIOR: -2.0, MIDDLE: -4.0}
"""Height of each leadership row, in row units (a frontline row is 1 unit)."""
FIRST_STAFF_ROW = -5.2
"""Height of the first row of frontline staff under their manager."""
UNIT_GAP = 1.0
"""Empty columns between two units."""
TARGET_ASPECT = 2.2
"""Width / height the layout aims at (in row units): a landscape panel."""
MARKER_SHAPE = {False: "o", True: "s"}
"""Circles for people who do not practise QI, squares for those who do."""
ROLE_SIZE = {CEO: 3.2, SENIOR: 2.4, MIDDLE: 1.6, FRONTLINE: 1.0}
"""Marker diameter of each role, relative to a frontline person."""


@dataclass(frozen=True)
class Layout:
    """Where each person of an organization is drawn.

    Attributes
    ----------
    xy : float array (n, 2)
        Position of each person, by index, in layout units (one column or row
        of frontline staff is one unit).
    rows : dict of str to float
        Height of each role's row (for frontline staff, their first row).
    boxes : float array (units, 4)
        ``x0, y0, x1, y1`` of the block of each unit (its manager and staff).
    lines : float array (m, 2, 2)
        Reporting lines to draw, each from manager to report. Frontline staff
        are not linked to their own unit's manager: the block shows that.
    columns : int
        Columns of frontline staff per unit.
    """

    xy: np.ndarray
    rows: dict[str, float]
    boxes: np.ndarray
    lines: np.ndarray
    columns: int

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``x0, x1, y0, y1`` around everyone, with a margin."""
        x, y = self.xy[:, 0], self.xy[:, 1]
        return x.min() - 1.0, x.max() + 1.0, y.min() - 1.0, y.max() + 1.2


_LAYOUTS: weakref.WeakKeyDictionary[Organization, Layout] = weakref.WeakKeyDictionary()


def layered_layout(org: Organization) -> Layout:
    """The layout of ``org``, computed on first use and cached for as long as
    the organization exists."""
    layout = _LAYOUTS.get(org)
    if layout is None:
        layout = _LAYOUTS[org] = compute_layout(org)
    return layout


def _division(org: Organization) -> np.ndarray:
    """For each person, the CEO or senior leader at the top of their line:
    themselves for the CEO and senior team, otherwise the first of them met
    going up the reporting lines."""
    top = np.arange(org.n)
    below = org.role[top] > SENIOR
    while below.any():  # reporting lines are a tree under the CEO, so this ends
        top = np.where(below, org.manager[top], top)
        below = org.role[top] > SENIOR
    return top


def _columns(n_units: int, largest: int) -> int:
    """Columns of staff per unit that bring the layout nearest `TARGET_ASPECT`."""
    def aspect(c: int) -> float:
        width = n_units * (c + UNIT_GAP)
        height = -FIRST_STAFF_ROW + math.ceil(largest / c)
        return width / height
    return min(range(1, max(1, largest) + 1), key=lambda c: abs(math.log(aspect(c) / TARGET_ASPECT)))


def compute_layout(org: Organization) -> Layout:
    """Lay ``org`` out in rows by level and blocks by unit (see the module)."""
    n, role, unit = org.n, org.role, org.unit
    xy = np.zeros((n, 2))
    division = _division(org)
    n_units = org.n_units

    # Units in order of the senior leader they report to, then of their number,
    # so that each leader's units sit side by side.
    unit_division = np.full(n_units, org.ceo)
    members = [org.members(u) for u in range(n_units)]
    for u, people in enumerate(members):
        if len(people):
            unit_division[u] = division[people[0]]
    order = np.lexsort((np.arange(n_units), unit_division))
    staff = [org.frontline(u) for u in range(n_units)]
    columns = _columns(n_units, max((len(s) for s in staff), default=1)) if n_units else 1

    boxes = np.zeros((n_units, 4))
    for slot, u in enumerate(order):
        left = slot * (columns + UNIT_GAP)
        centre = left + (columns - 1) / 2
        head = org.unit_head[u]
        if head >= 0:
            xy[head] = centre, LEVEL_Y[MIDDLE]
        k = np.arange(len(staff[u]))
        xy[staff[u], 0] = left + k % columns
        xy[staff[u], 1] = FIRST_STAFF_ROW - k // columns
        bottom = FIRST_STAFF_ROW - (max(len(staff[u]), 1) - 1) // columns
        boxes[u] = left - 0.5, bottom - 0.5, left + columns - 0.5, LEVEL_Y[MIDDLE] + 0.6

    # The senior team spread evenly across the units, in the order of their
    # units, so that each sits above its own group (leaders without units last).
    seniors = np.flatnonzero(role == SENIOR)
    first_slot = {int(d): slot for slot, d in reversed(list(enumerate(unit_division[order])))}
    seniors = sorted(seniors, key=lambda s: (first_slot.get(int(s), n_units), s))
    width = max(n_units * (columns + UNIT_GAP) - UNIT_GAP, len(seniors), 1)
    for k, s in enumerate(seniors):
        xy[s] = (k + 0.5) * width / len(seniors) - 0.5, LEVEL_Y[SENIOR]
    xy[org.ceo] = (width - 1) / 2, LEVEL_Y[CEO]

    # Staff outside any unit but not in the senior team (a chart may have
    # them) sit in the senior row's gaps rather than on top of someone.
    stray = np.flatnonzero((role > SENIOR) & (unit < 0))
    xy[stray] = np.column_stack([np.linspace(0, width - 1, len(stray)), np.full(len(stray), LEVEL_Y[SENIOR] - 1)])

    reports = np.flatnonzero(org.manager >= 0)
    in_block = (role[reports] == FRONTLINE) & (org.manager[reports] == org.unit_head[np.maximum(unit[reports], 0)])
    drawn = reports[~in_block]
    lines = np.stack([xy[org.manager[drawn]], xy[drawn]], axis=1)

    rows = {ROLES[CEO]: LEVEL_Y[CEO], ROLES[SENIOR]: LEVEL_Y[SENIOR], ROLES[MIDDLE]: LEVEL_Y[MIDDLE],
            ROLES[FRONTLINE]: FIRST_STAFF_ROW}
    return Layout(xy=xy, rows=rows, boxes=boxes, lines=lines, columns=columns)


# --- drawing -------------------------------------------------------------------------------------
def _marker_area(ax, layout: Layout) -> float:
    """Marker area (points squared) of a frontline person: a little less than
    the space between two neighbours at the axes' size, within readable bounds."""
    fig = ax.figure
    box = ax.get_position()
    x0, x1, y0, y1 = layout.extent
    across = box.width * fig.get_figwidth() * 72 / (x1 - x0)
    down = box.height * fig.get_figheight() * 72 / (y1 - y0)
    return float(np.clip(0.8 * min(across, down), 3.0, 11.0) ** 2)


def draw_structure(ax, layout: Layout, title: str) -> None:
    """What does not change as the run goes on: the unit blocks, the
    reporting lines, the rows, the title and the axes."""
    ax.add_collection(PatchCollection(
        [Rectangle((x0, y0), x1 - x0, y1 - y0) for x0, y0, x1, y1 in layout.boxes],
        facecolor=NEUTRAL, alpha=0.08, edgecolor="none"))
    ax.add_collection(LineCollection(layout.lines, colors=NEUTRAL, linewidths=0.6, alpha=0.7))
    x0, x1, y0, y1 = layout.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks(list(layout.rows.values()), [ROLE_LABELS[r] for r in layout.rows])
    ax.tick_params(axis="y", length=0, labelsize=8.5)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    style(ax, title, "Units, by the senior leader they report to (one block each)", "Reporting level",
          legend=False)
    ax.grid(False)


def legend_handles() -> list[Line2D]:
    """Legend entries: one per commitment class, and one per marker shape."""
    bins = COMMITMENT_BINS
    handles = [Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor=colour,
                      markeredgecolor="#000000", markeredgewidth=0.3, label=f"{lo:.1f}-{hi:.1f}")
               for colour, lo, hi in zip(COMMITMENT_COLOURS, bins[:-1], bins[1:])]
    for practises, marker in MARKER_SHAPE.items():
        handles.append(Line2D([], [], linestyle="", marker=marker, markersize=7, markerfacecolor="none",
                              markeredgecolor="#000000",
                              label="Practises QI" if practises else "Does not practise QI"))
    return handles


class NetworkView:
    """The hospital of each strategy in a classroom, side by side.

    The figure is built once; `update` then moves the people's colours and
    shapes to the current week. `artists` are what `update` changes, so that
    `simulation.dashboard.frames` can redraw just those on each frame.

    Parameters
    ----------
    classroom : Classroom
    width : float
        Figure width in inches.
    week_in_title : bool
        Put the week in each panel's title (for a download). The page shows
        the week above the figure instead, so that the titles stay still.
    """

    def __init__(self, classroom, width: float = 11.0, week_in_title: bool = True) -> None:
        n = len(classroom.models)
        # Fixed margins rather than a layout engine, which would slow every
        # frame; they also fix the axes' size, from which markers are sized.
        self.figure = fig = Figure(figsize=(width, 4.8))
        fig.subplots_adjust(left=0.125, right=0.99, bottom=0.17, top=0.88, wspace=0.4)
        self.panels = []
        for ax, model, label in zip(fig.subplots(1, n, squeeze=False)[0], classroom.models, classroom.labels):
            layout = layered_layout(model.organization)
            draw_structure(ax, layout, f"{label}: week {model.week}" if week_in_title else label)
            role_size = np.array([ROLE_SIZE[r] for r in range(len(ROLES))])[model.organization.role]
            area = _marker_area(ax, layout) * role_size ** 2
            people = {practises: ax.scatter(np.empty(0), np.empty(0), marker=marker, edgecolors="#000000",
                                            linewidths=0.3, zorder=3)
                      for practises, marker in MARKER_SHAPE.items()}
            self.panels.append((layout, area, people))
        fig.legend(handles=legend_handles(), loc="lower center", bbox_to_anchor=(0.5, -0.01), ncol=7,
                   frameon=False, fontsize=8, title="Colour: commitment to quality (0-1).  Shape: QI practice.",
                   title_fontsize=8)
        fig.suptitle("Who is committed to quality, and who practises QI, by reporting level", fontsize=12)
        self.update(classroom)

    @property
    def artists(self) -> list:
        """The artists `update` changes: each panel's circles and squares."""
        return [collection for _, _, people in self.panels for collection in people.values()]

    def update(self, classroom) -> bool:
        """Show everyone as they are this week. Returns whether anything
        besides `artists` changed (never, here: the structure is fixed)."""
        for (layout, area, people), model in zip(self.panels, classroom.models):
            colours = np.array(commitment_colour(model.state.commitment))
            practising = model.state.practice > 0.5
            for practises, collection in people.items():
                who = practising == practises
                collection.set_offsets(layout.xy[who])
                collection.set_facecolor(colours[who])
                collection.set_sizes(area[who])
        return False


def network_figure(classroom, width: float = 11.0) -> Figure:
    """The hospital of each strategy in ``classroom`` as it stands, with the
    week in the titles (see `NetworkView`). ``width`` is in inches."""
    return NetworkView(classroom, width).figure

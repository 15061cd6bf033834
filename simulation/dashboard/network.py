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
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from simulation.dashboard.screen import DPI, FONT_PT, TITLE_PT, inches
from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR, Organization
from simulation.parameters import ROLES
from simulation.plotting import (
    COMMITMENT_BINS,
    COMMITMENT_COLOURS,
    NEUTRAL,
    OKABE_ITO,
    ROLE_LABELS,
    commitment_colour,
    style,
)

LEVEL_GAP = 2.0
"""Least space between two leadership rows, in row units (a frontline row is
1 unit); a short panel widens it (`NetworkView`) so that the rows' names
never overlap."""
STAFF_DROP = 1.2
"""Space between the middle managers' row and their staff's first row, in row units."""


def level_heights(gap: float = LEVEL_GAP) -> tuple[dict[int, float], float]:
    """Height of each leadership row, and of the first frontline row under
    the middle managers, for leadership rows ``gap`` row units apart."""
    return {CEO: 0.0, SENIOR: -gap, MIDDLE: -2 * gap}, -2 * gap - STAFF_DROP
UNIT_GAP = 1.0
"""Empty columns between two units."""
TARGET_ASPECT = 2.2
"""Width / height the layout aims at (in row units): a landscape panel."""
MARKER_SHAPE = {False: "o", True: "s"}
"""Circles for people who do not practise QI, squares for those who do."""
SHAPE_SIZE = {False: 0.8, True: 1.1}
"""Marker diameter by QI practice, relative to the role's size: a square is
larger than a circle too, and has a heavy black edge (`EDGE_WIDTH`), so that
the two stay apart when a thousand people share the picture."""
EDGE_WIDTH = {False: 0.4, True: 1.3}
"""Marker edge width by QI practice, in points."""
LEFT_PX = 150
ROW_NAME_PX = 20
"""Least space between the names of two leadership rows, in pixels."""
"""Left margin of each panel, in pixels: room for the level names."""
LEGEND_PX = 62
"""Bottom margin, in pixels: the units' label and the key."""
MIN_MARKER_PX = 7.0
"""Smallest frontline square on screen, in pixels: below that, a square
and a circle look alike."""
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
    across: np.ndarray | None = None

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``x0, x1, y0, y1`` around everyone, with a margin."""
        x, y = self.xy[:, 0], self.xy[:, 1]
        return x.min() - 1.0, x.max() + 1.0, y.min() - 1.0, y.max() + 1.2


_LAYOUTS: weakref.WeakKeyDictionary[Organization, dict[tuple, Layout]] = weakref.WeakKeyDictionary()


def layered_layout(org: Organization, aspect: float = TARGET_ASPECT, gap: float = LEVEL_GAP) -> Layout:
    """The layout of ``org`` for a panel of about ``aspect`` (width / height)
    with leadership rows ``gap`` row units apart, computed on first use and
    cached for as long as the organization exists."""
    key = (round(aspect, 1), round(gap, 1))  # a window resized by a pixel or two keeps its layout
    layouts = _LAYOUTS.setdefault(org, {})
    if key not in layouts:
        layouts[key] = compute_layout(org, *key)
    return layouts[key]


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


def _columns(n_units: int, largest: int, target: float = TARGET_ASPECT, first_row: float = -5.2) -> int:
    """Columns of staff per unit that bring the layout nearest the aspect ``target``."""
    def aspect(c: int) -> float:
        width = n_units * (c + UNIT_GAP)
        height = -first_row + math.ceil(largest / c)
        return width / height
    return min(range(1, max(1, largest) + 1), key=lambda c: abs(math.log(aspect(c) / target)))


def compute_layout(org: Organization, aspect: float = TARGET_ASPECT, gap: float = LEVEL_GAP) -> Layout:
    """Lay ``org`` out in rows by level and blocks by unit (see the module)."""
    LEVEL_Y, FIRST_STAFF_ROW = level_heights(gap)  # noqa: N806 (constants of this layout)
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
    largest = max((len(s) for s in staff), default=1)
    columns = _columns(n_units, largest, aspect, FIRST_STAFF_ROW) if n_units else 1

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
    first_slot = {int(d): slot for slot, d in reversed(list(enumerate(unit_division[order])))}
    seniors = sorted(np.flatnonzero(role == SENIOR), key=lambda s: (first_slot.get(int(s), n_units), s))
    width = max(n_units * (columns + UNIT_GAP) - UNIT_GAP, len(seniors), 1)
    for place, s in enumerate(seniors):
        xy[s] = (place + 0.5) * width / len(seniors) - 0.5, LEVEL_Y[SENIOR]
    xy[org.ceo] = (width - 1) / 2, LEVEL_Y[CEO]

    # Staff outside any unit but not in the senior team (a chart may have
    # them) sit in the senior row's gaps rather than on top of someone.
    stray = np.flatnonzero((role > SENIOR) & (unit < 0))
    xy[stray] = np.column_stack([np.linspace(0, width - 1, len(stray)), np.full(len(stray), LEVEL_Y[SENIOR] - 1)])

    reports = np.flatnonzero(org.manager >= 0)
    in_block = (role[reports] == FRONTLINE) & (org.manager[reports] == org.unit_head[np.maximum(unit[reports], 0)])
    drawn = reports[~in_block]
    lines = np.stack([xy[org.manager[drawn]], xy[drawn]], axis=1)
    # Informal ties between people of two different units (the integration
    # lever): drawn on demand. Ties within a unit are what its block shows.
    a, b = org.ties[:, 0], org.ties[:, 1]
    apart = (unit[a] >= 0) & (unit[b] >= 0) & (unit[a] != unit[b])
    across = np.stack([xy[a[apart]], xy[b[apart]]], axis=1)

    # The front line's name sits halfway down its rows, clear of the managers' row.
    staff_rows = math.ceil(largest / columns) if n_units else 1
    rows = {ROLES[CEO]: LEVEL_Y[CEO], ROLES[SENIOR]: LEVEL_Y[SENIOR], ROLES[MIDDLE]: LEVEL_Y[MIDDLE],
            ROLES[FRONTLINE]: FIRST_STAFF_ROW - (staff_rows - 1) / 2}
    return Layout(xy=xy, rows=rows, boxes=boxes, lines=lines, columns=columns, across=across)


# --- drawing -------------------------------------------------------------------------------------
def marker_diameter(ax, layout: Layout) -> float:
    """Diameter (points) of a frontline person's marker: a little less than
    the space between two neighbours at the axes' size, and never less than
    `MIN_MARKER_PX` on screen."""
    fig = ax.figure
    box = ax.get_position()
    x0, x1, y0, y1 = layout.extent
    across = box.width * fig.get_figwidth() * 72 / (x1 - x0)
    down = box.height * fig.get_figheight() * 72 / (y1 - y0)
    return float(np.clip(0.85 * min(across, down), MIN_MARKER_PX * 72 / DPI / SHAPE_SIZE[True], 12.0))


def draw_structure(ax, layout: Layout, title: str, ties: bool = False) -> None:
    """What does not change as the run goes on: the unit blocks, the
    reporting lines (and, with ``ties``, the informal ties across units), the
    rows, the title and the axes."""
    ax.add_collection(PatchCollection(
        [Rectangle((x0, y0), x1 - x0, y1 - y0) for x0, y0, x1, y1 in layout.boxes],
        facecolor=NEUTRAL, alpha=0.10, edgecolor="none"))
    # (Matplotlib's stubs want the segments as a Sequence; an (N, 2, 2) array, which it documents, is not one.)
    if ties and layout.across is not None and len(layout.across):
        ax.add_collection(LineCollection(layout.across, colors=OKABE_ITO[7], linewidths=0.5,  # type: ignore[arg-type]
                                         alpha=0.25))
    ax.add_collection(LineCollection(layout.lines, colors=NEUTRAL, linewidths=0.7, alpha=0.8))  # type: ignore[arg-type]
    x0, x1, y0, y1 = layout.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks(list(layout.rows.values()), [ROLE_LABELS[r] for r in layout.rows])
    ax.tick_params(axis="y", length=0, labelsize=FONT_PT)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    style(ax, title, "", "Level", legend=False)
    ax.set_xlabel("Units (grey blocks)" + ("; ties across units (black lines)" if ties else ""), labelpad=2)
    ax.title.set_fontsize(TITLE_PT)
    ax.xaxis.label.set_fontsize(FONT_PT)
    ax.yaxis.label.set_fontsize(FONT_PT)
    ax.grid(False)


def legend_handles() -> list[Line2D]:
    """Legend entries: one per commitment class, and one per marker shape."""
    bins = COMMITMENT_BINS
    heading = [Line2D([], [], linestyle="", label="Commitment (0-1):")]
    handles = heading + [Line2D([], [], linestyle="", marker="o", markersize=10, markerfacecolor=colour,
                      markeredgecolor="#000000", markeredgewidth=0.4, label=f"{lo:g}-{hi:g}")
               for colour, lo, hi in zip(COMMITMENT_COLOURS, bins[:-1], bins[1:])]
    handles.append(Line2D([], [], linestyle="", label="   QI:"))
    for practises, marker in MARKER_SHAPE.items():
        handles.append(Line2D([], [], linestyle="", marker=marker, markersize=10 * SHAPE_SIZE[practises],
                              markerfacecolor="#ffffff", markeredgecolor="#000000",
                              markeredgewidth=EDGE_WIDTH[practises],
                              label="practises" if practises else "does not"))
    return handles


class NetworkView:
    """The hospital of each strategy in a snapshot, side by side.

    The figure is built once; `update` then moves the people's colours and
    shapes to the snapshot's week. `artists` are what `update` changes, so
    that `simulation.dashboard.frames` can redraw just those on each frame.

    Parameters
    ----------
    snapshot : Snapshot
        Any week of the run (the structure is the same all run long).
    size : (int, int)
        Figure size in CSS pixels (see `simulation.dashboard.screen`).
    week_in_title : bool
        Put the week in each panel's title (for a download). The page shows
        the week above the figure instead, so that the titles stay still.
    ties : bool
        Draw the informal ties across units.
    caption : str
        A line under the figure (a download records its settings there).
    """

    def __init__(self, snapshot, size: tuple[int, int] = (1100, 480), week_in_title: bool = True,
                 ties: bool = False, caption: str = "") -> None:
        n = len(snapshot.sides)
        # Fixed margins, in pixels, rather than a layout engine, which would
        # slow every frame; they also fix the axes' size, from which markers
        # are sized.
        self.figure = fig = Figure(figsize=inches(size), dpi=DPI)
        width, height = size
        bottom = (LEGEND_PX + (22 if caption else 0)) / height
        axes_width = (width - LEFT_PX - 10 - (n - 1) * LEFT_PX) / n
        fig.subplots_adjust(left=LEFT_PX / width, right=1 - 10 / width, bottom=bottom, top=1 - 26 / height,
                            wspace=LEFT_PX / axes_width)
        self.panels = []
        for ax, org, side in zip(fig.subplots(1, n, squeeze=False)[0], snapshot.organizations, snapshot.sides):
            box = ax.get_position()
            panel = box.width * width, box.height * height  # in pixels
            layout = layered_layout(org, max(1.0, panel[0] / panel[1]))
            # Leadership rows at least a line of text apart (else their names overlap).
            x0, x1, y0, y1 = layout.extent
            gap = max(LEVEL_GAP, ROW_NAME_PX * (y1 - y0) / panel[1])
            if gap > LEVEL_GAP:
                layout = layered_layout(org, max(1.0, panel[0] / panel[1]), gap * 1.15)
            draw_structure(ax, layout, f"{side.label}: week {snapshot.week}" if week_in_title else side.label, ties)
            role_size = np.array([ROLE_SIZE[r] for r in range(len(ROLES))])[org.role]
            diameter = marker_diameter(ax, layout) * role_size
            people: dict[bool | str, Any] = {
                practises: ax.scatter(np.empty(0), np.empty(0), marker=marker, edgecolors="#000000",
                                      linewidths=EDGE_WIDTH[practises], zorder=3)
                for practises, marker in MARKER_SHAPE.items()}
            # The ring round the person chosen on the page (empty until someone is).
            people["ring"] = ax.scatter(np.empty(0), np.empty(0), facecolors="none", edgecolors=OKABE_ITO[7],
                                        linewidths=2.5, zorder=4)
            self.panels.append((layout, diameter, people, ax))
        fig.legend(handles=legend_handles(), loc="lower center", bbox_to_anchor=(0.5, (22 if caption else 0) / height),
                   ncol=9, frameon=False, fontsize=FONT_PT, handletextpad=0.15, columnspacing=0.7, handlelength=1.0)
        if caption:
            fig.text(0.5, 0.005, caption, ha="center", va="bottom", fontsize=FONT_PT * 0.9, color=NEUTRAL)
        self.selected: tuple[int, int] | None = None
        self.update(snapshot)

    @property
    def artists(self) -> list:
        """The artists `update` changes: each panel's circles and squares, and the ring round the person chosen."""
        return [c for _, _, people, _ in self.panels for c in people.values()]

    def select(self, side: int | None, person: int | None = None) -> None:
        """Ring ``person`` of panel ``side`` (None: nobody) from the next frame on."""
        self.selected = None if side is None or person is None else (side, person)

    def update(self, snapshot) -> bool:
        """Show everyone as they are in ``snapshot``. Returns whether anything
        besides `artists` changed (never, here: the structure is fixed)."""
        for k, ((layout, diameter, people, _), side) in enumerate(zip(self.panels, snapshot.sides)):
            colours = np.array(commitment_colour(side.people["commitment"]))
            practising = side.people["practice"] > 0.5
            for practises in MARKER_SHAPE:
                who = practising == practises
                people[practises].set_offsets(layout.xy[who])
                people[practises].set_facecolor(colours[who])
                people[practises].set_sizes((diameter[who] * SHAPE_SIZE[practises]) ** 2)
            chosen = [self.selected[1]] if self.selected is not None and self.selected[0] == k else []
            people["ring"].set_offsets(layout.xy[chosen].reshape(-1, 2))
            people["ring"].set_sizes((diameter[chosen] * 2.2) ** 2)
        return False

    def person_at(self, x: float, y: float, radius_px: float = 12.0) -> tuple[int, int] | None:
        """The (panel, person) drawn nearest the figure pixel ``x, y`` (from
        the top left, as the browser counts), or None beyond ``radius_px``."""
        height = self.figure.bbox.height
        best = None
        for k, (layout, _, _, ax) in enumerate(self.panels):
            screen = ax.transData.transform(layout.xy)
            d = np.hypot(screen[:, 0] - x, screen[:, 1] - (height - y))
            i = int(np.argmin(d))
            if d[i] <= radius_px and (best is None or d[i] < best[0]):
                best = (d[i], k, i)
        return None if best is None else (best[1], best[2])

    def marker_px(self) -> float:
        """The smallest frontline square's width on screen, in pixels."""
        return min(float(diameter.min()) * SHAPE_SIZE[True] * DPI / 72 for _, diameter, _, _ in self.panels)



def network_figure(snapshot, size: tuple[int, int] = (1400, 600), ties: bool = False, caption: str = "") -> Figure:
    """The hospital of each strategy in ``snapshot`` as it stands, with the
    week in the titles (see `NetworkView`); ``size`` is in pixels at `DPI`."""
    return NetworkView(snapshot, size, ties=ties, caption=caption).figure

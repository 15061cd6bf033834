"""The dashboard's time-series figures: how the run has gone so far.

`TimeseriesView` is the main plots, four panels in a row under the hospital,
each with the week on the x axis, fixed from week 0 to the run's length (five
years by default) so that the lines grow across a still frame while the
simulation plays:

* commitment to quality by level;
* the share of each level that practises QI;
* patient-care quality and the culture index;
* trust in leadership and cynicism (what rounding without follow-through
  changes first).

`MoreView` is the figure under them, drawn only when shown: improvement
projects (under way, succeeded so far, failed so far) and the leader-hours
spent each week.

Colours: one per level (`simulation.plotting.ROLE_COLOURS`) in the level
panels, and black and blue for the two hospital-wide measures of every other
panel (named in its own key). No colour of the hospital picture's commitment
scale appears here. Side by side, the second strategy is drawn in the same
colours with dashed lines (`simulation.plotting.STRATEGY_STYLES`), and the
key above the panels names both.

Every panel marks, with a dotted vertical line, the weeks a leader left
(black) and the weeks a scheduled event happened (grey); the first panel
names them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulation.dashboard.screen import DPI, FONT_PT, TITLE_PT, inches
from simulation.parameters import ROLES
from simulation.plotting import NEUTRAL, OKABE_ITO, ROLE_COLOURS, ROLE_LABELS, STRATEGY_STYLES, style

BLACK, BLUE = OKABE_ITO[7], OKABE_ITO[4]
MIN_COUNT_AXIS = 3
"""Lowest top of a count axis, so that it shows whole projects before the first starts."""
MARK_COLOURS = {"departure": BLACK, "event": NEUTRAL}


class SeriesView:
    """A row of time-series panels for every strategy of a snapshot.

    Subclasses say what to draw in `PANELS`: for each panel its title, y
    label, y range (None: a count axis that grows) and series, each series a
    (metric, legend label, colour). The figure is built once; `update` then
    sets the lines' data to the weeks run so far. `artists` are the lines,
    so that `simulation.dashboard.frames` can redraw just those.

    Parameters
    ----------
    snapshot : Snapshot
    size : (int, int)
        Figure size in CSS pixels.
    week_in_title : bool
        Put the week in the figure's title (for a download). The page shows
        the week above the figure instead, so that the title stays still.
    caption : str
        A line under the figure (a download records its settings there).
    """

    PANELS: list[tuple[str, str, tuple[float, float] | None, list[tuple[str, str, str]]]] = []

    def __init__(self, snapshot, size: tuple[int, int] = (1400, 360), week_in_title: bool = True,
                 caption: str = "") -> None:
        self.figure = fig = Figure(figsize=inches(size), dpi=DPI)
        width, height = size
        top = 1 - 58 / height  # the key above the panels, then the panels' titles
        fig.subplots_adjust(left=72 / width, right=1 - 12 / width, bottom=(50 + (22 if caption else 0)) / height,
                            top=top, wspace=88 / (width / len(self.PANELS)))
        self.axes = list(fig.subplots(1, len(self.PANELS), squeeze=False)[0])
        self.lines: list[tuple[Line2D, int, str]] = []  # (line, side, metric)
        self.count_axes = []
        for ax, (title, ylabel, limits, series) in zip(self.axes, self.PANELS):
            for side in range(len(snapshot.sides)):
                for metric, label, colour in series:
                    # Only the first strategy's lines name the series; the key names the strategies.
                    line, = ax.plot([], [], color=colour, linestyle=STRATEGY_STYLES[side], linewidth=1.8,
                                    label=label if side == 0 else f"_{label}",
                                    drawstyle="steps-post" if limits is None else "default")
                    self.lines.append((line, side, metric))
            style(ax, title, "Time (weeks)", ylabel, legend=False)
            ax.title.set_fontsize(TITLE_PT)
            for axis in (ax.xaxis, ax.yaxis):
                axis.label.set_fontsize(FONT_PT)
            ax.tick_params(labelsize=FONT_PT)
            if limits is None:
                ax.set_ylim(0, MIN_COUNT_AXIS)
                self.count_axes.append(ax)
            else:
                ax.set_ylim(*limits)
            ax.set_xlim(0, max(snapshot.weeks, 1))
            self._key(ax, series)
        self._heading(snapshot, week_in_title)
        if caption:
            fig.text(0.5, 0.005, caption, ha="center", va="bottom", fontsize=FONT_PT * 0.9, color=NEUTRAL)
        self._marked: tuple = ()
        self.update(snapshot)

    def _key(self, ax, series) -> None:
        """A panel's own key, where its colours are not the levels'."""
        if len(series) > 1 and not all(m.startswith(("commitment_", "practice_")) for m, _, _ in series):
            ax.legend(loc="upper left", frameon=True, framealpha=0.85, edgecolor="none", fontsize=FONT_PT,
                      handlelength=1.4, borderaxespad=0.2, labelspacing=0.2)

    def _heading(self, snapshot, week_in_title: bool) -> None:
        """The key above the panels: the levels' colours, and the strategies' line styles side by side."""
        when = f", week {snapshot.week}" if week_in_title else ""
        handles = [Line2D([], [], color=ROLE_COLOURS[r], linewidth=2.5, label=ROLE_LABELS[r]) for r in ROLES
                   if any(m.startswith(("commitment_", "practice_")) for _, _, _, s in self.PANELS for m, _, _ in s)]
        if len(snapshot.sides) > 1 or week_in_title:
            labels = [f"{label}{when}" for label in snapshot.labels]
            # The names where the key has room for them (about 8 px a character), else which is which.
            room = self.figure.bbox.width / 8.5 - sum(len(str(h.get_label())) + 5 for h in handles)
            if len(labels) > 1 and sum(len(x) + 5 for x in labels) > room:
                labels = ["first strategy (solid)", "second strategy (dashed)"]
            handles += [Line2D([], [], color=BLACK, linestyle=dash, linewidth=1.8, label=label)
                        for label, dash in zip(labels, STRATEGY_STYLES)]
        if handles:
            self.figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles),
                               frameon=False, fontsize=FONT_PT, handlelength=2.2, columnspacing=1.2)

    @property
    def artists(self) -> list[Line2D]:
        """The artists `update` changes: every line."""
        return [line for line, _, _ in self.lines]

    def update(self, snapshot) -> bool:
        """Draw the weeks run so far. Returns whether anything besides the
        lines changed (an axis had to grow, a new mark), in which case
        everything must be redrawn, not only the lines."""
        for line, side, metric in self.lines:
            series = snapshot.sides[side].series
            line.set_data(series["week"], series[metric])
        grew = False
        if snapshot.week > self.axes[0].get_xlim()[1]:  # played on past the run's length
            for ax in self.axes:
                ax.set_xlim(0, snapshot.week * 1.25)
            grew = True
        for ax in self.count_axes:
            metrics = [m for line, _, m in self.lines if line.axes is ax]
            most = max(float(np.max(s.series[m])) for s in snapshot.sides for m in metrics)
            if most > ax.get_ylim()[1] * 0.9:
                ax.set_ylim(0, max(MIN_COUNT_AXIS, most * 1.5))
                grew = True
        marks = tuple(m for side in snapshot.sides for m in side.marks if m.week <= snapshot.week)
        if marks != self._marked:
            self._draw_marks(marks)
            grew = True
        return grew

    def _draw_marks(self, marks) -> None:
        """Dotted vertical lines at each mark's week; the first panel names them."""
        for ax in self.axes:
            for artist in getattr(ax, "_orgchange_marks", []):
                artist.remove()
            ax._orgchange_marks = []
        named = set()
        for mark in marks:
            for k, ax in enumerate(self.axes):
                ax._orgchange_marks.append(ax.axvline(mark.week, color=MARK_COLOURS[mark.kind], linestyle=":",
                                                      linewidth=1.4, zorder=1))
                if k == 0 and (mark.week, mark.what) not in named:
                    named.add((mark.week, mark.what))
                    ax._orgchange_marks.append(ax.text(
                        mark.week, 0.98, mark.what[0].upper() + mark.what[1:] + " ",
                        transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="right",
                        fontsize=FONT_PT, color=MARK_COLOURS[mark.kind]))
        self._marked = marks


class TimeseriesView(SeriesView):
    """The main plots (see the module)."""

    PANELS = [
        ("Commitment by level", "Mean commitment (0-1)", (-0.02, 1.02),
         [(f"commitment_{r}", ROLE_LABELS[r], ROLE_COLOURS[r]) for r in ROLES]),
        ("QI practice by level", "Share practising QI (0-1)", (-0.02, 1.02),
         [(f"practice_{r}", ROLE_LABELS[r], ROLE_COLOURS[r]) for r in ROLES]),
        ("Quality and culture", "Index (0-1)", (-0.02, 1.02),
         [("quality", "Quality", BLACK), ("culture", "Culture", BLUE)]),
        ("Trust and cynicism", "Mean (0-1)", (-0.02, 1.02),
         [("trust", "Trust", BLACK), ("cynicism", "Cynicism", BLUE)]),
    ]


class MoreView(SeriesView):
    """The plots under the main ones (see the module)."""

    PANELS = [
        ("Improvement projects", "Projects (count)", None,
         [("projects_active", "Under way", BLACK), ("projects_succeeded", "Succeeded so far", BLUE),
          ("projects_failed", "Failed so far", NEUTRAL)]),
        ("Leaders' time on the strategy", "Leader-hours (per week)", None,
         [("leader_hours", "Leader-hours", BLACK)]),
    ]


def timeseries_figure(snapshot, size: tuple[int, int] = (1400, 380), caption: str = "") -> Figure:
    """The main plots of every strategy in ``snapshot`` so far, with the
    week in the key (see `TimeseriesView`); ``size`` is in pixels."""
    return TimeseriesView(snapshot, size, caption=caption).figure

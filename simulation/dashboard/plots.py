"""The dashboard's time-series figure: how the run has gone so far.

Four panels, each with the week on the x axis, fixed from week 0 to the
run's length (five years by default) so that the lines grow across a still
frame while the simulation plays:

* commitment to quality by level;
* the share of each level that practises QI;
* patient-care quality and the culture index;
* improvement projects: under way, and succeeded or failed so far.

Side by side, the second strategy is drawn in the same colours with dashed
lines (`simulation.plotting.STRATEGY_STYLES`), and a key names both.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simulation.parameters import ROLES
from simulation.plotting import OKABE_ITO, ROLE_COLOURS, ROLE_LABELS, STRATEGY_STYLES, style

OUTCOMES = {"quality": ("Patient-care quality", OKABE_ITO[4]), "culture": ("Culture index", OKABE_ITO[5])}
PROJECTS = {"projects_active": ("Under way", OKABE_ITO[4]), "projects_succeeded": ("Succeeded so far", OKABE_ITO[2]),
            "projects_failed": ("Failed so far", OKABE_ITO[3])}
"""Series of the last two panels: metric name -> (legend label, colour)."""
MIN_PROJECTS_AXIS = 3
"""Lowest top of the projects axis, so that it shows whole projects before the first starts."""


class TimeseriesView:
    """The time series of each strategy in a classroom.

    The figure is built once; `update` then sets the lines' data to the
    weeks run so far. `artists` are the lines, so that
    `simulation.dashboard.frames` can redraw just those on each frame.

    Parameters
    ----------
    classroom : Classroom
    width : float
        Figure width in inches.
    week_in_title : bool
        Put the week in the figure's title (for a download). The page shows
        the week above the figure instead, so that the title stays still.
    """

    def __init__(self, classroom, width: float = 11.0, week_in_title: bool = True) -> None:
        # Fixed margins rather than a layout engine, which would slow every frame.
        self.figure = fig = Figure(figsize=(width, 6.4))
        fig.subplots_adjust(left=0.065, right=0.985, bottom=0.08, top=0.87, hspace=0.42, wspace=0.16)
        (commit, practice), (outcome, self.projects) = axes = fig.subplots(2, 2, sharex=True)
        self.axes = [commit, practice, outcome, self.projects]
        self.lines: list[tuple[Line2D, int, str]] = []  # (line, side, metric)
        for side in range(len(classroom.models)):
            dash = STRATEGY_STYLES[side]

            def name(text: str, side: int = side) -> str:
                # Only the first strategy's lines name the series; the key names the strategies.
                return text if side == 0 else f"_{text}"

            for role in ROLES:
                for ax, metric in ((commit, f"commitment_{role}"), (practice, f"practice_{role}")):
                    line, = ax.plot([], [], color=ROLE_COLOURS[role], linestyle=dash, label=name(ROLE_LABELS[role]))
                    self.lines.append((line, side, metric))
            for ax, series, steps in ((outcome, OUTCOMES, "default"), (self.projects, PROJECTS, "steps-post")):
                for metric, (text, colour) in series.items():
                    line, = ax.plot([], [], color=colour, linestyle=dash, label=name(text), drawstyle=steps)
                    self.lines.append((line, side, metric))

        style(commit, "Commitment to quality by level", "Time (weeks)", "Mean commitment (0-1)")
        style(practice, "QI practice by level", "Time (weeks)", "Share practising QI (0-1)")
        style(outcome, "Quality and culture", "Time (weeks)", "Index (0-1)")
        style(self.projects, "Improvement projects", "Time (weeks)", "Projects (count)")
        for ax in (commit, practice, outcome):
            ax.set_ylim(-0.02, 1.02)
        self.projects.set_ylim(0, MIN_PROJECTS_AXIS)
        self.projects.set_xlim(0, max(classroom.weeks, 1))
        for ax in axes.flat:
            ax.tick_params(labelbottom=True)  # sharex hides the upper panels' week numbers

        when = f": week {classroom.week}" if week_in_title else ""
        if len(classroom.models) > 1:
            key = [Line2D([], [], color=OKABE_ITO[7], linestyle=dash, label=label)
                   for label, dash in zip(classroom.labels, STRATEGY_STYLES)]
            fig.legend(handles=key, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=len(key), frameon=False,
                       fontsize=9, title=f"Two strategies, the same hospital and seed{when}", title_fontsize=10)
        else:
            fig.suptitle(f"{classroom.labels[0]}{when}", fontsize=12)
        self.update(classroom)

    @property
    def artists(self) -> list[Line2D]:
        """The artists `update` changes: every line."""
        return [line for line, _, _ in self.lines]

    def update(self, classroom) -> bool:
        """Draw the weeks run so far. Returns whether the axes had to grow
        (a run past its length, or more projects than the axis showed), in
        which case everything must be redrawn, not only the lines."""
        frames = [model.timeseries() for model in classroom.models]
        for line, side, metric in self.lines:
            line.set_data(frames[side]["week"], frames[side][metric])
        grew = False
        if classroom.week > self.projects.get_xlim()[1]:  # played on past the run's length
            self.projects.set_xlim(0, classroom.week * 1.25)
            grew = True
        most = max(int(df[list(PROJECTS)].to_numpy().max()) for df in frames)
        if most > self.projects.get_ylim()[1] * 0.9:
            self.projects.set_ylim(0, max(MIN_PROJECTS_AXIS, most * 1.5))
            grew = True
        return grew


def timeseries_figure(classroom, width: float = 11.0) -> Figure:
    """The time series of every strategy in ``classroom`` so far, with the
    week in the title (see `TimeseriesView`). ``width`` is in inches."""
    return TimeseriesView(classroom, width).figure

"""The figure standard (issue 6): every figure has a title, labelled axes with
units, a legend wherever more than one series is drawn, and colours from the
colour-blind-safe palette of `simulation.plotting`.

The rules, checked on every visible axes of every figure the package draws
(the run summary, and the comparison, sweep, sensitivity and report figures,
built here from small real experiments):

* a non-empty title;
* x and y labels that end with their unit in parentheses or brackets:
  ``Time (years)``, ``Mean commitment (0-1)``. Shares and indices use the
  project's dimensionless markers ``0-1`` or ``share 0-1``. A categorical
  axis (its ticks are named, like the parameters of a sensitivity chart)
  needs a label but no unit;
* with more than one labelled series, a legend that names them all: on the
  axes itself, or one legend shared by the figure's panels;
* every line, marker, band and bar in `OKABE_ITO`, or `NEUTRAL` for
  reference lines such as zero.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.markers import MarkerStyle

from experiments import Experiment, analysis, figures, load, report, run_experiment, sensitivity
from experiments.report import build_report
from simulation import OrgChangeModel
from simulation.plotting import COMMITMENT_COLOURS, NEUTRAL, OKABE_ITO, plt, summary_figure

PALETTE = {c.lower() for c in [*OKABE_ITO, *COMMITMENT_COLOURS]} | {NEUTRAL.lower()}
UNIT = re.compile(r"(\([^()]+\)|\[[^\[\]]+\])$")
"""A label ends with its unit: ``Time (years)`` or ``Quality [index 0-1]``."""
PLACEHOLDERS = {"", "-", "value", "values", "units"}
"""What a unit in parentheses must not be."""
NUMBER = re.compile(r"[-+\u2212]?[\d.,]+(e[-+\u2212]?\d+)?%?")
"""A numeric tick label (matplotlib writes minus as U+2212)."""

SMALL = {"weeks": 20, "seed": 11}
BASE = {"organization": {"staff": 40}}


# --- the standard ---------------------------------------------------------------------------------
def categorical(axis) -> bool:
    """Whether an axis names its ticks (categories) rather than measuring.
    The figure must have been drawn, so that the tick labels are set."""
    labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
    return bool(labels) and not all(NUMBER.fullmatch(label) for label in labels)


def colours(ax) -> set[str]:
    """Every colour the data of ``ax`` is drawn in, as #rrggbb (alpha ignored)."""
    found = set()
    for line in ax.lines:
        if line.get_linestyle() not in ("None", "", " ") and line.get_linewidth() > 0:
            found.add(to_hex(line.get_color()))
        marker = MarkerStyle(line.get_marker())
        if line.get_marker() not in ("None", "", " ", None):
            found.add(to_hex(line.get_markeredgecolor()))
            if marker.is_filled() and str(line.get_markerfacecolor()) != "none":
                found.add(to_hex(line.get_markerfacecolor()))
    for collection in ax.collections:  # bands (fill_between) and error bars
        for rgba in [*collection.get_facecolor(), *collection.get_edgecolor()]:
            if rgba[3] > 0:
                found.add(to_hex(rgba, keep_alpha=False))
    for patch in ax.patches:  # bars
        found.add(to_hex(patch.get_facecolor(), keep_alpha=False))
        if patch.get_linewidth() > 0:
            found.add(to_hex(patch.get_edgecolor(), keep_alpha=False))
    return found


def legend_names(fig) -> set[str]:
    """The names in every legend of the figure (on any axes, or the figure's own)."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return {text.get_text() for legend in legends for text in legend.get_texts()}


def problems(fig) -> list[str]:
    """What in ``fig`` breaks the standard (an empty list if nothing)."""
    found = []
    fig.canvas.draw()  # sets the tick labels
    shared = legend_names(fig)
    for k, ax in enumerate(a for a in fig.axes if a.get_visible()):
        where = f"panel {k} ({ax.get_title()!r})"
        if not ax.get_title().strip():
            found.append(f"panel {k}: no title")
        for name, axis, label in (("x", ax.xaxis, ax.get_xlabel()), ("y", ax.yaxis, ax.get_ylabel())):
            if not label.strip():
                found.append(f"{where}: no {name} label")
            elif not categorical(axis) and not UNIT.search(label.strip()):
                found.append(f"{where}: {name} label {label!r} has no unit in parentheses or brackets")
            elif not categorical(axis) and UNIT.search(label.strip()).group(0)[1:-1].strip() in PLACEHOLDERS:
                found.append(f"{where}: {name} label {label!r} has a placeholder, not a unit")
        _, names = ax.get_legend_handles_labels()
        if len(names) > 1:
            own = {t.get_text() for t in ax.get_legend().get_texts()} if ax.get_legend() else set()
            missing = [n for n in names if n not in own | shared]
            if missing:
                found.append(f"{where}: {len(names)} series but no legend names {missing}")
        outside = sorted(colours(ax) - PALETTE)
        if outside:
            found.append(f"{where}: colours outside the palette: {outside}")
    return found


def assert_standard(fig, what: str) -> None:
    try:
        assert fig.axes, f"{what}: no axes"
        found = problems(fig)
        assert not found, f"{what}:\n  " + "\n  ".join(found)
    finally:
        plt.close(fig)


# --- small real experiments -----------------------------------------------------------------------
def experiment(tmp_path, name: str, strategies: list[str], design: dict | None = None, replicates: int = 2):
    """Run a small experiment into ``tmp_path`` and load its results."""
    head = {"name": name, "strategies": strategies, "replicates": replicates, **SMALL}
    exp = Experiment.from_dict({"experiment": head, "base": BASE,
                                **({"design": design} if design else {})}, base_dir=tmp_path)
    store = tmp_path / f"{name}.sqlite"
    run_experiment(exp, store, executor="serial", progress=False)
    return load(store)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """Four strategies, one of whose CEO leaves (so the report has sustainment too)."""
    folder = tmp_path_factory.mktemp("figures")
    leaves = folder / "ceo_leaves.toml"
    leaves.write_text('name = "CEO who leaves"\ndescription = "Inspires, then leaves."\n[levers]\n'
                      'passion_display = 0.9\nschedule = [{week = 10, depart = "ceo"}]\n', encoding="utf-8")
    return experiment(folder, "compare", ["business_as_usual", "mandate", "inspire", str(leaves)])


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A factorial sweep over a number, an integer and a switch."""
    design = {"kind": "factorial", "parameters": {"follow_through": [0.2, 0.8], "rounding_contacts": [2, 6],
                                                  "committee": [False, True]}}
    return experiment(tmp_path_factory.mktemp("sweep"), "sweep", ["leadership_rounding", "full_transformation"],
                      design)


@pytest.fixture(scope="module")
def screened(tmp_path_factory) -> dict:
    """A Morris and a Sobol design over two parameters, for two strategies."""
    parameters = {"influence_rate": [0.01, 0.06], "manager_weight": [1.0, 5.0]}
    return {kind: experiment(tmp_path_factory.mktemp(kind), kind, ["mandate", "full_transformation"],
                             {"kind": kind, "samples": 4, "parameters": parameters}, replicates=1)
            for kind in ("morris", "sobol")}


# --- every figure ---------------------------------------------------------------------------------
def test_the_run_summary_figure():
    df = OrgChangeModel(staff=40, weeks=20, seed=1).run()
    assert_standard(summary_figure(df, "A run"), "summary_figure")


def test_the_comparison_figures(compared):
    c = analysis.compare(compared)
    assert_standard(figures.trajectory_figure(c.trajectories, c.strategies, c.labels), "trajectory_figure")
    assert_standard(figures.effort_benefit_figure(c.summary, c.strategies, c.labels), "effort_benefit_figure")


def test_the_trajectory_figure_of_more_strategies_than_colours(compared):
    """Past eight strategies colours repeat (with another line style), so they stay in the palette."""
    traj = analysis.compare(compared).trajectories
    many = pd.concat([traj.assign(strategy=traj["strategy"] + f"-{k}") for k in range(3)], ignore_index=True)
    strategies = list(dict.fromkeys(many["strategy"]))
    assert len(strategies) > len(OKABE_ITO)
    assert_standard(figures.trajectory_figure(many, strategies), "trajectory_figure, 12 strategies")


@pytest.mark.parametrize("outcome", ["weeks_to_half_practice", "leader_hours"])  # the report draws commitment
def test_the_sweep_figure(swept, outcome):
    c = analysis.compare(swept)
    fig = figures.sweep_figure(c.outcomes, swept.parameters, outcome, c.strategies, c.labels)
    assert_standard(fig, f"sweep_figure of {outcome}")


@pytest.mark.parametrize("kind", ["morris", "sobol"])
def test_the_sensitivity_figure(screened, kind):
    c = analysis.compare(screened[kind])
    result = sensitivity.analyze(c.outcomes, screened[kind].manifest["design"], "commitment_frontline")
    fig = figures.sensitivity_figure(result.table, result.method, result.outcome, c.labels)
    assert_standard(fig, f"sensitivity_figure ({result.method})")


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The figures the report and the command line draw, kept instead of written."""
    kept = []

    def keep(fig, *args, **kwargs):
        kept.append(fig)
        return b""

    monkeypatch.setattr(report, "png_bytes", keep)
    monkeypatch.setattr(figures, "save", keep)
    return kept


@pytest.mark.parametrize("which", ["compare", "sweep", "morris", "sobol"])
def test_every_figure_of_the_report(compared, swept, screened, drawn, which):
    build_report({"compare": compared, "sweep": swept, **screened}[which])
    assert len(drawn) >= 2, "trajectories and effort against benefit at least"
    for k, fig in enumerate(drawn):
        assert_standard(fig, f"report figure {k} ({fig.get_suptitle()!r})")


def test_every_figure_of_the_command_line(drawn, tmp_path, capsys):
    from simulation.cli import main

    assert main(["compare", "--strategies", "business_as_usual", "senior_team", "--replicates", "2", "--weeks",
                 "20", "--staff", "40", "--workers", "1", "--out", str(tmp_path / "compare")]) == 0
    capsys.readouterr()
    assert len(drawn) == 2
    for k, fig in enumerate(drawn):
        assert_standard(fig, f"orgchange compare figure {k}")


def test_a_strategy_has_one_colour_in_every_figure():
    """The project's one strategy-to-colour mapping (simulation.plotting.strategy_styles):
    a preset's colour does not depend on which other strategies share the figure,
    and a strategy of one's own keeps its colour too, on a line that is not solid."""
    from simulation.plotting import STRATEGY_COLOURS, strategy_styles

    alone = strategy_styles(["leadership_rounding"])
    crowd = strategy_styles(["business_as_usual", "mandate", "no_follow_through", "leadership_rounding"])
    assert alone["leadership_rounding"] == crowd["leadership_rounding"] == {
        "color": STRATEGY_COLOURS["leadership_rounding"], "linestyle": "-"}
    assert strategy_styles(["path/to/mandate.toml"])["path/to/mandate.toml"]["color"] == STRATEGY_COLOURS["mandate"]
    own = [strategy_styles([*others, "no_follow_through"])["no_follow_through"] for others in ([], ["inspire"])]
    assert own[0] == own[1] and own[0]["linestyle"] != "-"
    assert len(set(STRATEGY_COLOURS.values())) == len(STRATEGY_COLOURS), "no two presets share a colour"

"""The classroom dashboard (simulation/dashboard/), without a browser: the
layered layout, the classroom model, the controls derived from the parameter
table, the figures, the page's components driven through their widgets
(`solara.render`), and the ``orgchange dashboard`` command's errors.

The page in a real browser is tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import gc
import io
import socket
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara", reason='the dashboard needs its extra: pip install "orgchange[dashboard]"')
pytest.importorskip("mesa.visualization", reason='the dashboard needs its extra: pip install "orgchange[dashboard]"')

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402
from PIL import Image  # noqa: E402

import simulation.dashboard  # noqa: E402
from simulation import Config, OrgChangeModel  # noqa: E402
from simulation.cli import main  # noqa: E402
from simulation.dashboard import app, network  # noqa: E402
from simulation.dashboard.classroom import DASHBOARD_DEFAULTS, Classroom, Settings  # noqa: E402
from simulation.dashboard.controls import SECTIONS  # noqa: E402
from simulation.dashboard.frames import Frames  # noqa: E402
from simulation.dashboard.network import NetworkView, layered_layout, network_figure  # noqa: E402
from simulation.dashboard.plots import TimeseriesView, timeseries_figure  # noqa: E402
from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR  # noqa: E402
from simulation.parameters import PARAMETERS  # noqa: E402
from simulation.plotting import png_bytes  # noqa: E402
from simulation.strategy import load_strategy, preset_names  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "examples" / "community_hospital.csv"


@pytest.fixture(autouse=True, scope="module")
def _collect_garbage_at_the_end():
    """Let go of every classroom these tests built before the next module
    runs: a classroom releases its models from Mesa 3.3's registry when it is
    collected, which should not happen in the middle of another module's test."""
    yield
    gc.collect()
    gc.collect()


# --- the layered layout --------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["generated", "chart"])
def org(request):
    """A generated 300-person hospital, and the example org chart."""
    if request.param == "chart":
        return OrgChangeModel(org_chart=str(CHART), seed=2).organization
    return OrgChangeModel(staff=300, seed=2).organization


def test_the_ceo_is_alone_on_top_then_the_senior_team_then_the_units(org):
    y = layered_layout(org).xy[:, 1]
    ceo, seniors = y[org.role == CEO], y[org.role == SENIOR]
    middles, front = y[org.role == MIDDLE], y[org.role == FRONTLINE]
    assert len(ceo) == 1 and (y == ceo[0]).sum() == 1, "the CEO has the top row to themselves"
    assert ceo[0] > seniors.max() and seniors.min() > middles.max() and middles.min() > front.max()
    assert len(set(seniors)) == 1 and len(set(middles)) == 1, "one row each for the senior team and middle managers"


def test_every_unit_is_one_block_under_its_manager(org):
    layout = layered_layout(org)
    xy = layout.xy
    spans = []
    for u in range(org.n_units):
        members = org.members(u)
        x0, y0, x1, y1 = layout.boxes[u]
        inside = (xy[members, 0] > x0) & (xy[members, 0] < x1) & (xy[members, 1] > y0) & (xy[members, 1] < y1)
        assert inside.all(), f"unit {u}: everyone inside its block"
        head = org.unit_head[u]
        staff = org.frontline(u)
        if head >= 0 and len(staff):
            assert np.isclose(xy[head, 0], (xy[staff, 0].min() + xy[staff, 0].max()) / 2), "manager centred"
        spans.append((x0, x1))
    spans.sort()
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), "blocks side by side, never overlapping"
    assert len({tuple(p) for p in xy}) == org.n, "nobody drawn on top of anyone else"


def test_each_senior_leader_sits_over_their_own_units(org):
    layout = layered_layout(org)
    xy = layout.xy
    seniors = np.flatnonzero(org.role == SENIOR)
    # Units left to right, and the senior leader each answers to.
    order = np.argsort(layout.boxes[:, 0])
    leaders = [org.manager[org.unit_head[u]] for u in order if org.unit_head[u] >= 0]
    leaders = [s for s in dict.fromkeys(leaders) if s in seniors]
    assert leaders == sorted(leaders, key=lambda s: xy[s, 0]), "senior leaders in the order of their units"


def test_reporting_lines_run_from_each_manager_down_to_their_report(org):
    layout = layered_layout(org)
    start, end = layout.lines[:, 0], layout.lines[:, 1]
    assert (start[:, 1] > end[:, 1]).all(), "every drawn line goes down a level"
    assert len(layout.lines) >= (org.role == SENIOR).sum() + (org.role == MIDDLE).sum()


def test_the_layout_is_computed_once_and_stays_put_as_staff_turn_over(monkeypatch):
    calls = []
    compute = network.compute_layout
    monkeypatch.setattr(network, "compute_layout", lambda o: calls.append(o) or compute(o))
    model = OrgChangeModel(staff=300, seed=4, turnover_rate=0.9)  # nearly everyone leaves within a year
    first = layered_layout(model.organization).xy.copy()
    classroom = Classroom(Settings(seed=4, changes={"turnover_rate": 0.9}))
    for _ in range(20):
        model.step()
        classroom.step()
        assert np.array_equal(layered_layout(model.organization).xy, first)
    network_figure(classroom)
    network_figure(classroom)
    assert [id(o) for o in calls] == [id(model.organization), id(classroom.models[0].organization)], \
        "one computation per organization, however many frames"
    replaced = [p for p in model.people if p.unique_id > model.organization.n]
    assert replaced, "people were replaced (in place, at the same index) during the run"


# --- the classroom model -------------------------------------------------------------------------
def test_side_by_side_runs_two_strategies_on_the_same_hospital_in_step():
    classroom = Classroom(Settings(preset="mandate", side_by_side=True, other="inspire", seed=9))
    left, right = classroom.models
    assert np.array_equal(left.organization.manager, right.organization.manager), "the same hospital"
    assert np.array_equal(left.organization.ties, right.organization.ties)
    assert np.array_equal(left.state.predisposition, right.state.predisposition), "the same people"
    assert left.config.steering == load_strategy("mandate").levers["steering"]
    assert right.config.passion_display == load_strategy("inspire").levers["passion_display"]
    for _ in range(3):
        classroom.step()
    assert classroom.week == left.week == right.week == 3
    df = classroom.timeseries()
    assert list(df["preset"].unique()) == ["mandate", "inspire"]
    assert list(df["strategy"].unique()) == ["Mandate", "Inspire"]
    assert len(df) == 2 * 4
    assert classroom.running, "play never switches itself off"
    Classroom.stop_all()  # as the server does when it shuts down
    assert not classroom.running, "...but the server can stop every classroom"


def test_a_replaced_classroom_lets_its_models_go():
    """Every change of a setting builds a new classroom; the old ones' models
    must not pile up (Mesa 3.3 keeps a registry of models in mesa.Agent)."""
    import weakref

    import mesa

    classroom = Classroom(Settings(side_by_side=True, changes={"staff": 60}))
    models = [weakref.ref(m) for m in classroom.models]
    del classroom
    gc.collect()  # the classroom goes, and takes its models out of the registry
    gc.collect()  # the models go
    assert all(ref() is None for ref in models)
    assert not any(ref() in getattr(mesa.Agent, "_ids", {}) for ref in models)


def test_settings_keep_lever_changes_apart_from_the_preset():
    settings = Settings(preset="mandate")
    assert settings.config().staff == DASHBOARD_DEFAULTS["staff"]
    changed = settings.with_value("steering", 0.3).with_value("staff", 120)
    assert changed.config().steering == 0.3 and changed.changed_levers() == ["steering"]
    assert changed.labels() == ["Mandate (changed)"]
    back = changed.with_value("steering", load_strategy("mandate").levers["steering"])
    assert back.changed_levers() == [], "moving a lever back to the preset's value is no change"
    other = changed.with_preset("inspire")
    assert other.config().steering == load_strategy("inspire").levers["steering"], "a new preset's own levers"
    assert other.config().staff == 120, "the hospital stays as it was"
    both = replace(changed, side_by_side=True)
    assert both.config(1).steering == load_strategy("business_as_usual").levers["steering"], \
        "lever changes are the first strategy's only"
    assert both.config(1).staff == 120, "the hospital is both strategies'"


# --- the controls --------------------------------------------------------------------------------
def test_every_control_comes_from_the_parameter_table():
    for spec in (s for specs in SECTIONS.values() for s in specs):
        p = PARAMETERS[spec.name]
        assert (spec.unit, spec.doc, spec.kind) == (p.unit, p.doc, p.kind)
        if p.low is not None:
            assert p.low <= spec.low < spec.high <= p.high, spec.name
        if p.unit not in ("-", ""):
            assert spec.label.endswith(f"({p.unit})"), "labels carry their unit"
    assert [s.label for s in SECTIONS["Strategy levers"]][1] == "Steering (0-1)"


def test_the_instructors_guide_names_every_control():
    guide = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    missing = [s.title for specs in SECTIONS.values() for s in specs if s.title not in guide]
    assert not missing, f"docs/dashboard.md does not mention {missing}"


def test_every_preset_fits_its_sliders():
    for name in preset_names():
        config = Settings(preset=name).config()
        for spec in (s for specs in SECTIONS.values() for s in specs if s.low is not None):
            assert spec.low <= getattr(config, spec.name) <= spec.high, f"{name}: {spec.name}"


# --- the figures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def played():
    classroom = Classroom(Settings(preset="leadership_rounding", side_by_side=True, other="mandate", seed=3))
    for _ in range(30):
        classroom.step()
    return classroom


@pytest.mark.parametrize("draw", [network_figure, timeseries_figure], ids=["network", "plots"])
@pytest.mark.parametrize("side_by_side", [False, True], ids=["single", "side-by-side"])
def test_every_figure_meets_the_figure_standard(played, draw, side_by_side):
    """Titles, axes with units, legends and palette colours: the rules of tests/test_figures.py."""
    standard = pytest.importorskip("test_figures", reason="the figure standard, tests/test_figures.py, is absent")
    classroom = played
    if not side_by_side:
        classroom = Classroom(Settings(preset="leadership_rounding", seed=3))
        classroom.step()
    fig = draw(classroom)
    assert not standard.problems(fig)
    assert fig.texts or fig.legends, "a figure title or key"


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("view", [NetworkView, TimeseriesView], ids=["network", "plots"])
def test_a_fast_frame_is_the_figure_drawn_in_full(view):
    """Frames redraws only what changes, over a background drawn once: the
    result must be what drawing the whole figure afresh gives."""
    classroom = Classroom(Settings(preset="full_transformation", side_by_side=True, seed=5))
    frames = Frames(view(classroom, week_in_title=False), dpi=60)
    first = frames.png(classroom)
    for _ in range(40):  # enough for projects to start, and the projects axis to grow
        classroom.step()
    later = frames.png(classroom)
    afresh = Frames(view(classroom, week_in_title=False), dpi=60).png(classroom)
    assert later.startswith(b"\x89PNG") and not np.array_equal(pixels(first), pixels(later)), "the frame changed"
    assert np.array_equal(pixels(later), pixels(afresh))


def test_the_plots_grow_their_axes_when_the_run_outgrows_them():
    classroom = Classroom(Settings(preset="full_transformation", seed=5, changes={"weeks": 20}))
    view = TimeseriesView(classroom)
    assert view.projects.get_xlim()[1] == 20
    grew = []
    for _ in range(30):
        classroom.step()
        grew.append(view.update(classroom))
    assert any(grew) and view.projects.get_xlim()[1] >= 30, "playing on past the run's length widens the axes"


def test_the_downloads_are_a_png_and_the_time_series(played):
    assert png_bytes(network_figure(played), app.EXPORT_DPI).startswith(b"\x89PNG")
    assert png_bytes(timeseries_figure(played), app.SCREEN_DPI).startswith(b"\x89PNG")
    back = pd.read_csv(io.StringIO(played.timeseries().to_csv(index=False)))
    assert set(back["preset"]) == {"leadership_rounding", "mandate"} and back["week"].max() == 30


# --- the page, through its widgets ---------------------------------------------------------------
@pytest.fixture
def page(monkeypatch):
    """The page rendered in an app layout (whose sidebar holds the controls),
    and every Classroom it builds, newest last."""
    built = []

    class Recorded(Classroom):
        def __init__(self, settings=None):
            super().__init__(settings)
            built.append(self)

    monkeypatch.setattr(app, "Classroom", Recorded)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc, built
    rc.close()


def week_shown(rc) -> str:
    return rc.find(v.Html, class_="orgchange-week").widget.children[0]


def descriptions(rc) -> list[str]:
    return [el.widget.children[1].children[0].strip() for el in rc.find(v.Html, class_="orgchange-description")]


def test_the_preset_picker_shows_the_description_and_rebuilds_the_model(page):
    rc, built = page
    picker = rc.find(v.Select, label="Strategy").widget
    assert {item["value"] for item in picker.items} == set(preset_names())
    assert descriptions(rc) == [load_strategy("full_transformation").description]
    picker.v_model = "mandate"
    assert descriptions(rc) == [load_strategy("mandate").description]
    model = built[-1].models[0]
    assert built[-1].settings.preset == "mandate" and model.week == 0
    assert model.config.steering == load_strategy("mandate").levers["steering"]
    assert rc.find(v.Slider, label="Steering (0-1)").widget.v_model == model.config.steering, \
        "the sliders follow the preset"
    assert "Mandate:" in [el.widget.children[0].children[0] for el in rc.find(v.Html, class_="orgchange-summary")]


def test_a_slider_sets_its_parameter_in_a_new_model(page):
    rc, built = page
    rc.find(v.Slider, label="Steering (0-1)").widget.v_model = 0.25
    assert built[-1].models[0].config.steering == 0.25
    assert built[-1].labels == ["Full transformation (changed)"]
    rc.find(v.Slider, label="Hospital size (people)").widget.v_model = 150
    assert built[-1].models[0].organization.n == 150
    assert built[-1].models[0].config.steering == 0.25, "other changes stay"
    rc.find(v.Switch, label="Quality committee meets").widget.v_model = False
    assert built[-1].models[0].config.committee is False
    rc.find(v.Btn, children=["Back to the preset"]).widget.click()
    assert built[-1].models[0].config.steering == load_strategy("full_transformation").levers["steering"]
    assert built[-1].models[0].organization.n == 150, "the hospital stays"


def test_the_seed_field_reseeds_and_a_bad_seed_is_reported(page):
    rc, built = page
    field = rc.find(v.TextField, label="Seed: the same seed gives the same hospital and people").widget
    field.v_model = "7"
    field.fire_event("keyup.enter")
    assert built[-1].settings.seed == 7 and built[-1].models[0].config.seed == 7
    count = len(built)
    field.v_model = "-1"
    field.fire_event("keyup.enter")
    assert len(built) == count, "no model from a bad seed"
    assert "seed: must be" in rc.find(v.Alert).widget.children[0]


def test_step_reset_and_side_by_side_step_together(page):
    rc, built = page
    step = rc.find(v.Btn, children=["Step"]).widget
    step.click()
    step.click()
    assert week_shown(rc).startswith("Week 2")
    rc.find(v.Switch, label="Side by side: compare with a second strategy").widget.v_model = True
    classroom = built[-1]
    assert len(classroom.models) == 2 and classroom.week == 0, "a new pair of runs from week 0"
    rc.find(v.Select, label="Second strategy (dashed lines)").widget.v_model = "inspire"
    classroom = built[-1]
    assert classroom.models[1].config.passion_display == load_strategy("inspire").levers["passion_display"]
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert [m.week for m in classroom.models] == [1, 1], "one Step advances both"
    assert len(rc.find(v.Html, class_="orgchange-summary")) == 2
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert built[-1] is not classroom and built[-1].week == 0
    assert built[-1].settings == classroom.settings, "Reset rebuilds from the settings in force"


# --- the command -------------------------------------------------------------------------------
def test_the_command_says_how_to_install_a_missing_extra(monkeypatch, capsys):
    monkeypatch.setattr(simulation.dashboard, "missing_packages", lambda: ["solara"])
    assert main(["dashboard"]) == 2
    err = capsys.readouterr().err
    assert "the dashboard needs the optional extra" in err and 'pip install "orgchange[dashboard]"' in err


def test_the_command_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    assert f"port {port} is in use" in capsys.readouterr().err


def test_the_dashboard_starts_from_the_table_and_its_own_defaults():
    config = Settings().config()
    assert config.seed == PARAMETERS["seed"].default
    assert Config(**DASHBOARD_DEFAULTS).staff == config.staff == 300

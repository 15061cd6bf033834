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
import time
from dataclasses import replace
from pathlib import Path

import matplotlib.text
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
from simulation.dashboard import app, info, network  # noqa: E402
from simulation.dashboard.classroom import DASHBOARD_DEFAULTS, Classroom, Settings  # noqa: E402
from simulation.dashboard.controls import EVENTS, SECTIONS, describe  # noqa: E402
from simulation.dashboard.frames import Frames  # noqa: E402
from simulation.dashboard.network import NetworkView, layered_layout, network_figure  # noqa: E402
from simulation.dashboard.player import Player  # noqa: E402
from simulation.dashboard.plots import MoreView, TimeseriesView, timeseries_figure  # noqa: E402
from simulation.dashboard.screen import DPI, HEADLINE, MONITOR_ROW, TITLE_BAR, Screen, controls_width  # noqa: E402
from simulation.dashboard.snapshot import Departures, Mark, person_state, scheduled_marks, take  # noqa: E402
from simulation.organization import CEO, FRONTLINE, MIDDLE, SENIOR  # noqa: E402
from simulation.parameters import PARAMETERS, Departure  # noqa: E402
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
    monkeypatch.setattr(network, "compute_layout", lambda o, *shape: calls.append(o) or compute(o, *shape))
    model = OrgChangeModel(staff=300, seed=4, turnover_rate=0.9)  # nearly everyone leaves within a year
    first = layered_layout(model.organization).xy.copy()
    classroom = Classroom(Settings(seed=4, changes={"turnover_rate": 0.9}))
    for _ in range(20):
        model.step()
        classroom.step()
        assert np.array_equal(layered_layout(model.organization).xy, first)
    network_figure(take(classroom))
    network_figure(take(classroom))
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
    both = replace(changed, side_by_side=True, other="business_as_usual")
    assert both.config(1).steering == load_strategy("business_as_usual").levers["steering"], \
        "lever changes are the first strategy's only"
    assert both.config(1).staff == 120, "the hospital is both strategies'"


def test_an_event_moved_twice_is_one_event_and_moved_back_is_no_change():
    """The configuration holds scheduled events as `Departure`s; the event
    controls read and write them so."""
    ceo_leaves = next(spec for spec in EVENTS if spec.name == "schedule")
    settings = Settings()
    for week in (5, 9):
        settings = settings.with_value("schedule", ceo_leaves.with_week(list(settings.value_of("schedule")), week))
    assert settings.config().schedule == (Departure(9, "ceo"),)
    assert ceo_leaves.week(settings.value_of("schedule")) == 9
    assert describe(settings.value_of("schedule")) == "week 9: the CEO leaves"
    back = settings.with_value("schedule", ceo_leaves.with_week(list(settings.value_of("schedule")), 0))
    assert back.changed() == [], "no departure, as the preset has it, is no change"


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


# --- snapshots and the player ----------------------------------------------------------------
def test_a_snapshot_is_a_copy_of_one_whole_week():
    classroom = Classroom(Settings(preset="mandate", side_by_side=True, other="inspire", seed=9))
    for _ in range(3):
        classroom.step()
    snapshot = take(classroom)
    before = {k: v.copy() for k, v in snapshot.sides[0].people.items()}
    for _ in range(5):
        classroom.step()
    assert snapshot.week == 3 and all(len(v) == 4 for side in snapshot.sides for v in side.series.values()), \
        "every series of a snapshot ends at its week, whatever the model did since"
    assert all(np.array_equal(before[k], v) for k, v in snapshot.sides[0].people.items()), "copies, not views"
    assert snapshot.labels == ["Mandate", "Inspire"]


def test_the_player_steps_runs_to_a_week_and_pauses_in_its_own_thread():
    frames, statuses = [], []
    player = Player(on_frame=frames.append, on_status=statuses.append, speed=None)
    try:
        player.load(Settings(seed=3))
        assert player.wait_until_idle(60) and frames[-1].week == 0
        player.step()
        player.wait_until_idle(60)
        assert frames[-1].week == 1
        player.run_to(30)
        player.wait_until_idle(60)
        assert frames[-1].week == 30, "run to week N stops at week N"
        player.run_one_year()
        player.wait_until_idle(60)
        assert frames[-1].week == 82
        serials = [f.serial for f in frames]
        assert serials == sorted(set(serials)), "each frame is a new snapshot"
        player.speed = 5.0
        player.play()
        time.sleep(1.2)
        player.pause()
        player.wait_until_idle(60)
        assert 82 < frames[-1].week <= 82 + 5 * 2, "at 5 weeks a second, about five weeks a second"
        assert statuses[-1].moving is False
    finally:
        player.close()


def test_the_player_refuses_settings_that_cannot_run_and_keeps_the_run():
    frames, statuses = [], []
    player = Player(on_frame=frames.append, on_status=statuses.append)
    try:
        player.load(Settings())
        player.wait_until_idle(60)
        player.load(Settings(seed=-1))
        player.wait_until_idle(60)
        assert "seed: must be" in statuses[-1].problem and len(frames) == 1
        assert player.classroom.settings == Settings(), "the run in place stays"
        assert any(s.busy for s in statuses), "a rebuild says it is busy"
    finally:
        player.close()


def test_a_leader_who_leaves_is_marked():
    classroom = Classroom(Settings(seed=2, changes={"schedule": [{"week": 3, "depart": "ceo"}]}))
    watch = [Departures(m) for m in classroom.models]
    for _ in range(5):
        classroom.step()
        watch[0].check(classroom.models[0])
    marks = take(classroom, watch).sides[0].marks
    assert Mark(3, "departure", "the CEO left") in marks


def test_scheduled_events_are_marked():
    config = Settings(changes={"impetus_shocks": [20], "schedule": [{"week": 40, "lever": "steering", "value": 0.9}]})
    marks = scheduled_marks(config.config())
    assert [(m.week, m.kind) for m in marks] == [(20, "event"), (40, "event")]
    assert "steering set to 0.9" in marks[1].what


# --- the figures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def played():
    classroom = Classroom(Settings(preset="leadership_rounding", side_by_side=True, other="mandate", seed=3))
    for _ in range(30):
        classroom.step()
    return take(classroom)


@pytest.fixture(scope="module")
def single():
    classroom = Classroom(Settings(preset="leadership_rounding", seed=3))
    classroom.step()
    return take(classroom)


@pytest.mark.parametrize("draw", [network_figure, timeseries_figure], ids=["network", "plots"])
@pytest.mark.parametrize("side_by_side", [False, True], ids=["single", "side-by-side"])
def test_every_figure_meets_the_figure_standard(played, single, draw, side_by_side):
    """Titles, axes with units, legends and palette colours: the rules of tests/test_figures.py."""
    standard = pytest.importorskip("test_figures", reason="the figure standard, tests/test_figures.py, is absent")
    fig = draw(played if side_by_side else single)
    assert not standard.problems(fig)
    assert fig.texts or fig.legends, "a figure title or key"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
@pytest.mark.parametrize("view", [NetworkView, TimeseriesView, MoreView], ids=["network", "plots", "more"])
def test_figure_text_is_at_least_14_pixels_at_projector_sizes(played, single, size, view):
    for snapshot in (single, played):
        screen = Screen(*size, sides=len(snapshot.sides))
        fig = view(snapshot, screen.network if view is NetworkView else screen.plots, week_in_title=False).figure
        fig.canvas.draw()
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip() and t.get_visible()]
        small = {t.get_text(): t.get_fontsize() * DPI / 72 for t in texts if t.get_fontsize() * DPI / 72 < 14}
        assert texts and not small, f"text under 14 px: {small}"


def test_the_figures_and_the_page_fit_the_projector():
    for width, height in [(1280, 720), (1920, 1080)]:
        for sides in (1, 2):
            screen = Screen(width, height, sides)
            used = TITLE_BAR + HEADLINE + sides * MONITOR_ROW + screen.network[1] + screen.plots[1]
            assert used <= height, f"{width}x{height}, {sides} strategies: {used} px tall"
            assert screen.network[0] + controls_width(width) >= width - 40, "the full width is used"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_squares_and_circles_stay_apart_at_a_thousand_staff(size):
    classroom = Classroom(Settings(changes={"staff": 1000}))
    view = NetworkView(take(classroom), Screen(*size).network, week_in_title=False)
    assert view.marker_px() >= network.MIN_MARKER_PX, "a square at least 7 px across"
    square, circle = (view.panels[0][2][k] for k in (True, False))
    assert square.get_linewidths()[0] >= 3 * circle.get_linewidths()[0], "a square's edge is heavy, a circle's light"


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("view", [NetworkView, TimeseriesView], ids=["network", "plots"])
def test_a_fast_frame_is_the_figure_drawn_in_full(view):
    """Frames redraws only what changes, over a background drawn once: the
    result must be what drawing the whole figure afresh gives."""
    classroom = Classroom(Settings(preset="full_transformation", side_by_side=True, seed=5))
    frames = Frames(view(take(classroom), (700, 300), week_in_title=False), dpi=60)
    first = frames.png(take(classroom))
    for _ in range(40):  # enough for projects to start, and the projects axis to grow
        classroom.step()
    later = frames.png(take(classroom))
    afresh = Frames(view(take(classroom), (700, 300), week_in_title=False), dpi=60).png(take(classroom))
    assert later.startswith(b"\x89PNG") and not np.array_equal(pixels(first), pixels(later)), "the frame changed"
    assert np.array_equal(pixels(later), pixels(afresh))


def test_the_plots_grow_their_axes_when_the_run_outgrows_them():
    classroom = Classroom(Settings(preset="full_transformation", seed=5, changes={"weeks": 20}))
    view = MoreView(take(classroom))
    assert view.axes[0].get_xlim()[1] == 20
    grew = []
    for _ in range(30):
        classroom.step()
        grew.append(view.update(take(classroom)))
    assert any(grew) and view.axes[0].get_xlim()[1] >= 30, "playing on past the run's length widens the axes"


def test_a_click_finds_the_person_drawn_there(single):
    view = NetworkView(single, (900, 300), week_in_title=False)
    view.figure.canvas.draw()
    ax = view.panels[0][3]
    ceo = single.organizations[0].ceo
    x, y = ax.transData.transform(network.layered_layout(single.organizations[0]).xy[ceo])  # noqa: F841
    layout = view.panels[0][0]
    x, y = ax.transData.transform(layout.xy[ceo])
    assert view.person_at(x, view.figure.bbox.height - y) == (0, ceo)
    assert view.person_at(2, 2) is None, "a click on empty paper finds nobody"
    state = person_state(single, 0, ceo)
    assert state["role"] == "ceo" and 0 <= state["commitment"] <= 1


def test_the_downloads_record_the_strategy_seed_size_and_every_change():
    settings = Settings(preset="leadership_rounding", seed=11, changes={"follow_through": 0.2, "staff": 150})
    classroom = Classroom(settings)
    for _ in range(4):
        classroom.step()
    snapshot = take(classroom)
    caption = snapshot.record["caption"]
    assert caption.startswith("Leadership rounding") and "seed 11" in caption and "150 staff" in caption
    assert "Follow-through 0.2 (preset 0.8)" in caption
    csv = app.csv_text(snapshot, caption)
    assert "# seed = 11" in csv and "# staff = 150" in csv and "# changed: follow_through = 0.2" in csv
    back = pd.read_csv(io.StringIO(csv), comment="#")
    assert set(back["preset"]) == {"leadership_rounding"} and back["week"].max() == 4
    png = app.download_png(snapshot, "plots", caption)
    assert png.startswith(b"\x89PNG")
    fig = NetworkView(snapshot, caption=caption).figure
    assert caption in [t.get_text() for t in fig.texts], "the PNG's caption line records the settings"


def test_the_info_panel_is_the_guides_section():
    guide = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    section = guide.split("## In the app: the Info panel", 1)[1].split("\n## ", 1)[0]
    assert info.info_markdown().strip() in section, "docs/dashboard.md and simulation/dashboard/info.md differ"
    html = info.info_html()
    assert all(f"<h3>{heading}</h3>" in html for heading in info.HEADINGS)


# --- the page, through its widgets ---------------------------------------------------------------
@pytest.fixture
def page(monkeypatch):
    """The page rendered in a plain box, and its player (whose thread draws it)."""
    players = []

    class Recorded(Player):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            players.append(self)

    monkeypatch.setattr(app, "Player", Recorded)
    box, rc = solara.render(app.Page(), handle_error=False)
    players[0].wait_until_idle(60)
    yield rc, players[0]
    players[0].close()
    rc.close()


def settle(player) -> None:
    assert player.wait_until_idle(60)
    time.sleep(0.05)  # the last render, in the player's thread, finishes after idle is set


def week_shown(rc) -> str:
    return rc.find(v.Html, class_="orgchange-week").widget.children[0]


def descriptions(rc) -> list[str]:
    return [el.widget.children[1].children[0].strip() for el in rc.find(v.Html, class_="orgchange-description")]


def slider(rc, label: str):
    """The slider under the label ``label``, and the value shown beside it."""
    block = [el for el in rc.find(v.Html, class_="orgchange-slider")
             if el.widget.children[0].children[0].children[0] == label]
    assert block, f"no slider {label!r}"
    row, bar = block[0].widget.children[:2]
    return bar, row.children[1].children[0]


def test_the_page_opens_on_business_as_usual_at_week_0(page):
    rc, player = page
    settle(player)
    assert descriptions(rc) == [load_strategy("business_as_usual").description]
    assert week_shown(rc).startswith("Week 0")
    assert rc.find(v.Select, label="Speed").widget.v_model.startswith("Normal")


def test_the_preset_picker_rebuilds_the_model_and_the_sliders_follow(page):
    rc, player = page
    rc.find(v.Select, label="Strategy").widget.v_model = "mandate"
    settle(player)
    assert descriptions(rc) == [load_strategy("mandate").description]
    model = player.classroom.models[0]
    assert player.classroom.settings.preset == "mandate" and model.week == 0
    bar, shown = slider(rc, "Steering (0-1)")
    assert bar.v_model == model.config.steering and shown == describe(model.config.steering)


def test_every_slider_shows_its_value_with_its_unit(page):
    rc, player = page
    settle(player)
    bar, shown = slider(rc, "Staff turnover (per year)")
    assert shown == f"{player.classroom.models[0].config.turnover_rate:.3g} per year"
    bar, shown = slider(rc, "Hospital size (people)")
    assert shown == "300 people"


def test_a_change_is_marked_listed_and_undone_by_back_to_the_preset(page):
    rc, player = page
    slider(rc, "Follow-through (0-1)")[0].v_model = 0.2
    settle(player)
    slider(rc, "Hospital size (people)")[0].v_model = 150
    settle(player)
    assert player.classroom.models[0].config.follow_through == 0.2
    assert player.classroom.models[0].organization.n == 150
    notes = [el.widget.children[0] for el in rc.find(v.Html, class_="orgchange-changed-note")]
    assert len(notes) == 2 and all(n.startswith("changed by hand (preset:") for n in notes)
    listed = rc.find(v.Html, class_="orgchange-changes").widget
    assert "Follow-through" in str(listed) and "Hospital size" in str(listed)
    rc.find(v.Btn, children=["Back to the preset"]).widget.click()
    settle(player)
    assert player.classroom.settings.changed() == [], "every change undone, the hospital's too"
    assert player.classroom.models[0].organization.n == 300
    assert not rc.find(v.Html, class_="orgchange-changed-note")


def test_a_bad_seed_is_refused_and_the_run_stays(page):
    rc, player = page
    field = rc.find(v.TextField, label="Seed: the same seed gives the same hospital and people").widget
    field.v_model = "7"
    field.fire_event("keyup.enter")
    settle(player)
    assert player.classroom.settings.seed == 7
    field.v_model = "-1"
    field.fire_event("keyup.enter")
    settle(player)
    assert player.classroom.settings.seed == 7, "no model from a bad seed"
    assert "seed: must be" in rc.find(v.Alert).widget.children[0]


def test_step_run_to_week_and_side_by_side(page):
    rc, player = page
    rc.find(v.Btn, children=["Step one week"]).widget.click()
    settle(player)
    assert week_shown(rc).startswith("Week 1")
    rc.find(v.TextField, label="Week").widget.v_model = "5"
    rc.find(v.Btn, children=["Run to week 5"]).widget.click()
    settle(player)
    assert week_shown(rc).startswith("Week 5")
    rc.find(v.Switch, label="Side by side: compare with a second strategy").widget.v_model = True
    settle(player)
    assert len(player.classroom.models) == 2 and week_shown(rc).startswith("Week 0"), "a new pair from week 0"
    rc.find(v.Btn, children=["Step one week"]).widget.click()
    settle(player)
    assert [m.week for m in player.classroom.models] == [1, 1], "one step advances both"
    assert len(rc.find(v.Html, class_="orgchange-summary")) == 2
    rc.find(v.Btn, children=["Start again"]).widget.click()
    settle(player)
    assert week_shown(rc).startswith("Week 0")


def test_an_event_scheduled_on_the_page_happens_and_is_marked(page):
    rc, player = page
    slider(rc, "The CEO leaves (week; 0: never)")[0].v_model = 5
    settle(player)
    assert player.classroom.models[0].config.schedule == (Departure(5, "ceo"),)
    assert "Scheduled events" in str(rc.find(v.Html, class_="orgchange-changes").widget)
    rc.find(v.TextField, label="Week").widget.v_model = "8"
    rc.find(v.Btn, children=["Run to week 8"]).widget.click()
    settle(player)
    marks = str(rc.find(v.Html, class_="orgchange-marks").widget)
    assert "week 5: the CEO left" in marks, marks


def test_the_monitors_show_trust_cynicism_leader_hours_and_projects(page):
    rc, player = page
    settle(player)
    text = " ".join(str(el.widget.children) for el in rc.find(v.Html, class_="orgchange-monitor"))
    for name in ("Trust", "Cynicism", "Leader-hours", "Projects"):
        assert name in text


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


def test_the_command_takes_the_common_seed_and_the_page_opens_on_it(monkeypatch, capsys):
    """``orgchange dashboard --seed S``: the one --seed of every simulating
    command (default 0), handed to the page through the server."""
    from simulation.dashboard import server
    from simulation.dashboard.classroom import opening_settings

    served = []
    monkeypatch.setattr(server, "serve", lambda port, seed=None: served.append(seed))
    monkeypatch.setattr(server, "port_is_free", lambda port: True)
    assert main(["dashboard", "--seed", "7"]) == 0 and main(["dashboard"]) == 0
    assert served == [7, PARAMETERS["seed"].default]
    assert main(["dashboard", "--seed", "-1"]) == 2
    assert "--seed: must be an integer >= 0" in capsys.readouterr().err
    monkeypatch.delenv(server.SEED_VARIABLE, raising=False)
    assert opening_settings() == Settings()
    monkeypatch.setenv(server.SEED_VARIABLE, "7")
    assert opening_settings() == Settings(seed=7)


def test_the_dashboard_starts_from_the_table_and_its_own_defaults():
    config = Settings().config()
    assert config.seed == PARAMETERS["seed"].default
    assert Config(**DASHBOARD_DEFAULTS).staff == config.staff == 300

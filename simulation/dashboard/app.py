"""The classroom dashboard: the Solara page.

Run it with ``orgchange dashboard`` (or ``solara run simulation.dashboard.app``).

The page, for a projector: a title bar with the Info button; on the left a
column of controls (the strategy, the run's buttons and speed, then the
sliders); beside it the week and the monitors, the hospital, and the main
plots, all drawn to fit the window without scrolling; further down, more
plots and the downloads.

How it stays responsive: a `Player` (simulation.dashboard.player) owns the
models and steps them in a thread of its own. The buttons only leave it a
request; it hands the page a `Snapshot` of a week at most about eight times
a second, and the page draws only from snapshots, never from a model that
may be stepping. A change of setting is checked at once (a setting that
cannot run is refused with a message and changes nothing), then applied by
the player, with a busy bar on the page meanwhile; every change starts the
run again at week 0, so that a run is always one strategy from start to
finish.

The models are Mesa models (`Classroom` is a `mesa.Model` holding one
`OrgChangeModel` per strategy); the page does not use Mesa's `SolaraViz`
controls, whose play loop draws from the thread that steps and whose
"render interval" and "use threads" are jargon a class should not need.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import cast

import reacton.ipyvuetify as rv
import solara

from simulation.config import ConfigError
from simulation.dashboard.classroom import Settings, opening_settings
from simulation.dashboard.controls import EVENTS, SECTIONS, describe, title_of
from simulation.dashboard.frames import Frames
from simulation.dashboard.info import info_html
from simulation.dashboard.network import NetworkView
from simulation.dashboard.player import DEFAULT_SPEED, SPEEDS, YEAR, Player, Status
from simulation.dashboard.plots import MoreView, TimeseriesView
from simulation.dashboard.screen import DPI, HEADLINE, MONITOR_ROW, TITLE_BAR, Screen, controls_width
from simulation.dashboard.snapshot import Snapshot, person_state
from simulation.dashboard.widgets import (
    SMALL_TEXT,
    Paragraph,
    ParameterControl,
    Picture,
    StrategyPicker,
    ValueSlider,
    Viewport,
    data_url,
    hint,
)
from simulation.organization import ChartError
from simulation.plotting import ROLE_LABELS, png_bytes

TITLE = "orgchange: how leadership spreads commitment to quality"
EXPORT_SCALE = 1.5
"""Downloads are drawn at this many times the screen's pixels, for print."""
DOWNLOAD_SIZE = {"network": (1400, 620), "plots": (1500, 420)}
"""Download figure sizes, in pixels at `screen.DPI` before `EXPORT_SCALE`."""

PAGE_CSS = f"""
html, body {{ overflow: hidden; }}
.v-application--wrap {{ min-height: 0 !important; }}
.orgchange-titlebar {{ height: {TITLE_BAR}px; display: flex; align-items: center; gap: 16px; padding: 0 16px;
  background: #2b2b2b; color: #ffffff; font-size: 20px; }}
.orgchange-body {{ display: flex; height: calc(100vh - {TITLE_BAR}px); }}
.orgchange-controls {{ overflow-y: auto; padding: 8px 12px 40px 12px; border-right: 1px solid #dddddd;
  flex: none; font-size: {SMALL_TEXT}; }}
.orgchange-main {{ flex: 1; overflow-y: auto; overflow-x: hidden; padding: 4px 12px; }}
.orgchange-main .orgchange-figure {{ margin: 0 0 4px 0; }}
.orgchange-controls .v-label, .orgchange-controls .v-select__selection, .orgchange-controls input,
.orgchange-controls .v-chip__content, .orgchange-controls .v-messages, .orgchange-main .v-btn__content,
.orgchange-controls .v-btn__content, .v-list-item__title, .v-expansion-panel-header,
.v-alert__content {{ font-size: {SMALL_TEXT} !important; }}
.orgchange-section {{ font-weight: 600; font-size: 16px; margin: 14px 0 6px 0; }}
.orgchange-changed .orgchange-slider-label {{ font-weight: 600; color: #8a3b00; }}
.orgchange-summary {{ display: flex; flex-wrap: wrap; gap: 0 16px; font-size: 15px; align-items: baseline;
  height: {MONITOR_ROW}px; overflow: hidden; line-height: 1.6; }}
.orgchange-monitor b {{ font-size: 16px; }}
.orgchange-info {{ font-size: 16px; line-height: 1.45; }}
.orgchange-info h3 {{ margin: 14px 0 6px 0; }}
"""


# --- the controls column -------------------------------------------------------------------------
@solara.component
def StrategyCard(settings: Settings, apply: Callable[[Settings], None], busy: bool):
    """The strategy, side by side with a second one or not, the seed, and
    every setting changed by hand, with the way back to the preset."""
    StrategyPicker("Strategy", settings.preset, lambda name: apply(settings.with_preset(name)), disabled=busy)
    solara.Switch(label="Side by side: compare with a second strategy", value=settings.side_by_side,
                  on_value=lambda on: apply(replace(settings, side_by_side=on)))
    if settings.side_by_side:
        StrategyPicker("Second strategy (dashed lines)", settings.other,
                       lambda name: apply(replace(settings, other=name)), disabled=busy)
    solara.InputInt("Seed: the same seed gives the same hospital and people", value=settings.seed,
                    on_value=lambda seed: apply(replace(settings, seed=seed)))
    changed = settings.changed()
    if changed:
        with rv.Html(tag="div", class_="orgchange-changes",
                     style_="border-left: 4px solid #8a3b00; padding: 4px 8px; margin: 8px 0"):
            lines = [f"{title_of(name)}: {describe(settings.value_of(name))} "
                     f"(preset: {describe(settings.preset_value(name))})" for name in changed]
            Paragraph("Changed by hand:", "; ".join(lines) + ".")
            solara.Button("Back to the preset", color="primary", small=True, outlined=True,
                          on_click=lambda: apply(settings.back_to_the_preset()))
    rv.Html(tag="div", children=["Changing any setting starts the run again at week 0."],
            style_=f"font-size: {SMALL_TEXT}; color: #555555; margin-top: 4px")


@solara.component
def RunControls(player: Player, status: Status, week: int, speed: str, set_speed: Callable[[str], None],
                reset: Callable[[], None]):
    """Play and pause, one week, one year, to week N, start again; the speed."""
    target = solara.use_reactive(week + YEAR)
    disabled = status.busy
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}, classes=["orgchange-run"]):
        if status.moving:
            solara.Button("❚❚ Pause", color="primary", on_click=player.pause)
        else:
            solara.Button("▶ Play", color="primary", on_click=player.play, disabled=disabled)
        solara.Button("Step one week", on_click=lambda: player.step(1), disabled=disabled or status.moving)
        solara.Button("Run one year", on_click=player.run_one_year, disabled=disabled or status.moving)
        solara.Button("Start again", on_click=reset, disabled=disabled)
    with solara.Row(gap="6px", style={"align-items": "center"}):
        rv.TextField(label="Week", type="number", v_model=target.value, dense=True, hide_details=True,
                     on_v_model=lambda text: target.set(int(float(text))) if str(text).strip() else None,
                     style_="max-width: 90px", class_="orgchange-target")
        solara.Button(f"Run to week {target.value}", on_click=lambda: player.run_to(target.value),
                      disabled=disabled or status.moving or target.value <= week)
    rv.Select(label="Speed", items=list(SPEEDS), v_model=speed, on_v_model=set_speed, dense=True,
              hide_details=True, class_="orgchange-speed mt-3")


@solara.component
def ParameterSection(title: str, settings: Settings, apply: Callable[[Settings], None]):
    """One section of `controls.SECTIONS`: its sliders, each showing its
    value and marked when changed by hand."""
    rv.Html(tag="div", children=[title], class_="orgchange-section")
    if title == "Strategy levers" and settings.side_by_side:
        rv.Html(tag="div", children=["These change the first strategy only."],
                style_=f"font-size: {SMALL_TEXT}; font-style: italic; margin-bottom: 8px")
    for spec in SECTIONS[title]:
        ParameterControl(spec, settings.value_of(spec.name),
                         lambda value, name=spec.name: apply(settings.with_value(name, value)),
                         settings.preset_value(spec.name))


@solara.component
def EventSection(settings: Settings, apply: Callable[[Settings], None]):
    """Scheduled events for the first strategy: the week the CEO leaves, the week of a sentinel event."""
    rv.Html(tag="div", children=["Events"], class_="orgchange-section")
    if settings.side_by_side:
        rv.Html(tag="div", children=["These happen to the first strategy only."],
                style_=f"font-size: {SMALL_TEXT}; font-style: italic; margin-bottom: 8px")
    for spec in EVENTS:
        events = list(settings.value_of(spec.name))
        week = spec.week(events)
        preset = spec.week(list(settings.preset_value(spec.name)))
        ValueSlider(spec.label, week, f"week {week}" if week else "never", 0, settings.config(0).weeks, 1,
                    lambda new, spec=spec, events=events: apply(
                        settings.with_value(spec.name, spec.with_week(events, int(new)))),
                    "" if week == preset else f"preset: {'week ' + str(preset) if preset else 'never'}")
        hint(spec.doc)


# --- the main view -------------------------------------------------------------------------------
MONITORS = [
    ("commitment_frontline", "Front-line commitment", "{:.2f}"),
    ("practice_frontline", "Practising QI", "{:.0%}"),
    ("quality", "Quality", "{:.2f}"),
    ("trust", "Trust", "{:.2f}"),
    ("cynicism", "Cynicism", "{:.2f}"),
    ("projects_active", "Projects", "{:d}"),
]
"""The monitors, for each strategy: (metric, name, format); leader-hours follow them."""


def monitors(side) -> list[tuple[str, str]]:
    """Each monitor's name and value this week, as the page writes them."""
    latest = side.latest
    shown = [(name, form.format(int(latest[m]) if form == "{:d}" else float(latest[m]))) for m, name, form in MONITORS]
    hours = side.series["leader_hours"]
    shown.append(("Leader-hours", f"{hours[-1]:.0f} a week, {hours.sum():,.0f} in all"))
    return shown


@solara.component
def Monitors(snapshot: Snapshot):
    """One row of monitors per strategy."""
    for side in snapshot.sides:
        with rv.Html(tag="div", class_="orgchange-summary"):
            rv.Html(tag="b", children=[f"{side.label}:"], style_="font-size: 16px")
            for name, value in monitors(side):
                with rv.Html(tag="span", class_="orgchange-monitor"):
                    rv.Html(tag="span", children=[f"{name} "])
                    rv.Html(tag="b", children=[value])


def describe_person(snapshot: Snapshot, side: int, person: int) -> str:
    """One line on the person chosen in the picture."""
    p = person_state(snapshot, side, person)
    where = f", unit {p['unit'] + 1}" if p["unit"] >= 0 else ""
    label = f" ({snapshot.labels[side]})" if len(snapshot.sides) > 1 else ""
    return (f"{ROLE_LABELS[p['role']]} {p['id']}{where}{label}: commitment {p['commitment']:.2f}, "
            f"{'practises QI' if p['practises'] else 'does not practise QI'}, trust {p['trust']:.2f}, "
            f"cynicism {p['cynicism']:.2f}, clarity of direction {p['alignment']:.2f}, "
            f"{p['tenure'] / 52:.1f} years in post.")


@solara.component
def Figure(view_frames: Frames, snapshot: Snapshot, key: tuple, class_: str,
           on_pick: Callable[[float, float], None] | None = None):
    """A figure's frame for ``snapshot``, redrawn when ``key`` changes."""
    png = solara.use_memo(lambda: view_frames.png(snapshot), [view_frames, *key])
    width, height = (int(x) for x in view_frames.view.figure.bbox.size)
    Picture.element(src=data_url(png), width=width, height=height, css_class=class_, clickable=on_pick is not None,
                    on_picked=(lambda xy: on_pick(xy[0], xy[1])) if on_pick else None)


@solara.component
def MainView(snapshot: Snapshot, screen: Screen, status: Status):
    """The week, the monitors, the hospital and the plots; more below."""
    ties = solara.use_reactive(False)
    more = solara.use_reactive(False)
    chosen: solara.Reactive[tuple | None] = solara.use_reactive(None)  # (side, person, the organizations)
    structure = (snapshot.organizations, tuple(snapshot.labels))
    network = solara.use_memo(
        lambda: Frames(NetworkView(snapshot, screen.network, week_in_title=False, ties=ties.value)),
        [*structure, screen.network, ties.value])
    plots = solara.use_memo(lambda: Frames(TimeseriesView(snapshot, screen.plots, week_in_title=False)),
                            [*structure, screen.plots, snapshot.weeks])
    if chosen.value is not None and chosen.value[2] is not snapshot.organizations:
        chosen.set(None)  # a new hospital: the person chosen is not in it
    network.view.select(*(chosen.value[:2] if chosen.value else (None, None)))

    def pick(x: float, y: float) -> None:
        found = network.view.person_at(x, y)
        chosen.set(None if found is None else (*found, snapshot.organizations))

    with rv.Html(tag="div", style_=f"display: flex; align-items: center; gap: 18px; height: {HEADLINE}px"):
        rv.Html(tag="h2", children=[f"Week {snapshot.week} ({snapshot.week / 52:.1f} years)"],
                class_="orgchange-week", style_="font-weight: 500; margin: 0; font-size: 26px; white-space: nowrap")
        if status.busy:
            rv.ProgressCircular(indeterminate=True, color="primary", size=24, class_="orgchange-busy")
            rv.Html(tag="span", children=["Applying the new settings..."], style_="font-size: 16px")
        with rv.Html(tag="div", class_="orgchange-person", style_="font-size: 15px; line-height: 1.25"):
            if chosen.value is not None:
                rv.Html(tag="span", children=[describe_person(snapshot, *chosen.value[:2])])
            else:
                rv.Html(tag="span", children=["Click a person in the picture to see their state."],
                        style_="color: #555555")
    Monitors(snapshot)
    Figure(network, snapshot, (snapshot.serial, chosen.value), "orgchange-network orgchange-figure", pick)
    Figure(plots, snapshot, (snapshot.serial,), "orgchange-plots orgchange-figure")
    with solara.Row(gap="18px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Switch(label="Show informal ties across units", value=ties)
        solara.Switch(label="More plots: projects and leader-hours", value=more)
    marks = [m for side in snapshot.sides for m in side.marks if m.week <= snapshot.week]
    if marks:
        text = "; ".join(f"week {m.week}: {m.what}" + (f" ({side.label})" if len(snapshot.sides) > 1 else "")
                         for side in snapshot.sides for m in side.marks if m.week <= snapshot.week)
        Paragraph("Marked on the plots:", text + ".", size="15px", class_="orgchange-marks")
    if more.value:
        MorePlots(snapshot, screen)
    Downloads(snapshot)


@solara.component
def MorePlots(snapshot: Snapshot, screen: Screen):
    """Projects and leader-hours, under the main plots (drawn only while shown)."""
    extra = solara.use_memo(lambda: Frames(MoreView(snapshot, screen.plots, week_in_title=False)),
                            [snapshot.organizations, tuple(snapshot.labels), screen.plots])
    Figure(extra, snapshot, (snapshot.serial,), "orgchange-more orgchange-figure")


def csv_text(snapshot: Snapshot, caption: str) -> str:
    """The time series of every strategy, one row per strategy and week,
    after comment lines (``#``) that record the run's settings: read it with
    ``pandas.read_csv(path, comment="#")``."""
    import pandas as pd

    frames = []
    for preset, side in zip(snapshot.presets, snapshot.sides):
        df = pd.DataFrame(side.series)
        df.insert(0, "strategy", side.label)
        df.insert(0, "preset", preset)
        frames.append(df)
    record = snapshot.record
    header = [f"# orgchange dashboard, week {snapshot.week}: {caption}",
              f"# strategy = {record['strategy']}", f"# second_strategy = {record['second_strategy'] or ''}",
              f"# seed = {record['seed']}", f"# staff = {record['staff']}"]
    header += [f"# changed: {name} = {describe(v['value'])} (preset: {describe(v['preset'])})"
               for name, v in record["changed"].items()]
    buffer = io.StringIO()
    pd.concat(frames, ignore_index=True).to_csv(buffer, index=False)
    return "\n".join(header) + "\n" + buffer.getvalue()


def download_png(snapshot: Snapshot, which: str, caption: str) -> bytes:
    """The hospital or the main plots at ``snapshot``'s week, for print,
    with the settings in the caption line."""
    view = NetworkView if which == "network" else TimeseriesView
    fig = view(snapshot, DOWNLOAD_SIZE[which], caption=caption).figure
    return png_bytes(fig, int(DPI * EXPORT_SCALE))


@solara.component
def Downloads(snapshot: Snapshot):
    """The figures as PNG and the time series as CSV, as they stand at this
    week; each records the strategies, the seed, the size and every change."""
    settings_caption = snapshot.record.get("caption", "")
    stem = "orgchange-" + "-vs-".join(snapshot.presets) + f"-seed{snapshot.record['seed']}-week{snapshot.week}"
    with solara.Row(classes=["orgchange-downloads"], style={"margin": "6px 0 30px 0"}):
        solara.FileDownload(lambda: download_png(snapshot, "network", settings_caption),
                            filename=f"{stem}-network.png", label="Hospital picture (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: download_png(snapshot, "plots", settings_caption),
                            filename=f"{stem}-plots.png", label="Plots (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: csv_text(snapshot, settings_caption), filename=f"{stem}.csv",
                            label="Time series (CSV)", mime_type="text/csv")


@solara.component
def InfoPanel(open_: solara.Reactive[bool]):
    """The Info panel, over the page (see `simulation.dashboard.info`)."""
    with rv.Dialog(v_model=open_.value, on_v_model=open_.set, max_width=900, scrollable=True):
        with rv.Card():
            rv.CardTitle(children=["Info: the model in brief"])
            with rv.CardText():
                solara.HTML(tag="div", unsafe_innerHTML=info_html(), classes=["orgchange-info"])
            with rv.CardActions():
                solara.Button("Close", color="primary", text=True, on_click=lambda: open_.set(False))


# --- the page ------------------------------------------------------------------------------------
@solara.component
def Page():
    """The whole dashboard (Solara serves the component named ``Page``)."""
    settings = solara.use_reactive(opening_settings())
    snapshot, set_snapshot = solara.use_state(cast("Snapshot | None", None))
    status, set_status = solara.use_state(Status())
    size, set_size = solara.use_state((1280, 720))
    refused: solara.Reactive[str | None] = solara.use_reactive(None)
    speed = solara.use_reactive(DEFAULT_SPEED)
    info = solara.use_reactive(False)
    player = solara.use_memo(lambda: Player(on_frame=set_snapshot, on_status=set_status), [])

    def start():
        player.load(settings.value)
        return player.close  # the page is gone: stop its thread

    solara.use_effect(start, [])

    def apply(new: Settings) -> None:
        """Check ``new`` at once, then have the player rebuild from it; a
        setting that cannot run is refused, and nothing changes."""
        try:
            for side in range(len(new.presets)):
                new.config(side)
        except (ConfigError, ChartError) as err:
            refused.set(str(err))
            return
        refused.set(None)
        settings.set(new)
        player.load(new)

    def set_speed(label: str) -> None:
        speed.set(label)
        player.speed = SPEEDS[label]

    screen = Screen(*size, sides=len(settings.value.presets))
    problem = refused.value or status.problem
    solara.Style(PAGE_CSS)
    Viewport.element(on_size=lambda wh: set_size((int(wh[0]), int(wh[1]))) if len(wh) == 2 else None)
    InfoPanel(info)
    with rv.Html(tag="div", class_="orgchange-titlebar"):
        rv.Html(tag="span", children=[TITLE], style_="flex: 1")
        solara.Button("Info", icon_name="mdi-information-outline", color="white", outlined=True,
                      on_click=lambda: info.set(True), classes=["orgchange-info-button"])
    with rv.Html(tag="div", class_="orgchange-body"):
        with rv.Html(tag="div", class_="orgchange-controls", style_=f"width: {controls_width(size[0])}px"):
            RunControls(player, status, snapshot.week if snapshot else 0, speed.value, set_speed,
                        lambda: player.load(settings.value))
            rv.Html(tag="div", children=["Strategy"], class_="orgchange-section")
            StrategyCard(settings.value, apply, status.busy)
            if problem:
                solara.Error(problem, dense=True)
            for title in SECTIONS:
                ParameterSection(title, settings.value, apply)
                if title == "Strategy levers":
                    EventSection(settings.value, apply)
        with rv.Html(tag="div", class_="orgchange-main"):
            if snapshot is None:
                rv.ProgressLinear(indeterminate=True, color="primary", class_="orgchange-busy-bar")
                rv.Html(tag="p", children=["Building the hospital..."], style_="font-size: 16px")
            else:
                MainView(snapshot, screen, status)

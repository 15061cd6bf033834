"""The classroom dashboard: a Mesa `SolaraViz` page, with our own components
where Mesa has none.

Run it with ``orgchange dashboard`` (or ``solara run simulation.dashboard.app``).

What comes from Mesa's `SolaraViz`: the page frame, the Reset, Play and Step
buttons, the play speed, and its step counter. What is ours:

* the strategy card: a preset picker that shows the strategy's description,
  the side-by-side switch with the second strategy, and the seed;
* the parameter cards: sliders derived from the parameter table
  (`simulation.dashboard.controls`);
* the main view: the week, the network (`simulation.dashboard.network`), the
  time series (`simulation.dashboard.plots`), both redrawn quickly each week
  (`simulation.dashboard.frames`), and the downloads.

The page keeps one `Settings` value in a reactive variable. A change to any
control makes new settings and rebuilds the `Classroom` model from them at
week 0, so that a run is always one strategy from start to finish. Mesa's
Reset rebuilds from the same variable (see `Classroom`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import reacton.ipyvuetify as rv
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from simulation.config import ConfigError
from simulation.dashboard.classroom import Classroom, Settings
from simulation.dashboard.controls import SECTIONS, Paragraph, ParameterControl, StrategyPicker, describe
from simulation.dashboard.frames import Frames
from simulation.dashboard.network import NetworkView, network_figure
from simulation.dashboard.plots import TimeseriesView, timeseries_figure
from simulation.organization import ChartError
from simulation.plotting import png_bytes

TITLE = "orgchange: how leadership spreads commitment to quality"
SCREEN_DPI = 90
"""Resolution of the figures on the page (dots per inch); the PNG downloads use `EXPORT_DPI`."""
EXPORT_DPI = 150
PLAY_INTERVAL = 100
"""Pause between weeks while playing, in milliseconds (Mesa's play interval slider changes it)."""


# --- the sidebar ---------------------------------------------------------------------------------
@solara.component
def StrategyCard(settings: Settings, apply: Callable[[Settings], None], problem: str | None):
    """The strategy, side by side with a second one or not, and the seed."""
    with solara.Card("Strategy", margin=0, classes=["my-2"]):
        StrategyPicker("Strategy", settings.preset, lambda name: apply(settings.with_preset(name)))
        changed = settings.changed_levers()
        if changed:
            text = "; ".join(f"{name.replace('_', ' ')} {describe(settings.value_of(name))} "
                             f"(preset: {describe(settings.preset_value(name))})" for name in changed)
            Paragraph("Changed by hand:", f"{text}.")
            solara.Button("Back to the preset", text=True, color="primary", small=True,
                          on_click=lambda: apply(settings.with_preset(settings.preset)))
        solara.Switch(label="Side by side: compare with a second strategy", value=settings.side_by_side,
                      on_value=lambda on: apply(replace(settings, side_by_side=on)))
        if settings.side_by_side:
            StrategyPicker("Second strategy (dashed lines)", settings.other,
                           lambda name: apply(replace(settings, other=name)))
        solara.InputInt("Seed: the same seed gives the same hospital and people", value=settings.seed,
                        on_value=lambda seed: apply(replace(settings, seed=seed)))
        solara.Text("Changing any setting starts the run again at week 0.",
                    style={"font-size": "0.75em", "color": "#666"})
        if problem:
            solara.Error(problem, dense=True)


@solara.component
def ParameterCard(title: str, settings: Settings, apply: Callable[[Settings], None], expand: bool = False):
    """One section of `controls.SECTIONS`, folded away unless ``expand``."""
    note = {"Strategy levers": "These change the first strategy only."}.get(title) if settings.side_by_side else None
    children = [ParameterControl(spec, settings.value_of(spec.name),
                                 lambda value, name=spec.name: apply(settings.with_value(name, value)))
                for spec in SECTIONS[title]]
    if note:
        children.insert(0, solara.Text(note, style={"font-size": "0.8em", "font-style": "italic",
                                                    "margin-bottom": "10px"}))
    solara.Details(summary=title, children=[solara.Column(children=children, gap="4px")], expand=expand)


# --- the main view -------------------------------------------------------------------------------
def front_line(model) -> str:
    """Where a model's front line and outcomes stand this week, in words
    (from the last row its Mesa DataCollector recorded)."""
    m = {name: values[-1] for name, values in model.datacollector.model_vars.items()}
    return (f"front-line commitment {m['commitment_frontline']:.2f}, front line practising QI "
            f"{m['practice_frontline']:.0%}, quality {m['quality']:.2f}, projects under way {m['projects_active']}.")


@solara.component
def Headline(classroom: Classroom, week: int):
    """The week, and each strategy's front line. (``week`` is passed for
    Solara's sake: a component redraws when its arguments change, and the
    classroom object stays the same one from week to week.)"""
    rv.Html(tag="h2", children=[f"Week {week} ({week / 52:.1f} years)"],
            class_="orgchange-week", style_="font-weight: 500; margin-bottom: 6px")
    for label, model in zip(classroom.labels, classroom.models):
        Paragraph(f"{label}:", front_line(model), size="0.95em", class_="orgchange-summary")


@solara.component
def Downloads(classroom: Classroom, week: int):
    """The figures as PNG and the time series as CSV, as they stand at ``week``."""
    stem = "orgchange-" + "-vs-".join(classroom.settings.presets) + f"-week{week}"
    with solara.Row(classes=["orgchange-downloads"]):
        solara.FileDownload(lambda: png_bytes(network_figure(classroom), EXPORT_DPI), filename=f"{stem}-network.png",
                            label="Network (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: png_bytes(timeseries_figure(classroom), EXPORT_DPI), filename=f"{stem}-plots.png",
                            label="Plots (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: classroom.timeseries().to_csv(index=False), filename=f"{stem}.csv",
                            label="Time series (CSV)", mime_type="text/csv")


@solara.component
def MainView(classroom: Classroom):
    """The week, the network, the plots and the downloads; redrawn after every step."""
    update_counter.get()  # Mesa's signal that the model has stepped: subscribe, so that this redraws
    week = classroom.week
    # One set of figures per classroom, redrawn quickly each week (see `frames`);
    # the week is in the headline, so that the figures' titles stay still.
    network = solara.use_memo(lambda: Frames(NetworkView(classroom, week_in_title=False), SCREEN_DPI), [classroom])
    plots = solara.use_memo(lambda: Frames(TimeseriesView(classroom, week_in_title=False), SCREEN_DPI), [classroom])
    network_png = solara.use_memo(lambda: network.png(classroom), [network, week])
    plots_png = solara.use_memo(lambda: plots.png(classroom), [plots, week])
    with solara.Column(style={"max-width": "1100px"}):
        Headline(classroom, week)
        solara.Image(network_png, width="100%", classes=["orgchange-network"])
        solara.Image(plots_png, width="100%", classes=["orgchange-plots"])
        Downloads(classroom, week)


# --- the page ------------------------------------------------------------------------------------
@solara.component
def Page():
    """The whole dashboard (Solara serves the component named ``Page``)."""
    settings = solara.use_reactive(Settings())
    first = solara.use_memo(lambda: Classroom(settings.value), [])
    model = solara.use_reactive(first)
    problem = solara.use_reactive(None)

    def apply(new: Settings) -> None:
        """Rebuild the model from ``new``; keep the old one if it cannot run."""
        try:
            built = Classroom(new)
        except (ConfigError, ChartError) as err:
            problem.set(str(err))
            return
        problem.set(None)
        settings.set(new)
        model.set(built)

    # Mesa's "Model Parameters" card stays empty (the settings have cards of
    # their own): hide any card with nothing in it, rather than puzzle a class.
    solara.Style(".v-card:has(> .v-card__text > div:only-child:empty) { display: none; }")
    with solara.Sidebar():
        StrategyCard(settings.value, apply, problem.value)
    # Mesa's frame, step/play/reset buttons and step counter. Our components draw
    # the main view themselves (components=[]): Mesa's grid would give each half
    # the page's width.
    SolaraViz(model, components=[], model_params={"settings": settings}, name=TITLE, play_interval=PLAY_INTERVAL)
    ParameterSidebar(settings.value, apply)
    MainView(model.value)


@solara.component
def ParameterSidebar(settings: Settings, apply: Callable[[Settings], None]):
    """The parameter cards, placed below Mesa's controls in the sidebar.

    Solara orders the sidebar by how deeply each piece is nested in the page:
    the strategy card is the page's own, Mesa's controls are one component
    down (in SolaraViz), and the parameter cards two (here, then `_Cards`).
    """
    _Cards(settings, apply)


@solara.component
def _Cards(settings: Settings, apply: Callable[[Settings], None]):
    with solara.Sidebar():
        for k, title in enumerate(SECTIONS):
            ParameterCard(title, settings, apply, expand=k == 0)

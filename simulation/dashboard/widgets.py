"""The page's building blocks: Solara components, and two small browser widgets.

* `Viewport` tells the page the browser window's size, so that the figures
  are drawn at the size they are shown (`simulation.dashboard.screen`).
* `Picture` shows a figure as an image and reports where it is clicked (to
  tell who the person under the pointer is).
* `Paragraph`, `StrategyPicker`, `ValueSlider` and `ParameterControl` are the
  sidebar's pieces: every slider shows its value with its unit, and marks
  itself when it differs from the preset.

None of them loads anything from the internet: the page must work offline.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import ipyvuetify as v
import reacton.ipyvuetify as rv
import solara
import traitlets

from simulation.dashboard.controls import GROUP_LABELS, Control, describe, preset_items, strategy

SMALL_TEXT = "14px"
"""The smallest text on the page (see `simulation.dashboard.screen.MIN_TEXT_PX`)."""
HINT_COLOUR = "#555555"


class Viewport(v.VuetifyTemplate):
    """An invisible widget whose ``size`` is the browser window's
    ``[width, height]`` in CSS pixels, kept up to date as it is resized."""

    size: traitlets.List[int] = traitlets.List([]).tag(sync=True)
    template = traitlets.Unicode("""
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.measure = () => { this.size = [window.innerWidth, window.innerHeight]; };
    this.measure();
    window.addEventListener("resize", this.measure);
  },
  destroyed() { window.removeEventListener("resize", this.measure); },
};
</script>
""").tag(sync=True)


class Picture(v.VuetifyTemplate):
    """An image at its own size (never scaled by the browser). ``picked`` is
    ``[x, y, n]``: where it was last clicked, in pixels from its top left,
    and a count that makes two clicks on one spot two changes."""

    src = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    clickable = traitlets.Bool(False).tag(sync=True)
    picked: traitlets.List[float] = traitlets.List([]).tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <img :src="src" :class="css_class" :width="width" :height="height" alt=""
       :style="{display: 'block', cursor: clickable ? 'pointer' : 'default'}"
       @click="clickable && (picked = [$event.offsetX, $event.offsetY, (picked[2] || 0) + 1])" />
</template>
""").tag(sync=True)


def data_url(png: bytes) -> str:
    """PNG bytes as a data URL for `Picture` (the page holds the bytes itself)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@solara.component
def Paragraph(lead: str, text: str, size: str = SMALL_TEXT, class_: str = ""):
    """A paragraph with a bold lead-in. (Not `solara.Markdown`: it fetches
    KaTeX, for mathematics, from a CDN, and the page must work offline.)"""
    with rv.Html(tag="p", style_=f"font-size: {size}; margin-bottom: 8px; line-height: 1.35", class_=class_):
        rv.Html(tag="b", children=[lead])
        rv.Html(tag="span", children=[" " + text])


@solara.component
def StrategyPicker(label: str, value: str, on_value: Callable[[str], None], disabled: bool = False):
    """A preset picker, with the chosen strategy's description under it."""
    rv.Select(label=label, items=preset_items(), v_model=value, on_v_model=on_value, dense=True,
              hide_details=True, class_="orgchange-preset", disabled=disabled)
    chosen = strategy(value)
    Paragraph(f"{chosen.name}.", chosen.description, class_="orgchange-description")


def hint(text: str) -> None:
    """A parameter's meaning, in small grey text under its control."""
    rv.Html(tag="div", children=[text], class_="orgchange-hint",
            style_=f"font-size: {SMALL_TEXT}; color: {HINT_COLOUR}; margin: -2px 0 10px 0; line-height: 1.25")


@solara.component
def ValueSlider(label: str, value: float, shown: str, low: float, high: float, step: float,
                on_value: Callable[[float], None], changed: str = "", class_: str = "orgchange-slider"):
    """A slider that always shows its value (``shown``, with its unit) beside
    its label; ``changed`` is what the preset would give, written when the
    value differs from it ("preset: 0.8")."""
    with rv.Html(tag="div", class_=class_ + (" orgchange-changed" if changed else "")):
        with rv.Html(tag="div", style_="display: flex; justify-content: space-between; align-items: baseline; "
                                       f"font-size: {SMALL_TEXT}; gap: 6px"):
            rv.Html(tag="span", children=[label], class_="orgchange-slider-label")
            rv.Html(tag="b", children=[shown], class_="orgchange-value", style_="white-space: nowrap")
        rv.Slider(v_model=value, min=low, max=high, step=step, on_v_model=on_value, dense=True, hide_details=True,
                  class_="mt-0 pt-0")
        if changed:
            rv.Html(tag="div", children=[f"changed by hand ({changed})"], class_="orgchange-changed-note",
                    style_=f"font-size: {SMALL_TEXT}; color: #8a3b00; font-style: italic")


@solara.component
def ParameterControl(spec: Control, value: Any, on_value: Callable[[Any], None], preset_value: Any = None):
    """The input for one parameter, its meaning from the table underneath;
    marked "changed by hand" when ``value`` is not ``preset_value``."""
    changed = "" if value == preset_value else f"preset: {describe(preset_value, spec.unit)}"
    if spec.kind in ("float", "int"):
        cast = float if spec.kind == "float" else int
        step = spec.step
        assert step is not None  # `controls.control` gives every number a step

        def snapped(new: float) -> Any:
            # A float slider's value, on its steps (no 0.30000000000000004).
            return cast(round(round(new / step) * step, 9)) if spec.kind == "float" else cast(new)

        ValueSlider(spec.label, value, describe(cast(value), spec.unit), spec.low, spec.high, spec.step,
                    lambda new: on_value(snapped(new)), changed)
    elif spec.kind == "bool":
        solara.Switch(label=spec.label + (" (changed by hand)" if changed else ""), value=value, on_value=on_value)
    elif spec.kind == "groups":
        rv.Select(label=spec.label + (" (changed by hand)" if changed else ""),
                  items=[{"text": GROUP_LABELS[c], "value": c} for c in spec.choices],
                  v_model=value, on_v_model=lambda chosen: on_value(sorted(chosen, key=spec.choices.index)),
                  multiple=True, chips=True, small_chips=True, dense=True, hide_details=True)
    else:
        raise ValueError(f"{spec.name}: no control for parameters of kind {spec.kind!r}")
    hint(spec.doc)

"""The classroom dashboard: ``orgchange dashboard`` serves it on 127.0.0.1.

An instructor picks a strategy, presses Play and watches commitment to
quality spread through the hospital, or runs two strategies side by side on
the same hospital. See docs/dashboard.md for the instructor's guide.

The modules, each with one job:

* `classroom`: the settings and the Mesa model the page drives (no Solara);
* `network`: the layered org-chart layout (cached) and its figure;
* `plots`: the time-series figure;
* `frames`: fast redrawing of those figures while the simulation plays;
* `controls`: the controls, derived from the parameter table;
* `app`: the Solara page, built on Mesa's `SolaraViz`;
* `server`: starts Solara's web server.

The dashboard needs the optional extra ``orgchange[dashboard]`` (Mesa's
visualization, Solara and the browser assets that let it work offline).
This module imports none of it, so that the command line can say what is
missing before trying.
"""

from __future__ import annotations

import importlib.util

REQUIRED = {"solara": "solara", "solara_assets": "solara-assets", "ipyvuetify": "ipyvuetify", "altair": "mesa[viz]"}
"""Modules the dashboard imports, and the package that provides each."""
INSTALL_HINT = 'pip install "orgchange[dashboard]"'


def missing_packages() -> list[str]:
    """The packages of the ``dashboard`` extra that are not installed."""
    return sorted({package for module, package in REQUIRED.items() if importlib.util.find_spec(module) is None})

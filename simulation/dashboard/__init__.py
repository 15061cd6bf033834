"""The classroom dashboard: ``orgchange dashboard`` serves it on 127.0.0.1.

An instructor picks a strategy, presses Play and watches commitment to
quality spread through the hospital, or runs two strategies side by side on
the same hospital. See docs/dashboard.md for the instructor's guide.

The modules, each with one job:

* `classroom`: the settings and the Mesa model the page drives (no Solara);
* `snapshot`: a consistent copy of one week, the only thing the page draws from;
* `player`: the one thread that steps the models and hands out snapshots;
* `screen`: the page's geometry for the browser window (a projector);
* `network`: the layered org-chart layout (cached) and its figure;
* `plots`: the time-series figures, with departures and events marked;
* `frames`: fast redrawing of those figures while the simulation plays;
* `controls`: the controls, derived from the parameter table;
* `info`: the Info panel's text (from the instructor's guide);
* `widgets`: the page's Solara pieces and two small browser widgets;
* `app`: the Solara page;
* `server`: starts Solara's web server.

The dashboard needs the optional extra ``orgchange[dashboard]`` (Solara,
Mesa's visualization extra and the browser assets that let it work offline).
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

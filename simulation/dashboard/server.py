"""Serve the dashboard with Solara's own server, on this machine only.

`serve` runs what ``solara run simulation.dashboard.app`` would, with the
options a classroom machine needs:

* ``--host 127.0.0.1``: the page is for this computer's browser, not the network;
* ``--production``: the page loads minified scripts, and skips the
  development-mode check that loads an image from solara.dev;
* ``--no-check-version`` and no telemetry: nothing is sent to the internet.
  The browser's scripts, styles and fonts come from the ``solara-assets``
  package through Solara's local asset route, so the page works offline;
* ``--no-open``: it does not try to open a browser (the user opens the
  printed address).
"""

from __future__ import annotations

import os
import socket
import warnings

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "simulation.dashboard.app"
SEED_VARIABLE = "ORGCHANGE_DASHBOARD_SEED"
"""The environment variable through which `serve` gives the page its opening
seed (``orgchange dashboard --seed S``); see `opening_seed`."""
CULL_TIMEOUT = "2m"
"""How long Solara keeps a closed page's session (and a simulation it left
playing) before ending it; Solara's own default is 24 hours. Two minutes is
plenty to survive a reconnect. The environment's SOLARA_KERNEL_CULL_TIMEOUT wins."""


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port that only lingers from the last run (in
        # TIME_WAIT) is free, one that another server listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def opening_seed() -> int | None:
    """The seed the page opens on, as `serve` was given it (None: the
    parameter table's default)."""
    seed = os.environ.get(SEED_VARIABLE, "")
    return int(seed) if seed.strip() else None


def serve(port: int = DEFAULT_PORT, host: str = HOST, seed: int | None = None) -> None:
    """Serve the dashboard at ``http://host:port`` until interrupted (Ctrl-C).
    Every page opens on ``seed`` (default: the parameter table's, 0).

    Uvicorn, under Solara, shuts down cleanly on Ctrl-C; this then raises
    `KeyboardInterrupt`, which the caller may catch.
    """
    # Solara reads these settings from the environment when first imported
    # (and they are set on its settings object too, in case it already was).
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    if seed is not None:
        os.environ[SEED_VARIABLE] = str(seed)
    # No "This website runs on Solara" banner over the plots' corner, and the tab named after the model.
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SOLARA_THEME_TITLE"] = "orgchange dashboard"
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    # Two harmless warnings that would only puzzle a teacher at the terminal:
    # Mesa 3.3's ComponentsView returns early before a hook (the page gives it
    # nothing to show), and a session cookie over plain http on 127.0.0.1.
    warnings.filterwarnings("ignore", message=r"(?s).*ComponentsView: `use_state` found despite early return")
    warnings.filterwarnings("ignore", message=r"(?s)Cookies with samesite=none require https")
    import click
    import solara.server.settings
    from solara.__main__ import run

    from simulation.dashboard.player import Player

    solara.server.settings.telemetry.mixpanel_enable = False
    solara.server.settings.theme.show_banner = False
    solara.server.settings.theme.title = os.environ["SOLARA_THEME_TITLE"]
    solara.server.settings.kernel.cull_timeout = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]
    try:
        run.main(args=[APP, "--host", host, "--port", str(port), "--production", "--no-open", "--no-check-version"],
                 prog_name="orgchange dashboard", standalone_mode=False)
    except click.exceptions.Abort:  # how Solara's command line (click) reports Ctrl-C
        raise KeyboardInterrupt from None
    finally:
        # A page still playing steps in its player's thread: stop them all.
        Player.close_all()

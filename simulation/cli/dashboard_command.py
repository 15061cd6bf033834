"""``orgchange dashboard``: serve the classroom dashboard (docs/dashboard.md)."""

from __future__ import annotations

import sys

from simulation.cli.common import DEFAULT_SEED, add_seed, report_error


def add_commands(sub) -> None:
    from simulation.dashboard.server import DEFAULT_PORT, HOST

    dashboard = sub.add_parser(
        "dashboard", help="serve the interactive classroom dashboard in your web browser",
        description=f"Serve the classroom dashboard at http://{HOST}:PORT (this computer only; it works offline). "
                    "Open that address in a web browser, pick a strategy and press play; Ctrl-C stops the server. "
                    "Needs the optional extra: pip install \"orgchange[dashboard]\". See docs/dashboard.md.")
    dashboard.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="P",
                           help="the port to serve on (default: %(default)s)")
    add_seed(dashboard, f"{DEFAULT_SEED}; the page's Seed box changes it")
    dashboard.set_defaults(handler=_dashboard)


def _dashboard(args) -> int:
    from simulation.dashboard import INSTALL_HINT, missing_packages
    from simulation.errors import ConfigError

    missing = missing_packages()
    if missing:
        return report_error(f"the dashboard needs the optional extra 'dashboard' ({', '.join(missing)} missing): "
                      f"{INSTALL_HINT}")
    from simulation.dashboard.server import HOST, port_is_free, serve

    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port: must be an integer in [1, 65535], got {args.port}")
    if not port_is_free(args.port):
        raise ConfigError(f"--port: port {args.port} is in use (is a dashboard already running?); "
                          f"choose another with --port")
    print(f"orgchange dashboard: open http://{HOST}:{args.port} in a web browser; Ctrl-C stops the server",
          flush=True)
    try:
        serve(args.port, seed=DEFAULT_SEED if args.seed is None else args.seed)
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes the interrupt on
        pass
    print("orgchange dashboard: stopped", file=sys.stderr)
    return 0

"""``orgchange run``, ``orgchange strategies`` and ``orgchange validate``: one
simulation, the preset strategies, and the model against theory."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from simulation.cli.common import parameter_help, writable_folder
from simulation.config import Config, ConfigError
from simulation.parameters import PARAMETERS

SUMMARY_COLUMNS = ["commitment", "commitment_senior", "commitment_middle", "commitment_frontline",
                   "practice_frontline", "quality", "culture", "projects_succeeded", "projects_failed"]


def add_commands(sub) -> None:
    run = sub.add_parser(
        "run", help="run one simulation and write its time series, configuration and figure",
        description="Run one simulation. Writes timeseries.csv (one row per week), config.toml (the "
                    "full resolved configuration, which reproduces the run) and summary.png into --out, "
                    "and prints a summary table. Options given here override the --config file.")
    run.add_argument("--config", metavar="FILE", help="TOML configuration file ([run], [organization], "
                     "[behaviour] and [levers] tables); unset parameters take their defaults")
    run.add_argument("--strategy", metavar="NAME", help="a preset strategy name (see 'orgchange strategies') "
                     "or the path of a strategy TOML file; its levers override the config's")
    run.add_argument("--staff", type=int, metavar="N", help=parameter_help("staff"))
    run.add_argument("--org-chart", metavar="FILE", help=parameter_help("org_chart"))
    run.add_argument("--weeks", type=int, metavar="W", help=parameter_help("weeks"))
    run.add_argument("--seed", type=int, metavar="S", help=parameter_help("seed"))
    run.add_argument("--engine", choices=PARAMETERS["engine"].choices, help=parameter_help("engine"))
    run.add_argument("--out", metavar="DIR", default="orgchange-run",
                     help="output folder, created if missing (default: %(default)s)")
    run.add_argument("--no-figure", action="store_true", help="skip summary.png")
    strategies = sub.add_parser("strategies", help="list the preset strategies, or show one",
                                description="List the preset strategies, or print one strategy's file "
                                            "(a preset, or your own strategy TOML file).")
    strategies.add_argument("action", nargs="?", choices=["show"], help="'show NAME' prints the whole file")
    strategies.add_argument("name", nargs="?", help="preset name, or path of a strategy TOML file, to show")
    validate = sub.add_parser(
        "validate", help="check the model against classic results of social-influence and contagion theory",
        description="Reduce the model, through its own update rules, to DeGroot, Friedkin-Johnsen, Granovetter, "
                    "Watts, complex contagion and a chain of command, and compare each with theory. Prints a "
                    "table of expected (theory) and simulated values with their tolerances, and exits with "
                    "status 1 if any case fails. See docs/validation.md.")
    validate.add_argument("--quick", action="store_true",
                          help="fewer replicates and settings, with tolerances to match (under a minute)")
    validate.add_argument("--seed", type=int, metavar="S",
                          help="root seed of every random graph and threshold (default: 1978)")
    run.set_defaults(handler=_run)
    strategies.set_defaults(handler=_strategies)
    validate.set_defaults(handler=_validate)


def _resolve_config(args) -> tuple[Config, str, str]:
    """The run's configuration, its title, and the strategy's heading
    ("" without --strategy), printed once every input has been checked."""
    from simulation.strategy import load_strategy

    overrides = {k: v for k, v in (("staff", args.staff), ("weeks", args.weeks), ("seed", args.seed),
                                   ("engine", args.engine), ("org_chart", args.org_chart)) if v is not None}
    config = Config.from_toml(args.config) if args.config else Config()
    title, heading = "orgchange run", ""
    if args.strategy:
        strategy = load_strategy(args.strategy)
        config = strategy.apply(config)
        title = strategy.name
        heading = f"Strategy: {strategy.name}\n  {strategy.description}\n"
    config = config.replace(**overrides)
    if config.org_chart and Path(config.org_chart).exists():
        # An absolute path, so that the config.toml written next to the results reproduces the run
        # (a relative chart path in a config file resolves next to that file). A missing chart
        # keeps the path as the user wrote it, for the error message.
        config = config.replace(org_chart=str(Path(config.org_chart).resolve()))
    return config, title, heading


def _run(args) -> int:
    from simulation.model import OrgChangeModel

    config, title, heading = _resolve_config(args)
    out = Path(args.out)
    started = time.perf_counter()
    model = OrgChangeModel(config)  # a bad chart fails here, before anything is written
    writable_folder(out, "--out")  # and an unwritable --out before the run, not after it
    if heading:
        print(heading)
    bar = _ProgressBar(config.weeks) if sys.stderr.isatty() else None
    df = model.run(progress=bar.update if bar else None)
    if bar:
        bar.close()
    elapsed = time.perf_counter() - started
    df.to_csv(out / "timeseries.csv", index=False)
    (out / "config.toml").write_text(config.to_toml(), encoding="utf-8")
    if config.snapshot_every:
        model.agent_snapshots().to_csv(out / "agents.csv", index=False)
    if not args.no_figure:
        import matplotlib.pyplot as plt

        from simulation.plotting import summary_figure

        fig = summary_figure(df, f"{title}: {model.organization.n} staff, seed {config.seed}")
        fig.savefig(out / "summary.png", dpi=110)
        plt.close(fig)
    print(f"{model.organization.n} staff, {config.weeks} weeks, seed {config.seed}, "
          f"{config.engine} engine: {elapsed:.2f} s\n")
    print(_summary_table(df))
    print(f"\nWrote {out}/timeseries.csv, config.toml" + ("" if args.no_figure else ", summary.png"))
    return 0


def _summary_table(df) -> str:
    rows = df.iloc[sorted({0, *range(52, len(df), 52), len(df) - 1})]
    table = rows[["week"] + SUMMARY_COLUMNS].copy()
    table.columns = ["week", "commit", "commit_sr", "commit_mid", "commit_front", "practice_front",
                     "quality", "culture", "proj_ok", "proj_fail"]
    return table.to_string(index=False, float_format=lambda x: f"{x:.3f}")


def _strategies(args) -> int:
    from simulation.strategy import load_strategy, parse_strategy, preset_names, strategy_text

    if args.action == "show":
        if not args.name:
            raise ConfigError("strategies show: give a preset NAME or the path of a strategy file")
        text, source = strategy_text(args.name)
        parse_strategy(text, source)  # show only what 'run --strategy' would accept
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    for name in preset_names():
        s = load_strategy(name)
        print(f"{name:22s} {s.description.split('. ')[0].rstrip('.')}.")
    return 0


def _validate(args) -> int:
    from simulation.theory import DEFAULT_SEED, TABLE_NOTE, format_table, run_all

    seed = DEFAULT_SEED if args.seed is None else args.seed
    if seed < 0:
        raise ConfigError(f"--seed: must be an integer >= 0, got {seed}")
    started = time.perf_counter()
    cases = run_all(quick=args.quick, seed=seed)
    elapsed = time.perf_counter() - started
    failed = [c for c in cases if not c.passed]
    print(f"orgchange validate{' --quick' if args.quick else ''}: the model's own rules against theory "
          f"(seed {seed})\n")
    print(format_table(cases))
    print(f"\n{TABLE_NOTE}")
    verdict = "all pass" if not failed else f"{len(failed)} FAILED"
    print(f"\n{len(cases)} cases, {verdict}, in {elapsed:.1f} s")
    return 1 if failed else 0


class _ProgressBar:
    """A one-line progress bar on standard error, for interactive terminals."""

    def __init__(self, total: int) -> None:
        self.total, self.started = total, time.perf_counter()

    def update(self, done: int) -> None:
        if done % max(1, self.total // 100) and done != self.total:
            return
        width = 30
        filled = int(width * done / self.total)
        rate = done / max(1e-9, time.perf_counter() - self.started)
        left = (self.total - done) / rate if rate else 0.0
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] week {done}/{self.total}  ~{left:.0f} s left")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")

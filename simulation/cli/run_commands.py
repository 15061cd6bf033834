"""``orgchange run``, ``orgchange strategies`` and ``orgchange validate``: one
simulation, the preset strategies, and the model against theory."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from simulation.cli.common import add_engine, add_out, add_seed, parameter_help
from simulation.wording import plural, wrap

SUMMARY_COLUMNS = ["commitment", "commitment_senior", "commitment_middle", "commitment_frontline",
                   "practice_frontline", "quality", "culture", "projects_succeeded", "projects_failed"]
RUN_OUTPUTS = ("timeseries.csv", "config.toml", "summary.png", "agents.csv")
"""Every file ``orgchange run`` may write into --out (agents.csv with snapshots, summary.png unless
--no-figure)."""
NAME_COLUMN = 22
"""Width of the name column of ``orgchange strategies``, in characters."""


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
    add_seed(run, "the --config file's seed, else 0")
    add_engine(run)
    add_out(run, "orgchange-run")
    run.add_argument("--no-figure", action="store_true", help="skip summary.png")
    strategies = sub.add_parser(
        "strategies", help="list the preset strategies, or show one",
        usage="orgchange strategies [-h] [show] [NAME]",
        description="List the preset strategies, or print one strategy's file (a preset, or your own strategy "
                    "TOML file): 'orgchange strategies NAME', or the same with 'show', "
                    "'orgchange strategies show NAME'.")
    strategies.add_argument("words", nargs="*", metavar="NAME",
                            help="a preset name, or the path of a strategy TOML file, to print")
    validate = sub.add_parser(
        "validate", help="check the model against classic results of social-influence and contagion theory",
        description="Reduce the model, through its own update rules, to DeGroot, Friedkin-Johnsen, Granovetter, "
                    "Watts, complex contagion and a chain of command, and compare each with theory. Prints a "
                    "table of expected (theory) and simulated values with their tolerances, a row as each case "
                    "finishes, and exits with status 1 if any case fails. See docs/validation.md.")
    validate.add_argument("--quick", action="store_true",
                          help="fewer replicates and settings, with tolerances to match (under a minute)")
    add_seed(validate)
    run.set_defaults(handler=_run)
    strategies.set_defaults(handler=_strategies)
    validate.set_defaults(handler=_validate)


def _resolve_config(args):
    """The run's configuration, from --config, then --strategy, then the
    options; its title; and the strategy's heading ("" without --strategy),
    printed once every input has been checked."""
    from simulation.config import Config
    from simulation.strategy import load_strategy

    overrides = {k: v for k, v in (("staff", args.staff), ("weeks", args.weeks), ("seed", args.seed),
                                   ("engine", args.engine), ("org_chart", args.org_chart)) if v is not None}
    config = Config.from_toml(args.config) if args.config else Config()
    title, heading = "orgchange run", ""
    if args.strategy:
        strategy = load_strategy(args.strategy)
        config = strategy.apply(config)
        title = strategy.name
        heading = f"Strategy: {strategy.name}\n{wrap(strategy.description, indent=2)}\n"
    config = config.replace(**overrides)
    if config.org_chart and Path(config.org_chart).exists():
        # An absolute path, so that the config.toml written next to the results reproduces the run
        # (a relative chart path in a config file resolves next to that file). A missing chart
        # keeps the path as the user wrote it, for the error message.
        config = config.replace(org_chart=str(Path(config.org_chart).resolve()))
    return config, title, heading


def _run(args) -> int:
    from simulation.heap import freeze_imports
    from simulation.model import OrgChangeModel
    from simulation.outputs import prepare_folder
    from simulation.progress import progress_bar

    config, title, heading = _resolve_config(args)
    out = Path(args.out)
    freeze_imports()
    started = time.perf_counter()
    model = OrgChangeModel(config)  # a bad chart fails here, before anything is written
    # Earlier results, and an unwritable --out, are refused before the run, not after it.
    replaced = prepare_folder(out, RUN_OUTPUTS, args.overwrite, "out")
    if heading:
        print(heading)
    with progress_bar(config.weeks, "weeks") as bar:
        df = model.run(progress=lambda week: bar.update(week - bar.n))
    elapsed = time.perf_counter() - started
    written = ["timeseries.csv", "config.toml"]
    df.to_csv(out / "timeseries.csv", index=False)
    (out / "config.toml").write_text(config.to_toml(), encoding="utf-8")
    if config.snapshot_every:
        model.agent_snapshots().to_csv(out / "agents.csv", index=False)
        written.append("agents.csv")
    if not args.no_figure:
        import matplotlib.pyplot as plt

        from simulation.plotting import summary_figure

        fig = summary_figure(df, f"{title}: {model.organization.n} staff, seed {config.seed}")
        fig.savefig(out / "summary.png", dpi=110)
        plt.close(fig)
        written.append("summary.png")
    print(f"{model.organization.n} staff, {plural(config.weeks, 'week')}, seed {config.seed}, "
          f"{config.engine} engine: {elapsed:.2f} s\n")
    print(_summary_table(df))
    print()
    if replaced:
        print(f"Replaced the earlier results in {out}/ ({', '.join(replaced)}).")
    print(f"Wrote {out}/" + ", ".join(written))
    return 0


def _summary_table(df) -> str:
    rows = df.iloc[sorted({0, *range(52, len(df), 52), len(df) - 1})]
    table = rows[["week"] + SUMMARY_COLUMNS].copy()
    table.columns = ["week", "commit", "commit_sr", "commit_mid", "commit_front", "practice_front",
                     "quality", "culture", "proj_ok", "proj_fail"]
    return table.to_string(index=False, float_format=lambda x: f"{x:.3f}")


def _strategies(args) -> int:
    from simulation.errors import ConfigError
    from simulation.strategy import load_strategy, parse_strategy, preset_names, strategy_text

    words = list(args.words)
    if words[:1] == ["show"]:  # 'strategies show NAME' is the long form of 'strategies NAME'
        words = words[1:]
        if not words:
            raise ConfigError("strategies show: give a preset NAME or the path of a strategy file")
    if len(words) > 1:
        raise ConfigError(f"strategies: give one preset NAME or strategy file, got {len(words)}: {' '.join(words)}")
    if words:
        text, source = strategy_text(words[0])
        parse_strategy(text, source)  # show only what 'run --strategy' would accept
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    for name in preset_names():
        first = load_strategy(name).description.split(". ")[0].rstrip(".") + "."
        print(wrap(first, indent=NAME_COLUMN + 1, lead=f"{name:{NAME_COLUMN}s} "))
    return 0


def _validate(args) -> int:
    from simulation.progress import progress_bar
    from simulation.theory import DEFAULT_SEED, TABLE_NOTE, case_groups, format_header, format_row

    seed = DEFAULT_SEED if args.seed is None else args.seed
    print(f"orgchange validate{' --quick' if args.quick else ''}: the model's own rules against theory "
          f"(seed {seed})\n")
    print(format_header(), flush=True)
    started = time.perf_counter()
    cases = []
    groups = case_groups(quick=args.quick, seed=seed)
    with progress_bar(len(groups), "groups of cases") as bar:
        for theory, run in groups:
            bar.set_description_str(theory)
            for case in run():  # each row as soon as its case is done
                bar.write(format_row(case), file=sys.stdout)
                sys.stdout.flush()
                cases.append(case)
            bar.update()
    elapsed = time.perf_counter() - started
    failed = [c for c in cases if not c.passed]
    print(f"\n{TABLE_NOTE}")
    verdict = "all pass" if not failed else f"{len(failed)} FAILED"
    print(f"\n{plural(len(cases), 'case')}, {verdict}, in {elapsed:.1f} s")
    return 1 if failed else 0

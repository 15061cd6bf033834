"""The ``orgchange`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from simulation.config import Config, ConfigError
from simulation.organization import ChartError
from simulation.parameters import PARAMETERS

SUMMARY_COLUMNS = ["commitment", "commitment_senior", "commitment_middle", "commitment_frontline",
                   "practice_frontline", "quality", "culture", "projects_succeeded", "projects_failed"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orgchange",
        description="An agent-based model of how leadership spreads commitment to quality through a hospital.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run", help="run one simulation and write its time series, configuration and figure",
        description="Run one simulation. Writes timeseries.csv (one row per week), config.toml (the "
                    "full resolved configuration, which reproduces the run) and summary.png into --out, "
                    "and prints a summary table. Options given here override the --config file.")
    run.add_argument("--config", metavar="FILE", help="TOML configuration file ([run], [organization], "
                     "[behaviour] and [levers] tables); unset parameters take their defaults")
    run.add_argument("--strategy", metavar="NAME", help="a preset strategy name (see 'orgchange strategies') "
                     "or the path of a strategy TOML file; its levers override the config's")
    run.add_argument("--staff", type=int, metavar="N", help=_help("staff"))
    run.add_argument("--org-chart", metavar="FILE", help=_help("org_chart"))
    run.add_argument("--weeks", type=int, metavar="W", help=_help("weeks"))
    run.add_argument("--seed", type=int, metavar="S", help=_help("seed"))
    run.add_argument("--engine", choices=PARAMETERS["engine"].choices, help=_help("engine"))
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
    _add_experiment_commands(sub)  # experiment run|check|status, export: see the experiments block below
    _add_analysis_commands(sub)  # compare, sweep, sensitivity, report: see the analysis block below
    _add_dashboard_command(sub)  # the classroom dashboard: see the dashboard block below
    return parser


def _help(name: str) -> str:
    p = PARAMETERS[name]
    default = f"{p.default!r}" if p.default != "" else "none"
    return f"{p.doc} Unit: {p.unit}; default: {default}."


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "handler", None):  # subcommands that name their own handler (experiments block)
            return args.handler(args)
        if args.command == "run":
            return _run(args)
        if args.command == "validate":
            return _validate(args)
        return _strategies(args)
    except (ConfigError, ChartError) as err:
        return _error(str(err))
    except BrokenPipeError:  # the reader went away (`orgchange run | head`): nothing to report
        sys.stderr.close()
        return 0
    except OSError as err:  # e.g. an output folder that cannot be written
        where = f" {str(err.filename)!r}" if err.filename else ""
        return _error(f"cannot write{where}: {err.strerror or err}")


def _error(message: str) -> int:
    """Report a user error on one line, the way argparse does, and return its exit status."""
    print(f"orgchange: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _resolve_config(args) -> tuple[Config, str]:
    from simulation.strategy import load_strategy

    overrides = {k: v for k, v in (("staff", args.staff), ("weeks", args.weeks), ("seed", args.seed),
                                   ("engine", args.engine), ("org_chart", args.org_chart)) if v is not None}
    config = Config.from_toml(args.config) if args.config else Config()
    title = "orgchange run"
    if args.strategy:
        strategy = load_strategy(args.strategy)
        config = strategy.apply(config)
        title = strategy.name
        print(f"Strategy: {strategy.name}\n  {strategy.description}\n")
    config = config.replace(**overrides)
    if config.org_chart and Path(config.org_chart).exists():
        # An absolute path, so that the config.toml written next to the results reproduces the run
        # (a relative chart path in a config file resolves next to that file). A missing chart
        # keeps the path as the user wrote it, for the error message.
        config = config.replace(org_chart=str(Path(config.org_chart).resolve()))
    return config, title


def _run(args) -> int:
    from simulation.model import OrgChangeModel

    config, title = _resolve_config(args)
    out = Path(args.out)
    started = time.perf_counter()
    model = OrgChangeModel(config)  # a bad chart fails here, before anything is written
    out.mkdir(parents=True, exist_ok=True)
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


# --- experiments: 'orgchange experiment run | check | status' and 'orgchange export' ------------------------
# Added as one block: the parsers come from _add_experiment_commands, and each sets a `handler`
# that main() calls. The work is done by the experiments package (docs/experiments.md).
def _add_experiment_commands(sub) -> None:
    from experiments.backends import EXECUTORS

    experiment = sub.add_parser(
        "experiment", help="run an experiment file (strategies x design x replicates) into a results store",
        description="Experiments: many runs from one TOML file, stored in one SQLite file that survives "
                    "interruption. See docs/experiments.md.")
    actions = experiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run", help="run every run of an experiment into a results file",
        description="Run every run of EXPERIMENT.toml (design points x strategies x replicates) and store each "
                    "one, as it finishes, in the SQLite file --output. Results are the same whatever the "
                    "executor or number of workers. Exit status: 0 if every run is done, 1 if some failed, "
                    "2 for bad input, 130 if interrupted (then finish with --resume).")
    run.add_argument("file", metavar="EXPERIMENT.toml", help="the experiment file")
    run.add_argument("-o", "--output", required=True, metavar="RESULTS.sqlite", help="the results file")
    run.add_argument("--workers", type=int, metavar="N",
                     help="runs at once: worker processes, or Dask workers of a local cluster (default: all "
                          "cores; a small job runs serially)")
    run.add_argument("--executor", choices=EXECUTORS,
                     help="where runs execute (default: serial for --workers 1 or a small job, else processes; "
                          "dask when --scheduler is given)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="a running Dask scheduler, e.g. tcp://host:8786 (needs: pip install 'orgchange[dask]')")
    run.add_argument("--resume", action="store_true",
                     help="finish an interrupted results file: skip finished runs, run the others")
    run.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again too")
    run.add_argument("--overwrite", action="store_true", help="replace an existing results file")
    run.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    run.set_defaults(handler=_experiment_run)
    check = actions.add_parser("check", help="validate an experiment file and show its plan, without running it",
                               description="Validate EXPERIMENT.toml, build every run's configuration, and "
                                           "print the plan: strategies, design points, replicates and runs.")
    check.add_argument("file", metavar="EXPERIMENT.toml", help="the experiment file")
    check.set_defaults(handler=_experiment_check)
    status = actions.add_parser("status", help="show how far a results file has got",
                                description="Runs done, failed and pending in a results file, and its manifest.")
    status.add_argument("store", metavar="RESULTS.sqlite", help="the results file")
    status.set_defaults(handler=_experiment_status)
    export = sub.add_parser(
        "export", help="write an experiment's results file as CSV or Parquet files",
        description="Write runs, timeseries (tidy: run_id, week, metrics), manifest.json and experiment.toml "
                    "from a results file into the folder --output.")
    export.add_argument("store", metavar="RESULTS.sqlite", help="the results file")
    export.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder, created if missing")
    export.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="file format (default: %(default)s; parquet needs pyarrow)")
    export.set_defaults(handler=_export)


def _notice(message: str) -> None:
    print(message, file=sys.stderr if message.startswith("warning") else sys.stdout, flush=True)


def _experiment_run(args) -> int:
    import sqlite3

    from experiments import load, run_experiment

    try:
        summary = run_experiment(args.file, args.output, executor=args.executor, workers=args.workers,
                                 scheduler=args.scheduler, resume=args.resume, overwrite=args.overwrite,
                                 retry_failed=args.retry_failed, progress=False if args.no_progress else None,
                                 log=_notice)
    except KeyboardInterrupt:
        try:
            runs = load(args.output, timeseries=False).runs
            stored = f"{(runs.status != 'pending').sum()} of {len(runs)} runs are stored in {args.output}"
        except (ConfigError, sqlite3.Error):
            stored = "nothing was stored"
        print(f"{chr(10) if sys.stderr.isatty() else ''}orgchange: interrupted: {stored}; run the same command "
              f"with --resume to finish", file=sys.stderr)
        return 130
    except sqlite3.Error as err:
        return _error(f"results file {args.output!r}: {err}")
    print(f"{summary.done} of {summary.total} runs done, {summary.failed} failed, in {summary.elapsed:.1f} s "
          f"({summary.ran} in this session: {summary.run_seconds:.1f} s of model time, "
          f"{summary.store_seconds:.2f} s storing)")
    for run_id, error in summary.errors[:3]:
        print(f"  run {run_id} failed: {error}")
    if summary.failed:
        print("Failed runs keep their error in the store; run them again with --resume --retry-failed.")
    print(f"Results: {args.output} (read with experiments.load, or: orgchange export {args.output} -o DIR)")
    return 1 if summary.failed or summary.pending else 0


def _experiment_check(args) -> int:
    from experiments import Experiment

    experiment = Experiment.from_toml(args.file)
    experiment.check()
    design, points = experiment.design, experiment.points
    strategies = ", ".join(f"{label} ({s.name})" for label, s in experiment.strategies.items())
    varied = f" over {', '.join(design.parameters)}" if design.parameters else ""
    print(f"{experiment.name} ({args.file})")
    if experiment.question:
        print(f"  question:   {experiment.question}")
    print(f"  strategies: {strategies}; baseline {experiment.baseline}")
    print(f"  design:     {design.kind}{varied}: {len(points)} point{'s' if len(points) != 1 else ''}")
    for k, point in enumerate(points.points[:5]):
        print(f"              point {k}: " + (", ".join(f"{n}={v!r}" for n, v in point.items()) or "the base"))
    if len(points) > 5:
        print(f"              ... and {len(points) - 5} more")
    print(f"  replicates: {experiment.replicates} per point and strategy; {experiment.weeks} weeks; "
          f"root seed {experiment.seed}")
    print(f"  runs:       {experiment.n_runs}")
    print(f"  metrics:    {', '.join(experiment.metrics)}")
    print("The experiment is valid.")
    return 0


def _experiment_status(args) -> int:
    from experiments import load

    results = load(args.store, timeseries=False)
    counts = results.runs.status.value_counts()
    m = results.manifest
    print(f"{m.get('name', '')}: {len(results.runs)} runs: {counts.get('done', 0)} done, "
          f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending")
    print(f"created {m.get('created', '?')} with orgchange {m.get('orgchange_version', '?')}, mesa "
          f"{m.get('mesa_version', '?')}, numpy {m.get('numpy_version', '?')}, python {m.get('python_version', '?')}"
          f"; git {m.get('git_commit') or 'unknown'}")
    return 0


def _export(args) -> int:
    from experiments import export

    written = export(args.store, args.output, args.format)
    print(f"Wrote {Path(args.output)}/" + ", ".join(p.name for p in written))
    return 0


# --- analysis: 'orgchange compare | sweep | sensitivity | report' ------------------------------------------
# Added as one block, like the experiments block: _add_analysis_commands builds the parsers, each sets a
# `handler` that main() calls. The numbers come from experiments.analysis and experiments.sensitivity, the
# figures from experiments.figures, the HTML from experiments.report (docs/analysis.md).
def _add_analysis_commands(sub) -> None:
    from experiments.analysis import OUTCOMES

    outcomes = ", ".join(OUTCOMES)
    compare = sub.add_parser(
        "compare", help="compare strategies over replicates: outcomes with 95%% confidence intervals",
        description="Run each strategy REPLICATES times on shared seeds (so differences are paired), then print "
                    "each strategy's outcomes with 95% confidence intervals and its paired difference from the "
                    "baseline, and write into --out: trajectories.png (mean trajectories with 95% bands), "
                    "effort_benefit.png, outcomes.csv, differences.csv, experiment.toml (rerun it with "
                    "'orgchange experiment run') and the results store. See docs/analysis.md.")
    compare.add_argument("--strategies", nargs="+", required=True, metavar="NAME",
                         help="preset names (see 'orgchange strategies') or strategy TOML files")
    compare.add_argument("--replicates", type=int, default=10, metavar="N",
                         help="runs per strategy, each with its own seed (default: %(default)s)")
    compare.add_argument("--weeks", type=int, metavar="W", help=_help("weeks"))
    compare.add_argument("--staff", type=int, metavar="N", help=_help("staff"))
    compare.add_argument("--seed", type=int, default=2026, metavar="S",
                         help="root seed every run's seed derives from (default: %(default)s)")
    compare.add_argument("--baseline", metavar="NAME", help="the strategy the others are compared with "
                         "(default: the first)")
    compare.add_argument("--question", metavar="TEXT", help="the question the comparison answers, for the report "
                         "(default: how the strategies compare)")
    _add_run_options(compare, "orgchange-compare")
    compare.set_defaults(handler=_compare)

    sweep = sub.add_parser(
        "sweep", help="outcomes against each varied parameter of a factorial or Latin hypercube experiment",
        description="Run EXPERIMENT.toml (or read a results file with --from) and draw, for each outcome, one "
                    "panel per varied parameter: each design point's replicate mean with its 95% CI, and a line "
                    "per strategy. Writes sweep_OUTCOME.png and sweep_points.csv into --out.")
    _add_source_options(sweep)
    sweep.add_argument("--outcome", action="append", metavar="NAME", choices=list(OUTCOMES),
                       help=f"an outcome to draw, repeatable (default: commitment_frontline, practice_frontline, "
                            f"quality); one of: {outcomes}")
    _add_run_options(sweep, "orgchange-sweep")
    sweep.set_defaults(handler=_sweep)

    sensitivity = sub.add_parser(
        "sensitivity", help="Morris screening or Sobol indices (SALib) of a morris or sobol experiment",
        description="Run EXPERIMENT.toml, whose design kind is morris or sobol (or read a results file with "
                    "--from), average each design point's replicates, and compute Morris mu* and sigma or Sobol "
                    "S1 and ST with 95% confidence intervals (SALib). Prints the table, warns when the sample is "
                    "too small for stable indices, and writes sensitivity_OUTCOME.png and .csv into --out.")
    _add_source_options(sensitivity)
    sensitivity.add_argument("--outcome", default="commitment_frontline", metavar="NAME", choices=list(OUTCOMES),
                             help=f"the outcome to analyse (default: %(default)s); one of: {outcomes}")
    _add_run_options(sensitivity, "orgchange-sensitivity")
    sensitivity.set_defaults(handler=_sensitivity)

    report = sub.add_parser(
        "report", help="write the planner's report: one self-contained HTML file",
        description="Write one HTML file, with its figures embedded, that anyone can open in a browser: the "
                    "question, the strategies in plain language, the outcome table with 95% intervals, the "
                    "trajectories, effort against benefit, the caveats and the manifest.")
    report.add_argument("store", metavar="RESULTS.sqlite", help="a results file (from 'orgchange experiment run', "
                        "compare, sweep or sensitivity)")
    report.add_argument("-o", "--output", default="report.html", metavar="REPORT.html",
                        help="the HTML file to write (default: %(default)s)")
    report.set_defaults(handler=_report)


def _add_source_options(parser) -> None:
    """EXPERIMENT.toml to run, or --from an existing results file."""
    parser.add_argument("file", nargs="?", metavar="EXPERIMENT.toml", help="the experiment file to run")
    parser.add_argument("--from", dest="source", metavar="RESULTS.sqlite",
                        help="analyse this results file instead of running an experiment")


def _add_run_options(parser, out: str) -> None:
    parser.add_argument("-o", "--output", metavar="RESULTS.sqlite",
                        help="the results file to write (default: results.sqlite in --out, replaced if there)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing -o results file")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted results file: skip finished runs, run the others")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="runs at once, in worker processes (default: all cores; a small job runs serially)")
    parser.add_argument("--out", metavar="DIR", default=out,
                        help="folder for figures and tables, created if missing (default: %(default)s)")


def _analysis(handler):
    """Report the analysis layer's errors (a ValueError, or an unreadable
    results file) on one line, like every other user error."""
    import functools

    @functools.wraps(handler)
    def wrapped(args) -> int:
        import sqlite3

        try:
            return handler(args)
        except (ValueError, sqlite3.Error) as err:  # ConfigError is a ValueError too
            return _error(str(err))
        except KeyboardInterrupt:
            print("\norgchange: interrupted: the finished runs are stored; run the same command with --resume "
                  "to finish", file=sys.stderr)
            return 130

    return wrapped


def _execute(experiment, args) -> Path:
    """Run ``experiment`` into the results file of ``args`` and return its path.

    Without -o the store is results.sqlite in --out, which belongs to this
    command and is replaced (unless --resume); an -o file is only replaced
    with --overwrite.
    """
    from experiments import run_experiment

    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers: must be an integer >= 1, got {args.workers}")
    out = Path(args.out)
    store = Path(args.output) if args.output else out / "results.sqlite"
    out.mkdir(parents=True, exist_ok=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    overwrite = args.overwrite or not (args.output or args.resume)
    summary = run_experiment(experiment, store, workers=args.workers, overwrite=overwrite, resume=args.resume,
                             log=lambda message: print(message, file=sys.stderr, flush=True))
    print(f"{summary.done} of {summary.total} runs done, {summary.failed} failed, in {summary.elapsed:.1f} s; "
          f"results in {store}")
    for run_id, error in summary.errors[:3]:
        print(f"  run {run_id} failed: {error}", file=sys.stderr)
    return store


def _results_for(args):
    """The results to analyse: --from a results file, or EXPERIMENT.toml run now."""
    from experiments import Experiment, load

    if bool(args.file) == bool(args.source):
        raise ConfigError(f"{args.command}: give EXPERIMENT.toml to run, or --from RESULTS.sqlite, "
                          f"{'not both' if args.file else 'one of them'}")
    if args.source:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        return load(args.source)
    experiment = Experiment.from_toml(args.file)
    _check_design(args.command, experiment.design.kind)  # before spending time on runs
    return load(_execute(experiment, args))


def _check_design(command: str, kind: str) -> None:
    allowed = {"sweep": ("factorial", "latin_hypercube", "morris", "sobol"), "sensitivity": ("morris", "sobol")}
    if kind not in allowed[command]:
        needs = "morris or sobol" if command == "sensitivity" else "varied parameters (design kind factorial, " \
                                                                   "latin_hypercube, morris or sobol)"
        raise ConfigError(f"{command}: needs an experiment with {needs}; this one's design kind is {kind!r}")


def _compare_experiment(args):
    """The experiment 'orgchange compare' runs: its options as an experiment
    file would give them (design kind none)."""
    import re

    from experiments import Experiment, ExperimentError

    if args.replicates < 1:
        raise ConfigError(f"--replicates: must be an integer >= 1, got {args.replicates}")
    weeks = PARAMETERS["weeks"].default if args.weeks is None else args.weeks
    head = {"name": "orgchange compare", "strategies": list(args.strategies), "replicates": args.replicates,
            "weeks": weeks, "seed": args.seed}
    if args.baseline:
        head["baseline"] = args.baseline
    tables = {"experiment": head, "base": {"organization": {"staff": args.staff}} if args.staff is not None else {}}
    try:
        experiment = Experiment.from_dict(tables, base_dir=Path.cwd())
    except ExperimentError as err:
        # Name the option the user typed, not the experiment-file field it became.
        text = re.sub(r"^experiment\.(\w+)(\[\d+\])?|^base\.organization\.(\w+)",
                      lambda m: f"--{m.group(1) or m.group(3)}", str(err))
        raise ConfigError(text) from None
    names = [s.name for s in experiment.strategies.values()]
    question = args.question or (f"How do {', '.join(names[:-1])} and {names[-1]} compare over {weeks} weeks "
                                 f"({weeks / 52:.1f} years)?" if len(names) > 1 else
                                 f"What does {names[0]} achieve over {weeks} weeks ({weeks / 52:.1f} years)?")
    return experiment.replace(question=" ".join(question.split()))


@_analysis
def _compare(args) -> int:
    from experiments import analysis, figures, load

    experiment = _compare_experiment(args)
    print(f"Comparing {len(experiment.strategies)} strategies x {experiment.replicates} replicates, "
          f"{experiment.weeks} weeks, {experiment.base.staff} staff, root seed {experiment.seed}:")
    for label, strategy in experiment.strategies.items():
        print(f"  {label:22s} {strategy.name}")
    out = Path(args.out)
    store = _execute(experiment, args)
    (out / "experiment.toml").write_text(experiment.to_toml(), encoding="utf-8")
    comparison = analysis.compare(load(store))
    _print_comparison(comparison)
    comparison.summary.to_csv(out / "outcomes.csv", index=False)
    comparison.differences.to_csv(out / "differences.csv", index=False)
    figures.save(figures.trajectory_figure(comparison.trajectories, comparison.strategies, comparison.labels),
                 out / "trajectories.png")
    figures.save(figures.effort_benefit_figure(comparison.summary, comparison.strategies, comparison.labels),
                 out / "effort_benefit.png")
    print(f"\nWrote {out}/trajectories.png, effort_benefit.png, outcomes.csv, differences.csv, experiment.toml")
    print(f"Report: orgchange report {store} -o report.html")
    return 0


def _print_comparison(comparison) -> None:
    from experiments import analysis

    n = comparison.summary.query("outcome == 'quality'")["n"]
    print(f"\nOutcomes at the end, mean [95% CI] over {int(n.max()) if len(n) else '?'} runs per strategy "
          f"(Student t):")
    print(analysis.format_table(comparison.summary, comparison.strategies))
    if comparison.baseline:
        print()
        print(analysis.format_differences(comparison.differences, comparison.baseline))
    reached = comparison.summary.query("outcome == 'reached_half_practice'")
    if len(reached):
        print("\nWeeks to 50% frontline practice count only the runs that got there; "
              + "; ".join(f"{r.strategy}: {r.mean:.0%} did" for r in reached.itertuples()) + ".")
    if comparison.departures:
        print("Sustainment: share of the frontline commitment gain at the departure week still there at the end ("
              + ", ".join(f"{k}: week {w}" for k, w in comparison.departures.items()) + ").")
    if comparison.failed or comparison.pending:
        print(f"orgchange: warning: left out {comparison.failed} failed and {comparison.pending} unfinished "
              "run(s)", file=sys.stderr)


@_analysis
def _sweep(args) -> int:
    from experiments import analysis, figures

    results = _results_for(args)
    kind = (results.manifest.get("design") or {}).get("kind", "none")
    _check_design("sweep", kind)
    comparison = analysis.compare(results)
    parameters = results.parameters
    out = Path(args.out)
    written = []
    for name in args.outcome or ["commitment_frontline", "practice_frontline", "quality"]:
        if name not in comparison.outcomes or comparison.outcomes[name].isna().all():
            print(f"orgchange: warning: outcome {name!r} has no values here (is its metric kept?); skipped",
                  file=sys.stderr)
            continue
        path = out / f"sweep_{name}.png"
        figures.save(figures.sweep_figure(comparison.outcomes, parameters, name, comparison.strategies,
                                          comparison.labels), path)
        written.append(path.name)
    points = analysis.summarize(comparison.outcomes, by=["point", *parameters, "strategy"],
                                names=args.outcome or ["commitment_frontline", "practice_frontline", "quality"])
    points.to_csv(out / "sweep_points.csv", index=False)
    shown = points[points["outcome"] == (args.outcome or ["commitment_frontline"])[0]].copy()
    shown["mean [95% CI]"] = [analysis.format_value(r.mean, r.low, r.high) for r in shown.itertuples()]
    print(f"{kind} design over {', '.join(parameters)}: {results.runs['point'].nunique()} points x "
          f"{len(comparison.strategies)} strategies; {analysis.in_sentence(shown['outcome'].iloc[0])} "
          f"per design point (replicate mean [95% CI]):")
    table = shown[["point", *parameters, "strategy", "mean [95% CI]", "n"]].to_string(index=False)
    lines = table.splitlines()
    print("\n".join(lines[:31]) + (f"\n... {len(lines) - 31} more rows in sweep_points.csv" if len(lines) > 31 else ""))
    print(f"\nWrote {out}/" + ", ".join([*written, "sweep_points.csv"]))
    return 0


@_analysis
def _sensitivity(args) -> int:
    from experiments import analysis, figures, sensitivity

    results = _results_for(args)
    design = results.manifest.get("design") or {}
    _check_design("sensitivity", design.get("kind", "none"))
    comparison = analysis.compare(results)
    result = sensitivity.analyze(comparison.outcomes, design, args.outcome)
    print(sensitivity.format_sensitivity(result))
    for warning in result.warnings:
        print(f"orgchange: warning: {warning}", file=sys.stderr)
    out = Path(args.out)
    result.table.to_csv(out / f"sensitivity_{args.outcome}.csv", index=False)
    figures.save(figures.sensitivity_figure(result.table, result.method, result.outcome, comparison.labels),
                 out / f"sensitivity_{args.outcome}.png")
    print(f"\nWrote {out}/sensitivity_{args.outcome}.png, sensitivity_{args.outcome}.csv")
    return 0


@_analysis
def _report(args) -> int:
    from experiments import load
    from experiments.report import write_report

    path = write_report(load(args.store), args.output)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB): open it in any web browser")
    return 0


# --- the classroom dashboard: 'orgchange dashboard' ----------------------------------------------------------
def _add_dashboard_command(sub) -> None:
    from simulation.dashboard.server import DEFAULT_PORT, HOST

    dashboard = sub.add_parser(
        "dashboard", help="serve the interactive classroom dashboard in your web browser",
        description=f"Serve the classroom dashboard at http://{HOST}:PORT (this computer only; it works offline). "
                    "Open that address in a web browser, pick a strategy and press play; Ctrl-C stops the server. "
                    "Needs the optional extra: pip install \"orgchange[dashboard]\". See docs/dashboard.md.")
    dashboard.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="P",
                           help="the port to serve on (default: %(default)s)")
    dashboard.set_defaults(handler=_dashboard)


def _dashboard(args) -> int:
    from simulation.dashboard import INSTALL_HINT, missing_packages

    missing = missing_packages()
    if missing:
        return _error(f"the dashboard needs the optional extra 'dashboard' ({', '.join(missing)} missing): "
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
        serve(args.port)
    except KeyboardInterrupt:  # uvicorn has shut down cleanly and passes the interrupt on
        pass
    print("orgchange dashboard: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

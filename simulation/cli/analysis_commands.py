"""``orgchange compare | sweep | sensitivity | report``.

The numbers come from experiments.analysis and experiments.sensitivity, the
figures from experiments.figures, the HTML from experiments.report
(docs/analysis.md). Each parser sets a ``handler`` that `simulation.cli.main`
calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli.common import (
    LazyChoices,
    add_engine,
    add_out,
    add_overwrite,
    add_replicates,
    add_seed,
    add_workers,
    as_option_error,
    naming,
    parameter_help,
    report_error,
)
from simulation.cli.exits import INTERRUPTED, status_of
from simulation.cli.experiment_commands import add_experiment_options, with_options
from simulation.wording import horizon, plural

STORE_FILES = ("results.sqlite", "results.sqlite-wal", "results.sqlite-shm")
"""The results store that compare, sweep and sensitivity keep in --out, with SQLite's side files."""
COMPARE_OUTPUTS = ("experiment.toml", "outcomes.csv", "differences.csv", "trajectories.png", "effort_benefit.png")
"""What ``orgchange compare`` writes into --out besides the store."""
DEFAULT_SWEEP_OUTCOMES = ("commitment_frontline", "practice_frontline", "quality")


def _outcomes() -> list[str]:
    from experiments.analysis import OUTCOMES

    return list(OUTCOMES)


def _sweep_outputs() -> list[str]:
    return [*(f"sweep_{name}.png" for name in _outcomes()), "sweep_points.csv"]


def _sensitivity_outputs() -> list[str]:
    return [f"sensitivity_{name}.{kind}" for name in _outcomes() for kind in ("png", "csv")]


OUTCOME_NAMES = LazyChoices(_outcomes)
"""The outcomes --outcome accepts, read from experiments.analysis only when needed."""


def add_commands(sub) -> None:
    compare = sub.add_parser(
        "compare", help="compare strategies over replicates: outcomes with 95%% confidence intervals",
        description="Run each strategy REPLICATES times on shared seeds (so differences are paired), then print "
                    "each strategy's outcomes with 95% confidence intervals and its paired difference from the "
                    "baseline, and write into --out: trajectories.png (mean trajectories with 95% bands), "
                    "effort_benefit.png, outcomes.csv, differences.csv, experiment.toml (rerun it with "
                    "'orgchange experiment run') and the results store results.sqlite. See docs/analysis.md.")
    compare.add_argument("--strategies", nargs="+", required=True, metavar="NAME",
                         help="preset names (see 'orgchange strategies') or strategy TOML files")
    add_replicates(compare, 10)
    compare.add_argument("--weeks", type=int, metavar="W", help=parameter_help("weeks"))
    compare.add_argument("--staff", type=int, metavar="N", help=parameter_help("staff"))
    add_engine(compare)
    add_seed(compare)
    compare.add_argument("--baseline", metavar="NAME", help="the strategy the others are compared with "
                         "(default: the first)")
    compare.add_argument("--posterior", metavar="CALIBRATION.sqlite",
                         help="draw the calibrated parameters of each replicate from this posterior ('orgchange "
                              "calibrate' writes it), on the calibrated hospital unless --staff; the draw is fixed "
                              "by the replicate's seed, so every strategy meets the same draws")
    compare.add_argument("--question", metavar="TEXT", help="the question the comparison answers, for the report "
                         "(default: how the strategies compare)")
    add_workers(compare)
    add_out(compare, "orgchange-compare", resumable=True)
    compare.set_defaults(handler=_compare, option_names={"store": "--out"})

    sweep = sub.add_parser(
        "sweep", help="outcomes against each varied parameter of a factorial or Latin hypercube experiment",
        description="Run EXPERIMENT.toml (or read a results file with --from) and draw, for each outcome, one "
                    "panel per varied parameter: each design point's replicate mean with its 95% CI, and a line "
                    "per strategy. Writes sweep_OUTCOME.png and sweep_points.csv into --out, with the results "
                    "store results.sqlite when it runs the experiment.")
    _add_source_options(sweep)
    sweep.add_argument("--outcome", action="append", metavar="NAME", choices=OUTCOME_NAMES,
                       help="an outcome to draw, repeatable (default: " + ", ".join(DEFAULT_SWEEP_OUTCOMES)
                            + "); one of: %(choices)s")
    add_out(sweep, "orgchange-sweep", resumable=True)
    sweep.set_defaults(handler=_sweep, option_names={"store": "--out"})

    sensitivity = sub.add_parser(
        "sensitivity", help="Morris screening or Sobol indices (SALib) of a morris or sobol experiment",
        description="Run EXPERIMENT.toml, whose design kind is morris or sobol (or read a results file with "
                    "--from), average each design point's replicates, and compute Morris mu* and sigma or Sobol "
                    "S1 and ST with 95% confidence intervals (SALib). Prints the table, warns when the sample is "
                    "too small for stable indices, and writes sensitivity_OUTCOME.png and .csv into --out, with "
                    "the results store results.sqlite when it runs the experiment.")
    _add_source_options(sensitivity)
    sensitivity.add_argument("--outcome", default="commitment_frontline", metavar="NAME", choices=OUTCOME_NAMES,
                             help="the outcome to analyse (default: %(default)s); one of: %(choices)s")
    add_out(sensitivity, "orgchange-sensitivity", resumable=True)
    sensitivity.set_defaults(handler=_sensitivity, option_names={"store": "--out"})

    report = sub.add_parser(
        "report", help="write the planner's report: one self-contained HTML file",
        description="Write one HTML file, with its figures embedded, that anyone can open in a browser: the "
                    "question, the strategies in plain language, the outcome table with 95% intervals, the "
                    "trajectories, effort against benefit, the caveats and the manifest.")
    report.add_argument("store", metavar="RESULTS.sqlite", help="a results file (from 'orgchange experiment run', "
                        "compare, sweep or sensitivity)")
    report.add_argument("-o", "--output", metavar="REPORT.html",
                        help="the HTML file to write; an existing one is never replaced unless --overwrite "
                             "(default: report.html beside the results file)")
    add_overwrite(report, "replace an existing -o file")
    report.set_defaults(handler=_report)


def _add_source_options(parser) -> None:
    """EXPERIMENT.toml to run (with the options of every experiment run), or --from an existing results file."""
    parser.add_argument("file", nargs="?", metavar="EXPERIMENT.toml", help="the experiment file to run")
    parser.add_argument("--from", dest="source", metavar="RESULTS.sqlite",
                        help="analyse this results file instead of running an experiment")
    add_experiment_options(parser)


def _analysis(handler):
    """Report the analysis layer's own errors (a ValueError) on one line,
    like every other user error; `simulation.cli.main` reports the rest."""
    import functools

    @functools.wraps(handler)
    def wrapped(args) -> int:
        try:
            return handler(args)
        except ValueError as err:
            if status_of(err) is not None:  # ConfigError, a damaged store: main reports each with its exit status
                raise
            return report_error(str(err))
        except KeyboardInterrupt:
            print("\norgchange: interrupted: the finished runs are stored; run the same command with --resume "
                  "to finish", file=sys.stderr)
            return INTERRUPTED

    return wrapped


def _prepare_out(args, outputs, runs: bool = True) -> None:
    """Make --out ready: it must hold no earlier results (``outputs``, the
    files this command writes there, and the store if it ``runs`` an
    experiment), unless --overwrite replaces them or --resume finishes the
    store; and it must be a folder that can be written. Checked before
    anything is printed or run.

    The store itself is only replaced by the runner, under the store's lock
    (`experiments.lock`); a store that another process is writing is
    refused here, before any earlier result in --out is removed.
    """
    from simulation.outputs import prepare_folder

    store = Path(args.out) / STORE_FILES[0]
    if runs and store.exists():
        from experiments.lock import StoreLock

        with StoreLock(store):  # StoreInUse (exit status 4), naming the process at work
            pass
    names = [*STORE_FILES, *outputs] if runs else list(outputs)
    prepare_folder(args.out, names, args.overwrite, "out", resumable=runs, resume=runs and args.resume,
                   keep=STORE_FILES)


def _execute(experiment, args) -> Path:
    """Run ``experiment`` into results.sqlite in --out (see `_prepare_out`) and return the store's path."""
    from experiments import run_experiment

    store = Path(args.out) / STORE_FILES[0]
    summary = run_experiment(experiment, store, workers=args.workers, overwrite=args.overwrite, resume=args.resume,
                             log=lambda message: print(message, file=sys.stderr, flush=True))
    print(f"{summary.done} of {plural(summary.total, 'run')} done, {summary.failed} failed, in "
          f"{summary.elapsed:.1f} s; results in {store}")
    for run_id, error in summary.errors[:3]:
        print(f"  run {run_id} failed: {error}", file=sys.stderr)
    return store


def _results_for(args, outputs):
    """The results to analyse: --from a results file, or EXPERIMENT.toml run now."""
    from experiments import Experiment, load
    from simulation.errors import ConfigError

    if bool(args.file) == bool(args.source):
        raise ConfigError(f"{args.command}: give EXPERIMENT.toml to run, or --from RESULTS.sqlite, "
                          f"{'not both' if args.file else 'one of them'}")
    if args.source:
        given = [f"--{name}" for name in ("seed", "replicates", "engine", "workers") if getattr(args, name) is not None]
        if given or args.resume:
            raise ConfigError(f"{' and '.join(given or ['--resume'])}: only when running EXPERIMENT.toml, not with "
                              f"--from (its runs are done)")
        results = load(args.source)
        _prepare_out(args, outputs, runs=False)
        return results
    experiment = with_options(Experiment.from_toml(args.file), args)
    _check_design(args.command, experiment.design.kind)  # before spending time on runs
    _prepare_out(args, outputs)
    return load(_execute(experiment, args))


def _check_design(command: str, kind: str) -> None:
    from simulation.errors import ConfigError

    allowed = {"sweep": ("factorial", "latin_hypercube", "morris", "sobol"), "sensitivity": ("morris", "sobol")}
    if kind not in allowed[command]:
        needs = "morris or sobol" if command == "sensitivity" else "varied parameters (design kind factorial, " \
                                                                   "latin_hypercube, morris or sobol)"
        raise ConfigError(f"{command}: needs an experiment with {needs}; this one's design kind is {kind!r}")


COMPARE_OPTIONS = {("experiment", "strategies"): "--strategies", ("experiment", "replicates"): "--replicates",
                   ("experiment", "weeks"): "--weeks", ("experiment", "seed"): "--seed",
                   ("experiment", "baseline"): "--baseline", ("base", "organization", "staff"): "--staff",
                   ("base", "run", "engine"): "--engine", ("experiment", "posterior"): "--posterior"}
"""The option of `orgchange compare` that sets each field of the experiment it builds."""


def _compare_experiment(args):
    """The experiment 'orgchange compare' runs: its options as an experiment
    file would give them (design kind none)."""
    from experiments import Experiment, ExperimentError
    from simulation.parameters import PARAMETERS

    weeks = PARAMETERS["weeks"].default if args.weeks is None else args.weeks
    seed = PARAMETERS["seed"].default if args.seed is None else args.seed
    head = {"name": "orgchange compare", "strategies": list(args.strategies), "replicates": args.replicates,
            "weeks": weeks, "seed": seed}
    if args.baseline:
        head["baseline"] = args.baseline
    base: dict[str, dict] = {}
    if args.posterior:
        head["posterior"] = args.posterior
        if args.staff is None:  # the hospital the posterior was calibrated on
            from experiments.posterior import Posterior

            try:
                base["organization"] = Posterior.load(args.posterior).organization
            except ExperimentError as err:
                raise ExperimentError(err.message, ("--posterior",)) from None
    if args.staff is not None:
        base["organization"] = {"staff": args.staff}
    if args.engine is not None:
        base["run"] = {"engine": args.engine}
    tables = {"experiment": head, "base": base}
    try:
        experiment = Experiment.from_dict(tables, base_dir=Path.cwd())
    except ExperimentError as err:
        raise as_option_error(err, COMPARE_OPTIONS) from None
    names = [s.name for s in experiment.strategies.values()]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    question = args.question or (f"How do {listed} compare over {horizon(weeks)}?" if len(names) > 1 else
                                 f"What does {listed} achieve over {horizon(weeks)}?")
    # The title of the results and the report: what was compared, in the question's words.
    title = f"{listed} compared" if len(names) > 1 else listed
    return experiment.replace(name=title, question=" ".join(question.split()))


@_analysis
def _compare(args) -> int:
    from experiments import analysis, figures, load

    experiment = _compare_experiment(args)
    _prepare_out(args, COMPARE_OUTPUTS)  # every input checked before the plan is printed
    hospital = f"the chart {experiment.base.org_chart}" if experiment.base.org_chart else \
        f"{experiment.base.staff} staff"
    print(f"Comparing {plural(len(experiment.strategies), 'strategy', 'strategies')} x "
          f"{plural(experiment.replicates, 'replicate')}, {plural(experiment.weeks, 'week')}, "
          f"{hospital}, root seed {experiment.seed}:")
    if experiment.drawn is not None:
        print(f"  each replicate draws {', '.join(experiment.drawn.names)} from the posterior {args.posterior}")
    for label, strategy in experiment.strategies.items():
        print(f"  {label:22s} {strategy.name}")
    out = Path(args.out)
    store = _execute(experiment, args)
    (out / "experiment.toml").write_text(experiment.to_toml(), encoding="utf-8")
    comparison = analysis.compare(load(store))
    _print_comparison(comparison)
    comparison.summary.to_csv(out / "outcomes.csv", index=False)
    comparison.differences.to_csv(out / "differences.csv", index=False)
    figures.save(figures.trajectory_figure(comparison.trajectories, comparison.strategies, comparison.labels,
                                           departures=comparison.departures), out / "trajectories.png")
    figures.save(figures.effort_benefit_figure(comparison.summary, comparison.strategies, comparison.labels),
                 out / "effort_benefit.png")
    print(f"\nWrote {out}/trajectories.png, effort_benefit.png, outcomes.csv, differences.csv, experiment.toml")
    print(f"Report: orgchange report {store} (writes {store.parent / 'report.html'})")
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
        print(f"orgchange: warning: left out {plural(comparison.failed, 'failed run')} and "
              f"{plural(comparison.pending, 'unfinished run')}", file=sys.stderr)


@_analysis
def _sweep(args) -> int:
    from experiments import analysis, figures

    results = _results_for(args, _sweep_outputs())
    kind = (results.manifest.get("design") or {}).get("kind", "none")
    _check_design("sweep", kind)
    comparison = analysis.compare(results)
    parameters = results.parameters
    out = Path(args.out)
    written = []
    for name in args.outcome or DEFAULT_SWEEP_OUTCOMES:
        if name not in comparison.outcomes or comparison.outcomes[name].isna().all():
            print(f"orgchange: warning: outcome {name!r} has no values here (is its metric kept?); skipped",
                  file=sys.stderr)
            continue
        path = out / f"sweep_{name}.png"
        figures.save(figures.sweep_figure(comparison.outcomes, parameters, name, comparison.strategies,
                                          comparison.labels), path)
        written.append(path.name)
    points = analysis.summarize(comparison.outcomes, by=["point", *parameters, "strategy"],
                                names=list(args.outcome or DEFAULT_SWEEP_OUTCOMES))
    points.to_csv(out / "sweep_points.csv", index=False)
    shown = points[points["outcome"] == (args.outcome or DEFAULT_SWEEP_OUTCOMES)[0]].copy()
    shown["mean [95% CI]"] = [analysis.format_value(r.mean, r.low, r.high) for r in shown.itertuples()]
    print(f"{kind} design over {', '.join(parameters)}: {plural(results.runs['point'].nunique(), 'point')} x "
          f"{plural(len(comparison.strategies), 'strategy', 'strategies')}; "
          f"{analysis.in_sentence(shown['outcome'].iloc[0])} "
          f"per design point (replicate mean [95% CI]):")
    table = shown[["point", *parameters, "strategy", "mean [95% CI]", "n"]].to_string(index=False)
    lines = table.splitlines()
    print("\n".join(lines[:31]) + (f"\n... {len(lines) - 31} more rows in sweep_points.csv" if len(lines) > 31 else ""))
    print(f"\nWrote {out}/" + ", ".join([*written, "sweep_points.csv"]))
    return 0


@_analysis
def _sensitivity(args) -> int:
    from experiments import analysis, figures, sensitivity

    results = _results_for(args, _sensitivity_outputs())
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
    from simulation.outputs import check_file

    output = Path(args.output) if args.output else Path(args.store).parent / "report.html"
    results = load(args.store)  # checked first: a missing or damaged store is refused, naming the file
    replaced = check_file(output, args.overwrite, "output", what="report file")
    with naming(output):
        path = write_report(results, output)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB){' in place of the earlier one' if replaced else ''}: "
          f"open it in any web browser")
    return 0

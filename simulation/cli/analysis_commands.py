"""``orgchange compare | sweep | sensitivity | report``.

The numbers come from experiments.analysis and experiments.sensitivity, the
figures from experiments.figures, the HTML from experiments.report
(docs/analysis.md). Each parser sets a ``handler`` that `simulation.cli.main`
calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli.common import as_option_error, naming, parameter_help, report_error, writable_folder
from simulation.cli.exits import INTERRUPTED, status_of
from simulation.config import ConfigError
from simulation.parameters import PARAMETERS


def add_commands(sub) -> None:
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
    compare.add_argument("--weeks", type=int, metavar="W", help=parameter_help("weeks"))
    compare.add_argument("--staff", type=int, metavar="N", help=parameter_help("staff"))
    compare.add_argument("--engine", choices=PARAMETERS["engine"].choices, help=parameter_help("engine"))
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
    """Report the analysis layer's own errors (a ValueError) on one line,
    like every other user error; `simulation.cli.main` reports the rest."""
    import functools

    @functools.wraps(handler)
    def wrapped(args) -> int:
        try:
            return handler(args)
        except ValueError as err:
            if status_of(err) is not None:  # ConfigError, a damaged store: each has its own exit status
                raise
            return report_error(str(err))
        except KeyboardInterrupt:
            print("\norgchange: interrupted: the finished runs are stored; run the same command with --resume "
                  "to finish", file=sys.stderr)
            return INTERRUPTED

    return wrapped


def _check_run_options(args) -> None:
    """What the runs need, checked before any plan is printed or run made:
    a sensible --workers, and folders that can be written for --out and
    the results file (an `OSError`, exit status 4, names the one that cannot)."""
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers: must be an integer >= 1, got {args.workers}")
    writable_folder(Path(args.out), "--out")
    if args.output:
        writable_folder(Path(args.output).parent, "--output")


def _execute(experiment, args) -> Path:
    """Run ``experiment`` into the results file of ``args`` and return its path.

    Without -o the store is results.sqlite in --out, which belongs to this
    command and is replaced (unless --resume); an -o file is only replaced
    with --overwrite.
    """
    from experiments import run_experiment

    _check_run_options(args)
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


COMPARE_OPTIONS = {("experiment", "strategies"): "--strategies", ("experiment", "replicates"): "--replicates",
                   ("experiment", "weeks"): "--weeks", ("experiment", "seed"): "--seed",
                   ("experiment", "baseline"): "--baseline", ("base", "organization", "staff"): "--staff",
                   ("base", "run", "engine"): "--engine"}
"""The option of `orgchange compare` that sets each field of the experiment it builds."""


def _compare_experiment(args):
    """The experiment 'orgchange compare' runs: its options as an experiment
    file would give them (design kind none)."""
    from experiments import Experiment, ExperimentError

    if args.replicates < 1:
        raise ConfigError(f"--replicates: must be an integer >= 1, got {args.replicates}")
    weeks = PARAMETERS["weeks"].default if args.weeks is None else args.weeks
    head = {"name": "orgchange compare", "strategies": list(args.strategies), "replicates": args.replicates,
            "weeks": weeks, "seed": args.seed}
    if args.baseline:
        head["baseline"] = args.baseline
    base: dict[str, dict] = {}
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
    question = args.question or (f"How do {', '.join(names[:-1])} and {names[-1]} compare over {weeks} weeks "
                                 f"({weeks / 52:.1f} years)?" if len(names) > 1 else
                                 f"What does {names[0]} achieve over {weeks} weeks ({weeks / 52:.1f} years)?")
    return experiment.replace(question=" ".join(question.split()))


@_analysis
def _compare(args) -> int:
    from experiments import analysis, figures, load

    experiment = _compare_experiment(args)
    _check_run_options(args)  # every input checked before the plan is printed
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

    results = load(args.store)  # checked first: a damaged store is refused, naming the file
    with naming(args.output):
        path = write_report(results, args.output)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB): open it in any web browser")
    return 0

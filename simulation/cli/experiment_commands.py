"""``orgchange experiment run | check | status`` and ``orgchange export``.

Each parser sets a ``handler`` that `simulation.cli.main` calls; the work is
done by the experiments package (docs/experiments.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli.common import (
    LazyChoices,
    add_engine,
    add_overwrite,
    add_replicates,
    add_resume,
    add_seed,
    add_workers,
)
from simulation.cli.exits import INCOMPLETE, INTERRUPTED, OK
from simulation.wording import plural


def add_commands(sub) -> None:
    experiment = sub.add_parser(
        "experiment", help="run an experiment file (strategies x design x replicates) into a results store",
        description="Experiments: many runs from one TOML file, stored in one SQLite file that survives "
                    "interruption. See docs/experiments.md.")
    actions = experiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run", help="run every run of an experiment into a results file",
        description="Run every run of EXPERIMENT.toml (design points x strategies x replicates) and store each "
                    "one, as it finishes, in the SQLite file -o. Results are the same whatever the executor or "
                    "number of workers. --seed, --replicates and --engine override the file's. One process at a "
                    "time writes a results file: another one is refused, naming the process at work. A damaged "
                    "results file is refused, even with --resume. Interrupted, finish it with --resume.")
    run.add_argument("file", metavar="EXPERIMENT.toml", help="the experiment file")
    run.add_argument("-o", "--output", required=True, metavar="RESULTS.sqlite",
                     help="the results file; an existing one is never replaced unless --overwrite or --resume")
    add_experiment_options(run)
    run.add_argument("--executor", choices=LazyChoices(_executors), metavar="NAME",
                     help="where runs execute, one of %(choices)s (default: serial for --workers 1 or a small "
                          "job, else processes; dask when --scheduler is given; with dask, --workers is the local "
                          "cluster's workers)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="a running Dask scheduler, e.g. tcp://host:8786 (needs: pip install 'orgchange[dask]')")
    add_resume(run, "finish an interrupted results file: skip finished runs, run the others")
    run.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again too")
    add_overwrite(run, "replace an existing results file")
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
                    "from a results file into the folder --out.")
    export.add_argument("store", metavar="RESULTS.sqlite", help="the results file")
    export.add_argument("--out", metavar="DIR",
                        help="output folder, created if missing; an earlier export there is never replaced "
                             "unless --overwrite (default: the results file's name without .sqlite, beside it)")
    add_overwrite(export, "replace an earlier export in --out")
    export.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="file format (default: %(default)s; parquet needs pyarrow)")
    export.set_defaults(handler=_export)


def _executors() -> tuple[str, ...]:
    from experiments.backends import EXECUTORS

    return EXECUTORS


def add_experiment_options(parser) -> None:
    """The options of every command that runs an experiment file: the file's
    root seed, replicates and engine, overridden, and the workers."""
    add_seed(parser, "the experiment file's")
    add_replicates(parser, "the experiment file's")
    add_engine(parser, "the experiment file's [base.run] engine, else 'vectorized'")
    add_workers(parser)


def with_options(experiment, args):
    """``experiment`` with the --seed, --replicates and --engine of ``args``
    in place of its own (those not given leave the file's). The store keeps
    the experiment as run, so --resume must be given the same options."""
    changes = {name: getattr(args, name) for name in ("seed", "replicates") if getattr(args, name) is not None}
    if args.engine is not None:
        changes["base"] = experiment.base.replace(engine=args.engine)
    return experiment.replace(**changes) if changes else experiment


def _notice(message: str) -> None:
    print(message, file=sys.stderr if message.startswith("warning") else sys.stdout, flush=True)


def _experiment_run(args) -> int:
    import sqlite3

    from experiments import Experiment, load, run_experiment
    from experiments.errors import store_failure
    from simulation.errors import ConfigError

    experiment = with_options(Experiment.from_toml(args.file), args)
    try:
        summary = run_experiment(experiment, args.output, executor=args.executor, workers=args.workers,
                                 scheduler=args.scheduler, resume=args.resume, overwrite=args.overwrite,
                                 retry_failed=args.retry_failed, progress=False if args.no_progress else None,
                                 log=_notice)
    except KeyboardInterrupt:
        try:
            runs = load(args.output, timeseries=False).runs
            stored = f"{(runs.status != 'pending').sum()} of {plural(len(runs), 'run')} are stored in {args.output}"
        except (ConfigError, OSError):
            stored = "nothing was stored"
        print(f"{chr(10) if sys.stderr.isatty() else ''}orgchange: interrupted: {stored}; run the same command "
              f"with --resume to finish", file=sys.stderr)
        return INTERRUPTED
    except sqlite3.Error as err:  # the store translates its own; this is a last resort
        raise store_failure(err, args.output) from None
    print(f"{summary.done} of {summary.total} runs done, {summary.failed} failed, in {summary.elapsed:.1f} s "
          f"({summary.ran} in this session: {summary.run_seconds:.1f} s of model time, "
          f"{summary.store_seconds:.2f} s storing)")
    for run_id, error in summary.errors[:3]:
        print(f"  run {run_id} failed: {error}")
    if summary.failed:
        print("Failed runs keep their error in the store; run them again with --resume --retry-failed.")
    print(f"Results: {args.output} (read with experiments.load, or: orgchange export {args.output} --out DIR)")
    return INCOMPLETE if summary.failed or summary.pending else OK


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
    print(f"  design:     {design.kind}{varied}: {plural(len(points), 'point')}")
    for k, point in enumerate(points.points[:5]):
        print(f"              point {k}: " + (", ".join(f"{n}={v!r}" for n, v in point.items()) or "the base"))
    if len(points) > 5:
        print(f"              ... and {len(points) - 5} more")
    print(f"  replicates: {experiment.replicates} per point and strategy; {experiment.weeks} weeks; "
          f"root seed {experiment.seed}")
    if experiment.drawn is not None:
        print(f"  posterior:  each run draws {', '.join(experiment.drawn.names)} from {experiment.posterior}")
    print(f"  runs:       {experiment.n_runs}")
    print(f"  metrics:    {', '.join(experiment.metrics)}")
    print("The experiment is valid.")
    return 0


def _experiment_status(args) -> int:
    from experiments import load

    results = load(args.store, timeseries=False)
    counts = results.runs.status.value_counts()
    m = results.manifest
    print(f"{m.get('name', '')}: {plural(len(results.runs), 'run')}: {counts.get('done', 0)} done, "
          f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending")
    print(f"created {m.get('created', '?')} with orgchange {m.get('orgchange_version', '?')}, mesa "
          f"{m.get('mesa_version', '?')}, numpy {m.get('numpy_version', '?')}, python {m.get('python_version', '?')}"
          f"; git {m.get('git_commit') or 'unknown'}")
    return 0


def _export(args) -> int:
    from experiments import export

    store = Path(args.store)
    out = Path(args.out) if args.out else store.with_suffix("")
    written = export(store, out, args.format, overwrite=args.overwrite)
    print(f"Wrote {out}/" + ", ".join(p.name for p in written))
    return 0

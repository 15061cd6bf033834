"""``orgchange calibrate`` and ``orgchange collaborative`` (issue 14).

``calibrate`` fits uncertain parameters to a hospital's own survey by
ABC-SMC (experiments.calibration; docs/calibration.md); ``collaborative``
runs one improvement campaign in many hospitals, stops it, and measures
how many improve and sustain (experiments.collaborative).
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.cli.common import (
    LazyChoices,
    add_out,
    add_seed,
    add_workers,
    parameter_help,
)
from simulation.cli.exits import INTERRUPTED, OK
from simulation.cli.experiment_commands import _executors

CALIBRATION_STORE = ("calibration.sqlite", "calibration.sqlite-journal")
"""The calibration's results file in --out (pyabc's database, orgchange's posterior tables in it)."""
CALIBRATION_OUTPUTS = ("posterior.csv", "posterior_summary.csv", "predictive.csv", "predictive.png", "posterior.png",
                       "calibration.toml")
"""What ``orgchange calibrate`` writes into --out besides the results file."""
COLLABORATIVE_OUTPUTS = ("experiment.toml", "hospitals.csv", "collaborative.png")
"""What ``orgchange collaborative`` writes into --out besides the results store."""


def add_commands(sub) -> None:
    calibrate = sub.add_parser(
        "calibrate", help="fit uncertain parameters to a hospital's own staff survey (ABC-SMC, pyabc)",
        description="Calibrate the model to SURVEY.csv (shares of positive survey answers by staff level, the QI "
                    "participation rate, quality over time; docs/calibration.md) by approximate Bayesian "
                    "computation (ABC-SMC, pyabc). Writes into --out: calibration.sqlite (pyabc's database, with "
                    "the posterior in it: give it to 'orgchange compare --posterior'), posterior.csv, "
                    "posterior_summary.csv, predictive.csv and predictive.png (the posterior predictive check), "
                    "posterior.png and calibration.toml. The same --seed gives the same posterior on any backend "
                    "and number of workers. Interrupted, finish it with --resume (which may also go on to more "
                    "--generations). Needs: pip install 'orgchange[calibrate]'.")
    calibrate.add_argument("survey", metavar="SURVEY.csv", help="the survey file (docs/calibration.md)")
    calibrate.add_argument("--config", metavar="CALIBRATION.toml",
                           help="calibration file: [calibration] parameters (priors), population, generations; "
                                "[base.*] the hospital (default: the four parameters a survey identifies, on a "
                                "generated hospital)")
    calibrate.add_argument("--org-chart", metavar="FILE", help=parameter_help("org_chart"))
    calibrate.add_argument("--staff", type=int, metavar="N", help=parameter_help("staff"))
    calibrate.add_argument("--population", type=int, metavar="N",
                           help="particles per generation (default: the file's, else 100)")
    calibrate.add_argument("--generations", type=int, metavar="G",
                           help="generations of ABC-SMC, each with a tighter tolerance (default: the file's, else 6)")
    add_seed(calibrate, "the file's, else 0")
    add_workers(calibrate)
    calibrate.add_argument("--executor", choices=LazyChoices(_executors), metavar="NAME",
                           help="where the model runs, one of %(choices)s (as for 'experiment run')")
    calibrate.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786")
    add_out(calibrate, "orgchange-calibration", resumable=True)
    calibrate.set_defaults(handler=_calibrate, option_names={"store": "--out"})

    collaborative = sub.add_parser(
        "collaborative", help="one two-year campaign in many hospitals, then stopped: who improves, who sustains",
        description="Run the same improvement campaign in --hospitals generated hospitals (each its own, drawn "
                    "from its seed) for --campaign-weeks, then stop it and follow them --follow-up-weeks; run each "
                    "hospital under business as usual too, on the same seed. A hospital improved if its quality "
                    "gain over its business-as-usual twin at the campaign's end (mean of the last 13 weeks) is at "
                    "least --meaningful; it sustained if the gain is still that large at the follow-up's end. "
                    "Prints both shares with 95% intervals beside Glasgow et al. (2012, 130 VA hospitals: 35% "
                    "and 46% improved; of those 60% and 32% sustained), and writes results.sqlite, "
                    "hospitals.csv, collaborative.png and experiment.toml into --out.")
    collaborative.add_argument("--hospitals", type=int, default=40, metavar="N",
                               help="hospitals in the collaborative (default: %(default)s)")
    collaborative.add_argument("--strategy", default="improvement_teams", metavar="NAME",
                               help="the campaign: a preset name or strategy file (default: %(default)s)")
    collaborative.add_argument("--staff", type=int, metavar="N", help=parameter_help("staff"))
    collaborative.add_argument("--campaign-weeks", type=int, default=104, metavar="W",
                               help="weeks the campaign runs (default: %(default)s)")
    collaborative.add_argument("--follow-up-weeks", type=int, default=104, metavar="W",
                               help="weeks the hospitals are followed after it stops (default: %(default)s)")
    collaborative.add_argument("--meaningful", type=float, default=0.02, metavar="X",
                               help="the smallest quality gain that counts as an improvement, in share of care "
                                    "without a defect (default: %(default)s)")
    add_seed(collaborative)
    add_workers(collaborative)
    add_out(collaborative, "orgchange-collaborative", resumable=True)
    collaborative.set_defaults(handler=_collaborative, option_names={"store": "--out"})


def _positive(value, option: str, low: int = 1) -> None:
    from simulation.errors import ConfigError

    if value is not None and value < low:
        raise ConfigError(f"must be an integer >= {low}, got {value}", (option,))


def _calibration(args):
    """The calibration the options describe: --config's file (or none), the
    survey, the hospital and the sizes given here in place of the file's."""
    from experiments.calibration import Calibration
    from experiments.survey import read_survey
    from simulation.errors import ConfigError

    _positive(args.population, "--population", 2)
    _positive(args.generations, "--generations")
    if args.org_chart and args.staff is not None:
        raise ConfigError("--org-chart and --staff: choose one (a chart has its own size)")
    survey = read_survey(args.survey)
    overrides = {"population": args.population, "generations": args.generations, "seed": args.seed}
    if args.config:
        from simulation import tomlio

        tables, _ = tomlio.read(args.config, "calibration file")
        base_dir = Path(args.config).parent
    else:
        tables, base_dir = {}, Path.cwd()
    if args.org_chart or args.staff is not None:
        base = dict(tables.get("base", {}))
        organization = {k: v for k, v in dict(base.get("organization", {})).items() if k not in ("org_chart", "staff")}
        organization.update({"org_chart": str(Path(args.org_chart).resolve())} if args.org_chart else
                            {"staff": args.staff})
        tables = {**tables, "base": {**base, "organization": organization}}
    if args.config:
        from experiments.errors import ExperimentError

        try:
            return Calibration.from_dict(tables, survey, base_dir, **overrides)
        except ExperimentError as err:
            if err.source:
                raise
            from simulation import tomlio

            text = Path(args.config).read_text(encoding="utf-8")
            raise ExperimentError(err.message, err.location, source=args.config,
                                  line=tomlio.line_of(text, err.location)) from None
    return Calibration.from_dict(tables, survey, base_dir, **overrides)


def _calibrate(args) -> int:
    from experiments import figures
    from experiments.calibration import predictive_check, run_calibration, summarize
    from experiments.calibration_figures import posterior_figure, predictive_figure
    from simulation.outputs import prepare_folder

    try:
        import pyabc  # noqa: F401
    except ImportError:
        from simulation.errors import ConfigError

        raise ConfigError("calibrate needs pyabc, the optional extra: pip install 'orgchange[calibrate]'") from None
    calibration = _calibration(args)
    out = Path(args.out)
    prepare_folder(out, [*CALIBRATION_STORE, *CALIBRATION_OUTPUTS], args.overwrite, "out", resumable=True,
                   resume=args.resume, keep=CALIBRATION_STORE)
    store = out / CALIBRATION_STORE[0]
    where = calibration.base.org_chart or f"a generated hospital of {calibration.base.staff} staff"
    print(f"Calibrating to {args.survey} ({len(calibration.survey.targets)} targets) on {where}, root seed "
          f"{calibration.seed}:")
    for name, (low, high) in calibration.priors.items():
        print(f"  {name:22s} uniform prior on [{low:g}, {high:g}]")
    try:
        result = run_calibration(calibration, store, executor=args.executor, workers=args.workers,
                                 scheduler=args.scheduler, resume=args.resume, overwrite=args.overwrite,
                                 log=lambda message: print(message, flush=True))
    except KeyboardInterrupt:
        print("\norgchange: interrupted: the finished generations are stored; run the same command with --resume "
              "to finish", file=sys.stderr)
        return INTERRUPTED
    summary = summarize(result.posterior, calibration.priors)
    table = predictive_check(calibration, result.posterior)
    (out / "calibration.toml").write_text(calibration.to_toml(), encoding="utf-8")
    frame = result.posterior
    import pandas as pd

    pd.DataFrame(frame.values, columns=list(frame.names)).assign(weight=frame.weights).to_csv(
        out / "posterior.csv", index=False)
    summary.to_csv(out / "posterior_summary.csv", index=False)
    table.to_csv(out / "predictive.csv", index=False)
    figures.save(posterior_figure(frame, summary), out / "posterior.png")
    figures.save(predictive_figure(table), out / "predictive.png")
    print(f"\nPosterior after {result.generations} generations (tolerance {result.epsilons[-1]:.3g}; "
          f"{sum(result.simulations)} simulations), mean and 95% credible interval:")
    for row in summary.itertuples():
        print(f"  {row.parameter:22s} {row.mean:.3f} [{row.low:.3f}, {row.high:.3f}]  (prior [{row.prior_low:g}, "
              f"{row.prior_high:g}])")
    inside = int(table["inside"].sum())
    print(f"\nPosterior predictive check ({calibration.predictive_draws} draws): {inside} of {len(table)} survey "
          f"targets inside the model's 95% interval")
    for row in table.itertuples():
        print(f"  {row.target:24s} survey {row.observed:.3f}   model {row.median:.3f} [{row.low:.3f}, {row.high:.3f}]"
              f"{'' if row.inside else '   OUTSIDE'}")
    print(f"\nWrote {out}/" + ", ".join([CALIBRATION_STORE[0], *CALIBRATION_OUTPUTS]))
    print(f"Compare strategies with this posterior: orgchange compare --strategies business_as_usual mandate "
          f"--posterior {store}")
    return OK


def _collaborative(args) -> int:
    from experiments import figures, load
    from experiments.collaborative import FIELD, collaborative_experiment, collaborative_figure, outcomes_of, summarize
    from simulation.cli.analysis_commands import _execute, _prepare_out
    from simulation.errors import ConfigError

    _positive(args.hospitals, "--hospitals")
    _positive(args.campaign_weeks, "--campaign-weeks")
    _positive(args.follow_up_weeks, "--follow-up-weeks")
    if not 0.0 < args.meaningful < 1.0:
        raise ConfigError(f"must be a quality gain in (0, 1), got {args.meaningful}", ("--meaningful",))
    experiment = collaborative_experiment(args.hospitals, args.strategy, 0 if args.seed is None else args.seed,
                                          args.staff, args.campaign_weeks, args.follow_up_weeks)
    _prepare_out(args, COLLABORATIVE_OUTPUTS)
    print(f"{experiment.name}: {args.hospitals} hospitals, each also under business as usual on the same seed "
          f"({experiment.n_runs} runs of {experiment.weeks} weeks), root seed {experiment.seed}")
    try:
        store = _execute(experiment, args)
    except KeyboardInterrupt:
        print("\norgchange: interrupted: the finished runs are stored; run the same command with --resume to "
              "finish", file=sys.stderr)
        return INTERRUPTED
    out = Path(args.out)
    (out / "experiment.toml").write_text(experiment.to_toml(), encoding="utf-8")
    outcomes = outcomes_of(load(store), args.campaign_weeks, meaningful=args.meaningful)
    outcomes.to_csv(out / "hospitals.csv", index=False)
    shares = summarize(outcomes)
    figures.save(collaborative_figure(outcomes, args.meaningful, experiment.name), out / "collaborative.png")
    q = outcomes[["gain_end", "gain_follow_up"]].quantile([0.1, 0.5, 0.9])
    print("\nQuality gain over each hospital's business-as-usual twin (10th, 50th, 90th percentile):")
    print(f"  at the campaign's end (week {args.campaign_weeks}):  "
          + ", ".join(f"{v:+.3f}" for v in q["gain_end"]))
    print(f"  {args.follow_up_weeks} weeks after it stopped:        "
          + ", ".join(f"{v:+.3f}" for v in q["gain_follow_up"]))
    print(f"\nImproved (gain >= {args.meaningful:g} at the campaign's end): {shares['improved']}")
    print(f"Sustained (of those, gain still >= {args.meaningful:g} at the end): {shares['sustained']}")
    print(f"Field (Glasgow et al. 2012, 130 VA hospitals): improved {FIELD['improved'][0]:.0%} and "
          f"{FIELD['improved'][1]:.0%} (two measures); of those, sustained {FIELD['sustained'][0]:.0%} and "
          f"{FIELD['sustained'][1]:.0%}")
    print(f"\nWrote {out}/results.sqlite, " + ", ".join(COLLABORATIVE_OUTPUTS))
    return OK

"""How the defaults were calibrated, and how much the patterns depend on them.

Run from the repository root:

    python benchmarks/calibrate.py presets [--replicates 30]
        Five-year outcomes of every preset strategy under the defaults:
        mean and 95% confidence interval over replicates (the README table).

    python benchmarks/calibrate.py claims
        Every claim of patterns P1-P9 under the defaults, with its interval:
        the margins the pattern tests rely on.

    python benchmarks/calibrate.py science
        Every claim of the model's mechanisms (experiments.science: outcomes,
        feedback loops, levers' costs and reach, the field sites'
        behaviours), each with its interval, as tests/test_science.py
        asserts them.

    python benchmarks/calibrate.py matrix [--scale 0.5] [--csv FILE] [--workers 2]
                                          [--roots 0,101,202,303] [--staff 100,500,2000] [--chart FILE ...]
        The pattern matrix: every claim on generated hospitals of 100, 500
        and 2,000 staff and on the example chart, under the calibration root
        seed and the three held-out roots, with ``scale`` times each claim's
        replicates; a summary per hospital and root, then every claim that
        fails (docs/ODD.md section 10.2); with --csv, every claim with its
        interval into FILE (one row per hospital, root, pattern and claim).
        --roots, --staff and --chart put other seeds and hospitals to the
        test (every root but 0 gives seeds the calibration never saw).

    python benchmarks/calibrate.py tipping [--out DIR]
        The tipping figure (DIR/tipping.png): 40 histories of one hospital at
        its edge, on two paths as their programmes last or lapse, with the
        tipping claims (docs/ODD.md 1.3 and 7.2).

    python benchmarks/calibrate.py out-of-sample
        The patterns held out of calibration (experiments.holdout: H2,
        tipping; H3, the improvers' baseline culture in a collaborative), on
        the default hospital: checks of the model on what it was not fitted
        to (docs/ODD.md section 10.2).

    python benchmarks/calibrate.py sensitivity [--scale 0.5] [--workers 2] [--csv FILE]
        For each calibrated parameter, halve it and raise it by half (within
        its allowed range) and report which patterns stop holding. The
        claims run with ``scale`` times their usual replicates, on the
        calibration root (docs/calibrated_sensitivity.csv, docs/ODD.md 10.1).

    python benchmarks/calibrate.py screening [--out DIR] [--workers 2]
        Morris screening (SALib) of every parameter whose source is a pure
        assumption, each from half to one and a half times its default, on
        the five-year outcomes of business as usual and of the full
        transformation: the mean absolute elementary effect mu* of each, in
        the outcome's units, ranked (docs/ODD.md 10.1; the table is
        docs/assumption_screening.csv, the store DIR/screening.sqlite).

Each part shows its progress (runs or claims done, and the time left) on
a terminal, and stays quiet when its output goes to a file.

The calibration itself was a loop over the last two: start from values
taken from the literature where there are any (turnover, CEO turnover, the
level gradient), set the others from the pattern they govern (see the
calibration table in docs/ODD.md), check every claim, adjust, repeat.
"""

from __future__ import annotations

import argparse
import inspect
import sys

import numpy as np
import pandas as pd

from experiments.patterns import CLAIMS, Interval, preset
from experiments.replicates import replicate_seeds
from simulation import Config, OrgChangeModel
from simulation.errors import ConfigError
from simulation.organization import ChartError
from simulation.parameters import PARAMETERS
from simulation.progress import progress_bar
from simulation.strategy import load_strategy, preset_names

CALIBRATED = tuple(name for name, p in PARAMETERS.items() if p.source.startswith("calibrated"))
"""The defaults set by calibration (their source says so), in the order of `PARAMETERS`."""


def preset_outcomes(replicates: int) -> str:
    """A markdown table of every preset's five-year outcomes."""
    rows = ["| preset | frontline commitment | frontline QI practice | quality | projects succeeded "
            "| leader-hours a week |", "| --- | --- | --- | --- | --- | --- |"]
    seeds = replicate_seeds(2026, replicates)
    with progress_bar(len(preset_names()) * replicates, "runs") as bar:
        outcomes = {}
        for name in preset_names():
            bar.set_description_str(name)
            outcomes[name] = []
            for s in seeds:
                outcomes[name].append(OrgChangeModel(preset(name).replace(seed=s)).run())
                bar.update()
    for name, runs in outcomes.items():
        last = [df.iloc[-1] for df in runs]
        cells = [Interval.of([r[c] for r in last]) for c in
                 ("commitment_frontline", "practice_frontline", "quality", "projects_succeeded")]
        hours = Interval.of([df["leader_hours"].iloc[1:].mean() for df in runs])
        rows.append(f"| {load_strategy(name).name} | " + " | ".join(_pm(c) for c in cells)
                    + f" | {_pm(hours, 1)} |")
    return "\n".join(rows)


def _pm(interval: Interval, digits: int = 3) -> str:
    return f"{interval.mean:.{digits}f} ± {(interval.high - interval.mean):.{digits}f}"


def claims(base: Config | None = None, scale: float = 1.0, verbose: bool = True) -> dict[str, bool]:
    """Run every pattern's claims; return whether each pattern holds."""
    held = {}
    with progress_bar(len(CLAIMS), "patterns", enabled=None if verbose else False) as bar:
        for pattern, make in CLAIMS.items():
            bar.set_description_str(pattern)
            replicates = max(3, round(scale * inspect.signature(make).parameters["replicates"].default))
            results = make(replicates, base=base)
            held[pattern] = all(c.holds for c in results)
            if verbose:
                bar.write(f"{pattern} ({replicates} replicates)\n" + "\n".join(f"  {c}" for c in results),
                          file=sys.stdout)
            bar.update()
    return held


def _settings() -> list[tuple[str, float, int | float]]:
    """Each calibrated default halved and raised by half, within its allowed range."""
    settings = []
    for name in CALIBRATED:
        p = PARAMETERS[name]
        for factor in (0.5, 1.5):
            value = float(np.clip(p.default * factor, p.low, p.high))
            settings.append((name, factor, int(round(value)) if p.kind == "int" else value))
    return settings


def _failing(setting: tuple[str, float, int | float], scale: float) -> str:
    """The patterns that fail under one setting, space-separated ("none" if all hold)."""
    name, _, value = setting
    held = claims(Config(**{name: value}), scale, verbose=False)
    return " ".join(k for k, ok in held.items() if not ok) or "none"


def sensitivity(scale: float, workers: int = 1, csv: str | None = None) -> None:
    """Which patterns fail when each calibrated default is halved or raised by
    half; with ``csv``, the same table into that file. Each setting's claims
    are seeded by themselves, so any number of ``workers`` gives the same table."""
    import functools
    from concurrent.futures import ProcessPoolExecutor

    settings = _settings()
    print(f"{'parameter':26s} {'default':>8s} {'value':>8s}  patterns that fail")
    rows = []
    with ProcessPoolExecutor(workers) as pool, progress_bar(len(settings), "settings") as bar:
        for (name, factor, value), failing in zip(settings, pool.map(functools.partial(_failing, scale=scale),
                                                                     settings)):
            default = PARAMETERS[name].default
            bar.write(f"{name:26s} {default:8g} {value:8g}  {failing}", file=sys.stdout)
            sys.stdout.flush()
            rows.append((name, default, factor, value, failing))
            bar.update()
    table = pd.DataFrame(rows, columns=["parameter", "default", "factor", "value", "failing"])
    if csv:
        table.to_csv(csv, index=False)
    print("\nAs markdown (the ODD's table, 10.1):")
    print(_markdown(sensitivity_summary(table)))


def sensitivity_summary(table):
    """One row per calibrated parameter: its default, and the patterns that
    fail when it is halved and when it is raised by half (value in brackets)."""
    def cell(rows) -> str:
        row = rows.iloc[0]
        return f"{row['failing']} ({row['value']:g})"

    return pd.DataFrame([{"parameter": f"`{name}`", "default": f"{group['default'].iloc[0]:g}",
                          "halved": cell(group[group["factor"] == 0.5]),
                          "raised by half": cell(group[group["factor"] == 1.5])}
                         for name, group in table.groupby("parameter", sort=False)])


MATRIX_STAFF = (100, 500, 2000)
"""The generated hospitals of the pattern matrix, by head count."""
MATRIX_CHART = "examples/community_hospital.csv"
"""The org chart of the pattern matrix: the shipped 73-person example."""


def matrix_hospitals(staff=MATRIX_STAFF, charts=(MATRIX_CHART,)) -> dict[str, Config]:
    """The hospitals of a pattern matrix, by label: generated ones of each
    head count in ``staff`` and one loaded from each org chart in ``charts``
    (the shipped example is labelled "example chart", any other by its path)."""
    hospitals = {f"{n:,} staff": Config(staff=n) for n in staff}
    for chart in charts:
        config = Config(org_chart=chart)
        OrgChangeModel(config)  # read the chart now, so that a bad one stops the matrix before it starts
        hospitals["example chart" if chart == MATRIX_CHART else chart] = config
    return hospitals


def _matrix_cell(cell: tuple[str, Config, int], scale: float) -> pd.DataFrame:
    """Every claim on one hospital under one root seed."""
    from experiments.patterns import pattern_matrix

    label, base, root = cell
    return pattern_matrix({label: base}, roots=(root,), scale=scale)


def matrix(scale: float, csv: str | None = None, hospitals: dict[str, Config] | None = None,
           roots: tuple[int, ...] | None = None, workers: int = 1) -> None:
    """Print the pattern matrix as markdown: how many claims hold (or do not
    apply) per hospital and root seed, then the claims that fail. Each cell
    (a hospital under a root) seeds its claims itself, so any number of
    ``workers`` gives the same matrix."""
    import functools
    from concurrent.futures import ProcessPoolExecutor

    from experiments.patterns import CALIBRATION_ROOT, HELD_OUT_ROOTS

    hospitals = matrix_hospitals() if hospitals is None else hospitals
    roots = (CALIBRATION_ROOT, *HELD_OUT_ROOTS) if roots is None else roots
    cells = [(label, base, root) for label, base in hospitals.items() for root in roots]
    frames = []
    with ProcessPoolExecutor(workers) as pool, progress_bar(total=len(cells), unit="cell") as bar:
        for (label, _, root), frame in zip(cells, pool.map(functools.partial(_matrix_cell, scale=scale), cells)):
            bar.write(f"{label} root {root}: {int(frame.holds.sum())} of {len(frame)} claims hold", file=sys.stdout)
            sys.stdout.flush()
            frames.append(frame)
            bar.update()
    df = pd.concat(frames, ignore_index=True)
    if csv:
        df.to_csv(csv, index=False)
    summary = df.groupby(["hospital", "root"], sort=False).agg(
        claims=("holds", "size"), hold=("holds", "sum"), not_applicable=("applies", lambda a: int((~a).sum())))
    print(_markdown(summary.reset_index()))
    print()
    print(_markdown(df[~df.holds][["hospital", "root", "pattern", "claim", "mean", "low", "high"]].round(3)))


def _whole_numbers(text: str) -> tuple[int, ...]:
    """A comma-separated list of whole numbers, for --roots and --staff."""
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole numbers separated by commas (as in 404,505), "
                                         f"got {text!r}") from None
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return values


def _head_counts(text: str) -> tuple[int, ...]:
    """--staff: whole numbers, or "none" for a matrix of org charts alone."""
    if text == "none":
        return ()
    try:
        return _whole_numbers(text)
    except argparse.ArgumentTypeError as err:
        raise argparse.ArgumentTypeError(f"{err} (or none, for org charts alone)") from None


def tipping(out: str) -> None:
    """Draw the tipping figure (issue 12) into ``out``/tipping.png, and print its claims."""
    from pathlib import Path

    from experiments.figures import save, tipping_figure
    from experiments.science import bimodality, claims_tipping, tipping_runs

    runs = tipping_runs(40, trajectories=True)
    separation, high = bimodality(runs["practice"].to_numpy())
    save(tipping_figure(runs, high, f"Tipping: hospital 11, 40 histories at its edge (Ashman's D {separation:.1f})"),
         Path(out) / "tipping.png")
    for claim in claims_tipping():
        print(claim)


def science() -> None:
    """Print the claims of every mechanism of issues 12 and 13
    (`experiments.science`, each at its own replicates), as
    tests/test_science.py asserts them."""
    from experiments import science as mechanisms

    with progress_bar(len(mechanisms.__all__), "mechanisms") as bar:  # the module lists its claims, in its order
        for name in mechanisms.__all__:
            bar.set_description_str(name)
            bar.write(f"{name}\n" + "\n".join(f"  {c}" for c in getattr(mechanisms, name)()), file=sys.stdout)
            sys.stdout.flush()
            bar.update()


def out_of_sample() -> None:
    """Print every held-out pattern's claims (never part of any calibration)."""
    from experiments.holdout import OUT_OF_SAMPLE

    for label, make in OUT_OF_SAMPLE.items():
        for claim in make():
            print(f"{label}  {claim}")
            sys.stdout.flush()


def _markdown(frame) -> str:
    """A data frame as a markdown table (pandas' own needs the tabulate package)."""
    rows = [list(map(str, frame.columns)), ["---"] * frame.shape[1]]
    rows += [[str(v) for v in row] for row in frame.itertuples(index=False)]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


SCREENING_OUTCOMES = ("commitment_frontline", "practice_frontline", "quality")
"""The five-year outcomes the screening ranks the assumptions on."""


def screening(out: str, workers: int) -> None:
    """Run `experiments.sensitivity.assumption_screening` into ``out``/screening.sqlite (resumable),
    write docs/assumption_screening.csv and print each outcome's ranking."""
    from pathlib import Path

    from experiments import analysis, load, run_experiment, sensitivity

    store = Path(out) / "screening.sqlite"
    run_experiment(sensitivity.assumption_screening(), store, workers=workers, resume=True)
    results = load(store)
    comparison = analysis.compare(results)
    tables = []
    for outcome in SCREENING_OUTCOMES:
        result = sensitivity.analyze(comparison.outcomes, results.manifest["design"], outcome)
        tables.append(result.table.assign(outcome=outcome))
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    table = pd.concat(tables)
    table["rank"] = table.groupby(["outcome", "strategy"])["mu_star"].rank(ascending=False, method="first")
    table = table.sort_values(["outcome", "strategy", "rank"])
    table.round(5).to_csv("docs/assumption_screening.csv", index=False)
    for (outcome, strategy), group in table.groupby(["outcome", "strategy"], sort=False):
        print(f"\n{outcome}, {strategy}")
        print(_markdown(group[["rank", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"]]
                        .head(12).round(4)))
    print("\nEach assumption where it matters most (the ODD's table, 10.1):")
    print(_markdown(screening_summary(table)))


def screening_summary(table):
    """One row per assumption, largest first: the outcome and strategy where
    its mu* is largest, that mu* with its 95% interval, and its direction
    (the sign of mu, where mu is at least half of mu*: else "mixed")."""
    top = table.loc[table.groupby("parameter")["mu_star"].idxmax()].sort_values("mu_star", ascending=False)
    direction = np.where(top["mu"] >= 0.5 * top["mu_star"], "+",
                         np.where(top["mu"] <= -0.5 * top["mu_star"], "-", "mixed"))
    return top.assign(
        parameter=[f"`{name}`" for name in top["parameter"]],
        where=[f"{outcome}, {strategy}" for outcome, strategy in zip(top["outcome"], top["strategy"])],
        mu_star=[f"{m:.3f} [{m - c:.3f}, {m + c:.3f}]" for m, c in zip(top["mu_star"], top["mu_star_conf"])],
        direction=direction)[["parameter", "where", "mu_star", "direction"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=["presets", "claims", "science", "matrix", "out-of-sample", "sensitivity",
                                           "tipping", "screening"])
    parser.add_argument("--replicates", type=int, default=30, help="replicates per preset (presets)")
    parser.add_argument("--scale", type=float, default=0.5,
                        help="share of each claim's replicates (matrix, sensitivity)")
    parser.add_argument("--out", default=".", help="folder for the figure (tipping) or the store (screening)")
    parser.add_argument("--workers", type=int, default=2, help="processes (matrix, screening, sensitivity)")
    parser.add_argument("--roots", type=_whole_numbers, default=None,
                        help="root seeds of the matrix, comma-separated (default: 0,101,202,303)")
    parser.add_argument("--staff", type=_head_counts, default=MATRIX_STAFF,
                        help="head counts of the matrix's generated hospitals, comma-separated, or none "
                             "(org charts only; default: 100,500,2000)")
    parser.add_argument("--chart", action="append", default=None,
                        help="an org chart for the matrix (repeatable; default: the shipped example)")
    parser.add_argument("--csv", default=None,
                        help="file for every claim of the matrix, with its interval (matrix), or the table "
                             "(sensitivity)")
    args = parser.parse_args()
    if args.part == "presets":
        print(preset_outcomes(args.replicates))
    elif args.part == "matrix":
        try:
            hospitals = matrix_hospitals(args.staff, tuple(args.chart or (MATRIX_CHART,)))
        except (ConfigError, ChartError) as err:  # a head count out of range, a chart that is not there
            parser.error(str(err))
        matrix(args.scale, args.csv, hospitals, args.roots, args.workers)
    elif args.part == "tipping":
        tipping(args.out)
    elif args.part == "out-of-sample":
        out_of_sample()
    elif args.part == "science":
        science()
    elif args.part == "screening":
        screening(args.out, args.workers)
    elif args.part == "claims":
        held = claims()
        print("patterns holding:", sum(held.values()), "of", len(held))
    else:
        sensitivity(args.scale, args.workers, args.csv)


if __name__ == "__main__":
    main()

"""How the defaults were calibrated, and how much the patterns depend on them.

Run from the repository root:

    python benchmarks/calibrate.py presets [--replicates 30]
        Five-year outcomes of every preset strategy under the defaults:
        mean and 95% confidence interval over replicates (the README table).

    python benchmarks/calibrate.py claims
        Every claim of patterns P1-P8 under the defaults, with its interval:
        the margins the pattern tests rely on.

    python benchmarks/calibrate.py matrix [--scale 0.5] [--csv FILE]
        The pattern matrix: every claim on generated hospitals of 100, 500
        and 2,000 staff and on the example chart, under the calibration root
        seed and the three held-out roots, with ``scale`` times each claim's
        replicates; a summary per hospital and root, then every claim that
        fails (docs/ODD.md section 10.2); with --csv, every claim with its
        interval into FILE (one row per hospital, root, pattern and claim).

    python benchmarks/calibrate.py tipping [--out DIR]
        The tipping figure (DIR/tipping.png): 40 histories of one hospital at
        its edge, on two paths as their programmes last or lapse, with the
        tipping claims (docs/ODD.md 1.3 and 7.2).

    python benchmarks/calibrate.py out-of-sample
        The patterns held out of calibration (experiments.holdout: H2,
        tipping; H3, the improvers' baseline culture in a collaborative), on
        the default hospital: checks of the model on what it was not fitted
        to (docs/ODD.md section 10.2).

    python benchmarks/calibrate.py sensitivity [--scale 0.5]
        For each calibrated parameter, halve it and raise it by half (within
        its allowed range) and report which patterns stop holding. The
        claims run with ``scale`` times their usual replicates.

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
import time

import numpy as np

from experiments.patterns import CLAIMS, Interval, preset
from experiments.replicates import replicate_seeds
from simulation import Config, OrgChangeModel
from simulation.parameters import PARAMETERS
from simulation.progress import progress_bar
from simulation.strategy import load_strategy, preset_names

CALIBRATED = ["frontline_commitment", "middle_commitment", "predisposition_spread", "susceptibility",
              "influence_rate", "manager_weight", "leader_weight", "rounding_weight", "feedback_boost",
              "broken_promise_cynicism", "practice_threshold", "practice_uptake", "practice_learning",
              "development_rate", "project_hazard", "energy_recovery", "alignment_rate"]
"""The defaults set by calibration, in the order of the ODD's calibration table."""


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


def sensitivity(scale: float) -> None:
    """Which patterns fail when each calibrated default is halved or raised by half."""
    print(f"{'parameter':26s} {'default':>8s} {'value':>8s}  patterns that fail")
    with progress_bar(2 * len(CALIBRATED), "settings") as bar:
        for name in CALIBRATED:
            p, default = PARAMETERS[name], PARAMETERS[name].default
            for factor in (0.5, 1.5):
                bar.set_description_str(f"{name} x {factor:g}")
                value = float(np.clip(default * factor, p.low, p.high))
                if p.kind == "int":
                    value = int(round(value))
                started = time.perf_counter()
                held = claims(Config(**{name: value}), scale, verbose=False)
                failing = " ".join(k for k, ok in held.items() if not ok) or "none"
                bar.write(f"{name:26s} {default:8g} {value:8g}  {failing}   ({time.perf_counter() - started:.0f} s)",
                          file=sys.stdout)
                sys.stdout.flush()
                bar.update()


MATRIX_HOSPITALS = {"100 staff": Config(staff=100), "500 staff": Config(), "2,000 staff": Config(staff=2000),
                    "example chart": Config(org_chart="examples/community_hospital.csv")}
"""The hospitals of the pattern matrix: generated ones of three sizes and the shipped 73-person chart."""


def matrix(scale: float, csv: str | None = None) -> None:
    """Print the pattern matrix as markdown: how many claims hold (or do not
    apply) per hospital and root seed, then the claims that fail."""
    from experiments.patterns import pattern_matrix

    with progress_bar(total=len(MATRIX_HOSPITALS) * 4 * len(CLAIMS), unit="pattern") as bar:
        df = pattern_matrix(MATRIX_HOSPITALS, scale=scale, progress=lambda label: bar.update())
    if csv:
        df.to_csv(csv, index=False)
    summary = df.groupby(["hospital", "root"], sort=False).agg(
        claims=("holds", "size"), hold=("holds", "sum"), not_applicable=("applies", lambda a: int((~a).sum())))
    print(_markdown(summary.reset_index()))
    print()
    print(_markdown(df[~df.holds][["hospital", "root", "pattern", "claim", "mean", "low", "high"]].round(3)))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=["presets", "claims", "matrix", "out-of-sample", "sensitivity", "tipping"])
    parser.add_argument("--replicates", type=int, default=30, help="replicates per preset (presets)")
    parser.add_argument("--scale", type=float, default=0.5,
                        help="share of each claim's replicates (matrix, sensitivity)")
    parser.add_argument("--out", default=".", help="folder for the figure (tipping)")
    parser.add_argument("--csv", default=None, help="file for every claim of the matrix, with its interval (matrix)")
    args = parser.parse_args()
    if args.part == "presets":
        print(preset_outcomes(args.replicates))
    elif args.part == "matrix":
        matrix(args.scale, args.csv)
    elif args.part == "tipping":
        tipping(args.out)
    elif args.part == "out-of-sample":
        out_of_sample()
    elif args.part == "claims":
        held = claims()
        print("patterns holding:", sum(held.values()), "of", len(held))
    else:
        sensitivity(args.scale)


if __name__ == "__main__":
    main()

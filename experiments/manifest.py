"""What an experiment's store records about how its results were made."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import subprocess
from pathlib import Path
from typing import Any

from experiments.experiment import Experiment
from experiments.store import SCHEMA_VERSION

PACKAGES = ("orgchange", "mesa", "numpy", "networkx", "scipy", "pandas", "SALib")


def package_versions() -> dict[str, str]:
    """Installed versions of orgchange and what its results depend on, and Python's."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = ""
    versions["python"] = platform.python_version()
    return versions


def git_commit() -> str:
    """The commit of the orgchange source, when it is a git checkout, with
    ``-dirty`` if tracked files have changed since; "" otherwise.

    Only reads: ``--no-optional-locks`` keeps ``git status`` from refreshing
    the index.
    """
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "--no-optional-locks", "-C", str(here), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True, timeout=10,
                                check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{commit}-dirty" if status else commit


def design_record(experiment: Experiment) -> dict[str, Any]:
    """Everything needed to rebuild the design for analysis: the settings,
    SALib's ``problem`` and the sampled matrix (before integer rounding)."""
    points, design = experiment.points, experiment.design
    salib = {}  # the same settings under the names SALib's analyze functions take
    if design.kind == "morris":
        salib["num_levels"] = design.levels
    if design.kind == "sobol":
        salib["calc_second_order"] = design.second_order
    return {
        **design.to_dict(),
        **salib,
        "points": len(points),
        "seed": points.seed,
        "problem": points.problem,
        "matrix": None if points.matrix is None else points.matrix.tolist(),
    }


def build_manifest(experiment: Experiment) -> dict[str, Any]:
    """The manifest of a new store (see `experiments.store`)."""
    versions = package_versions()
    return {
        "schema_version": SCHEMA_VERSION,
        "name": experiment.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "orgchange_version": versions["orgchange"],
        "mesa_version": versions["mesa"],
        "numpy_version": versions["numpy"],
        "networkx_version": versions["networkx"],
        "python_version": versions["python"],
        "versions": versions,
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "root_seed": experiment.seed,
        "n_runs": experiment.n_runs,
        "experiment_path": str(Path(experiment.source).resolve()) if experiment.source else "",
        "experiment_toml": experiment.text or experiment.to_toml(),
        "experiment_resolved": experiment.to_toml(),
        "metrics": list(experiment.metrics),
        "strategies": {label: {"name": s.name, "description": s.description, "levers": s.plain_levers()}
                       for label, s in experiment.strategies.items()},
        "design": design_record(experiment),
        "sessions": [],
    }

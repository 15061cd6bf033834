"""Draw the figures of the README and docs again, each from the command its
caption names.

Run from the repository root (``make figures`` runs it)::

    python docs/make_figures.py               # every figure (a few minutes)
    python docs/make_figures.py summary       # only these (names: see --list)
    python docs/make_figures.py --list

Each figure is made by running its command, as a user would, in a
temporary folder, and copying what it drew into ``docs/figures/``. The
README's top figure also keeps the data it was drawn from,
``docs/figures/summary.csv``, and carries that file's SHA-256 in the PNG's
metadata (``orgchange-data-sha256``): ``tests/test_figures_current.py``
runs the caption's command and checks that it gives that data, and that the
PNG was drawn from it. After a change to the model, run this and commit the
new figures with the change.

The planner's report is photographed with Debian's headless Chromium if it
is installed (else that figure is left as it is). The dashboard's pictures,
``docs/figures/dashboard*.png`` (the README's, the guide's session steps and
the 1920x1080 view), are browser screenshots of the running dashboard, not a
command's output; ``tests/test_dashboard_browser.py`` leaves fresh ones in
``tests/artifacts/``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
DATA_KEY = "orgchange-data-sha256"
"""The PNG text chunk that names the data a figure was drawn from (the SHA-256 of its CSV)."""


@dataclass(frozen=True)
class Figure:
    """One figure: the command that draws it, run in a fresh folder with
    ``{out}`` its output folder, and which of its files go where.

    ``copies`` maps a file the command writes (relative to ``{out}``) to its
    name in docs/figures. ``data`` is the file, among those, whose contents
    the figure shows, kept beside it and stamped into the first PNG.
    """

    name: str
    command: str
    copies: dict[str, str]
    shown_in: str
    data: str = ""


SUMMARY_COMMAND = "orgchange run --strategy full_transformation"
"""The command the README's top figure comes from, as its caption gives it."""

COMPARE = ("orgchange compare --strategies business_as_usual ceo_champion examples/analysis/ceo_champion_leaves.toml "
           "full_transformation --replicates 10 --weeks 208 --staff 200 --seed 2026")

ALL = [
    Figure("summary", SUMMARY_COMMAND + " --out {out}", {"summary.png": "summary.png", "timeseries.csv": "summary.csv"},
           "README.md (top)", data="timeseries.csv"),
    Figure("compare", COMPARE + " --out {out}",
           {"trajectories.png": "compare_trajectories.png", "effort_benefit.png": "compare_effort_benefit.png"},
           "docs/analysis.md (orgchange compare)"),
    Figure("sweep", "orgchange sweep examples/analysis/follow_through.toml --out {out}",
           {"sweep_commitment_frontline.png": "sweep_commitment_frontline.png"}, "docs/analysis.md (orgchange sweep)"),
    Figure("morris", "orgchange sensitivity examples/analysis/screening.toml --out {out}",
           {"sensitivity_commitment_frontline.png": "morris_commitment_frontline.png"},
           "docs/analysis.md (orgchange sensitivity, Morris)"),
    Figure("sobol", "orgchange sensitivity examples/analysis/sobol.toml --out {out}",
           {"sensitivity_commitment_frontline.png": "sobol_commitment_frontline.png"},
           "docs/analysis.md (orgchange sensitivity, Sobol)"),
    Figure("collaborative", "orgchange collaborative --hospitals 40 --out {out}",
           {"collaborative.png": "collaborative.png"}, "docs/calibration.md (orgchange collaborative)"),
    Figure("tipping", f"{sys.executable} {ROOT / 'benchmarks' / 'calibrate.py'} tipping --out {{out}}",
           {"tipping.png": "tipping.png"}, "docs/ODD.md (1.3, claims_tipping)"),
    Figure("report", COMPARE + " --out {out} && orgchange report {out}/results.sqlite && "
                               "{chromium} --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars "
                               "--user-data-dir={out}/profile --screenshot={out}/report.png --window-size=1100,1300 "
                               "file://{out}/report.html",
           {"report.png": "report_screenshot.png"}, "docs/analysis.md (orgchange report)"),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamp(png: Path, data: Path) -> None:
    """Write the SHA-256 of ``data`` into the PNG's metadata (the picture is unchanged)."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(DATA_KEY, sha256(data))
    with Image.open(png) as image:
        image.load()
        image.save(png, pnginfo=info)


def stamped(png: Path) -> str:
    """The data SHA-256 a PNG carries ("" if none)."""
    from PIL import Image

    with Image.open(png) as image:
        return image.text.get(DATA_KEY, "") if hasattr(image, "text") else ""


def make(figure: Figure, folder: Path) -> list[Path]:
    """Run ``figure``'s command in ``folder`` and copy its files into docs/figures."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if "{chromium}" in figure.command and not chromium:
        print(f"{figure.name}: skipped (no chromium; apt-get install chromium)")
        return []
    out = folder / figure.name
    command = figure.command.format(out=shlex.quote(str(out)), chromium=chromium)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "MPLBACKEND": "Agg"}
    print(f"{figure.name}: {command}", flush=True)
    subprocess.run(["bash", "-c", command], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    written = []
    for source, target in figure.copies.items():
        shutil.copyfile(out / source, FIGURES / target)
        written.append(FIGURES / target)
    if figure.data:
        png = next(p for p in written if p.suffix == ".png")
        stamp(png, FIGURES / figure.copies[figure.data])
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to draw (default: all)")
    parser.add_argument("--list", action="store_true", help="list the figures and their commands")
    args = parser.parse_args(argv)
    known = {f.name: f for f in ALL}
    if args.list:
        for f in ALL:
            print(f"{f.name:8s} {', '.join(f.copies.values())}  ({f.shown_in})\n         {f.command}")
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "examples", folder / "examples")
        written = [p for name in args.names or known for p in make(known[name], folder)]
    print("Wrote " + ", ".join(str(p.relative_to(ROOT)) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())

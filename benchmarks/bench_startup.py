"""How long orgchange takes to start, against a bare Python.

Run from the repository root (``make bench`` runs it)::

    python benchmarks/bench_startup.py            # best of 5 per command
    python benchmarks/bench_startup.py --repeat 9

Each command runs in a fresh interpreter, the best of ``--repeat`` runs is
kept (a shared machine's timings vary), and each is reported in seconds and
as a multiple of a bare ``python -c pass``, with the heavy packages (Mesa,
pandas, SciPy, networkx, matplotlib) it loaded. The target of issue 11,
``orgchange --help`` in under 0.5 s, is reported, never judged: the exit
status is 0 whatever the times, since absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("mesa", "pandas", "scipy", "networkx", "matplotlib", "numba")
"""Packages whose import is what start-up time is made of."""
HELP_TARGET = 0.5
"""Seconds: ``orgchange --help`` should answer within this (issue 11)."""


def _probe(code: str) -> str:
    """Python source that runs ``code`` and then reports the heavy packages it loaded, on standard error."""
    return (f"import sys\ntry:\n    {code}\nexcept SystemExit:\n    pass\n"
            f"sys.stderr.write('LOADED ' + ' '.join(m for m in {HEAVY!r} if m in sys.modules) + '\\n')\n")


def commands(out: Path) -> list[tuple[str, str]]:
    """(label, Python source) of each start-up that is timed."""
    cli = "from simulation.cli import main; main({argv!r})"
    return [
        ("python -c pass (bare Python)", "pass"),
        ('python -c "import simulation.rules"', "import simulation.rules"),
        ('python -c "import simulation"', "import simulation"),
        ("orgchange --version", cli.format(argv=["--version"])),
        ("orgchange --help", cli.format(argv=["--help"])),
        ("orgchange run --help", cli.format(argv=["run", "--help"])),
        ('python -c "import simulation.model"', "import simulation.model"),
        ("orgchange run --staff 20 --weeks 1 --no-figure", cli.format(
            argv=["run", "--staff", "20", "--weeks", "1", "--no-figure", "--overwrite", "--out", str(out)])),
    ]


def best_time(source: str, repeat: int) -> tuple[float, str]:
    """The shortest wall time of ``repeat`` fresh interpreters running ``source``, and what it loaded."""
    best, loaded = float("inf"), ""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _probe(source)], capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{source!r} failed:\n{done.stderr}")
        best = min(best, elapsed)
        loaded = next((line[7:] for line in done.stderr.splitlines() if line.startswith("LOADED ")), "")
    return best, loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh interpreters per command (default: 5)")
    repeat = max(1, parser.parse_args(argv).repeat)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"bench_startup: Python {platform.python_version()}, {os.cpu_count()} cores, load average {load}; "
          f"best of {repeat} fresh interpreters each\n")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(label, *best_time(source, repeat)) for label, source in commands(Path(tmp) / "out")]
    bare = rows[0][1]
    width = max(len(label) for label, *_ in rows)
    print(f"{'start-up':{width}s}  {'seconds':>7s}  {'x bare':>6s}  heavy packages loaded")
    for label, seconds, loaded in rows:
        print(f"{label:{width}s}  {seconds:7.3f}  {seconds / bare:6.1f}  {loaded or '-'}")
    help_time = dict((label, seconds) for label, seconds, _ in rows)["orgchange --help"]
    verdict = "met" if help_time < HELP_TARGET else "not met on this machine now"
    print(f"\nTarget (reported, not judged): orgchange --help under {HELP_TARGET} s: {help_time:.3f} s, {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

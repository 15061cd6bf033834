"""Run the README's code blocks in order, in an empty folder, and check the
outputs it shows; or rewrite those outputs from a fresh run.

Run from the repository root (``make readme`` runs the last one)::

    python docs/readme_blocks.py              # run every block and compare; exit 1 on a mismatch
    python docs/readme_blocks.py --fast       # the same, without the blocks marked slow
    python docs/readme_blocks.py --list       # the blocks, as this script reads them
    python docs/readme_blocks.py --update     # run every block and rewrite the outputs README.md shows

The model's numbers change whenever a mechanism or a default does, so the
outputs shown are not written by hand: change the model, run ``--update``,
read the diff, and commit it with the change.

How the README is read
----------------------
* A ``python`` block is run in one Python session shared by all of them, as
  in a notebook. A ``text`` block right after it (nothing but blank lines
  between) is what it prints.
* A ``bash`` block is shell commands, one per line (a line ending in ``\\``
  goes on); each must succeed. Nothing it prints is compared.
* A ``text`` block whose first line starts with ``$`` is a transcript: each
  ``$ command`` is run, and what follows it, up to the next ``$``, is what
  it prints (standard output and standard error, in order). A command may
  fail only if what it shows ends with an ``orgchange: error:`` line.
* Any other ``text`` block (a directory tree, a table) is prose, not run.
* An HTML comment just above a block marks it (GitHub does not show it):
  ``<!-- readme: slow -->`` (run by the slow test only), ``<!-- readme:
  skip: why -->`` (never run: it installs, or serves forever), ``<!--
  readme: file PATH -->`` (the block shows the file PATH of the repository,
  which must match it; ``--update`` copies the file into the block).

How outputs are compared
------------------------
Line by line, ignoring trailing spaces and trailing blank lines, after
masking what changes from run to run: durations (``0.23 s``), file sizes
(``0.2 MB``) and rounding errors (``7.2e-16``). A line ``...`` in a shown output stands for any number of
lines, so a long table can be shown by its first and last rows; ``--update``
keeps as many rows before and after it as were shown.

Where blocks run
----------------
In a new, empty folder that holds only a copy of the repository's
``examples/`` (which the README's commands name), with the interpreter
running this script first on the PATH (so ``orgchange`` and ``python`` are
its own), ``COLUMNS=80`` (help text wraps as shown), ``MPLBACKEND=Agg`` and
unbuffered Python output (so standard output and error interleave as on a
terminal).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!--\s*readme:\s*(slow|skip|file)\b:?\s*(.*?)\s*-->\s*$")
SHELLS = ("bash", "sh", "shell", "console")
ELLIPSIS = "..."
ERROR_LINE = "orgchange: error:"
MASKS = [
    (re.compile(r"\d+(?:\.\d+)? s\b"), "<seconds> s"),  # 0.23 s, in 21.6 s
    (re.compile(r"\d+(?:\.\d+)? MB\b"), "<size> MB"),  # (0.2 MB)
    (re.compile(r"\b\d(?:\.\d+)?e-(?:1[3-9]|[2-9]\d)\b"), "<rounding>"),  # 7.2e-16
]
"""What changes from one run to the next, or one machine to the next, and so
is not compared: durations, file sizes, and floating-point rounding errors
(a number in scientific notation below 1e-12, such as the error of an exact
case of orgchange validate)."""
STEP_TIMEOUT = 900
"""Seconds a single command may take before it counts as failed."""


@dataclass
class Step:
    """One thing to run: a Python block, or one shell command.

    ``shown`` is the output the README shows (None: nothing is shown, so
    nothing is compared) and ``lines`` where those lines sit in the README
    (start, end), for ``--update``. ``line`` is the README line of the code.
    """

    kind: str  # "python", "shell" or "file"
    code: str
    line: int
    shown: list[str] | None = None
    lines: tuple[int, int] | None = None
    slow: bool = False
    skip: str = ""
    path: str = ""  # the repository file a "file" step shows


@dataclass
class Outcome:
    """What running a step gave: its output, and whether it matched."""

    step: Step
    output: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def matches(self) -> bool:
        return not self.error and (self.step.shown is None or same(self.step.shown, self.output))


# --- reading ----------------------------------------------------------------------------------------
def read_steps(text: str) -> list[Step]:
    """Every step of a Markdown text, in order (see the module's docstring)."""
    lines = text.splitlines()
    blocks = []  # (language, first content line, end line (the closing fence), marks)
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise ValueError(f"line {i + 1}: a code block that is never closed")
        blocks.append((opening.group(1), i + 1, end, _marks(lines, i)))
        i = end + 1
    steps: list[Step] = []
    outputs = set()  # the blocks that show a Python block's output
    for k, (language, start, end, marks) in enumerate(blocks):
        if k in outputs:
            continue
        body = lines[start:end]
        slow, skip = "slow" in marks, marks.get("skip", "")
        if "file" in marks:
            steps.append(Step("file", "\n".join(body), start, body, (start, end), slow, skip, marks["file"]))
        elif language == "python":
            shown, where = None, None
            if k + 1 < len(blocks) and blocks[k + 1][0] == "text" and _adjacent(lines, end, blocks[k + 1][1] - 1):
                nxt = blocks[k + 1]
                shown, where = lines[nxt[1]:nxt[2]], (nxt[1], nxt[2])
                outputs.add(k + 1)
            steps.append(Step("python", "\n".join(body), start + 1, shown, where, slow, skip))
        elif language in SHELLS or (language == "text" and body and body[0].startswith("$ ")):
            steps += _commands(body, start, transcript=body[:1] != [] and body[0].startswith("$ "),
                               slow=slow, skip=skip)
    return steps


def _marks(lines: list[str], fence: int) -> dict[str, str]:
    """The ``<!-- readme: ... -->`` comments just above the fence at ``fence``."""
    marks = {}
    i = fence - 1
    while i >= 0 and (not lines[i].strip() or MARK.match(lines[i])):
        found = MARK.match(lines[i])
        if found:
            marks[found.group(1)] = found.group(2)
        i -= 1
    return marks


def _adjacent(lines: list[str], closing: int, opening: int) -> bool:
    """Whether only blank lines stand between two fences."""
    return all(not line.strip() for line in lines[closing + 1:opening])


def _commands(body: list[str], start: int, transcript: bool, slow: bool, skip: str) -> list[Step]:
    """The commands of a shell block or transcript, each with what it shows."""
    steps: list[Step] = []
    i = 0
    while i < len(body):
        line = body[i]
        if transcript and not line.startswith("$ "):
            i += 1
            continue
        if not transcript and (not line.strip() or line.lstrip().startswith("#")):
            i += 1
            continue
        first = i
        command = [line[2:] if transcript else line]
        while command[-1].rstrip().endswith("\\") and i + 1 < len(body):
            i += 1
            command.append(body[i])
        i += 1
        shown, where = None, None
        if transcript:
            out = i
            while i < len(body) and not body[i].startswith("$ "):
                i += 1
            shown, where = body[out:i], (start + out, start + i)
        steps.append(Step("shell", "\n".join(command), start + first + 1, shown, where, slow, skip))
    return steps


# --- comparing --------------------------------------------------------------------------------------
def mask(line: str) -> str:
    """``line`` without trailing spaces, its durations and sizes masked."""
    for pattern, replacement in MASKS:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def same(shown: list[str], output: list[str]) -> bool:
    """Whether ``output`` is what ``shown`` shows (masked; ``...`` for any lines)."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line.strip() == ELLIPSIS else re.escape(mask(line)) + r"\n"
                      for line in _trim(shown))
    return re.fullmatch(pattern, "".join(mask(line) + "\n" for line in _trim(output))) is not None


def updated(shown: list[str], output: list[str]) -> list[str]:
    """What the README should show for ``output``: unchanged if it already
    matches (so durations do not churn), else the output, cut around a
    ``...`` line as the shown lines were."""
    if same(shown, output):
        return shown
    output = _trim(output)
    cuts = [k for k, line in enumerate(shown) if line.strip() == ELLIPSIS]
    if not cuts:
        return output
    if len(cuts) > 1:
        raise ValueError("cannot update an output shown with more than one '...' line")
    head, tail = cuts[0], len(_trim(shown)) - cuts[0] - 1
    if head + tail >= len(output):
        return output
    return [*output[:head], shown[cuts[0]], *output[len(output) - tail:]]


# --- running ----------------------------------------------------------------------------------------
def environment() -> dict[str, str]:
    """The shell's environment: this interpreter's folder first on the PATH."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(COLUMNS="80", LINES="24", MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    return env


def run(steps: list[Step], folder: Path, fast: bool = False, say=print) -> list[Outcome]:
    """Run ``steps`` in order in ``folder`` (which gets a copy of examples/);
    skipped steps, and slow ones if ``fast``, are left out."""
    folder.mkdir(parents=True, exist_ok=True)
    if (ROOT / "examples").is_dir() and not (folder / "examples").exists():
        shutil.copytree(ROOT / "examples", folder / "examples")
    namespace: dict = {"__name__": "__main__"}
    env = environment()
    outcomes = []
    for step in steps:
        if step.skip or (fast and step.slow):
            continue
        say(f"  line {step.line}: {step.kind} {_first_line(step)}")
        started = time.perf_counter()
        if step.kind == "file":
            outcome = Outcome(step, (ROOT / step.path).read_text(encoding="utf-8").splitlines())
        elif step.kind == "python":
            outcome = _run_python(step, folder, namespace)
        else:
            outcome = _run_shell(step, folder, env)
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    return outcomes


def _first_line(step: Step) -> str:
    text = step.path or step.code.strip().splitlines()[0]
    return text if len(text) <= 70 else text[:67] + "..."


def _run_python(step: Step, folder: Path, namespace: dict) -> Outcome:
    printed = io.StringIO()
    here = Path.cwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(printed):
            exec(compile(step.code, f"README.md, line {step.line}", "exec"), namespace)  # noqa: S102
    except Exception:  # noqa: BLE001 - any failure of the block is reported, not raised
        return Outcome(step, printed.getvalue().splitlines(), traceback.format_exc(limit=-3))
    finally:
        os.chdir(here)
    return Outcome(step, printed.getvalue().splitlines())


def _run_shell(step: Step, folder: Path, env: dict[str, str]) -> Outcome:
    try:
        done = subprocess.run(["bash", "-c", step.code], cwd=folder, env=env, text=True, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Outcome(step, [], f"did not finish within {STEP_TIMEOUT} s")
    output = done.stdout.splitlines()
    shows_error = step.shown is not None and bool(_trim(step.shown)) and _trim(step.shown)[-1].startswith(ERROR_LINE)
    if done.returncode != 0 and not shows_error:
        return Outcome(step, output, f"exit status {done.returncode}:\n" + "\n".join(output[-20:]))
    if done.returncode == 0 and shows_error:
        return Outcome(step, output, "exit status 0, but the README shows an error")
    return Outcome(step, output)


# --- reporting and rewriting --------------------------------------------------------------------------
def report(outcomes: list[Outcome], name: str = README.name) -> str:
    """Each failure and mismatch, as a diff of shown against printed (``name``: the Markdown file's)."""
    parts = []
    for o in outcomes:
        if o.matches:
            continue
        parts.append(f"{name}, line {o.step.line}: {_first_line(o.step)}")
        if o.error:
            parts.append("  failed: " + o.error.strip().replace("\n", "\n  "))
        else:
            diff = difflib.unified_diff(_trim(o.step.shown or []), _trim(o.output), f"shown in {name}",
                                        "printed now", lineterm="", n=2)
            parts.append("\n".join("  " + line for line in diff))
    return "\n".join(parts)


def rewrite(text: str, outcomes: list[Outcome], left: list[Outcome] | None = None) -> str:
    """``text`` with every shown output replaced by what its step printed.

    An output that cannot be rewritten (shown with several ``...`` lines,
    which leave no single way to cut the new one) stays as it is, and its
    outcome is added to ``left``, to be fixed by hand.
    """
    lines = text.splitlines()
    changes = sorted((o for o in outcomes if o.step.lines and not o.error), key=lambda o: o.step.lines[0],
                     reverse=True)  # from the bottom up, so that line numbers above stay right
    for o in changes:
        start, end = o.step.lines
        try:
            lines[start:end] = updated(lines[start:end], o.output)
        except ValueError:
            if left is not None:
                left.append(o)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("markdown", nargs="?", default=str(README), help="the Markdown file (default: README.md)")
    parser.add_argument("--fast", action="store_true", help="leave out the blocks marked slow")
    parser.add_argument("--update", action="store_true", help="rewrite the outputs the file shows")
    parser.add_argument("--list", action="store_true", help="list the steps and stop")
    parser.add_argument("--folder", metavar="DIR",
                        help="run in this folder and keep it (default: a new temporary folder, removed after)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")  # for the Python blocks, run in this process
    path = Path(args.markdown)
    text = path.read_text(encoding="utf-8")
    steps = read_steps(text)
    if args.list:
        for s in steps:
            marks = " ".join(m for m in ("slow" if s.slow else "", f"skip ({s.skip})" if s.skip else "") if m)
            shown = "" if s.shown is None else f", shows {len(_trim(s.shown))} lines"
            print(f"line {s.line:4d}  {s.kind:6s} {_first_line(s)}{shown}{'  [' + marks + ']' if marks else ''}")
        return 0
    if args.update and args.fast:
        parser.error("--update runs every block: leave out --fast")
    with contextlib.ExitStack() as stack:
        folder = Path(args.folder) if args.folder else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        print(f"Running the blocks of {path.name} in {folder}{' (slow ones left out)' if args.fast else ''}:",
              flush=True)
        started = time.perf_counter()
        outcomes = run(steps, folder, fast=args.fast, say=lambda m: print(m, flush=True))
        elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if o.error]
    if args.update:
        left: list[Outcome] = []
        new = rewrite(text, outcomes, left)
        if new != text:
            path.write_text(new, encoding="utf-8")
        print(f"{'Rewrote the outputs in' if new != text else 'No output changed in'} {path.name} "
              f"({len(outcomes)} steps in {elapsed:.0f} s)")
        if left:
            print("Shown with several '...' lines, so left for you to update by hand:\n" + report(left, path.name),
                  file=sys.stderr)
        if failed:
            print(report(failed, path.name), file=sys.stderr)
        return 1 if failed or left else 0
    problems = report(outcomes, path.name)
    if problems:
        print(problems, file=sys.stderr)
        print(f"{sum(not o.matches for o in outcomes)} of {len(outcomes)} steps differ from {path.name}; "
              f"if the change is meant, run: python docs/readme_blocks.py --update", file=sys.stderr)
        return 1
    print(f"All {len(outcomes)} steps print what {path.name} shows ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The README runs as written: every block, in order, in an empty folder,
prints what the README shows (docs/readme_blocks.py; timings aside).

The fast test runs the blocks not marked slow; the slow one runs them all,
then checks that everything they wrote is git-ignored and that ``make
clean`` removes it. After a change to the model, ``make readme`` rewrites
the outputs the README shows.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL_PATH = ROOT / "docs" / "readme_blocks.py"


def _tool():
    spec = importlib.util.spec_from_file_location("readme_blocks", TOOL_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _tool()


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL_PATH), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=1800)


# --- the tool: how it reads, compares and rewrites ----------------------------------------------------
MARKDOWN = """# Title

```python
x = 6 * 7
print(x)
```

```text
42
```

<!-- readme: slow -->
```text
$ echo one; echo two
one
two
$ printf 'a 0.25 s\\nb\\nc\\nd\\n'
a 9.99 s
...
d
```

```bash
true  # a comment
echo long \\
  line
```

<!-- readme: skip: would take forever -->
```bash
sleep 1000
```

```text
a tree, not a transcript
```
"""


def test_the_tool_reads_python_blocks_transcripts_and_commands():
    steps = tool.read_steps(MARKDOWN)
    assert [(s.kind, s.code.splitlines()[0]) for s in steps] == [
        ("python", "x = 6 * 7"), ("shell", "echo one; echo two"), ("shell", "printf 'a 0.25 s\\nb\\nc\\nd\\n'"),
        ("shell", "true  # a comment"), ("shell", "echo long \\"), ("shell", "sleep 1000")]
    python, first, second, _, long, sleep = steps
    assert python.shown == ["42"] and first.shown == ["one", "two"] and first.slow and second.slow
    assert long.code == "echo long \\\n  line" and long.shown is None
    assert sleep.skip == "would take forever" and not python.slow


def test_outputs_match_with_timings_masked_and_an_ellipsis_for_any_lines():
    assert tool.same(["a 9.99 s", "...", "d"], ["a 0.25 s", "b", "c", "d"])
    assert tool.same(["x", "..."], ["x"])
    assert tool.same(["Wrote r.html (0.2 MB)"], ["Wrote r.html (1.4 MB)  ", ""])
    assert not tool.same(["a 9.99 s", "...", "d"], ["a 0.25 s", "b", "c", "e"])
    assert not tool.same(["0.431"], ["0.432"])  # numbers other than durations count
    assert tool.same(["error 7.2e-16  pass"], ["error 6.1e-16  pass"])  # rounding, not a result
    assert not tool.same(["error 3.3e-02"], ["error 3.4e-02"])
    assert not tool.same(["1", "2"], ["1"])


def test_running_finds_a_changed_output_and_the_update_rewrites_only_that(tmp_path):
    text = MARKDOWN.replace("42\n", "41\n")
    steps = tool.read_steps(text)
    outcomes = tool.run(steps, tmp_path / "run", fast=False, say=lambda message: None)
    assert [o.step.code.split()[0] for o in outcomes] == ["x", "echo", "printf", "true", "echo"]  # not the skipped one
    assert [o.matches for o in outcomes] == [False, True, True, True, True]
    assert "-41" in tool.report(outcomes) and "+42" in tool.report(outcomes)
    # The rewrite fixes the wrong output and keeps the rest, the masked duration and the '...' included.
    assert tool.rewrite(text, outcomes) == MARKDOWN


def test_an_output_shown_with_several_ellipses_is_left_for_a_person(tmp_path):
    text = "```text\n$ printf '1\\n2\\n3\\n4\\n5\\n'\n1\n...\n3\n...\n9\n```\n"
    outcomes = tool.run(tool.read_steps(text), tmp_path, say=lambda message: None)
    assert not outcomes[0].matches
    left = []
    assert tool.rewrite(text, outcomes, left) == text and left == outcomes


def test_a_failing_command_fails_unless_the_readme_shows_its_error(tmp_path):
    text = ("```text\n$ false\n```\n\n```text\n$ echo 'orgchange: error: no'; exit 2\norgchange: error: no\n```\n"
            "\n```text\n$ echo fine\norgchange: error: expected\n```\n")
    outcomes = tool.run(tool.read_steps(text), tmp_path, say=lambda message: None)
    assert [bool(o.error) for o in outcomes] == [True, False, True]
    assert "exit status 1" in outcomes[0].error and "README shows an error" in outcomes[2].error


def test_a_file_block_must_match_the_file_it_names(tmp_path):
    text = "<!-- readme: file examples/community_hospital.toml -->\n```toml\n[run]\n```\n"
    (step,) = tool.read_steps(text)
    assert (step.kind, step.path) == ("file", "examples/community_hospital.toml")
    (outcome,) = tool.run([step], tmp_path, say=lambda message: None)
    assert not outcome.matches  # the block shows one line of the file
    assert outcome.output == (ROOT / step.path).read_text(encoding="utf-8").splitlines()
    assert tool.rewrite(text, [outcome]) == text.replace("[run]\n", (ROOT / step.path).read_text(encoding="utf-8"))


# --- the README itself ------------------------------------------------------------------------------------
def test_every_example_file_the_readme_names_ships():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"examples/[\w/]+\.(?:toml|csv)", text))
    assert named, "the README names its example files"
    missing = sorted(n for n in named if not (ROOT / n).is_file())
    assert not missing, f"the README names files that do not ship: {missing}"


def test_the_readme_s_fast_blocks_print_what_it_shows(tmp_path):
    result = run_tool("--fast", "--folder", str(tmp_path / "readme"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")
def test_the_whole_readme_then_nothing_is_left_untracked_and_make_clean_removes_it(tmp_path):
    folder = tmp_path / "readme"
    folder.mkdir()
    shutil.copyfile(ROOT / ".gitignore", folder / ".gitignore")
    shutil.copytree(ROOT / "examples", folder / "examples")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    result = run_tool("--folder", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    # Everything the README's commands wrote is ignored by git...
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=folder, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    untracked = [line for line in status if not line.endswith((" .gitignore",)) and " examples/" not in line]
    assert not untracked, f"written by the README's commands but not git-ignored: {untracked}"
    # ...and make clean removes it.
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "clean", "VENV=.venv-none"], cwd=folder,
                   check=True, capture_output=True)
    assert sorted(p.name for p in folder.iterdir()) == [".git", ".gitignore", "examples"]

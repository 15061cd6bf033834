"""The ``orgchange`` command line (simulation/cli/)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation import Config, OrgChangeModel
from simulation.cli import _parser, main
from simulation.metrics import METRICS
from simulation.parameters import PARAMETERS
from simulation.strategy import load_strategy, preset_names

from support import TWO_CEOS, run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "examples" / "community_hospital.toml"
EXAMPLE_CHART = ROOT / "examples" / "community_hospital.csv"
MANDATE = ROOT / "simulation" / "strategies" / "mandate.toml"
_SCRIPT = Path(sys.executable).with_name("orgchange")
ORGCHANGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "simulation.cli"]


def read_timeseries(path: Path) -> pd.DataFrame:
    # Floats must read back exactly; pandas 3 does so by default, pandas 2 needs asking.
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(path, **exact)


def run_options() -> list[str]:
    """Every option string of 'orgchange run', from the parser itself."""
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return [s for action in sub.choices["run"]._actions for s in action.option_strings]


# --- orgchange run ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def basic_run(tmp_path_factory):
    """``orgchange run --staff 100 --weeks 20 --seed 3 --out DIR``, with its figure."""
    out = tmp_path_factory.mktemp("run") / "out"
    code = main(["run", "--staff", "100", "--weeks", "20", "--seed", "3", "--out", str(out)])
    return code, out


def test_run_writes_the_time_series_config_and_figure(basic_run, capsys):
    code, out = basic_run
    assert code == 0
    df = read_timeseries(out / "timeseries.csv")
    assert len(df) == 21
    assert list(df["week"]) == list(range(21))
    assert list(df.columns) == list(METRICS)
    assert df.notna().all(axis=None)  # every role is staffed, so no metric is undefined
    assert Config.from_toml(out / "config.toml") == Config(staff=100, weeks=20, seed=3)
    png = (out / "summary.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_the_written_config_reproduces_the_run(basic_run):
    _, out = basic_run
    written = read_timeseries(out / "timeseries.csv")
    config = Config.from_toml(out / "config.toml")
    again = OrgChangeModel(config).run()
    pd.testing.assert_frame_equal(again, written, check_exact=True, check_dtype=False)
    # ...and the comparison has teeth: another seed gives another run.
    other = OrgChangeModel(config.replace(seed=4)).run()
    assert not other["commitment"].equals(written["commitment"])


def test_run_prints_a_summary_table_of_the_run(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "--staff", "40", "--weeks", "120", "--seed", "2",
                           "--out", tmp_path, "--no-figure")
    assert code == 0
    assert "40 staff, 120 weeks, seed 2, vectorized engine" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["week", "commit"])
    assert lines[header].split() == ["week", "commit", "commit_sr", "commit_mid", "commit_front",
                                     "practice_front", "quality", "culture", "proj_ok", "proj_fail"]
    rows = [line.split() for line in lines[header + 1:] if line.strip() and line.split()[0].isdigit()]
    # The start, each year, and the end.
    assert [int(r[0]) for r in rows] == [0, 52, 104, 120]
    df = read_timeseries(tmp_path / "timeseries.csv").set_index("week")
    for r in rows:
        week = int(r[0])
        assert float(r[1]) == pytest.approx(df.loc[week, "commitment"], abs=5e-4)
        assert float(r[4]) == pytest.approx(df.loc[week, "commitment_frontline"], abs=5e-4)
        assert int(r[9]) == df.loc[week, "projects_failed"]


def test_no_figure_skips_the_png(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "--staff", "30", "--weeks", "2", "--out", tmp_path / "o", "--no-figure")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["config.toml", "timeseries.csv"]
    assert "summary.png" not in out


def test_the_output_folder_is_created_with_its_parents(tmp_path, capsys):
    out_dir = tmp_path / "a" / "b" / "c"
    assert run_cli(capsys, "run", "--staff", "20", "--weeks", "1", "--out", out_dir, "--no-figure")[0] == 0
    assert (out_dir / "timeseries.csv").exists()


def test_strategy_prints_its_description_and_sets_its_levers(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "--strategy", "mandate", "--staff", "30", "--weeks", "2",
                           "--out", tmp_path, "--no-figure")
    strategy = load_strategy("mandate")
    assert code == 0
    assert f"Strategy: {strategy.name}" in out
    assert " ".join(strategy.description.split()) in " ".join(out.split())
    described = out.split("\n\n")[0].splitlines()[1:]
    assert len(described) > 1 and all(line.startswith("  ") and len(line) <= 80 for line in described)  # wrapped
    config = Config.from_toml(tmp_path / "config.toml")
    assert config == strategy.apply(Config(staff=30, weeks=2))
    assert config.steering == strategy.levers["steering"] != PARAMETERS["steering"].default


def test_strategy_from_a_user_file(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "Plan"\ndescription = "Round a lot."\n[levers]\nrounders = ["senior"]\n'
                    "rounding_frequency = 3.0\n")
    code, out, _ = run_cli(capsys, "run", "--strategy", plan, "--staff", "30", "--weeks", "2",
                           "--out", tmp_path / "o", "--no-figure")
    assert code == 0 and "Round a lot." in out
    config = Config.from_toml(tmp_path / "o" / "config.toml")
    assert (config.rounders, config.rounding_frequency) == (("senior",), 3.0)


def test_config_file_then_strategy_then_options(tmp_path, capsys):
    """The config file sets the base, a strategy's levers override it, and options override both."""
    path = tmp_path / "my.toml"
    path.write_text("[run]\nweeks = 30\nseed = 5\n[organization]\nstaff = 60\n[levers]\nsteering = 0.33\n"
                    "shock_size = 0.7\n")
    code, _, _ = run_cli(capsys, "run", "--config", path, "--strategy", "mandate", "--weeks", "3",
                         "--out", tmp_path / "o", "--no-figure")
    assert code == 0
    config = Config.from_toml(tmp_path / "o" / "config.toml")
    assert (config.weeks, config.seed, config.staff) == (3, 5, 60)
    assert config.steering == load_strategy("mandate").levers["steering"]
    assert config.shock_size == 0.7  # a lever mandate leaves alone


def test_the_example_config_runs_from_a_relative_path_and_reproduces(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out_dir = tmp_path / "o"
    code, out, _ = run_cli(capsys, "run", "--config", "examples/community_hospital.toml", "--weeks", "3",
                           "--out", out_dir, "--no-figure")
    assert code == 0
    assert out.startswith("73 staff, 3 weeks, seed 7")
    config = Config.from_toml(out_dir / "config.toml")
    # The chart path is written so that it resolves from anywhere, not only from here.
    assert config.org_chart == str(EXAMPLE_CHART)
    monkeypatch.chdir(tmp_path)
    again = OrgChangeModel(Config.from_toml(out_dir / "config.toml")).run()
    pd.testing.assert_frame_equal(again, read_timeseries(out_dir / "timeseries.csv"),
                                  check_exact=True, check_dtype=False)


def test_a_relative_org_chart_option_is_written_as_an_absolute_path(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(EXAMPLE_CHART.parent)
    code, out, _ = run_cli(capsys, "run", "--org-chart", EXAMPLE_CHART.name, "--weeks", "2",
                           "--out", tmp_path, "--no-figure")
    assert code == 0 and out.startswith("73 staff")
    assert Config.from_toml(tmp_path / "config.toml").org_chart == str(EXAMPLE_CHART)


def test_the_agent_engine(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "--engine", "agent", "--staff", "30", "--weeks", "3",
                           "--out", tmp_path, "--no-figure")
    assert code == 0 and "agent engine" in out
    assert Config.from_toml(tmp_path / "config.toml").engine == "agent"
    assert len(read_timeseries(tmp_path / "timeseries.csv")) == 4


def test_snapshots_are_written_when_asked_for(tmp_path, capsys):
    path = tmp_path / "snap.toml"
    path.write_text("[run]\nsnapshot_every = 2\n")
    code, _, _ = run_cli(capsys, "run", "--config", path, "--staff", "20", "--weeks", "4",
                         "--out", tmp_path / "o", "--no-figure")
    assert code == 0
    agents = pd.read_csv(tmp_path / "o" / "agents.csv")
    assert sorted(agents["week"].unique()) == [0, 2, 4]
    assert len(agents) == 3 * 20


# --- errors, in process ------------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "message"), [
    (["--staff", "5"], "staff: must be an integer >= 10, got 5"),
    (["--weeks", "0"], "weeks: must be an integer in [1, 5200], got 0"),
    (["--strategy", "mandat"], "strategy: unknown preset 'mandat' (did you mean 'mandate'?)"),
    (["--config", "no/such/config.toml"], "config file 'no/such/config.toml' does not exist"),
    (["--org-chart", "two_ceos.csv"], "two_ceos.csv row 4: a second CEO"),
    (["--org-chart", "missing.csv"], "org_chart: file 'missing.csv' does not exist"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "two_ceos.csv").write_text(TWO_CEOS)
    code, _, err = run_cli(capsys, "run", *argv, "--out", tmp_path / "o", "--no-figure")
    assert code == 2
    assert err.startswith(f"orgchange: error: {message}")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert not (tmp_path / "o").exists()


def test_an_output_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("")
    code, _, err = run_cli(capsys, "run", "--staff", "20", "--weeks", "1", "--out", target, "--no-figure")
    assert code == 2
    assert err == f"orgchange: error: --out: {str(target)!r} is a file; give a folder\n"


def test_earlier_results_are_kept_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_cli(capsys, "run", "--staff", "20", "--weeks", "2", "--seed", "1", "--out", out)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "notes.txt").write_text("mine")  # not a file orgchange writes: never touched
    code, stdout, err = run_cli(capsys, "run", "--staff", "20", "--weeks", "3", "--out", out, "--no-figure")
    assert code == 2 and stdout == ""
    assert err == (f"orgchange: error: --out: {str(out)!r} already holds results (timeseries.csv, config.toml, "
                   f"summary.png); add --overwrite to replace them, or choose another --out\n")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "notes.txt"} == before
    # --overwrite replaces them, says so, and leaves no file of the earlier run behind (summary.png).
    code, stdout, _ = run_cli(capsys, "run", "--staff", "20", "--weeks", "3", "--out", out, "--no-figure",
                              "--overwrite")
    assert code == 0
    assert f"Replaced the earlier results in {out}/ (timeseries.csv, config.toml, summary.png)." in stdout
    assert sorted(p.name for p in out.iterdir()) == ["config.toml", "notes.txt", "timeseries.csv"]
    assert Config.from_toml(out / "config.toml").weeks == 3


def test_a_multi_line_error_is_folded_onto_one_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[run]\nweeks = \n")  # tomllib's message names the line
    code, _, err = run_cli(capsys, "run", "--config", path, "--out", tmp_path / "o")
    assert code == 2 and err.count("\n") == 1 and "not valid TOML" in err


# --- orgchange strategies -------------------------------------------------------------------------------
def test_strategies_lists_every_preset_with_its_first_sentence_wrapped(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli(capsys, "strategies")
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    entries = []  # a preset's line, with the lines that continue it (indented under the description)
    for line in lines:
        if line.startswith(" "):
            assert line.startswith(" " * 23) and line[23] != " ", line
            entries[-1] += " " + line.strip()
        else:
            entries.append(line)
    assert [entry.split()[0] for entry in entries] == preset_names()
    for entry, name in zip(entries, preset_names(), strict=True):
        first = " ".join(load_strategy(name).description.split(". ")[0].rstrip(".").split())
        assert " ".join(entry.split()[1:]) == first + ".", entry


@pytest.mark.parametrize("argv", [["strategies", "show", "mandate"], ["strategies", "mandate"]],
                         ids=["show NAME", "NAME"])
def test_strategies_show_prints_the_preset_file(capsys, argv):
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0
    assert out == MANDATE.read_text(encoding="utf-8")


def test_strategies_show_prints_a_user_file(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    text = '# mine\nname = "Plan"\ndescription = "Round a lot."\n\n[levers]\nrounding_frequency = 3.0\n'
    plan.write_text(text)
    code, out, _ = run_cli(capsys, "strategies", "show", plan)
    assert code == 0
    assert out == text


def test_strategies_show_rejects_an_invalid_user_file(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "Plan"\ndescription = "x"\n[levers]\nsteering = 3\n')
    code, out, err = run_cli(capsys, "strategies", "show", plan)
    assert code == 2 and out == ""
    assert err == f"orgchange: error: {plan}, line 4: levers.steering: must be a number in [0, 1], got 3\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["strategies", "show"], "strategies show: give a preset NAME or the path of a strategy file"),
    (["strategies", "show", "nope"], "strategy: unknown preset 'nope'"),
    (["strategies", "nope"], "strategy: unknown preset 'nope'"),
    (["strategies", "mandate", "inspire"], "strategies: give one preset NAME or strategy file, got 2"),
])
def test_strategies_show_errors(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"orgchange: error: {message}") and err.count("\n") == 1


# --- the installed command, as a user runs it ---------------------------------------------------------------
# Each costs an interpreter start-up (about a second), so only what needs a real process:
# the help text as printed, and no traceback reaching a user's terminal.
SUBPROCESS_CASES = {
    "run-help": ["run", "--help"],
    "staff": ["run", "--staff", "5", "--out", "{tmp}/o1"],
    "strategy": ["run", "--strategy", "no_such_strategy", "--out", "{tmp}/o2"],
    "config": ["run", "--config", "{tmp}/missing.toml", "--out", "{tmp}/o3"],
    "chart": ["run", "--org-chart", "{tmp}/two_ceos.csv", "--out", "{tmp}/o4"],
}


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    """Run every case of SUBPROCESS_CASES at once (each pays the interpreter's start-up)."""
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "two_ceos.csv").write_text(TWO_CEOS)
    procs = {name: subprocess.Popen(ORGCHANGE + [a.format(tmp=tmp) for a in argv], cwd=tmp, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name, argv in SUBPROCESS_CASES.items()}
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return tmp, results


def test_run_help_documents_every_option(commands):
    _, results = commands
    help_ = results["run-help"]
    assert help_.returncode == 0 and help_.stderr == ""
    options = run_options()
    assert {"--config", "--strategy", "--staff", "--org-chart", "--weeks", "--seed", "--engine", "--out",
            "--no-figure"} <= set(options)
    for option in options:
        assert option in help_.stdout, option
    text = " ".join(help_.stdout.split())  # argparse wraps lines
    for name in ("staff", "weeks"):
        assert f"default: {PARAMETERS[name].default}" in text, name
    assert f"(default: the --config file's seed, else {PARAMETERS['seed'].default})" in text
    assert "vectorized" in text and "agent" in text
    assert "timeseries.csv" in text and "config.toml" in text and "summary.png" in text


def test_version_comes_from_the_installed_package(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"orgchange {version('orgchange')}\n"


def test_help_loads_none_of_the_heavy_packages():
    """orgchange --help must answer at once (issue 11: under 0.5 s): building the parser imports the
    parameter table, not Mesa, pandas, SciPy, networkx, matplotlib or the experiments package."""
    probe = ("import sys\nfrom simulation.cli import main\n"
             "for argv in (['--help'], ['run', '--help'], ['compare', '--help'], ['--version']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             "heavy = ('mesa', 'pandas', 'scipy', 'networkx', 'matplotlib', 'experiments', 'simulation.model')\n"
             "sys.stderr.write(repr(sorted(m for m in heavy if m in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "[]", done.stderr


def test_long_options_are_not_abbreviated(capsys):
    """--out is a folder and --output a file: a shortened option must not silently become another."""
    with pytest.raises(SystemExit):
        main(["run", "--stra", "mandate"])
    assert "unrecognized arguments: --stra" in capsys.readouterr().err


def test_top_level_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "run" in out and "strategies" in out


@pytest.mark.parametrize(("case", "message"), [
    ("staff", "staff: must be an integer >= 10, got 5"),
    ("strategy", "strategy: unknown preset 'no_such_strategy'"),
    ("config", "config file '{tmp}/missing.toml' does not exist"),
    ("chart", "two_ceos.csv row 4: a second CEO (the first is at two_ceos.csv row 2)"),
])
def test_bad_input_gives_exit_code_2_one_line_and_no_traceback(commands, case, message):
    tmp, results = commands
    result = results[case]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("orgchange: error: " + message.format(tmp=tmp)), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not any((tmp / f"o{k}").exists() for k in range(1, 5))

"""The one rule for writing results (simulation.outputs), errors in the
caller's own terms (simulation.arguments), and words for people
(simulation.wording)."""

from __future__ import annotations

import pytest

from experiments.errors import ExperimentArgumentError, ExperimentError
from simulation.arguments import ArgumentError
from simulation.config import ConfigError
from simulation.outputs import check_file, prepare_folder
from simulation.wording import horizon, plural, wrap


# --- errors that name the caller's arguments ----------------------------------------------------------
def test_an_argument_error_names_python_arguments_or_command_line_options():
    err = ArgumentError("{resume}: {path!r} is not {what}; use {overwrite} or another {store}", path="r.sqlite",
                        what="the same experiment")
    assert str(err) == "resume=True: 'r.sqlite' is not the same experiment; use overwrite=True or another store"
    assert err.for_command_line({"store": "--out"}) == ("--resume: 'r.sqlite' is not the same experiment; use "
                                                        "--overwrite or another --out")
    assert ArgumentError("{retry_failed}").for_command_line() == "--retry-failed"
    assert isinstance(err, ConfigError)  # reported like every other bad input


def test_an_argument_error_keeps_its_spelling_when_placed_or_pickled():
    import pickle

    err = ArgumentError("{path!r} already exists; add {overwrite}", ("store",), path="r.sqlite")
    assert str(err) == "store: 'r.sqlite' already exists; add overwrite=True"
    assert err.for_command_line({"store": "--output"}) == "--output: 'r.sqlite' already exists; add --overwrite"
    assert str(err.in_file("exp.toml", None)) == "exp.toml: store: 'r.sqlite' already exists; add overwrite=True"
    again = pickle.loads(pickle.dumps(err.at("run")))
    assert type(again) is ArgumentError and str(again) == "run.store: 'r.sqlite' already exists; add overwrite=True"


def test_a_value_with_braces_is_not_read_as_a_field():
    err = ArgumentError("{path!r} already exists", ("store",), path="odd{name}.sqlite")
    assert str(err) == "store: 'odd{name}.sqlite' already exists"


def test_the_experiment_layer_raises_its_own_kind():
    err = ExperimentArgumentError("{resume} and {overwrite}: choose one")
    assert isinstance(err, ExperimentError) and isinstance(err, ArgumentError)
    assert str(err) == "resume=True and overwrite=True: choose one"


# --- one file ----------------------------------------------------------------------------------------------
def test_a_file_is_written_only_if_new_or_overwrite(tmp_path):
    path = tmp_path / "report.html"
    assert check_file(path, overwrite=False, argument="output") is False
    path.write_text("earlier")
    with pytest.raises(ArgumentError) as refused:
        check_file(path, overwrite=False, argument="output")
    assert str(refused.value) == f"output: {str(path)!r} already exists; add overwrite=True to replace it"
    assert check_file(path, overwrite=True, argument="output") is True
    assert path.read_text() == "earlier", "checking writes nothing"


def test_a_resumable_file_offers_resume(tmp_path):
    path = tmp_path / "r.sqlite"
    path.write_text("")
    with pytest.raises(ArgumentError) as refused:
        check_file(path, False, "store", resumable=True)
    assert refused.value.for_command_line({"store": "--output"}) == (
        f"--output: {str(path)!r} already exists; add --resume to finish it, or --overwrite to start again")


def test_a_folder_where_a_file_goes_is_refused_even_with_overwrite(tmp_path):
    with pytest.raises(ExperimentArgumentError, match="is a folder; give the path of a results file"):
        check_file(tmp_path, True, "store", what="results file", error=ExperimentArgumentError)


# --- a folder of named files -----------------------------------------------------------------------------------
NAMES = ("timeseries.csv", "config.toml", "summary.png")


def test_a_folder_without_earlier_results_is_used_as_it_is(tmp_path):
    folder = tmp_path / "a" / "b"
    assert prepare_folder(folder, NAMES, overwrite=False) == []
    assert folder.is_dir()
    (folder / "notes.txt").write_text("mine")
    assert prepare_folder(folder, NAMES, overwrite=False) == [], "other files are no earlier results"


def test_earlier_results_are_refused_kept_for_resume_or_all_removed_with_overwrite(tmp_path):
    for name in ("timeseries.csv", "summary.png", "notes.txt"):
        (tmp_path / name).write_text(name)
    with pytest.raises(ArgumentError) as refused:
        prepare_folder(tmp_path, NAMES, False, "out")
    assert refused.value.for_command_line() == (f"--out: {str(tmp_path)!r} already holds results (timeseries.csv, "
                                                f"summary.png); add --overwrite to replace them, or choose another "
                                                f"--out")
    with pytest.raises(ArgumentError, match="add resume=True to finish them, or overwrite=True to start again"):
        prepare_folder(tmp_path, NAMES, False, resumable=True)
    assert prepare_folder(tmp_path, NAMES, False, resumable=True, resume=True) == ["timeseries.csv", "summary.png"]
    assert (tmp_path / "summary.png").exists(), "resume keeps them"
    assert prepare_folder(tmp_path, NAMES, True) == ["timeseries.csv", "summary.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"], "only the named files go"


def test_a_file_where_a_folder_goes_is_refused(tmp_path):
    (tmp_path / "taken").write_text("")
    with pytest.raises(ArgumentError, match="^out: '.*taken' is a file; give a folder$"):
        prepare_folder(tmp_path / "taken", NAMES, True, "out")


# --- words ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("count", "text"), [(0, "0 weeks"), (1, "1 week"), (2, "2 weeks")])
def test_plural(count, text):
    assert plural(count, "week") == text
    assert plural(count, "strategy", "strategies").endswith("strategy" if count == 1 else "strategies")


@pytest.mark.parametrize(("weeks", "text"), [(1, "1 week"), (10, "10 weeks"), (52, "52 weeks (1 year)"),
                                             (78, "78 weeks (1.5 years)"), (260, "260 weeks (5 years)")])
def test_horizon(weeks, text):
    assert horizon(weeks) == text


def test_wrap_folds_prose_under_a_hanging_indent():
    text = "word " * 40
    lines = wrap(text, indent=10, lead="name".ljust(10), width=50).splitlines()
    assert lines[0].startswith("name      word") and all(len(line) <= 50 for line in lines)
    assert all(line.startswith(" " * 10 + "word") for line in lines[1:])
    assert " ".join(" ".join(lines).split()[1:]) == text.strip()

"""Strategies as data: presets, user files and their errors (simulation/strategy.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from simulation.config import Config, ConfigError, check_value
from simulation.parameters import PARAMETERS
from simulation.strategy import LEVERS, Strategy, load_strategy, parse_strategy, preset_names, strategy_text

PRESET_DIR = Path(__file__).resolve().parents[1] / "simulation" / "strategies"
DESIGN_PRESETS = {"business_as_usual", "mandate", "inspire", "ceo_champion", "leadership_rounding",
                  "senior_team", "middle_out", "full_transformation"}


def write(tmp_path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- presets --------------------------------------------------------------------------------------
def test_the_presets_are_the_files_in_the_strategies_folder():
    assert preset_names() == sorted(p.stem for p in PRESET_DIR.glob("*.toml"))
    assert DESIGN_PRESETS <= set(preset_names())


@pytest.mark.parametrize("name", sorted(p.stem for p in PRESET_DIR.glob("*.toml")))
def test_every_preset_loads_validates_and_describes_itself(name):
    strategy = load_strategy(name)
    assert strategy.source == name
    assert strategy.name.strip() and len(strategy.description) > 40
    assert "\n" not in strategy.description and "  " not in strategy.description  # reflowed to one line
    raw = tomllib.loads((PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    assert set(raw) == {"name", "description", "levers"}
    assert strategy.levers and set(strategy.levers) == set(raw["levers"]) <= set(LEVERS)
    for lever, value in strategy.levers.items():
        assert check_value(lever, value) == value


@pytest.mark.parametrize("name", sorted(p.stem for p in PRESET_DIR.glob("*.toml")))
def test_apply_sets_the_levers_and_leaves_everything_else(name):
    strategy = load_strategy(name)
    base = Config(staff=123, weeks=52, habit=0.2, shock_size=0.35, succession=0.9)
    config = strategy.apply(base)
    for key, value in config.as_dict().items():
        expected = strategy.plain_levers()[key] if key in strategy.levers else base.as_dict()[key]
        assert value == expected, key
    assert base.staff == 123 and base.shock_size == 0.35  # the original is unchanged


def test_business_as_usual_is_the_default_configuration():
    assert load_strategy("business_as_usual").apply(Config()) == Config()


def test_presets_express_the_design():
    """Each preset pulls the levers DESIGN section 4 says it is about."""
    lv = {name: load_strategy(name).apply(Config()) for name in DESIGN_PRESETS}
    base = lv["business_as_usual"]
    # Mandate: structure only.
    assert lv["mandate"].steering > base.steering and lv["mandate"].accountability > base.accountability
    assert lv["mandate"].passion_display <= base.passion_display and not lv["mandate"].rounders
    # Inspire: passion only.
    assert lv["inspire"].passion_display > base.passion_display
    assert lv["inspire"].steering <= base.steering and lv["inspire"].accountability <= base.accountability
    # CEO champion (Site D): sponsors projects, sits on the committee, with the physician leader.
    d = lv["ceo_champion"]
    assert "ceo" in d.involved and "physician" in d.involved and d.committee and d.projects_per_leader > 0
    # Leadership rounding (Site F): the whole senior team rounds and follows through.
    f = lv["leadership_rounding"]
    assert {"ceo", "senior"} <= set(f.rounders) and f.rounding_frequency > 0 and f.follow_through > 0.5
    assert f.projects_per_leader > 0
    # Middle-out develops middle managers.
    assert "middle" in lv["middle_out"].involved and lv["middle_out"].middle_development > 0
    # Full transformation: everything.
    full = lv["full_transformation"]
    assert full.rounders and full.committee and full.middle_development > 0 and full.projects_per_leader > 0
    assert full.steering > base.steering and full.passion_display > base.passion_display


def test_preset_names_are_forgiving_about_case_and_dashes():
    assert load_strategy("Full-Transformation") == load_strategy("full_transformation")


def test_strategy_text_is_the_preset_file():
    text, source = strategy_text("mandate")
    assert text == (PRESET_DIR / "mandate.toml").read_text(encoding="utf-8") and source == "mandate"


# --- user files -------------------------------------------------------------------------------------
USER = """\
# My hospital's plan.
name = "Night rounds"
description = \"\"\"
Senior leaders round at night,
and fix what they hear.
\"\"\"

[levers]
rounders = ["senior"]
rounding_frequency = 1.5
follow_through = 0.9
"""


def test_a_user_file_works_by_path(tmp_path):
    path = write(tmp_path, USER)
    for arg in (path, str(path)):
        strategy = load_strategy(arg)
        assert strategy == Strategy("Night rounds", "Senior leaders round at night, and fix what they hear.",
                                    {"rounders": ("senior",), "rounding_frequency": 1.5, "follow_through": 0.9},
                                    str(path))
        config = strategy.apply(Config())
        assert (config.rounders, config.rounding_frequency, config.follow_through) == (("senior",), 1.5, 0.9)


def test_a_user_file_without_a_toml_suffix_works_by_path(tmp_path):
    path = write(tmp_path, USER, name="plan")
    assert load_strategy(str(path)).name == "Night rounds"


def test_a_user_file_may_leave_out_the_levers(tmp_path):
    path = write(tmp_path, 'name = "Nothing"\ndescription = "Changes nothing."\n')
    assert load_strategy(path).apply(Config(staff=50)) == Config(staff=50)


# --- errors -------------------------------------------------------------------------------------------
def error_of(text: str, source: str = "mine.toml") -> str:
    with pytest.raises(ConfigError) as err:
        parse_strategy(text, source)
    return str(err.value)


def test_an_unknown_lever_gets_a_did_you_mean_and_its_line():
    text = USER.replace("follow_through = 0.9", "folow_through = 0.9")  # line 11
    assert error_of(text) == ("mine.toml, line 11: levers.folow_through: unknown lever "
                              "(did you mean 'follow_through'?)")


def test_a_parameter_that_is_not_a_lever_is_called_out():
    text = USER + "staff = 300\n"  # line 12
    assert error_of(text) == ("mine.toml, line 12: levers.staff: unknown lever "
                              "('staff' is a parameter of [organization], not a lever)")


@pytest.mark.parametrize(("line", "new", "message"), [
    (10, "rounding_frequency = 9", "levers.rounding_frequency: must be a number in [0, 7], got 9"),
    (11, "follow_through = -0.1", "levers.follow_through: must be a number in [0, 1], got -0.1"),
    (11, 'follow_through = "high"', "levers.follow_through: must be a number in [0, 1], got 'high'"),
    (9, 'rounders = ["nurses"]', "levers.rounders: must be a list drawn from 'ceo', 'senior', 'physician', "
                                 "'middle', got ['nurses']"),
])
def test_an_intensity_out_of_range_names_the_field_and_its_line(line, new, message):
    lines = USER.splitlines()
    lines[line - 1] = new
    assert error_of("\n".join(lines)) == f"mine.toml, line {line}: {message}"


def test_the_line_search_is_not_fooled_by_the_description():
    # The description mentions a [levers] table and a lever; the real one is further down.
    text = ('name = "x"\ndescription = """\nWe will\n[levers]\nsteering = 0.5\nfor sure.\n"""\n\n'
            "[levers]\nsteering = 5\n")
    assert error_of(text).startswith("mine.toml, line 10: levers.steering: must be a number in [0, 1]")


def test_dotted_and_quoted_keys_are_found_too():
    assert error_of('name = "x"\ndescription = "y"\nlevers.steering = 5\n').startswith("mine.toml, line 3: ")
    assert error_of('name = "x"\ndescription = "y"\n[levers]\n"steering" = 5\n').startswith("mine.toml, line 4: ")


def test_a_value_inside_an_inline_table_is_placed_on_the_table_s_line():
    assert error_of('name = "x"\ndescription = "y"\nlevers = { steering = 5 }\n') == \
        "mine.toml, line 3: levers.steering: must be a number in [0, 1], got 5"


@pytest.mark.parametrize("missing", ["name", "description"])
def test_name_and_description_are_required(missing):
    text = "\n".join(line for line in USER.splitlines() if not line.startswith(missing))
    if missing == "description":
        text = 'name = "Night rounds"\n[levers]\nsteering = 0.5\n'
    assert error_of(text) == f"mine.toml: {missing}: missing; a strategy needs a name and a description"


@pytest.mark.parametrize(("value", "shown"), [('""', "''"), ('"   "', "'   '"), ("3", "3")])
def test_name_must_be_a_non_empty_string(value, shown):
    text = USER.replace('name = "Night rounds"', f"name = {value}")
    assert error_of(text) == f"mine.toml, line 2: name: must be a non-empty string, got {shown}"


def test_an_unknown_top_level_key_gets_its_line_and_a_suggestion():
    text = USER.replace('name = "Night rounds"', 'name = "Night rounds"\ntitle = "x"')
    assert error_of(text) == ("mine.toml, line 3: title: unknown key; "
                              "allowed: name, description, [levers], [[schedule]]")
    text = USER.replace("[levers]", "[lever]")
    assert error_of(text) == ("mine.toml, line 8: lever: unknown key (did you mean 'levers'?); "
                              "allowed: name, description, [levers], [[schedule]]")
    text = USER.replace('name = "Night rounds"', 'name = "Night rounds"\nsteering = 0.5')
    assert error_of(text) == ("mine.toml, line 3: steering: unknown key (levers belong in the [levers] table); "
                              "allowed: name, description, [levers], [[schedule]]")


def test_levers_must_be_a_table():
    assert error_of('name = "x"\ndescription = "y"\nlevers = 5\n') == \
        "mine.toml, line 3: levers: must be a table ([levers]), got 5"


def test_bad_toml_names_the_file_and_the_line():
    message = error_of(USER.replace("follow_through = 0.9", "follow_through = "))
    assert message.startswith("mine.toml: not valid TOML: ")
    assert "line 11" in message


def test_an_unknown_preset_gets_a_did_you_mean_and_the_list():
    with pytest.raises(ConfigError) as err:
        load_strategy("mandat")
    assert str(err.value) == (f"strategy: unknown preset 'mandat' (did you mean 'mandate'?); "
                              f"presets: {', '.join(preset_names())}")


def test_a_missing_strategy_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as err:
        load_strategy(path)
    assert str(err.value) == f"strategy: file {str(path)!r} does not exist"
    with pytest.raises(ConfigError, match="does not exist"):
        load_strategy(str(tmp_path / "sub" / "plan"))  # a path, even without a suffix


def test_a_user_file_error_names_the_path(tmp_path):
    path = write(tmp_path, USER.replace("follow_through = 0.9", "follow_through = 2"))
    with pytest.raises(ConfigError) as err:
        load_strategy(path)
    assert str(err.value).startswith(f"{path}, line 11: levers.follow_through: ")


def test_an_unreadable_strategy_file(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ConfigError, match="strategy: cannot read"):
        load_strategy(path)


def test_apply_names_the_strategy_when_a_lever_clashes_with_the_config(tmp_path):
    path = write(tmp_path, 'name = "Shock"\ndescription = "A late shock."\n[levers]\nimpetus_shocks = [100]\n')
    strategy = load_strategy(path)
    assert strategy.apply(Config(weeks=100)).impetus_shocks == (100,)
    with pytest.raises(ConfigError) as err:
        strategy.apply(Config(weeks=50))
    assert str(err.value) == (f"strategy {str(path)!r}, line 4: impetus_shocks: weeks must be <= weeks (50), "
                              "got [100]")


def test_levers_are_exactly_the_levers_section():
    assert LEVERS == [name for name, p in PARAMETERS.items() if p.section == "levers"]

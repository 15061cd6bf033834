"""Config: defaults, validation, TOML files and immutability (simulation/config.py)."""

from __future__ import annotations

import copy
import math
import pickle
import tomllib

import numpy as np
import pytest

from simulation.config import Config, ConfigError, check_value
from simulation.parameters import PARAMETERS, SECTIONS, defaults, plain

NUMERIC = [name for name, p in PARAMETERS.items() if p.kind in ("int", "float")]
BOUNDED = [name for name in NUMERIC if PARAMETERS[name].low is not None or PARAMETERS[name].high is not None]


def _companions(name: str, value) -> dict:
    """Other settings a value needs to pass the cross-parameter checks."""
    if name == "relay_gain_high":
        return {"relay_gain_low": min(value, PARAMETERS["relay_gain_low"].default)}
    if name == "relay_gain_low":
        return {"relay_gain_high": max(value, PARAMETERS["relay_gain_high"].default)}
    return {}


def _write(tmp_path, text: str, name: str = "config.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def toml_error(path) -> str:
    """The message of the `ConfigError` that reading ``path`` raises, after
    the file and line it names (which it must name)."""
    with pytest.raises(ConfigError) as err:
        Config.from_toml(path)
    text = str(err.value)
    place = f"{path}, line {err.value.line}: "
    assert err.value.line is not None and text.startswith(place), text
    return text[len(place):]


# --- defaults -------------------------------------------------------------------------------
def test_every_default_is_the_documented_one():
    config = Config()
    for name, p in PARAMETERS.items():
        assert getattr(config, name) == p.default, name
    assert config.as_dict() == defaults()


def test_every_documented_default_passes_its_own_validation():
    for name, p in PARAMETERS.items():
        assert check_value(name, p.default) == p.default, name


def test_every_parameter_lives_in_a_known_table():
    assert {p.section for p in PARAMETERS.values()} == set(SECTIONS)


# --- keyword arguments ------------------------------------------------------------------------
def test_keyword_arguments_override_only_what_they_name():
    config = Config(staff=300, weeks=104, engine="agent", committee=True)
    assert (config.staff, config.weeks, config.engine, config.committee) == (300, 104, "agent", True)
    changed = {k for k, v in config.as_dict().items() if v != plain(PARAMETERS[k].default)}
    assert changed == {"staff", "weeks", "engine", "committee"}


def test_the_issue_example_message_holds_exactly():
    with pytest.raises(ConfigError) as err:
        Config(staff=-5)
    assert str(err.value) == "staff: must be an integer >= 10, got -5"


@pytest.mark.parametrize(("name", "value", "message"), [
    # bool is an int in Python, but not a head count
    ("staff", True, "staff: must be an integer >= 10, got True"),
    ("staff", 100.5, "staff: must be an integer >= 10, got 100.5"),
    ("staff", "100", "staff: must be an integer >= 10, got '100'"),
    ("staff", float("nan"), "staff: must be an integer >= 10, got nan"),
    ("staff", None, "staff: must be an integer >= 10, got None"),
    # an upper bound too large to mention is mentioned once it is broken
    ("staff", 10**8, "staff: must be an integer in [10, 10000000], got 100000000"),
    ("seed", 2**63, f"seed: must be an integer in [0, {2**63 - 1}], got {2**63}"),
    ("peer_density", "0.3", "peer_density: must be a number in [0, 1], got '0.3'"),
    ("peer_density", float("nan"), "peer_density: must be a number in [0, 1], got nan"),
    ("peer_density", math.inf, "peer_density: must be a number in [0, 1], got inf"),
    ("peer_density", False, "peer_density: must be a number in [0, 1], got False"),
    pytest.param("peer_density", 10**400, f"peer_density: must be a number in [0, 1], got {10**400}",
                 id="peer_density-int-too-large-for-a-float"),
    # the value as given (2), not as converted (2.0)
    ("peer_density", 2, "peer_density: must be a number in [0, 1], got 2"),
    ("cross_unit_ties", -0.5, "cross_unit_ties: must be a number in [0, 50], got -0.5"),
    ("engine", "gpu", "engine: must be one of 'vectorized', 'agent', 'compiled', got 'gpu'"),
    ("engine", 1, "engine: must be one of 'vectorized', 'agent', 'compiled', got 1"),
    ("peer_mode", "Fraction", "peer_mode: must be one of 'fraction', 'count', got 'Fraction'"),
    ("committee", 1, "committee: must be true or false, got 1"),
    ("committee", "yes", "committee: must be true or false, got 'yes'"),
    ("org_chart", 5, "org_chart: must be a string, got 5"),
    ("involved", ["ceo", "nurse"],
     "involved: must be a list drawn from 'ceo', 'senior', 'physician', 'middle', got ['ceo', 'nurse']"),
    ("rounders", 3, "rounders: must be a list drawn from 'ceo', 'senior', 'physician', 'middle', got 3"),
    ("rounders", {"ceo": 1}, "rounders: must be a list drawn from 'ceo', 'senior', 'physician', 'middle', "
                             "got {'ceo': 1}"),
    ("impetus_shocks", [0], "impetus_shocks: must be a list of week numbers >= 1, got [0]"),
    ("impetus_shocks", [10, 2.5], "impetus_shocks: must be a list of week numbers >= 1, got [10, 2.5]"),
    ("impetus_shocks", [True], "impetus_shocks: must be a list of week numbers >= 1, got [True]"),
    ("impetus_shocks", 5, "impetus_shocks: must be a list of week numbers >= 1, got 5"),
    ("impetus_shocks", "5", "impetus_shocks: must be a list of week numbers >= 1, got '5'"),
])
def test_a_bad_value_names_the_parameter_the_value_and_what_is_allowed(name, value, message):
    with pytest.raises(ConfigError) as err:
        Config(**{name: value})
    assert str(err.value) == message


def test_values_are_stored_in_their_canonical_types():
    config = Config(staff=120.0, peer_density=0, weeks=np.int64(30), susceptibility=np.float32(0.5),
                    committee=np.bool_(True), impetus_shocks=[np.int64(20), 3])
    assert config.staff == 120 and type(config.staff) is int
    assert config.peer_density == 0.0 and type(config.peer_density) is float
    assert config.weeks == 30 and type(config.weeks) is int
    assert type(config.susceptibility) is float
    assert config.committee is True
    assert config.impetus_shocks == (3, 20) and all(type(w) is int for w in config.impetus_shocks)


def test_groups_accept_one_name_drop_repeats_and_keep_the_documented_order():
    assert Config(rounders="senior").rounders == ("senior",)
    assert Config(involved=["middle", "ceo", "middle", "physician"]).involved == ("ceo", "physician", "middle")
    assert Config(involved=()).involved == ()


def test_shock_weeks_are_sorted_and_may_repeat():
    # Two shocks in one week add up (the model counts them), so repeats are kept.
    assert Config(impetus_shocks=[30, 10, 30]).impetus_shocks == (10, 30, 30)


@pytest.mark.parametrize("name", BOUNDED)
def test_every_bounded_parameter_accepts_its_bounds_and_rejects_values_beyond(name):
    p = PARAMETERS[name]
    for bound in (p.low, p.high):
        if bound is not None:
            value = int(bound) if p.kind == "int" else float(bound)
            assert getattr(Config(**{name: value, **_companions(name, value)}), name) == value
    step = 1 if p.kind == "int" else 0.01 + 0.01 * max(abs(p.low or 0.0), abs(p.high or 0.0))
    outside = []
    if p.low is not None:
        outside.append(int(p.low) - 1 if p.kind == "int" else p.low - step)
    if p.high is not None:
        outside.append(int(p.high) + 1 if p.kind == "int" else p.high + step)
    for value in outside:
        with pytest.raises(ConfigError) as err:
            Config(**{name: value})
        message = str(err.value)
        assert message.startswith(f"{name}: must be "), message
        assert message.endswith(f"got {value!r}"), message


def test_the_bounded_check_covers_every_number():
    # Every int and float parameter of the table documents a range, so the
    # parametrized check above reaches all of them.
    assert set(BOUNDED) == set(NUMERIC)
    assert len(BOUNDED) > 50


def test_relay_gains_must_be_ordered():
    assert Config(relay_gain_low=0.5, relay_gain_high=0.5).relay_gain_low == 0.5
    with pytest.raises(ConfigError, match=r"^relay_gain_low: must be <= relay_gain_high \(0\.4\), got 0\.6$"):
        Config(relay_gain_low=0.6, relay_gain_high=0.4)


def test_shocks_must_fall_within_the_horizon():
    assert Config(weeks=52, impetus_shocks=[52]).impetus_shocks == (52,)
    with pytest.raises(ConfigError, match=r"^impetus_shocks: weeks must be <= weeks \(52\), got \[53\]$"):
        Config(weeks=52, impetus_shocks=[10, 53])


# --- unknown names ----------------------------------------------------------------------------
def test_an_unknown_keyword_gets_a_did_you_mean():
    with pytest.raises(ConfigError) as err:
        Config(staf=300)
    assert str(err.value) == "staf: unknown parameter (did you mean 'staff'?)"
    assert err.value.location == ("staf",)


def test_an_unknown_keyword_without_a_near_match_gets_no_guess():
    with pytest.raises(ConfigError) as err:
        Config(zzzzzz=1)
    assert str(err.value) == "zzzzzz: unknown parameter"


def test_reading_an_unknown_attribute_is_a_config_error_and_an_attribute_error():
    config = Config()
    with pytest.raises(ConfigError, match="did you mean 'weeks'"):
        config.weks  # noqa: B018
    with pytest.raises(AttributeError):
        config.weks  # noqa: B018
    assert not hasattr(config, "weks")
    assert getattr(config, "weks", 7) == 7


# --- TOML -------------------------------------------------------------------------------------
def test_a_toml_file_sets_parameters_in_each_of_the_four_tables(tmp_path):
    path = _write(tmp_path, """
[run]
weeks = 52
engine = "agent"

[organization]
staff = 250
peer_density = 0.3

[behaviour]
peer_mode = "count"
ceo_passion = 0.9

[levers]
rounders = ["senior"]
committee = true
impetus_shocks = [40, 12]
""")
    config = Config.from_toml(path)
    assert config == Config(weeks=52, engine="agent", staff=250, peer_density=0.3, peer_mode="count",
                            ceo_passion=0.9, rounders=["senior"], committee=True, impetus_shocks=[12, 40])


def test_toml_keyword_overrides_win_over_the_file(tmp_path):
    path = _write(tmp_path, "[run]\nweeks = 52\nseed = 4\n")
    config = Config.from_toml(path, weeks=10)
    assert (config.weeks, config.seed) == (10, 4)


def test_a_relative_chart_path_in_a_toml_file_resolves_next_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = _write(tmp_path / "sub", '[organization]\norg_chart = "chart.csv"\n')
    assert Config.from_toml(path).org_chart == str(tmp_path / "sub" / "chart.csv")
    absolute = str(tmp_path / "elsewhere.csv")
    path = _write(tmp_path, f'[organization]\norg_chart = "{absolute}"\n')
    assert Config.from_toml(path).org_chart == absolute


def test_a_bad_value_in_a_toml_file_names_the_parameter(tmp_path):
    path = _write(tmp_path, "[run]\nweeks = 10\n\n[organization]\nstaff = -5\n")
    assert toml_error(path) == "organization.staff: must be an integer >= 10, got -5"
    with pytest.raises(ConfigError) as err:
        Config.from_toml(path)
    assert err.value.line == 5 and err.value.location == ("organization", "staff")


def test_an_unknown_key_in_a_toml_table_gets_a_did_you_mean(tmp_path):
    path = _write(tmp_path, "[organization]\nstaf = 300\n")
    assert toml_error(path) == "organization.staf: unknown parameter (did you mean 'staff'?)"


def test_a_parameter_in_the_wrong_table_is_rejected_and_told_where_it_belongs(tmp_path):
    path = _write(tmp_path, "[run]\nstaff = 300\n")
    assert toml_error(path) == "run.staff: belongs in [organization], not [run]"


def test_an_unknown_table_gets_a_did_you_mean(tmp_path):
    path = _write(tmp_path, "[behavior]\nhabit = 0.1\n")
    assert toml_error(path) == "behavior: unknown table or parameter (did you mean 'behaviour'?)"


def test_a_parameter_may_also_sit_at_the_top_level(tmp_path):
    path = _write(tmp_path, "staff = 40\n[run]\nweeks = 3\n")
    assert Config.from_toml(path) == Config(staff=40, weeks=3)


@pytest.mark.parametrize("text", ["run = 5\n", "organization = 5\n", 'organization = "x"\n'])
def test_a_table_name_used_as_a_value_is_rejected(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=r"must be a table of parameters"):
        Config.from_toml(path)


def test_invalid_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[run]\nweeks = \n")
    with pytest.raises(ConfigError) as err:
        Config.from_toml(path)
    message = str(err.value)
    assert message.startswith(f"{path}: not valid TOML: ")
    assert "line 2" in message  # as the TOML parser reports it


def test_a_missing_or_unreadable_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        Config.from_toml(tmp_path / "nope.toml")
    assert str(err.value) == f"config file {str(tmp_path / 'nope.toml')!r} does not exist"
    with pytest.raises(ConfigError, match="cannot be read"):
        Config.from_toml(tmp_path)  # a folder
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00weeks = 3")
    with pytest.raises(ConfigError, match="cannot be read"):
        Config.from_toml(binary)


def test_from_dict_takes_toml_shaped_tables():
    assert Config.from_dict({"run": {"weeks": 5}, "levers": {"committee": True}}, seed=2) == \
        Config(weeks=5, committee=True, seed=2)


# --- to_toml ----------------------------------------------------------------------------------
def test_to_toml_writes_every_parameter_in_its_table():
    tables = tomllib.loads(Config().to_toml())
    assert set(tables) == set(SECTIONS)
    for name, p in PARAMETERS.items():
        assert tables[p.section][name] == plain(p.default), name


@pytest.mark.parametrize("config", [
    Config(),
    Config(staff=1234, weeks=5200, seed=2**63 - 1, engine="agent", snapshot_every=13,
           senior_team=9, unit_size=3, peer_density=0.1 + 0.2, cross_unit_ties=1e-7, committee_size=0,
           peer_mode="count", redesign_decay=1 / 3, leader_capacity=999.999, culture_memory=1.0,
           involved=["physician", "middle"], rounders=["ceo", "senior", "physician", "middle"],
           committee=True, impetus_shocks=[1, 1, 26, 5200],
           schedule=[{"week": 100, "depart": "ceo"}, {"week": 9, "lever": "rounders", "value": ["ceo"]}]),
    # A chart path with characters TOML must escape.
    Config(org_chart='/data/"quoted" \\ back\\slash\n\ttab\x01 é.csv'),
], ids=["defaults", "every-kind-changed", "awkward-path"])
def test_to_toml_round_trips_through_a_file(tmp_path, config):
    path = _write(tmp_path, config.to_toml())
    assert Config.from_toml(path) == config


def test_to_toml_round_trip_is_not_trivially_true(tmp_path):
    # The comparison above can fail: a file with one value changed is not equal.
    text = Config(staff=1234).to_toml().replace("staff = 1234", "staff = 1235")
    assert Config.from_toml(_write(tmp_path, text)) != Config(staff=1234)


# --- replace, equality and immutability -----------------------------------------------------------
def test_replace_returns_a_changed_copy_and_leaves_the_original():
    base = Config(staff=300)
    changed = base.replace(weeks=10, seed=9)
    assert (changed.staff, changed.weeks, changed.seed) == (300, 10, 9)
    assert (base.weeks, base.seed) == (PARAMETERS["weeks"].default, PARAMETERS["seed"].default)


def test_replace_validates():
    with pytest.raises(ConfigError, match=r"^staff: must be an integer >= 10, got 3$"):
        Config().replace(staff=3)
    with pytest.raises(ConfigError, match="did you mean 'staff'"):
        Config().replace(staf=300)
    with pytest.raises(ConfigError, match="impetus_shocks"):
        Config(impetus_shocks=[100]).replace(weeks=50)


def test_config_is_immutable():
    config = Config(staff=300)
    with pytest.raises(AttributeError, match="immutable"):
        config.staff = 400
    with pytest.raises(AttributeError, match="immutable"):
        config.new_thing = 1
    assert config.staff == 300


def test_list_values_cannot_be_changed_in_place():
    config = Config(involved=["ceo"], impetus_shocks=[5])
    assert isinstance(config.involved, tuple) and isinstance(config.levers.impetus_shocks, tuple)
    config.as_dict()["involved"].append("senior")  # a plain copy
    assert config.involved == ("ceo",) and config.impetus_shocks == (5,)


def test_equal_configs_are_equal_and_hash_alike():
    a, b = Config(staff=300, rounders=["senior"]), Config(rounders="senior", staff=300.0)
    assert a == b and hash(a) == hash(b)
    assert len({a, b, Config()}) == 2
    assert a != Config(staff=301) and a != "Config(staff=300)"


def test_config_survives_pickle_and_copy():
    config = Config(staff=321, involved=["middle"], impetus_shocks=[3])
    for clone in (pickle.loads(pickle.dumps(config)), copy.copy(config), copy.deepcopy(config)):
        assert clone == config
        with pytest.raises(AttributeError):
            clone.staff = 1


def test_repr_shows_what_differs_from_the_defaults_and_rebuilds_the_config():
    config = Config(staff=300, rounders=["ceo"])
    assert repr(Config()) == "Config()"
    assert repr(config) == "Config(staff=300, rounders=['ceo'])"
    assert eval(repr(config), {"Config": Config}) == config

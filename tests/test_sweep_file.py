"""Sweep files: parsing, validation errors that name the field, the hash."""

import textwrap
from pathlib import Path

import pytest

from sim.scenario import DEFAULTS, InputError
from sim.sweeps import load_sweep_file
from sim.sweeps.sweep_file import OUTPUTS, count_points

SWEEPS = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps"

GRID = """\
name = "tiny"
seed = 9
replications = 2
weeks = 8

[fixed]
n_employees = 60
n_customers = 600

[design]
method = "grid"

[design.vary]
transparency = [0.2, 0.8]
leadership_courage = [0.1, 0.5]
"""


def write_sweep(directory: Path, text: str, name: str = "sweep.toml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def test_grid_file_parses_to_typed_values(tmp_path):
    sweep = load_sweep_file(write_sweep(tmp_path, GRID))
    assert sweep.method == "grid" and sweep.names == ["transparency", "leadership_courage"]
    assert sweep.vary == {"transparency": [0.2, 0.8], "leadership_courage": [0.1, 0.5]}
    assert sweep.fixed == {"n_employees": 60, "n_customers": 600}
    assert type(sweep.fixed["n_employees"]) is int
    assert (sweep.seed, sweep.replications, sweep.weeks, sweep.record_every) == (9, 2, 8, 1)
    assert sweep.outputs == OUTPUTS
    assert sweep.base_parameters["silo_strength"] == DEFAULTS["silo_strength"]
    assert count_points(sweep) == 4


def test_integer_grid_values_are_typed(tmp_path):
    sweep = load_sweep_file(write_sweep(tmp_path, replace(GRID, "n_employees = 60\n", "")
                                        + "n_employees = [60, 90.0]\n"))
    assert sweep.vary["n_employees"] == [60, 90]
    assert all(type(v) is int for v in sweep.vary["n_employees"])


@pytest.mark.parametrize(("old", "new", "message"), [
    ('name = "tiny"', 'name = "tiny"\ncolour = "red"', "colour: unknown key"),
    ('method = "grid"', 'method = "factorial"', "design.method = 'factorial': expected one of grid, latin"),
    ('method = "grid"', '', "design.method: missing"),
    ("transparency = [0.2, 0.8]", "transparancy = [0.2, 0.8]", "design.vary.transparancy: unknown parameter"),
    ("transparency = [0.2, 0.8]", "transparency = [0.2, 1.8]", "design.vary.transparency = 1.8 is out of range"),
    ("transparency = [0.2, 0.8]", "transparency = []", "design.vary.transparency: expected a non-empty list"),
    ("transparency = [0.2, 0.8]", "transparency = [0.2, 0.2]", "design.vary.transparency = [0.2, 0.2]: a value is"),
    ("n_employees = 60", "n_employees = [60, 60.5]", "fixed.n_employees = [60, 60.5]: expected a whole"),
    ("transparency = [0.2, 0.8]", "weeks = [4, 8]", "design.vary.weeks: set weeks at the top level"),
    ("transparency = [0.2, 0.8]", "seed = [1, 2]", "design.vary.seed: set seed at the top level"),
    ("transparency = [0.2, 0.8]", "n_customers = [600, 900]", "design.vary.n_customers: also set in fixed"),
    ("replications = 2", "replications = 0", "replications = 0: expected a whole number from 1"),
    ("replications = 2", "replications = 2.5", "replications = 2.5: expected a whole number"),
    ("weeks = 8", "weeks = 0", "weeks = 0 is out of range"),
    ("seed = 9", "seed = -1", "seed = -1 is out of range"),
    ("n_employees = 60", "n_employees = 5", "fixed.n_employees = 5 is out of range"),
    ("n_employees = 60", "speed = 5", "fixed.speed: unknown parameter"),
    ('name = "tiny"', 'name = "tiny"\nscenario = "nowhere"', "scenario: scenario 'nowhere': no such preset"),
    ('name = "tiny"', 'name = "tiny', "malformed TOML"),
    ("weeks = 8", 'weeks = 8\n[outputs]\nrecord = ["retention", "trust_mean"]',
     "outputs.record: 'retention' is not an output"),
    ("weeks = 8", "weeks = 8\n[outputs]\nevery = 9", "outputs.every = 9: expected a whole number from 1 to 8"),
    ("weeks = 8", "weeks = 8\n[outputs]\nhow_often = 2", "outputs.how_often: unknown key"),
    ('method = "grid"', 'method = "grid"\nsamples = 4', "design.samples: unknown key for method 'grid'"),
])
def test_bad_grid_files_name_the_field(tmp_path, old, new, message):
    path = write_sweep(tmp_path, replace(GRID, old, new))
    with pytest.raises(InputError) as error:
        load_sweep_file(path)
    text = str(error.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


SAMPLED = """\
replications = 1
weeks = 8

[design]
method = "sobol"
samples = 8

[design.vary]
transparency = [0.0, 1.0]
leadership_courage = [0.1, 0.5]
"""


@pytest.mark.parametrize(("old", "new", "message"), [
    ("samples = 8", "samples = 12", "design.samples = 12: Sobol sampling needs a power of 2, e.g. 8 or 16"),
    ("samples = 8", "", "design.samples: missing"),
    ("samples = 8", "samples = 0", "design.samples = 0: expected a whole number"),
    ("transparency = [0.0, 1.0]", "transparency = [0.8, 0.2]", "design.vary.transparency = [0.8, 0.2]: low must"),
    ("transparency = [0.0, 1.0]", "transparency = [0.0, 0.5, 1.0]", "design.vary.transparency: expected [low, high]"),
    ("transparency = [0.0, 1.0]", "transparency = [-1.0, 1.0]", "design.vary.transparency = -1.0 is out of range"),
    ("transparency = [0.0, 1.0]", 'transparency = ["low", 1.0]', "design.vary.transparency = 'low': expected"),
    ('method = "sobol"', 'method = "morris"\nnum_levels = 1', "design.num_levels = 1: expected a whole number"),
    ('method = "sobol"', 'method = "latin"\ncalc_second_order = true', "design.calc_second_order: unknown key"),
    ("samples = 8", "samples = 8\ncalc_second_order = 1", "design.calc_second_order = 1: expected true or false"),
    ("leadership_courage = [0.1, 0.5]", "", "second-order indices need at least two"),
    ("[design.vary]", "[design.varied]", "design.varied: unknown key"),
])
def test_bad_sampled_files_name_the_field(tmp_path, old, new, message):
    path = write_sweep(tmp_path, replace(SAMPLED, old, new))
    with pytest.raises(InputError) as error:
        load_sweep_file(path)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}: ")


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_sweep_file(tmp_path / "nope.toml")
    with pytest.raises(InputError, match=r"ending in \.toml"):
        load_sweep_file(tmp_path / "sweep.json")


def test_base_scenario_beside_the_sweep_file(tmp_path):
    write_sweep(tmp_path, '[parameters]\nsilo_strength = 0.9\n', name="mine.toml")
    sweep = load_sweep_file(write_sweep(tmp_path, 'scenario = "mine.toml"\n' + GRID))
    assert sweep.base_parameters["silo_strength"] == 0.9


def test_intervention_after_the_last_week_is_refused(tmp_path):
    write_sweep(tmp_path, "[[interventions]]\nweek = 20\ntransparency = 0.9\n", name="late.toml")
    with pytest.raises(InputError, match=r"weeks = 8: .*week = 20: expected a whole number from 1 to weeks"):
        load_sweep_file(write_sweep(tmp_path, 'scenario = "late.toml"\n' + GRID))


def test_hash_ignores_layout_but_not_content(tmp_path):
    base = load_sweep_file(write_sweep(tmp_path, GRID)).hash()
    relaid = "# a comment\n" + GRID.replace('description = ""', "").replace("seed = 9", "seed   =   9  # root")
    assert load_sweep_file(write_sweep(tmp_path, relaid, "b.toml")).hash() == base
    described = 'description = "words"\n' + GRID
    assert load_sweep_file(write_sweep(tmp_path, described, "c.toml")).hash() == base
    changed = GRID.replace("[0.2, 0.8]", "[0.2, 0.9]")
    assert load_sweep_file(write_sweep(tmp_path, changed, "d.toml")).hash() != base
    more = GRID.replace("replications = 2", "replications = 3")
    assert load_sweep_file(write_sweep(tmp_path, more, "e.toml")).hash() != base


@pytest.mark.parametrize("path", sorted(SWEEPS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_sweep_files_load(path):
    sweep = load_sweep_file(path)
    assert sweep.name == path.stem


def test_shipped_sobol_sweep_is_the_benchmarks():
    sweep = load_sweep_file(SWEEPS / "sobol_levers.toml")
    assert sweep.method == "sobol" and sweep.options == {"samples": 256, "calc_second_order": True}
    assert len(sweep.names) == 5 and sweep.weeks == 104 and sweep.replications == 1
    assert count_points(sweep) == 3_072

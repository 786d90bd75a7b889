import pytest

from sim.scenario import InputError
from sim.scenario_files import find_preset, list_presets, load_preset

REQUIRED = {
    "baseline", "courageous_leadership", "transparent_leadership", "aligned_metrics",
    "siloed_organisation", "new_leadership_team", "all_levers",
}


def test_required_presets_exist_with_a_paragraph_of_description():
    presets = {p.key: p for p in list_presets()}
    assert presets.keys() >= REQUIRED
    assert next(iter(presets)) == "baseline"
    for preset in presets.values():
        assert len(preset.description.split()) >= 30, preset.key
        preset.scenario()  # every preset builds a valid scenario


def test_new_leadership_team_changes_levers_mid_run():
    preset = find_preset("new_leadership_team")
    assert {i.week for i in preset.interventions} == {26}
    assert {i.lever for i in preset.interventions} >= {"leadership_courage", "leader_customer_focus"}


def write(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name = 'x'\n[parameters\n", "mine.toml: malformed TOML"),
        ("colour = 'red'\n", "mine.toml: unknown key 'colour'; allowed: name, description"),
        ("[parameters]\ntransparency = 3\n", "mine.toml: parameters.transparency = 3 is out of range"),
        ("[parameters]\nsilos = 0.3\n", "mine.toml: parameters.silos: unknown parameter"),
        ("[parameters]\nweeks = 'ten'\n", "parameters.weeks = 'ten': expected a whole number"),
        ("[[interventions]]\ntransparency = 0.5\n", "interventions[1].week: missing"),
        ("[[interventions]]\nweek = 200\ntransparency = 0.5\n", "interventions[1].week = 200"),
        ("[[interventions]]\nweek = 5\nn_customers = 5\n", "interventions[1].n_customers: not a lever"),
        ("[[interventions]]\nweek = 5\n", "interventions[1]: sets no lever"),
        ("description = 5\n", "mine.toml: description: expected text"),
    ],
)
def test_bad_files_name_the_file_and_field(tmp_path, text, fragment):
    with pytest.raises(InputError) as error:
        load_preset(write(tmp_path, text))
    assert fragment in str(error.value)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(InputError, match="no such preset; known presets: aligned_metrics, all_levers, baseline"):
        find_preset("nonexistent")


def test_a_file_path_is_accepted(tmp_path):
    path = write(tmp_path, "name = 'Mine'\n[parameters]\ntransparency = 0.7\n")
    assert find_preset(str(path)).scenario().transparency == 0.7

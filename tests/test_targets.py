import pytest

from csreport.errors import ParameterError
from csreport.metrics.targets import Target, load_targets


def test_shipped_catalogue_loads_with_documented_defaults():
    targets = load_targets()
    assert targets.parameters.min_sample == 30 and targets.parameters.short_abandon_s == 5
    assert targets.parameters.service_level_threshold_s == {"phone": 20, "chat": 20}
    assert targets.get("service_level").target == 0.8 and targets.get("service_level").channels == {"chat": 0.85}


@pytest.mark.parametrize(
    ("value", "status"), [(0.85, "met"), (0.80, "met"), (0.77, "at risk"), (0.70, "missed"), (None, "n/a")]
)
def test_status_for_higher_is_better(value, status):
    assert Target("service_level", 0.80, "higher", 0.05).status(value) == status


@pytest.mark.parametrize(("value", "status"), [(20, "met"), (35, "at risk"), (45, "missed")])
def test_status_for_lower_is_better(value, status):
    assert Target("asa_s", 30, "lower", 10).status(value) == status


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("parameters: {min_sampel: 10}\n", r"unknown parameters \['min_sampel'\]"),
        # contacts has no direction in the registry, so its standard must give one; nps is declared higher-is-better
        ("targets:\n  contacts: {target: 40}\n", "needs direction 'higher' or 'lower'"),
        ("targets:\n  nps: {target: 40, direction: lower}\n", "declared 'higher' is better"),
        ("targets:\n  nps: {target: 40, direction: higher, goal: 1}\n", "unknown keys"),
        ("parameters: {confidence: 1.5}\n", "confidence must be between"),
    ],
)
def test_bad_targets_files(tmp_path, text, match):
    path = tmp_path / "targets.yml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=match):
        load_targets(path)

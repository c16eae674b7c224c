import pytest

from csreport.errors import ParameterError
from csreport.params_file import read_params_file


def test_reads_a_mapping(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n")
    assert read_params_file(path, "x file", "fix") == {"a": 1}


@pytest.mark.parametrize(("text", "match"), [("- a\n- b\n", "must be a YAML mapping"), ("a: [\n", "not valid YAML")])
def test_bad_files(tmp_path, text, match):
    path = tmp_path / "x.yml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=match):
        read_params_file(path, "x file", "fix")


def test_missing_file_names_the_fix(tmp_path):
    with pytest.raises(ParameterError, match=r"x.yml: x file not found. Do this."):
        read_params_file(tmp_path / "x.yml", "x file", "Do this.")

from pathlib import Path

from typer.testing import CliRunner

from csreport.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[1]


def test_validate_prints_counts_and_writes_quarantine(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["validate", str(data_dir(contacts="contacts_bad_rows.csv")), "--out", str(tmp_path / "out")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "contacts" in result.output and "10" in result.output and "9" in result.output
    assert (tmp_path / "out" / "quarantine" / "contacts.csv").exists()


def test_unusable_input_is_one_message_and_exit_2(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["validate", str(data_dir(contacts="contacts_missing_created_at.csv")), "--out", str(tmp_path / "out")],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "required columns 'created_at', 'business_unit' missing" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_sample_data_command(tmp_path):
    result = runner.invoke(
        app,
        [
            "sample-data",
            "--scenario",
            str(ROOT / "params/scenarios/default.yml"),
            "--out",
            str(tmp_path / "s"),
            "--contacts",
            "3000",
            "--seed",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "_scenario_truth.json").exists()
    assert "Ground truth of 6 planted events" in result.output


def test_sample_data_takes_the_scenario_the_settings_resolve(tmp_path, monkeypatch):
    """Without --scenario: the project's params/scenarios/default.yml, else the packaged one (not a path relative
    to the working directory that only a clone of the repository has)."""
    monkeypatch.chdir(tmp_path)  # no params/ here: the packaged default scenario
    result = runner.invoke(app, ["sample-data", "--out", str(tmp_path / "s"), "--contacts", "1000", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "Ground truth of 6 planted events" in result.output
    own = tmp_path / "params" / "scenarios" / "default.yml"
    own.parent.mkdir(parents=True)
    own.write_text("name: own\n", encoding="utf-8")  # the project's file wins, and it is incomplete
    result = runner.invoke(app, ["sample-data", "--out", str(tmp_path / "t")], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and str(own) in result.output, result.output


def test_sample_data_bad_format(tmp_path):
    result = runner.invoke(app, ["sample-data", "--out", str(tmp_path / "s"), "--format", "xml"])
    assert result.exit_code == 2 and "use one of parquet, csv" in result.output

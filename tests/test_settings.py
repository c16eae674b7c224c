"""Settings in one place: parameter files resolved once (explicit file, --params DIR, the project's params/, the
packaged defaults), one module checking periods and units, and ``csreport init`` writing a project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csreport.cli import app
from csreport.data import periods, store
from csreport.errors import ParameterError
from csreport.pipeline import run, runparams
from csreport.report.chapters import check_period
from csreport.settings import Settings, packaged

PACKAGE = Path(__file__).parents[1] / "csreport"


def test_files_come_from_params_dir_then_the_project_then_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a folder without params/: every file is the packaged default
    default = Settings.resolve()
    assert default.targets == packaged("params/targets.yml") and default.notebooks == packaged("notebooks")
    own = tmp_path / "own"
    own.mkdir()
    (own / "findings.yml").write_text("{}\n")
    chosen = Settings.resolve(own)
    assert chosen.findings == (own / "findings.yml").resolve()
    assert chosen.targets == packaged("params/targets.yml")  # not in own/: the default
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "targets.yml").write_text("{}\n")
    assert Settings.resolve().targets == (tmp_path / "params" / "targets.yml").resolve()
    assert Settings.resolve(own, targets=own / "findings.yml").targets == (own / "findings.yml").resolve()


def test_digest_follows_the_bytes_of_the_files_that_shape_the_numbers(tmp_path):
    (tmp_path / "findings.yml").write_text("a: 1\n")
    first = Settings.resolve(tmp_path).digest()
    (tmp_path / "findings.yml").write_text("a: 2\n")
    assert Settings.resolve(tmp_path).digest() != first
    assert Settings.resolve(tmp_path).digest("batch") == Settings.resolve(tmp_path).digest("batch")


def test_a_params_folder_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="--params .*missing: not a directory"):
        Settings.resolve(tmp_path / "missing")


def test_one_module_checks_periods_and_units():
    assert store.parse_period is periods.parse_period and runparams.parse_period is periods.parse_period
    assert check_period is periods.check_period and run.check_unit is periods.check_unit
    with pytest.raises(ParameterError, match="is not a month in the form YYYY-MM"):
        periods.check_period("2026-13")
    patterns = [p for p in PACKAGE.rglob("*.py") if "0[1-9]|1[0-2]" in p.read_text(encoding="utf-8")]
    assert patterns == [Path(periods.__file__)]


def test_no_module_guesses_the_repository_root():
    guessing = [p.name for p in PACKAGE.rglob("*.py") if re.search(r"parents\[\d\]", p.read_text(encoding="utf-8"))]
    assert guessing == []


def test_init_writes_a_project_and_refuses_a_folder_in_use(tmp_path):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    for item in ("notebooks/06_outlook.ipynb", "params/recommendations.yml", "params/mapping/helpdesk_cn.yml",
                 "_quarto.yml", "README.md"):  # fmt: skip
        assert (tmp_path / "new" / item).is_file(), item
    again = CliRunner().invoke(app, ["init", str(tmp_path / "new")])
    assert again.exit_code == 2 and "not an empty folder" in again.output


def test_calendars_resolve_like_every_parameter_file(tmp_path, monkeypatch):
    """params/calendars.yml comes from --params DIR, else the project's params/, else the package; the
    report's store takes its units' zones from that file, and a changed calendar changes the digest."""
    from csreport.data.calendars import load_calendars

    monkeypatch.chdir(tmp_path)
    assert Settings.resolve().calendars == packaged("params/calendars.yml")
    own = tmp_path / "own"
    own.mkdir()
    (own / "calendars.yml").write_text("units:\n  east: {timezone: Europe/London}\n", encoding="utf-8")
    settings = Settings.resolve(own)
    assert settings.calendars == (own / "calendars.yml").resolve()
    assert load_calendars(settings.calendars).of("east").timezone == "Europe/London"
    first = settings.digest()
    (own / "calendars.yml").write_text("units:\n  east: {timezone: Asia/Tokyo}\n", encoding="utf-8")
    assert Settings.resolve(own).digest() != first
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "calendars.yml").write_text("units: {}\n", encoding="utf-8")
    assert load_calendars().units == {}  # no argument: the file the settings resolve (the project's)

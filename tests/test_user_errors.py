"""A user's mistake is checked before anything is written: a period outside the data, an unknown unit, an
unknown language, a missing data folder and a missing required column exit 2 at once from ``validate``, ``run``
and ``batch`` alike, naming the option and the fix, and leave no ``<unit>.failed`` folder, no index change and
no lock file behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csreport.cli import app
from csreport.data.ingest import ingest
from csreport.data.ingest_checks import unknown_notes
from csreport.data.store import Store
from csreport.errors import ParameterError, UnusableInputError
from csreport.pipeline.batch import runs_in_data
from csreport.pipeline.run import RunSpec, run_report

runner = CliRunner()
# contacts_valid.csv: unit east from 2026-09-30 to 2026-10-02, west from 2026-10-03 to 2026-11-01
OLD_INDEX = "<html>the index of the reports before the mistake</html>"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def reports(tmp_path):
    """A reports folder holding an index page from earlier runs."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text(OLD_INDEX, encoding="utf-8")
    return out


def _invoke(command: str, data: Path | str, out: Path, *options: str):
    if command == "validate":
        args = ["validate", str(data), "--out", str(out / "_validated")]
    elif command == "run":
        args = ["run", "--period", "2026-10", "--data", str(data), "--out", str(out), *options]
    else:
        args = ["batch", "--periods", "2026-10", "--data", str(data), "--out", str(out), "--workers", "1", *options]
    return runner.invoke(app, args, env={"COLUMNS": "400"})


def _said(result) -> str:
    return " ".join(result.output.split())


@pytest.mark.parametrize("command", ["validate", "run", "batch"])
def test_a_missing_required_column_exits_2_in_every_command_and_leaves_nothing(data_dir, reports, command):
    data = data_dir(contacts="contacts_missing_created_at.csv")
    before = _files(reports)
    result = _invoke(command, data, reports)
    assert result.exit_code == 2, result.output
    assert "required columns 'created_at', 'business_unit' missing" in _said(result)
    assert "Traceback" not in result.output
    assert _files(reports) == before  # no _validated/.ingest.lock, no store, no .failed, the same index
    assert sorted(p.name for p in reports.iterdir()) == ["index.html"]


@pytest.mark.parametrize("command", ["validate", "run", "batch"])
def test_a_missing_data_folder_exits_2_in_every_command_naming_the_fix(reports, tmp_path, command):
    before = _files(reports)
    result = _invoke(command, tmp_path / "nowhere", reports)
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "not found" in said and f"csreport sample-data --out {tmp_path / 'nowhere'}" in said
    assert "make sample" not in said and "data_dir" not in said
    if command != "validate":
        assert "--data" in said  # the option the user typed
    assert _files(reports) == before


@pytest.mark.parametrize("command", ["run", "batch"])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--unit", "nowhere"], "business unit 'nowhere' has no contacts; units: east, west or all"),
        (["--lang", "fr"], "fr: not a report language; use one of en, zh"),
        (["--engine", "hot"], "engine 'hot': use one of warm, nbclient"),
        (["--renderer", "word"], "renderer 'word' unknown; use one of auto, quarto, builtin"),
    ],
    ids=["unit", "lang", "engine", "renderer"],
)
def test_a_bad_option_exits_2_before_anything_is_written(data_dir, reports, command, options, message):
    data = data_dir(contacts="contacts_valid.csv")
    if command == "batch":  # the batch spellings of the same options
        options = [{"--unit": "--units", "--lang": "--langs"}.get(options[0], options[0]), options[1]]
    result = _invoke(command, data, reports, *options)
    assert result.exit_code == 2, result.output
    assert message in _said(result)
    # the data is usable: its validated store may stay (an unknown unit is found in it); nothing else is written
    assert sorted(p.name for p in reports.iterdir()) in (["index.html"], ["_validated", "index.html"])
    assert (reports / "index.html").read_text(encoding="utf-8") == OLD_INDEX


@pytest.mark.parametrize("command", ["run", "batch"])
def test_a_period_outside_the_data_exits_2_with_no_failed_folder_and_the_same_index(data_dir, reports, command):
    data = data_dir(contacts="contacts_valid.csv")
    args = ["--period", "2030-01", "--unit", "east"]
    if command == "batch":
        args = ["--periods", "2030-01", "--units", "east"]
    result = runner.invoke(app, [command, *args, "--data", str(data), "--out", str(reports)], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert "is outside the data of unit east: contacts from 2026-09-30 to 2026-10-02" in _said(result)
    assert not (reports / "2030-01").exists()  # no period folder, no east.failed
    assert (reports / "index.html").read_text(encoding="utf-8") == OLD_INDEX
    assert not (reports / "index.zh.html").exists()


def test_an_unknown_language_is_refused_before_the_pipeline_is_imported(data_dir, tmp_path):
    """``--lang fr`` took 8.5 s to be refused: the report pipeline was imported and the data validated first."""
    probe = (
        "import sys\nfrom csreport.cli import main\n"
        f"sys.argv = ['csreport', 'run', '--period', '2026-10', '--lang', 'fr', '--out', {str(tmp_path / 'r')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n"
        "    print(exc.code, 'csreport.pipeline.run' in sys.modules, 'csreport.data.ingest' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False", "False"], done.stderr
    assert "--lang fr: not a report language" in done.stderr
    assert not (tmp_path / "r").exists()


def test_run_report_with_a_period_outside_the_data_returns_the_error_and_writes_nothing(data_dir, tmp_path):
    spec = RunSpec("2026-12", "all", data_dir=data_dir(contacts="contacts_valid.csv"), out_dir=tmp_path / "reports")
    result = run_report(spec)
    assert result.status == "failed" and result.bad_parameter
    assert "period 2026-12 is outside the data: contacts from 2026-09-30 to 2026-11-01" in result.error
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["_validated"]  # the validated store only


def test_a_failed_validation_keeps_the_last_store_and_adds_no_lock_file(data_dir, tmp_path):
    out = tmp_path / "validated"
    good = ingest(data_dir(contacts="contacts_valid.csv"), out)
    (out / ".ingest.lock").unlink()  # a store made before lock files were removed on failure
    manifest = (out / "ingest.json").read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "contacts.csv").write_text("contact_id,created,business_unit,channel\nC1,2026-10-01,east,phone\n")
    with pytest.raises(UnusableInputError, match=r"required column 'created_at' missing .* Is 'created' your "):
        ingest(bad, out, force=True)
    assert not (out / ".ingest.lock").exists()
    assert (out / "ingest.json").read_bytes() == manifest  # the last good validation is untouched
    assert Store(Path(good.store_dir)).tables == ["contacts"]


def test_every_file_missing_a_column_is_named_at_once(data_dir):
    data = data_dir(contacts="contacts_valid.csv")
    (data / "agents.csv").write_text("agent_id,business_unit\nA1,east\n")
    (data / "surveys.csv").write_text("survey_id,business_unit\nS1,east\n")
    with pytest.raises(UnusableInputError) as raised:
        ingest(data, data.parent / "out")
    message = str(raised.value)
    assert "agents.csv: required columns 'team', 'hire_date' missing" in message
    assert "surveys.csv: required column 'responded_at' missing" in message
    assert not (data.parent / "out").exists()


# ---- batch: the grid against the data's span ---------------------------------------------------------------


def _specs(data: Path, tmp_path: Path, period: str, units: list[str]) -> tuple[list[RunSpec], Store]:
    report = ingest(data, tmp_path / "reports" / "_validated")
    specs = [RunSpec(period, u, data_dir=data, out_dir=tmp_path / "reports") for u in units]
    return specs, Store(Path(report.store_dir))


def test_units_all_leaves_out_a_unit_without_data_in_a_month_with_a_note(data_dir, tmp_path):
    specs, store = _specs(data_dir(contacts="contacts_valid.csv"), tmp_path, "2026-11", ["east", "west", "all"])
    kept, notes = runs_in_data(specs, store, every_unit=True)
    assert [s.unit for s in kept] == ["west", "all"]
    assert notes == [
        "east has no contacts in 2026-11 (its contacts run from 2026-09-30 to 2026-10-02): no report for it in that "
        "month."
    ]


def test_a_named_unit_without_data_in_a_month_is_an_error(data_dir, tmp_path):
    specs, store = _specs(data_dir(contacts="contacts_valid.csv"), tmp_path, "2026-11", ["east", "west"])
    with pytest.raises(ParameterError, match="period 2026-11 is outside the data of unit east: contacts from "
                       "2026-09-30 to 2026-10-02. Choose --periods in that range."):  # fmt: skip
        runs_in_data(specs, store, every_unit=False)


def test_a_month_outside_every_units_data_is_an_error_even_for_units_all(data_dir, tmp_path):
    specs, store = _specs(data_dir(contacts="contacts_valid.csv"), tmp_path, "2027-01", ["east", "west", "all"])
    with pytest.raises(ParameterError, match=r"period 2027-01 is outside the data: contacts from 2026-09-30"):
        runs_in_data(specs, store, every_unit=True)


def test_months_outside_the_data_are_named_as_spans(data_dir, tmp_path):
    data = data_dir(contacts="contacts_valid.csv")
    report = ingest(data, tmp_path / "reports" / "_validated")
    specs = [RunSpec(p, "all", data_dir=data, out_dir=tmp_path / "reports")
             for p in ["2026-01", "2026-02", "2026-03", "2026-05", "2026-10"]]  # fmt: skip
    with pytest.raises(ParameterError, match=r"periods 2026-01:2026-03, 2026-05 are outside the data"):
        runs_in_data(specs, Store(Path(report.store_dir)))


# ---- columns outside the data contract ---------------------------------------------------------------------


def test_validate_reports_an_unknown_column_with_a_suggestion(data_dir, tmp_path):
    data = data_dir(contacts="contacts_valid.csv")
    contacts = (data / "contacts.csv").read_text().replace("handle_s", "handle_time", 1).replace(
        "first_contact_resolution\n", "first_contact_resolution,Notes\n", 1)  # fmt: skip
    (data / "contacts.csv").write_text(contacts)
    result = runner.invoke(app, ["validate", str(data), "--out", str(tmp_path / "out")], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "contacts: column 'handle_time' is not in the data contract: not read. Did you mean 'handle_s'?" in said
    assert "contacts: column 'Notes' is not in the data contract: not read." in said
    listed = json.loads((tmp_path / "out" / "ingest.json").read_text())["tables"]["contacts"]["unknown_columns"]
    assert listed == [
        {"column": "handle_time", "kept": False, "did_you_mean": "handle_s"},
        {"column": "Notes", "kept": False, "did_you_mean": None},
    ]


def test_extra_customer_columns_are_kept_and_listed(data_dir, tmp_path):
    data = data_dir(contacts="contacts_valid.csv", customers="customers_extra_columns.csv")
    report = ingest(data, tmp_path / "out")
    customers = report.tables["customers"]
    assert [(u["column"], u["kept"]) for u in customers.unknown_columns] == [
        ("International plan", True),
        ("contract", True),
        ("total day minutes", True),
    ]
    assert {"International plan", "contract", "total day minutes"} <= set(Store(Path(report.store_dir)).columns(
        "customers"))  # fmt: skip
    assert unknown_notes(customers.unknown_columns)[0] == (
        "column 'International plan' is not in the data contract: kept as a customer attribute."
    )


def test_a_mapped_column_is_not_unknown(tmp_path):
    from csreport.data.mapping import load_mapping

    root = Path(__file__).parents[1]
    report = ingest(
        root / "tests/fixtures/helpdesk_cn", tmp_path / "out", load_mapping(root / "params/mapping/helpdesk_cn.yml")
    )
    assert all(not t.unknown_columns for t in report.tables.values()), {
        t.table: t.unknown_columns for t in report.tables.values()
    }

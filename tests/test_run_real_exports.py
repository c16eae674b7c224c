"""Whole reports on data shaped like real exports: the four required contact columns only, and a foreign
export through a mapping (``csreport run --mapping``, a batch grid's ``mapping`` key)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from typer.testing import CliRunner

from csreport.cli import app
from csreport.language import i18n
from csreport.pipeline.batch import read_grid, run_batch
from csreport.pipeline.notebooks import CHAPTERS
from csreport.pipeline.run import RunSpec

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
MAPPING = ROOT / "params" / "mapping" / "helpdesk_cn.yml"


def _run(*args: str):
    return CliRunner().invoke(app, ["run", "--renderer", "builtin", *args])


def test_required_columns_only_report_in_chinese_keeps_the_english_index(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "contacts_required_only.csv", data / "contacts.csv")
    out = tmp_path / "reports"
    result = _run("--period", "2026-10", "--unit", "east", "--lang", "zh", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    target = out / "2026-10" / "east.zh"
    page = (target / "report.html").read_text(encoding="utf-8")
    for i in range(1, 7):
        assert i18n.text(f"ch{i}.title", "zh") in page
    assert "queue_wait_s" in page  # says which column the service level needs
    assert (target / "report.pdf").stat().st_size > 10_000
    assert json.loads((target / "manifest.json").read_text())["status"] == "ok"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "Customer service reports" in index
    assert "客户服务分析报告" in (out / "index.zh.html").read_text(encoding="utf-8")


def test_run_with_mapping_reports_a_foreign_export(tmp_path):
    out = tmp_path / "reports"
    data = FIXTURES / "helpdesk_cn"
    result = _run("--period", "2026-10", "--data", str(data), "--mapping", str(MAPPING), "--out", str(out))
    assert result.exit_code == 0, result.output
    target = out / "2026-10" / "all"
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["parameters"]["mapping_file"] == str(MAPPING.resolve())
    page = (target / "report.html").read_text(encoding="utf-8")
    assert "4 contacts" in page  # 5 rows exported, one quarantined (channel 传真, fax, is not a channel)
    assert "Delivery" in page or "delivery" in page  # 物流 mapped onto the contract's category code


def test_run_without_the_mapping_names_the_missing_columns(tmp_path):
    result = _run("--period", "2026-10", "--data", str(FIXTURES / "helpdesk_cn"), "--out", str(tmp_path))
    assert result.exit_code in (1, 2)
    assert "contacts" in result.output


def test_a_bad_mapping_file_stops_run_and_batch_with_exit_2(tmp_path):
    missing = tmp_path / "nowhere.yml"
    result = _run("--period", "2026-10", "--mapping", str(missing), "--out", str(tmp_path))
    assert result.exit_code == 2 and "nowhere.yml" in result.output
    batch = CliRunner().invoke(
        app, ["batch", "--periods", "2026-10", "--mapping", str(missing), "--out", str(tmp_path)]
    )
    assert batch.exit_code == 2 and "nowhere.yml" in batch.output


def test_batch_grid_mapping_reaches_validation_and_every_chapter(tmp_path):
    grid = tmp_path / "batch.yml"
    grid.write_text(f"periods: 2026-10\nunits: all\nmapping: {MAPPING}\n", encoding="utf-8")
    config = read_grid(grid)
    assert config["mapping"] == MAPPING
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in CHAPTERS:  # one-cell chapters that show the mapping parameter they were given
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = 'period = ""\nbusiness_unit = ""\nlang = ""\ndata_dir = ""\nwork_dir = ""\ntargets_file = ""\n'
        nb.cells.append(nbformat.v4.new_code_cell(params + 'mapping_file = ""', metadata={"tags": ["parameters"]}))
        nb.cells.append(nbformat.v4.new_code_cell("print('mapping:', mapping_file)"))
        nbformat.write(nb, folder / f"{name}.ipynb")
    out = tmp_path / "reports"
    spec = RunSpec("2026-10", "all", "en", FIXTURES / "helpdesk_cn", out, renderer="builtin", notebook_dir=folder,
                   mapping_file=config["mapping"])  # fmt: skip
    [result] = run_batch([spec], workers=1)
    assert result.status == "ok", result.error
    for name in CHAPTERS:
        executed = nbformat.read(out / "2026-10" / "all" / "chapters" / f"{name}.ipynb", as_version=4)
        printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
        assert f"mapping: {MAPPING.resolve()}" in printed

"""Packaging (slow: builds the wheel and runs one report with it, a few minutes): a normal, non-editable install
carries the notebooks, parameter files and Quarto template, so ``csreport init`` and ``csreport run`` work from
a folder that is not the source checkout.

The temporary venv gets the wheel without dependencies and borrows the dependencies of the running environment
(a ``.pth`` line, and ``JUPYTER_PATH`` for their data files such as nbconvert's templates): a full dependency
install takes about ten minutes here and tests pip, not csreport."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from csreport.settings import packaged

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_installed_in_a_new_venv_inits_a_project_and_runs_one_report(sample_dir, sample_truth, tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, capture_output=True)  # fmt: skip
    (wheel,) = wheels.glob("csreport-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True)  # fmt: skip
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import csreport; print(csreport.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout  # fmt: skip
    assert where.startswith(str(site)), where  # the installed copy, not the source checkout

    project = tmp_path / "project"
    subprocess.run([str(venv / "bin" / "csreport"), "init", str(project)], check=True, capture_output=True)
    for item in ("notebooks/01_background.ipynb", "params/targets.yml", "params/findings.yml", "_quarto.yml",
                 "README.md"):  # fmt: skip
        assert (project / item).is_file(), item
    assert (project / "params" / "targets.yml").read_bytes() == packaged("params/targets.yml").read_bytes()

    empty = tmp_path / "elsewhere"  # no params/ or notebooks/ here: the packaged defaults are used
    empty.mkdir()
    # the borrowed dependencies' data files (nbconvert's HTML templates) are under the running environment
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    run = subprocess.run(
        [str(venv / "bin" / "csreport"), "run", "--period", sample_truth["end"], "--unit", "east",
         "--data", str(sample_dir), "--out", str(empty / "reports"), "--renderer", "builtin"],
        capture_output=True, text=True, cwd=empty, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    report = empty / "reports" / sample_truth["end"] / "east"
    assert (report / "report.html").is_file() and (report / "report.pdf").is_file()
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["parameters"]["params_dir"].startswith(str(site))
    assert json.loads((report / "findings.json").read_text())["unit"] == "east"

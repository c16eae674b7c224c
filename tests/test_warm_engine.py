"""The ``warm`` papermill engine: notebooks run one after the other in one kept kernel, each starting as in a
new kernel (empty namespace, its own working directory, cells numbered from 1); a failing cell still gives
papermill's error notebook and the next notebook a new kernel; the kernel is replaced after N notebooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from csreport.pipeline import warm

PROBE = """import os
builtin = {"In", "Out", "exit", "quit", "get_ipython", "open", "x", "builtin"}
leftovers = sorted(k for k in globals() if not k.startswith("_") and k not in builtin)
print(os.getpid(), os.path.basename(os.getcwd()), leftovers)
y = x * 2
y"""


@pytest.fixture
def probe(tmp_path):
    """A notebook with a parameter ``x`` that prints its kernel's pid, cwd and any names it did not define,
    and fails when ``x == 3``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("x = 1")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells += [parameters, nbformat.v4.new_code_cell(PROBE),
                 nbformat.v4.new_code_cell("if x == 3:\n    raise RuntimeError('planted failure')\nx")]  # fmt: skip
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "elsewhere").mkdir()
    yield path
    warm.shutdown_all()


def _run(probe: Path, x: int, engine: str = "warm", cwd: Path | None = None, **options):
    target = probe.with_name(f"out-{engine}-{x}.ipynb")
    papermill.execute_notebook(str(probe), str(target), parameters={"x": x}, engine_name=engine,
                               progress_bar=False, cwd=str(cwd or probe.parent), **options)  # fmt: skip
    return nbformat.read(target, as_version=4)


def _printed(nb) -> list[str]:
    return nb.cells[2].outputs[0]["text"].strip().split(maxsplit=2)  # pid, cwd name, leftovers


def _outputs(nb) -> list:
    return [(c.execution_count, [{k: v for k, v in o.items() if k != "execution_count"} for o in c.outputs])
            for c in nb.cells if c.cell_type == "code"]  # fmt: skip


def test_notebooks_share_one_kernel_and_start_clean(probe):
    first, second = _run(probe, 1), _run(probe, 2, cwd=probe.parent / "elsewhere")
    assert _printed(first)[0] == _printed(second)[0]  # same kernel process
    assert _printed(first)[2] == _printed(second)[2] == "['os']"  # nothing left from the first notebook
    assert _printed(second)[1] == "elsewhere"
    assert [c.execution_count for c in second.cells] == [1, 2, 3, 4]
    assert second.cells[2].outputs[1]["data"]["text/plain"] == "4"


def test_outputs_equal_a_cold_run_apart_from_the_pid(probe):
    _run(probe, 1)  # warm the kernel: the compared run is the second in it
    hot, cold = _run(probe, 5), _run(probe, 5, engine="nbclient")
    for nb in (hot, cold):
        nb.cells[2].outputs[0]["text"] = nb.cells[2].outputs[0]["text"].split(maxsplit=1)[1]
    assert _outputs(hot) == _outputs(cold)


def test_a_failing_cell_gives_the_error_notebook_and_the_next_notebook_a_new_kernel(probe):
    before = _printed(_run(probe, 1))[0]
    with pytest.raises(papermill.PapermillExecutionError, match="planted failure"):
        _run(probe, 3)
    failed = nbformat.read(probe.with_name("out-warm-3.ipynb"), as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed.cells if c.cell_type == "code" for o in c.outputs)
    after = _run(probe, 4)
    assert _printed(after)[0] != before
    assert after.cells[3].outputs[0]["data"]["text/plain"] == "4"


def test_the_kernel_is_replaced_after_recycle_after_notebooks(probe):
    pids = [_printed(_run(probe, x, recycle_after=2))[0] for x in (1, 2, 4)]
    assert pids[0] == pids[1] != pids[2]


def test_the_papermill_command_finds_the_engine_by_its_entry_point(probe):
    target = probe.with_name("cli.ipynb")
    command = [sys.executable, "-m", "papermill", "--engine", "warm", "-p", "x", "6", str(probe), str(target)]
    subprocess.run(command, check=True, capture_output=True, cwd=probe.parent)
    assert nbformat.read(target, as_version=4).cells[3].outputs[0]["data"]["text/plain"] == "6"

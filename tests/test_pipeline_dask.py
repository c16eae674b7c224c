"""Batches on a Dask cluster: a LocalCluster of two worker processes (one thread each) stands in for machines.

The first test runs the real task (``run_report`` on the workers: six papermill chapters, merge, render) with
the one-cell chapters of test_pipeline_batch; the worker-death tests swap in a cheap task so that killing and
restarting workers stays quick; one CLI test runs the real chapters once, end to end.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from csreport.pipeline import dask_executor
from csreport.pipeline.batch import _unchanged, run_batch
from csreport.pipeline.run import RunResult, RunSpec, inputs_key
from tests import test_pipeline_batch
from tests.test_pipeline_batch import FAIL_ON

small_chapters = test_pipeline_batch.small_chapters  # the six one-cell chapters (a fixture)
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes; a task whose worker dies is retried once more, then reported (allowed-failures 1).
    Worker saturation 1.0: a worker holds only the run it executes, so a run that kills its worker does not take
    runs queued behind it down too (with the default 1.1 a second run waits on the worker and dies with it)."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        )
    yield cluster
    cluster.close()


@pytest.fixture
def fingerprint(sample_dir, tmp_path):
    """The sample validated into ``tmp_path/reports/_validated`` (as ``csreport batch`` does before any run)."""
    from csreport.pipeline.run import validate_data

    return validate_data(sample_dir, tmp_path / "reports")[0]


def _specs(sample_dir, tmp_path, folder, units):
    out = tmp_path / "reports"
    return [RunSpec("2026-10", u, "en", sample_dir, out, renderer="builtin", notebook_dir=folder) for u in units]


def test_failure_isolated_on_workers_and_resume(cluster, sample_dir, small_chapters, fingerprint, tmp_path):
    specs = _specs(sample_dir, tmp_path, small_chapters, ["east", FAIL_ON])
    results = {r.spec.unit: r for r in run_batch(specs, scheduler=cluster.scheduler_address)}
    assert {u: r.status for u, r in results.items()} == {"east": "ok", FAIL_ON: "failed"}
    assert "chapter 03_service_quality failed" in results[FAIL_ON].error and "planted failure" in results[FAIL_ON].error
    out = tmp_path / "reports" / "2026-10"
    manifest = json.loads((out / f"{FAIL_ON}.failed" / "manifest.json").read_text())
    assert manifest["failed_chapter"] == "03_service_quality"
    assert (out / f"{FAIL_ON}.failed" / "chapters" / "03_service_quality.ipynb").is_file()  # the error is kept
    assert not (out / FAIL_ON).exists() and (out / "east" / "report.html").is_file()
    again = {r.spec.unit: r.status for r in run_batch(specs, resume=True, scheduler=cluster.scheduler_address)}
    assert again == {"east": "skipped", FAIL_ON: "failed"}


def _finish(spec: RunSpec, fingerprint: str) -> RunResult:
    """What a successful run leaves for --resume: ``<target>/manifest.json`` with status ok and the inputs key."""
    spec.target.mkdir(parents=True, exist_ok=True)
    manifest = {"status": "ok", "period": spec.period, "unit": spec.unit, "inputs_key": inputs_key(spec, fingerprint)}
    (spec.target / "manifest.json").write_text(json.dumps(manifest))
    return RunResult(spec, "ok", 0.1)


def slow_run(spec: RunSpec, fingerprint: str, threads=None) -> RunResult:
    """Cheap task: note which process started it, take two seconds, finish."""
    with (spec.out_dir / f"{spec.unit}.started").open("a") as log:
        log.write(f"{os.getpid()}\n")
    time.sleep(2)
    return _finish(spec, fingerprint)


def die_on_west(spec: RunSpec, fingerprint: str, threads=None) -> RunResult:
    """Cheap task that kills its own worker process for unit 'west' (every try), finishes the others."""
    if spec.unit == "west":
        os.kill(os.getpid(), signal.SIGKILL)
    return _finish(spec, fingerprint)


def test_killed_worker_run_is_retried_elsewhere(cluster, sample_dir, small_chapters, fingerprint, tmp_path):
    specs = _specs(sample_dir, tmp_path, small_chapters, ["east", "west", "north", "south"])
    out = specs[0].out_dir
    killed = []

    def kill_first_started_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for marker in out.glob("*.started"):
                pid = int(marker.read_text().split()[0])
                os.kill(pid, signal.SIGKILL)  # a worker process of the cluster, mid-run
                killed.append((marker.stem, pid))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_first_started_worker)
    killer.start()
    results = dask_executor.run_on_dask(specs, fingerprint, cluster.scheduler_address, run=slow_run)
    killer.join()
    assert killed, "no run started"
    assert sorted(r.spec.unit for r in results) == ["east", "north", "south", "west"]  # one result each
    assert all(r.status == "ok" for r in results)
    unit, pid = killed[0]
    tries = (out / f"{unit}.started").read_text().split()
    assert len(tries) == 2 and tries[0] == str(pid) and tries[1] != str(pid)  # run again, in another process


def test_run_whose_worker_always_dies_is_failed_then_resumed(
    cluster,
    sample_dir,
    small_chapters,
    fingerprint,
    tmp_path,
    monkeypatch,
):
    specs = _specs(sample_dir, tmp_path, small_chapters, ["east", "west", "north"])
    results = {
        r.spec.unit: r
        for r in dask_executor.run_on_dask(specs, fingerprint, cluster.scheduler_address, run=die_on_west)
    }
    assert {u: r.status for u, r in results.items()} == {"east": "ok", "west": "failed", "north": "ok"}
    assert "died on every try" in results["west"].error
    failed = json.loads((tmp_path / "reports" / "2026-10" / "west.failed" / "manifest.json").read_text())
    assert failed["status"] == "failed" and "died on every try" in failed["error"]
    assert [s.unit for s in specs if not _unchanged(s, fingerprint)] == ["west"]

    monkeypatch.setattr(dask_executor, "run_on_worker", slow_run)  # the cluster is healthy again
    resumed = {r.spec.unit: r.status for r in run_batch(specs, resume=True, scheduler=cluster.scheduler_address)}
    assert resumed == {"east": "skipped", "west": "ok", "north": "skipped"}


def test_worker_check_names_what_it_cannot_see(tmp_path):
    check = dask_executor.check_worker([str(tmp_path), str(tmp_path / "nowhere")], str(tmp_path))
    assert check["problem"] == f"cannot see {tmp_path / 'nowhere'}" and check["cores"] >= 1
    shares = dask_executor.thread_shares(
        {"w1": {"host": "a", "cores": 8}, "w2": {"host": "a", "cores": 8}, "w3": {"host": "b", "cores": 4}},
        {"w1": 2, "w2": 2, "w3": 1},
    )
    assert shares == {"w1": 2, "w2": 2, "w3": 4}  # host a: 8 cores over 4 threads; host b: 4 cores, 1 thread


def test_worker_settings_are_checked_and_their_variables_set_them(tmp_path):
    import dask

    assert set(dask_executor.check_worker([], str(tmp_path))["untuned"]) == set(dask_executor.WORKER_CONFIG)
    with dask.config.set(dask_executor.WORKER_CONFIG):
        assert dask_executor.check_worker([], str(tmp_path))["untuned"] == []
    # the variables the notice and the README name give a worker exactly these settings
    read = dask.config.collect_env(dask_executor.worker_environment())
    assert read["distributed"]["worker"]["profile"]["enabled"] is False
    assert read["distributed"]["admin"]["tick"]["interval"] == "1s"


def test_untuned_workers_get_a_notice(cluster, sample_dir, small_chapters, fingerprint, tmp_path):
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)  # a worker killed by an earlier test may still be restarting
    specs = _specs(sample_dir, tmp_path, small_chapters, ["east"])
    notices: list[str] = []
    results = dask_executor.run_on_dask(
        specs, fingerprint, cluster.scheduler_address, run=slow_run, on_notice=notices.append
    )
    assert [r.status for r in results] == ["ok"]
    assert len(notices) == 1 and "2 of 2 Dask workers" in notices[0]
    assert "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in notices[0]


def test_no_scheduler_is_a_clear_error(sample_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from csreport.cli import app

    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 1)
    monkeypatch.setenv("CSREPORT_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    result = CliRunner().invoke(app, ["batch", "--periods", "2026-10", "--units", "east", "--data", str(sample_dir),
                                      "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered" in result.output


def test_cli_batch_on_the_cluster_end_to_end(cluster, sample_dir, sample_truth, tmp_path):
    """The real chapters, one report, through ``csreport batch --scheduler``: summary, exit code, index page."""
    from typer.testing import CliRunner

    from csreport.cli import app

    args = ["batch", "--periods", sample_truth["end"], "--units", "east", "--data", str(sample_dir), "--out",
            str(tmp_path), "--renderer", "builtin", "--scheduler", cluster.scheduler_address]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 done, 0 unchanged (skipped), 0 failed" in result.output
    report = tmp_path / sample_truth["end"] / "east"
    assert (report / "report.html").is_file() and (report / "report.pdf").is_file()
    assert json.loads((report / "manifest.json").read_text())["status"] == "ok"
    assert "east" in (tmp_path / "index.html").read_text()
    again = CliRunner().invoke(app, [*args, "--resume"])
    assert again.exit_code == 0 and "0 done, 1 unchanged (skipped), 0 failed" in again.output

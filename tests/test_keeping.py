"""Kept objects (csreport/report/keeping.py): built once by whoever asks first, waited for by everyone else, and
reserved by a run before its kernels start so that each kernel waits for exactly what it reads."""

from __future__ import annotations

import pickle
import threading

from csreport.report import keeping


def test_a_kept_file_of_another_key_is_recomputed_not_trusted(tmp_path):
    path = tmp_path / "r.pkl"
    path.write_bytes(b"not a pickle")
    assert keeping.load(path, "k") is None

    path.write_bytes(pickle.dumps({"key": "kept by other code", "report": object()}))
    assert keeping.load(path, "k") is None
    path.write_bytes(pickle.dumps(["k", object()]))
    assert keeping.load(path, "k") is None
    path.write_bytes(pickle.dumps({"key": "k", "report": 7}))
    assert keeping.load(path, "k") == 7


def test_an_object_asked_for_while_it_is_built_is_waited_for_not_built_again(tmp_path):
    """kept(): a second asker (a kernel asking for the model the run is building) blocks on the lock until the
    first has kept its object, then reads that object; build runs once."""
    import threading

    built, started, release = [], threading.Event(), threading.Event()

    def build():
        built.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return {"value": 42}

    path, results = tmp_path / "computed" / "m.model.pkl", {}
    first = threading.Thread(target=lambda: results.update(first=keeping.kept(path, "k", build)), name="run")
    second = threading.Thread(target=lambda: results.update(second=keeping.kept(path, "k", build)), name="kernel")
    first.start()
    assert started.wait(10)
    second.start()
    second.join(0.5)
    assert second.is_alive() and "second" not in results  # waiting on the lock, not building
    release.set()
    first.join(10)
    second.join(10)
    assert built == ["run"] and results == {"first": {"value": 42}, "second": {"value": 42}}


def _ask_in_thread(path, key, build, results, name):
    thread = threading.Thread(target=lambda: results.update({name: keeping.kept(path, key, build)}), name=name)
    thread.start()
    return thread


def test_a_reserved_object_is_waited_for_until_it_is_kept_and_no_longer(tmp_path):
    """The run reserves the report and the analyses; a kernel asking for the report waits until the run has kept
    it, gets it while the analyses are still being built, and the analyses' asker waits for those."""
    report, analyses = tmp_path / "c" / "r.pkl", tmp_path / "c" / "r.analyses.pkl"
    built, results, go_on, reserved = [], {}, threading.Event(), threading.Event()

    def build(what):
        def work():
            built.append(what)
            return what

        return work

    def run():
        with keeping.reserving([report, analyses]):
            reserved.set()
            go_on.wait(10)
            keeping.kept(report, "k", build("report"))  # reserved by this thread: built without waiting on itself
            go_on.clear()
            go_on.wait(10)
            keeping.kept(analyses, "k", build("analyses"))

    runner = threading.Thread(target=run, name="run")
    runner.start()
    assert reserved.wait(10)
    kernel = _ask_in_thread(report, "k", build("kernel's report"), results, "kernel")
    kernel.join(0.3)
    assert kernel.is_alive() and not built  # nothing kept yet: the kernel waits, it does not build
    go_on.set()
    kernel.join(10)
    assert results == {"kernel": "report"}  # released as soon as the report was kept, analyses still pending
    later = _ask_in_thread(analyses, "k", build("kernel's analyses"), results, "later")
    later.join(0.3)
    assert later.is_alive()
    go_on.set()
    runner.join(10)
    later.join(10)
    assert built == ["report", "analyses"] and results["later"] == "analyses"


def test_a_reservation_not_kept_is_released_when_the_run_fails(tmp_path):
    """A run that fails before keeping what it reserved releases it: the kernel then builds it itself."""
    path, results = tmp_path / "c" / "m.pkl", {}
    reserved, fail = threading.Event(), threading.Event()

    def run():
        try:
            with keeping.reserving([path]):
                reserved.set()
                fail.wait(10)
                raise RuntimeError("the run's report failed")
        except RuntimeError:
            pass

    runner = threading.Thread(target=run)
    runner.start()
    assert reserved.wait(10)
    kernel = _ask_in_thread(path, "k", lambda: "built by the kernel", results, "kernel")
    kernel.join(0.3)
    assert kernel.is_alive()
    fail.set()
    runner.join(10)
    kernel.join(10)
    assert results == {"kernel": "built by the kernel"}

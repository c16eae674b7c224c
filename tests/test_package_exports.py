"""The package's lazy exports stay the exported functions however often they are used and whatever imported
their modules first (the exported functions ``scorecard`` and ``ingest`` are named like their modules
``csreport.metrics.scorecard`` and ``csreport.data.ingest``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import csreport

SCRIPT = """
import importlib, inspect, sys
import csreport
for first in {first!r}:
    importlib.import_module(first)
for _ in range(3):
    for name in ("scorecard", "ingest", "trend", "attainment", "open_store", "load_targets"):
        value = getattr(csreport, name)
        assert inspect.isfunction(value), (name, value)
        assert value.__name__ == name, (name, value)
from csreport import scorecard, ingest
assert inspect.isfunction(scorecard) and inspect.isfunction(ingest)
from csreport.metrics.scorecard import KpiCache
assert sys.modules["csreport.metrics.scorecard"].KpiCache is KpiCache
print("ok")
"""


@pytest.mark.parametrize(
    "first",
    [(), ("csreport.metrics.scorecard", "csreport.data.ingest"), ("csreport.report.chapters",)],
    ids=["nothing", "the-modules", "the-chapters"],
)
def test_exports_stay_functions_after_repeated_use_and_module_imports(first):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(first=first)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_every_exported_name_is_listed():
    assert set(csreport.__all__) == {"__version__", *csreport._EXPORTS}

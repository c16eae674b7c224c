"""csreport: a Jupyter-based customer-service analysis report template.

Only what notebooks and users call is exported here; nothing runs at import (names load on first use).

The package is laid out by the stages of the flow, each importing only those below it (``[tool.importlinter]`` in
pyproject.toml): ``cli`` → ``delivery``, ``sample`` → ``pipeline`` (run, batch, render) → ``report`` (the computed
report, the chapters, the page, charts) → ``findings`` → ``analyses`` → ``metrics`` (KPIs, comparisons, targets,
the scorecard) → ``data`` (read, map, validate, store) → ``language`` (locales, formats, labels) → ``settings``.
The exported functions ``ingest`` and ``scorecard`` live in ``csreport.data.ingest`` and
``csreport.metrics.scorecard``: importing those modules never replaces the package's functions.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "ingest": "csreport.data.ingest",
    "open_store": "csreport.data.store",
    "load_targets": "csreport.metrics.targets",
    "scorecard": "csreport.metrics.scorecard",
    "trend": "csreport.metrics.scorecard",
    "attainment": "csreport.metrics.scorecard",
    "CsreportError": "csreport.errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'csreport' has no attribute {name!r}")

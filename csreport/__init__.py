"""csreport: a Jupyter-based customer-service analysis report template.

Only what notebooks and users call is exported here; nothing runs at import (names load on first use).
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "ingest": "csreport.ingest",
    "open_store": "csreport.store",
    "load_targets": "csreport.targets",
    "scorecard": "csreport.scorecard",
    "trend": "csreport.scorecard",
    "attainment": "csreport.scorecard",
    "CsreportError": "csreport.errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'csreport' has no attribute {name!r}")

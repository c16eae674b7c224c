"""csreport: a Jupyter-based customer-service analysis report template.

Only what notebooks and users call is exported here; nothing runs at import (names load on first use).

``csreport.ingest`` and ``csreport.scorecard`` are functions with the names of the modules that define them.
Importing such a module (which any part of csreport may do) would set the package attribute to the module and
hide the function, so the package keeps the exported function: ``csreport.scorecard`` is always the function;
the module is ``sys.modules["csreport.scorecard"]`` (``from csreport.scorecard import KpiCache`` works as usual).
"""

from __future__ import annotations

import sys
import types
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
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'csreport' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The package module: a submodule named like an export does not replace the export when imported."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""csreport: a Jupyter-based customer-service analysis report template.

Only what notebooks and users call is exported here; nothing runs at import.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "ingest", "open_store", "CsreportError"]


def __getattr__(name: str):  # lazy, so that importing csreport stays cheap
    if name == "ingest":
        from csreport.ingest import ingest

        return ingest
    if name == "open_store":
        from csreport.store import open_store

        return open_store
    if name == "CsreportError":
        from csreport.errors import CsreportError

        return CsreportError
    raise AttributeError(name)

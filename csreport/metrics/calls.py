"""A cross-process count of the report's expensive calls, to prove that nothing is computed twice.

``@counted("scorecard")`` marks a function. When the environment variable ``CSREPORT_CALL_LOG`` names a file,
each call appends one line ``<name>\\t<pid>`` to it (one ``write`` on a file opened for appending, so lines of
the run's parent and of its chapter kernels never interleave); without it a call costs one dictionary look-up.
``@counted("who_churns", by=lambda store, period, unit, *a, **k: period)`` names the call after its arguments
(``who_churns 2024-06``): the same function over another window is other work, not the same work twice.

:func:`read_calls` reads such a file back: name → the pids that made the call, in order.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

ENV = "CSREPORT_CALL_LOG"


def counted(name: str, by: Callable[..., object] | None = None) -> Callable:
    """Log each call of the decorated function as ``name`` (``name <by(*args, **kwargs)>`` when ``by`` is
    given) to the file ``CSREPORT_CALL_LOG`` names, when it names one."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def logged(*args, **kwargs):
            log = os.environ.get(ENV)
            if log:
                label = name if by is None else f"{name} {by(*args, **kwargs)}"
                record(log, label)
            return function(*args, **kwargs)

        return logged

    return decorate


def record(log: str | Path, label: str) -> None:
    """Append ``label\\tpid`` to ``log`` in one write (O_APPEND: whole lines from concurrent processes)."""
    line = f"{label}\t{os.getpid()}\n".encode()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_calls(log: str | Path) -> dict[str, list[int]]:
    """The calls logged in ``log``: name → the pid of each call, in the order they were made."""
    calls: dict[str, list[int]] = {}
    path = Path(log)
    if not path.is_file():
        return calls
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, pid = line.rpartition("\t")
        calls.setdefault(label, []).append(int(pid))
    return calls


def frame_digest(frame) -> str:
    """A short digest of a DataFrame's values (names a call by its input when it has no period argument)."""
    import hashlib

    import pandas as pd

    values = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return f"{len(frame)} rows {hashlib.sha256(values).hexdigest()[:12]}"

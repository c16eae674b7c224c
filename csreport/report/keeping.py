"""Objects kept on disk beside the validated store, built once by whichever process asks first.

A run builds its report's objects (the computed report, its recommendations, the analyses, each chapter's part of
the report model) in its own process while the chapter kernels run in theirs; a kernel that asks for an object
being built waits for it and reads it, never builds it a second time. :func:`kept` does that with an exclusive
lock (an ``flock`` on ``<path>.lock``, released when the process dies); :func:`reserving` lets the run take the
locks of everything it is about to build *before* the first kernel starts, so a kernel waits for exactly the object
it needs (chapter 1 for the report and its own sections, not for the analyses that only later chapters show).

Format: a pickle of ``{"key": key, "csreport": version, "report": object}``, written atomically (a temporary file
in the same directory, then rename); a file whose key differs is rebuilt, never trusted.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from csreport import __version__

_reserved = threading.local()  # .held: lock path → its open lock file, for the thread that reserved it


def load(path: Path, key: str) -> object | None:
    """The object kept at ``path`` if it was kept under ``key`` (this code, data and parameters), else None."""
    try:
        with path.open("rb") as fh:
            kept = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != key:
        return None
    return kept["report"]


def save(path: Path, obj, key: str | None = None) -> None:
    """Write ``obj`` under ``key`` (default: its own ``key``) atomically (a temporary file in the same directory,
    then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"key": key or obj.key, "csreport": __version__, "report": obj}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)  # fmt: skip
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def kept(path: Path, key: str, build: Callable[[], object]) -> object:
    """The object kept at ``path`` under ``key``, else ``build()``, kept there. A process (or thread) already
    building it holds its lock: it is waited for and its object read, never built a second time."""
    found = load(path, key)
    if found is None:
        with _computing(path):
            found = load(path, key)
            if found is None:
                found = build()
                save(path, found, key)
    return found


def _lock_path(path: Path) -> str:
    return os.path.realpath(path.with_name(path.name + ".lock"))


@contextmanager
def reserving(paths: Iterable[Path]) -> Iterator[None]:
    """Take the locks of ``paths`` for the calling thread now, in order, and hold each until this thread has kept
    its object (:func:`kept` then builds it without waiting and releases its lock as soon as it is saved); the
    locks of objects not kept by the end are released then. Any other thread or process asking for a reserved
    object meanwhile waits for it."""
    held: dict[str, IO] = {}
    _reserved.held = held
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(_lock_path(path), "a")  # noqa: SIM115 - held across calls, closed by _release
            fcntl.flock(lock, fcntl.LOCK_EX)
            held[_lock_path(path)] = lock
        yield
    finally:
        _reserved.held = {}
        for lock in held.values():
            _release(lock)


def _release(lock: IO) -> None:
    try:
        fcntl.flock(lock, fcntl.LOCK_UN)
    finally:
        lock.close()


@contextmanager
def _computing(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` while building the object kept at ``path`` (the lock this thread
    reserved, if it did: :func:`reserving`)."""
    lock = getattr(_reserved, "held", {}).pop(_lock_path(path), None)
    if lock is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(_lock_path(path), "a")  # noqa: SIM115 - closed by _release
        fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        yield
    finally:
        _release(lock)

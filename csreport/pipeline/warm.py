"""A papermill engine that keeps its kernel: ``papermill --engine warm in.ipynb out.ipynb``.

Papermill's standard engine starts a new kernel for every notebook, so a report of six chapters imports pandas,
seaborn, scikit-learn and DuckDB six times, and a batch worker 6 × its reports. This engine starts one kernel per
process (per kernel name, arguments and environment) and runs every notebook in it. Between notebooks it
resets what a notebook could leave behind: the user namespace and its history (``%reset -f``), the working
directory (papermill's ``cwd``), the execution counter (a notebook's cells are numbered from 1, as in a cold run)
and Matplotlib's open figures (closed). ``rcParams`` are not reset: settings that modules made when imported
(the house style) must survive, as they would in a new kernel where the import runs again; resetting them to the
rc file made charts after the first notebook 720 px instead of 1,097 px wide. Imported modules stay loaded: that
is the saving.

A failing cell is handled by papermill as usual (the error notebook is written, ``PapermillExecutionError``
raised); the kernel is then shut down, so that the next notebook starts in a fresh kernel and one failed run
cannot affect another. A dead kernel is replaced. After ``recycle_after`` notebooks (an engine option,
``papermill ... --engine warm`` accepts it from Python as ``recycle_after=N``; default 48) the kernel is replaced
too, which bounds the memory a long batch can accumulate in one kernel.

Registered under the ``papermill.engine`` entry point as ``warm`` (``pyproject.toml``).
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

RECYCLE_AFTER = 48

# Run silently (no output, no history, no execution count) before each notebook in a kept kernel.
_RESET = """\
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
__import__("os").chdir({cwd!r})
if "matplotlib.pyplot" in __import__("sys").modules:
    __import__("matplotlib.pyplot").pyplot.close("all")
"""


@dataclass
class _Kept:
    client: PapermillNotebookClient  # the client that started the kernel (owns km and kc)
    notebooks: int = 0


_KEPT: dict[tuple, _Kept] = {}


def _key(kernel_name: str, kwargs: dict) -> tuple:
    return (kernel_name, tuple(kwargs.get("extra_arguments") or ()), tuple(sorted(os.environ.items())))


def shutdown_all() -> None:
    """Shut down every kept kernel of this process (also run at exit)."""
    for key in list(_KEPT):
        _discard(key)


def _discard(key: tuple) -> None:
    kept = _KEPT.pop(key, None)
    if kept is None:
        return
    try:
        kept.client._cleanup_kernel()
    except Exception as exc:  # noqa: BLE001 - a kernel that will not stop is left to the OS; the next one is new
        logger.warning("could not shut down a kept kernel: %s", exc)


atexit.register(shutdown_all)


def register() -> None:
    """Register the engine with papermill by name, for environments installed before the entry point existed
    (an editable install made earlier: its metadata lists no ``papermill.engine`` entry point until reinstalled)."""
    from papermill.engines import papermill_engines

    if "warm" not in papermill_engines._engines:
        papermill_engines.register("warm", WarmEngine)


def _reset(client: PapermillNotebookClient, cwd: str) -> None:
    """Reset the kept kernel for the next notebook; a reset that fails raises (the kernel is then replaced)."""
    msg_id = client.kc.execute(_RESET.format(cwd=cwd), silent=True, store_history=False)
    reply = client.wait_for_reply(msg_id)
    if reply is None or reply["content"]["status"] != "ok":
        content = reply["content"] if reply else {}
        raise RuntimeError(f"resetting the kept kernel failed: {content.get('ename')}: {content.get('evalue')}")


class WarmEngine(Engine):
    """Executes notebooks in one kept kernel per process (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        recycle_after=RECYCLE_AFTER,
        **kwargs,
    ):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        key = _key(kernel_name, final_kwargs)
        kept = _KEPT.get(key)
        if kept is not None and not run_sync(kept.client.km.is_alive)():
            _discard(key)
            kept = None
        client = PapermillNotebookClient(nb_man, **final_kwargs)
        cwd = os.getcwd()  # papermill runs the engine inside its cwd
        try:
            if kept is None:
                client.execute(cleanup_kc=False, cwd=cwd)
                kept = _KEPT[key] = _Kept(client)
            else:
                client.km, client.kc = kept.client.km, kept.client.kc
                _reset(client, cwd)
                client.execute(cleanup_kc=False)
        except BaseException:
            # the error notebook is papermill's to write; this kernel is not reused after a failure
            if kept is None:
                client._cleanup_kernel()
            else:
                _discard(key)
            raise
        kept.notebooks += 1
        failed = any(cell.get("metadata", {}).get("papermill", {}).get("exception") for cell in nb_man.nb.cells)
        if failed or kept.notebooks >= max(1, int(recycle_after)):
            _discard(key)  # papermill raises for the failed cell after this returns; the next run gets a new kernel
        return nb_man.nb

"""Executing chapter notebooks with papermill and merging the executed chapters into one report notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill

from csreport.settings import packaged

NOTEBOOK_DIR = packaged("notebooks")  # the default; a run passes its project's (Settings.notebooks)
CHAPTERS = ("01_background", "02_customers", "03_service_quality", "04_staff", "05_competition", "06_outlook")
KERNEL = "python3"  # the kernel of the Python running csreport (ipykernel is a dependency)
# The kernel's own log goes to the run's terminal: it warns about unencrypted TCP (127.0.0.1) once per chapter,
# and logs "ERROR | KeyboardInterrupt caught in kernel." when the SIGINT that jupyter_client sends before every
# shutdown lands inside a message handler. Neither is a problem of the run, so only CRITICAL lines show; cell
# errors are in the executed notebook, and a kernel that dies fails the run with papermill's error.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: the tag of the analyst's Markdown notes in a chapter notebook (what a section asks, how it is measured): English
#: notes for whoever edits the notebook, left out of the report, whose words come from the locale files
NOTES_TAG = "analyst-notes"


def chapter_sources(notebook_dir: Path = NOTEBOOK_DIR) -> dict[str, Path]:
    """The chapter notebooks, by name; a missing one is an error naming it."""
    paths = {name: notebook_dir / f"{name}.ipynb" for name in CHAPTERS}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        from csreport.errors import ParameterError

        raise ParameterError(f"chapter notebooks missing: {', '.join(missing)}.")
    return paths


def execute_chapter(
    source: Path, target: Path, parameters: dict, cwd: Path, engine: str = "warm", recycle_after: int = 48
) -> None:
    """Run ``source`` with ``parameters`` in ``cwd`` into ``target`` (kept with the error when a cell fails).

    ``engine="warm"`` runs it in this process's kept kernel (:mod:`csreport.pipeline.warm`; the kernel is
    replaced after ``recycle_after`` notebooks); ``"nbclient"`` is papermill's standard engine (a new kernel)."""
    options = {"recycle_after": recycle_after} if engine == "warm" else {}
    if engine == "warm":
        from csreport.pipeline import warm  # registers the engine even where the entry point is not installed yet

        warm.register()
    papermill.execute_notebook(
        str(source), str(target), parameters=parameters, cwd=str(cwd), kernel_name=KERNEL,
        progress_bar=False, log_output=False, report_mode=False, extra_arguments=KERNEL_ARGUMENTS,
        engine_name=engine, **options,
    )  # fmt: skip


def merge(chapters: list[Path], target: Path, title: str, lang: str) -> nbformat.NotebookNode:
    """One report notebook from the executed chapters: the parameters cells and papermill's injected
    parameters are dropped (they hold paths, not reading), so are the analyst's notes (:data:`NOTES_TAG`);
    stderr streams are dropped (they stay in the executed chapters), every code cell keeps its other outputs and
    is marked for hiding its source (Quarto ``echo: false``; the built-in renderer hides inputs)."""
    report = nbformat.v4.new_notebook()
    report.metadata.update(
        {"title": title, "lang": lang, "kernelspec": {"name": KERNEL, "display_name": "Python 3", "language": "python"}}
    )
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            tags = set(cell.metadata.get("tags", []))
            if tags & {"parameters", "injected-parameters", NOTES_TAG}:
                continue
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                # warnings and logs on stderr stay in the executed chapter notebooks, not in the report
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
                alts = [o.get("metadata", {}).get("image/png", {}).get("alt", "") for o in cell.outputs]
                if any(alts):  # Quarto takes each image output's alt text from fig-alt (by output index)
                    cell.metadata["fig-alt"] = alts
                cell.metadata["tags"] = sorted(tags | {"remove-input"})
                cell.source = "#| echo: false\n" + cell.source
            report.cells.append(cell)
    for i, cell in enumerate(report.cells):
        cell.id = f"report-{i:03d}"
    nbformat.write(report, target)
    return report

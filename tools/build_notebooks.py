"""Write the six chapter notebooks (without outputs) from ``csreport.report.chapters.SECTIONS``.

The notebooks are the product analysts edit; this script only creates them in the house layout: the parameters
cell, the cell opening the report, then per section a Markdown note (what it asks, how it is measured, the
formulas; from :mod:`csreport.report.chapters.descriptions`, tagged ``analyst-notes`` so the rendered report leaves it
out) and a short code cell that shows the section's numbers and renders it. The numbers of a section with a builder
(found now, by :func:`csreport.report.chapters.model.builders`) are its piece of the report model,
``data = ctx.section_data("03.bottlenecks")``; the other sections show their ``data`` line of the descriptions.
Run ``python tools/build_notebooks.py`` after changing a chapter's section list, a builder or a description;
edits made in JupyterLab to the notebooks themselves are kept as long as this script is not re-run. The cells it
writes pass ``ruff check`` and ``ruff format --check`` (``make lint``): a comment too long for the line is wrapped onto
comment lines above it (:func:`csreport.report.chapters.descriptions.commented`).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from csreport.pipeline.notebooks import NOTES_TAG
from csreport.report.chapters import SECTIONS, descriptions
from csreport.report.chapters.model import builders

PARAMETERS = """# Parameters: papermill overrides these; the defaults run as they are on the sample data.
period = "2026-10"  # month of the report, YYYY-MM
business_unit = "all"  # a business unit, or "all" for every unit
lang = "en"  # en | zh
data_dir = "../data/sample"  # input tables; "" reads the database in the CSREPORT_DB_URL environment variable
work_dir = "../reports/_validated"  # validated store and quarantine files (reused while the data is unchanged)
targets_file = "../params/targets.yml"  # service standards and KPI parameters
mapping_file = ""  # optional params/mapping/*.yml for a foreign export
params_dir = "../params"  # findings rules and recommendations (targets_file, when given, overrides targets)
fingerprint = ""  # set by csreport run after validating once: the chapter then reuses the store as it is
# Thresholds: None keeps the value of targets_file (its `parameters`); a value here overrides it for this chapter.
service_level_threshold_s = None  # T of "answered within T seconds" for every queued channel, seconds (e.g. 30)
min_sample = None  # below this many observations a value or comparison is flagged as a small sample (default 30)
confidence = None  # level of every interval and significance test (default 0.95)
forecast_horizon_months = None  # months the contact-volume forecast looks ahead (default 3)
churn_window_days = None  # a customer who churns within this many days after a contact counts as lost (default 90)"""

THRESHOLDS = """# the thresholds above, for open_report (None: the value of targets_file)
thresholds = dict(service_level_threshold_s=service_level_threshold_s, min_sample=min_sample, confidence=confidence,
                  forecast_horizon_months=forecast_horizon_months, churn_window_days=churn_window_days)"""

# ruff keeps a cell's import block apart (a blank line after it), so the imports have their own cell and the
# cells stay a few lines each; `make lint` checks them with ruff check (ruff format would spread each call's
# arguments one per line)
OPEN = (
    "ctx = open_report(period, business_unit, lang, data_dir, work_dir, targets_file, mapping_file or None, "
    "fingerprint,\n                  params_dir, thresholds)\nchapter.title(ctx)"
)

NOTE = {"tags": [NOTES_TAG]}


def imports(module: str) -> str:
    """The cell's two imports in the order ruff's isort keeps (by the imported name: ``background as chapter``
    before ``open_report``, ``open_report`` before ``outlook as chapter``)."""
    names = sorted([f"{module} as chapter", "open_report"])
    return "\n".join(f"from csreport.report.chapters import {name}" for name in names)


def build(root: Path) -> None:
    built = builders()  # every chapter's builders, by section name ("06.staffing")
    for name, (module, sections) in SECTIONS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nb.cells.append(nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}))
        nb.cells.append(nbformat.v4.new_code_cell(THRESHOLDS))
        nb.cells.append(nbformat.v4.new_code_cell(imports(module)))
        nb.cells.append(nbformat.v4.new_code_cell(OPEN))
        for section in sections:
            nb.cells.append(nbformat.v4.new_markdown_cell(descriptions.markdown(section), metadata=NOTE))
            nb.cells.append(nbformat.v4.new_code_cell(descriptions.code(section, built)))
        for i, cell in enumerate(nb.cells):
            cell.id = f"{name[:2]}-{i:02d}"
        nbformat.write(nb, root / f"{name}.ipynb")


if __name__ == "__main__":
    build(Path(__file__).resolve().parents[1] / "notebooks")

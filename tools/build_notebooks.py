"""Write the six chapter notebooks (without outputs) from the section lists below.

The notebooks are the product analysts edit; this script only creates them in the house layout. Run
``python tools/build_notebooks.py`` after changing a chapter's section list; edits made in JupyterLab to the
notebooks themselves are kept as long as this script is not re-run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from csreport.chapters import SECTIONS

PARAMETERS = """# Parameters: papermill overrides these; the defaults run as they are on the sample data.
period = "2026-10"  # month of the report, YYYY-MM
business_unit = "all"  # a business unit, or "all" for every unit
lang = "en"  # en | zh
data_dir = "../data/sample"  # input tables; "" reads the database in the CSREPORT_DB_URL environment variable
work_dir = "../reports/_validated"  # validated store and quarantine files (reused while the data is unchanged)
targets_file = "../params/targets.yml"  # service standards and KPI parameters
mapping_file = ""  # optional params/mapping/*.yml for a foreign export
params_dir = "../params"  # findings rules and recommendations (targets_file, when given, overrides targets)
fingerprint = ""  # set by csreport run after validating once: the chapter then reuses the store as it is"""

OPEN = """from csreport.chapters import {module} as chapter, open_report
ctx = open_report(period, business_unit, lang, data_dir, work_dir, targets_file, mapping_file or None,
                  fingerprint, params_dir)
chapter.title(ctx)"""


def build(root: Path) -> None:
    for name, (module, sections) in SECTIONS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nb.cells.append(nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}))
        nb.cells.append(nbformat.v4.new_code_cell(OPEN.format(module=module)))
        nb.cells += [nbformat.v4.new_code_cell(f"chapter.{section}(ctx)") for section in sections]
        for i, cell in enumerate(nb.cells):
            cell.id = f"{name[:2]}-{i:02d}"
        nbformat.write(nb, root / f"{name}.ipynb")


if __name__ == "__main__":
    build(Path(__file__).resolve().parents[1] / "notebooks")

"""Where a run's parameter files come from, resolved once and passed down.

A report project is a folder with ``params/``, ``notebooks/`` and ``_quarto.yml`` (``csreport init DIR`` writes
one). :class:`Settings` resolves each parameter file once: an explicit file wins, then ``--params DIR``, then the
project folder's ``params/`` (the current directory), then the defaults that ship inside the package
(``csreport/resources/template``, found with :mod:`importlib.resources`, so a normal ``pip install`` has them).
Nothing here guesses a repository root.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

PARAM_FILES = {
    "targets": "targets.yml",
    "findings": "findings.yml",
    "recommendations": "recommendations.yml",
    "scenario": "scenarios/default.yml",
    "batch": "batch.yml",
    "calendars": "calendars.yml",
    "delivery": "delivery.yml",
    "labels": "labels.yml",
}


def template_dir() -> Path:
    """The packaged project template: ``params/``, ``notebooks/``, ``_quarto.yml`` and ``README.md``."""
    return Path(str(resources.files("csreport") / "resources" / "template"))


def packaged(relative: str) -> Path:
    """A file of the packaged template, e.g. ``packaged("params/targets.yml")``."""
    return template_dir() / relative


def _first(relative: str, *folders: Path | None) -> Path:
    """``relative`` in the first of ``folders`` that has it, else in the packaged template's ``params/``."""
    for folder in folders:
        if folder is not None and (folder / relative).is_file():
            return folder / relative
    return packaged("params") / relative


@dataclass(frozen=True)
class Settings:
    """The parameter files of a run, notebooks and the Quarto template, each an absolute path."""

    targets: Path
    findings: Path
    recommendations: Path
    scenario: Path
    batch: Path
    calendars: Path
    delivery: Path  # who receives which report by e-mail (csreport deliver); shapes no report
    labels: Path
    mapping: Path | None
    notebooks: Path
    quarto: Path

    @classmethod
    def resolve(
        cls,
        params_dir: str | Path | None = None,
        project_dir: str | Path | None = None,
        targets: str | Path | None = None,
        mapping: str | Path | None = None,
    ) -> Settings:
        """Resolve every file once: ``targets`` / ``mapping`` as given, else ``params_dir``, else
        ``<project_dir>/params`` (default: the current directory), else the packaged defaults. Notebooks and
        ``_quarto.yml`` come from the project folder when it has them, else from the package."""
        from csreport.errors import ParameterError

        project = Path(project_dir or Path.cwd()).resolve()
        if params_dir is not None and not Path(params_dir).is_dir():
            raise ParameterError(f"--params {params_dir}: not a directory. Pass a folder like the project's params/.")
        folders = [Path(params_dir).resolve() if params_dir else None, project / "params"]
        found = {name: _first(relative, *folders) for name, relative in PARAM_FILES.items()}
        if targets:
            found["targets"] = Path(targets).resolve()
        notebooks = project / "notebooks"
        quarto = project / "_quarto.yml"
        return cls(
            **found,
            mapping=Path(mapping).resolve() if mapping else None,
            notebooks=notebooks if (notebooks / "01_background.ipynb").is_file() else packaged("notebooks"),
            quarto=quarto if quarto.is_file() else packaged("_quarto.yml"),
        )

    @property
    def params_dir(self) -> Path:
        """The folder of the targets file (the one passed to notebooks as their ``params_dir``)."""
        return self.targets.parent

    def digest(self, *names: str) -> str:
        """SHA-256 over the bytes of the named parameter files (default: those that shape a report's numbers:
        targets, findings rules, recommendations, mapping, and the calendars, whose business hours shape the
        response and resolution KPIs and whose time zones slice the units' months)."""
        names = names or ("targets", "findings", "recommendations", "mapping", "calendars")
        digest = hashlib.sha256()
        for name in names:
            path = getattr(self, name)
            digest.update(f"{name}:".encode())
            if path is not None and Path(path).is_file():
                digest.update(Path(path).read_bytes())
        return digest.hexdigest()

    def as_dict(self) -> dict[str, str | None]:
        return {f.name: (str(getattr(self, f.name)) if getattr(self, f.name) else None) for f in fields(self)}

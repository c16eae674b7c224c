"""The project keeps its promises: one package list, a data dictionary in step with the schemas, honest docs."""

import re
import tomllib
from pathlib import Path

import yaml

from csreport.metrics.dictionary import data_dictionary_markdown

ROOT = Path(__file__).parents[1]
CONDA_NAMES = {"python-duckdb": "duckdb"}  # conda-forge name → PyPI name


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pypi = {_name(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            conda |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(CONDA_NAMES.get(_name(dep), _name(dep)))
    assert conda - {"python", "pip", "quarto"} == pypi


def test_data_dictionary_is_in_step_with_the_schemas():
    assert (ROOT / "data" / "README.md").read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "data/README.md is stale: run python -m csreport.metrics.dictionary > data/README.md"
    )


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_top_level_layout():
    for name in [
        "notebooks",
        "csreport",
        "params",
        "data",
        "tests",
        "_quarto.yml",
        "environment.yml",
        "README.md",
        "pyproject.toml",
        "Makefile",
        ".ci/run",
        ".gitignore",
        "benchmarks",
    ]:
        assert (ROOT / name).exists(), name

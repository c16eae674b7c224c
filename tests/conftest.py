from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path):
    """Build a data directory from fixture files: ``data_dir(contacts="contacts_valid.csv")``."""

    def build(**tables: str) -> Path:
        root = tmp_path / "data"
        root.mkdir(exist_ok=True)
        for table, fixture in tables.items():
            source = FIXTURES / fixture
            shutil.copy(source, root / f"{table}{source.suffix}")
        return root

    return build


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """One simulated data set of the default scenario at 80,000 contacts, shared by the tests that need one."""
    from csreport.sample.generate import generate
    from csreport.sample.scenario import load_scenario

    out = tmp_path_factory.mktemp("sample")
    root = Path(__file__).parents[1]
    generate(load_scenario(root / "params/scenarios/default.yml").with_overrides(contacts=80_000), out)
    return out


@pytest.fixture(scope="session")
def sample_truth(sample_dir):
    import json

    return json.loads((sample_dir / "_scenario_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def other_sample_dir(tmp_path_factory):
    """The second scenario (tests/fixtures/scenario_other.yml) at its own scale, shared by the tests that need it."""
    from csreport.sample.generate import generate
    from csreport.sample.scenario import load_scenario

    out = tmp_path_factory.mktemp("other") / "data"
    generate(load_scenario(FIXTURES / "scenario_other.yml"), out)
    return out


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    """The small simulated export of tests/optional_data.py (every table of the contract), validated once: the
    :class:`~csreport.data.ingest.IngestReport` that :func:`tests.optional_data.variant` copies with parts left out."""
    from csreport.data.ingest import ingest
    from tests.optional_data import simulate

    root = tmp_path_factory.mktemp("optional")
    return ingest(simulate(root), root / "validated")


@pytest.fixture
def shown(monkeypatch):
    """What the chapter sections display; a chart is closed without being encoded as PNG (its data is still
    built). DuckDB uses one thread, as in a batch worker (the test measures work, not thread start-up)."""
    import matplotlib.pyplot as plt

    from csreport.report.chapters import output as chapter_output
    from csreport.report.chapters import section as chapter_section

    monkeypatch.setenv("CSREPORT_THREADS", "1")
    outputs = []
    monkeypatch.setattr(chapter_section, "display", outputs.append)
    monkeypatch.setattr(
        chapter_output,
        "figure",
        lambda fig, caption: (plt.close(fig), chapter_output.markdown(f"*{chapter_output.escape(caption)}*")),
    )
    return outputs

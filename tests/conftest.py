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

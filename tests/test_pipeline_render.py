"""Renderer choice, the generated _quarto.yml, the exact Quarto command lines and the built-in TOC."""

from __future__ import annotations

from pathlib import Path

import pytest

from csreport.errors import ParameterError
from csreport.pipeline import render


def test_quarto_config_from_template():
    config = render.quarto_config("Customer service report: east, October 2026", "zh")
    assert config["title"] == "Customer service report: east, October 2026"
    assert config["lang"] == "zh-CN"
    assert config["execute"]["echo"] is False
    assert config["format"]["html"]["embed-resources"] is True
    typst = config["format"]["typst"]
    assert typst["mainfont"] == "Noto Sans CJK SC"
    assert Path(typst["font-paths"][0], "NotoSansCJKsc-Regular.otf").is_file()


def test_quarto_command_lines():
    assert render.quarto_commands(Path("/runs/x/report.ipynb")) == [
        ["quarto", "render", "report.ipynb", "--to", "html", "--no-execute"],
        ["quarto", "render", "report.ipynb", "--to", "typst", "--no-execute"],
    ]


def test_renderer_choice(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert render.choose_renderer("auto") == "builtin"
    with pytest.raises(ParameterError, match="no 'quarto' executable"):
        render.choose_renderer("quarto")
    monkeypatch.setattr(render.shutil, "which", lambda name: "/usr/bin/quarto")
    assert render.choose_renderer("auto") == "quarto"
    with pytest.raises(ParameterError, match="use one of auto, quarto, builtin"):
        render.choose_renderer("word")


def test_quarto_failure_is_a_clear_error(tmp_path, monkeypatch):
    notebook = tmp_path / "report.ipynb"
    notebook.write_text("{}")

    class Done:
        returncode, stderr = 1, "ERROR: something in Quarto broke"

    monkeypatch.setattr(render.subprocess, "run", lambda *a, **k: Done())
    with pytest.raises(render.RenderError, match="quarto render report.ipynb --to html --no-execute failed"):
        render.render_quarto(notebook, "T", "en")
    assert "_quarto.yml" in {p.name for p in tmp_path.iterdir()}


def test_table_of_contents_links_every_heading():
    page = (
        "<html><body><h1>Report</h1><h2>1 Background</h2><h3>Scope &amp; data</h3><h2>1 Background</h2></body></html>"
    )
    out = render._with_toc(page, "Contents")
    assert '<a href="#1-background">1 Background</a>' in out and 'id="1-background"' in out
    assert 'id="1-background-2"' in out  # repeated headings get distinct anchors
    assert '<a href="#scope-data">Scope &amp; data</a>' in out
    assert out.index('<nav id="toc"') < out.index("<h1")

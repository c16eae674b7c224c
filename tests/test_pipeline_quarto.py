"""The Quarto renderer without Quarto: the render folder (never under a dot-prefixed folder, which makes Quarto
ignore the project), the generated _quarto.yml, the notebook Quarto is given, the command line and errors.
Rendering with a real Quarto is tested in test_print.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
import pytest

from csreport.pipeline import quarto


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/tmp/reports/2026-10/.east.tmp-x1/report.ipynb", True), ("/home/me/.cache/r", True), ("/tmp/r/a.b", False)],
)
def test_hidden_paths(path, expected):
    assert quarto.hidden(Path(path)) is expected


def test_render_folder_has_no_dot_component(tmp_path, monkeypatch):
    hidden_tmp = tmp_path / ".hidden-tmp"
    hidden_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(hidden_tmp))  # $TMPDIR under a hidden folder
    folder = quarto.render_folder()
    try:
        assert folder.is_dir() and not any(folder.iterdir())
        assert not [part for part in folder.resolve().parts if part.startswith(".")]
        assert hidden_tmp not in folder.parents
    finally:
        folder.rmdir()


def test_quarto_config_from_template():
    config = quarto.quarto_config("Customer service report: east, October 2026", "zh")
    assert config["title"] == "Customer service report: east, October 2026"
    assert config["lang"] == "zh-Hans"  # the tag pandoc has translations for (the HTML page says zh-CN)
    assert config["execute"] == {"echo": False, "enabled": False}
    html = config["format"]["html"]
    assert html["embed-resources"] is True and html["format-links"] is False
    assert html["toc"] is True and html["toc-depth"] == 3 and html["toc-location"] == "body"
    assert Path(html["css"][0]).name == "marks.css"
    typst = config["format"]["typst"]
    assert typst["mainfont"] == "Noto Sans CJK SC" and typst["papersize"] == "a4" and typst["toc-depth"] == 3
    assert Path(typst["font-paths"][0], "NotoSansCJKsc-Regular.otf").is_file()
    header = typst["include-in-header"][0]["text"]
    assert 'heading-family: "Noto Sans CJK SC"' in header  # the title block too, not Libertinus Serif
    assert "Customer service report: east, October 2026" in header  # the page footer
    assert Path(config["filters"][0]).name == "marks.lua"
    assert typst["region"] == "CN"
    english = quarto.quarto_config("Customer service report: east, October 2026", "en")
    assert english["lang"] == "en" and "region" not in english["format"]["typst"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pandoc_has_translations_for_the_language_tag_of_the_pdf(lang):
    """Pandoc (Quarto's and the built-in PDF's) looks its words up by the tag, then by the language alone: it
    ships zh-Hans.yaml, not zh.yaml or zh-CN.yaml (those print "[WARNING] Could not load translations")."""
    import subprocess

    import pypandoc

    from csreport.pipeline.layout import pandoc_lang

    def has(tag: str) -> bool:
        command = [pypandoc.get_pandoc_path(), "--print-default-data-file", f"translations/{tag}.yaml"]
        return subprocess.run(command, capture_output=True).returncode == 0

    assert has(pandoc_lang(lang))
    assert not has("zh-CN") and not has("zh")  # what the renderers gave pandoc before


def test_quarto_warnings_are_picked_from_its_log():
    log = (
        "\x1b[1mpandoc \x1b[22m\n  to: html\n  toc: true\n\n"
        "[WARNING] Could not load translations for zh-CN\n  data file translations/zh.yaml not found\n"
        "[WARNING] The term Abstract has no translation defined.\n\x1b[1mmetadata\x1b[22m\n  lang: zh-CN\n"
        "WARN: font not found\nOutput created: report.html\n"
    )
    assert quarto.warnings(log) == [
        "[WARNING] Could not load translations for zh-CN data file translations/zh.yaml not found",
        "[WARNING] The term Abstract has no translation defined.",
        "WARN: font not found",
    ]
    assert quarto.warnings("\x1b[1mpandoc \x1b[22m\n  to: typst\nOutput created: report.html\n") == []


def test_quarto_page_says_the_report_language(tmp_path):
    page = tmp_path / "report.html"
    page.write_text('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-Hans" xml:lang="zh-Hans">'
                    '<body><p lang="en">x</p></body></html>', encoding="utf-8")  # fmt: skip
    quarto.html_lang(page, "zh-CN")
    assert page.read_text(encoding="utf-8") == (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">'
        '<body><p lang="en">x</p></body></html>'
    )


def test_quarto_command_line():
    assert quarto.quarto_command() == ["quarto", "render", "report.ipynb", "--no-execute"]


def test_quarto_notebook_shows_markdown_outputs_as_document_text(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("#| echo: false\nbackground.title(ctx)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": "# Report: east\n\n## 1 Background"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "Of 20 KPIs, 8 met."}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "| a |\n|--:|\n| 1 |"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("text"), cell]
    nbformat.write(nb, tmp_path / "in.ipynb")
    quarto.quarto_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb")
    out = nbformat.read(tmp_path / "out.ipynb", 4)
    assert out.cells[1].source == "#| output: asis\n#| echo: false\nbackground.title(ctx)"
    texts = [o.data["text/markdown"] for o in out.cells[1].outputs]
    assert texts == ["\n\n## 1 Background\n\n", "\n\nOf 20 KPIs, 8 met.\n\n", "\n\n| a |\n|--:|\n| 1 |\n\n"]


def test_quarto_failure_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "report.ipynb")
    folders = []

    class Done:
        returncode, stderr = 1, "ERROR: something in Quarto broke"

    def run(command, cwd, **kwargs):
        folders.append(Path(cwd))
        assert (Path(cwd) / "_quarto.yml").is_file() and (Path(cwd) / "report.ipynb").is_file()
        return Done()

    monkeypatch.setattr(quarto.subprocess, "run", run)
    failed = r"quarto render report.ipynb --no-execute failed \(exit 1\):\nERROR: something"
    with pytest.raises(quarto.RenderError, match=failed):
        quarto.render_quarto(tmp_path / "report.ipynb", "T", "en")
    assert folders and not folders[0].exists()  # the render folder is removed
    assert {p.name for p in tmp_path.iterdir()} == {"report.ipynb"}  # nothing written beside the notebook

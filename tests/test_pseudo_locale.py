"""A third language, made at test time, proves that every word of the report comes from the locale files.

The pseudo locale ``xx`` is en.yml with every message wrapped in ⟦ ⟧ and its letters accented ("⟦Ćóñţáćţš⟧"),
its Babel locale that of English and its date patterns wrapped too; the labels file and the recommendation rules
get ``xx`` names the same way. A whole report's text (every section of every chapter: headings, sentences,
tables, captions, bullets and the text of every chart) is rendered in ``xx``: no key may be missing and no
English may be left once the wrapped parts are taken out, except what the data itself says (a customer's
comment, a time zone, an identifier of the data contract named so that a user can act on it).
"""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml
from matplotlib.text import Text

from csreport.data.ingest import ingest
from csreport.data.schemas import SCHEMAS
from csreport.data.store import Store
from csreport.language import i18n
from csreport.language.labels import default_label
from csreport.metrics.targets import load_targets
from csreport.report.chapters import SECTIONS, ReportContext
from csreport.report.chapters import output as chapter_output
from csreport.report.chapters import section as chapter_section
from csreport.settings import Settings, packaged

PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"
_ACCENTS = str.maketrans("aceinorsuyACEINORSUY", "áçéîñóŕšúýÁÇÉÎÑÓŔŠÚÝ")
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")


def pseudo(text: str) -> str:
    """``text`` wrapped and accented, its ``{placeholders}`` untouched."""
    parts = _PLACEHOLDER.split(str(text))
    return OPEN + "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts)) + CLOSE


def _pseudo_messages(node):
    if isinstance(node, dict):
        return {key: _pseudo_messages(value) for key, value in node.items()}
    return pseudo(node)


def pseudo_catalogue(english: dict) -> dict:
    """The xx locale file: every message of ``english`` wrapped; the locale settings of English with the date
    patterns wrapped (Babel literals in quotes) and a folder suffix of its own."""
    messages = _pseudo_messages({k: v for k, v in english.items() if k != "locale"})
    locale = dict(english["locale"])
    locale.update(name="Pseudo", suffix=f".{PSEUDO}", month=f"'{OPEN}'{locale['month']}'{CLOSE}'",
                  day=f"'{OPEN}'{locale['day']}'{CLOSE}'")  # fmt: skip
    return {"locale": locale, **messages}


@pytest.fixture
def pseudo_locale(tmp_path, monkeypatch):
    """The locale files with xx beside en and zh, and a params folder whose labels and recommendation rules
    have xx names (the packaged ones, each English text wrapped)."""
    locales = tmp_path / "locales"
    shutil.copytree(i18n.CATALOGUE_DIR, locales)
    english = yaml.safe_load((i18n.CATALOGUE_DIR / "en.yml").read_text(encoding="utf-8"))
    (locales / f"{PSEUDO}.yml").write_text(yaml.safe_dump(pseudo_catalogue(english), allow_unicode=True), "utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", locales)
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO))
    i18n.reload()

    params = tmp_path / "params"
    shutil.copytree(packaged("params"), params)
    labels = yaml.safe_load((params / "labels.yml").read_text(encoding="utf-8"))
    for codes in labels.values():
        for code, names in codes.items():
            names[PSEUDO] = pseudo(names.get("en") or default_label(code))
    (params / "labels.yml").write_text(yaml.safe_dump(labels, allow_unicode=True), encoding="utf-8")
    rules = yaml.safe_load((params / "recommendations.yml").read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        for key in ("owner", "action", "expected"):
            if key in rule:
                rule[key][PSEUDO] = pseudo(rule[key]["en"])
    (params / "recommendations.yml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    yield params
    monkeypatch.undo()
    i18n.reload()


@pytest.fixture
def shown(monkeypatch):
    """What the sections display, and the text of every chart (title, axis labels, ticks, legend)."""
    outputs, chart_text = [], []
    monkeypatch.setattr(chapter_section, "display", outputs.append)

    def figure(fig, caption):
        chart_text.extend(t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip())
        plt.close(fig)
        chapter_output.markdown(f"*{chapter_output.escape(caption)}*")

    monkeypatch.setattr(chapter_output, "figure", figure)
    return outputs, chart_text


def unwrapped(text: str) -> str:
    """``text`` without its wrapped parts (innermost first: a message filled into another is nested)."""
    while True:
        shorter = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if shorter == text:
            return text
        text = shorter


def data_words(store: Store) -> set[str]:
    """Words the data itself says: the text of the survey comments (quoted, and their terms in the classifier's
    table), time zones, identifiers; and the names of the data contract (tables, columns), which sentences name
    so that a user can act on them."""
    words = set()
    if "surveys" in store.tables and "comment" in store.columns("surveys"):
        for comment in store.query("SELECT DISTINCT comment AS c FROM {surveys} WHERE comment IS NOT NULL")["c"]:
            words |= set(re.findall(r"[A-Za-z]+", str(comment)))
    words |= {w for name, schema in SCHEMAS.items() for c in [name, *schema.columns] for w in re.split(r"\W+", c)}
    words |= {"Asia", "Shanghai", "Europe", "UTC"}  # time zones (a unit's calendar)
    words |= {"CN"}  # Babel's currency symbol of the English locale: CN¥
    files = "report xlsx exports scorecard csv findings quarantine evidence params yml data README md targets"
    words |= {*files.split(), "calendars", "recommendations", "labels", "mapping"}  # files the report links or names
    return {w for w in words if w}


ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def test_a_whole_report_in_a_pseudo_locale_has_every_word_from_the_locale_files(
    pseudo_locale, shown, sample_dir, sample_truth, tmp_path, monkeypatch
):
    monkeypatch.setenv("CSREPORT_THREADS", "1")
    report = ingest(sample_dir, tmp_path / "validated")
    store = Store(Path(report.store_dir))
    ctx = ReportContext(sample_truth["end"], "east", PSEUDO, store, load_targets(), report,
                        Settings.resolve(pseudo_locale))  # fmt: skip
    i18n.MISSING.clear()
    for module, sections in SECTIONS.values():
        chapter = importlib.import_module(f"csreport.report.chapters.{module}")
        chapter.title(ctx)._ipython_display_()
        for name in sections:
            getattr(chapter, name)(ctx)._ipython_display_()
    assert not i18n.MISSING, sorted(i18n.MISSING)
    outputs, chart_text = shown
    blocks = [o.data for o in outputs if isinstance(getattr(o, "data", None), str)]
    assert len(blocks) > 100 and len(chart_text) > 100  # every chapter wrote its text and charts
    allowed = data_words(store)
    left = [
        (word, block[:160])
        for block in [*blocks, *chart_text]
        for word in ENGLISH_WORD.findall(re.sub(r"<[^>]+>|&\w+;|\]\([^)]*\)", " ", unwrapped(block)))  # markup, links
        if word not in allowed
    ]
    assert not left, sorted({w for w, _ in left}) + left[:10]
    title = unwrapped(blocks[0])
    assert OPEN in blocks[0] and not ENGLISH_WORD.search(title.replace("#", "")), blocks[0]


def test_the_index_and_the_report_links_in_a_pseudo_locale(pseudo_locale, tmp_path):
    """The index of the xx reports and the links atop a report: every word from the locale files."""
    import json

    from csreport.pipeline.index import write_index
    from csreport.pipeline.layout import report_links

    folder = tmp_path / "reports" / "2026-10" / f"east.{PSEUDO}"
    folder.mkdir(parents=True)
    manifest = {"status": "ok", "period": "2026-10", "unit": "east", "lang": PSEUDO, "unit_label": pseudo("East"),
                "headline": {"service_level": {"value": 0.9, "unit": "ratio", "status": "met"}}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = write_index(tmp_path / "reports", PSEUDO)
    assert page.name == f"index.{PSEUDO}.html"
    text = page.read_text(encoding="utf-8")
    # the links to the other languages' indexes are named in their own language ("English reports", "中文报告")
    body = re.sub(r'<style>.*?</style>|<nav class="languages">.*?</nav>|<[^>]+>|&\w+;', " ", text, flags=re.S)
    assert not i18n.MISSING and not ENGLISH_WORD.findall(unwrapped(body)), unwrapped(body)
    assert f'href="2026-10/east.{PSEUDO}/report.html"' in text
    links = re.sub(r"<[^>]+>", " ", report_links(PSEUDO))
    assert not ENGLISH_WORD.findall(unwrapped(links)) and f"../../index.{PSEUDO}.html" in report_links(PSEUDO)

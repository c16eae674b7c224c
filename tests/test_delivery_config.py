"""``params/delivery.yml`` and the mail server's settings: the shipped example loads and ``csreport init`` writes
it; mistakes are exit code 2 with a message naming the file or variable and the fix; editing readers reruns no
report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csreport.cli import app
from csreport.delivery.config import load_delivery
from csreport.delivery.journal import locked
from csreport.delivery.smtp import server_from_env
from csreport.errors import CsreportError, ParameterError
from csreport.pipeline.run import RunSpec, inputs_key
from csreport.settings import Settings, packaged
from tests.test_deliver import DELIVERY, PERIOD, finished_report

ROOT = Path(__file__).parents[1]


def test_the_shipped_example_loads_and_init_writes_it(tmp_path, monkeypatch):
    config = load_delivery(packaged("params/delivery.yml"))
    assert config.sender.endswith("<cs-reports@example.com>") and set(config.readers) == {"all", "east", "west"}
    east = config.readers["east"]
    assert [(r.lang, r.folder, r.attach) for r in east] == [("en", "east", ("pdf",)), ("zh", "east.zh", ("pdf",))]
    assert config.readers["all"][0].attach == ("pdf", "xlsx")
    assert config.report_link("2026-10", "east.zh") == "https://reports.example.com/cs/2026-10/east.zh/report.html"

    result = CliRunner().invoke(app, ["init", str(tmp_path / "project")])
    assert result.exit_code == 0, result.output
    written = tmp_path / "project" / "params" / "delivery.yml"
    assert written.read_bytes() == packaged("params/delivery.yml").read_bytes()
    monkeypatch.chdir(tmp_path / "project")
    assert Settings.resolve().delivery == written.resolve()  # like every params file
    monkeypatch.chdir(tmp_path)
    assert Settings.resolve().delivery == packaged("params/delivery.yml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sender:": "sendr: x@example.com\nsender:"}, "unknown keys ['sendr']"),
        ({"east-cn@example.com": "east-cn at example.com"}, "is not one e-mail address"),
        ({"{month}": "{month.__class__}"}, "uses ['month.__class__']; the placeholders are"),
        ({"lang: zh": "lang: fr"}, "units.east[1].lang 'fr': use one of en, zh"),
        ({"attach: [pdf, xlsx]": "attach: [pdf, docx]"}, "a list of pdf, xlsx, html"),
        ({"east-cn@example.com": "east-manager@example.com", "lang: zh": "lang: en"}, "listed twice"),
        ({"backoff_s: 0.01": "backoff_s: soon"}, "backoff_s 'soon': a number"),
    ],
)
def test_a_wrong_delivery_file_is_a_clear_error(tmp_path, change, message):
    text = DELIVERY
    for old, new in change.items():
        text = text.replace(old, new)
    (tmp_path / "delivery.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match="delivery.yml: .*" + re.escape(message)):
        load_delivery(tmp_path / "delivery.yml")


def _cli(tmp_path: Path, env: dict[str, str], *args: str):
    params = tmp_path / "params"
    params.mkdir(exist_ok=True)
    (params / "delivery.yml").write_text(DELIVERY, encoding="utf-8")
    finished_report(tmp_path / "reports")
    finished_report(tmp_path / "reports", lang="zh")
    base = ["deliver", "--out", str(tmp_path / "reports"), "--params", str(params)]
    return CliRunner().invoke(app, [*base, *args], env=env)


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({"CSREPORT_SMTP_URL": ""}, ["--period", PERIOD], "CSREPORT_SMTP_URL is not set"),
        ({"CSREPORT_SMTP_URL": "smtp://reporter@mail.example.com", "CSREPORT_SMTP_PASSWORD": ""}, ["--period", PERIOD],
         "names user reporter at mail.example.com but CSREPORT_SMTP_PASSWORD is not set"),
        ({"CSREPORT_SMTP_URL": "http://mail.example.com"}, ["--period", PERIOD], "found scheme 'http'"),
        ({"CSREPORT_SMTP_URL": ""}, ["--period", "2026-13", "--dry-run"], "is not a month in the form YYYY-MM"),
        ({"CSREPORT_SMTP_URL": ""}, ["--dry-run"], "no period: pass --period"),
        ({"CSREPORT_SMTP_URL": ""}, ["--period", PERIOD, "--units", "north", "--dry-run"],
         "names no readers for north"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_the_fix(tmp_path, env, args, message):
    result = _cli(tmp_path, env, *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_periods_latest_and_units_parse_like_batch(tmp_path):
    result = _cli(tmp_path, {"CSREPORT_SMTP_URL": ""}, "--periods", "latest", "--units", "east", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2026-10" in result.output and "east-1.eml" in result.output


def test_a_second_delivery_over_the_same_reports_waits_for_the_first(tmp_path):
    with locked(tmp_path), pytest.raises(CsreportError, match="another csreport deliver is running"), locked(tmp_path):
        pass
    with locked(tmp_path):  # released
        pass


def test_the_server_shows_host_and_user_never_the_password():
    server = server_from_env({"CSREPORT_SMTP_URL": "smtps://ops%40example.com@mail.example.com",
                              "CSREPORT_SMTP_PASSWORD": "pa55-w0rd"})  # fmt: skip
    assert (server.host, server.port, server.user, server.implicit_tls) == (
        "mail.example.com",
        465,
        "ops@example.com",
        True,
    )
    assert "pa55-w0rd" not in repr(server) and "pa55-w0rd" not in str(server)
    assert str(server) == "ops@example.com@mail.example.com:465 (implicit TLS)"
    assert server.scrub("535 bad credentials pa55-w0rd cGE1NS13MHJk") == "535 bad credentials *** ***"


def test_editing_the_readers_reruns_no_report(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    for name in ("targets.yml", "findings.yml", "recommendations.yml", "calendars.yml"):
        (params / name).write_bytes((ROOT / "params" / name).read_bytes())
    spec = RunSpec(PERIOD, "east", data_dir=None, out_dir=tmp_path / "reports", params_dir=params)
    before = inputs_key(spec, "data")
    (params / "delivery.yml").write_text(DELIVERY, encoding="utf-8")
    assert inputs_key(spec, "data") == before
    (params / "findings.yml").write_text("alpha: 0.01\n", encoding="utf-8")
    assert inputs_key(spec, "data") != before


def test_readme_schedules_run_and_deliver_and_quotes_what_late_data_does():
    import pandas as pd

    from csreport.data.store import Coverage

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Delivering reports") : readme.index("## Running at scale")]
    assert "0 6 3 * *" in section and "OnCalendar=*-*-03 06:00:00" in section and "Persistent=true" in section
    assert section.count("--deliver") >= 3 and "--allow-partial-month" in section
    span = Coverage("east", pd.Timestamp("2024-11-01 08:00"), pd.Timestamp("2026-09-30 18:00"))
    with pytest.raises(ParameterError) as refused:
        span.check("2026-10")  # the message the README quotes is the one the run raises
    assert " ".join(str(refused.value).split()) in " ".join(section.replace("`", "").split())
    assert span.contains("2026-09") and not span.partial("2026-09")

"""``csreport deliver`` against a real SMTP server started here (aiosmtpd, STARTTLS with a certificate of a
throwaway CA, AUTH): who gets which message, in which language, with what; never twice, never lost; 4xx retried,
5xx and refused recipients reported; the password nowhere; dry runs; failed and partial reports held back.

Reports are small finished run folders built here (manifest, a tiny PDF, findings.json, the scorecard export,
chapter 1 with a chart); one test delivers a report the pipeline made on the sample data."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from html import escape as html_escape
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from csreport.cli import app
from csreport.delivery.journal import LOG_NAME
from csreport.language import i18n
from tests.mail_server import PASSWORD, USER, mail_server

PERIOD = "2026-10"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOSTILE = "<script>alert('x')</script>"
EAST = ["east-manager@example.com", "east-lead@example.com"]
EAST_CC = "director@example.com"
EAST_ZH = "east-cn@example.com"


def _png() -> bytes:
    """A valid 1 × 1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


SCORECARD = (
    "\ufeffperiod,business_unit,kpi,measure_unit,value,previous,target,status\n"
    "2026-10,east,contacts,count,3698,3466,,n/a\n"
    "2026-10,east,service_level,ratio,0.907,0.900,0.8,met\n"
    "2026-10,east,abandonment_rate,ratio,0.052,0.060,0.05,at risk\n"
    "2026-10,east,complaint_rate,ratio,0.044,0.027,0.025,missed\n"
    "2026-10,east,reopen_rate,ratio,0.053,0.044,0.06,met\n"
)


def finished_report(out: Path, unit: str = "east", lang: str = "en", *, action: str | None = None,
                    status: str = "ok", partial: bool = False, pdf: bytes = PDF) -> Path:  # fmt: skip
    """A finished run folder ``<out>/2026-10/<unit>[.<lang>]`` as ``csreport run`` leaves it."""
    run_dir = out / PERIOD / (unit if lang == "en" else f"{unit}.{lang}")
    (run_dir / "exports").mkdir(parents=True, exist_ok=True)
    (run_dir / "chapters").mkdir(exist_ok=True)
    days = 24 if partial else 31
    coverage = {"first_day": "2024-11-01", "last_day": f"2026-10-{days}", "days": days, "days_in_month": 31,
                "partial": partial}  # fmt: skip
    # the run records the unit's display name (params/labels.yml); the message names the unit by it
    label = {"en": f"{unit.title()} region", "zh": "华东区"}[lang] if unit == "east" else None
    manifest = {"status": status, "period": PERIOD, "unit": unit, "unit_label": label, "lang": lang,
                "coverage": coverage}  # fmt: skip
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (run_dir / "report.pdf").write_bytes(pdf)
    (run_dir / "report.html").write_text(f"<html>{unit} {lang}</html>", encoding="utf-8")
    (run_dir / "report.xlsx").write_bytes(b"PK\x03\x04 tiny workbook")
    recommendations = [
        {"rank": 2, "action": "Brief agents on delivery complaints.", "owner": "Operations",
         "evidence": "Complaints about delivery rose to 93.", "value_at_stake": 4150.0},
        {"rank": 1, "action": action or f"Call back basic customers in {unit} {HOSTILE}.",
         "owner": "Customer retention", "evidence": "Monthly churn of basic customers rose to 4.8%.",
         "value_at_stake": 311853.9},
    ]  # fmt: skip
    findings = {
        "period": PERIOD,
        "unit": unit,
        "findings": [{"kind": "churn_rise"}],
        "recommendations": recommendations,
    }
    (run_dir / "findings.json").write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
    (run_dir / "exports" / "scorecard.csv").write_text(SCORECARD.replace("east", unit), encoding="utf-8")
    chapter = {"cells": [{"cell_type": "code", "source": "chapter.kpi_scorecard(ctx)", "outputs": [
        {"output_type": "display_data", "data": {"image/png": base64.b64encode(_png()).decode()},
         "metadata": {"image/png": {"alt": "Service level 90.7% — Source: contacts table; n = 30"}}}]}]}  # fmt: skip
    (run_dir / "chapters" / "01_background.ipynb").write_text(json.dumps(chapter), encoding="utf-8")
    return run_dir


DELIVERY = f"""
sender: "CS reports <cs-reports@example.com>"
report_url: "https://reports.example.com/cs/"
max_attachment_mb: 1
timeout_s: 5
retries: 2
backoff_s: 0.01
units:
  east:
    - recipients: [{EAST[0]}, "East lead <{EAST[1]}>"]
      cc: [{EAST_CC}]
    - recipients: [{EAST_ZH}]
      lang: zh
      attach: [pdf, xlsx]
      subject: "客服月报：{{unit}}，{{month}}"
"""


@pytest.fixture
def project(tmp_path):
    """A reports folder with the finished east report in English and Chinese, and a params folder whose
    delivery.yml gives east two groups of readers."""
    out = tmp_path / "reports"
    finished_report(out)
    finished_report(out, lang="zh")
    params = tmp_path / "params"
    params.mkdir()
    (params / "delivery.yml").write_text(DELIVERY, encoding="utf-8")
    return out, params


@pytest.fixture
def server(tmp_path):
    with mail_server(tmp_path) as running:
        yield running


def deliver(project, env, *extra: str):
    out, params = project
    args = ["deliver", "--period", PERIOD, "--out", str(out), "--params", str(params), *extra]
    return CliRunner().invoke(app, args, env=env)


def log_lines(out: Path) -> list[dict]:
    path = out / LOG_NAME
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []


def test_messages_arrive_with_their_readers_subject_language_body_and_attachments(project, server):
    result = deliver(project, server.env())
    assert result.exit_code == 0, result.output
    assert len(server.arrived) == 2 and all(m.tls and m.user == USER for m in server.arrived)
    english, chinese = sorted(server.arrived, key=lambda m: len(m.rcpt_tos), reverse=True)
    assert english.rcpt_tos == [*EAST, EAST_CC] and chinese.rcpt_tos == [EAST_ZH]
    assert english.mail_from == "cs-reports@example.com"

    message = english.message
    assert message["Subject"] == "Customer service report: East region, October 2026"
    assert message["To"] == f"{EAST[0]}, East lead <{EAST[1]}>" and message["Cc"] == EAST_CC
    assert message["Content-Language"] == "en" and message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    for body in (text, page):
        assert "Key messages" in body and "Owner: Customer retention" in body and "CN¥312,000" in body
        assert "Scorecard at a glance" in body and "Complaint rate" in body
        assert "https://reports.example.com/cs/2026-10/east/report.html" in body
    assert text.index("Call back basic") < text.index("Brief agents")  # in rank order
    assert HOSTILE in text and HOSTILE not in page and "&lt;script&gt;" in page  # escaped in HTML only
    assert "http" not in page.replace("https://reports.example.com/cs/2026-10/east/report.html", "")
    (chart,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert f'src="cid:{chart["Content-ID"].strip("<>")}"' in page and chart.get_content().startswith(b"\x89PNG")
    (pdf,) = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content() == PDF
    assert pdf.get_filename() == "Customer service report East region 2026-10.pdf"

    message = chinese.message
    assert message["Subject"] == "客服月报：华东区，2026 年 10 月" and message["Content-Language"] == "zh-CN"
    text = message.get_body(("plain",)).get_content()
    assert i18n.text("deliver.messages", "zh") in text and "负责方：Customer retention" in text
    assert "完整报告见附件：report.pdf（0.0 MB）、report.xlsx（0.0 MB）。" in text
    assert sorted(p.get_filename() for p in message.iter_attachments()) == [
        "客户服务报告华东区 2026-10.pdf",  # typeset as Chinese: no space between Chinese words
        "客户服务报告华东区 2026-10.xlsx",
    ]

    lines = log_lines(project[0])
    assert [(r["report"], r["outcome"], r["accepted"]) for r in lines] == [
        ("2026-10/east", "sent", [*EAST, EAST_CC]),
        ("2026-10/east.zh", "sent", [EAST_ZH]),
    ]
    assert all(r["message_id"] and r["fingerprint"] and r["period"] == PERIOD and r["time"] for r in lines)
    assert lines[0]["message_id"] == english.message["Message-ID"]


def test_a_second_run_sends_nothing_new(project, server):
    assert deliver(project, server.env()).exit_code == 0
    again = deliver(project, server.env())
    assert again.exit_code == 0, again.output
    assert len(server.arrived) == 2 and len(log_lines(project[0])) == 2
    assert "0 sent" in again.output and "2 delivered before" in again.output


def test_a_changed_report_is_sent_again_as_an_update_and_force_sends_anyway(project, server):
    out, _ = project
    assert deliver(project, server.env()).exit_code == 0
    finished_report(out, action="Call back basic customers in east: corrected figures.")
    assert deliver(project, server.env()).exit_code == 0
    assert len(server.arrived) == 3  # the English report changed; the Chinese one did not
    update = server.arrived[-1].message
    assert update["Subject"] == "Customer service report: East region, October 2026 (updated)"
    assert "updated version of the report sent on" in update.get_body(("plain",)).get_content()
    assert "corrected figures" in update.get_body(("plain",)).get_content()

    forced = deliver(project, server.env(), "--force")
    assert forced.exit_code == 0 and len(server.arrived) == 5
    assert "(updated)" not in server.arrived[-1].message["Subject"]  # the same version, sent again


def test_a_temporary_failure_is_retried_and_succeeds(project, server):
    server.handler.busy[EAST[1]] = 1  # 451 at RCPT once
    server.handler.data_replies.append("451 4.3.0 Queue full, try later")  # then 451 at DATA once
    result = deliver(project, server.env())
    assert result.exit_code == 0, result.output
    assert sorted(r for m in server.arrived for r in m.rcpt_tos) == sorted([*EAST, EAST_CC, EAST_ZH])
    attempts = {r["report"]: r["attempts"] for r in log_lines(project[0])}
    assert attempts["2026-10/east"] >= 2 and all(r["outcome"] == "sent" for r in log_lines(project[0]))


def test_a_permanent_failure_is_reported_exit_1_and_sent_by_the_next_run(project, server):
    server.handler.data_replies.append("554 5.6.0 Message rejected by policy")
    result = deliver(project, server.env())
    assert result.exit_code == 1
    assert "failed 2026-10/east" in result.output and "554 5.6.0 Message rejected by policy" in result.output
    assert "The next csreport deliver sends these again." in result.output
    first = log_lines(project[0])[0]
    assert first["outcome"] == "failed" and first["attempts"] == 1  # a 5xx is not retried
    assert len(server.arrived) == 1  # the Chinese message went out

    again = deliver(project, server.env())
    assert again.exit_code == 0, again.output
    assert len(server.arrived) == 2 and server.arrived[-1].rcpt_tos == [*EAST, EAST_CC]


def test_a_refused_recipient_does_not_stop_the_others(project, server):
    server.handler.refuse[EAST[1]] = "550 5.1.1 No such user here"
    result = deliver(project, server.env())
    assert result.exit_code == 1
    assert "partial 2026-10/east" in result.output and "550 5.1.1 No such user here" in result.output
    assert sorted(r for m in server.arrived for r in m.rcpt_tos) == sorted([EAST[0], EAST_CC, EAST_ZH])
    line = log_lines(project[0])[0]
    assert line["outcome"] == "partial" and line["refused"] == {EAST[1]: "550 5.1.1 No such user here"}

    del server.handler.refuse[EAST[1]]  # the mailbox exists now: the next run sends to it alone
    assert deliver(project, server.env()).exit_code == 0
    assert server.arrived[-1].rcpt_tos == [EAST[1]]


def test_the_password_appears_in_no_output_log_or_message(project, server, tmp_path):
    out, _ = project
    sent = deliver(project, server.env())
    dry = deliver(project, server.env(), "--dry-run", "--force")
    in_url = deliver(
        project, server.env() | {"CSREPORT_SMTP_URL": f"smtp://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1"}
    )
    assert sent.exit_code == 0 and dry.exit_code == 0
    assert in_url.exit_code == 2 and "holds a password" in in_url.output
    finished_report(out, action="changed, so that the wrong password is tried")
    wrong = deliver(project, server.env(password="Wr0ng-" + PASSWORD))
    assert wrong.exit_code == 1 and f"refused the login of user {USER}" in wrong.output
    assert "127.0.0.1" in wrong.output
    finished_report(out, action="changed again, so that a password SMTP cannot send is tried")
    accented = deliver(project, server.env(password="Pässwörd-" + PASSWORD))
    assert accented.exit_code == 1 and "holds a character outside ASCII" in accented.output
    assert "Traceback" not in accented.output
    written = [p.read_bytes() for p in out.rglob("*") if p.is_file()]
    outputs = [sent.output, dry.output, wrong.output, accented.output, in_url.output]
    for text in [*outputs, *written, *(m.data for m in server.arrived)]:
        text = text if isinstance(text, bytes) else text.encode()
        for secret in (
            PASSWORD,
            quote(PASSWORD, safe=""),
            "Wr0ng-" + PASSWORD,
            "Pässwörd-" + PASSWORD,
            base64.b64encode(PASSWORD.encode()).decode(),
        ):
            assert secret.encode() not in text


def test_dry_run_writes_parseable_eml_files_and_sends_nothing(project, server):
    out, _ = project
    result = deliver(project, {"CSREPORT_SMTP_URL": ""}, "--dry-run")  # no mail server needed
    assert result.exit_code == 0, result.output
    assert "Delivery (dry run: nothing sent)" in result.output and EAST_ZH in result.output
    assert server.arrived == [] and log_lines(out) == []
    import email
    import email.policy

    files = sorted((out / "_outbox" / PERIOD).glob("*.eml"))
    assert [f.name for f in files] == ["east-1.eml", "east.zh-2.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == EAST[0] and message.get_body(("plain",)) is not None
    assert [a.get_content() for a in message.iter_attachments()] == [PDF]


def test_a_failed_or_partial_report_is_never_delivered(project, server):
    out, _ = project
    finished_report(out, lang="zh", status="failed")  # manifest not ok
    failed = out / PERIOD / "east.failed"  # the latest English run failed, the earlier report is still there
    failed.mkdir()
    (failed / "manifest.json").write_text(json.dumps({"status": "failed", "error": "chapter 02 failed"}))
    result = deliver(project, server.env())
    assert result.exit_code == 1 and server.arrived == []
    assert "chapter 02 failed" in result.output and "status 'failed'" in result.output

    failed.rename(out / "elsewhere")
    finished_report(out, lang="zh")
    (out / PERIOD / "east.zh" / "report.xlsx").unlink()  # attached for the zh readers: a partial report
    finished_report(out, partial=True)  # October's data end on the 24th
    result = deliver(project, server.env())
    assert result.exit_code == 1 and server.arrived == []
    assert "report.xlsx missing or empty" in result.output and "partial month" in result.output
    assert [r["outcome"] for r in log_lines(out)][-2:] == ["skipped", "skipped"]

    allowed = deliver(project, server.env(), "--allow-partial-month", "--units", "east")
    assert allowed.exit_code == 1 and len(server.arrived) == 1  # the English partial month, on request


def test_attachments_over_the_limit_are_linked_instead(project, server):
    out, _ = project
    finished_report(out, pdf=PDF + b"0" * 1_200_000)  # over max_attachment_mb: 1
    assert deliver(project, server.env(), "--units", "east").exit_code == 0
    message = next(m.message for m in server.arrived if EAST[0] in m.rcpt_tos)
    assert list(message.iter_attachments()) == []
    text = message.get_body(("plain",)).get_content()
    assert "larger than this mail's limit of 1.0 MB, so they are not attached" in text
    assert "https://reports.example.com/cs/2026-10/east/report.html" in text


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd: implicit TLS is TLS
def test_implicit_tls(project, tmp_path):
    (tmp_path / "smtps").mkdir()
    with mail_server(tmp_path / "smtps", implicit_tls=True) as server:
        result = deliver(project, server.env())
        assert result.exit_code == 0, result.output
        assert "127.0.0.1" in result.output and "implicit TLS" in result.output
        assert len(server.arrived) == 2 and all(m.tls for m in server.arrived)


def test_a_server_without_starttls_is_not_used(project, tmp_path):
    with mail_server(tmp_path, starttls=False) as server:
        result = deliver(project, server.env())
    assert result.exit_code == 1 and "does not offer STARTTLS" in result.output and server.arrived == []


def test_batch_delivers_the_report_the_pipeline_made(sample_dir, sample_truth, tmp_path):
    """``csreport batch ... --deliver`` on the sample data: the real report's brief, chart and files arrive;
    a wrong mail server stops the batch before any report is run; a later deliver sends nothing new."""
    period, out, params = sample_truth["end"], tmp_path / "reports", tmp_path / "params"
    params.mkdir()
    (params / "delivery.yml").write_text(
        f"sender: reports@example.com\nunits:\n  east:\n    recipients: [{EAST[0]}]\n    attach: [pdf, xlsx]\n",
        encoding="utf-8",
    )
    args = ["batch", "--periods", period, "--units", "east", "--workers", "1", "--data", str(sample_dir),
            "--out", str(out), "--renderer", "builtin", "--params", str(params), "--deliver"]  # fmt: skip
    early = CliRunner().invoke(app, args, env={"CSREPORT_SMTP_URL": ""})
    assert early.exit_code == 2 and "CSREPORT_SMTP_URL is not set" in early.output and not out.exists()

    with mail_server(tmp_path) as server:
        result = CliRunner().invoke(app, args, env=server.env())
        assert result.exit_code == 0, result.output
        (arrived,) = server.arrived
        report = out / period / "east"
        message = arrived.message
        assert arrived.rcpt_tos == [EAST[0]] and message["X-Csreport-Report"] == f"{period}/east"
        files = {a.get_content_type(): a.get_content() for a in message.iter_attachments()}
        assert files["application/pdf"] == (report / "report.pdf").read_bytes()
        assert len(files) == 2 and (report / "report.xlsx").read_bytes() in files.values()
        findings = json.loads((report / "findings.json").read_text(encoding="utf-8"))
        first = min(findings["recommendations"], key=lambda r: r["rank"])
        assert first["action"] in message.get_body(("plain",)).get_content()
        page = message.get_body(("html",)).get_content()
        assert html_escape(first["action"]) in page and "Scorecard at a glance" in page
        assert any(p.get_content_type() == "image/png" for p in message.walk())

        again = deliver((out, params), server.env(), "--units", "east")
        assert again.exit_code == 0 and "1 delivered before" in again.output and len(server.arrived) == 1


def test_an_untrusted_certificate_or_an_unreachable_server_fails_the_messages_and_says_where(project, server):
    untrusted = deliver(project, server.env() | {"CSREPORT_SMTP_CA_FILE": ""})
    assert untrusted.exit_code == 1 and server.arrived == []
    assert "its TLS certificate is not trusted" in untrusted.output and "CSREPORT_SMTP_CA_FILE" in untrusted.output
    closed = server.env() | {"CSREPORT_SMTP_URL": f"smtp://{USER}@127.0.0.1:1"}
    unreachable = deliver(project, closed)
    assert unreachable.exit_code == 1 and f"talking to {USER}@127.0.0.1:1 (STARTTLS)" in unreachable.output
    assert [(r["outcome"], r["attempts"]) for r in log_lines(project[0])][-2:] == [("failed", 3), ("failed", 3)]
    assert deliver(project, server.env()).exit_code == 0 and len(server.arrived) == 2  # sent when it is back

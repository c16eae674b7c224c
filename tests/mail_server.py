"""A real SMTP server for the delivery tests: aiosmtpd on 127.0.0.1 with a certificate of a throwaway CA
(trustme), STARTTLS required (or implicit TLS), AUTH required; it records what arrives and can be told to
refuse a recipient, or to answer 4xx a number of times first."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "reporter"
PASSWORD = "s3cret-Smtp-PW/never-shown"


@dataclass
class Arrived:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    user: str | None

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Handler:
    """What the server does: ``refuse`` maps an address to its permanent reply (``550 ...``); ``busy`` maps an
    address to how many times RCPT answers 451 first; ``data_replies`` are answered to DATA, one per message,
    before the server accepts again (``451 ...`` temporary, ``554 ...`` permanent)."""

    arrived: list[Arrived] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    busy: dict[str, int] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (user, password right)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address in self.refuse:
            return self.refuse[address]
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.2.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        if self.data_replies:
            return self.data_replies.pop(0)
        user = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.arrived.append(
            Arrived(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                server.transport.get_extra_info("ssl_object") is not None,
                user,
            )  # fmt: skip
        )
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        right = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        self.logins.append((auth_data.login.decode(), right))
        return AuthResult(success=right, handled=False, auth_data=auth_data if right else None)


@dataclass
class MailServer:
    handler: Handler
    port: int
    ca_file: Path
    implicit_tls: bool

    def env(self, password: str = PASSWORD, user: str = USER) -> dict[str, str]:
        """The environment ``csreport deliver`` needs to send through this server."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        return {
            "CSREPORT_SMTP_URL": f"{scheme}://{user}@127.0.0.1:{self.port}",
            "CSREPORT_SMTP_PASSWORD": password,
            "CSREPORT_SMTP_CA_FILE": str(self.ca_file),
        }

    @property
    def arrived(self) -> list[Arrived]:
        return self.handler.arrived


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def mail_server(folder: Path, implicit_tls: bool = False, starttls: bool = True):
    """Start a server (STARTTLS required, or implicit TLS; ``starttls=False``: a server that offers no TLS at
    all) and yield its :class:`MailServer`; stopped on exit."""
    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    handler = Handler()
    tls = {"ssl_context": context} if implicit_tls else {"tls_context": context, "require_starttls": True}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=handler.authenticate,
        auth_required=starttls or implicit_tls,
        auth_require_tls=not implicit_tls,  # aiosmtpd counts only STARTTLS as TLS here
        **(tls if starttls or implicit_tls else {}),
    )
    controller.start()
    try:
        yield MailServer(handler, controller.port, ca_file, implicit_tls)
    finally:
        controller.stop()

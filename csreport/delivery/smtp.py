"""Sending over SMTP with the standard library: STARTTLS or implicit TLS, authentication, timeouts, retries.

The server is ``CSREPORT_SMTP_URL``: ``smtp://user@host:587`` (STARTTLS, required) or ``smtps://user@host:465``
(implicit TLS); the password is ``CSREPORT_SMTP_PASSWORD``, never part of the URL. ``CSREPORT_SMTP_CA_FILE``
names a PEM file of certificate authorities to trust instead of the system's (a company's own CA).

Neither the password nor the URL is ever written anywhere: :class:`SmtpServer` shows itself as ``user@host:port``,
and every error text that leaves this module has passed :meth:`SmtpServer.scrub`.

Temporary failures (a 4xx reply, a dropped or timed-out connection) are tried again, up to ``retries`` times
after ``backoff_s``, doubling; permanent failures (5xx) are final. Each recipient gets its own outcome: a refused
recipient does not stop the others.
"""

from __future__ import annotations

import base64
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from csreport.errors import CsreportError, ParameterError

URL_VARIABLE = "CSREPORT_SMTP_URL"
PASSWORD_VARIABLE = "CSREPORT_SMTP_PASSWORD"
CA_VARIABLE = "CSREPORT_SMTP_CA_FILE"
PORTS = {"smtp": 587, "smtps": 465}


class SmtpError(CsreportError):
    """The SMTP server cannot be used at all (connection, TLS or authentication); names host and user only."""


@dataclass(frozen=True)
class SmtpServer:
    """Where to send: host, port, user and TLS mode; the password is kept out of ``repr`` and ``str``."""

    host: str
    port: int
    user: str | None
    implicit_tls: bool
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} ({'implicit TLS' if self.implicit_tls else 'STARTTLS'})"

    def scrub(self, text: str) -> str:
        """``text`` with the password (as is, URL-quoted and in the base64 forms of AUTH PLAIN and LOGIN)
        replaced by ``***``."""
        if not self.password:
            return text
        secrets = {self.password, base64.b64encode(self.password.encode()).decode()}
        plain = f"\0{self.user or ''}\0{self.password}".encode()
        secrets.add(base64.b64encode(plain).decode())
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def server_from_env(environ: Mapping[str, str] | None = None) -> SmtpServer:
    """The server of ``CSREPORT_SMTP_URL`` with the password of ``CSREPORT_SMTP_PASSWORD``.

    A missing or malformed URL, a password written into the URL, or a user without a password is a
    :class:`ParameterError` that names the variable (never its value's secret part) and the fix."""
    environ = os.environ if environ is None else environ
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        raise ParameterError(f"{URL_VARIABLE} is not set. Set it to smtp://user@host:587 (STARTTLS) or "
                             f"smtps://user@host:465 (implicit TLS), and the password in {PASSWORD_VARIABLE}; "
                             "or use --dry-run.")  # fmt: skip
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ParameterError(f"{URL_VARIABLE}: not a URL like smtp://user@host:587 (the password goes in "
                             f"{PASSWORD_VARIABLE}, not in the URL).") from None  # fmt: skip
    if parts.scheme not in PORTS or not parts.hostname:
        raise ParameterError(f"{URL_VARIABLE}: use smtp://user@host:587 (STARTTLS) or smtps://user@host:465 "
                             f"(implicit TLS); found scheme {parts.scheme!r}.")  # fmt: skip
    if parts.password is not None:
        raise ParameterError(f"{URL_VARIABLE}: the URL holds a password. Remove it from the URL and put it in "
                             f"{PASSWORD_VARIABLE}.")  # fmt: skip
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ParameterError(f"{URL_VARIABLE}: only scheme, user, host and port are read (smtp://user@host:587).")
    user = unquote(parts.username) if parts.username else None
    password = environ.get(PASSWORD_VARIABLE) or None
    if user and not password:
        raise ParameterError(f"{URL_VARIABLE} names user {user} at {parts.hostname} but {PASSWORD_VARIABLE} is "
                             "not set. Set it in the environment of the job (not on the command line).")  # fmt: skip
    ca_file = environ.get(CA_VARIABLE) or None
    if ca_file and not os.path.isfile(ca_file):
        raise ParameterError(f"{CA_VARIABLE} {ca_file}: no such file. Point it at a PEM file of CA certificates.")
    return SmtpServer(parts.hostname, port or PORTS[parts.scheme], user, parts.scheme == "smtps", password, ca_file)


@dataclass
class Sent:
    """The outcome of one message: the recipients the server accepted, those refused with the server's
    reply (``"550 5.1.1 ..."``), the attempts made and, when the message failed as a whole, why."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    error: str | None = None
    temporary: list[str] = field(default_factory=list)  # refused recipients whose last failure was temporary

    @property
    def outcome(self) -> str:
        """``sent`` (every recipient accepted), ``partial`` or ``failed``."""
        if self.accepted and not self.refused and not self.error:
            return "sent"
        return "partial" if self.accepted else "failed"


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


class Mailer:
    """One SMTP session for a whole delivery: connected on first use, reconnected after a failure."""

    def __init__(
        self,
        server: SmtpServer,
        timeout_s: float = 60.0,
        retries: int = 3,
        backoff_s: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.server, self.timeout_s, self.retries, self.backoff_s, self.sleep = (
            server,
            timeout_s,
            retries,
            backoff_s,
            sleep,
        )
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        server = self.server
        context = ssl.create_default_context(cafile=server.ca_file)
        if server.implicit_tls:
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout_s, context=context)
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout_s)
        try:
            connection.ehlo()
            if not server.implicit_tls:
                if not connection.has_extn("starttls"):
                    raise SmtpError(f"SMTP server {server} does not offer STARTTLS; csreport does not send in the "
                                    "clear. Use the server's STARTTLS port (587) or smtps:// (465).")  # fmt: skip
                connection.starttls(context=context)
                connection.ehlo()
            if server.user:
                connection.login(server.user, server.password or "")
        except smtplib.SMTPNotSupportedError:
            connection.close()
            raise SmtpError(
                f"SMTP server {server} does not offer authentication (AUTH) to user {server.user}. "
                "Remove the user from CSREPORT_SMTP_URL if the server needs no login."
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            connection.close()
            raise SmtpError(f"SMTP server {server} refused the login of user {server.user}: "
                            f"{self.server.scrub(_reply(exc.smtp_code, exc.smtp_error))}. Check "
                            f"CSREPORT_SMTP_PASSWORD and the user in CSREPORT_SMTP_URL.") from None  # fmt: skip
        except UnicodeEncodeError:  # smtplib sends AUTH in ASCII
            connection.close()
            raise SmtpError(
                f"SMTP server {server}: the user or password of user {server.user} holds a character outside "
                "ASCII, which SMTP login cannot send. Use an ASCII password (or an app password) in "
                "CSREPORT_SMTP_PASSWORD."
            ) from None
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> Sent:
        """Send ``message`` from ``sender`` to ``recipients`` (the envelope); temporary failures are retried,
        for the recipients they concern only. An :class:`SmtpError` (TLS, login) is raised, not retried: no
        other message would get through either."""
        result = Sent()
        pending = list(recipients)
        last: dict[str, str] = {}
        while pending and result.attempts <= self.retries:
            if result.attempts:
                self.sleep(self.backoff_s * 2 ** (result.attempts - 1))
            result.attempts += 1
            try:
                connection = self._connect()
                refused = connection.send_message(message, from_addr=sender, to_addrs=pending)
            except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
                refused = exc.recipients
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:  # the whole message refused
                self._drop()
                reply = self.server.scrub(_reply(exc.smtp_code, exc.smtp_error))
                refused = {address: (exc.smtp_code, reply.split(" ", 1)[-1].encode()) for address in pending}
            except smtplib.SMTPResponseException as exc:  # e.g. 421 closing connection
                self._drop()
                refused = {address: (exc.smtp_code, exc.smtp_error) for address in pending}
            except (smtplib.SMTPServerDisconnected, OSError) as exc:  # refused, dropped, timed out, TLS
                self._drop()
                if isinstance(exc, ssl.SSLCertVerificationError):
                    raise SmtpError(f"SMTP server {self.server}: its TLS certificate is not trusted "
                                    f"({exc.verify_message}). Set CSREPORT_SMTP_CA_FILE to the CA that signed "
                                    "it.") from None  # fmt: skip
                result.error = f"{type(exc).__name__} talking to {self.server}: {self.server.scrub(str(exc))}"
                continue  # temporary: the whole of pending again
            except smtplib.SMTPException as exc:  # neither a reply nor a connection failure: not retried
                self._drop()
                result.error = f"{type(exc).__name__} talking to {self.server}: {self.server.scrub(str(exc))}"
                result.refused.update({address: result.error for address in pending})
                return result
            result.error = None
            result.accepted += [address for address in pending if address not in refused]
            pending = []
            for address, (code, text) in refused.items():
                reply = self.server.scrub(_reply(code, text))
                if 400 <= code < 500:
                    pending.append(address)
                    last[address] = reply
                else:
                    result.refused[address] = reply
        for address in pending:  # still failing temporarily after the last attempt
            result.refused[address] = last.get(address) or result.error or "no answer"
            result.temporary.append(address)
        return result

"""Where messages go: the outbox (``.eml`` files) or an SMTP server.

For SMTP, yagmail opens and logs in the connection once per run; kops then
drives the SMTP transaction itself (MAIL, RCPT, DATA) so that each failure is
known by where it happened:

- a 4xx reply, or a dropped connection before the message was handed over:
  ``TemporaryFailure`` (safe to retry);
- a 5xx reply to RCPT or to the message: ``PermanentFailure`` (this recipient);
- the connection lost after the message was handed over: ``UnknownOutcome``
  (the server may have it; never retried automatically);
- a refused login or sender: ``FatalFailure`` (stop the run).
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
from pathlib import Path
from typing import Any, Protocol

from ..config import Smtp
from ..errors import KopsError
from ..i18n import _
from ..outputs.filenames import FileNames
from . import diagnosis
from .keyring_store import keyring_get
from .oauth import TokenError, TokenSource, token_source, xoauth2_string

PASSWORD_ENV = "KOPS_SMTP_PASSWORD"
# Hosts on this machine: a connection to them without TLS stays on the machine.
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class TemporaryFailure(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        # Seconds the service asked to wait (HTTP Retry-After); the backoff waits at least that.
        self.retry_after = retry_after


class PermanentFailure(Exception):
    pass


class UnknownOutcome(Exception):
    pass


class FatalFailure(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class Transport(Protocol):
    name: str
    throttled: bool  # whether mail.rate_per_minute applies (it protects a mail server)

    def open(self) -> None: ...

    def send(self, data: bytes, from_addr: str, to_addr: str, item: str) -> None: ...

    def close(self) -> None: ...


class OutboxTransport:
    """Writes each message as an .eml file; needs nothing, and is how a dry run is reviewed."""

    name = "outbox"
    throttled = False

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # One file per recipient, named after the ledger key (readable, with its hash).
        self.names = FileNames(directory, suffix=".eml")

    def open(self) -> None:
        from ..outputs.atomic import make_folder

        make_folder(self.directory)  # or why not: outbox/ a file, no permission, …

    def send(self, data: bytes, from_addr: str, to_addr: str, item: str) -> None:
        from ..outputs.files import write_atomically  # with NumPy: only when writing

        write_atomically(self.names.path(item), data)

    def close(self) -> None:
        pass


def connection_reason(error: BaseException) -> str:
    """Why a connection failed, in the reader's language (the OS's words only in English)."""
    import socket

    from ..i18n import language

    if isinstance(error, socket.gaierror):
        return _("the host name is not known (check the spelling and the network)")
    if isinstance(error, ConnectionRefusedError):
        return _("the server refused the connection (check the port)")
    if isinstance(error, TimeoutError | socket.timeout):
        return _("no answer in time")
    if isinstance(error, ConnectionResetError | smtplib.SMTPServerDisconnected):
        return _("the server closed the connection")
    said = _("the network failed")
    if language() == "en":
        detail = getattr(error, "strerror", None) or str(error)
        return f"{said}: {detail}" if detail else said
    return said


def smtp_password(settings: Smtp) -> str | None:
    """From KOPS_SMTP_PASSWORD, else the OS keyring (service 'kops'); never from kops.yaml."""
    if settings.user is None or settings.auth_mode != "password":
        return None
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    stored = keyring_get(settings.user)  # optional: pip install keyring
    if stored:
        return stored
    raise KopsError(
        _("no SMTP password for {user}").format(user=settings.user),
        hint=_(
            "set {variable} in the environment (or store it in the OS keyring: "
            "`keyring set kops {user}`); it is never read from kops.yaml"
        ).format(variable=PASSWORD_ENV, user=settings.user),
    )


class SmtpTransport:
    name = "smtp"
    throttled = True

    def __init__(self, settings: Smtp, from_addr: str, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.from_addr = from_addr
        self._client: object | None = None
        self.logins = 0
        self.tokens = tokens
        if tokens is None and settings.auth_mode == "xoauth2":
            self.tokens = token_source(settings)
        # What the last open() got through, for `kops mail check`.
        self.steps: list[str] = []

    def _refuse_unsafe(self, password: str | None) -> None:
        """Settings that would put a credential at risk stop the run before connecting."""
        if password is not None and not password.isascii():
            # smtplib's AUTH encodes the credentials as ASCII; say so without showing them.
            raise FatalFailure(
                _("the SMTP password has non-ASCII characters, which SMTP AUTH cannot send")
            )
        security = self.settings.security
        if (
            security == "none"
            and self.settings.auth_mode == "xoauth2"
            and self.settings.host not in LOOPBACK
        ):
            # A bearer token is as good as a password for as long as it lives.
            raise FatalFailure(
                _(
                    "mail.smtp.security: none with auth: xoauth2 would send the access token "
                    "to {host} unencrypted"
                ).format(host=self.settings.host),
                _("set mail.smtp.security to starttls (port 587) or ssl (port 465)"),
            )

    def _connection(self, password: str | None) -> Any:
        """yagmail's client for the settings, not yet connected."""
        import yagmail

        security = self.settings.security
        login = self.settings.user or self.from_addr
        client = yagmail.SMTP(
            # A one-entry dict keeps the login as written: yagmail appends
            # '@gmail.com' to a plain user name without '@'.
            user={login: login},
            password=password,
            host=self.settings.host,
            port=self.settings.port,
            smtp_ssl=security == "ssl",
            # Certificates are verified (smtplib alone would accept any): a token or password
            # must not go to whoever answers on the port.
            smtp_starttls={"context": ssl.create_default_context()}
            if security == "starttls"
            else False,
            # XOAUTH2 is done below, on the connection yagmail opened.
            smtp_skip_login=self.settings.auth_mode != "password",
            soft_email_validation=False,
            timeout=self.settings.timeout,
            **({"context": ssl.create_default_context()} if security == "ssl" else {}),
        )
        return client

    def open(self) -> None:
        self.steps = []
        password = smtp_password(self.settings)
        self._refuse_unsafe(password)
        client = self._connection(password)
        try:
            client.login()
            # Without TLS or login yagmail never greets the server; MAIL FROM needs EHLO first.
            client.smtp.ehlo_or_helo_if_needed()
            self.steps.append("connected")
            if self.settings.security != "none":
                self.steps.append(self.settings.security)
            if self.settings.auth_mode == "xoauth2":
                self._xoauth2(client.smtp)
            if self.settings.auth_mode != "none":
                self.steps.append("authenticated")
        except smtplib.SMTPAuthenticationError as err:
            found = diagnosis.smtp_auth(err.smtp_code, _text(err.smtp_error), "PLAIN/LOGIN")
            raise FatalFailure(
                _("login refused: {code} {reply} — {cause}").format(
                    code=err.smtp_code, reply=_text(err.smtp_error), cause=found.what
                ),
                found.next_step,
            ) from None
        except smtplib.SMTPNotSupportedError as err:
            raise FatalFailure(
                _("{error} — the TLS or login method does not match the server's").format(
                    error=err
                ),
                _("check mail.smtp.security and port"),
            ) from None
        except (FatalFailure, TemporaryFailure):
            with contextlib.suppress(Exception):
                client.smtp.close()
            raise
        except TokenError as err:
            with contextlib.suppress(Exception):
                client.smtp.close()
            raise FatalFailure(err.message, err.hint) from None
        except smtplib.SMTPResponseException as err:
            if 400 <= err.smtp_code < 500:
                raise TemporaryFailure(
                    f"{err.smtp_code} {_text(err.smtp_error)} (connecting)"
                ) from None
            raise FatalFailure(f"{err.smtp_code} {_text(err.smtp_error)} (connecting)") from None
        except ssl.SSLError as err:
            raise FatalFailure(
                _(
                    "TLS with {host}:{port} failed: {reason} — "
                    "the server's certificate could not be verified"
                ).format(
                    host=self.settings.host, port=self.settings.port, reason=err.reason or err
                ),
                _(
                    "check that mail.smtp.host matches the name in the server's certificate and, "
                    "for a company certificate authority, that SSL_CERT_FILE names its certificate"
                ),
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            raise TemporaryFailure(
                _("cannot connect to {host}:{port}: {error}").format(
                    host=self.settings.host, port=self.settings.port, error=connection_reason(err)
                )
            ) from None
        except Exception as err:
            # Never echo the exception text here: it can carry the credentials.
            raise FatalFailure(
                _("login failed ({error})").format(error=type(err).__name__)
            ) from None
        self._client = client
        self.logins += 1

    def _xoauth2(self, smtp: smtplib.SMTP) -> None:
        """AUTH XOAUTH2; a refused token is replaced by a fresh one once, then the run stops."""
        assert self.tokens is not None and self.settings.user is not None
        offered = str(smtp.esmtp_features.get("auth", ""))
        if "XOAUTH2" not in offered.upper().split():
            found = diagnosis.not_offered("XOAUTH2", offered.strip())
            raise FatalFailure(
                _("the server does not offer AUTH XOAUTH2 — {cause}").format(cause=found.what),
                found.next_step,
            )
        user = self.settings.user
        for fresh in (False, True):
            sasl = xoauth2_string(user, self.tokens.token(fresh=fresh))

            def respond(challenge: bytes | None = None, sasl: str = sasl) -> str:
                # On failure the server sends a JSON challenge; an empty reply ends the exchange.
                return sasl if challenge is None else ""

            try:
                smtp.auth("XOAUTH2", respond, initial_response_ok=True)
                return
            except smtplib.SMTPAuthenticationError as err:
                code, reply = err.smtp_code, _text(err.smtp_error)
            if 400 <= code < 500:
                raise TemporaryFailure(f"{code} {reply} (AUTH)")
            if not fresh:
                continue  # expired or revoked: ask the provider for a new token, once
            found = diagnosis.smtp_auth(code, reply, "XOAUTH2")
            raise FatalFailure(
                _("AUTH XOAUTH2 refused: {code} {reply} — {cause}").format(
                    code=code, reply=reply, cause=found.what
                ),
                found.next_step,
            )

    @property
    def _smtp(self) -> smtplib.SMTP:
        if self._client is None:
            raise TemporaryFailure("not connected")
        return self._client.smtp  # type: ignore[attr-defined]

    def send(self, data: bytes, from_addr: str, to_addr: str, item: str) -> None:
        if self._client is None:
            self.open()
        smtp = self._smtp
        try:
            code, reply = smtp.mail(from_addr)
            if code != 250:
                self._reset()
                if 400 <= code < 500:
                    raise TemporaryFailure(f"{code} {_text(reply)} (MAIL FROM)")
                raise FatalFailure(f"sender refused: {code} {_text(reply)}")
            code, reply = smtp.rcpt(to_addr)
            if code not in (250, 251):
                self._reset()
                if 400 <= code < 500:
                    raise TemporaryFailure(f"{code} {_text(reply)} (RCPT TO)")
                raise PermanentFailure(f"{code} {_text(reply)}")
            code, reply = smtp.docmd("data")
            if code != 354:
                self._reset()
                if 400 <= code < 500:
                    raise TemporaryFailure(f"{code} {_text(reply)} (DATA)")
                raise PermanentFailure(f"{code} {_text(reply)} (DATA)")
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            self._drop()
            raise TemporaryFailure(f"connection lost before the message was sent: {err}") from None
        except BaseException:
            self._drop()  # stopped mid-command (Ctrl-C): see below
            raise
        # From here on the server may have the message: a lost connection is an unknown.
        try:
            smtp.send(_dot_stuffed(data))
            code, reply = smtp.getreply()
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as err:
            self._drop()
            raise UnknownOutcome(f"connection lost after the message was sent: {err}") from None
        except BaseException:
            # Stopped (Ctrl-C) while the server had the message: the session is mid-command,
            # so a polite QUIT on close would wait out mail.smtp.timeout for a reply that
            # belongs to DATA. The connection is dropped; the message's outcome stays unknown.
            self._drop()
            raise
        if code == 250:
            return
        if 400 <= code < 500:
            raise TemporaryFailure(f"{code} {_text(reply)} (after DATA)")
        raise PermanentFailure(f"{code} {_text(reply)} (after DATA)")

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.smtp.close()  # type: ignore[attr-defined]

    def reconnect(self) -> None:
        self._drop()
        self.open()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()  # type: ignore[attr-defined]


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA sends it: CRLF lines, leading dots doubled, ending in CRLF.CRLF."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

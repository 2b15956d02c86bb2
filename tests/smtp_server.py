"""A real SMTP server on 127.0.0.1 (aiosmtpd) with faults to inject."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Faults:
    temp_mail: int = 0  # answer the next N MAIL FROM with 421
    temp_rcpt: int = 0  # answer the next N RCPT TO with 451
    reject: set[str] = field(default_factory=set)  # 550 for these recipients
    drop_before_mail: set[int] = field(
        default_factory=set
    )  # close the connection at these MAIL numbers
    drop_after_data: set[int] = field(
        default_factory=set
    )  # take the message, then close without a reply
    stall_after_data: set[int] = field(
        default_factory=set
    )  # take the message, then hang (for kill tests)


class FaultyHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.faults = Faults()
        self.mail_count = 0
        self.data_count = 0
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]
        with self.lock:
            self.mail_count += 1
            number = self.mail_count
            if number in self.faults.drop_before_mail:
                server.transport.close()
                return "421 4.4.2 closing"
            if self.faults.temp_mail > 0:
                self.faults.temp_mail -= 1
                return "421 4.7.0 Try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        with self.lock:
            if address in self.faults.reject:
                return "550 5.1.1 User unknown"
            if self.faults.temp_rcpt > 0:
                self.faults.temp_rcpt -= 1
                return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.data_count += 1
            number = self.data_count
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        if number in self.faults.drop_after_data:
            server.transport.close()
            return "250 OK"
        if number in self.faults.stall_after_data:
            await asyncio.sleep(30)
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The XOAUTH2 initial response, exactly: user=ADDR ^A auth=Bearer TOKEN ^A ^A.
XOAUTH2 = re.compile(rb"user=([^\x01]+)\x01auth=Bearer ([\x21-\x7e]+)\x01\x01")


class OAuthHandler(FaultyHandler):
    """A server that wants AUTH XOAUTH2, as Microsoft 365 and Gmail do.

    ``tokens`` maps each token it issued to its user; a token in ``expired`` is
    refused (a JSON challenge, then 535), and a session that logged in with a
    token expired since is told 421 on its next MAIL and closed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, str] = {}
        self.expired: set[str] = set()
        self.sasl: list[bytes] = []  # every initial response, decoded, byte for byte
        self.accepted: list[str] = []  # the tokens logged in with, in order
        self.refused: list[tuple[str, str]] = []  # (token, reply)
        self.disabled: str | None = None  # a 535 reply for every login (SMTP AUTH switched off)
        self.expire_after_data: set[int] = set()  # the session's token expires after these DATAs

    async def auth_XOAUTH2(self, server, args):  # type: ignore[no-untyped-def]
        if len(args) == 2:
            try:
                blob = base64.b64decode(args[1].encode(), validate=True)
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await server.challenge_auth("")
        with self.lock:
            self.sasl.append(blob)
        found = XOAUTH2.fullmatch(blob)
        if found is None:
            return AuthResult(
                success=False, handled=False, message="501 5.5.2 Malformed XOAUTH2 response"
            )
        user, token = found.group(1).decode(), found.group(2).decode()
        if self.disabled is not None:
            reply = self.disabled
        elif token in self.expired or token not in self.tokens:
            reply = "535 5.7.8 Username and Password not accepted"
        elif self.tokens[token] != user:
            reply = "535 5.7.3 Authentication unsuccessful"
        else:
            with self.lock:
                self.accepted.append(token)
            return AuthResult(success=True, auth_data=token)
        # As Gmail does: an error in a challenge, answered with an empty line, then the code.
        error = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}
        await server.challenge_auth(json.dumps(error))
        with self.lock:
            self.refused.append((token, reply))
        return AuthResult(success=False, handled=False, message=reply)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]
        if session.auth_data in self.expired:
            server.transport.close()
            return "421 4.7.0 Authentication token expired, closing connection"
        return await super().handle_MAIL(server, session, envelope, address, mail_options)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            if self.data_count in self.expire_after_data:
                self.expired.add(session.auth_data)
        return reply


class SmtpServer:
    def __init__(
        self,
        user: str | None = None,
        password: str | None = None,
        oauth: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = OAuthHandler() if oauth else FaultyHandler()
        self.port = free_port()
        kwargs: dict[str, object] = {}
        if oauth:
            kwargs = {"auth_required": True, "auth_require_tls": tls is not None}
        if tls is not None:
            kwargs["tls_context"] = tls
            kwargs["require_starttls"] = True
        if user is not None:

            def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and auth_data.login.decode() == user
                    and auth_data.password.decode() == password
                )
                return AuthResult(success=ok, handled=False)

            kwargs.update(authenticator=authenticate, auth_require_tls=False)
        # A busy machine (several test processes on two cores) may take longer than
        # aiosmtpd's default 5 s to start the server's thread.
        self.kwargs = {"ready_timeout": 30.0, **kwargs}
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
        )

    def __enter__(self) -> SmtpServer:
        # free_port() lets the port go before the server binds it, and the tests run in
        # several processes at once: another one may take it in between. Then try another.
        for _ in range(4):
            try:
                self.controller.start()
                return self
            except TimeoutError:
                raise
            except OSError:
                self.port = free_port()
                self.controller = Controller(
                    self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
                )
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

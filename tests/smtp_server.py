"""A real SMTP server on 127.0.0.1 (aiosmtpd) with faults to inject."""

from __future__ import annotations

import asyncio
import socket
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


class SmtpServer:
    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.handler = FaultyHandler()
        self.port = free_port()
        kwargs = {}
        if user is not None:

            def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and auth_data.login.decode() == user
                    and auth_data.password.decode() == password
                )
                return AuthResult(success=ok, handled=False)

            kwargs = {"authenticator": authenticate, "auth_require_tls": False}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

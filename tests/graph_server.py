"""Microsoft Graph's sendMail on https://127.0.0.1, with faults to inject."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local_server import serving_thread
from tls_cert import make_certificate, server_context


@dataclass
class Sent:
    mailbox: str
    token: str
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    @property
    def to(self) -> str:
        return str(self.message["To"].addresses[0].addr_spec)


@dataclass
class GraphState:
    tokens: set[str] = field(default_factory=set)  # valid access tokens
    sent: list[Sent] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # next replies
    reject: set[str] = field(default_factory=set)  # recipients answered 400
    forbidden: bool = False  # 403 for every request (Mail.Send not granted)
    drop_after: set[int] = field(default_factory=set)  # request numbers closed without a reply
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: GraphState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: dict[str, Any] | None, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with state.lock:
                state.requests += 1
                number = state.requests
            parts = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).split("/")
            if parts[-1] != "sendMail" or parts[-3] != "users":
                self._reply(404, {"error": {"code": "ResourceNotFound", "message": "no"}}, {})
                return
            mailbox = parts[-2]
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in state.tokens:
                self._reply(
                    401,
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "Lifetime validation failed, the token is expired.",
                        }
                    },
                    {},
                )
                return
            if state.forbidden:
                self._reply(
                    403,
                    {
                        "error": {
                            "code": "ErrorAccessDenied",
                            "message": "Access is denied. Check credentials and try again.",
                        }
                    },
                    {},
                )
                return
            with state.lock:
                answer = state.answers.pop(0) if state.answers else None
            if answer is not None:
                status, headers = answer
                code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
                self._reply(
                    status, {"error": {"code": code, "message": "Try again later."}}, headers
                )
                return
            if self.headers.get("Content-Type") != "text/plain":
                self._reply(
                    400,
                    {"error": {"code": "ErrorMimeContentInvalid", "message": "MIME expected"}},
                    {},
                )
                return
            data = base64.b64decode(body, validate=True)
            sent = Sent(mailbox, token, data)
            if sent.to in state.reject:
                self._reply(
                    400,
                    {
                        "error": {
                            "code": "ErrorInvalidRecipients",
                            "message": "At least one recipient is not valid.",
                        }
                    },
                    {},
                )
                return
            with state.lock:
                state.sent.append(sent)
            if number in state.drop_after:
                self.close_connection = True
                self.connection.close()  # the message is taken; no answer comes back
                return
            self._reply(202, None, {})

    return Handler


class GraphServer:
    def __init__(self, folder: Path) -> None:
        self.cert, key = make_certificate(folder / "graph-tls")
        self.state = GraphState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.server.socket = server_context(self.cert, key).wrap_socket(
            self.server.socket, server_side=True
        )
        self.endpoint = f"https://127.0.0.1:{self.server.server_address[1]}/v1.0"
        self.thread = serving_thread(self.server)

    def __enter__(self) -> GraphServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

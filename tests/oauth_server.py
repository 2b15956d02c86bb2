"""A sign-in service on https://127.0.0.1 for MSAL and google-auth, and a keyring in memory.

It answers as Entra ID's v2.0 endpoints do (OpenID configuration, device code,
token: device_code, refresh_token, client_credentials grants) and as Google's
(authorization redirect, token: authorization_code and refresh_token grants).
Every token it issues is registered with the XOAUTH2 SMTP server under test.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from local_server import serving_thread
from tls_cert import make_certificate, server_context


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def id_token(claims: dict[str, Any]) -> str:
    """An unsigned JWT (MSAL and google-auth read the claims of an ID token, not its signature)."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.sig"


@dataclass
class Authority:
    base: str = ""
    tenant: str = "contoso-tenant-id"
    user: str = "kakeai-office@example.co.jp"  # who signs in at the device-code page
    pending_polls: int = 1  # answers of authorization_pending before the user has signed in
    issued: list[str] = field(default_factory=list)  # access tokens, in order
    refresh_tokens: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)  # token requests (form)
    refuse_refresh: str | None = None  # an error description for refresh grants
    client_secret: str = "app-secret-value"
    on_issue: Any = None  # called with (access token, user) for each token issued
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(
        self, user: str, refresh: bool = True, scope: str = "https://outlook.office.com/SMTP.Send"
    ) -> dict[str, Any]:
        with self.lock:
            self.counter += 1
            number = self.counter
        access = f"eyJ0eXAi.access-{number}.{int(time.time())}"
        self.issued.append(access)
        if self.on_issue is not None:
            self.on_issue(access, user)
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": 3599,
            "access_token": access,
            "scope": scope,
        }
        if refresh:
            token = f"refresh-{number}-secret"
            self.refresh_tokens.add(token)
            answer["refresh_token"] = token
            answer["id_token"] = id_token(
                {
                    "iss": f"{self.base}/{self.tenant}/v2.0",
                    "aud": "client",
                    "sub": "subject-1",
                    "oid": "object-1",
                    "tid": self.tenant,
                    "preferred_username": user,
                    "email": user,
                    "name": "KAKEAI事務局",
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 3600,
                }
            )
            answer["client_info"] = _b64({"uid": "object-1", "utid": self.tenant})
        return answer


def _handler(authority: Authority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            tenant = authority.tenant
            if url.path == f"/{tenant}/v2.0/.well-known/openid-configuration":
                root = f"{authority.base}/{tenant}"
                self._json(
                    200,
                    {
                        "issuer": f"{root}/v2.0",
                        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{root}/oauth2/v2.0/token",
                        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                    },
                )
            elif url.path == "/google/auth":
                # The consent page, answered at once: back to the app with a code.
                query = dict(urllib.parse.parse_qsl(url.query))
                target = (
                    query["redirect_uri"]
                    + "?"
                    + urllib.parse.urlencode(
                        {
                            "code": "google-code-1",
                            "state": query.get("state", ""),
                            "scope": query["scope"],
                        }
                    )
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            else:
                self._json(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "AADSTS90002: Tenant not found.",
                    },
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            authority.requests.append(form)
            path = urllib.parse.urlsplit(self.path).path
            tenant = authority.tenant
            grant = form.get("grant_type", "")
            scope = (
                "https://mail.google.com/ openid https://www.googleapis.com/auth/userinfo.email"
                if path.startswith("/google/")
                else "https://outlook.office.com/SMTP.Send"
            )
            if path == f"/{tenant}/oauth2/v2.0/devicecode":
                self._json(
                    200,
                    {
                        "device_code": "device-code-1",
                        "user_code": "ABCD-EFGH",
                        "verification_uri": "https://microsoft.com/devicelogin",
                        "expires_in": 900,
                        "interval": 0,
                        "message": "To sign in, use a web browser ...",
                    },
                )
            elif grant == "urn:ietf:params:oauth:grant-type:device_code":
                if authority.pending_polls > 0:
                    authority.pending_polls -= 1
                    self._json(
                        400,
                        {
                            "error": "authorization_pending",
                            "error_description": "AADSTS70016: pending",
                        },
                    )
                else:
                    self._json(200, authority.issue(authority.user))
            elif grant == "refresh_token":
                if authority.refuse_refresh is not None:
                    self._json(
                        400,
                        {"error": "invalid_grant", "error_description": authority.refuse_refresh},
                    )
                elif form.get("refresh_token") in authority.refresh_tokens:
                    self._json(200, authority.issue(authority.user))
                else:
                    self._json(
                        400,
                        {"error": "invalid_grant", "error_description": "AADSTS700082: expired"},
                    )
            elif grant == "client_credentials":
                if form.get("client_secret") != authority.client_secret:
                    self._json(
                        401,
                        {
                            "error": "invalid_client",
                            "error_description": "AADSTS7000215: Invalid client secret provided.",
                        },
                    )
                else:
                    self._json(200, authority.issue("app", refresh=False))
            elif grant == "authorization_code" and form.get("code") == "google-code-1":
                self._json(200, authority.issue(authority.user, scope=scope))
            else:
                self._json(400, {"error": "unsupported_grant_type"})

    return Handler


class SignInServer:
    """``with SignInServer(tmp_path) as sign_in:``; sets REQUESTS_CA_BUNDLE via monkeypatch."""

    def __init__(self, folder: Path) -> None:
        self.cert, key = make_certificate(folder / "sign-in-tls")
        self.authority = Authority()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.authority))
        self.server.socket = server_context(self.cert, key).wrap_socket(
            self.server.socket, server_side=True
        )
        self.authority.base = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = serving_thread(self.server)

    @property
    def base(self) -> str:
        return self.authority.base

    def __enter__(self) -> SignInServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class MemoryKeyring(KeyringBackend):
    """A keyring backend holding its entries in memory (set with keyring.set_keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def use_memory_keyring() -> tuple[MemoryKeyring, KeyringBackend]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    return memory, previous

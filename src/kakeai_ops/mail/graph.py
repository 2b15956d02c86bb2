"""Microsoft Graph as a transport: ``sendMail`` on the sending mailbox (tenants without SMTP AUTH).

The message kops built is sent as it is (MIME, base64, ``Content-Type:
text/plain``), so its headers and Message-ID are the ones the ledger knows.
Outcomes map onto the SMTP transport's, so the ledger's rules do not change:

- 202 Accepted: sent;
- 429 and 5xx: ``TemporaryFailure`` carrying the ``Retry-After`` seconds
  (the service did not take the message; the sender waits at least that long);
- 401: the token was refused: a fresh one is asked for once, then the run stops;
- 403, 404: ``FatalFailure`` (no permission, no such mailbox: every message would fail);
- other 4xx: ``PermanentFailure`` for this message;
- no answer after the request went out: ``UnknownOutcome`` (never resent automatically).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime

from ..clock import now
from ..config import Mail
from ..i18n import _
from .oauth import TokenError, TokenSource, token_source
from .transport import (
    LOOPBACK,
    FatalFailure,
    PermanentFailure,
    TemporaryFailure,
    UnknownOutcome,
)

ADMIN_DOC = "docs/mail-admin.ja.md"
PUBLIC_ENDPOINT = "https://graph.microsoft.com/v1.0"


class GraphTransport:
    name = "graph"
    throttled = True  # mail.rate_per_minute keeps kops under the service's own limits

    def __init__(self, mail: Mail, tokens: TokenSource | None = None) -> None:
        self.mail = mail
        self.mailbox = mail.graph.mailbox or mail.smtp.user or mail.from_addr
        self.url = (
            f"{mail.graph.endpoint.rstrip('/')}/users/{urllib.parse.quote(self.mailbox)}/sendMail"
        )
        self.timeout = mail.graph.timeout
        self.tokens = tokens
        self._token: str | None = None
        self.steps: list[str] = []
        self.requests = 0

    def open(self) -> None:
        self.steps = []
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme != "https" and parts.hostname not in LOOPBACK:
            raise FatalFailure(
                _(
                    "mail.graph.endpoint {endpoint} is not https: the access token would "
                    "travel unencrypted"
                ).format(endpoint=self.mail.graph.endpoint),
                _("set mail.graph.endpoint to {endpoint}").format(endpoint=PUBLIC_ENDPOINT),
            )
        try:
            if self.tokens is None:
                self.tokens = token_source(self.mail.smtp, "graph")
            self._token = self.tokens.token()
        except TokenError as error:
            raise FatalFailure(error.message, error.hint) from None
        self.steps.append("token")

    def close(self) -> None:
        self._token = None

    def send(self, data: bytes, from_addr: str, to_addr: str, item: str) -> None:
        if self._token is None:
            self.open()
        body = base64.b64encode(data)
        for fresh in (False, True):
            if fresh:
                assert self.tokens is not None
                try:
                    self._token = self.tokens.token(fresh=True)
                except TokenError as error:
                    raise FatalFailure(error.message, error.hint) from None
            status, headers, text = self._post(body)
            if status == 202 or status == 200:
                return
            if status != 401:
                break
        self._raise(status, headers, text)

    def _post(self, body: bytes) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "text/plain",
            },
        )
        context = ssl.create_default_context()
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=context) as answer:
                return answer.status, dict(answer.headers.items()), ""
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return error.code, dict(error.headers.items()), text
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, ssl.SSLError):
                raise FatalFailure(
                    _(
                        "TLS with {url} failed: {reason} — the server's certificate could not "
                        "be verified"
                    ).format(url=self.url, reason=reason),
                    _("with the company's own certificate authority, set SSL_CERT_FILE to it"),
                ) from None
            if isinstance(reason, ConnectionRefusedError | socket.gaierror):
                # Nothing reached the service: safe to retry.
                raise TemporaryFailure(
                    _("cannot reach {url}: {error}").format(url=self.url, error=reason)
                ) from None
            raise UnknownOutcome(
                _("no answer from Graph after sending: {error}").format(error=reason)
            ) from None
        except (TimeoutError, ConnectionError, OSError) as error:
            raise UnknownOutcome(
                _("no answer from Graph after sending: {error}").format(error=type(error).__name__)
            ) from None

    def _raise(self, status: int, headers: dict[str, str], text: str) -> None:
        code, message = _graph_error(text)
        said = f"Graph {status} {code}: {message}".strip().rstrip(":")
        if status == 429 or status >= 500:
            raise TemporaryFailure(said, retry_after=_retry_after(headers))
        if status == 401:
            raise FatalFailure(
                _("{said} — the access token was refused").format(said=said),
                _("sign in again with kops mail login"),
            )
        if status == 403:
            raise FatalFailure(
                _("{said} — no permission to send from this mailbox").format(said=said),
                _(
                    "ask the mail administrator to grant the app Mail.Send (with admin "
                    "consent) and, for app-only sending, to allow the sending mailbox in an "
                    "application access policy ({doc})"
                ).format(doc=ADMIN_DOC),
            )
        if status == 404:
            raise FatalFailure(
                _("{said} — no mailbox {mailbox}").format(said=said, mailbox=self.mailbox),
                _("check mail.graph.mailbox (or mail.smtp.user)"),
            )
        raise PermanentFailure(said)


def _graph_error(text: str) -> tuple[str, str]:
    try:
        error = json.loads(text).get("error", {})
    except (ValueError, AttributeError):
        return "", text[:200]
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code", "")), " ".join(str(error.get("message", "")).split())[:300]


def _retry_after(headers: dict[str, str]) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        # '-0000' reads as a time without zone (RFC 2822's UTC of unknown origin);
        # HTTP dates are always UTC.
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now()).total_seconds())

"""Signing in with MSAL (Microsoft 365) and google-auth (Google Workspace) against local servers.

MSAL and google-auth are pointed at an HTTPS sign-in service on 127.0.0.1 by
kops.yaml (authority_host, token_uri, auth_uri) and trust its certificate by
REQUESTS_CA_BUNDLE; the tokens they get are used for SMTP AUTH XOAUTH2 against
the local SMTP server. The sign-in is kept in the keyring (here: in memory).
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import requests

from conftest import Cli
from kakeai_ops.config import Smtp
from kakeai_ops.mail.oauth import TokenError
from kakeai_ops.mail.oauth_google import GoogleToken
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from oauth_server import MemoryKeyring, SignInServer, use_memory_keyring
from smtp_server import SmtpServer

MAILBOX = "kakeai-office@example.co.jp"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    memory, previous = use_memory_keyring()
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def sign_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignInServer]:
    with SignInServer(tmp_path) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))
        yield server


def microsoft(ws: Workspace, smtp: SmtpServer, sign_in: SignInServer, **oauth: Any) -> None:
    use_smtp(
        ws,
        smtp,
        user=MAILBOX,
        smtp={
            "auth": "xoauth2",
            "oauth": {
                "provider": "microsoft",
                "tenant": sign_in.authority.tenant,
                "client_id": "11111111-2222-3333-4444-555555555555",
                "authority_host": sign_in.base,
                **oauth,
            },
        },
    )
    # Every token the sign-in service issues is one the SMTP server accepts, for its user.
    sign_in.authority.on_issue = lambda token, user: smtp.handler.tokens.__setitem__(
        token, MAILBOX if user == "app" else user
    )


def secrets_absent(ws: Workspace, outputs: list[Any], secrets: list[str]) -> None:
    text = "".join(r.stdout + r.stderr for r in outputs)
    for secret in secrets:
        assert secret not in text
        for path in ws.root.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def test_device_code_login_then_silent_tokens_and_a_refresh_when_the_server_refuses_one(
    sample_copy: Workspace, sign_in: SignInServer, memory_keyring: MemoryKeyring
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as smtp:
        microsoft(sample_copy, smtp, sign_in)
        login = cli("mail", "login")
        assert "ABCD-EFGH" in login.stdout and "https://microsoft.com/devicelogin" in login.stdout
        assert f"sign in with the account {MAILBOX}" in login.stdout
        assert "Signed in: " in login.stderr
        [(service, name)] = list(memory_keyring.entries)
        assert service == "kops" and name.startswith("msal:") and MAILBOX in name
        first = cli("mail", "check")
        assert smtp.handler.accepted == [sign_in.authority.issued[0]]
        # The server now refuses that token: kops asks MSAL for a fresh one (refresh grant).
        smtp.handler.expired.add(sign_in.authority.issued[0])
        second = cli("mail", "check")
        assert smtp.handler.accepted == sign_in.authority.issued[:2]
        grants = [r["grant_type"] for r in sign_in.authority.requests if "grant_type" in r]
        assert grants == ["urn:ietf:params:oauth:grant-type:device_code"] * 2 + ["refresh_token"]
    assert "✓ Signed in" in first.stdout and "✓ Signed in" in second.stdout
    secrets_absent(
        sample_copy,
        [login, first, second],
        sign_in.authority.issued + sorted(sign_in.authority.refresh_tokens),
    )

    logout = cli("mail", "logout")
    assert "Removed the saved sign-in" in logout.stderr and memory_keyring.entries == {}
    with SmtpServer(oauth=True) as smtp:
        microsoft(sample_copy, smtp, sign_in)
        after = cli("mail", "check", ok=False)
    assert "not signed in as" in after.stderr and "kops mail login" in after.stderr


def test_signing_in_as_another_account_is_refused_and_nothing_is_kept(
    sample_copy: Workspace, sign_in: SignInServer, memory_keyring: MemoryKeyring
) -> None:
    cli = Cli(sample_copy)
    sign_in.authority.user = "someone.else@example.co.jp"
    with SmtpServer(oauth=True) as smtp:
        microsoft(sample_copy, smtp, sign_in)
        result = cli("mail", "login", ok=False)
    assert "signed in as someone.else@example.co.jp" in result.stderr
    assert MAILBOX in result.stderr
    stored = next(iter(memory_keyring.entries.values()), "")
    assert "someone.else" not in stored and "refresh-" not in stored


def test_an_expired_sign_in_and_a_wrong_tenant_are_explained_in_japanese(
    sample_copy: Workspace, sign_in: SignInServer, memory_keyring: MemoryKeyring
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as smtp:
        microsoft(sample_copy, smtp, sign_in)
        cli("mail", "login")
        smtp.handler.expired.add(sign_in.authority.issued[0])
        sign_in.authority.refuse_refresh = (
            "AADSTS700082: The refresh token has expired due to inactivity."
        )
        expired = cli("mail", "check", ok=False, env={"KOPS_LANG": "ja"})
        microsoft(sample_copy, smtp, sign_in, tenant="no-such-tenant")
        tenant = cli("mail", "check", ok=False)
    assert "有効期限が切れました" in expired.stderr and "kops mail login" in expired.stderr
    assert "The tenant was not found." in tenant.stderr
    assert "mail.smtp.oauth.tenant" in tenant.stderr


def test_app_only_sending_with_the_client_secret_from_the_environment(
    sample_copy: Workspace, sign_in: SignInServer, memory_keyring: MemoryKeyring
) -> None:
    cli = Cli(sample_copy)
    secret = sign_in.authority.client_secret
    with SmtpServer(oauth=True) as smtp:
        microsoft(sample_copy, smtp, sign_in, flow="client_credentials")
        result = cli("mail", "check", env={"KOPS_OAUTH_CLIENT_SECRET": secret})
        wrong = cli("mail", "check", env={"KOPS_OAUTH_CLIENT_SECRET": "wrong-secret"}, ok=False)
    assert "✓ Signed in" in result.stdout
    assert sign_in.authority.requests[0]["grant_type"] == "client_credentials"
    assert "The client secret is wrong" in wrong.stderr
    secrets_absent(sample_copy, [result, wrong], [secret, "wrong-secret"])


class FollowingBrowser(webbrowser.BaseBrowser):
    """The user's browser: opens the consent page and follows it back to kops (in a thread)."""

    def __init__(self, ca: Path) -> None:
        super().__init__("kops-test-browser")
        self.ca = ca
        self.pages: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.pages.append(url)
        threading.Thread(target=requests.get, args=(url,), kwargs={"verify": str(self.ca)}).start()
        return True


def test_google_installed_app_flow_keeps_the_refresh_token_and_refreshes(
    sign_in: SignInServer, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = FollowingBrowser(sign_in.cert)
    webbrowser.register("kops-test-browser", None, browser)
    monkeypatch.setenv("KOPS_OAUTH_CLIENT_SECRET", "google-installed-secret")
    settings = Smtp(
        host="smtp.gmail.com",
        user=MAILBOX,
        auth="xoauth2",
        oauth={
            "provider": "google",
            "client_id": "123-abc.apps.googleusercontent.com",
            "token_uri": f"{sign_in.base}/google/token",
            "auth_uri": f"{sign_in.base}/google/auth",
        },
    )
    said: list[str] = []
    who = GoogleToken(settings).login(said.append, browser="kops-test-browser")
    assert who == MAILBOX
    assert browser.pages[0].startswith(f"{sign_in.base}/google/auth?")
    assert "login_hint=kakeai-office%40example.co.jp" in browser.pages[0]
    assert "access_type=offline" in browser.pages[0]
    stored = memory_keyring.entries[
        ("kops", f"google:123-abc.apps.googleusercontent.com:{MAILBOX}")
    ]
    assert stored in sign_in.authority.refresh_tokens
    # A later run: a fresh access token from the kept refresh token.
    token = GoogleToken(settings).token()
    assert token == sign_in.authority.issued[-1] and len(sign_in.authority.issued) == 2
    assert [r["grant_type"] for r in sign_in.authority.requests] == [
        "authorization_code",
        "refresh_token",
    ]
    assert all("secret" not in line for line in said)

    sign_in.authority.refuse_refresh = "Token has been expired or revoked."
    with pytest.raises(TokenError, match="invalid_grant") as caught:
        GoogleToken(settings).token()
    assert "kops mail login" in str(caught.value.hint)
    assert GoogleToken(settings).logout() is True
    with pytest.raises(TokenError, match="not signed in as"):
        GoogleToken(settings).token()

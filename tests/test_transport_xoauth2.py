"""SMTP AUTH XOAUTH2 against a real server on 127.0.0.1 that checks the SASL string byte for byte.

The tokens come from a real token command (a script reading a queue file), as
a company's token broker would hand them out.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.config import Smtp
from kakeai_ops.mail.oauth import CommandToken, TokenError, xoauth2_base64
from kakeai_ops.mail.transport import FatalFailure, SmtpTransport
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, reachable, states, use_smtp
from smtp_server import SmtpServer
from tls_cert import make_certificate, server_context
from token_broker import broker

MAILBOX = "kakeai-office@example.co.jp"


def oauth_settings(server: SmtpServer, command: list[str], user: str = MAILBOX) -> Smtp:
    return Smtp(
        host="127.0.0.1",
        port=server.port,
        security="none",
        user=user,
        auth="xoauth2",
        oauth={"provider": "command", "token_command": command},
        timeout=5,
    )


def use_xoauth2(
    workspace: Workspace, server: SmtpServer, tmp_path: Path, *tokens: str, **smtp: str
) -> None:
    """kops.yaml pointed at the server, signing in as MAILBOX with the tokens a token
    command hands out in turn."""
    use_smtp(
        workspace,
        server,
        user=MAILBOX,
        smtp={
            **smtp,
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": broker(tmp_path, *tokens)},
        },
    )


def test_the_sasl_string_is_exactly_user_ctrl_a_auth_bearer(tmp_path: Path) -> None:
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"ya29.tok-1": MAILBOX}
        transport = SmtpTransport(oauth_settings(server, broker(tmp_path, "ya29.tok-1")), MAILBOX)
        transport.open()
        transport.close()
    assert server.handler.sasl == [
        b"user=kakeai-office@example.co.jp\x01auth=Bearer ya29.tok-1\x01\x01"
    ]
    assert transport.steps == ["connected", "authenticated"]
    # The documented example (Google's XOAUTH2 page), base64 as sent on the wire.
    assert xoauth2_base64(
        "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
    ) == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


def test_an_expired_token_is_refused_with_535_and_a_fresh_one_accepted(tmp_path: Path) -> None:
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"old": MAILBOX, "new": MAILBOX}
        server.handler.expired = {"old"}
        command = broker(tmp_path, "old", "new")
        transport = SmtpTransport(oauth_settings(server, command), MAILBOX)
        transport.open()
        transport.close()
    assert [reply[:3] for _, reply in server.handler.refused] == ["535"]
    assert server.handler.accepted == ["new"]
    assert isinstance(transport.tokens, CommandToken) and transport.tokens.runs == 2


def test_a_token_for_another_user_stops_with_the_reason_in_japanese(tmp_path: Path) -> None:
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"t1": "someone@example.co.jp", "t2": "someone@example.co.jp"}
        transport = SmtpTransport(oauth_settings(server, broker(tmp_path, "t1", "t2")), MAILBOX)
        with pytest.raises(FatalFailure, match=r"535 5\.7\.3") as caught:
            transport.open()
    assert "mail.smtp.user" in str(caught.value) + str(caught.value.hint)
    assert "t1" not in str(caught.value) and "t2" not in str(caught.value)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "import sys; print('broker down', file=sys.stderr); sys.exit(3)",
            r"exit code 3.*broker down",
        ),
        ("pass", "the access token is empty"),
        ("print('two words')", "not in the right form"),
        ("print('トークン')", "not in the right form"),
    ],
)
def test_a_token_command_that_fails_or_prints_nothing_is_named(
    tmp_path: Path, script: str, expected: str
) -> None:
    path = tmp_path / "bad.py"
    path.write_text(script)
    with pytest.raises(TokenError, match=expected) as caught:
        CommandToken([sys.executable, str(path)], 10).token()
    assert "two words" not in str(caught.value)


def test_a_missing_token_command_is_named(tmp_path: Path) -> None:
    with pytest.raises(TokenError, match="not found"):
        CommandToken("/nonexistent/get-token --user x", 10).token()


def test_send_delivers_every_message_once_across_a_forced_token_expiry(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    assert len(expected) >= 4
    secret = "ya29.SECRET-first-token"
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {secret: MAILBOX, "ya29.second": MAILBOX}
        server.handler.expire_after_data = {2}  # the first token expires after the 2nd message
        use_xoauth2(sample_copy, server, tmp_path, secret, "ya29.second")
        result = cli("mail", "send", *SEGMENT, "--yes")
        received = server.handler.received
        refused = list(server.handler.refused)
        accepted = list(server.handler.accepted)
    # Every address once, though the connection was closed and the login redone mid-run.
    assert Counter(a for r in received for a in r.rcpt_tos) == Counter({a: 1 for a in expected})
    assert states(sample_copy) == Counter({"sent": len(expected)})
    assert accepted == [secret, "ya29.second"]
    assert [token for token, _ in refused] == [secret]  # the cached token, refused once
    # The token is nowhere in the output or the workspace.
    assert secret not in result.stdout + result.stderr
    for path in sample_copy.root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert RUN in result.stderr


def test_a_wrong_user_token_sends_nothing_and_leaves_the_run_resumable(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"ya29.other-user": "boss@example.co.jp"}
        use_xoauth2(sample_copy, server, tmp_path, "ya29.other-user", "ya29.other-user")
        result = cli("mail", "send", *SEGMENT, "--yes", ok=False)
        assert server.handler.received == []
    assert result.exit_code == 1
    assert "535 5.7.3" in result.stderr and "mail.smtp.user" in result.stderr
    assert "ya29.other-user" not in result.stdout + result.stderr
    assert set(states(sample_copy)) == {"planned"}


def test_mail_check_signs_in_and_sends_nothing(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"ya29.ok": MAILBOX}
        use_xoauth2(sample_copy, server, tmp_path, "ya29.ok")
        result = cli("mail", "check")
        assert server.handler.received == []
        assert server.handler.accepted == ["ya29.ok"]
    assert "Connected to the server" in result.stdout and "✓ Signed in" in result.stdout
    assert "No mail was sent" in result.stderr
    assert "ya29.ok" not in result.stdout + result.stderr


def test_mail_check_to_test_sends_one_mail(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"ya29.ok": MAILBOX}
        use_xoauth2(sample_copy, server, tmp_path, "ya29.ok")
        result = cli("mail", "check", "--to-test", "tester@example.co.jp")
        received = server.handler.received
    assert [r.rcpt_tos for r in received] == [["tester@example.co.jp"]]
    assert "送信テスト" in str(received[0].message["Subject"])
    assert "Sent a test mail to tester@example.co.jp" in result.stdout
    assert states(sample_copy) == Counter()  # nothing in the ledger
    from kakeai_ops.store import audit_entries

    [entry] = audit_entries(sample_copy, 1).to_dict("records")
    assert (entry["action"], entry["target"], entry["count"]) == (
        "mail test",
        "tester@example.co.jp",
        1,
    )


def test_mail_check_explains_smtp_auth_disabled_for_the_mailbox(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as server:
        server.handler.tokens = {"ya29.ok": MAILBOX}
        server.handler.disabled = (
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
            "for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."
        )
        use_xoauth2(sample_copy, server, tmp_path, "ya29.ok", "ya29.ok")
        result = cli("mail", "check", ok=False, env={"KOPS_LANG": "ja"})
    assert result.exit_code == 1
    assert "サーバーに接続しました" in result.stdout
    assert "SMTP AUTH" in result.stderr and "メールボックス" in result.stderr
    assert "メール管理者" in result.stderr


def test_xoauth2_settings_are_checked_when_kops_yaml_is_read(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True) as server:
        use_smtp(sample_copy, server, smtp={"auth": "xoauth2", "oauth": {"provider": "command"}})
        result = cli("mail", "check", ok=False)
    assert "needs user" in result.stderr
    with SmtpServer(oauth=True) as server:
        use_smtp(
            sample_copy,
            server,
            user=MAILBOX,
            smtp={"auth": "xoauth2", "oauth": {"provider": "command"}},
        )
        result = cli("mail", "check", ok=False)
    assert "token_command" in result.stderr


def test_starttls_verifies_the_certificate_before_the_token_is_sent(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = make_certificate(tmp_path / "tls")
    cli = Cli(sample_copy)
    with SmtpServer(oauth=True, tls=server_context(cert, key)) as server:
        server.handler.tokens = {"ya29.ok": MAILBOX}
        use_xoauth2(sample_copy, server, tmp_path, "ya29.ok", security="starttls")
        # A certificate nobody vouches for: refused before any token leaves.
        refused = cli("mail", "check", ok=False)
        assert server.handler.sasl == []
        # The company's own authority, named the usual way (SSL_CERT_FILE): accepted.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        result = cli("mail", "check")
    assert "certificate could not be verified" in refused.stderr and refused.exit_code == 1
    assert "Encrypted with STARTTLS" in result.stdout and "✓ Signed in" in result.stdout
    assert server.handler.accepted == ["ya29.ok"]


def test_the_administrators_guide_covers_every_explained_error() -> None:
    """Every hint points to docs/mail-admin.ja.md; each code explained there is in the guide."""
    import re

    from kakeai_ops.mail import diagnosis

    guide = (Path(__file__).resolve().parents[1] / diagnosis.ADMIN_DOC).read_text(encoding="utf-8")
    source = Path(diagnosis.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r"aadsts\d+", source)) | {"5.7.139", "5.7.3", "invalid_grant"}
    missing = [code for code in sorted(codes) if code.lower() not in guide.lower()]
    assert missing == [], missing


@pytest.mark.parametrize(
    "section",
    [
        {"smtp": {"password": "p@ssw0rd-in-yaml"}},
        {"smtp": {"oauth": {"client_secret": "p@ssw0rd-in-yaml"}}},
        {"smtp": {"oauth": {"refresh_token": "p@ssw0rd-in-yaml"}}},
        {"graph": {"token": "p@ssw0rd-in-yaml"}},
    ],
)
def test_a_secret_written_into_kops_yaml_is_refused_without_showing_it(
    sample_copy: Workspace, section: dict[str, object]
) -> None:
    from mailing import configure

    configure(sample_copy, **section)
    result = Cli(sample_copy)("mail", "check", ok=False)
    assert result.exit_code == 1
    assert "secrets are never read from kops.yaml" in result.stderr
    assert "p@ssw0rd-in-yaml" not in result.stdout + result.stderr


def test_a_token_command_that_hangs_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "hang.py"
    path.write_text("import time; time.sleep(30); print('late')")
    # A quarter of a second: the command sleeps for 30, so it is stopped whatever the load.
    with pytest.raises(TokenError, match=r"within 0\.25 seconds"):
        CommandToken([sys.executable, str(path)], 0.25).token()


def test_a_token_is_never_sent_unencrypted_to_another_host(tmp_path: Path) -> None:
    settings = Smtp(
        host="smtp.office365.com",
        port=25,
        security="none",
        user=MAILBOX,
        auth="xoauth2",
        oauth={"provider": "command", "token_command": broker(tmp_path, "never-used")},
    )
    transport = SmtpTransport(settings, MAILBOX)
    with pytest.raises(FatalFailure, match="unencrypted"):
        transport.open()
    assert isinstance(transport.tokens, CommandToken) and transport.tokens.runs == 0

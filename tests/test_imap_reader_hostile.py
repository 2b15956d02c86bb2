"""A giant message in the IMAP folder is named and not fetched whole."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Cli
from kakeai_ops.workspace import Workspace

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

BOUNCES = Path(__file__).parent / "data" / "bounces"


def test_a_giant_message_in_the_imap_folder_is_named_and_not_fetched_whole(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The bounce folder may hold a mail with a large attachment: it is fetched only up to
    the notice bound (a partial fetch), named as too large, and the notices beside it are
    still read."""
    import pytest

    from imap_server import ImapServer
    from kakeai_ops.mail import bounces
    from mailing import use_imap
    from tls_cert import make_certificate, server_context

    limit = 64 * 1024
    notice = (BOUNCES / "gmail.eml").read_bytes()
    giant = (
        b"From: someone@example.co.jp\r\nDate: Fri, 20 Nov 2026 10:00:00 +0900\r\n"
        b"Subject: big\r\n\r\n" + b"x" * (limit * 4)
    )
    cert, key = make_certificate(tmp_path / "tls")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(cert))
        patch.setattr(bounces, "MAX_NOTICE_BYTES", limit)
        with ImapServer(server_context(cert, key)) as imap:
            imap.box.folders["INBOX"] = [giant, notice]
            imap.box.tokens = {"imap-token": "kakeai-office@example.co.jp"}
            use_imap(sample_copy, imap, tmp_path, "INBOX")
            result = Cli(sample_copy)(
                "mail",
                "bounces",
                "--imap",
                "--format",
                "csv",
                env={"KOPS_NOW": "2026-11-21T09:00:00+09:00"},
                ok=False,
            )
            fetches = imap.box.fetches
    assert "imap:INBOX/1: too large for a bounce notice" in result.stderr, result.stderr
    assert all(f"<0.{limit + 1}>" in f for f in fetches), fetches
    assert "hanako.suzuki@example.co.jp" in result.stdout + result.stderr


def test_a_mailbox_read_without_tls_is_refused_before_signing_in(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """security: none to another machine would send the token in the clear: refused, as
    SMTP refuses it, before any connection (the host does not even resolve)."""
    from mailing import configure
    from token_broker import broker

    configure(
        sample_copy,
        smtp={
            "user": "kakeai-office@example.co.jp",
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": broker(tmp_path, "never")},
        },
        imap={"host": "imap.example.invalid", "port": 143, "security": "none"},
    )
    result = Cli(sample_copy)("mail", "bounces", "--imap", ok=False, env={"KOPS_LANG": "ja"})
    assert result.exit_code == 1
    said = result.stderr.replace("\n", "")
    assert "mail.imap.security が none です" in said and "imap.example.invalid" in said
    assert "ssl（ポート 993）か starttls" in said


def test_a_mailbox_without_a_host_is_named_in_each_language(sample_copy: Workspace) -> None:
    """The refusal was written in Japanese in the code: English mode showed Japanese."""
    cli = Cli(sample_copy)
    english = cli("mail", "bounces", "--imap", ok=False)
    assert "Error: mail.imap.host is not set" in english.stderr
    assert "outlook.office365.com" in english.stderr
    assert not JAPANESE.search(english.stderr), english.stderr
    japanese = cli("mail", "bounces", "--imap", ok=False, env={"KOPS_LANG": "ja"})
    assert "エラー: mail.imap.host がありません" in japanese.stderr
    assert "不達通知が届くメールボックスの IMAP サーバー" in japanese.stderr.replace("\n", "")


def test_a_refused_connection_is_said_without_the_os_words_in_japanese(
    sample_copy: Workspace,
) -> None:
    import socket

    from mailing import configure

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(
        sample_copy,
        smtp={"user": "kakeai-office@example.co.jp", "auth": "none"},
        imap={"host": "127.0.0.1", "port": port, "security": "none"},
    )
    japanese = Cli(sample_copy)("mail", "bounces", "--imap", ok=False, env={"KOPS_LANG": "ja"})
    said = japanese.stderr.replace("\n", "")
    assert f"IMAP 127.0.0.1:{port} に接続できません（サーバーが接続を拒否しました" in said, said
    assert "Errno" not in said and "refused" not in said

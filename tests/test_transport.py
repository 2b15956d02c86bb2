"""The transports: .eml files in the outbox, and SMTP against a real server on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.config import Smtp
from kakeai_ops.mail.transport import (
    OutboxTransport,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    UnknownOutcome,
)
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, plain, reachable, states, use_smtp
from smtp_server import SmtpServer

SENDER = "kakeai-office@example.co.jp"


def message(to: str, body: str = "山田 様\n\n1on1 のご案内です。\n") -> bytes:
    mail = EmailMessage()
    mail["From"] = SENDER
    mail["To"] = to
    mail["Subject"] = "【KAKEAI事務局】テスト"
    mail.set_content(body)
    return mail.as_bytes(policy=policy.SMTP)


def smtp(server: SmtpServer) -> SmtpTransport:
    settings = Smtp(host="127.0.0.1", port=server.port, security="none", timeout=5)
    return SmtpTransport(settings, SENDER)


def test_outbox_writes_one_eml_per_item(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    outbox.open()
    data = message("a@example.jp")
    outbox.send(data, SENDER, "a@example.jp", "no_prep:000001")
    outbox.send(message("b@example.jp"), SENDER, "b@example.jp", "no_prep:000002")
    outbox.send(data, SENDER, "a@example.jp", "no_prep:000001")  # again: the same file
    outbox.close()
    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == 2 and all(f.suffix == ".eml" for f in files)
    assert outbox.names.path("no_prep:000001").read_bytes() == data
    parsed = message_from_bytes(
        outbox.names.path("no_prep:000002").read_bytes(), policy=policy.default
    )
    assert parsed["To"] == "b@example.jp" and "1on1 のご案内" in plain(parsed)  # type: ignore[attr-defined]


def test_smtp_delivers_the_bytes_to_the_recipient() -> None:
    with SmtpServer() as server:
        transport = smtp(server)
        transport.open()
        transport.send(message("a@example.jp"), SENDER, "a@example.jp", "x")
        transport.send(message("b@example.jp"), SENDER, "b@example.jp", "y")
        transport.close()
        received = server.handler.received
    assert [(r.mail_from, r.rcpt_tos) for r in received] == [
        (SENDER, ["a@example.jp"]),
        (SENDER, ["b@example.jp"]),
    ]
    assert "1on1 のご案内" in plain(received[0].message)
    assert transport.logins == 1


def test_smtp_451_is_temporary_and_the_connection_stays_usable() -> None:
    with SmtpServer() as server:
        server.handler.faults.temp_rcpt = 1
        transport = smtp(server)
        transport.open()
        with pytest.raises(TemporaryFailure, match=r"451 .*RCPT TO"):
            transport.send(message("a@example.jp"), SENDER, "a@example.jp", "x")
        transport.send(message("a@example.jp"), SENDER, "a@example.jp", "x")
        transport.close()
        assert [r.rcpt_tos for r in server.handler.received] == [["a@example.jp"]]


def test_smtp_550_is_permanent() -> None:
    with SmtpServer() as server:
        server.handler.faults.reject = {"gone@example.jp"}
        transport = smtp(server)
        transport.open()
        with pytest.raises(PermanentFailure, match="550"):
            transport.send(message("gone@example.jp"), SENDER, "gone@example.jp", "x")
        transport.close()
        assert server.handler.received == []


def test_smtp_connection_lost_after_data_is_an_unknown_outcome() -> None:
    with SmtpServer() as server:
        server.handler.faults.drop_after_data = {1}
        transport = smtp(server)
        transport.open()
        with pytest.raises(UnknownOutcome, match="after the message was sent"):
            transport.send(message("a@example.jp"), SENDER, "a@example.jp", "x")
        transport.close()
        assert len(server.handler.received) == 1  # the server has it; kops cannot know


def test_smtp_server_down_is_temporary() -> None:
    with SmtpServer() as server:
        port = server.port
    settings = Smtp(host="127.0.0.1", port=port, security="none", timeout=5)
    with pytest.raises(TemporaryFailure, match="cannot connect"):
        SmtpTransport(settings, SENDER).open()


def test_login_and_password_never_shown(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    secret = "s3cret-Passw0rd-xyz"
    with SmtpServer(user="office", password=secret) as server:
        use_smtp(sample_copy, server, user="office")
        missing = cli("mail", "send", *SEGMENT, "--yes", ok=False)
        assert (
            "no SMTP password for office" in missing.stderr
            and "KOPS_SMTP_PASSWORD" in missing.stderr
        )
        wrong = cli(
            "mail",
            "send",
            *SEGMENT,
            "--yes",
            env={"KOPS_SMTP_PASSWORD": "wrong-password"},
            ok=False,
        )
        assert "refused the login" in wrong.stderr and "535" in wrong.stderr
        assert "wrong-password" not in wrong.stderr + wrong.stdout
        right = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_SMTP_PASSWORD": secret})
        assert secret not in right.stderr + right.stdout
        assert server.handler.received
    assert secret not in sample_copy.config_path.read_text(encoding="utf-8")


def test_non_ascii_password_is_refused_without_showing_it(sample_copy: Workspace) -> None:
    with SmtpServer(user="office", password="x") as server:
        use_smtp(sample_copy, server, user="office")
        secret = "パスワード1234"
        result = Cli(sample_copy)(
            "mail", "send", *SEGMENT, "--yes", env={"KOPS_SMTP_PASSWORD": secret}, ok=False
        )
    assert "non-ASCII characters" in result.stderr
    assert secret not in result.stderr + result.stdout


def read_sheet(cli: Cli, run_id: str, ws: Workspace) -> list[dict[str, object]]:
    """The run's ``mail status RUN --out`` workbook read back: a row per person."""
    from openpyxl import load_workbook

    path = ws.root / "status.xlsx"
    cli("mail", "status", run_id, "--out", str(path))
    rows = list(load_workbook(path, read_only=True).worksheets[0].values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_connection_lost_after_data_is_unknown_and_not_resent(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        server.handler.faults.drop_after_data = {3}
        cli("mail", "send", *SEGMENT, "--yes")
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
        assert got == Counter({a: 1 for a in expected})  # the third was received before the drop
        assert states(sample_copy)["sending"] == 1  # … but kops can't know: unknown
        status = cli("mail", "status", RUN, "--format", "csv").stdout
        assert ",unknown,1," in status  # stored as it is, for machines
        assert ",unknown: connection lost after the message was sent: " in status
        # As the secretariat reads it: the state, why, and what to do.
        shown = cli("mail", "status", RUN, env={"KOPS_LANG": "ja", "COLUMNS": "400"}).stdout
        assert "結果不明（届いたかもしれません） │    1 │" in shown
        assert "│ メールを渡した後に接続が切れました: " in shown
        assert "1件は届いたかもしれません" in shown and "--retry-unknown" in shown
        assert not any(word in shown for word in ("│ unknown", "unknown:", "user_id", "attempts"))
        sheet = read_sheet(cli, RUN, sample_copy)
        row = next(r for r in sheet if r["状態"] == "結果不明（届いたかもしれません）")
        assert str(row["エラー"]).startswith("メールを渡した後に接続が切れました: ")
        cli("mail", "send", *SEGMENT, "--yes")
        assert len(server.handler.received) == len(expected)  # not resent without --retry-unknown


@pytest.mark.parametrize(
    "stored, said",
    [
        (
            "unknown: connection lost after the message was sent: timed out",
            "メールを渡した後に接続が切れました: timed out",
        ),
        (
            "connection lost before the message was sent: [Errno 111] Connection refused",
            "メールを渡す前に接続が切れました: [Errno 111] Connection refused",
        ),
        (
            "sender refused: 553 5.7.1 not yours",
            "サーバーが差出人を拒否しました: 553 5.7.1 not yours",
        ),
        ("451 4.3.0 try later (RCPT TO)", "451 4.3.0 try later（宛先の指定）"),
        ("452 4.3.1 full (after DATA)", "452 4.3.1 full（本文の送信後）"),
        (
            "suppression list: bounced: 5.1.1 no such user",
            "配信停止リスト: 不達: 5.1.1 no such user",
        ),
        ("on leave (latest snapshot)", "休職・休業中（最新のスナップショット）"),
        ("retired (latest snapshot)", "退職（最新のスナップショット）"),
        ("550 5.1.1 unknown user", "550 5.1.1 unknown user"),  # the server's words, as written
    ],
)
def test_each_stored_error_is_said_in_japanese(
    stored: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kakeai_ops.cli.mail_words import error_words

    monkeypatch.setenv("KOPS_LANG", "ja")
    assert error_words(stored) == said
    monkeypatch.setenv("KOPS_LANG", "en")
    assert error_words(stored) == stored  # stored in English, shown as stored


def test_an_outbox_that_is_a_file_is_said_and_nothing_recorded(sample_copy: Workspace) -> None:
    """outbox/ replaced by a file: a dry run ended in an internal NotADirectoryError."""
    outbox = sample_copy.root / "outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    outbox.write_text("x")
    cli = Cli(sample_copy)
    before = cli("mail", "status", "--format", "json").stdout
    result = cli("mail", "send", "--segment", "no_pair", "--dry-run", ok=False)
    assert result.exit_code == 1 and "Internal error" not in result.stderr, result.stderr
    assert f"{outbox}: a file, not a folder" in result.stderr, result.stderr
    assert "Hint: move or rename that file" in result.stderr
    assert cli("mail", "status", "--format", "json").stdout == before

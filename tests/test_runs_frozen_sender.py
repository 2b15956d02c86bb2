"""A resumed run keeps its sender: From, Reply-To and the envelope sender are frozen
with the plan, like the Subject; an edit of kops.yaml applies to the next run."""

from __future__ import annotations

from email.utils import parseaddr

from conftest import Cli
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT, configure, use_smtp
from smtp_server import SmtpServer


def test_a_resumed_run_keeps_its_from_and_reply_to(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--id", "frozen", "--limit", "2", "--yes")
        first = list(server.handler.received)
        assert len(first) == 2
        configure(
            sample_copy,
            from_name="詐称 事務局",
            from_addr="attacker@evil.example",
            reply_to="collect@evil.example",
            contact="別の連絡先",
        )
        resumed = cli("mail", "send", *SEGMENT, "--id", "frozen", "--yes")
        assert "Resuming run frozen" in resumed.stderr
        later = server.handler.received[2:]
        assert later
        for received in server.handler.received:
            message = received.message
            assert parseaddr(str(message["From"])) == (
                "KAKEAI事務局",
                "kakeai-office@example.co.jp",
            )
            assert parseaddr(str(message["Reply-To"]))[1] == "kakeai-office@example.co.jp"
            assert received.mail_from == "kakeai-office@example.co.jp"
            assert "evil" not in message.as_string()
        # A new run takes the new sender.
        cli("mail", "send", "--segment", "no_pair", "--id", "fresh", "--limit", "1", "--yes")
        fresh = server.handler.received[-1]
        assert parseaddr(str(fresh.message["From"])) == ("詐称 事務局", "attacker@evil.example")
        assert fresh.mail_from == "attacker@evil.example"


def test_a_resumed_outbox_run_keeps_its_sender(sample_copy: Workspace) -> None:
    from email import message_from_bytes, policy

    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--id", "box", "--limit", "1", "--yes")
    configure(sample_copy, from_name="別名", reply_to="other@example.jp")
    cli("mail", "send", *SEGMENT, "--id", "box", "--yes")
    files = sorted(sample_copy.outbox_dir.rglob("*.eml"))
    assert len(files) > 1
    for path in files:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert parseaddr(str(message["From"]))[0] == "KAKEAI事務局"
        assert parseaddr(str(message["Reply-To"]))[1] == "kakeai-office@example.co.jp"

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


def test_the_samples_sender_is_said_before_a_real_run_and_by_status(
    sample_copy: Workspace,
) -> None:
    """`kops init` writes kakeai-office@example.co.jp as sender, reply-to and contact:
    nothing said so, a run by SMTP would go out from it (and a resumed one keep it after
    kops.yaml was put right). It is said before the run is planned, and by `kops status`;
    once they are the secretariat's own, neither says it. The outbox is no sending."""
    cli = Cli(sample_copy)
    sample = "mail.from_addr・mail.reply_to・mail.contact in kops.yaml still hold the sample"
    assert sample in " ".join(cli("status").stderr.split())
    rehearsal = cli("mail", "send", *SEGMENT, "--id", "outbox", "--limit", "1", "--yes")
    assert sample not in " ".join(rehearsal.stderr.split())
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        said = cli("mail", "send", *SEGMENT, "--id", "first", "--limit", "1", "--yes")
        assert sample in " ".join(said.stderr.split())
        dry = cli("mail", "send", *SEGMENT, "--id", "dry", "--dry-run")
        assert sample not in " ".join(dry.stderr.split())  # nothing goes out
        configure(
            sample_copy,
            from_addr="jinji-1on1@sample-seisakusho.example",
            reply_to="jinji-1on1@sample-seisakusho.example",
            contact="人事部 1on1 事務局（内線 2345）",
        )
        said = cli("mail", "send", *SEGMENT, "--id", "second", "--limit", "1", "--yes")
        assert "still hold the sample" not in said.stderr
        assert "still hold the sample" not in cli("status").stderr


def test_a_rehearsal_planned_with_the_samples_sender_says_so_when_it_is_sent(
    sample_copy: Workspace,
) -> None:
    """Rehearsed in the outbox before kops.yaml had the secretariat's sender, then sent by
    SMTP once it had: the run sends what it planned, from the sample's address, and says
    so (and how to send from the new one)."""
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--id", "rehearsed", "--limit", "1", "--yes")  # outbox
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        configure(sample_copy, from_addr="jinji-1on1@sample-seisakusho.example")
        said = cli("mail", "send", *SEGMENT, "--id", "rehearsed", "--limit", "1", "--yes")
        text = " ".join(said.stderr.split())
        assert "planned with the sample's sender kakeai-office@example.co.jp" in text
        assert server.handler.received[0].mail_from == "kakeai-office@example.co.jp"
        fresh = cli("mail", "send", *SEGMENT, "--id", "fresh", "--limit", "1", "--yes")
        assert "planned with the sample's sender" not in fresh.stderr
        assert server.handler.received[-1].mail_from == "jinji-1on1@sample-seisakusho.example"

"""mail.transport: graph — sendMail against a local HTTPS server: once each, Retry-After honoured."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from graph_server import GraphServer
from kakeai_ops.config import load_settings
from kakeai_ops.mail.graph import GraphTransport
from kakeai_ops.mail.plan import Plan, PlannedMessage, load_plan
from kakeai_ops.mail.send import Sender, SendReport
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, PinnedTime, configure, reachable, states
from token_broker import broker

MAILBOX = "kakeai-office@example.co.jp"


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with GraphServer(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        yield server


def use_graph(ws: Workspace, server: GraphServer, command: list[str]) -> None:
    configure(
        ws,
        transport="graph",
        graph={"endpoint": server.endpoint, "mailbox": None, "timeout": 5},
        smtp={
            "user": MAILBOX,
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": command},
        },
        rate_per_minute=60000,
        retry_base_seconds=0.01,
        retry_max_seconds=0.05,
        max_retries=3,
        pause_after_failures=6,
    )


@dataclass
class PinnedSend:
    """The run's first pending message, ready to send through Graph on pinned time."""

    sender: Sender
    plan: Plan
    first: PlannedMessage
    ledger: Ledger
    time: PinnedTime

    def send_first(self) -> SendReport:
        return self.sender.send(self.plan, [self.first])

    def row(self) -> Any:
        return self.ledger.frame(RUN).set_index("item").loc[self.first.item]


def one_sent_through_graph(ws: Workspace, graph: GraphServer, tmp_path: Path) -> None:
    """A run planned and its first message sent, the token command good for two sign-ins."""
    graph.state.tokens = {"t"}
    use_graph(ws, graph, broker(tmp_path, "t", "t"))
    Cli(ws)("mail", "send", *SEGMENT, "--limit", "1", "--yes")


@contextmanager
def pinned_sender(ws: Workspace) -> Iterator[PinnedSend]:
    settings = load_settings(ws.config_path)
    time = PinnedTime(now=0.0)
    ledger = Ledger(ws)
    try:
        sender = Sender(
            ws, settings, ledger, GraphTransport(settings.mail), sleep=time.sleep, clock=time.clock
        )
        plan = load_plan(ws, RUN)
        yield PinnedSend(sender, plan, sender.pending(plan, False)[0], ledger, time)
    finally:
        ledger.close()


def test_send_delivers_every_message_once_through_graph_across_throttling_and_a_new_token(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    graph.state.tokens = {"graph-token-1", "graph-token-2"}
    use_graph(sample_copy, graph, broker(tmp_path, "graph-token-1", "graph-token-2"))
    # Throttled once (429, Retry-After: 1), then the first token stops being accepted.
    graph.state.answers = [(429, {"Retry-After": "1"})]
    result = cli("mail", "send", *SEGMENT, "--limit", "3", "--yes")
    graph.state.tokens.discard("graph-token-1")
    cli("mail", "send", *SEGMENT, "--yes")
    sent = graph.state.sent
    assert Counter(s.to for s in sent) == Counter({a: 1 for a in expected})
    assert states(sample_copy) == Counter({"sent": len(expected)})
    assert {s.mailbox for s in sent} == {MAILBOX}
    assert [s.token for s in sent][:3] == ["graph-token-1"] * 3
    assert set(s.token for s in sent[3:]) == {"graph-token-2"}
    # The message kops built is the one delivered: its Message-ID is the ledger's.
    ledger = Ledger(sample_copy)
    try:
        ids = {r.email: r.message_id for r in ledger.rows(RUN)}
    finally:
        ledger.close()
    assert all(str(s.message["Message-ID"]) == ids[s.to] for s in sent)
    assert "graph-token" not in result.stdout + result.stderr


def test_retry_after_sets_the_wait(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    one_sent_through_graph(sample_copy, graph, tmp_path)
    graph.state.answers = [(429, {"Retry-After": "7"}), (503, {"Retry-After": "3"}), (502, {})]
    with pinned_sender(sample_copy) as run:
        report = run.send_first()
        row = run.row()
    retries = [w for w in run.time.waits if w >= 0.01]
    assert retries[:3] == [7.0, 3.0, 0.04]  # Retry-After, Retry-After, then the own backoff
    assert report.outcomes == Counter({"sent": 1}) and row["attempts"] == 4
    assert [s.to for s in graph.state.sent][-1] == run.first.email


def test_no_permission_stops_the_run_with_the_next_step_in_japanese(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    graph.state.tokens = {"t"}
    graph.state.forbidden = True
    use_graph(sample_copy, graph, broker(tmp_path, "t", "t"))
    result = cli("mail", "send", *SEGMENT, "--yes", ok=False)
    assert result.exit_code == 1
    assert "403 ErrorAccessDenied" in result.stderr and "Mail.Send" in result.stderr
    assert graph.state.sent == [] and set(states(sample_copy)) == {"planned"}
    japanese = cli("mail", "send", *SEGMENT, "--yes", ok=False, env={"KOPS_LANG": "ja"})
    said = japanese.stderr.replace("\n", "")
    assert "このメールボックスから送信する権限がありません" in said and "Mail.Send" in said
    assert "no permission" not in said


def test_a_refused_recipient_is_perm_failed_and_a_lost_answer_is_unknown(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    expected = sorted(reachable(cli))
    graph.state.tokens = {"t"}
    graph.state.reject = {expected[0]}
    graph.state.drop_after = {3}
    use_graph(sample_copy, graph, broker(tmp_path, "t", "t", "t"))
    cli("mail", "send", *SEGMENT, "--yes")
    counts = states(sample_copy)
    assert counts["perm_failed"] == 1 and counts["sending"] == 1  # 'sending' = unknown
    assert counts["sent"] == len(expected) - 2
    # The lost answer's message was taken once and is not sent again by a plain resume.
    cli("mail", "send", *SEGMENT, "--yes")
    assert Counter(s.to for s in graph.state.sent).most_common(1)[0][1] == 1
    suppressed = cli("mail", "suppressed", "--format", "csv").stdout
    assert expected[0] in suppressed and "ErrorInvalidRecipients" in suppressed


def test_mail_check_for_graph_gets_a_token_and_sends_nothing(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    graph.state.tokens = {"t"}
    use_graph(sample_copy, graph, broker(tmp_path, "t", "t"))
    result = cli("mail", "check")
    assert "Microsoft Graph" in result.stdout and "Got an access token" in result.stdout
    assert graph.state.requests == 0
    tested = cli("mail", "check", "--to-test", "tester@example.co.jp")
    assert [s.to for s in graph.state.sent] == ["tester@example.co.jp"]
    assert "Sent a test mail to tester@example.co.jp" in tested.stdout


def test_a_long_retry_after_pauses_the_run_instead_of_holding_it(
    sample_copy: Workspace, graph: GraphServer, tmp_path: Path
) -> None:
    from kakeai_ops.mail.send import Paused

    one_sent_through_graph(sample_copy, graph, tmp_path)
    graph.state.answers = [(429, {"Retry-After": "3600"})]
    with pinned_sender(sample_copy) as run:
        with pytest.raises(Paused, match="wait 3,600 s"):
            run.send_first()
        row = run.row()
    assert max(run.time.waits, default=0) < 600
    assert row["state"] == "temp_failed"  # resumed by the same command later


def test_retry_after_as_an_http_date() -> None:
    import datetime as dt
    from email.utils import format_datetime

    from kakeai_ops.clock import now
    from kakeai_ops.mail.graph import _retry_after

    later = format_datetime((now() + dt.timedelta(seconds=120)).astimezone(dt.UTC), usegmt=True)
    assert 115 <= (_retry_after({"retry-after": later}) or 0) <= 120
    assert _retry_after({"Retry-After": "soon"}) is None and _retry_after({}) is None


def test_a_plain_http_endpoint_is_refused_before_any_token_is_fetched(tmp_path: Path) -> None:
    from kakeai_ops.config import Mail
    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.transport import FatalFailure

    mail = Mail(
        transport="graph",
        graph={"endpoint": "http://graph.example.co.jp/v1.0"},
        smtp={
            "user": MAILBOX,
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": "x"},
        },
    )
    tokens = CommandToken(broker(tmp_path, "never-used"), 5)
    with pytest.raises(FatalFailure, match="not https"):
        GraphTransport(mail, tokens).open()
    assert tokens.runs == 0

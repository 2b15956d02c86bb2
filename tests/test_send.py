"""Sending a planned run: retries with backoff, pauses, the send-time checks, the rate."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.config import Mail, load_settings
from kakeai_ops.mail.plan import load_plan
from kakeai_ops.mail.send import Paused, Sender, backoff_seconds
from kakeai_ops.mail.transport import OutboxTransport, SmtpTransport
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, PinnedTime, configure, reachable, states, use_smtp
from smtp_server import SmtpServer


def test_backoff_doubles_up_to_the_maximum() -> None:
    mail = Mail(retry_base_seconds=2.0, retry_max_seconds=10.0)
    assert [backoff_seconds(mail, attempt) for attempt in range(1, 6)] == [2, 4, 8, 10, 10]


def smtp_sender(ws: Workspace, time: PinnedTime, ledger: Ledger) -> Sender:
    settings = load_settings(ws.config_path)
    transport = SmtpTransport(settings.mail.smtp, settings.mail.from_addr)
    return Sender(ws, settings, ledger, transport, sleep=time.sleep, clock=time.clock)


def test_temporary_failures_are_retried_after_growing_waits(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        configure(sample_copy, retry_base_seconds=1.0, retry_max_seconds=3.0, max_retries=3)
        cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
        server.handler.faults.temp_rcpt = 3  # 451 three times, then accepted
        time = PinnedTime()
        ledger = Ledger(sample_copy)
        try:
            sender = smtp_sender(sample_copy, time, ledger)
            said: list[str] = []
            sender.on_wait = said.append
            plan = load_plan(sample_copy, RUN)
            first = sender.pending(plan, False)[0]
            report = sender.send(plan, [first])
            row = ledger.frame(RUN).set_index("item").loc[first.item]
        finally:
            ledger.close()
        assert time.waits == [1.0, 2.0, 3.0]
        # Each wait is said before it is waited (it was a silent minute).
        assert [line.split(": trying again in ")[1] for line in said] == ["1 s", "2 s", "3 s"]
        assert report.outcomes == Counter({"sent": 1})
        assert row["state"] == "sent" and row["attempts"] == 4
        assert [r.rcpt_tos for r in server.handler.received[1:]] == [[first.email]]


def test_too_many_failures_in_a_row_pause_the_run(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        configure(sample_copy, max_retries=1, pause_after_failures=3)
        cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
        server.handler.faults.temp_mail = 100
        time = PinnedTime()
        ledger = Ledger(sample_copy)
        try:
            sender = smtp_sender(sample_copy, time, ledger)
            plan = load_plan(sample_copy, RUN)
            with pytest.raises(Paused, match="3 temporary failures in a row"):
                sender.send(plan, sender.pending(plan, False))
        finally:
            ledger.close()
    # Two messages tried: the first gave up after 1 + 1 attempts, the second paused the run.
    assert states(sample_copy)["temp_failed"] == 2 and states(sample_copy)["sent"] == 1


def test_temporary_failures_are_retried_and_550_is_suppressed(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    expected = sorted(reachable(cli))
    bad = expected[2]
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        server.handler.faults.temp_mail = 2  # 421 twice
        server.handler.faults.temp_rcpt = 2  # then 451 twice: 4 attempts, more than max_retries (3)
        server.handler.faults.reject = {bad}
        server.handler.faults.drop_before_mail = {12}  # the connection drops before one transaction
        first = cli("mail", "send", *SEGMENT, "--yes")
        assert "一時エラー 1件" in first.stderr and "未送信 " in first.stderr
        assert states(sample_copy)["temp_failed"] == 1
        cli("mail", "send", *SEGMENT, "--yes")  # the same command retries what is left
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert got == Counter({a: 1 for a in expected if a != bad})
    counts = states(sample_copy)
    assert counts["sent"] == len(expected) - 1 and counts["perm_failed"] == 1
    status = cli("mail", "status", RUN, "--format", "csv").stdout
    failed = [r for r in csv.DictReader(io.StringIO(status)) if r["state"] == "perm_failed"]
    assert failed[0]["email"] == bad and "550" in failed[0]["error"]
    assert bad in cli("mail", "suppressed", "--format", "csv").stdout  # never mailed again


def test_pause_after_consecutive_failures_then_resume(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        server.handler.faults.temp_mail = 100  # the server is down for a while
        paused = cli("mail", "send", *SEGMENT, "--yes", ok=False, env={"KOPS_LANG": "ja"})
        assert paused.exit_code == 1
        said = paused.stderr.replace("\n", "")
        assert "一時的な失敗が 6 回続きました" in said and "一時停止しました" in said
        assert "同じコマンドをもう一度実行すると再開します" in said and "in a row" not in said
        assert server.handler.received == []
        server.handler.faults.temp_mail = 0  # back up
        resumed = cli("mail", "send", *SEGMENT, "--yes")
        assert "Resuming run" in resumed.stderr
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert got == Counter({a: 1 for a in expected})


def test_suppressed_and_capped_get_nothing(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    expected = sorted(reachable(cli))
    cli("mail", "suppress", expected[0].upper(), "--reason", "配信不要の返信")
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        result = cli("mail", "send", *SEGMENT, "--yes")
        assert "送らない人（配信停止リスト）: 1人" in result.stderr
        # Two nudges to the same people within 14 days reach the cap.
        cli("mail", "send", *SEGMENT, "--id", "second-nudge", "--yes")
        third = cli("mail", "send", *SEGMENT, "--id", "third-nudge", "--yes")
        assert f"後日送信 {len(expected) - 1:,}件" in third.stderr
        assert states(sample_copy, "third-nudge") == Counter({"deferred": len(expected) - 1})
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert expected[0] not in got
    assert set(got.values()) == {2}
    cli("mail", "unsuppress", expected[0])
    assert expected[0] not in cli("mail", "suppressed", "--format", "csv").stdout


def test_send_window_pauses_outside_business_hours(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    configure(
        sample_copy,
        send_window={"enabled": True, "start_hour": 9, "end_hour": 17, "business_days_only": True},
    )
    sunday = cli(
        "mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-22T10:00:00+09:00"}, ok=False
    )
    assert "outside the send window" in sunday.stderr
    # 11-23 is a holiday (勤労感謝の日): the window opens again on the 24th.
    assert "deferred until 2026-11-24" in sunday.stderr
    assert states(sample_copy)["deferred"] == len(reachable(cli))
    evening = cli(
        "mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-24T18:30:00+09:00"}, ok=False
    )
    assert "outside the send window" in evening.stderr
    assert "deferred until 2026-11-25" in evening.stderr
    assert states(sample_copy)["written"] == 0
    cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-25T10:00:00+09:00"})
    assert states(sample_copy) == Counter({"written": len(reachable(cli))})


def test_rate_limit_spaces_messages(sample_copy: Workspace) -> None:
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.plan import load_plan
    from kakeai_ops.mail.send import Sender

    cli = Cli(sample_copy)
    configure(sample_copy, rate_per_minute=6)  # one message every 10 s
    cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
    waits: list[float] = []
    clock = [1000.0]

    def sleep(seconds: float) -> None:  # the pinned clock: sleeping moves it on
        waits.append(seconds)
        clock[0] += seconds

    class Throttled(OutboxTransport):
        throttled = True  # as the SMTP transport is

    ledger = Ledger(sample_copy)
    try:
        sender = Sender(
            sample_copy,
            load_settings(sample_copy.config_path),
            ledger,
            Throttled(sample_copy.outbox_dir / "x"),
            sleep=sleep,
            clock=lambda: clock[0],
        )
        plan = load_plan(sample_copy, RUN)
        sender.send(plan, sender.pending(plan, False)[:4])
    finally:
        ledger.close()
    assert waits == [10.0, 10.0, 10.0]


def test_leave_is_checked_again_when_a_run_resumes(sample_copy: Workspace, tmp_path: Path) -> None:
    """Planned in November, resumed after an export that puts one recipient on leave."""
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
    ledger = Ledger(sample_copy)
    try:
        pending = ledger.rows(RUN, ["planned"])
    finally:
        ledger.close()
    away = pending[0].user_id
    import pandas as pd

    from kakeai_ops.store import latest_snapshot, load_tables

    users = load_tables(latest_snapshot(sample_copy)).users  # type: ignore[arg-type]
    export = users.rename(
        columns={
            "user_id": "ユーザーID",
            "name": "氏名",
            "email": "メールアドレス",
            "division": "事業部",
            "department": "部署",
            "employment": "在籍状況",
            "last_login_at": "最終ログイン日時",
        }
    )
    export = export[
        ["ユーザーID", "氏名", "メールアドレス", "事業部", "部署", "在籍状況", "最終ログイン日時"]
    ].copy()
    export.loc[export["ユーザーID"] == away, "在籍状況"] = "休職"
    export["最終ログイン日時"] = (
        pd.to_datetime(export["最終ログイン日時"]).dt.strftime("%Y-%m-%d %H:%M").fillna("")
    )
    path = tmp_path / "users-later.csv"
    export.to_csv(path, index=False, encoding="utf-8-sig")
    cli("ingest", str(path))
    cli("mail", "send", *SEGMENT, "--yes")
    final = Ledger(sample_copy)
    try:
        row = next(r for r in final.rows(RUN) if r.user_id == away)
    finally:
        final.close()
    assert row.state == "suppressed" and "on leave" in (row.error or "")


def test_a_server_that_refuses_the_connection_is_said_before_each_wait(
    sample_copy: Workspace,
) -> None:
    """Connection refused: a minute of retries went by in silence before 「ポートを確認して
    ください」. Each wait is said, with the attempt."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(
        sample_copy,
        transport="smtp",
        smtp={"host": "127.0.0.1", "port": port, "security": "none", "user": None, "timeout": 5},
        retry_base_seconds=0.01,
        retry_max_seconds=0.02,
        max_retries=2,
    )
    result = Cli(sample_copy)("mail", "send", *SEGMENT, "--yes", ok=False)
    lines = [x for x in result.stderr.splitlines() if "trying again in" in x]
    assert len(lines) == 2 and "cannot reach the mail server" in lines[0]
    assert "(1 of 2)" in lines[0] and "(2 of 2)" in lines[1]

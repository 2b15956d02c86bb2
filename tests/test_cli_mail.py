"""kops mail against a real SMTP server on 127.0.0.1, with faults injected."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Cli
from kakeai_ops.mail.ledger import Ledger
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer

SEGMENT = ["--segment", "no_prep", "--role", "member"]
RUN = "no_prep.member-2026-11"


def configure(ws: Workspace, **mail: Any) -> None:
    data = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    data["mail"].update(mail)
    ws.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def use_smtp(ws: Workspace, server: SmtpServer, user: str | None = None, **extra: Any) -> None:
    configure(
        ws,
        transport="smtp",
        smtp={
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "user": user,
            "timeout": 5,
        },
        rate_per_minute=60000,
        retry_base_seconds=0.01,
        retry_max_seconds=0.05,
        max_retries=3,
        pause_after_failures=6,
        **extra,
    )


def audience(cli: Cli, *args: str) -> list[dict[str, str]]:
    rows = list(
        csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv", *args).stdout))
    )
    return rows


def reachable(cli: Cli) -> set[str]:
    rows = audience(cli, "--stuck-point", "no_prep", "--role", "member")
    return {r["email"] for r in rows if r["email"] and r["employment"] in ("在籍",)}


def states(ws: Workspace, run: str = RUN) -> Counter[str]:
    ledger = Ledger(ws)
    try:
        return Counter(row.state for row in ledger.rows(run))
    finally:
        ledger.close()


def test_send_delivers_japanese_mail_once_each(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        result = cli("mail", "send", *SEGMENT, "--yes")
        assert f"Run {RUN}: this time sent {len(expected)}" in result.stderr
        received = server.handler.received
        assert Counter(a for r in received for a in r.rcpt_tos) == Counter({a: 1 for a in expected})
        message = received[0].message
        assert str(message["Subject"]).startswith(
            "【KAKEAI事務局】1on1 の前に「トピック」と「対応」"
        )
        assert message["From"].addresses[0].display_name == "KAKEAI事務局"
        to = message["To"].addresses[0]
        assert to.addr_spec == received[0].rcpt_tos[0] and to.display_name
        assert message.get_content_charset() == "utf-8"
        body = message.get_content()
        assert body.startswith(f"{to.display_name} 様")
        ids = [r.message["Message-ID"] for r in received]
        assert len(set(ids)) == len(ids)
        # The same command again sends nothing more.
        again = cli("mail", "send", *SEGMENT, "--yes")
        assert "Nothing left to send" in again.stderr
        assert len(server.handler.received) == len(expected)
        assert server.handler.connections == 1  # one login per run
    assert states(sample_copy) == Counter({"sent": len(expected)})


def test_temporary_failures_are_retried_and_550_is_suppressed(sample_copy: Workspace) -> None:
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
        assert "temp_failed 1" in first.stderr and "still pending" in first.stderr
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
        paused = cli("mail", "send", *SEGMENT, "--yes", ok=False)
        assert paused.exit_code == 1
        assert (
            "6 temporary failures in a row" in paused.stderr
            and "run the same command again" in paused.stderr
        )
        assert server.handler.received == []
        server.handler.faults.temp_mail = 0  # back up
        resumed = cli("mail", "send", *SEGMENT, "--yes")
        assert "Resuming run" in resumed.stderr
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert got == Counter({a: 1 for a in expected})


def test_connection_lost_after_data_is_unknown_and_not_resent(sample_copy: Workspace) -> None:
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
        assert "unknown" in status
        cli("mail", "send", *SEGMENT, "--yes")
        assert len(server.handler.received) == len(expected)  # not resent without --retry-unknown


def test_killed_mid_run_then_resumed(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        server.handler.faults.stall_after_data = {
            4
        }  # the 4th reply never comes: kops is killed waiting
        env = {**os.environ, "KOPS_WORKSPACE": str(sample_copy.root), "KOPS_QUIET": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "kakeai_ops", "mail", "send", *SEGMENT, "--yes"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(server.handler.received) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.handler.received) == 4
        process.kill()
        process.wait(timeout=30)
        counts = states(sample_copy)
        assert counts["sent"] == 3 and counts["sending"] == 1
        server.handler.faults.stall_after_data = set()
        cli("mail", "send", *SEGMENT, "--yes")
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert got == Counter({a: 1 for a in expected})
    final = states(sample_copy)
    assert final["sent"] == len(expected) - 1 and final["sending"] == 1


def test_suppressed_and_capped_get_nothing(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = sorted(reachable(cli))
    cli("mail", "suppress", expected[0].upper(), "--reason", "配信不要の返信")
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        result = cli("mail", "send", *SEGMENT, "--yes")
        assert "left out, 配信停止リスト (suppressed): 1" in result.stderr
        # Two nudges to the same people within 14 days reach the cap.
        cli("mail", "send", *SEGMENT, "--id", "second-nudge", "--yes")
        third = cli("mail", "send", *SEGMENT, "--id", "third-nudge", "--yes", ok=False)
        assert "frequency_cap" in third.stderr and "nothing to send" in third.stderr
        got = Counter(a for r in server.handler.received for a in r.rcpt_tos)
    assert expected[0] not in got
    assert set(got.values()) == {2}
    cli("mail", "unsuppress", expected[0])
    assert expected[0] not in cli("mail", "suppressed", "--format", "csv").stdout


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


def test_not_interactive_without_yes_refuses(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)("mail", "send", *SEGMENT, ok=False)
    assert result.exit_code == 1 and "not sending without confirmation" in result.stderr
    assert states(sample_copy) == Counter()


def test_dry_run_writes_eml_and_records_nothing(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    result = cli("mail", "send", *SEGMENT, "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    files = sorted(folder.glob("*.eml"))
    assert len(files) == len(expected)
    from email import message_from_bytes, policy

    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec in expected
    assert "nothing was sent or recorded" in result.stderr
    assert states(sample_copy) == Counter()


def test_to_test_sends_everything_to_the_tester_apart_from_the_ledger(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--to-test", "tester@example.jp", "--limit", "3", "--yes")
        assert len(server.handler.received) == 3
        assert {a for r in server.handler.received for a in r.rcpt_tos} == {"tester@example.jp"}
        assert str(server.handler.received[0].message["Subject"]).startswith(
            "[TEST] 【KAKEAI事務局】"
        )
    assert states(sample_copy) == Counter()
    ledger = Ledger(sample_copy)
    try:
        assert len(ledger.test_log(RUN)) == 3
    finally:
        ledger.close()


def test_limit_and_holdout(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--holdout", "30", "--limit", "2", "--yes")
        assert len(server.handler.received) == 2
        counts = states(sample_copy)
        assert counts["holdout"] > 0 and counts["sent"] == 2
        cli("mail", "send", *SEGMENT, "--holdout", "30", "--yes")  # same options: resumes
        final = states(sample_copy)
        assert final["sent"] + final["holdout"] == sum(final.values())
        held = {row.email for row in Ledger(sample_copy).rows(RUN, ["holdout"])}
        assert not held & {a for r in server.handler.received for a in r.rcpt_tos}


def test_preview_shows_the_message_as_sent(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    rows = audience(cli, "--stuck-point", "no_recurrence")
    target = next(r for r in rows if r["email"])
    text = cli("mail", "preview", "--segment", "no_recurrence", "--user", target["user_id"]).stdout
    assert f"To: {target['name']} <{target['email']}>" in text
    assert "From: KAKEAI事務局 <kakeai-office@example.co.jp>" in text
    assert "Subject: 【KAKEAI事務局】1on1 の「繰り返し設定」" in text
    assert f"{target['name']} 様" in text and "繰り返し設定" in text


def test_milestones_and_awards_are_delivered_once(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    due = list(csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout)))
    cli("mail", "send", "--milestones", "--yes")
    again = list(
        csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout))
    )
    delivered = {(r["user_id"], r["role"]) for r in due} - {
        (r["user_id"], r["role"]) for r in again
    }
    assert delivered and len(again) < len(due)
    outbox = outbox_folder(sample_copy, "milestones-2026-11")
    assert len(list(outbox.glob("*.eml"))) == len(delivered)
    cli("campaign", "award", "exec-1on1-2026h2")
    result = cli("mail", "send", "--awarded", "exec-1on1-2026h2", "--yes")
    assert "campaign.awarded" in result.stderr
    files = list(outbox_folder(sample_copy, "campaign.awarded-exec-1on1-2026h2").glob("*.eml"))
    assert files
    from email import message_from_bytes, policy

    body = message_from_bytes(files[0].read_bytes(), policy=policy.default).get_content()
    assert "経営層との1on1権" in body and "2026年" in body


def test_report_compares_mailed_and_holdout(tmp_path: Path, sample_copy: Workspace) -> None:
    """Mail on the October snapshot, then measure on November's."""
    import shutil

    from kakeai_ops.store import list_snapshots

    cli = Cli(sample_copy)
    # Rebuild a workspace whose latest snapshot is October's.
    october = tmp_path / "oct"
    shutil.copytree(sample_copy.root, october)
    shutil.rmtree(list_snapshots(Workspace(october))[-1].path)
    octo = Cli(Workspace(october))
    run = "no_rating-october"
    octo("mail", "send", "--segment", "no_rating", "--holdout", "30", "--id", run, "--yes")
    from conftest import SAMPLE

    octo("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    rows = list(csv.DictReader(io.StringIO(octo("mail", "report", run, "--format", "csv").stdout)))
    groups = {r["group"]: r for r in rows}
    assert set(groups) == {"mailed", "holdout"}
    assert int(groups["mailed"]["users"]) > 0 and int(groups["holdout"]["users"]) > 0
    assert 0 <= float(groups["mailed"]["share_left"]) <= 1
    assert round(float(groups["mailed"]["share_left"]), 2) == float(groups["mailed"]["share_left"])
    text = octo("mail", "report", run).stdout
    assert "difference (mailed − holdout)" in text
    # A holdout smaller than min_group: its outcome is hidden, and so is the
    # difference that would give it back.
    import yaml

    small = int(groups["holdout"]["in_snapshot"]) + 1
    assert small <= int(groups["mailed"]["in_snapshot"])
    config = Workspace(october).config_path
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.setdefault("privacy", {})["min_group"] = small
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(octo("mail", "report", run, "--format", "csv").stdout)))
    hidden = {r["group"]: r for r in rows}["holdout"]
    assert hidden["share_left"] == hidden["left_stuck_point"] == f"<{small}"
    assert {r["group"]: r for r in rows}["mailed"]["share_left"] != f"<{small}"
    text = octo("mail", "report", run).stdout
    assert "difference (mailed − holdout)" not in text and "not shown" in text
    del cli


def test_unknown_run_and_bad_audience(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    assert "no mail run 'nope'" in cli("mail", "status", "nope", ok=False).stderr
    both = cli("mail", "send", "--segment", "no_prep", "--milestones", "--dry-run", ok=False)
    assert "exactly one of" in both.stderr
    none = cli("mail", "send", "--dry-run", ok=False)
    assert "exactly one of" in none.stderr
    wrong = cli("mail", "send", "--segment", "lazy", "--dry-run", ok=False)
    assert "unknown stuck point 'lazy'" in wrong.stderr


@pytest.mark.parametrize(
    "content", ["user_id\n000120\n000999\n", "メールアドレス\nnobody@example.jp\n"]
)
def test_users_file_errors_name_the_row(sample_ws: Workspace, tmp_path: Path, content: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    result = Cli(sample_ws)(
        "mail", "send", "--users", str(path), "--template", "no_pair", "--dry-run", ok=False
    )
    assert (
        "list.csv:3: user_id: is not in users ('000999')" in result.stderr
        or "list.csv:2: メールアドレス: no user has this email" in result.stderr
    )


def test_plan_records_nothing(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)("mail", "plan", *SEGMENT, "--holdout", "10")
    assert (
        f"Run {RUN}" in result.stderr
        and "to send:" in result.stderr
        and "Nothing recorded" in result.stderr
    )
    assert states(sample_copy) == Counter()


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
    evening = cli(
        "mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-24T18:30:00+09:00"}, ok=False
    )
    assert "outside the send window" in evening.stderr
    assert states(sample_copy)["sent"] == 0
    cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-24T10:00:00+09:00"})
    assert states(sample_copy)["planned"] == 0 and states(sample_copy)["sent"] > 0


def test_one_sender_per_run(sample_copy: Workspace) -> None:
    from kakeai_ops.lock import workspace_lock

    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
    with workspace_lock(sample_copy, "kops mail send"):
        blocked = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_LOCK_TIMEOUT": "0"}, ok=False)
    assert blocked.exit_code == 1
    assert (
        f"another kops command is writing to this workspace (pid {os.getpid()}, "
        "command kops mail send, since " in blocked.stderr
    )
    assert states(sample_copy)["sent"] == 1  # nothing more was sent while it was held
    cli("mail", "send", *SEGMENT, "--yes")  # free again


def test_rate_limit_spaces_messages(sample_copy: Workspace) -> None:
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.plan import load_plan
    from kakeai_ops.mail.send import Sender
    from kakeai_ops.mail.transport import OutboxTransport

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

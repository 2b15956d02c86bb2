"""Every run accounts for everyone: outbox rehearsals are `written`, capped people are
`deferred` with the day the same run id reaches them, against a real SMTP server."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from conftest import SAMPLE, Cli
from kakeai_ops.config import parse_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.mail.caps import category
from kakeai_ops.mail.dry_run import TO_SEND
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.store import seminar_attendance
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, configure, reachable, states, use_smtp
from seminar_setup import date_month1
from smtp_server import SmtpServer

NOV = {"KOPS_NOW": "2026-11-24T10:00:00+09:00"}


def delivered(server: SmtpServer) -> Counter[str]:
    return Counter(a for r in server.handler.received for a in r.rcpt_tos)


def test_an_outbox_rehearsal_then_smtp_delivers_every_message_once(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    rehearsal = cli("mail", "send", *SEGMENT, "--yes", env=NOV)
    assert f"this time written {len(expected)}." in rehearsal.stderr
    assert "A rehearsal: nobody received anything" in rehearsal.stderr
    assert states(sample_copy) == Counter({"written": len(expected)})
    # A rehearsal again writes nothing more, and says how to deliver.
    again = cli("mail", "send", *SEGMENT, "--yes", env=NOV)
    assert "set mail.transport to smtp" in again.stderr
    # Two rehearsals under other ids do not use up the cap (2 nudges in 14 days).
    for other in ("rehearsal-2", "rehearsal-3"):
        cli("mail", "send", *SEGMENT, "--id", other, "--yes", env=NOV)
    status = cli("mail", "status", "--format", "csv").stdout
    runs = {r["run_id"]: r for r in csv.DictReader(io.StringIO(status))}
    assert runs[RUN]["written"] == str(len(expected)) and runs[RUN]["sent"] == "0"
    assert runs[RUN]["status"] == "written"
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        real = cli("mail", "send", *SEGMENT, "--yes", env=NOV)
        assert f"this time sent {len(expected)}." in real.stderr
        assert delivered(server) == Counter({a: 1 for a in expected})
        assert "Nothing left to send" in cli("mail", "send", *SEGMENT, "--yes", env=NOV).stderr
        assert len(server.handler.received) == len(expected)
    assert states(sample_copy) == Counter({"sent": len(expected)})
    table = cli("mail", "status", RUN).stdout
    assert "sent" in table and "written" not in table
    # The run's file: one row per person, in the words the table uses.
    from openpyxl import load_workbook

    path = sample_copy.root / "status.xlsx"
    cli("mail", "status", RUN, "--out", str(path))
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert [h for h in header if str(h).isascii()] == ["Message-ID"]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {r["メールアドレス"] for r in records} == expected and len(records) == len(expected)
    assert {r["状態"] for r in records} == {"送信済み"}
    assert {r["種類"] for r in records} == {"促し"}
    # Printed, it says the run's 基準日 as every other file does (the header was blank).
    as_of = next(r for r in csv.DictReader(io.StringIO(status)) if r["run_id"] == RUN)["as_of"]
    sheet = load_workbook(path).worksheets[0]
    assert sheet.oddHeader.center.text == f"基準日 {as_of}" and as_of


def test_capped_people_are_deferred_and_the_same_run_reaches_them_later(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    first = sorted(expected)[: len(expected) // 2]
    with SmtpServer() as server:
        use_smtp(sample_copy, server, frequency_cap={"nudge": {"max": 1, "days": 14}})
        # Half of them had a nudge on 11-20 (another run, another stuck point's mail).
        listed = sample_copy.root / "first.csv"
        listed.write_text("メールアドレス\n" + "\n".join(first) + "\n", encoding="utf-8")
        cli(
            "mail",
            "send",
            "--users",
            str(listed),
            "--template",
            "no_prep.member",
            "--id",
            "earlier",
            "--yes",
            env={"KOPS_NOW": "2026-11-20T10:00:00+09:00"},
        )
        assert delivered(server) == Counter({a: 1 for a in first})
        run = cli("mail", "send", *SEGMENT, "--yes", env=NOV)
        assert f"Held for later: {len(first)}" in run.stderr and "from 2026-12-05" in run.stderr
        assert states(sample_copy) == Counter(
            {"sent": len(expected) - len(first), "deferred": len(first)}
        )
        shown = cli("mail", "status", RUN).stdout
        assert (
            "Sendable from" in shown and "2026-12-05" in shown and "frequency cap (nudge)" in shown
        )
        rows = list(csv.DictReader(io.StringIO(cli("mail", "status", RUN, "-f", "csv").stdout)))
        held = {r["email"]: r["sendable_from"] for r in rows if r["state"] == "deferred"}
        assert held == {a: "2026-12-05" for a in first}
        # Before the day: nothing more goes out, and the run says when.
        early = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-12-04T16:00:00"})
        assert "Nothing left to send" in early.stderr and "from 2026-12-05" in early.stderr
        # On the day, the same command reaches every one of them, once.
        later = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-12-05T09:00:00"})
        assert f"this time sent {len(first)}." in later.stderr
    got = delivered(server)
    assert set(got) == expected
    assert all(got[a] == (2 if a in first else 1) for a in expected)
    assert states(sample_copy) == Counter({"sent": len(expected)})


def test_the_recording_reaches_everyone_its_invitation_reached(october_copy: Workspace) -> None:
    ws = october_copy  # October's export alone ingested
    date_month1(ws)
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # The strictest caps there can be: one mail of each category per 14 days.
    data["mail"]["frequency_cap"] = {
        "nudge": {"max": 1, "days": 14},
        "programme": {"max": 1, "days": 14},
    }
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    cli = Cli(ws)
    with SmtpServer() as server:
        use_smtp(ws, server)
        # A nudge to the same people first: nudges and programme mails are capped apart.
        cli("mail", "send", "--segment", "no_rating", "--yes", env={"KOPS_NOW": "2026-10-20T10:00"})
        nudged = len(server.handler.received)
        cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00"})
        invited = len(server.handler.received) - nudged
        assert invited > nudged > 0
        attendance = SAMPLE / "seminar" / "month1-attendance.csv"
        cli("seminar", "attendance", "month1", str(attendance))
        cli("seminar", "remind", "month1", "--yes", env={"KOPS_NOW": "2026-10-29T10:00"})
        reminded = len(server.handler.received) - nudged - invited
    ledger = Ledger(ws)
    try:
        reached = {r.user_id for r in ledger.rows("seminar.month1-month1", ["sent"])}
    finally:
        ledger.close()
    absent = reached - seminar_attendance(ws, "month1")
    assert len(reached) == invited and 0 < len(absent) == reminded
    assert states(ws, "seminar.recording-month1") == Counter({"sent": len(absent)})


def test_categories() -> None:
    assert category("no_prep.member", "nudge") == "nudge"
    assert category("seminar.month1", "nudge") == "programme"  # a workspace's older template
    assert category("seminar.recording", "nudge") == "programme"
    assert category("milestone.member", "knowledge") == "programme"
    assert category("campaign.winner", "announcement") == "programme"
    assert category("report.advisor", "announcement") is None


def test_caps_per_category_and_the_older_form() -> None:
    cap = parse_settings({}).mail.frequency_cap
    assert (cap.nudge.max, cap.nudge.days) == (2, 14)
    older = parse_settings({"mail": {"frequency_cap": {"max_nudges": 3, "days": 7}}})
    assert (older.mail.frequency_cap.nudge.max, older.mail.frequency_cap.nudge.days) == (3, 7)


@pytest.mark.parametrize(
    ("cap", "key"),
    [
        ({"nudge": {"max": 0, "days": 14}}, "mail.frequency_cap.nudge.max"),
        ({"programme": {"max": 2, "days": -1}}, "mail.frequency_cap.programme.days"),
        ({"nudge": {"max": 2}}, "mail.frequency_cap.nudge.days"),
        ({"max_nudges": 0, "days": 14}, "mail.frequency_cap.nudge.max"),
    ],
)
def test_a_cap_of_zero_or_less_is_refused_naming_the_key(cap: dict, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(KopsError) as raised:
        parse_settings({"mail": {"frequency_cap": cap}})
    assert key in str(raised.value)


def test_a_bad_cap_in_kops_yaml_sends_nothing(sample_copy: Workspace) -> None:
    configure(sample_copy, frequency_cap={"nudge": {"max": 0, "days": 14}})
    result = Cli(sample_copy)("mail", "send", *SEGMENT, "--yes", ok=False)
    assert "mail.frequency_cap.nudge.max: must be a positive integer, got 0" in result.stderr
    assert states(sample_copy) == Counter()


def _capped_after(
    ws: Workspace, sent_days: tuple[str, ...], now: str, then: Callable[[], None] = lambda: None
) -> Any:
    """What the nudge cap holds for the first person of a run at ``now``, after nudges
    sent to them at 10:00 JST on ``sent_days`` by other runs (and ``then``, a change to
    kops.yaml made after the run's first mail)."""
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.caps import capped

    ledger = Ledger(ws)
    try:
        Cli(ws)("mail", "send", *SEGMENT, "--limit", "1", "--yes")
        then()
        settings = load_settings(ws.config_path)
        user = ledger.rows(RUN)[0].user_id
        for number, day in enumerate(sent_days):
            ledger.db.execute(
                "INSERT INTO mail_runs (run_id, description, created_at, created_by, planned,"
                " status) VALUES (?, '{}', ?, 'me', 1, 'done')",
                (f"old-{number}", day),
            )
            ledger.db.execute(
                "INSERT INTO mail_ledger (run_id, item, user_id, email, name, template, kind,"
                " state, message_id, updated_at, sent_at)"
                " VALUES (?, ?, ?, 'a@example.jp', 'a', 'lapsed.member', 'nudge', 'sent',"
                " 'm', ?, ?)",
                (f"old-{number}", user, user, day, f"{day}T10:00:00+09:00"),
            )
        moment = dt.datetime.fromisoformat(now)
        return capped(settings, ledger, RUN, None, user, "no_prep.member", "nudge", moment)
    finally:
        ledger.close()


def test_the_deferred_day_follows_the_oldest_mail_that_must_leave(sample_copy: Workspace) -> None:
    """Two nudges allowed: with three in the window, the second-oldest must leave too."""
    held = _capped_after(
        sample_copy, ("2026-11-01", "2026-11-05", "2026-11-09"), "2026-11-10T10:00:00+09:00"
    )
    assert held is not None and held.sendable_from == dt.date(2026, 11, 20)
    assert held.reason == "frequency cap (nudge): 3 促しメール in 14 days"


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # Business days only: not the day after the cap (12/31, a company holiday), but
        # the first day the window opens, Monday 2027-01-04.
        ({"enabled": True, "business_days_only": True}, dt.date(2027, 1, 4)),
        # Any day: the day after the cap is the day.
        ({"enabled": False}, dt.date(2026, 12, 31)),
    ],
)
def test_the_deferred_day_is_a_day_the_send_window_opens(
    sample_copy: Workspace, window: dict[str, Any], expected: dt.date
) -> None:

    def year_end() -> None:
        data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
        data.setdefault("calendar", {})["company_holidays"] = ["2026-12-29..2027-01-03"]
        sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        configure(sample_copy, send_window=window)

    # Two in 14 days: the second-oldest (12/16 10:00) leaves the window on 12/30 10:00.
    held = _capped_after(
        sample_copy,
        ("2026-12-15", "2026-12-16", "2026-12-17"),
        "2026-12-18T10:00:00+09:00",
        year_end,
    )
    assert held is not None and held.sendable_from == expected


def _run_printed(cli: Cli, stderr: str, env: dict[str, str] | None = None) -> Any:
    """Run the command a dry run printed after 'To send: ', exactly as printed."""
    import shlex

    line = next(x for x in stderr.splitlines() if x.startswith(TO_SEND))
    words = shlex.split(line.removeprefix(TO_SEND))
    assert words[0] == "kops"
    return cli(*words[1:], env=env)


def test_the_dry_run_prints_the_command_that_succeeds(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    dry = cli("mail", "send", *SEGMENT, "--holdout", "30", "--dry-run", env=NOV)
    assert (
        "To send: kops mail send --segment no_prep --role member --holdout 30 "
        f"--id {RUN} --yes" in dry.stderr
    )
    assert "Run no_prep.member-2026-11: new" in dry.stderr
    assert "outbox: only writes files, nobody receives anything" in dry.stderr
    assert states(sample_copy) == Counter()
    real = _run_printed(cli, dry.stderr, env=NOV)
    assert "this time written" in real.stderr
    got = states(sample_copy)
    assert got["written"] + got["holdout"] == len(expected) and got["holdout"] > 0
    # Planned now: a dry run with the same choices says the real run resumes it ...
    again = cli("mail", "send", *SEGMENT, "--holdout", "30", "--dry-run", env=NOV)
    assert "already planned with the same choices" in again.stderr
    # ... and one with other choices is refused as the real run would be, writing nothing.
    other = cli("mail", "send", *SEGMENT, "--dry-run", env=NOV, ok=False)
    assert "dry run: the real run would be refused" in other.stderr
    assert "--holdout: 30 (stored) → 0" in other.stderr
    real_refused = cli("mail", "send", *SEGMENT, "--yes", env=NOV, ok=False)
    assert "was planned with other choices" in real_refused.stderr


def test_the_dry_run_sees_caps_windows_and_the_server(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server, frequency_cap={"nudge": {"max": 1, "days": 14}})
        cli("mail", "send", *SEGMENT, "--id", "first", "--yes", env=NOV)
        dry = cli("mail", "send", *SEGMENT, "--id", "second", "--dry-run", env=NOV)
        assert (
            f"Sent now, {len(expected)} would be held for later (frequency cap (nudge) {len(expected)})"
            in dry.stderr
        )
        assert "the same command sends them from 2026-12-09" in dry.stderr
        # What of the files the real run sends now is said with them (none here), and the
        # held ones lie apart, in 後日送信.
        assert f"Of the {len(expected)} written here, the real run sends 0 now" in dry.stderr
        folder = outbox_folder(sample_copy, "second", "-dry-run")
        assert not list(folder.glob("*.eml"))
        assert len(list((folder / "後日送信").glob("*.eml"))) == len(expected)
        assert "smtp: connected and signed in" in dry.stderr
        assert len(server.handler.received) == len(expected)  # the check sent nothing
        configure(
            sample_copy,
            send_window={"enabled": True, "start_hour": 9, "end_hour": 17},
        )
        evening = cli(
            "mail",
            "send",
            *SEGMENT,
            "--id",
            "third",
            "--dry-run",
            env={"KOPS_NOW": "2026-11-24T18:00:00+09:00"},
        )
        assert "Now is outside the send window: the real run holds everyone until 2026-11-25" in (
            evening.stderr
        )
    # The server is gone: the dry run fails as the real run would, and writes nothing.
    down = cli("mail", "send", *SEGMENT, "--id", "fourth", "--dry-run", env=NOV, ok=False)
    assert "dry run: the real run would fail to reach the mail server" in down.stderr
    assert states(sample_copy, "fourth") == Counter()

"""Japan time whatever the machine's TZ, and a frequency cap that compares instants."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import email.utils
import os
import sqlite3
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, SAMPLE, Cli, source_trees, tree_digest
from kakeai_ops.clock import JST
from kakeai_ops.errors import WorkspaceError
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.store import latest_snapshot
from kakeai_ops.store.ledger import Ledger, LedgerRow
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer

SEGMENT = ["--segment", "no_prep", "--role", "member"]
RUN = "no_prep.member-2026-11"

# The cap's window starts 14 days before 2026-11-24 10:00 JST: at 2026-11-10 10:00 JST,
# which is 01:00 UTC. Stored times either side of it, written with either offset.
SENT_AT = {
    "u-after-utc": "2026-11-10T02:00:00+00:00",  # 11:00 JST: inside
    "u-exact-utc": "2026-11-10T01:00:00+00:00",  # the boundary itself: inside
    "u-after-jst": "2026-11-10T10:30:00+09:00",  # inside
    "u-before-jst": "2026-11-10T09:30:00+09:00",  # 00:30 UTC: outside
    "u-before-utc": "2026-11-10T00:30:00+00:00",  # outside
    "u-day-before": "2026-11-09T23:59:59+09:00",  # outside
}


def _ledger_with(ws: Workspace, sent_at: dict[str, str]) -> Ledger:
    ledger = Ledger(ws)
    rows = [
        LedgerRow(user, user, f"{user}@example.jp", user, "nudge.x", "nudge", "planned", user, {})
        for user in sent_at
    ]
    ledger.create_run({"run_id": "old", "description": {}, "planned": len(rows)}, rows)
    for user, stamp in sent_at.items():
        ledger.mark("old", user, "sent")
        ledger.db.execute(
            "UPDATE mail_ledger SET sent_at = ? WHERE run_id = 'old' AND item = ?", (stamp, user)
        )
    return ledger


@pytest.mark.parametrize(
    "since",
    [
        dt.datetime(2026, 11, 10, 10, 0, tzinfo=JST),
        dt.datetime(2026, 11, 10, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 9, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
    ids=["since-jst", "since-utc", "since-new-york"],
)
def test_frequency_cap_counts_instants_not_strings(ws: Workspace, since: dt.datetime) -> None:
    ledger = _ledger_with(ws, SENT_AT)
    try:
        # One user at a time, as the sender re-checks the cap before each message.
        counted = {user for user in SENT_AT if ledger.sent_to(user, since, "")}
    finally:
        ledger.close()
    assert counted == {"u-after-utc", "u-exact-utc", "u-after-jst"}


def _configure(ws: Workspace, **mail: object) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["mail"].update(mail)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def test_capped_whatever_offset_the_ledger_holds(sample_copy: Workspace) -> None:
    """End to end: half of the first run's times rewritten in UTC (same instants) must
    cap those people just the same; old rows were written in the machine's local time."""
    cli = Cli(sample_copy)
    server = SmtpServer().__enter__()
    use_smtp(sample_copy, server)
    _configure(sample_copy, frequency_cap={"max_nudges": 1, "days": 14})
    cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-10T10:30:00+09:00"})
    with sqlite3.connect(sample_copy.db_path) as db:
        items = [r[0] for r in db.execute("SELECT item FROM mail_ledger WHERE state = 'sent'")]
        assert len(items) >= 2
        db.executemany(
            "UPDATE mail_ledger SET sent_at = '2026-11-10T01:30:00+00:00' WHERE item = ?",
            [(item,) for item in items[::2]],
        )
    inside = cli(
        "mail",
        "send",
        *SEGMENT,
        "--id",
        "second",
        "--yes",
        env={"KOPS_NOW": "2026-11-24T10:00:00+09:00"},
    )
    server.__exit__(None, None, None)
    ledger = Ledger(sample_copy)
    try:  # every one of them held back, until the day the first run leaves the window
        assert ledger.deferred_until("second") == {
            item: dt.date(2026, 11, 25) for item in ledger.deferred_until("second")
        }
        assert len(ledger.deferred_until("second")) == len(items)
    finally:
        ledger.close()
    assert f"Held for later: {len(items)}" in inside.stderr
    outside = cli(
        "mail", "plan", *SEGMENT, env={"KOPS_NOW": "2026-11-24T11:00:00+09:00", "KOPS_QUIET": ""}
    )
    assert "frequency_cap" not in outside.stderr
    assert f"To send: {len(items)} " in outside.stderr


@contextlib.contextmanager
def _machine_tz(tz: str) -> Iterator[str]:
    """The process's local time zone set to ``tz`` (as the machine's TZ would set it):
    the C library and Python's local time read it from here on. Yields the offset it
    gives now ("" or "+0900" when the C library does not know ``tz``)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield time.strftime("%z")
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _kops(ws: Workspace, *args: str, **env: str) -> Any:
    """kops in this process, under whatever TZ ``_machine_tz`` set, on the real clock."""
    environment: dict[str, str | None] = {"KOPS_NOW": None, **env}
    return Cli(ws)(*args, env=environment)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_mail_dates_and_ledger_times_are_jst_whatever_tz(sample_copy: Workspace, tz: str) -> None:
    with _machine_tz(tz) as offset:
        if offset in ("", "+0900"):
            pytest.skip(f"the C library here does not know TZ={tz}")
        started = dt.datetime.now(dt.UTC)
        _kops(sample_copy, "mail", "send", *SEGMENT, "--yes")  # outbox transport, real clock
        _kops(sample_copy, "mail", "suppress", "someone@example.jp", "--reason", "配信不要")
        _kops(sample_copy, "ingest", str(SAMPLE / "2026-11" / "users.csv"))
        finished = dt.datetime.now(dt.UTC)
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None and snapshot.created_at.endswith("+09:00")

    messages = sorted(outbox_folder(sample_copy, RUN).glob("*.eml"))
    assert messages
    for path in messages:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert str(parsed["Date"]).endswith("+0900"), parsed["Date"]
        moment = email.utils.parsedate_to_datetime(str(parsed["Date"]))
        assert started - dt.timedelta(seconds=2) <= moment <= finished + dt.timedelta(seconds=2)

    with sqlite3.connect(sample_copy.db_path) as db:
        stamps = [
            *(v for row in db.execute("SELECT updated_at, sent_at FROM mail_ledger") for v in row),
            *(r[0] for r in db.execute("SELECT created_at FROM mail_runs")),
            *(r[0] for r in db.execute("SELECT added_at FROM suppression")),
            *(r[0] for r in db.execute("SELECT at FROM audit WHERE command = 'mail send'")),
        ]
    assert stamps and all(s.endswith("+09:00") for s in stamps if s), stamps


def test_pinned_clock_is_shown_in_jst(sample_copy: Workspace) -> None:
    with _machine_tz("America/New_York") as offset:
        if offset in ("", "+0900"):
            pytest.skip("the C library here does not know America/New_York")
        result = _kops(sample_copy, "mail", "preview", *SEGMENT, KOPS_NOW="2026-11-24T01:00:00Z")
    assert "Date: Tue, 24 Nov 2026 10:00:00 +0900" in result.stdout


def test_a_bad_pinned_clock_is_refused(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)("mail", "plan", *SEGMENT, env={"KOPS_NOW": "tomorrow"}, ok=False)
    assert result.exit_code == 1
    assert "KOPS_NOW: 'tomorrow' is not a time" in result.stderr


@pytest.mark.parametrize(
    "pinned",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00", "9999-12-31", "1990-01-01"],
)
def test_a_pinned_clock_out_of_any_month_kops_serves_is_refused(ws: Workspace, pinned: str) -> None:
    """KOPS_NOW a year 1 or 9999 (a typo, a test left set) ended in an internal
    OverflowError, or recorded an interview on 9999-12-31: refused by name, nothing kept."""
    before = tree_digest(ws.root)
    for args in (("interview", "exclude", "000101", "--reason", "x"), ("status",)):
        result = Cli(ws)(*args, env={"KOPS_NOW": pinned}, ok=False)
        assert result.exit_code == 1, result.stderr
        assert f"KOPS_NOW: '{pinned}'" in result.stderr and "2000" in result.stderr, result.stderr
        assert "Hint:" in result.stderr and "Internal error" not in result.stderr
    assert tree_digest(ws.root) == before
    japanese = Cli(ws)("status", env={"KOPS_NOW": pinned, "KOPS_LANG": "ja"}, ok=False)
    assert "エラー: KOPS_NOW" in japanese.stderr and "年" in japanese.stderr, japanese.stderr
    assert "Usage:" in Cli(ws)("status", "--help", env={"KOPS_NOW": pinned}).stdout


def test_a_ledger_time_that_is_not_a_time_is_named(ws: Workspace) -> None:
    ledger = _ledger_with(ws, {"u1": "2026-11-10T10:30:00+09:00", "u2": "yesterday"})
    try:
        with pytest.raises(WorkspaceError, match=r"run old item u2: sent_at is not a time"):
            ledger.sent_to("u2", dt.datetime(2026, 11, 10, tzinfo=JST), "")
    finally:
        ledger.close()


def test_cap_is_checked_again_before_each_message(sample_copy: Workspace) -> None:
    """Run a is planned, then run b mails the same people; resuming a must skip them all."""
    cli = Cli(sample_copy)
    server = SmtpServer().__enter__()
    use_smtp(sample_copy, server)
    _configure(sample_copy, frequency_cap={"max_nudges": 1, "days": 14})
    at = {"KOPS_NOW": "2026-11-24T10:00:00+09:00"}
    cli("mail", "send", *SEGMENT, "--id", "a", "--limit", "1", "--yes", env=at)
    cli("mail", "send", *SEGMENT, "--id", "b", "--yes", env=at)
    with sqlite3.connect(sample_copy.db_path) as db:
        # b's times as another machine might have written them: UTC, the same instants.
        db.execute(
            "UPDATE mail_ledger SET sent_at = '2026-11-24T01:00:00+00:00' WHERE run_id = 'b'"
        )
    cli("mail", "send", *SEGMENT, "--id", "a", "--yes", env=at)
    server.__exit__(None, None, None)
    ledger = Ledger(sample_copy)
    try:
        rows = ledger.frame("a")
    finally:
        ledger.close()
    assert (rows["state"] == "sent").sum() == 1
    capped = rows[rows["state"] == "deferred"]
    assert len(capped) == len(rows) - 1 > 0
    assert capped["error"].str.startswith("frequency cap (nudge): 1 促しメール in 14 days").all()
    assert (capped["sendable_from"] == "2026-12-09").all()


# Reads of the wall clock that bypass clock.now() (and so KOPS_NOW and JST).
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}
# File ages are compared with the file system's clock, which KOPS_NOW does not pin.
ALLOWED = {("lock.py", "time.time")}


def _clock_reads(path: Path) -> list[str]:
    return _clock_reads_in(ast.parse(path.read_text(encoding="utf-8")))


def _clock_reads_in(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (owner_name, node.func.attr) in CLOCK_READS:
            found.append(f"{owner_name}.{node.func.attr}")
    return found


def test_clock_now_is_the_only_wall_clock_read() -> None:
    package = REPO / "src" / "kakeai_ops"
    stray = [
        f"{path.relative_to(package)}: {call}"
        for path, tree in source_trees(package)
        if path.name != "clock.py"
        for call in _clock_reads_in(tree)
        if (path.name, call) not in ALLOWED
    ]
    assert stray == []


def test_the_scan_sees_a_stray_clock_read(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text(
        "import datetime as dt\nfrom datetime import date\n"
        "a = dt.datetime.now()\nb = date.today()\n",
        encoding="utf-8",
    )
    assert _clock_reads(sample) == ["datetime.now", "date.today"]


def test_a_pinned_clock_moved_in_the_same_process_is_read_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kakeai_ops.clock import now
    from kakeai_ops.errors import KopsError

    for pinned, expected in [
        ("2026-11-24T10:00:00", dt.datetime(2026, 11, 24, 10, tzinfo=JST)),
        ("2026-11-24T01:00:00Z", dt.datetime(2026, 11, 24, 10, tzinfo=JST)),
        ("2026-12-01T09:30:00+09:00", dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST)),
        ("2026-11-24T10:00:00", dt.datetime(2026, 11, 24, 10, tzinfo=JST)),
    ]:
        monkeypatch.setenv("KOPS_NOW", pinned)
        assert now() == expected and now().utcoffset() == dt.timedelta(hours=9)
    for _ in range(2):  # refused each time, never remembered as a moment
        monkeypatch.setenv("KOPS_NOW", "tomorrow")
        with pytest.raises(KopsError):
            now()

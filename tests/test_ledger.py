"""The mail ledger on a real SQLite state database: states, crashes, suppression, the cap."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter

import pandas as pd
import pytest

from conftest import Cli
from kakeai_ops.clock import JST
from kakeai_ops.store.ledger import STATES, Ledger, LedgerRow
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT, reachable, states, use_smtp
from smtp_server import SmtpServer

NOW = "2026-11-24T10:00:00+09:00"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_NOW", NOW)


def planned(item: str, user_id: str, kind: str = "nudge") -> LedgerRow:
    return LedgerRow(
        item=item,
        user_id=user_id,
        email=f"{user_id}@example.jp",
        name=f"テスト {user_id}",
        template="no_prep",
        kind=kind,
        state="planned",
        message_id=f"<{item}@kops.example.co.jp>",
        extra={"role": "member"},
    )


def new_run(ws: Workspace, run_id: str, *rows: LedgerRow) -> bool:
    ledger = Ledger(ws)
    try:
        meta = {"run_id": run_id, "description": {"segment": "no_prep"}, "planned": len(rows)}
        return ledger.create_run(meta, rows)
    finally:
        ledger.close()


def test_a_row_moves_planned_sending_sent_and_survives_reopening(ws: Workspace) -> None:
    assert new_run(ws, "r1", planned("a", "000001"), planned("b", "000002"))
    ledger = Ledger(ws)
    try:
        assert [(r.item, r.state) for r in ledger.rows("r1")] == [
            ("a", "planned"),
            ("b", "planned"),
        ]
        ledger.mark("r1", "a", "sending", attempt=True)
        ledger.mark("r1", "a", "sent")
    finally:
        ledger.close()
    reopened = Ledger(ws)  # a new connection reads what the first committed
    try:
        frame = reopened.frame("r1").set_index("item")
        assert frame.loc["a", "state"] == "sent" and frame.loc["a", "attempts"] == 1
        assert frame.loc["a", "sent_at"] == NOW and pd.isna(frame.loc["b", "sent_at"])
        assert reopened.rows("r1")[0].extra == {"role": "member"}
        assert [r.item for r in reopened.rows("r1", ["planned", "temp_failed"])] == ["b"]
    finally:
        reopened.close()


def test_a_row_left_sending_by_a_crash_stays_unknown(ws: Workspace) -> None:
    new_run(ws, "r1", planned("a", "000001"))
    ledger = Ledger(ws)
    ledger.mark("r1", "a", "sending", attempt=True)
    del ledger  # no close, no outcome: as if the process died mid-transaction
    after = Ledger(ws)
    try:
        assert [r.state for r in after.rows("r1")] == ["sending"]
        assert after.rows("r1", ["planned", "temp_failed"]) == []  # not resent by default
    finally:
        after.close()


def test_a_run_id_is_planned_once(ws: Workspace) -> None:
    assert new_run(ws, "r1", planned("a", "000001"))
    assert not new_run(ws, "r1", planned("z", "000009"))
    ledger = Ledger(ws)
    try:
        assert [r.item for r in ledger.rows("r1")] == ["a"]
        assert ledger.run("r1")["planned"] == 1  # type: ignore[index]
        assert ledger.run("nope") is None
    finally:
        ledger.close()


def test_suppression_is_added_once_and_removed(ws: Workspace) -> None:
    ledger = Ledger(ws)
    try:
        assert ledger.suppress("a@example.jp", "配信不要の返信", "operator")
        assert not ledger.suppress("a@example.jp", "again", "operator")
        assert ledger.suppressed() == {"a@example.jp": "配信不要の返信"}
        assert ledger.unsuppress("a@example.jp")
        assert not ledger.unsuppress("a@example.jp")
        assert ledger.suppressed() == {}
    finally:
        ledger.close()


def test_the_frequency_cap_reads_the_mails_sent_in_the_window(ws: Workspace) -> None:
    new_run(ws, "r1", planned("a", "000001"), planned("b", "000002"), planned("c", "000003"))
    new_run(ws, "m1", planned("m", "000001", kind="milestone"))
    ledger = Ledger(ws)
    try:
        for item in ("a", "c"):
            ledger.mark("r1", item, "sent")
        ledger.mark("r1", "b", "perm_failed", "550")
        ledger.mark("m1", "m", "sent")
        since = dt.datetime(2026, 11, 10, tzinfo=JST)

        def kinds(user_id: str, moment: dt.datetime = since, other_than: str = "") -> list[str]:
            return sorted(kind for _t, kind, _at, _s in ledger.sent_to(user_id, moment, other_than))

        assert kinds("000001") == ["milestone", "nudge"]
        assert kinds("000002") == []  # refused: never delivered
        assert kinds("000003") == ["nudge"]
        assert kinds("000001", other_than="r1") == ["milestone"]
        assert kinds("000001", dt.datetime(2026, 11, 25, tzinfo=JST)) == []
    finally:
        ledger.close()


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


def test_counts_per_state_match_a_recount_of_the_rows_and_follow_other_writers(
    ws: Workspace,
) -> None:
    new_run(ws, "r1", *(planned(item, f"00000{n}") for n, item in enumerate("abcd")))
    new_run(ws, "r0", planned("z", "000009"))
    ledger, other = Ledger(ws), Ledger(ws)  # another kops writing the same database
    try:
        ledger.mark("r1", "a", "sent")
        ledger.mark("r1", "b", "deferred", "cap", not_before=dt.date(2026, 12, 1))
        assert ledger.state_counts("r1") == {
            **dict.fromkeys(("planned", "sending", "sent", "written", "deferred"), 0),
            **dict.fromkeys(("temp_failed", "perm_failed", "suppressed", "holdout"), 0),
            **Counter(row.state for row in ledger.rows("r1")),
        }
        other.mark("r1", "c", "perm_failed", "550")
        assert ledger.state_counts("r1")["perm_failed"] == 1  # read afresh, never kept
        assert ledger.state_counts("r1")["planned"] == 1
        assert ledger.state_counts("nope") == {}
        frame = ledger.counts()
        assert list(frame["run_id"]) == ["r0", "r1"]  # every run with rows, by id
        for run in ("r0", "r1"):
            recount = Counter(row.state for row in ledger.rows(run))
            row = frame[frame["run_id"] == run].iloc[0]
            assert {s: int(row[s]) for s in recount} == dict(recount)
            assert int(row.drop("run_id").sum()) == len(ledger.rows(run))
        assert ledger.counts("r0")["planned"].tolist() == [1]
        assert ledger.counts("nope").empty
    finally:
        ledger.close()
        other.close()


def test_the_runs_table_counts_each_run_s_rows_by_state(ws: Workspace) -> None:
    new_run(ws, "r1", planned("a", "000001"), planned("b", "000002"))
    new_run(ws, "r2", planned("c", "000003"))
    ledger = Ledger(ws)
    try:
        ledger.mark("r1", "a", "sent")
        runs = ledger.runs().set_index("run_id")
        assert runs.loc["r1", ["planned", "sent"]].tolist() == [1, 1]
        assert runs.loc["r2", ["planned", "sent"]].tolist() == [1, 0]
        assert str(runs["sent"].dtype) == "int64" and runs.loc["r1", "delivered"] == 1
        # A run recorded without rows (as a plan of nobody would be): zeros, as floats.
        assert new_run(ws, "r3")
        runs = ledger.runs().set_index("run_id")
        assert runs.loc["r3", list(STATES)].tolist() == [0.0] * len(STATES)
        assert str(runs["sent"].dtype) == "float64" and runs.loc["r1", "sent"] == 1.0
    finally:
        ledger.close()

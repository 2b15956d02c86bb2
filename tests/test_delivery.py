"""What a real send says it did not send, and why: the ledger keeps one state for people
who left, went on leave or are on the suppression list, and the summary said all of them
were 「配信停止」."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT as MAILING_SEGMENT
from mailing import states, use_smtp
from smtp_server import SmtpServer
from test_dry_run import RUN, SEGMENT, november_with_one_retired

LATE = {"KOPS_NOW": "2026-11-25T10:00:00+09:00"}


def _resumed_with_a_leaver_and_a_suppressed(
    ws: Workspace, folder: Path, lang: str, *limit: str
) -> tuple[str, list[str], list[Any]]:
    """A rehearsed run resumed for real after one of its people left and another was put
    on the suppression list: what the send said, its people, what the server received."""
    cli = Cli(ws)
    cli("mail", "send", *SEGMENT, "--yes")  # the outbox: a rehearsal
    planned = json.loads(cli("mail", "status", RUN, "--format", "json").stdout)
    people = sorted(str(row["user_id"]) for row in planned if row["state"] != "holdout")
    leaver, unwilling = people[0], people[1]
    cli("ingest", *map(str, november_with_one_retired(folder, leaver)))
    cli("mail", "suppress", unwilling, "--reason", "本人の希望")
    with SmtpServer() as server:
        use_smtp(ws, server)
        env = {**LATE, "KOPS_LANG": lang}
        sent = cli("mail", "send", *SEGMENT, "--id", RUN, "--yes", "--stale-ok", *limit, env=env)
        received = list(server.handler.received)
    return " ".join((sent.stdout + sent.stderr).split()), people, received


# What the send says of the two not sent, by language: in Japanese the state is not
# 「配信停止」 for all of them.
NOT_SENT_SAID = {
    "en": [
        "suppressed 2",
        "Not sent now: left the company by the latest snapshot 1, on the suppression list 1 "
        f"(who: `kops mail status {RUN}`)",
    ],
    "ja": [
        "送信対象外 2件",
        "今回送らなかった内訳: 最新のスナップショットで退職 1、配信停止リスト 1",
    ],
}


@pytest.mark.parametrize("lang", sorted(NOT_SENT_SAID))
def test_a_real_send_says_why_each_person_was_not_sent_to(
    october_copy: Workspace, tmp_path: Path, lang: str
) -> None:
    said, people, received = _resumed_with_a_leaver_and_a_suppressed(
        october_copy, tmp_path / "november", lang
    )
    assert len(received) == len(people) - 2
    for line in NOT_SENT_SAID[lang]:
        assert line in said
    assert "配信停止 2" not in said


def _send_in_a_process(ws: Workspace) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KOPS_WORKSPACE": str(ws.root), "KOPS_QUIET": "1", "KOPS_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "kakeai_ops", "mail", "send", *MAILING_SEGMENT, "--yes"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(server: SmtpServer, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(server.handler.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.handler.received) == count


def _killed_at(ws: Workspace, server: SmtpServer, count: int) -> None:
    """A send in a process of its own, killed while the server holds its ``count``-th mail
    without answering (the mail's outcome unknown), the server then answering again."""
    use_smtp(ws, server)
    server.handler.faults.stall_after_data = {count}
    process = _send_in_a_process(ws)
    _wait_for(server, count)
    process.kill()
    process.wait(timeout=30)
    server.handler.faults.stall_after_data = set()


def test_ctrl_c_says_what_went_out_and_how_to_go_on(sample_copy: Workspace) -> None:
    """Stopped with Ctrl-C while waiting for the server's reply to the 4th message: it says
    3 sent and the 4th of unknown outcome, and that the same command goes on (it said
    only 「中断しました」). It stops at once: it waited out the SMTP timeout for a reply to
    a QUIT the stalled server could not give (here 30 s, past the 15 s allowed)."""
    with SmtpServer() as server:
        use_smtp(sample_copy, server, smtp={"timeout": 30})
        server.handler.faults.stall_after_data = {4}
        process = _send_in_a_process(sample_copy)
        _wait_for(server, 4)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=15)
    said = " ".join(err.decode().split())
    counts = states(sample_copy)
    assert process.returncode != 0 and counts["sent"] == 3 and counts["sending"] == 1
    run = next(iter(json.loads(Cli(sample_copy)("mail", "status", "--format", "json").stdout)))
    assert f"Run {run['run_id']} stopped: this time sending 1, sent 3." in said
    assert "The same command sends the rest; nobody is sent twice" in said


def test_a_run_left_with_an_unknown_outcome_is_not_called_done(sample_copy: Workspace) -> None:
    """Killed while the server had the 4th message, then resumed to the end: the run is
    「結果不明あり」, not 「送信完了」, and its status says kops stopped, not that a
    connection was lost (the administrator would look for a fault that never was)."""
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        _killed_at(sample_copy, server, 4)
        # Killed, nobody sending: not 「送信中」 (read as someone mid-send), but stopped.
        killed = json.loads(cli("mail", "status", "--format", "json").stdout)
        assert next(r for r in killed if r["segment_key"])["status"] == "interrupted"
        listed = cli("mail", "status", env={"KOPS_LANG": "ja", "COLUMNS": "250"}).stdout
        assert "中断（同じコマンドで続きを送る）" in " ".join(listed.split()).replace(" ", "")
        cli("mail", "send", *MAILING_SEGMENT, "--yes")
    assert states(sample_copy)["sending"] == 1
    runs = json.loads(cli("mail", "status", "--format", "json").stdout)
    run = next(r for r in runs if r["segment_key"])
    assert run["status"] == "unknown"
    table = " ".join(cli("mail", "status", run["run_id"], env={"COLUMNS": "200"}).stdout.split())
    assert "1 may have been delivered: handed to the server, then kops stopped (1)" in table
    assert "the connection lost (0)" in table
    listed = cli("mail", "status", env={"KOPS_LANG": "ja", "COLUMNS": "250"}).stdout
    assert "結果不明あり" in listed and "送信完了" not in listed


def test_while_a_send_is_under_way_its_unknowns_are_not_called_stopped(
    sample_copy: Workspace,
) -> None:
    """`mail status` beside a running send called the mail being handed over 「kops が止ま
    った」: while the workspace is held, it says a send is under way."""
    from kakeai_ops.store.lock import workspace_lock

    cli = Cli(sample_copy)
    with SmtpServer() as server:
        _killed_at(sample_copy, server, 2)
    run = next(r for r in json.loads(cli("mail", "status", "--format", "json").stdout))
    with workspace_lock(sample_copy, "kops mail send (another window)"):
        said = " ".join(cli("mail", "status", run["run_id"]).stdout.split())
        runs = json.loads(cli("mail", "status", "--format", "json").stdout)
    assert "A send is under way in this workspace: 1 handed to the server" in said
    assert "then kops stopped" not in said
    assert next(r for r in runs if r["run_id"] == run["run_id"])["status"] == "sending"


def test_a_limit_counts_the_mails_sent_not_the_people_skipped(
    october_copy: Workspace, tmp_path: Path
) -> None:
    """`--limit 2` on a resumed run whose first two had left or asked for no mail sent
    nothing (「2/2 送信対象外」): the two are skipped on the way, two mails go out."""
    said, people, received = _resumed_with_a_leaver_and_a_suppressed(
        october_copy, tmp_path / "november", "en", "--limit", "2"
    )
    assert len(received) == 2 and len(people) > 4
    assert "this time sent 2, suppressed 2" in said

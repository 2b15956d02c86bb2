"""What a real send says it did not send, and why: the ledger keeps one state for people
who left, went on leave or are on the suppression list, and the summary said all of them
were 「配信停止」."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer
from test_dry_run import RUN, SEGMENT, november_with_one_retired

LATE = {"KOPS_NOW": "2026-11-25T10:00:00+09:00"}


def _resumed_with_a_leaver_and_a_suppressed(
    ws: Workspace, folder: Path, lang: str
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
        sent = cli("mail", "send", *SEGMENT, "--id", RUN, "--yes", "--stale-ok", env=env)
        received = list(server.handler.received)
    return " ".join((sent.stdout + sent.stderr).split()), people, received


def test_a_real_send_says_why_each_person_was_not_sent_to(
    october_copy: Workspace, tmp_path: Path
) -> None:
    said, people, received = _resumed_with_a_leaver_and_a_suppressed(
        october_copy, tmp_path / "november", "en"
    )
    assert len(received) == len(people) - 2
    assert (
        "Not sent now: left the company by the latest snapshot 1, on the suppression list 1 "
        f"(who: `kops mail status {RUN}`)"
    ) in said


def test_in_japanese_the_not_sent_are_not_all_called_suppressed(
    october_copy: Workspace, tmp_path: Path
) -> None:
    said, people, received = _resumed_with_a_leaver_and_a_suppressed(
        october_copy, tmp_path / "november", "ja"
    )
    assert len(received) == len(people) - 2
    assert f"送信済み {len(people) - 2:,}件" in said
    assert "送信対象外 2件" in said and "配信停止 2" not in said
    assert "今回送らなかった内訳: 最新のスナップショットで退職 1、配信停止リスト 1" in said

"""`kops status` says its counts are the exports' rows: 254 users beside the reports' 252
people (2 have left), 6,207 1on1s beside the 1on1s held, recounted from the sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sample_recount as recount
from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace


def test_the_snapshot_table_says_it_counts_rows(sample_ws: Workspace, japanese: None) -> None:
    result = Cli(sample_ws)("status")
    table = " ".join(result.stdout.split())
    assert "ユーザーの行" in table and "ペアの行" in table and "1on1の行" in table
    said = " ".join(result.stderr.split())
    assert "退職した人、承認前のペア、予定・キャンセルの1on1も含みます" in said
    assert "これまでに取り込んだすべてのエクスポートの分" in said
    user_rows = len(recount.read(SAMPLE / "2026-11" / "users.csv"))
    pair_rows = len(recount.read(SAMPLE / "2026-11" / "pairs.csv"))
    latest = next(line for line in result.stdout.splitlines() if line.startswith("│ 0002"))
    fields = [field.strip() for field in latest.split("│")]
    users, pairs, meetings = (int(field.replace(",", "")) for field in fields[3:6])
    sample = recount.load("2026-11")
    # The rows, not the people or the 1on1s held: the difference is what the note says.
    assert (users, pairs) == (user_rows, pair_rows)
    assert users > len(sample.users) and meetings > len(sample.held)


def test_users_without_this_months_1on1s_are_said_to_look_lapsed(
    october_copy: Workspace, japanese: None
) -> None:
    """November's users and pairs ingested without November's 1on1 export: the snapshot is
    judged as of November's last login while its 1on1s stop in October, so 83% of the
    sample looked 1on1休眠 with no word. Ingest, status and every judging command say so."""
    cli = Cli(october_copy)
    october, november = recount.load("2026-10"), recount.load("2026-11")
    last_held = october.held["held_at"].max().date()
    as_of = november.users["last_login"].max().date()
    days = (as_of - last_held).days
    said = f"実施済みの1on1が {last_held} で終わっていて、基準日 {as_of} の {days}日前です"
    ingest = cli(
        "ingest", str(SAMPLE / "2026-11" / "users.csv"), str(SAMPLE / "2026-11" / "pairs.csv")
    )
    assert said in " ".join(ingest.stderr.split())
    for command in (["status"], ["segment"]):
        assert said in " ".join(cli(*command).stderr.split()), command
    # Judged as of a day the 1on1s still reach, it is not said.
    earlier = cli("segment", "--as-of", str(last_held + dt.timedelta(days=3)))
    assert "実施済みの1on1が" not in earlier.stderr
    # With the month's 1on1 export too, the warning goes.
    cli("ingest", str(SAMPLE / "2026-11" / "meetings.xlsx"))
    assert "実施済みの1on1が" not in cli("status").stderr


def test_a_complete_month_is_not_said_to_lack_1on1s(sample_ws: Workspace) -> None:
    assert "held 1on1s stop on" not in Cli(sample_ws)("status").stderr


def test_a_snapshot_without_any_held_1on1_says_so(ws: Workspace, tmp_path: Path) -> None:
    """Users and pairs with a 1on1 export of scheduled and cancelled rows only: everyone
    was judged without a 1on1, with no word (the 10-day warning needs a held 1on1)."""
    import pandas as pd

    meetings = pd.read_excel(SAMPLE / "2026-11" / "meetings.xlsx", dtype=str, engine="calamine")
    planned = meetings[meetings["ステータス"] != "実施済"]
    assert len(planned) and len(planned) < len(meetings)
    path = tmp_path / "planned.xlsx"
    planned.to_excel(path, index=False)
    cli = Cli(ws)
    month = SAMPLE / "2026-11"
    cli("ingest", str(month / "users.csv"), str(month / "pairs.csv"), str(path))
    for command in (["status"], ["segment"]):
        said = " ".join(cli(*command, env={"KOPS_LANG": "ja"}).stderr.split())
        assert "実施済みの1on1が一つもありません" in said, command

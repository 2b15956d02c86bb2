"""`kops status` says its counts are the exports' rows: 254 users beside the reports' 252
people (2 have left), 6,207 1on1s beside the 1on1s held, recounted from the sample."""

from __future__ import annotations

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

"""Every command that judges as of a date keeps --as-of within the data.

The sample's snapshot 0002 runs to 2026-11-20: a later --as-of is refused (naming both
dates and what to ingest) and changes nothing; an earlier one judges the past.
"""

from __future__ import annotations

import pytest

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace

CAMPAIGN = "exec-1on1-2026h2"

# Each command that takes --as-of, with the arguments it needs besides it.
AS_OF_COMMANDS = [
    ["segment"],
    ["segment", "--list", "--stuck-point", "lapsed"],
    ["review"],
    ["mail", "preview", "--segment", "no_prep", "--role", "member"],
    ["mail", "plan", "--segment", "lapsed"],
    ["mail", "send", "--segment", "lapsed", "--dry-run"],
    ["mail", "send", "--segment", "lapsed", "--yes"],
    ["campaign", "eligible", CAMPAIGN],
    ["campaign", "explain", CAMPAIGN, "u0001"],
    ["campaign", "award", CAMPAIGN],
    ["campaign", "milestones"],
    ["campaign", "entries", CAMPAIGN, "ENTRIES"],
    ["interview", "shortlist"],
    ["report", "divisions"],
    ["seminar", "invite", "month1", "--tbd", "--yes"],
]


@pytest.mark.parametrize("args", AS_OF_COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_as_of_after_the_data_is_refused(sample_copy: Workspace, args: list[str]) -> None:
    entries = sample_copy.root.parent / "entries.csv"
    entries.write_text("ユーザーID\n000120\n", encoding="utf-8")
    args = [str(entries) if a == "ENTRIES" else a for a in args]
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)(*args, "--as-of", "2026-12-20", ok=False)
    assert result.exit_code == 1, result.stdout
    assert "--as-of 2026-12-20 is after the data: snapshot 0002 runs to 2026-11-20" in result.stderr
    assert "kops ingest" in result.stderr  # what to do next
    assert tree_digest(sample_copy.root) == before


def test_a_draw_takes_no_as_of_at_all(sample_copy: Workspace) -> None:
    # A draw judges eligibility where the campaign says (its deadline's snapshot), so any
    # --as-of is refused, one after the data included, and nothing is written.
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)("campaign", "draw", CAMPAIGN, "--as-of", "2026-12-20", ok=False)
    assert result.exit_code == 1
    assert "--as-of 2026-12-20: a draw judges eligibility at" in result.stderr
    assert tree_digest(sample_copy.root) == before


def test_mail_report_keeps_as_of_within_the_data(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    cli("mail", "send", "--segment", "no_rating", "--id", "r1", "--limit", "1", "--yes")
    refused = cli("mail", "report", "r1", "--as-of", "2026/12/01", ok=False)
    assert "--as-of 2026-12-01 is after the data: snapshot 0002 runs to 2026-11-20" in (
        refused.stderr
    )
    cli("mail", "report", "r1", "--as-of", "2026/11/20")


def test_earlier_dates_judge_the_past(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    said = cli("segment", "--as-of", "2026/11/1", env={"KOPS_QUIET": "0"}).stderr
    assert "基準日 2026-11-01（--as-of で指定）" in said
    cli("campaign", "eligible", CAMPAIGN, "--as-of", "20261031")
    cli("report", "divisions", "--as-of", "2026-11-20")  # the data's own last day


def test_an_older_snapshot_is_pointed_at_the_newer_one(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)("segment", "--snapshot", "1", "--as-of", "2026-11-10", ok=False)
    assert "snapshot 0001 runs to 2026-10-20" in result.stderr
    assert "--snapshot 0002" in result.stderr


def test_a_date_in_the_future_says_so(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)(
        "segment", "--as-of", "2027-01-05", env={"KOPS_NOW": "2026-12-06T10:00:00"}, ok=False
    )
    assert "runs to 2026-11-20 (and in the future: today is 2026-12-06)" in result.stderr


def test_a_day_that_does_not_exist(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)("segment", "--as-of", "2026-02-30", ok=False)
    assert "--as-of: '2026-02-30' is not a date: 2026年2月 has days 1–28" in result.stderr


# Typed as people type: stuck points by key or label, roles in English or Japanese,
# dates in every date option with slashes or without separators.


def _ids(cli: Cli, *args: str) -> list[str]:
    import csv
    import io

    rows = csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv", *args).stdout))
    return [row["user_id"] for row in rows]


def test_stuck_points_and_roles_by_label(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    by_key = _ids(cli, "--stuck-point", "no_prep", "--role", "member")
    assert by_key  # the sample has them
    assert _ids(cli, "--stuck-point", "事前準備なし", "--role", "部下") == by_key
    assert _ids(cli, "-s", " 事前準備なし ", "--role", "Member") == by_key
    assert _ids(cli, "-s", "未ログイン") == _ids(cli, "-s", "not_activated") != []
    for key, label in (("manager", "上司"), ("both", "両方"), ("none", "なし")):
        assert _ids(cli, "--role", label) == _ids(cli, "--role", key)
    bad = cli("segment", "--stuck-point", "未実施", ok=False)
    assert "--stuck-point: unknown stuck point '未実施'" in bad.stderr
    assert "not_activated (未ログイン)" in bad.stderr
    bad_role = cli("segment", "--role", "部長", ok=False)
    assert "--role: unknown role '部長'" in bad_role.stderr and "member (部下)" in bad_role.stderr


def test_mail_takes_labels_and_keeps_keys(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    now = {"KOPS_NOW": "2026-11-21T10:00:00+09:00"}  # the previews' Date: header is the clock's
    by_key = cli("mail", "plan", "--segment", "no_prep", "--role", "member", env=now).stderr
    by_label = cli("mail", "plan", "--segment", "事前準備なし", "--role", "部下", env=now).stderr
    assert by_label == by_key
    assert "no_prep.member" in by_label  # the run id is made of keys, never the labels
    bad = cli("mail", "plan", "--segment", "休眠", ok=False)
    assert "--segment: unknown stuck point '休眠'" in bad.stderr


def test_milestone_roles_in_japanese(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    assert (
        cli("campaign", "milestones", "--role", "上司", "--format", "csv").stdout
        == cli("campaign", "milestones", "--role", "manager", "--format", "csv").stdout
    )
    bad = cli("campaign", "milestones", "--role", "両方", ok=False)
    assert "--role: unknown role '両方'" in bad.stderr and "両方" not in bad.stderr.split("use")[1]


def test_every_date_option_takes_the_same_forms(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    assert "0001" in cli("segment", "--since", "2026/10/20", "--format", "json").stdout
    assert "0001" in cli("segment", "--since", "20261020", "--format", "json").stdout
    bad = cli("segment", "--since", "2026-02-30", ok=False)
    assert "--since: '2026-02-30' is not a date: 2026年2月 has days 1–28" in bad.stderr
    pair = ("000119", "000120")  # a pair of the sample
    said = cli("interview", "record", *pair, "--date", "2026/12/3").stderr
    assert "2026-12-03" in said
    bad_date = cli("interview", "record", *pair, "--date", "2026/12/32", ok=False)
    assert "--date: '2026/12/32' is not a date" in bad_date.stderr

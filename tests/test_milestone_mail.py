"""Milestone mail runs end to end: per-role counts, one mail naming both roles, only what
was crossed since the previous snapshot, and the backlog recorded without mail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from conftest import Cli, tree_digest
from kakeai_ops.store import delivered_milestones
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer

USERS = [
    [
        "H01",
        "部長 一郎",
        "head@example.jp",
        "営業本部",
        "第一営業部",
        "営業",
        "50代",
        "在籍",
        "2026/11/01 9:00",
    ],
    [
        "MID",
        "中間 花子",
        "mid@example.jp",
        "営業本部",
        "第一営業部",
        "営業",
        "40代",
        "在籍",
        "2026/11/01 9:00",
    ],
    [
        "A01",
        "部下 健太",
        "a01@example.jp",
        "営業本部",
        "第一営業部",
        "営業",
        "20代",
        "在籍",
        "2026/11/01 9:00",
    ],
]
PAIRS = [
    ["H01", "MID", "2026/01/01", "2026/01/02", "あり"],
    ["MID", "A01", "2026/01/01", "2026/01/02", "あり"],
]


def held(manager: str, member: str, days: list[str], prefix: str) -> list[list[str]]:
    return [
        [
            f"{prefix}{i}",
            manager,
            member,
            f"{day} 10:00",
            "実施済",
            "今後のキャリア",
            "話を聞いてほしい",
            "",
            "",
            "",
        ]
        for i, day in enumerate(days)
    ]


def weekly(start: str, n: int) -> list[str]:
    first = pd.Timestamp(start)
    return [(first + pd.Timedelta(days=7 * i)).strftime("%Y/%m/%d") for i in range(n)]


def set_config(ws: Workspace, **values: object) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data.update(values)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def build(cli: Cli, make_exports: Callable[..., list[Path]]) -> None:
    # MID: as member with H01, 19 before Nov 1 and 22 by Nov 20 (crosses 20);
    #      as manager of A01, 9 before Nov 1 and 11 by Nov 20 (crosses 10).
    as_member = [*weekly("2026-04-06", 19), "2026/11/05", "2026/11/12", "2026/11/19"]
    as_manager = [*weekly("2026-08-31", 9), "2026/11/10", "2026/11/17"]
    meetings = held("H01", "MID", as_member, "X") + held("MID", "A01", as_manager, "Y")
    cli("ingest", *map(str, make_exports(users=USERS, pairs=PAIRS, meetings=meetings)))


def monthly_snapshots(cli: Cli, make_exports: Callable[..., list[Path]]) -> Callable[[int], None]:
    """H01 and his 部下 A01, one 1on1 a week in September, then one a month: ``snapshot(n)``
    ingests the exports of their first ``n`` 1on1s (4: as of 09-28, 5: 10-12, 6: 11-09,
    7: 12-07)."""
    # USERS' H01 and A01, last seen at the start of September (the as-of follows the 1on1s).
    users = [[*row[:-1], "2026/09/01 9:00"] for row in USERS if row[0] in ("H01", "A01")]
    pairs = [["H01", "A01", "2026/01/01", "2026/01/02", "あり"]]
    days = ["2026/09/07", "2026/09/14", "2026/09/21", "2026/09/28", "2026/10/12", "2026/11/09"]
    days += ["2026/12/07"]

    def snapshot(count: int) -> None:
        meetings = held("H01", "A01", days[:count], "Z")
        exports = make_exports(users=users, pairs=pairs, meetings=meetings, folder=f"s{count}")
        cli("ingest", *map(str, exports))

    return snapshot


def plan_records(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli("mail", "plan", "--milestones", "--format", "json", *args).stdout)


def test_one_mail_names_both_roles_counts(cli: Cli, ws: Workspace, make_exports) -> None:
    build(cli, make_exports)
    # One snapshot and no milestones_since: kops can't tell what is new, and says how.
    refused = cli("mail", "plan", "--milestones", ok=False)
    assert "milestones_since" in refused.stderr and "--mark-delivered" in refused.stderr
    set_config(ws, milestones_since="2026-11-01")
    records = {r["user_id"]: r for r in plan_records(cli)}
    mid = records["MID"]
    assert mid["template"] == "milestone.both" and mid["role"] is None
    assert mid["facts"]["milestones.manager.count"] == 11
    assert mid["facts"]["milestones.manager.milestone"] == 10
    assert mid["facts"]["milestones.member.count"] == 22
    assert mid["facts"]["milestones.member.milestone"] == 20
    text = cli("mail", "preview", "--milestones", "--user", "MID").stdout
    as_of = re.search(r"1on1 が、(\d{4}年\d+月\d+日（.）)時点で", text)
    assert as_of, text
    for said in (
        "上司として実施された 1on1 が、{}時点で 11 回になりました（10 回の節目を越えました）",
        "部下として参加された 1on1 が、{}時点で 22 回になりました（20 回の節目を越えました）",
    ):
        assert said.format(as_of[1]) in text
    # Never the two summed (33), as a count: the headers' time and id may hold "33".
    assert "50 回" not in text and "33 回" not in text
    # H01 (11 as manager, crossed 10) and A01 (11 as member, crossed 10): one role each.
    assert records["H01"]["template"] == "milestone.manager" and records["H01"]["role"] == "manager"
    assert records["A01"]["facts"]["milestones.member.count"] == 11
    assert len(records) == 3  # nobody twice

    cli("mail", "send", "--milestones", "--yes")
    # Through the outbox it is a rehearsal: nothing is delivered yet.
    assert delivered_milestones(ws).empty
    with SmtpServer() as server:
        use_smtp(ws, server)
        cli("mail", "send", "--milestones", "--yes")
    got = {(r.user_id, r.role, r.milestone) for r in delivered_milestones(ws).itertuples()}
    assert {("MID", "manager", 10), ("MID", "member", 20)} <= got
    assert plan_records(cli) == []  # delivered: not due again


def test_mark_delivered_records_the_backlog_once(cli: Cli, ws: Workspace, make_exports) -> None:
    build(cli, make_exports)
    out = cli("campaign", "milestones", "--mark-delivered", "--before", "2026-11-01")
    assert "Recorded" in out.stderr
    got = {(r.user_id, r.role, r.milestone) for r in delivered_milestones(ws).itertuples()}
    # Reached before Nov 1: MID 1, 5, 10 as member (19) and 1, 5 as manager (9).
    assert ("MID", "member", 10) in got and ("MID", "member", 20) not in got
    assert ("MID", "manager", 5) in got and ("MID", "manager", 10) not in got
    before = tree_digest(ws.root)
    twice = cli("campaign", "milestones", "--mark-delivered", "--before", "2026-11-01", ok=False)
    assert "already recorded" in twice.stderr
    assert tree_digest(ws.root) == before  # nothing changed
    bad = cli("campaign", "milestones", "--mark-delivered", "--before", "11/01", ok=False)
    assert "--before" in bad.stderr and "not a date" in bad.stderr
    # With no snapshot before this one, milestones_since still tells what is new: the
    # milestones crossed in November, the earlier ones being recorded.
    set_config(ws, milestones_since="2026-11-01")
    records = {r["user_id"]: r for r in plan_records(cli)}
    assert records["MID"]["template"] == "milestone.both"
    # Everything up to the as-of date: nothing left to mail, nothing new to record.
    cli("campaign", "milestones", "--mark-delivered")
    assert "already recorded" in cli("campaign", "milestones", "--mark-delivered", ok=False).stderr


def test_after_the_backlog_is_recorded_what_is_left_is_new(
    cli: Cli, ws: Workspace, make_exports
) -> None:
    """The first month: one snapshot, no milestones_since. The refusal's hint says to record
    the backlog with --mark-delivered; once that is done, the milestones reached after it
    are due, and nothing else (no longer the same refusal)."""
    build(cli, make_exports)
    refused = cli("mail", "plan", "--milestones", ok=False)
    assert "--mark-delivered" in refused.stderr
    cli("campaign", "milestones", "--mark-delivered", "--before", "2026-11-01")
    records = {r["user_id"]: r for r in plan_records(cli)}
    mid = records["MID"]  # crossed 10 as manager and 20 as member in November
    assert mid["facts"]["milestones.manager.milestone"] == 10
    assert mid["facts"]["milestones.member.milestone"] == 20
    listed = cli("campaign", "milestones")
    assert "not yet delivered" in listed.stderr
    # The whole backlog recorded: nothing is due, and the plan says so (no refusal).
    cli("campaign", "milestones", "--mark-delivered")
    assert plan_records(cli) == []
    # Sending then has nobody to mail; nobody was left out either, so it does not say
    # "after exclusions", and it says where to see what is due.
    empty = cli("mail", "send", "--milestones", "--yes", ok=False)
    assert "nobody is in this audience now" in empty.stderr
    assert "after exclusions" not in empty.stderr
    assert "kops campaign milestones" in empty.stderr


def test_milestones_must_increase(cli: Cli, ws: Workspace) -> None:
    set_config(ws, milestones=[1, 5, 50, 20])
    result = cli("status", ok=False)
    assert "milestones" in result.stderr and "increasing" in result.stderr


def test_options_that_do_not_go_together_are_refused(cli: Cli, ws: Workspace, make_exports) -> None:
    build(cli, make_exports)
    alone = cli("campaign", "milestones", "--before", "2026-11-01", ok=False)
    assert "--before goes with --mark-delivered" in alone.stderr
    assert delivered_milestones(ws).empty
    future = cli("campaign", "milestones", "--mark-delivered", "--before", "2026-02-30", ok=False)
    assert "not a date" in future.stderr and delivered_milestones(ws).empty


def test_milestones_only_written_to_the_outbox_are_due_the_month_after(
    cli: Cli, ws: Workspace, make_exports
) -> None:
    """A01 reaches 5 as 部下 in October; October's milestone mails were only written to the
    outbox. In November he is at 6, 5 already at the previous snapshot: the window reached
    back only to it, so his message was never due again and nobody was told. It reaches
    back to where milestones were last mailed (here: never, so the first snapshot), and
    says so; once mailed for real, the next month starts at the previous snapshot again."""
    snapshot = monthly_snapshots(cli, make_exports)

    snapshot(4)  # as of 2026-09-28: 4 each
    snapshot(5)  # as of 2026-10-12: both reach 5
    october = {(r["user_id"], r["template"]) for r in plan_records(cli)}
    assert october == {("A01", "milestone.member"), ("H01", "milestone.manager")}
    cli("mail", "send", "--milestones", "--yes", "--stale-ok")  # the outbox: a rehearsal
    assert delivered_milestones(ws).empty
    snapshot(6)  # as of 2026-11-09: 6 each, 5 at the previous snapshot
    november = {r["user_id"]: r for r in plan_records(cli)}
    assert november["A01"]["facts"]["milestones.member.milestone"] == 5
    assert november["A01"]["facts"]["milestones.member.count"] == 6
    assert november["H01"]["facts"]["milestones.manager.milestone"] == 5
    listed = " ".join(cli("campaign", "milestones").stderr.split())
    assert "snapshot 0001 (as of 2026-09-28)" in listed and "have not been mailed" in listed
    with SmtpServer() as server:
        use_smtp(ws, server)
        cli("mail", "send", "--milestones", "--yes", "--stale-ok")
        # October's rehearsal resumed for real after November's send: the same
        # milestones, delivered already, are not mailed again.
        before = len(server.handler.received)
        october_run = cli(
            "mail", "send", "--milestones", "--snapshot", "0002", "--yes", "--stale-ok"
        )
        assert len(server.handler.received) == before
        assert "suppressed 2" in " ".join(october_run.stderr.split())
        rows = json.loads(cli("mail", "status", "milestones-2026-10", "--format", "json").stdout)
        assert {r["error"] for r in rows} == {"milestone already delivered"}
    assert {(r.user_id, r.milestone) for r in delivered_milestones(ws).itertuples()} == {
        ("A01", 5),
        ("H01", 5),
    }
    snapshot(7)  # as of 2026-12-07: mailed last month, so from the previous snapshot
    listed = " ".join(cli("campaign", "milestones").stderr.split())
    assert "the previous snapshot 0003 (as of 2026-11-09)" in listed
    assert plan_records(cli) == []


def test_the_backlog_recorded_then_a_rehearsal_leaves_nothing_behind(
    cli: Cli, ws: Workspace, make_exports
) -> None:
    """--mark-delivered on the first month, October's milestones only rehearsed: November's
    list reaches back to the day the backlog was recorded to (not to October's snapshot,
    which dropped October's milestones), and says so."""
    snapshot = monthly_snapshots(cli, make_exports)

    snapshot(4)  # as of 2026-09-28
    cli("campaign", "milestones", "--mark-delivered")  # everything reached by 09-28
    snapshot(5)  # as of 2026-10-12: both reach 5
    assert {r["user_id"] for r in plan_records(cli)} == {"A01", "H01"}
    cli("mail", "send", "--milestones", "--yes", "--stale-ok")  # the outbox: a rehearsal
    snapshot(6)  # as of 2026-11-09
    november = {r["user_id"]: r for r in plan_records(cli)}
    assert november["A01"]["facts"]["milestones.member.milestone"] == 5
    listed = " ".join(cli("campaign", "milestones").stderr.split())
    assert "milestones last mailed or recorded as of 2026-09-28" in listed


def test_a_first_milestone_does_not_ask_for_what_the_person_already_does(
    sample_copy: Workspace,
) -> None:
    """The first 1on1s' tips told a member who had chosen a topic before every 1on1 (and
    rated it) to start doing so: each tip now follows their last 1on1s as member,
    recounted from the exports."""
    from test_demo_mails import NOVEMBER_AS_OF, exports_of, read_mails, user_of

    Cli(sample_copy)("mail", "send", "--milestones", "--dry-run")
    (folder,) = [p for p in (sample_copy.root / "outbox").iterdir() if "milestone" in p.name]
    exports = exports_of("2026-11")
    seen = 0
    for address, _, _, text in read_mails(folder):
        block = text.partition("■ 部下として参加された 1on1 が")[2].partition("■")[0]
        if "「トピック」" not in block or "「スッキリ度」" not in block:
            continue  # no member milestone, or not the first
        recent = exports.recent_as_member(user_of(exports, address), NOVEMBER_AS_OF)
        prepared = bool(recent) and all(m["prepared"] for m in recent)
        rated = bool(recent) and all(m["rated"] for m in recent)
        assert ("開始前に「トピック」を選んでいました" in block) == prepared, block
        assert ("選んでおくと、話したいことが伝わりやすくなります" in block) is True
        assert ("「スッキリ度」も入れていました" in block) == rated, block
        assert ("「スッキリ度」を入れてみてください" in block) == (not rated), block
        seen += 1
    assert seen  # (each combination: test_templates_rendered)

"""Campaign outcome mails match the outcome: a campaign with a draw awards its winners
only, and entrants who did not qualify are told which months they missed (checked
against a recount of their weeks from the snapshot)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import yaml

from calendar_oracle import days_off
from conftest import Cli
from kakeai_ops.store import awards, draw_entrants
from kakeai_ops.workspace import Workspace
from test_campaign_draw import CAMPAIGN, SEED, _entries_file, _people

AS_OF = dt.date(2026, 11, 20)


def records(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli("mail", "plan", *args, "--format", "json").stdout)


def missed_months_recount(ws: Workspace, user_id: str) -> list[tuple[str, int, str]]:
    """Weeks of the window (Monday–Sunday, in the month of their Thursday) with no 1on1
    held as member, unless every weekday is a holiday; per month, oldest first, with the
    weeks as the mail names them (「6月8日〜14日の週」)."""
    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    window = config["campaigns"][CAMPAIGN]["window"]
    start, end = pd.Timestamp(window["start"]).date(), pd.Timestamp(window["end"]).date()
    off = days_off(ws)
    meetings = pd.read_parquet(ws.snapshots_dir / "0002" / "meetings.parquet")
    mine = meetings[(meetings["member_id"] == user_id) & (meetings["status"] == "held")]
    held_days = {at.date() for at in mine["held_at"] if at.date() <= AS_OF}
    missed: dict[tuple[int, int], list[dt.date]] = {}
    monday = start - dt.timedelta(days=start.weekday())
    while monday <= end:
        thursday = monday + dt.timedelta(days=3)
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        if start <= thursday <= end:
            excused = all(d in off for d in days[:5])
            if not excused and not any(d in held_days for d in days):
                missed.setdefault((thursday.year, thursday.month), []).append(monday)
        monday += dt.timedelta(days=7)

    def week(monday: dt.date) -> str:
        sunday = monday + dt.timedelta(days=6)
        last = f"{sunday.month}月" * (sunday.month != monday.month) + f"{sunday.day}日"
        return f"{monday.month}月{monday.day}日〜{last}の週"

    return [
        (f"{y}年{m}月", len(mondays), "、".join(map(week, mondays)))
        for (y, m), mondays in sorted(missed.items())
    ]


def held_in_window(ws: Workspace, user_id: str) -> tuple[int, int]:
    """1on1s held in the campaign's window (as member, as manager), counted plainly."""
    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    window = config["campaigns"][CAMPAIGN]["window"]
    meetings = pd.read_parquet(ws.snapshots_dir / "0002" / "meetings.parquet")
    held = meetings[meetings["status"] == "held"]
    days = held["held_at"].dt.date
    inside = held[(days >= window["start"]) & (days <= window["end"])]
    return int((inside["member_id"] == user_id).sum()), int((inside["manager_id"] == user_id).sum())


def test_draw_campaign_awards_winners_and_tells_the_unqualified(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    people = [p for p in _people(cli) if p["employment"] == "在籍"]
    eligible = [p["user_id"] for p in people if p["eligible"] == "true"][:20]
    unqualified = [p["user_id"] for p in people if p["eligible"] == "false"][:6]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, eligible + unqualified)))

    refused = cli("campaign", "award", CAMPAIGN, ok=False)
    assert "awarded by draw" in refused.stderr and "has not been drawn" in refused.stderr
    assert awards(sample_copy, CAMPAIGN).empty

    cli("campaign", "draw", CAMPAIGN, "--winners", "5", "--seed", SEED)
    drawn = draw_entrants(sample_copy, CAMPAIGN)
    winners = set(drawn.loc[drawn["won"], "user_id"])
    out = cli("campaign", "award", CAMPAIGN)
    assert (
        "winner(s) only" in out.stderr and "73 other eligible user(s) are not awarded" in out.stderr
    )
    # The winners are told by the winner mail, not by a second, award mail as well.
    assert f"kops mail send --winners {CAMPAIGN} --yes" in out.stderr
    assert "--awarded" not in out.stderr
    assert set(awards(sample_copy, CAMPAIGN)["user_id"]) == winners and len(winners) == 5
    assert {r["user_id"] for r in records(cli, "--awarded", CAMPAIGN)} == winners
    assert {r["user_id"] for r in records(cli, "--not-drawn", CAMPAIGN)} == set(eligible) - winners

    told = records(cli, "--not-eligible", CAMPAIGN)
    roles_seen: set[tuple[bool, bool]] = set()
    assert {r["user_id"] for r in told} == set(unqualified)
    for record in told:
        assert record["template"] == "campaign.not_eligible"
        text = cli(
            "mail", "preview", "--not-eligible", CAMPAIGN, "--user", record["user_id"]
        ).stdout
        stated = [
            (m, int(n), weeks)
            for m, n, weeks in re.findall(r"・(\d{4}年\d{1,2}月)：(\d+) 週（(.+?)）\n", text)
        ]
        assert stated == missed_months_recount(sample_copy, record["user_id"]), record["user_id"]
        assert stated  # each of them missed some week
        assert "抽選の対象外" in text and "対象期間（2026年4月〜9月）" in text
        # The weeks are missed as 部下 (the rule's role): a 上司 has records in them.
        body = " ".join(text.split())
        assert "次の月に、部下として参加した 1on1 の記録がない週がありました" in body
        assert "連続する 3 か月の、どの週にも部下として参加した 1on1 があることです" in body
        as_member, as_manager = held_in_window(sample_copy, record["user_id"])
        roles_seen.add((as_member > 0, as_manager > 0))
        # Nobody is thanked for keeping up what the records do not show.
        assert "続けてこられた" not in body
    # Among them: one with no 1on1 at all, one who held them only as 上司.
    assert {(False, False), (False, True)} <= roles_seen, roles_seen


def test_the_review_reads_the_draw_state(sample_copy: Workspace, tmp_path: Path) -> None:
    from kakeai_ops.config import load_settings
    from kakeai_ops.jobs.monthly_review.actions import _campaign_action
    from kakeai_ops.jobs.monthly_review.good_practice import campaign_figures
    from kakeai_ops.store import load_tables, resolve_snapshot

    cli = Cli(sample_copy)
    eligible = [p["user_id"] for p in _people(cli) if p["eligible"] == "true"][:10]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, eligible)))
    settings = load_settings(sample_copy.config_path)
    tables = load_tables(resolve_snapshot(sample_copy, None))

    def figures():  # type: ignore[no-untyped-def]
        return campaign_figures(sample_copy, settings, tables, AS_OF)[0]

    before = figures()
    assert before.by_draw and not before.drawn and before.entries == 10
    drawing = _campaign_action(before)
    assert drawing is not None and drawing.command.startswith(f"kops campaign draw {CAMPAIGN}")
    cli("campaign", "draw", CAMPAIGN, "--winners", "3", "--seed", SEED)
    after = figures()
    awarding = _campaign_action(after)
    assert after.winners == 3 and awarding is not None
    assert "当選者に付与" in awarding.text and "当選 3人" in awarding.basis
    cli("campaign", "award", CAMPAIGN)
    assert _campaign_action(figures()) is None  # the winners are awarded; nobody else is due


def test_not_eligible_needs_a_known_campaign_with_entries(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    unknown = cli("mail", "plan", "--not-eligible", "no-such-campaign", ok=False)
    assert "no campaign 'no-such-campaign'" in unknown.stderr
    empty = cli("mail", "plan", "--not-eligible", CAMPAIGN, ok=False)
    assert "has no entries" in empty.stderr and "kops campaign entries" in empty.stderr
    both = cli("mail", "plan", "--not-eligible", CAMPAIGN, "--winners", CAMPAIGN, ok=False)
    assert "exactly one of" in both.stderr


def test_an_entrant_on_leave_who_did_not_qualify_is_listed_left_out(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An entrant on leave who missed the condition was in no run: not drawn, not told,
    and not in the not-eligible run's left-out list either, so the secretariat never saw
    that someone who entered would hear nothing. They are listed, and still not mailed."""
    cli = Cli(sample_copy)
    people = _people(cli)
    on_leave = [p["user_id"] for p in people if p["employment"] == "休職"]
    missed = [
        p["user_id"] for p in people if p["employment"] == "在籍" and p["eligible"] == "false"
    ]
    assert on_leave and all(
        p["eligible"] == "false" for p in people if p["user_id"] in on_leave
    )  # the sample's: nobody on leave met the condition
    met = [p["user_id"] for p in people if p["eligible"] == "true"]
    entrants = on_leave[:1] + missed[:2] + met[:1]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, entrants)))
    cli("campaign", "draw", CAMPAIGN, "--winners", "1", "--seed", SEED)
    told = {r["user_id"] for r in records(cli, "--not-eligible", CAMPAIGN)}
    assert told == set(missed[:2])
    left = json.loads(
        cli("mail", "plan", "--not-eligible", CAMPAIGN, "--left-out", "--format", "json").stdout
    )
    assert [(r["user_id"], r["reason_code"]) for r in left] == [(on_leave[0], "on_leave")]

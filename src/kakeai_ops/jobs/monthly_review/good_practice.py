"""Part C of the month in the review: campaigns, milestone messages and interview candidates,
each from the same core call as its command (`kops campaign eligible`, `kops campaign
milestones`, `kops interview shortlist`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet

import pandas as pd

from ...analyses import shortlist, streaks
from ...analyses.milestones import milestones_due
from ...calendar import BusinessCalendar, judged_days
from ...config import Settings
from ...errors import KopsError
from ...mail.campaign_audience import draw_state
from ...mail.milestone_mail import milestone_baseline
from ...store import SnapshotInfo, Tables, awards, delivered_milestones
from ...workspace import Workspace
from ..interview_shortlist import candidates
from .figures import CampaignFigures, Interviews, Milestones
from .mail_counts import award_notices

TOP_PAIRS = 5  # interview candidates shown on the slide


def campaign_figures(
    ws: Workspace, settings: Settings, tables: Tables, as_of: dt.date
) -> list[CampaignFigures]:
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    result = []
    for campaign_id, campaign in settings.campaigns.items():
        users = streaks.eligibility(tables, campaign, calendar, as_of).users
        window_open = as_of <= campaign.window.end
        on_track = users["on_track"]
        state = draw_state(ws, campaign_id, campaign)
        given = set(awards(ws, campaign_id)["user_id"])
        result.append(
            CampaignFigures(
                campaign_id=campaign_id,
                title=campaign.title,
                window=f"{campaign.window.start}〜{campaign.window.end}",
                eligible=int(users["eligible"].sum()),
                on_track=int(on_track.sum()) if window_open else 0,
                awarded=len(given),
                window_open=window_open,
                by_draw=state.by_draw,
                entries=state.entries,
                drawn=state.drawn,
                winners=len(state.winners),
                awarded_winners=len(given & set(state.winners)),
                notices=award_notices(ws, campaign_id, given),
                condition=streaks.condition_words(campaign.rule),
                weeks_judged=_weeks_judged(campaign.window.start, campaign.window.end, as_of),
            )
        )
    return result


def _weeks_judged(start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """「03-30〜09-27」 where the weeks judged are not the window's days: two of the
    sample's 78 are 対象 by a 1on1 on 03-30, before the 2026-04-01 the deck named. Month
    and day: it is said beside the window, whose dates give the years (and the sheet,
    printed one page wide, has no room for two more)."""
    days = judged_days(start, end, as_of)
    if days is None or days == (start, end):
        return ""
    return f"{days[0]:%m-%d}〜{days[1]:%m-%d}"


def milestone_figures(
    ws: Workspace, settings: Settings, tables: Tables, as_of: dt.date, snapshot: SnapshotInfo
) -> Milestones:
    """What `kops campaign milestones` lists as due: crossed since the previous snapshot
    (or milestones_since); with neither, every milestone not yet delivered."""
    delivered = delivered_milestones(ws)
    try:
        since: dt.date | None = milestone_baseline(ws, settings, snapshot, as_of).since
    except KopsError:
        since = None
    due = milestones_due(tables, settings.milestones, as_of, delivered, since=since)
    people = pd.Index(due["user_id"].astype(str).unique())
    return Milestones(
        due_manager=int((due["role"] == "manager").sum()),
        due_member=int((due["role"] == "member").sum()),
        delivered=len(delivered),
        people=len(people),
        left_out=cannot_mail(tables, people, suppressed_keys(ws)),
    )


def suppressed_keys(ws: Workspace) -> set[str]:
    """The suppression list's keys (user ids and addresses)."""
    from contextlib import closing

    from ...store.ledger import Ledger

    with closing(Ledger(ws)) as ledger:
        return set(ledger.suppressed())


def cannot_mail(
    tables: Tables, people: pd.Index, suppressed: AbstractSet[str] = frozenset()
) -> dict[str, int]:
    """Who of ``people`` a send leaves out, by reason, in the order the audience checks
    (on leave, no address, then the suppression list by id or address): their notices
    make no mail. (The suppression list left out, the count said 52 mails of a send of 50.)"""
    users = tables.users.drop_duplicates("user_id").set_index("user_id")
    found = users.reindex(people)
    on_leave = found["employment_status"].astype(str).eq("leave")
    email = found["email"].astype(object).where(found["email"].notna(), "").astype(str).str.strip()
    no_email = ~on_leave & email.eq("")
    listed = pd.Series(
        [
            u in suppressed or e.lower() in suppressed
            for u, e in zip(found.index, email, strict=True)
        ],
        index=found.index,
    )
    on_list = ~on_leave & ~no_email & listed
    reasons = {
        "on_leave": int(on_leave.sum()),
        "no_email": int(no_email.sum()),
        "suppressed": int(on_list.sum()),
    }
    return {key: n for key, n in reasons.items() if n}


TOP_COLUMNS = [
    *shortlist.PAIR_COLUMNS,
    "held",
    "sukkiri_avg",
    "score",
    "spread_note",
    "top_topics",
]


def interview_figures(
    ws: Workspace, settings: Settings, tables: Tables, as_of: dt.date, stuck: pd.DataFrame
) -> Interviews:
    """The shortlist's first picks, as `kops interview shortlist` makes them (``stuck``: the
    review's stuck points of ``tables`` at ``as_of``, not worked out twice)."""
    rules = settings.interview
    frame = candidates(ws, settings, tables, as_of, stuck=stuck).pairs
    # The count is of the pairs the shortlist chooses from: eligible, and without a stuck point.
    result = shortlist.select(frame, rules, shortlist.Options(rules.n))
    # Picked one by one, each spread against those before it: the first five of six
    # are the five a list of five picks.
    picked = result.picks.head(TOP_PAIRS)
    if picked.empty:
        return Interviews(result.candidates, pd.DataFrame(columns=TOP_COLUMNS), rules.lookback_days)
    topics = shortlist.top_topics(tables.meetings, picked, rules, as_of)
    top = pd.DataFrame(
        {
            "rank": range(1, len(picked) + 1),
            "manager_id": picked["manager_id"].astype(str),
            "manager_name": picked["manager_name"],
            "member_id": picked["member_id"].astype(str),
            "member_name": picked["member_name"],
            "division": picked["member_division"],
            "held": picked["held"].astype(int),
            # Rounded once, where it is shown (0.0): 4.5454… kept as 4.55 read 4.6 on the
            # slide and 4.5 in `kops interview shortlist`.
            "sukkiri_avg": picked["sukkiri_avg"].astype(float).round(6),
            "score": picked["score"].astype(float).round(2),
            "spread_note": picked["spread_note"].astype(str),
            "top_topics": [
                topics.get((str(a), str(b)), "")
                for a, b in zip(picked["manager_id"], picked["member_id"], strict=True)
            ],
        }
    )
    return Interviews(
        result.candidates, top.reset_index(drop=True), rules.lookback_days, len(result.picks)
    )

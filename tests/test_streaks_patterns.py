"""The vectorised missed-weeks text of ``eligibility`` against the plain rule, user by
user (``user_weeks``), on random 1on1s, for short windows and for windows longer than
64 weeks (numbered another way)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.streaks import eligibility, user_weeks
from kakeai_ops.calendar import BusinessCalendar
from kakeai_ops.config import parse_settings

CAL = BusinessCalendar([(dt.date(2026, 8, 10), dt.date(2026, 8, 14))])


def _campaign(start: str, end: str, role: str):  # type: ignore[no-untyped-def]
    rule = {"kind": "weekly_streak", "months": 3, "role": role, "min_per_week": 1}
    settings = parse_settings(
        {"campaigns": {"c": {"title": "t", "window": {"start": start, "end": end}, "rule": rule}}}
    )
    return settings.campaigns["c"]


@pytest.mark.parametrize(
    ("start", "end", "as_of", "role"),
    [
        ("2026-04-01", "2026-09-30", dt.date(2026, 10, 5), "member"),
        ("2025-01-01", "2026-09-30", dt.date(2026, 10, 5), "any"),  # 91 weeks
        ("2025-01-01", "2026-09-30", dt.date(2025, 6, 20), "manager"),  # mid-window
    ],
)
def test_missed_weeks_match_the_plain_rule(start: str, end: str, as_of: dt.date, role: str) -> None:
    pick = random.Random(7)
    people = [f"U{i:02d}" for i in range(30)]
    first = dt.date.fromisoformat(start)
    days = (dt.date.fromisoformat(end) - first).days
    meetings = []
    for i in range(0, 30, 2):
        manager, member = people[i], people[i + 1]
        # Some people almost every week, others now and then: many distinct patterns.
        for _ in range(pick.choice([5, 40, 80, days // 6])):
            day = first + dt.timedelta(days=pick.randrange(days))
            meetings.append(meeting(manager, member, f"{day} 10:00"))
    t = tables(
        [user(p) for p in people],
        [pair(people[i], people[i + 1]) for i in range(0, 30, 2)],
        meetings,
    )
    campaign = _campaign(start, end, role)
    result = eligibility(t, campaign, CAL, as_of)
    months = {f"{y:04d}-{m:02d}": i for i, (y, m) in enumerate(result.grid.months)}
    checked = 0
    for row in result.users.itertuples():
        weeks = user_weeks(result, t, campaign, CAL, as_of, row.user_id)
        if row.eligible or not row.run_start:
            expected = []
        else:
            run = range(months[row.run_start], months[row.run_end] + 1)
            expected = [
                w.monday.isoformat()
                for w in weeks
                if w.status == "missed" and months[f"{w.month[0]:04d}-{w.month[1]:02d}"] in run
            ]
            checked += bool(expected)
        assert row.missed_weeks == ";".join(expected), row.user_id
    assert checked >= 5  # the plain rule was really exercised

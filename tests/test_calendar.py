"""The business calendar: pinned facts about 2026."""

from __future__ import annotations

import datetime as dt

from kakeai_ops.calendar import (
    BusinessCalendar,
    months_between,
    weeks_of_month,
)

D = dt.date


def test_public_holidays_include_substitute_and_citizens_holidays() -> None:
    cal = BusinessCalendar()
    assert cal.holiday_name(D(2026, 5, 6)) == "振替休日"
    assert cal.holiday_name(D(2026, 9, 22)) == "国民の休日"
    assert cal.holiday_name(D(2026, 1, 1)) == "元日"
    assert cal.is_business_day(D(2026, 11, 24))
    assert not cal.is_business_day(D(2026, 11, 23))  # 勤労感謝の日
    assert not cal.is_business_day(D(2026, 11, 22))  # a Sunday


def test_company_holidays_and_excused_weeks() -> None:
    cal = BusinessCalendar([(D(2026, 12, 29), D(2027, 1, 3)), (D(2026, 8, 10), D(2026, 8, 14))])
    assert cal.holiday_name(D(2026, 12, 30)) == "会社休日"
    assert cal.is_excused_week(D(2026, 8, 10))  # Mon–Fri all company holidays
    assert not cal.is_excused_week(D(2026, 12, 28))  # Monday 12/28 is a business day
    assert not BusinessCalendar().is_excused_week(D(2026, 8, 10))
    # Golden Week 2026: 5/4–5/6 are holidays but 5/7 and 5/8 are business days.
    assert not cal.is_excused_week(D(2026, 5, 4))
    names = dict(cal.week_holidays(D(2026, 5, 4)))
    assert names == {
        D(2026, 5, 4): "みどりの日",
        D(2026, 5, 5): "こどもの日",
        D(2026, 5, 6): "振替休日",
    }


def test_iso_weeks_and_the_thursday_rule() -> None:
    assert D(2026, 12, 28).isocalendar().week == 53  # 2026 has an ISO week 53
    assert weeks_of_month(2026, 4)[0] == D(2026, 3, 30)  # its Thursday is 4/2
    assert D(2026, 9, 28) in weeks_of_month(2026, 10)  # its Thursday is 10/1
    assert weeks_of_month(2026, 9) == [
        D(2026, 8, 31),
        D(2026, 9, 7),
        D(2026, 9, 14),
        D(2026, 9, 21),
    ]
    # Every week is in exactly one month; 2026 has 53 weeks (12/29/2025 … 12/28/2026).
    weeks = [w for m in range(1, 13) for w in weeks_of_month(2026, m)]
    assert len(weeks) == len(set(weeks)) == 53
    assert weeks[0] == D(2025, 12, 29) and weeks[-1] == D(2026, 12, 28)
    assert months_between(D(2026, 4, 1), D(2026, 9, 30))[0] == (2026, 4)
    assert months_between(D(2026, 4, 15), D(2026, 9, 30))[0] == (2026, 5)

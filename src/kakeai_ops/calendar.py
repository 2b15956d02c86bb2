"""Business days: Japanese public holidays, company holidays, ISO weeks and the
week → month rule (a week belongs to the month of its Thursday, as in ISO 8601)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
import numpy as np

DAY = dt.timedelta(days=1)
COMPANY_HOLIDAY = "会社休日"


class BusinessCalendar:
    """Japanese public holidays (with 振替休日 and 国民の休日) plus the company's own."""

    def __init__(self, company_holidays: Iterable[tuple[dt.date, dt.date]] = ()) -> None:
        self.company_ranges = sorted(company_holidays)
        # observed=True (the default) keeps 振替休日 and 国民の休日; years load on first lookup.
        self._public = holidays.country_holidays("JP", language="ja", observed=True)

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name (e.g. 振替休日, or 会社休日), or None on an ordinary day."""
        name = self._public.get(day)
        if name:
            return str(name)
        for start, end in self.company_ranges:
            if start <= day <= end:
                return COMPANY_HOLIDAY
        return None

    def is_holiday(self, day: dt.date) -> bool:
        return self.holiday_name(day) is not None

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def is_excused_week(self, monday: dt.date) -> bool:
        """A week with no business day: Monday–Friday are all holidays."""
        return not any(self.is_business_day(monday + i * DAY) for i in range(5))

    def week_holidays(self, monday: dt.date) -> list[tuple[dt.date, str]]:
        days = (monday + i * DAY for i in range(5))
        return [(d, name) for d in days if (name := self.holiday_name(d))]

    def excused(self, mondays: Iterable[dt.date]) -> np.ndarray:
        return np.array([self.is_excused_week(m) for m in mondays], dtype=bool)


def weeks_of_month(year: int, month: int) -> list[dt.date]:
    """The Mondays of the weeks whose Thursday falls in the month (4 or 5 weeks)."""
    first = dt.date(year, month, 1)
    # The first Thursday on or after the 1st, then back to its Monday.
    thursday = first + ((3 - first.weekday()) % 7) * DAY
    weeks = []
    while thursday.month == month:
        weeks.append(thursday - 3 * DAY)
        thursday += 7 * DAY
    return weeks


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Calendar months lying wholly within [start, end]."""
    months = []
    year, month = start.year, start.month
    if start.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while True:
        first = dt.date(year, month, 1)
        last = (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - DAY
        if first < start or last > end:
            break
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months

"""Business days: Japanese public holidays, company holidays, ISO weeks and the
week → month rule (a week belongs to the month of its Thursday, as in ISO 8601)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

DAY = dt.timedelta(days=1)
COMPANY_HOLIDAY = "会社休日"


class BusinessCalendar:
    """Japanese public holidays (with 振替休日 and 国民の休日) plus the company's own."""

    def __init__(self, company_holidays: Iterable[tuple[dt.date, dt.date]] = ()) -> None:
        self.company_ranges = sorted(company_holidays)

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name (e.g. 振替休日, or 会社休日), or None on an ordinary day."""
        name = public_holiday(day)
        if name:
            return name
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


def judged_days(
    start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the weeks judged for a window: the weeks of the months
    wholly within it, each week in the month of its Thursday, and (with ``as_of``) only
    months whose weeks have all ended by then. A window of 04-01 to 09-30 judges 03-30
    to 09-27: its first week starts in March, and 09-28's week is October's. None when
    no month is judged."""
    months = [
        m
        for m in months_between(start, end)
        if as_of is None or weeks_of_month(*m)[-1] + 6 * DAY <= as_of
    ]
    if not months:
        return None
    first, last = weeks_of_month(*months[0])[0], weeks_of_month(*months[-1])[-1]
    return first, last + 6 * DAY


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


# Japanese public holidays are the holidays library's (observed=True keeps 振替休日 and
# 国民の休日). Importing it loads every country it knows, about 250 modules: a quarter of a
# second, in a command that takes about a second in all on a company of a few hundred. Its
# answers for these years are kept per library version in the user's cache folder
# (KOPS_CACHE_DIR), so that a later command reads one small file instead; another version
# of the library, or a file that is not what kops wrote, is worked out afresh.
CACHED_YEARS = range(2000, 2051)
CACHE_FORMAT = 1
# The table kops writes is about 28 KB; a file far larger is someone else's.
MAX_CACHE_BYTES = 1_000_000


def public_holiday(day: dt.date) -> str | None:
    """The name of the Japanese public holiday on ``day`` (in Japanese), or None."""
    if day.year in CACHED_YEARS:
        return _cached_table().get(day)
    return _library_table((day.year,)).get(day)


@functools.cache
def _cached_table() -> dict[dt.date, str]:
    version = _library_version()
    try:
        path = cache_folder() / f"holidays-jp-{version}.json" if version else None
    except RuntimeError:  # no home folder to be found (Path.home): the library each time
        path = None
    if path is not None:
        found = _read_table(path, version)
        if found is not None:
            return found
    table = _library_table(tuple(CACHED_YEARS))
    if path is not None:
        _write_table(path, version, table)
    return table


@functools.lru_cache(maxsize=8)  # a year outside CACHED_YEARS: once, not per day looked up
def _library_table(years: tuple[int, ...]) -> dict[dt.date, str]:
    import holidays

    found = holidays.country_holidays("JP", years=years, language="ja", observed=True)
    return {day: str(name) for day, name in found.items()}


def _library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - installed with kops
        return ""


def cache_folder() -> Path:
    """KOPS_CACHE_DIR, or the user's cache folder: %LOCALAPPDATA%/kops/cache on Windows,
    ~/Library/Caches/kops on macOS, $XDG_CACHE_HOME/kops (~/.cache/kops) elsewhere."""
    named = os.environ.get("KOPS_CACHE_DIR")
    if named:
        return Path(named)
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "kops" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "kops"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kops"


def _read_table(path: Path, version: str) -> dict[dt.date, str] | None:
    """The table kops wrote for this library version, or None (missing, unreadable, or
    not in the form kops writes: then it is worked out again and written over)."""
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:  # not what kops writes: not read at all
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT or data.get("holidays_version") != version:
            return None
        if data.get("years") != [CACHED_YEARS.start, CACHED_YEARS.stop - 1]:
            return None
        table = {dt.date.fromisoformat(day): name for day, name in data["days"].items()}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return None
    if not all(isinstance(name, str) and name for name in table.values()):
        return None
    if not all(day.year in CACHED_YEARS for day in table):
        return None
    return table


def _write_table(path: Path, version: str, table: dict[dt.date, str]) -> None:
    """Written whole or not at all (a temporary file renamed); a folder kops may not write
    to only means the next command works the table out again."""
    data = {
        "format": CACHE_FORMAT,
        "holidays_version": version,
        "years": [CACHED_YEARS.start, CACHED_YEARS.stop - 1],
        "days": {day.isoformat(): name for day, name in sorted(table.items())},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".holidays-", suffix=".json", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)

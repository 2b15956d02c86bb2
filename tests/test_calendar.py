"""The business calendar: pinned facts about 2026."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import holidays
import pytest

from kakeai_ops import calendar
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


# The holiday table kept in the user's cache folder (calendar.public_holiday).


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of the test's own, and no table remembered in this process."""
    monkeypatch.setenv("KOPS_CACHE_DIR", str(tmp_path / "cache"))
    calendar._cached_table.cache_clear()
    yield tmp_path / "cache"
    calendar._cached_table.cache_clear()


def _library(days: list[dt.date]) -> dict[dt.date, str | None]:
    years = sorted({day.year for day in days})
    found = holidays.country_holidays("JP", years=years, language="ja", observed=True)
    return {day: str(found[day]) if day in found else None for day in days}


def test_every_day_is_the_librarys_answer_first_and_from_the_kept_table(cache: Path) -> None:
    days = [D(1998, 1, 1) + i * calendar.DAY for i in range((D(2052, 12, 31) - D(1998, 1, 1)).days)]
    expected = _library(days)
    assert sum(1 for name in expected.values() if name) > 800  # 16 a year, give or take
    assert {day: calendar.public_holiday(day) for day in days} == expected  # worked out
    (kept,) = cache.glob("holidays-jp-*.json")
    assert importlib.metadata.version("holidays") in kept.name
    calendar._cached_table.cache_clear()
    assert {day: calendar.public_holiday(day) for day in days} == expected  # read back


def test_a_later_command_reads_the_table_and_loads_no_holiday_library(cache: Path) -> None:
    script = (
        "import sys, datetime as dt\n"
        "from kakeai_ops.calendar import BusinessCalendar\n"
        "cal = BusinessCalendar()\n"
        "print(cal.holiday_name(dt.date(2026, 5, 6)), cal.holiday_name(dt.date(2026, 9, 22)),"
        " cal.is_business_day(dt.date(2026, 11, 24)), 'holidays' in sys.modules)\n"
    )
    env = {**os.environ, "KOPS_CACHE_DIR": str(cache)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == ["振替休日", "国民の休日", "True", "True"]  # worked out, then kept
    assert runs[1] == ["振替休日", "国民の休日", "True", "False"]  # read back only


FAKE = {"2026-11-23": "勤労感謝の日", "2026-11-24": "偽の休日", "2026-05-06": "振替休日"}


def _kept(cache: Path) -> Path:
    return cache / f"holidays-jp-{importlib.metadata.version('holidays')}.json"


def _written(cache: Path, **changes: Any) -> None:
    calendar.public_holiday(D(2026, 1, 1))
    data = json.loads(_kept(cache).read_text(encoding="utf-8"))
    data.update(changes)
    _kept(cache).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    calendar._cached_table.cache_clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda cache: _kept(cache).write_bytes(b"\x00\xff not json"),
        lambda cache: _kept(cache).write_text("[]", encoding="utf-8"),
        lambda cache: _kept(cache).write_text("{}", encoding="utf-8"),
        # Well formed but not for this library or this kops: were it read, 11/24 would be
        # a holiday.
        lambda cache: _written(cache, holidays_version="0.0", days=FAKE),
        lambda cache: _written(cache, format=0, days=FAKE),
        lambda cache: _written(cache, years=[2026, 2026], days=FAKE),
        lambda cache: _written(cache, days={"2026-11-24": 1}),
        lambda cache: _written(cache, days={"2026-13-01": "休日"}),
        lambda cache: _written(cache, days={"1990-11-24": "休日"}),
        lambda cache: _written(cache, days="2026-11-24"),
        # A huge file is not read at all (a well-formed one, were it read, says 11/24).
        lambda cache: _written(cache, days={**FAKE, "2026-01-02": "x" * 2_000_000}),
    ],
)
def test_a_kept_table_kops_did_not_write_is_worked_out_again(
    cache: Path, damage: Callable[[Path], object]
) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    damage(cache)
    calendar._cached_table.cache_clear()
    assert calendar.public_holiday(D(2026, 11, 23)) == "勤労感謝の日"
    assert calendar.public_holiday(D(2026, 11, 24)) is None
    assert calendar.public_holiday(D(2026, 5, 6)) == "振替休日"
    # …and written again whole, for the next command.
    calendar._cached_table.cache_clear()
    data = json.loads(_kept(cache).read_text(encoding="utf-8"))
    assert data["days"]["2026-11-23"] == "勤労感謝の日" and "2026-11-24" not in data["days"]
    assert [p.name for p in cache.iterdir()] == [_kept(cache).name]  # no temporary file left


def test_a_cache_folder_kops_cannot_write_still_gives_every_holiday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x", encoding="utf-8")
    monkeypatch.setenv("KOPS_CACHE_DIR", str(blocked / "cache"))
    calendar._cached_table.cache_clear()
    try:
        assert BusinessCalendar().holiday_name(D(2026, 5, 6)) == "振替休日"
    finally:
        calendar._cached_table.cache_clear()
    assert blocked.read_text(encoding="utf-8") == "x"


def test_the_cache_folder_is_the_users_on_each_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOPS_CACHE_DIR")
    monkeypatch.setenv("LOCALAPPDATA", "C:/Users/yamada/AppData/Local")
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/yamada/.cache")
    monkeypatch.setattr(sys, "platform", "win32")
    assert calendar.cache_folder() == Path("C:/Users/yamada/AppData/Local/kops/cache")
    monkeypatch.setattr(sys, "platform", "linux")
    assert calendar.cache_folder() == Path("/home/yamada/.cache/kops")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert calendar.cache_folder() == Path.home() / "Library" / "Caches" / "kops"


def test_without_a_home_folder_the_holidays_come_from_the_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A service account or a stripped environment may have no home folder to be found."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("KOPS_CACHE_DIR")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    calendar._cached_table.cache_clear()
    try:
        assert BusinessCalendar().holiday_name(D(2026, 9, 22)) == "国民の休日"
    finally:
        calendar._cached_table.cache_clear()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-04-01", "2026-09-30"),  # the sample campaign: from 03-30, to 09-27
        ("2026-06-01", "2026-08-31"),  # June 1 is a Monday; August's last week ends 09-06
        ("2026-04-15", "2026-07-10"),  # half months are not judged: May and June
        ("2026-01-01", "2026-12-31"),
    ],
)
def test_the_days_judged_are_those_of_the_weeks_of_the_whole_months(start: str, end: str) -> None:
    """Counted day by day: a day is judged when its week's Thursday (ISO 8601) falls in a
    month lying wholly inside the window."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    whole = set()
    day = dt.date(first.year, first.month, 1)
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if first <= day and following - dt.timedelta(days=1) <= last:
            whole.add((day.year, day.month))
        day = following
    judged = []
    day = first - dt.timedelta(days=10)
    while day <= last + dt.timedelta(days=10):
        thursday = day + dt.timedelta(days=3 - day.weekday())
        if (thursday.year, thursday.month) in whole:
            judged.append(day)
        day += dt.timedelta(days=1)
    assert calendar.judged_days(first, last) == (judged[0], judged[-1])


def test_a_window_of_no_whole_month_judges_no_day() -> None:
    assert calendar.judged_days(dt.date(2026, 4, 2), dt.date(2026, 5, 30)) is None


def test_only_months_whose_weeks_have_ended_are_judged() -> None:
    """As of 2026-11-20, a window of 10-01 to 11-30 has judged October alone (its weeks end
    on 11-01); November's last week ends on 11-29."""
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 30)
    assert calendar.judged_days(start, end, dt.date(2026, 11, 20)) == (
        dt.date(2026, 9, 28),
        dt.date(2026, 11, 1),
    )
    assert calendar.judged_days(start, end, dt.date(2026, 10, 31)) is None
    assert calendar.judged_days(start, end, dt.date(2026, 11, 29)) == (
        dt.date(2026, 9, 28),
        dt.date(2026, 11, 29),
    )

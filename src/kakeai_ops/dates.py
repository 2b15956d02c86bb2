"""Dates as people type them, and periods labelled by what they cover.

One parser for every date a person types into an option (``--as-of``, ``--since``,
``--date``…), so 2026-11-20, 2026/11/20, 2026/1/5, 20261120 and 2026年11月20日 all
mean the same day everywhere; and one label for a period, so a month the data does
not cover to its end reads 「2026年11月（20日まで）」 in every report, sheet, chart,
deck and mail.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from .errors import KopsError
from .i18n import N_, _

DATE_FORMS = N_("2026-11-20, 2026/11/20, 2026/1/5 or 20261120")

_SEPARATED = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def typed_text(text: object) -> str:
    """What a person typed into an option, as they see it: full-width forms as ASCII
    (NFKC), and without invisible marks (zero-width spaces, a BOM, word joiners,
    direction marks) that text copied from a document or a mail carries along."""
    value = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()


def parse_date(text: str, option: str) -> dt.date:
    """The day ``text`` names, typed as people type it; ``option`` names it in errors.

    Full-width digits and separators (２０２６／１１／２０) are read as their ASCII forms.
    A day that does not exist (2026-02-30) is refused with the month's last day.
    """
    value = typed_text(text)
    match = _SEPARATED.fullmatch(value) or _COMPACT.fullmatch(value)
    if match is None:
        raise KopsError(
            _("{option}: '{text}' is not a date").format(option=option, text=text),
            hint=_("write a date as {forms}").format(forms=_(DATE_FORMS)),
        )
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise KopsError(
            _("{option}: '{text}' is not a date: there is no month {month}").format(
                option=option, text=text, month=month
            ),
            hint=_("write a date as {forms}").format(forms=_(DATE_FORMS)),
        )
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last or year < 1:
        raise KopsError(
            _("{option}: '{text}' is not a date: {year}年{month}月 has days 1–{last}").format(
                option=option, text=text, year=year, month=month, last=last
            ),
            hint=_("write a date as {forms}").format(forms=_(DATE_FORMS)),
        )
    return dt.date(year, month, day)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def japanese_date(day: dt.date) -> str:
    """2026年11月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_label(start: dt.date, end: dt.date, data_end: dt.date | None = None) -> str:
    """The period in Japanese, saying where the data stops when it stops before the end.

    A calendar month: 「2026年11月」, or 「2026年11月（20日まで）」 when the data ends on
    the 20th. Whole months: 「2026年10〜12月」 (「2026年10〜12月（11月20日まで）」).
    Any other range: 「2026年10月22日〜11月20日」, its end cut at the data's end.
    """
    partial = data_end is not None and start <= data_end < end
    whole_months = start.day == 1 and end == month_end(end)
    if whole_months:
        if (start.year, start.month) == (end.year, end.month):
            text = f"{start.year}年{start.month}月"
        elif start.year == end.year:
            text = f"{start.year}年{start.month}〜{end.month}月"
        else:
            text = f"{start.year}年{start.month}月〜{end.year}年{end.month}月"
        if partial and data_end is not None:
            if (start.year, start.month) == (end.year, end.month):
                cut = f"{data_end.day}日"
            else:
                cut = _day_in(data_end, end.year)
            text += f"（{cut}まで）"
        return text
    shown_end = data_end if partial and data_end is not None else end
    return f"{japanese_date(start)}〜{_day_in(shown_end, start.year)}"


def _day_in(day: dt.date, year: int) -> str:
    """A day written after one of ``year``: 「11月20日」, with its year only when it differs."""
    return f"{day.month}月{day.day}日" if day.year == year else japanese_date(day)


def stale_note(snapshot_id: str, as_of: dt.date, today: dt.date, stale_days: int) -> str | None:
    """Why a snapshot's data is too old to mail people from, or None while it is fresh:
    older than ``stale_days`` (rules.stale_days), people may have met or left since."""
    age = (today - as_of).days
    if age <= stale_days:
        return None
    return _(
        "snapshot {snapshot} is {age} days old: its data runs to {as_of} and today is "
        "{today} (rules.stale_days: {stale_days}); people may have met, logged in or left since"
    ).format(
        snapshot=snapshot_id,
        age=age,
        as_of=as_of.isoformat(),
        today=today.isoformat(),
        stale_days=stale_days,
    )


def plan_age_note(as_of: object, today: dt.date, stale_days: int) -> str | None:
    """What to say of a run's stored plan made on data to ``as_of`` (its mails state that
    day's facts), or None while that is no older than ``stale_days``."""
    try:
        day = dt.date.fromisoformat(str(as_of)[:10])
    except ValueError:
        return None
    age = (today - day).days
    if age <= stale_days:
        return None
    return _(
        "this run was planned on data to {day} ({age} days ago): its mails say what "
        "was true then; some of those it reaches may have moved on since"
    ).format(day=day, age=age)


def stale_by(snapshot_id: str, as_of: dt.date | None, day: dt.date, stale_days: int) -> str:
    """What to add to 「the same command sends them from ``day``」 when the snapshot's data
    will be too old to mail from by then: that command is refused on that day (checked as
    ``stale_note``) unless newer exports are ingested first or --stale-ok is given."""
    if as_of is None or (day - as_of).days <= stale_days:
        return ""
    return _(
        " (by then snapshot {snapshot} is {age} days old, over rules.stale_days: ingest "
        "the latest exports first, or add --stale-ok)"
    ).format(snapshot=snapshot_id, age=(day - as_of).days)


def is_partial(start: dt.date, end: dt.date, data_end: dt.date | None) -> bool:
    """The data stops inside the period (its last days are not covered)."""
    return data_end is not None and start <= data_end < end


def covered_days(start: dt.date, end: dt.date, data_end: dt.date | None) -> int:
    """Days of the period the data covers: up to ``data_end`` when it stops inside."""
    last = min(end, data_end) if data_end is not None else end
    return max(0, (last - start).days + 1)

"""What a template sees: the recipient, their facts, the sender, and the seminar,
campaign or milestone the message is about."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..calendar import BusinessCalendar, weeks_of_month
from ..config import Mail, Settings
from ..errors import KopsError
from ..i18n import _
from ..model import PERSON_COLUMNS
from .audience_kinds import campaign_of

if TYPE_CHECKING:
    from .audience import AudienceSpec


WEEKDAYS = "月火水木金土日"


def date_text(value: Any) -> str:
    """「2026年11月20日（金）」: a day in a mail says its weekday, as people plan by it."""
    if type(value) is pd.Timestamp:  # the usual case, without the conversions below
        return f"{value.year}年{value.month}月{value.day}日（{WEEKDAYS[value.weekday()]}）"
    if value is None or pd.isna(value):
        return "記録なし"
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日（{WEEKDAYS[stamp.weekday()]}）"


# Up to this many values, one at a time costs less than taking the column apart.
FEW = 200


def date_texts(values: pd.Series) -> list[str]:
    """date_text of each value of a column, the dates taken apart for the column at once
    (a Timestamp per value costs more than the rest of a recipient's context)."""
    if len(values) <= FEW or not pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [date_text(value) for value in values.tolist()]
    gone = values.isna().tolist()
    years, months, days, weekdays = (
        part.fillna(0).astype("int64").tolist()
        for part in (values.dt.year, values.dt.month, values.dt.day, values.dt.day_of_week)
    )
    return [
        "記録なし" if absent else f"{year}年{month}月{day}日（{WEEKDAYS[weekday]}）"
        for absent, year, month, day, weekday in zip(
            gone, years, months, days, weekdays, strict=True
        )
    ]


# The dates a context shows as text, and the facts they come from.
DATE_FACTS = {"last_login_date": "last_login_at", "last_held_date": "last_held_at"}


def _date_fact(row: dict[str, Any], key: str) -> str:
    """The date as text: given in the row (see fact_rows), or from the date itself."""
    text = row.get(key)
    return text if text is not None else date_text(row[DATE_FACTS[key]])


def missing(value: Any) -> bool:
    """pd.isna of one value (None, NaN, NaT, NA), without its cost for the usual str or int."""
    if type(value) is str or type(value) is int:
        return False
    return bool(pd.isna(value))


# The person as a template sees them: who and where they are, and their role.
USER_KEYS = ("user_id", *PERSON_COLUMNS, "role")


def month_text(value: str | None) -> str:
    if not value:
        return ""
    year, month = value.split("-")
    return f"{int(year)}年{int(month)}月"


def run_text(first: str | None, last: str | None) -> str:
    """「2026年7月から9月まで」: the months of a run as said, the year once when it is one
    year (「2025年11月から2026年1月まで」 across two)."""
    if not first or not last:
        return ""
    start, end = month_text(first), month_text(last)
    if first[:4] == last[:4]:
        end = end.removeprefix(f"{int(first[:4])}年")
    return f"{start}から{end}まで"


def month_range_text(first: str, last: str) -> str:
    """「2026年4月〜9月」: two months (YYYY-MM) as said, the year once within a year."""
    start, end = month_text(first), month_text(last)
    if first[:4] == last[:4]:
        end = end.removeprefix(f"{int(first[:4])}年")
    return f"{start}〜{end}"


@functools.lru_cache(maxsize=64)
def excused_weeks_text(
    company_holidays: tuple[tuple[dt.date, dt.date], ...], first: str | None, last: str | None
) -> tuple[str, ...]:
    """The weeks of the months ``first`` … ``last`` (YYYY-MM) that have no business day,
    as 「2026年8月10日〜16日の週」: a streak excuses them, so an award mail that says
    "every week" names them rather than claim a 1on1 nobody held (rules.md §2)."""
    if not first or not last:
        return ()
    calendar = BusinessCalendar(company_holidays)
    year, month = (int(part) for part in first.split("-"))
    texts = []
    while f"{year:04d}-{month:02d}" <= last:
        for monday in weeks_of_month(year, month):
            if calendar.is_excused_week(monday):
                sunday = monday + dt.timedelta(days=6)
                end = (
                    f"{sunday.day}日"
                    if sunday.month == monday.month
                    else (f"{sunday.month}月{sunday.day}日")
                )
                texts.append(f"{monday.year}年{monday.month}月{monday.day}日〜{end}の週")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(texts)


ROLE_1ON1 = {
    "member": "部下として参加した 1on1",
    "manager": "上司として実施した 1on1",
    "any": "1on1",
}


def missed_week_text(role: str, min_per_week: int) -> str:
    """「部下として参加した 1on1 の記録がない週」: a week a streak rule counts as missed."""
    held = ROLE_1ON1[role]
    if min_per_week == 1:
        return f"{held} の記録がない週"
    return f"{held} が {min_per_week} 回に満たない週"


def streak_rule_text(months: int, role: str, min_per_week: int) -> str:
    """「対象期間のうち連続する 3 か月の、どの週にも部下として参加した 1on1 があること」."""
    held = ROLE_1ON1[role]
    each = f"{held} がある" if min_per_week == 1 else f"{held} が {min_per_week} 回以上ある"
    space = " " if held.isascii() else ""  # 「どの週にも 1on1 がある」, as the house writes 1on1
    return f"対象期間のうち連続する {months} か月の、どの週にも{space}{each}こと"


def sender_context(mail: Mail) -> dict[str, Any]:
    """Who the mail is from, as every template sees it."""
    return {"from_name": mail.from_name, "contact": mail.contact, "reply_to": mail.reply_to}


def template_context(
    row: dict[str, Any],
    settings: Settings,
    extra: dict[str, Any],
    seminar: dict[str, Any] | None,
    campaign: Any,
    spec: AudienceSpec,
    sender: dict[str, Any] | None = None,
    shared: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the templates see for one recipient (``sender``: the run's sender_context;
    ``shared``: what every recipient of the run sees alike, see run_context)."""
    user = {key: row[key] for key in USER_KEYS}
    for key, value in user.items():
        if type(value) is not str and missing(value):
            user[key] = None
    facts = {
        "stuck_point": row["stuck_point"],
        "stuck_point_label": row["stuck_point_label"],
        "flags": row["flags"],
        "last_login_date": _date_fact(row, "last_login_date"),
        "last_held_date": _date_fact(row, "last_held_date"),
        "held_total": int(row["held_total"]),
        "pairs_as_manager": int(row["pairs_as_manager"]),
        "pairs_as_member": int(row["pairs_as_member"]),
        "recurring_pairs": int(row["recurring_pairs"]),
        "recent_count": int(row["recent_count"]),
        "recent_prepared": int(row["recent_prepared"]),
        "recent_rated": int(row["recent_rated"]),
        "invites_to_accept": int(row["invites_to_accept"]),
    }
    mail = settings.mail
    context: dict[str, Any] = {
        "name": row["name"],
        "honorific": mail.honorific,
        "user": user,
        "facts": facts,
        "mail": sender if sender is not None else sender_context(mail),
    }
    if shared:
        context.update(shared)
    if seminar is not None:
        context["seminar"] = seminar
    if campaign is not None:
        context["campaign"] = campaign_context(campaign, spec, extra, settings)
    if "milestones" in extra:
        due = extra["milestones"]
        context["milestones"] = due
        if len(due) == 1:  # a mail to one role: its milestone and count by plain names too
            (role, step), *_ = due.items()
            context["role"] = role
            context["milestone"] = step["milestone"]
            context["held_in_role"] = step["count"]
    return context


def campaign_context(
    campaign: Any, spec: AudienceSpec, extra: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    """The campaign a mail is about, with the reader's run of months and what they missed."""
    return {
        "id": campaign_of(spec.who),
        "title": campaign.title,
        "next_steps": list(campaign.next_steps),
        "run_start": extra.get("run_start"),
        "run_end": extra.get("run_end"),
        "run_start_text": month_text(extra.get("run_start")),
        "run_end_text": month_text(extra.get("run_end")),
        "run_text": run_text(extra.get("run_start"), extra.get("run_end")),
        "excused_weeks": list(
            excused_weeks_text(
                tuple(settings.calendar.company_holidays),
                extra.get("run_start"),
                extra.get("run_end"),
            )
        ),
        "window_text": month_range_text(
            f"{campaign.window.start:%Y-%m}", f"{campaign.window.end:%Y-%m}"
        ),
        # What a missed week lacked, as the rule counts it: a 上司 with a 1on1 every week
        # as 上司 has records in the weeks a member-only rule calls missed.
        "missed_week_text": missed_week_text(campaign.rule.role, campaign.rule.min_per_week),
        # The 1on1s the rule counts, in the award's words: 11 of 77 awarded also manage,
        # and 「毎週 1on1 を続けて」 did not say their own 1on1s as 上司 were not the ones.
        "held_text": ROLE_1ON1[campaign.rule.role],
        "rule_text": streak_rule_text(
            campaign.rule.months, campaign.rule.role, campaign.rule.min_per_week
        ),
        "missed_months": [
            {
                "month_text": f"{entry[0]}年{entry[1]}月",
                "weeks": entry[2],
                # 「5月4日〜10日の週、…」: weeks one can check against one's calendar
                # (a plan stored before they were named has none).
                "weeks_text": "、".join(_week_text(dt.date.fromisoformat(day)) for day in entry[3])
                if len(entry) > 3
                else "",
            }
            for entry in extra.get("missed_months", [])
        ],
    }


def _week_text(monday: dt.date) -> str:
    """「5月4日〜10日の週」, or across a month's end 「4月27日〜5月3日の週」."""
    sunday = monday + dt.timedelta(days=6)
    end = f"{sunday.day}日" if sunday.month == monday.month else f"{sunday.month}月{sunday.day}日"
    return f"{monday.month}月{monday.day}日〜{end}の週"


def seminar_context(settings: Settings, seminar_id: str | None) -> dict[str, Any] | None:
    if seminar_id is None:
        return None
    if seminar_id not in settings.seminars:
        raise KopsError(
            _("--seminar: no seminar '{seminar}' in kops.yaml").format(seminar=seminar_id),
            hint=_("seminars: {seminars}").format(seminars=", ".join(settings.seminars)),
        )
    seminar = settings.seminars[seminar_id]
    date = seminar.date
    # Templates put the date in brackets: 「…（日時は後日ご案内）」, never doubled.
    date_text = seminar_date_text(date) if date else "日時は後日ご案内"
    return {
        "id": seminar_id,
        "month": seminar.month,
        "title": seminar.title or seminar_id,
        # What it covers, as kops.yaml says: the invitation lists these (one source: the
        # secretariat who changes a seminar's content changes it once).
        "points": list(seminar.points),
        "date": date.isoformat() if date else None,
        "date_text": date_text,
        # For a subject, where a phone shows some 20 characters: 「12/10(木) 12:15〜」, put
        # first after the prefix so that the list shows it; the day alone for a recording.
        "date_short": seminar_date_short(date) if date else "",
        "day_short": seminar_date_short(dt.date(date.year, date.month, date.day)) if date else "",
        # How long it lasts, in minutes, as kops.yaml says; None: no mail states a length.
        "minutes": seminar.minutes,
        # The length as a correction names it (「45分」, or 「記載なし」 while none is set).
        "length_text": f"{seminar.minutes}分" if seminar.minutes else "記載なし",
        "url": seminar.url or "参加URLは後日ご案内します",
        "recording_url": seminar.recording_url or "（録画URLは追ってご案内します）",
    }


def seminar_date_text(date: dt.date) -> str:
    """「2026年12月10日（木）12:15〜」, or the day alone when no time is set."""
    weekday = WEEKDAYS[date.weekday()]
    day = f"{date.year}年{date.month}月{date.day}日（{weekday}）"
    return f"{day}{date:%H:%M}〜" if isinstance(date, dt.datetime) else day


def seminar_date_short(date: dt.date) -> str:
    """「12/10(木) 12:15〜」: the day without its year, for a subject line."""
    weekday = WEEKDAYS[date.weekday()]
    day = f"{date.month}/{date.day}({weekday})"
    return f"{day} {date:%H:%M}〜" if isinstance(date, dt.datetime) else day


SERIES = (1, 2, 3, 4)


def seminar_refs(settings: Settings, as_of: dt.date) -> dict[str, dict[str, Any] | None]:
    """The next scheduled seminar of each month of the series (``month1`` … ``month4``)
    on or after the as-of date, by its title, date and length (``minutes``, None when
    kops.yaml gives none); None when none is scheduled, so
    a mail mentions a seminar only by what employees can find (never 「Month2 セミナー」)."""
    refs: dict[str, dict[str, Any] | None] = {}
    for month in SERIES:
        upcoming = sorted(
            (_day(s.date), seminar_id, s)
            for seminar_id, s in settings.seminars.items()
            if s.month == month and s.date is not None and _day(s.date) >= as_of
        )
        if not upcoming:
            refs[f"month{month}"] = None
            continue
        _when, seminar_id, seminar = upcoming[0]
        assert seminar.date is not None
        refs[f"month{month}"] = {
            "title": seminar.title or seminar_id,
            "date_text": seminar_date_text(seminar.date),
            "minutes": seminar.minutes,
            # How a mail names it in brackets: the day, and the length when kops.yaml has
            # one (「2026年12月10日（木）12:15〜、30分」).
            "when_text": seminar_date_text(seminar.date)
            + (f"、{seminar.minutes}分" if seminar.minutes else ""),
        }
    return refs


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def run_context(settings: Settings, as_of: dt.date) -> dict[str, Any]:
    """What every recipient of a run sees alike: the seminars to point to and where
    KAKEAI is (``service``: its login and help addresses, None when not set)."""
    service = settings.service
    return {
        # The day the data is from: a nudge states its facts as of then, not as of today.
        "as_of_text": date_text(as_of),
        "seminars": seminar_refs(settings, as_of),
        # ``link`` is the same address for a mail that only points to KAKEAI beside its
        # request and goes out without it; a template reading ``login_url`` asks people
        # to log in and is refused while it is unset (runs.check_service).
        "service": {
            "login_url": service.login_url,
            "help_url": service.help_url,
            "link": service.login_url,
        },
    }

"""Division reports (rules.md §4): periods, scopes, rates and arrows.

The figures themselves are computed in one grouped pass by ``division_groups``
(tests/division_oracle.py states each one plainly, and the tests compare the two).
Pure: canonical tables in, numbers out. Privacy (minimum group sizes,
complementary suppression) is applied afterwards by ``privacy/``,
which needs the group sizes the figures carry (``people`` columns).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import model
from ..columnar.lookup import is_in
from ..config import ScopeUnit
from ..dates import month_end, period_label
from ..errors import KopsError
from ..i18n import N_, _
from ..model import Tables
from .definitions import user_positions

# What the division figures read of a snapshot (a command loads only these: see
# load_tables). Not the 1on1s' own ids: figures are by the member's place (managers only
# counted, in the topic × 対応 grid).
NEEDED_COLUMNS = model.needed(
    users=model.USERS.columns,
    pairs=model.PAIRS.columns,
    # manager_id: the topic × 対応 grid counts its managers (Figures.topic_response_managers).
    meetings=model.MEETINGS.without("meeting_id"),
)

DAYS_PER_MONTH = 30.4375
# The period of `kops report divisions` given no --period.
DEFAULT_PERIOD = "90d"


@dataclass(frozen=True)
class Period:
    label: str  # the key figures are published under: 2026-11, 2026Q4, 2026-10-22〜2026-11-20
    start: dt.date
    end: dt.date  # inclusive: the last day the figures cover (the as-of date at the latest)
    # The calendar end when the data stops before it (a month in progress); else None.
    full_end: dt.date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        """The length figures per month are divided by: the days covered, not the calendar."""
        return self.days / DAYS_PER_MONTH

    @property
    def partial(self) -> bool:
        return self.full_end is not None and self.full_end > self.end

    @property
    def basis(self) -> str:
        """The comparison basis named in every label of a rate: 「直近30日」 for a rolling
        window, else the caption (「2026年11月」)."""
        return f"直近{self.days}日" if "〜" in self.label else self.caption

    @property
    def caption(self) -> str:
        """How people read it: 「2026年11月」, 「2026年11月（20日まで）」 (dates.period_label)."""
        if self.partial and self.full_end is not None:
            return period_label(self.start, self.full_end, self.end)
        return period_label(self.start, self.end)

    @property
    def slug(self) -> str:
        """The period in a file name, as --period names it: 90d, 2026-11, 2026Q4, 2026H2,
        2026 (a month's and its quarter's reports in one folder must not share a name)."""
        return f"{self.days}d" if "〜" in self.label else self.label

    @property
    def words(self) -> str:
        """The period in the name of a file its reader saves: 「直近90日」, 「2026年11月」,
        「2026年10〜12月」 (the data's day goes beside it)."""
        if "〜" in self.label:
            return self.basis
        end = self.full_end or self.end
        if (self.start.year, self.start.month) == (end.year, end.month):
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{self.start.month}〜{end.month}月"

    def up_to(self, last: dt.date) -> Period:
        """The period cut at ``last`` when it runs past it (the data stops there)."""
        if last >= self.end:
            return self
        return Period(self.label, self.start, last, self.full_end or self.end)


def parse_period(text: str, as_of: dt.date) -> tuple[Period, Period]:
    """The period and the equal period before it: 30d, 90d, month:2026-09, quarter:2026Q3,
    half:2026H2 (July–December), year:2026.

    A month or quarter still in progress on ``as_of`` covers its days up to ``as_of``
    (partial), and the period before it the same number of days, so the two compare
    like with like; one that starts after ``as_of`` has no data and is refused."""
    value = text.strip()
    if match := re.fullmatch(r"(\d+)d", value):
        days = int(match.group(1))
        if days <= 0:
            raise KopsError(
                _("--period: '{text}' must be a positive number of days").format(text=text)
            )
        end = as_of
        start = end - dt.timedelta(days=days - 1)
        before = Period(
            f"{days}d before", start - dt.timedelta(days=days), start - dt.timedelta(days=1)
        )
        return Period(f"{start}〜{end}", start, end), before
    for pattern, flags, per_year, build in _SEQUENCES:
        if match := re.fullmatch(pattern, value, flags=flags):
            year, number = int(match.group(1)), int(match.group(2))
            if not 1 <= number <= per_year:  # a month's only: the others' patterns hold it
                raise KopsError(_("--period: '{text}': month must be 1–12").format(text=text))
            _check_year(text, year)
            current = build(year, number)
            previous = build(year - 1, per_year) if number == 1 else build(year, number - 1)
            return _within_data(text, current, previous, as_of)
    if match := re.fullmatch(r"year:(\d{4})", value, flags=re.IGNORECASE):
        year = int(match.group(1))
        _check_year(text, year)
        return _within_data(text, _year(year), _year(year - 1), as_of)
    raise KopsError(
        _("--period: '{text}' is not a period").format(text=text),
        hint=_(PERIOD_HINT),
    )


PERIOD_HINT = N_("use 30d, 90d, month:2026-09, quarter:2026Q3, half:2026H2 or year:2026")


def _check_year(text: str, year: int) -> None:
    if not 1 <= year <= 9998:
        raise KopsError(_("--period: '{text}': no such year").format(text=text))


def _within_data(
    text: str, current: Period, previous: Period, as_of: dt.date
) -> tuple[Period, Period]:
    if current.start > as_of:
        raise KopsError(
            _(
                "--period {text} ({caption}) has no data: the data runs to {as_of} (the as-of date)"
            ).format(text=text.strip(), caption=current.caption, as_of=as_of),
            hint=_(
                "choose a period that starts on or before {as_of} (e.g. {example}), "
                "or ingest newer exports"
            ).format(as_of=as_of, example=f"month:{as_of:%Y-%m}"),
        )
    if not current.end > as_of:
        return current, previous
    covered = (as_of - current.start).days
    return current.up_to(as_of), previous.up_to(previous.start + dt.timedelta(days=covered))


def _month(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    return Period(f"{year}-{month:02d}", start, month_end(start))


def _quarter(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    return Period(f"{year}Q{quarter}", start, month_end(dt.date(year, 3 * quarter, 1)))


def _half(year: int, half: int) -> Period:
    start = dt.date(year, 6 * half - 5, 1)
    end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    return Period(f"{year}H{half}", start, end)


# The calendar periods that follow one another within a year: the text naming one
# (year, then its number), the flags it is read with, how many a year has, the period.
_SEQUENCES: tuple[tuple[str, int, int, Callable[[int, int], Period]], ...] = (
    (r"month:(\d{4})-(\d{1,2})", 0, 12, _month),
    (r"quarter:(\d{4})Q([1-4])", re.IGNORECASE, 4, _quarter),
    (r"half:(\d{4})H([12])", re.IGNORECASE, 2, _half),
)


def _year(year: int) -> Period:
    return Period(f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def scope_tables(tables: Tables, scope: list[ScopeUnit] | None) -> Tables:
    """Only the users (and their 1on1s, by the member) in the scope's units (a 事業部, or
    one of its 部署; see ``advisor_scopes.resolve_scope``).

    Everything the report computes comes from these tables, so nothing outside
    the scope can reach it.
    """
    if scope is None:
        return tables
    users = tables.users
    keep = pd.Series(False, index=users.index)
    for unit in scope:
        mask = users["division"] == unit.division
        if unit.department is not None:
            mask &= users["department"] == unit.department
        keep |= mask
    users = users[keep]
    ids = set(users["user_id"].to_numpy(dtype=object))
    # By the member's position among the scope's ids: each distinct id of millions
    # of 1on1s is looked up once (the ids are categories), not made text row by row.
    known = user_positions(pd.Index(list(ids), dtype=object), tables.meetings["member_id"])
    meetings = tables.meetings[known >= 0]
    pairs = tables.pairs[
        is_in(tables.pairs["member_id"], ids) | is_in(tables.pairs["manager_id"], ids)
    ]
    return Tables(users=users.reset_index(drop=True), pairs=pairs, meetings=meetings)


HEADLINE = [
    "headcount",
    "activated",
    "activation_rate",
    "in_pair",
    "pair_rate",
    "members",
    "period_members",
    "members_with_1on1",
    "implementation_rate",
    "held",
    "per_member_month",
    "prepared_share",
    "rated_share",
    "sukkiri_avg",
    "growth_avg",
    "rating_people",
    "sukkiri_people",
    "growth_people",
]


def with_rates(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The rates of the headline counts, in the order of HEADLINE."""
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["activation_rate"] = frame["activated"] / frame["headcount"]
        frame["pair_rate"] = frame["in_pair"] / frame["headcount"]
        # Over the 部下 of the period (paired by its end, or who met in it): today's
        # 部下 paired since were not 部下 without a 1on1 then.
        some = frame["period_members"].where(frame["period_members"] > 0)
        frame["implementation_rate"] = frame["members_with_1on1"] / some
        frame["per_member_month"] = frame["held"] / some / period.months
    return frame[HEADLINE]


def last_months(as_of: dt.date, months: int) -> list[Period]:
    """The calendar month of ``as_of`` and the ``months`` − 1 before it, newest first."""
    periods = []
    year, month = as_of.year, as_of.month
    for _month_no in range(months):
        periods.append(_month(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return periods


def arrow(change: float | None, tolerance: float = 0.005) -> str:
    if change is None or pd.isna(change):
        return "－"
    if change > tolerance:
        return "↑"
    if change < -tolerance:
        return "↓"
    return "→"

"""kops.yaml rules: stuck points, calendar, campaigns, interviews, privacy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..dates import typed_text
from ..i18n import N_
from .values import (
    Days,
    Line,
    NonNegativeNumber,
    Section,
    Share,
    TypedDay,
    at_most,
    between,
    refusal,
    typed_moment,
)

# --- rules --------------------------------------------------------------------


class Rules(Section):
    lapse_days: Days = 30
    recent_n: Annotated[int, at_most(100)] = 3
    min_prep_share: Share = 0.5
    min_rating_share: Share = 0.5
    # Mail sent from data older than this many days asks first (--stale-ok skips it).
    stale_days: Days = 7


# rules: keys nothing reads any more → what a command says of each while kops.yaml has it.
RETIRED_RULES = {
    "scheduled_days": N_(
        "kops.yaml: rules.scheduled_days is no longer used: a 1on1 booked however far ahead "
        "leaves the person out of the lapsed and no_1on1 mails; delete the line"
    ),
}


def without_retired(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A kops.yaml's mapping without the retired keys its ``rules:`` still states (read
    and ignored: ``scheduled_days``, when only a 予定 1on1 that many days ahead answered
    the lapsed/no_1on1 nudges), and which they were."""
    rules = data.get("rules")
    if not isinstance(rules, dict):
        return data, ()
    retired = tuple(key for key in RETIRED_RULES if key in rules)
    if not retired:
        return data, ()
    kept = {key: value for key, value in rules.items() if key not in RETIRED_RULES}
    return {**data, "rules": kept}, retired


MAX_HOLIDAY_RANGE = 366


def _holiday(text: str) -> dt.date:
    """One day of a holiday range, as typed (ValueError if it is none)."""
    day = typed_moment(text.strip())
    if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
        return day
    return dt.date.fromisoformat(str(day))


def _parse_holiday_item(item: Any) -> tuple[dt.date, dt.date]:
    if isinstance(item, dt.datetime):
        return item.date(), item.date()
    if isinstance(item, dt.date):
        return item, item
    if isinstance(item, str):
        text = typed_text(item)  # 「２０２６／１２／２９．．２０２７／１／３」 splits as ASCII
        try:
            if ".." in text:
                left, right = (_holiday(part) for part in text.split("..", 1))
                start, end = left, right
            else:
                start = end = _holiday(text)
        except ValueError:
            raise PydanticCustomError(
                "holiday",
                N_("must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD"),
            ) from None
        if end < start:
            raise PydanticCustomError("holiday", N_("range ends before it starts"))
        if (end - start).days >= MAX_HOLIDAY_RANGE:
            raise refusal(
                "holiday",
                N_("a range of company holidays is at most {limit} days"),
                limit=MAX_HOLIDAY_RANGE,
            )
        return start, end
    raise PydanticCustomError(
        "holiday", N_("must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD")
    )


HolidayRange = Annotated[tuple[dt.date, dt.date], BeforeValidator(_parse_holiday_item)]


class CalendarSettings(Section):
    company_holidays: list[HolidayRange] = Field(default_factory=list)


class Window(Section):
    start: Annotated[dt.date, TypedDay]
    end: Annotated[dt.date, TypedDay]

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise PydanticCustomError("window", N_("end is before start"))
        return self


class StreakRule(Section):
    kind: Literal["weekly_streak"]
    months: Annotated[int, at_most(120, "months")] = 3
    role: Literal["member", "manager", "any"] = "member"
    min_per_week: Annotated[int, between(1, 7)] = 1


def _deadline(value: Any) -> dt.date | dt.datetime | None:
    """A date (entries that day still count) or a date and time (JST)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    value = typed_moment(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    try:
        if isinstance(value, dt.datetime):
            moment = value
        elif len(text) == 10:
            return dt.date.fromisoformat(text)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "deadline", N_("must be a date (2026-10-15) or a date and time (2026-10-15 17:00)")
        ) from None
    if moment.tzinfo is not None:  # entry times are JST, kept naive
        moment = moment.astimezone(dt.timezone(dt.timedelta(hours=9))).replace(tzinfo=None)
    return moment


# A step of what happens after a win: one line of the winner's mail, numbered.
STEP_CHARS = 200
MOST_STEPS = 10


def _step(value: str) -> str:
    text = value.strip()
    if not text:
        raise refusal("step", N_("is blank: each step is a line of the winner's mail"))
    _at_most(
        len(text),
        STEP_CHARS,
        N_("is too long ({count} characters; at most {limit}: a line of the winner's mail)"),
    )
    return text


def _steps(value: list[str]) -> list[str]:
    _at_most(
        len(value),
        MOST_STEPS,
        N_("has {count} steps; at most {limit} (a winner's mail lists them all)"),
    )
    return value


def _at_most(count: int, limit: int, template: str) -> None:
    if count > limit:
        raise refusal("steps", template, count=f"{count:,}", limit=f"{limit:,}")


Step = Annotated[str, AfterValidator(_step)]


class Campaign(Section):
    title: Line
    window: Window
    rule: StreakRule
    # Entries (kops campaign entries) and the draw (kops campaign draw).
    entry_deadline: Annotated[dt.date | dt.datetime | None, BeforeValidator(_deadline)] = None
    exclude_previous_winners: bool = False
    draw_seed: str | None = None
    # What happens after a win, as the winner's mail numbers it (the prize is this
    # campaign's: a lunch is not booked as an online 1on1). Empty: 「あらためてご連絡」.
    next_steps: Annotated[list[Step], AfterValidator(_steps)] = Field(default_factory=list)


# Stuck points that contradict good practice (rules.md §1 keys; the earlier ones of the funnel
# cannot occur in a pair with held 1on1s).
GoodPracticeConflict = Literal["not_activated", "lapsed", "no_prep", "no_rating", "no_recurrence"]


def _default_stuck_points_out() -> list[GoodPracticeConflict]:
    return ["lapsed", "no_prep", "no_rating", "no_recurrence"]


class InterviewWeights(Section):
    regularity: NonNegativeNumber = 0.30
    volume: NonNegativeNumber = 0.15
    sukkiri: NonNegativeNumber = 0.20
    growth: NonNegativeNumber = 0.15
    diversity: NonNegativeNumber = 0.10
    recency: NonNegativeNumber = 0.10


class Interview(Section):
    min_held: Annotated[int, at_most(10_000)] = 6
    lookback_days: Days = 90
    min_sukkiri: NonNegativeNumber = 4
    max_per_division: Annotated[int, at_most(1_000)] = 1
    spread_tolerance: Share = 0.05
    n: Annotated[int, at_most(1_000)] = 6
    weights: InterviewWeights = Field(default_factory=InterviewWeights)
    private_topics: list[str] = Field(default_factory=lambda: ["心身の状態", "プライベート"])
    # A pair held up as good practice must not show what the programme tries to fix: pairs
    # whose manager or member has one of these stuck points are left out (--include-stuck).
    stuck_points_out: list[GoodPracticeConflict] = Field(default_factory=_default_stuck_points_out)


class Privacy(Section):
    # Below 3, a hidden cell and one's own answer give the other person's away.
    min_group: Annotated[int, between(3, 1_000)] = 5
    min_group_sensitive: Annotated[int, between(3, 1_000)] = 10
    sensitive_topics: list[str] = Field(default_factory=lambda: ["心身の状態"])
    # Pairs of units published as one row when one of them is small:
    # [事業部, 事業部] or [事業部/部署, 事業部/部署] (checked against the data by the report).
    merge: list[list[str]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _sensitive_follows(cls, data: Any) -> Any:
        """Unset, the sensitive minimum is the default or min_group, whichever is larger."""
        if isinstance(data, dict) and "min_group_sensitive" not in data:
            group = data.get("min_group")
            if isinstance(group, int) and not isinstance(group, bool) and group > 10:
                return {**data, "min_group_sensitive": group}
        return data

    @model_validator(mode="after")
    def _sensitive_not_below(self) -> Privacy:
        # Two settings compared with each other (no count is disclosed here).
        sensitive, general = self.min_group_sensitive, self.min_group
        if sensitive < general:
            raise refusal(
                "privacy",
                N_(
                    "min_group_sensitive ({sensitive}) must be at least min_group ({group}): "
                    "health-related figures are never shown for smaller groups than the others"
                ),
                sensitive=sensitive,
                group=general,
            )
        return self

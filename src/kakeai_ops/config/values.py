"""The value types kops.yaml settings are made of: checked numbers, frozen sections."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
)
from pydantic_core import PydanticCustomError

from ..dates import typed_text
from ..i18n import N_

LARGEST = 1_000_000  # no count or number in kops.yaml is sensibly larger
MAX_DAYS = 3_650  # ten years: any period kops looks back or ahead over


def refusal(code: str, template: str, **values: Any) -> PydanticCustomError:
    """A kops.yaml value error whose words the catalog translates: pydantic keeps only the
    filled-in text in its error list, so the template travels in the context too."""
    return PydanticCustomError(code, template, {**values, "template": template})


def _integer(value: Any, code: str, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError(code, message)
    try:
        return int(value)
    except ValueError:
        raise PydanticCustomError(code, message) from None


def _positive(value: Any) -> int:
    number = _integer(value, "positive_int", N_("must be a positive integer"))
    if number <= 0:
        raise PydanticCustomError("positive_int", N_("must be a positive integer"))
    return number


def _float(value: Any, code: str, message: str) -> float:
    """A number, never a bool (YAML's ``true`` is not 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError(code, message)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PydanticCustomError(code, message) from None


def _positive_int(value: Any) -> int:
    number = _positive(value)
    if number > LARGEST:
        raise refusal("positive_int", AT_MOST[""], limit=f"{LARGEST:,}")
    return number


# The words of "at most N <unit>", one template per unit so the catalog can order them.
AT_MOST = {
    "": N_("must be at most {limit}"),
    "days": N_("must be at most {limit} days"),
    "months": N_("must be at most {limit} months"),
    "seconds": N_("must be at most {limit} seconds"),
}


def at_most(limit: int, unit: str = "") -> BeforeValidator:
    """Checks a positive integer no larger than ``limit`` (a period in days, a count, …)."""

    def check(value: Any) -> int:
        number = _positive(value)
        if number > limit:
            raise refusal("at_most", AT_MOST[unit], limit=f"{limit:,}")
        return number

    return BeforeValidator(check)


# A title or a name kops prints on one line: a mail's subject (at most 200 characters
# with what the template adds), a slide's heading, the deck's cover.
LINE_CHARS = 80


def _one_line(value: str) -> str:
    if len(value) > LINE_CHARS:
        raise refusal(
            "line",
            N_(
                "is too long ({length} characters; at most {limit}: it is printed on one "
                "line of mail subjects and slides)"
            ),
            length=f"{len(value):,}",
            limit=f"{LINE_CHARS:,}",
        )
    return value


Line = Annotated[str, AfterValidator(_one_line)]


def between(low: int, high: int) -> BeforeValidator:
    """Checks an integer from ``low`` to ``high``."""

    def check(value: Any) -> int:
        words = N_("must be an integer from {low} to {high}")
        try:
            number = _integer(value, "between", words)
        except PydanticCustomError:
            raise refusal("between", words, low=f"{low:,}", high=f"{high:,}") from None
        if not low <= number <= high:
            raise refusal("between", words, low=f"{low:,}", high=f"{high:,}")
        return number

    return BeforeValidator(check)


def _share(value: Any) -> float:
    number = _float(value, "share", N_("must be a number between 0 and 1"))
    if not 0.0 <= number <= 1.0:
        raise PydanticCustomError("share", N_("must be a number between 0 and 1"))
    return number


def _non_negative_number(value: Any) -> float:
    number = _float(value, "number", N_("must be a number ≥ 0"))
    if not 0 <= number <= LARGEST:  # also refuses .nan and .inf
        raise refusal("number", N_("must be a number from 0 to {high}"), high=f"{LARGEST:,}")
    return number


PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
Share = Annotated[float, BeforeValidator(_share)]
NonNegativeNumber = Annotated[float, BeforeValidator(_non_negative_number)]


def _seconds(value: Any) -> float:
    number = _non_negative_number(value)
    if number > 3_600:
        raise PydanticCustomError("seconds", N_("must be a number of seconds from 0 to 3,600"))
    return number


Seconds = Annotated[float, BeforeValidator(_seconds)]
Days = Annotated[int, at_most(MAX_DAYS, "days")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A day as people type it on the command line (2026/11/20, ２０２６－１１－２０, 2026-11-1,
# 2026年11月20日, 20261120), with a time for the fields that take one (2026/12/10 12:15):
# read before the field reads it, so kops.yaml takes what `--as-of` takes (it refused them
# with 「YYYY-MM-DD の日付にしてください」). Anything else is left for the field to refuse.
_TYPED_DAY = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|\s*T\s*|(?<=日))(\d{1,2})\s*[:時]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?\s*分?)?"
)

_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")


def typed_moment(value: Any) -> Any:
    """``value`` as a date (or a date and time) when it is a day typed another way; else
    itself, for the field to refuse as typed. A date, not ISO text: text of a day alone
    read as midnight where a field takes a date and time (a seminar 「00:00〜」)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # 20261120, read by YAML as a number
    if not isinstance(value, str):
        return value
    text = typed_text(value)
    found = _TYPED_DAY.fullmatch(text) or _COMPACT_DAY.fullmatch(text)
    if found is None:
        return value
    parts: list[str | None] = [*found.groups(), None, None, None][:6]
    year, month, day = (int(part or 0) for part in parts[:3])
    hour, minute, second = (int(part or 0) for part in parts[3:])
    try:
        if parts[3] is None:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 2026/2/29, 25:00: refused by the field with what was typed
        return value


def as_day(value: Any) -> Any:
    """``typed_moment`` for a field of days alone: a day typed with a time is left as typed, for
    the field to refuse as it was written (not as 「datetime.datetime(2026, 11, 20, …)」)."""
    day = typed_moment(value)
    return value if isinstance(day, dt.datetime) else day


TypedDay = BeforeValidator(as_day)
TypedMoment = BeforeValidator(typed_moment)


JST = dt.timezone(dt.timedelta(hours=9))


def in_jst(value: Any) -> Any:
    """A time with an offset as the same moment in JST, kept naive as every time of kops:
    「2026-12-10T03:15:00+00:00」 (12:15 in Tokyo) was mailed as 03:15."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(JST).replace(tzinfo=None)
    return value

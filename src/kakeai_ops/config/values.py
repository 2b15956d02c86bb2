"""The value types kops.yaml settings are made of: checked numbers, frozen sections."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
)
from pydantic_core import PydanticCustomError


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("positive_int", "must be a positive integer")
    try:
        number = int(value)
    except ValueError:
        raise PydanticCustomError("positive_int", "must be a positive integer") from None
    if number <= 0:
        raise PydanticCustomError("positive_int", "must be a positive integer")
    return number


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("non_negative_int", "must be an integer ≥ 0")
    try:
        number = int(value)
    except ValueError:
        raise PydanticCustomError("non_negative_int", "must be an integer ≥ 0") from None
    if number < 0:
        raise PydanticCustomError("non_negative_int", "must be an integer ≥ 0")
    return number


def _share(value: Any) -> float:
    if isinstance(value, bool):
        raise PydanticCustomError("share", "must be a number between 0 and 1")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("share", "must be a number between 0 and 1") from None
    if not 0.0 <= number <= 1.0:
        raise PydanticCustomError("share", "must be a number between 0 and 1")
    return number


def _non_negative_number(value: Any) -> float:
    if isinstance(value, bool):
        raise PydanticCustomError("number", "must be a number ≥ 0")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("number", "must be a number ≥ 0") from None
    if number < 0:
        raise PydanticCustomError("number", "must be a number ≥ 0")
    return number


PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
NonNegativeInt = Annotated[int, BeforeValidator(_non_negative_int)]
Share = Annotated[float, BeforeValidator(_share)]
NonNegativeNumber = Annotated[float, BeforeValidator(_non_negative_number)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

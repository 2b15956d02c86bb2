"""kops.yaml `mail:` and `advisors:` who is mailed, when, and through which server."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .values import NonNegativeInt, NonNegativeNumber, PositiveInt, Section


class Cap(Section):
    """At most ``max`` mails of one category to one person within ``days`` days."""

    max: PositiveInt
    days: PositiveInt


class FrequencyCap(Section):
    """Caps per category: ``nudge`` (stuck-point mails) and ``programme`` (seminar
    invitations and recordings, campaign and milestone news). Each is counted on its own,
    so a programme mail never uses up a nudge and the other way round."""

    nudge: Cap = Field(default_factory=lambda: Cap(max=2, days=14))
    programme: Cap = Field(default_factory=lambda: Cap(max=4, days=14))

    @model_validator(mode="before")
    @classmethod
    def _older_form(cls, value: Any) -> Any:
        """``{max_nudges: N, days: D}`` (kops.yaml before the categories) caps nudges."""
        if isinstance(value, dict) and ("max_nudges" in value or "days" in value):
            older = dict(value)
            nudge = {"max": older.pop("max_nudges", 2), "days": older.pop("days", 14)}
            return {**older, "nudge": nudge}
        return value

    def of(self, category: str) -> Cap:
        return self.nudge if category == "nudge" else self.programme


class SendWindow(Section):
    enabled: bool = False
    start_hour: NonNegativeInt = 9
    end_hour: NonNegativeInt = 17
    business_days_only: bool = True


class Smtp(Section):
    host: str = "localhost"
    port: PositiveInt = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    timeout: PositiveInt = 30


class Mail(Section):
    transport: Literal["outbox", "smtp"] = "outbox"
    from_name: str = "KAKEAI事務局"
    from_addr: str = "kakeai-office@example.co.jp"
    reply_to: str = "kakeai-office@example.co.jp"
    subject_prefix: str = "【KAKEAI事務局】"
    honorific: str = "様"
    contact: str = "KAKEAI事務局（人事部） 内線 1234 / kakeai-office@example.co.jp"
    message_id_domain: str = "kops.example.co.jp"
    rate_per_minute: PositiveInt = 120
    max_retries: NonNegativeInt = 5
    retry_base_seconds: NonNegativeNumber = 2.0
    retry_max_seconds: NonNegativeNumber = 60.0
    pause_after_failures: PositiveInt = 10
    frequency_cap: FrequencyCap = Field(default_factory=FrequencyCap)
    send_window: SendWindow = Field(default_factory=SendWindow)
    smtp: Smtp = Field(default_factory=Smtp)


class Advisor(Section):
    email: str | None = None
    scope: list[str]

    @field_validator("scope")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("scope", "must list at least one 事業部 or 事業部/部署")
        return value

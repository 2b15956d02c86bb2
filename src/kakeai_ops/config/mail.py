"""kops.yaml `mail:` and `advisors:` who is mailed, when, and through which server."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .values import Days, Seconds, Section, at_most, between

# A Message-ID's right-hand side: an ASCII host name (labels of letters, digits, '-').
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class FrequencyCap(Section):
    max_nudges: Annotated[int, at_most(1_000)] = 2
    days: Days = 14


class SendWindow(Section):
    enabled: bool = False
    start_hour: Annotated[int, between(0, 23)] = 9
    end_hour: Annotated[int, between(1, 24)] = 17
    business_days_only: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> SendWindow:
        if self.end_hour <= self.start_hour:
            raise PydanticCustomError("window", "end_hour must be after start_hour")
        return self


class Smtp(Section):
    host: str = "localhost"
    port: Annotated[int, between(1, 65_535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    timeout: Annotated[int, at_most(3_600, " seconds")] = 30


class Mail(Section):
    transport: Literal["outbox", "smtp"] = "outbox"
    from_name: str = "KAKEAI事務局"
    from_addr: str = "kakeai-office@example.co.jp"
    reply_to: str = "kakeai-office@example.co.jp"
    subject_prefix: str = "【KAKEAI事務局】"
    honorific: str = "様"
    contact: str = "KAKEAI事務局（人事部） 内線 1234 / kakeai-office@example.co.jp"
    message_id_domain: str = "kops.example.co.jp"
    rate_per_minute: Annotated[int, at_most(100_000)] = 120
    max_retries: Annotated[int, between(0, 100)] = 5
    retry_base_seconds: Seconds = 2.0
    retry_max_seconds: Seconds = 60.0
    pause_after_failures: Annotated[int, at_most(10_000)] = 10
    frequency_cap: FrequencyCap = Field(default_factory=FrequencyCap)
    send_window: SendWindow = Field(default_factory=SendWindow)
    smtp: Smtp = Field(default_factory=Smtp)

    @field_validator("message_id_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not _DOMAIN.fullmatch(value):
            raise PydanticCustomError(
                "domain", "must be a domain name of ASCII letters, digits, '-' and '.'"
            )
        return value


class Advisor(Section):
    email: str | None = None
    scope: list[str]

    @field_validator("scope")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("scope", "must list at least one 事業部 or 事業部/部署")
        return value

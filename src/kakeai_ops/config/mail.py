"""kops.yaml `mail:` and `advisors:` who is mailed, when, and through which server."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .values import NonNegativeInt, NonNegativeNumber, PositiveInt, Section


class FrequencyCap(Section):
    max_nudges: PositiveInt = 2
    days: PositiveInt = 14


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


class Service(Section):
    """Where people log in to KAKEAI and find help: mails that ask them to act link here."""

    login_url: str | None = None
    help_url: str | None = None

    @field_validator("login_url", "help_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().lower().startswith(("https://", "http://")):
            raise PydanticCustomError("url", "must be a web address starting with https://")
        return value.strip() if value is not None else None


class Advisor(Section):
    email: str | None = None
    scope: list[str]

    @field_validator("scope")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("scope", "must list at least one 事業部 or 事業部/部署")
        return value

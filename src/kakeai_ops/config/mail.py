"""kops.yaml `mail:` and `advisors:` who is mailed, when, and through which server."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
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


class OAuth(Section):
    """Where the access token for SMTP AUTH XOAUTH2 (and the Graph transport) comes from.

    Only names and addresses live here: tokens, refresh tokens and client
    secrets live in the OS keyring or the environment, never in kops.yaml.
    """

    provider: Literal["microsoft", "google", "command"] = "command"
    # command: a program that prints a fresh access token (as msmtp's passwordeval).
    token_command: str | list[str] | None = None
    command_timeout: PositiveInt = 60
    # microsoft (Entra ID): the directory (tenant) id or domain and the app's client id.
    tenant: str | None = None
    client_id: str | None = None
    flow: Literal["device_code", "client_credentials"] = "device_code"
    authority_host: str = "https://login.microsoftonline.com"
    # google: the installed app's endpoints (the client secret comes from the environment).
    token_uri: str = "https://oauth2.googleapis.com/token"
    auth_uri: str = "https://accounts.google.com/o/oauth2/auth"

    @field_validator("token_command")
    @classmethod
    def _command_not_blank(cls, value: str | list[str] | None) -> str | list[str] | None:
        if value is not None and not (value.strip() if isinstance(value, str) else value):
            raise PydanticCustomError("token_command", "must name a command")
        return value


class Smtp(Section):
    host: str = "localhost"
    port: PositiveInt = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    # none: a relay without login; password: AUTH with a password from the environment or
    # the keyring; xoauth2: AUTH XOAUTH2 with an OAuth2 access token. Unset: by `user`.
    auth: Literal["none", "password", "xoauth2"] | None = None
    oauth: OAuth = Field(default_factory=OAuth)
    timeout: PositiveInt = 30

    @model_validator(mode="after")
    def _auth_needs(self) -> Smtp:
        if self.auth in ("password", "xoauth2") and not self.user:
            raise PydanticCustomError(
                "smtp_auth", "auth: {auth} needs user (the mailbox that sends)", {"auth": self.auth}
            )
        if self.auth_mode == "xoauth2":
            _check_oauth(self.oauth)
        return self

    @property
    def auth_mode(self) -> str:
        """How kops logs in: as configured, else with a password when a user is given."""
        if self.auth is not None:
            return self.auth
        return "password" if self.user else "none"


def _check_oauth(oauth: OAuth) -> None:
    if oauth.provider == "command" and oauth.token_command is None:
        raise PydanticCustomError(
            "oauth",
            "oauth.provider: command needs oauth.token_command (a program printing a token)",
        )
    if oauth.provider == "microsoft" and not (oauth.tenant and oauth.client_id):
        raise PydanticCustomError(
            "oauth", "oauth.provider: microsoft needs oauth.tenant and oauth.client_id"
        )
    if oauth.provider == "google" and not oauth.client_id:
        raise PydanticCustomError("oauth", "oauth.provider: google needs oauth.client_id")


class Bounce(Section):
    # Temporary failures (4.x.x) for one address before it is suppressed like a permanent one.
    soft_limit: PositiveInt = 3


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
    bounce: Bounce = Field(default_factory=Bounce)


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

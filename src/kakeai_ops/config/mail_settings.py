"""kops.yaml `mail:` and `advisors:` who is mailed, when, and through which server."""

from __future__ import annotations

import os
import re
import shlex
import urllib.parse
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..i18n import N_
from .values import Days, Seconds, Section, at_most, between, refusal

# A Message-ID's right-hand side: an ASCII host name (labels of letters, digits, '-').
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class Cap(Section):
    """At most ``max`` mails of one category to one person within ``days`` days."""

    max: Annotated[int, at_most(1_000)]
    days: Days


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
    start_hour: Annotated[int, between(0, 23)] = 9
    end_hour: Annotated[int, between(1, 24)] = 17
    business_days_only: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> SendWindow:
        if self.end_hour <= self.start_hour:
            raise PydanticCustomError("window", N_("end_hour must be after start_hour"))
        return self


# Keys someone might write a secret under; refused with where secrets go instead (the value
# is never shown: the error names the key only).
SECRET_KEYS = frozenset(
    {"password", "pass", "secret", "client_secret", "token", "access_token", "refresh_token"}
)


def _no_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        for key in data:
            if str(key).lower() in SECRET_KEYS:
                raise refusal(
                    "secret",
                    N_(
                        "{key}: secrets are never read from kops.yaml (they would be copied "
                        "with it); the SMTP password: KOPS_SMTP_PASSWORD or the OS keyring; a "
                        "client secret: KOPS_OAUTH_CLIENT_SECRET or `kops mail login "
                        "--client-secret`; tokens: `kops mail login` or token_command"
                    ),
                    key=key,
                )
    return data


class OAuth(Section):
    """Where the access token for SMTP AUTH XOAUTH2 (and the Graph transport) comes from.

    Only names and addresses live here: tokens, refresh tokens and client
    secrets live in the OS keyring or the environment, never in kops.yaml.
    """

    provider: Literal["microsoft", "google", "command"] = "command"
    # command: a program that prints a fresh access token (as msmtp's passwordeval).
    token_command: str | list[str] | None = None
    command_timeout: Annotated[int, at_most(3_600, "seconds")] = 60
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
            raise PydanticCustomError("token_command", N_("must name a command"))
        if isinstance(value, str):
            # Split as a shell would (as kops runs it): a quote left open is no command.
            try:
                # Windows gets the string as it is (a backslash before a quote is a path).
                shlex.split(value, posix=os.name != "nt")
            except ValueError:
                raise PydanticCustomError(
                    "token_command",
                    N_(
                        "has a quotation mark that is never closed; quote a path with spaces "
                        'whole ("C:\\Program Files\\…\\get-token.exe" --user …) or give a list'
                    ),
                ) from None
        return value

    _refuse_secrets = model_validator(mode="before")(_no_secrets)


class Smtp(Section):
    host: str = "localhost"
    port: Annotated[int, between(1, 65_535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    # none: a relay without login; password: AUTH with a password from the environment or
    # the keyring; xoauth2: AUTH XOAUTH2 with an OAuth2 access token. Unset: by `user`.
    auth: Literal["none", "password", "xoauth2"] | None = None
    oauth: OAuth = Field(default_factory=OAuth)
    timeout: Annotated[int, at_most(3_600, "seconds")] = 30

    @model_validator(mode="after")
    def _auth_needs(self) -> Smtp:
        if self.auth in ("password", "xoauth2") and not self.user:
            raise refusal(
                "smtp_auth", N_("auth: {auth} needs user (the mailbox that sends)"), auth=self.auth
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

    _refuse_secrets = model_validator(mode="before")(_no_secrets)


def _check_oauth(oauth: OAuth) -> None:
    if oauth.provider == "command" and oauth.token_command is None:
        raise PydanticCustomError(
            "oauth",
            N_("oauth.provider: command needs oauth.token_command (a program printing a token)"),
        )
    if oauth.provider == "microsoft" and not (oauth.tenant and oauth.client_id):
        raise PydanticCustomError(
            "oauth", N_("oauth.provider: microsoft needs oauth.tenant and oauth.client_id")
        )
    if oauth.provider == "google" and not oauth.client_id:
        raise PydanticCustomError("oauth", N_("oauth.provider: google needs oauth.client_id"))


class Graph(Section):
    """Microsoft Graph sendMail, for tenants that switch SMTP AUTH off entirely."""

    endpoint: str = "https://graph.microsoft.com/v1.0"
    # The mailbox that sends (users/{mailbox}/sendMail); unset: mail.smtp.user, else from_addr.
    mailbox: str | None = None
    timeout: Annotated[int, at_most(3_600, "seconds")] = 60

    _refuse_secrets = model_validator(mode="before")(_no_secrets)


class Imap(Section):
    """The mailbox `kops mail bounces --imap` reads (signed in as mail.smtp: user, auth, oauth)."""

    host: str | None = None  # e.g. outlook.office365.com, imap.gmail.com
    port: Annotated[int, between(1, 65_535)] = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    folder: str = "INBOX"
    days: Days = 30  # notices that arrived in the last N days
    timeout: Annotated[int, at_most(3_600, "seconds")] = 60

    _refuse_secrets = model_validator(mode="before")(_no_secrets)


class Bounce(Section):
    # Temporary failures (4.x.x) for one address before it is suppressed like a permanent one.
    soft_limit: Annotated[int, at_most(1_000)] = 3


# The sample's sender (`kops init` writes it): no one's address.
SAMPLE_ADDRESS = "kakeai-office@example.co.jp"


class Mail(Section):
    transport: Literal["outbox", "smtp", "graph"] = "outbox"
    from_name: str = "KAKEAI事務局"
    from_addr: str = SAMPLE_ADDRESS
    reply_to: str = SAMPLE_ADDRESS
    subject_prefix: str = "【KAKEAI事務局】"
    honorific: str = "様"
    contact: str = f"KAKEAI事務局（人事部） 内線 1234 / {SAMPLE_ADDRESS}"
    message_id_domain: str = "kops.example.co.jp"
    rate_per_minute: Annotated[int, at_most(100_000)] = 120
    max_retries: Annotated[int, between(0, 100)] = 5
    retry_base_seconds: Seconds = 2.0
    retry_max_seconds: Seconds = 60.0
    pause_after_failures: Annotated[int, at_most(10_000)] = 10
    frequency_cap: FrequencyCap = Field(default_factory=FrequencyCap)
    send_window: SendWindow = Field(default_factory=SendWindow)
    smtp: Smtp = Field(default_factory=Smtp)
    graph: Graph = Field(default_factory=Graph)
    bounce: Bounce = Field(default_factory=Bounce)
    imap: Imap = Field(default_factory=Imap)

    def sample_values_left(self) -> list[str]:
        """The sender's keys still holding the sample's values (`kops init` writes them):
        mail sent so goes out from, and names as its contact, an address that is no one's."""
        keys = ("from_addr", "reply_to", "contact")
        return [key for key in keys if getattr(self, key) == type(self).model_fields[key].default]

    @field_validator("message_id_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not _DOMAIN.fullmatch(value):
            raise PydanticCustomError(
                "domain", N_("must be a domain name of ASCII letters, digits, '-' and '.'")
            )
        return value


class Service(Section):
    """Where people log in to KAKEAI and find help: mails that ask them to act link here."""

    login_url: str | None = None
    help_url: str | None = None

    @field_validator("login_url", "help_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.lower().startswith(("https://", "http://")):
            raise PydanticCustomError("url", N_("must be a web address starting with https://"))
        # Mails print it as a link: a space (full-width too) ends the link there, and an
        # address without a host leads nowhere.
        if any(ch.isspace() for ch in value):
            raise PydanticCustomError("url", N_("must be a web address without spaces"))
        try:
            host = urllib.parse.urlsplit(value).hostname
        except ValueError:
            host = None
        if not host:
            raise PydanticCustomError("url", N_("must name a host after https://"))
        return value


def _stripped(value: str | None, refusal: str) -> str | None:
    """A text without its surrounding spaces (None stays None); a blank one is refused."""
    if value is not None and not value.strip():
        raise PydanticCustomError("blank", refusal)
    return value.strip() if value is not None else None


class ScopeUnit(Section):
    """One unit of an advisor's scope: a 事業部, or one 部署 of a 事業部."""

    division: str
    department: str | None = None

    @field_validator("division", "department")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return _stripped(value, N_("must not be blank"))

    def text(self) -> str:
        return self.division if self.department is None else f"{self.division}/{self.department}"


def scope_text(entry: str | ScopeUnit) -> str:
    """A scope entry as people read it (事業部 or 事業部/部署)."""
    return entry.strip() if isinstance(entry, str) else entry.text()


class Advisor(Section):
    email: str | None = None
    # The person the report is mailed to: greeted by name (山田 太郎 様), title above it.
    name: str | None = None
    title: str | None = None
    # "事業部" or "事業部/部署" where that can mean one unit only; {division, department}
    # always (a 事業部 whose name holds '/' needs it when it could be read both ways).
    scope: list[str | ScopeUnit]

    @field_validator("name", "title")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return _stripped(value, N_("must not be blank (leave the key out instead)"))

    @field_validator("scope", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        """Each entry a text or {division, department}: one message per bad entry."""
        if not isinstance(value, list):
            return value
        entries: list[str | ScopeUnit] = []
        for number, entry in enumerate(value):
            if isinstance(entry, str):
                entries.append(entry)
                continue
            problem = "must be 事業部, 事業部/部署 or {division: …, department: …}"
            if isinstance(entry, dict):
                try:
                    entries.append(ScopeUnit.model_validate(entry))
                    continue
                except ValidationError as error:
                    first = error.errors()[0]
                    where = ".".join(str(p) for p in first["loc"])
                    said = {"extra_forbidden": "unknown setting", "missing": "required"}
                    what = said.get(first["type"], str(first["msg"]))
                    problem = f"{where}: {what}" if where else what
            raise PydanticCustomError(
                "scope", "entry {number}: {problem}", {"number": number, "problem": problem}
            )
        return entries

    @field_validator("scope")
    @classmethod
    def _non_empty(cls, value: list[str | ScopeUnit]) -> list[str | ScopeUnit]:
        if not value:
            raise PydanticCustomError("scope", N_("must list at least one 事業部 or 事業部/部署"))
        return value

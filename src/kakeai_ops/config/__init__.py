"""kops.yaml → typed, validated settings.

Every rule and mapping of the specs lives here with its default. Validation
errors name the key and what is wrong, e.g.
``kops.yaml: rules.lapse_days: must be a positive integer, got 'thirty'``.
Sections live in modules by concern (exports, rules, mail, seminars); this
module assembles them, loads the file and looks entries up.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import ConfigError, KopsError
from ..i18n import N_, _
from .documents import Documents
from .export_settings import (
    DEFAULT_RESPONSES,
    DEFAULT_TOPICS,
    MEETINGS_HEADERS,
    PAIRS_HEADERS,
    USERS_HEADERS,
    Employment,
    Exports,
    HeaderMap,
    Scale,
    Statuses,
)
from .loading import Document, dotted, read_yaml
from .mail_settings import (
    Advisor,
    Bounce,
    FrequencyCap,
    Mail,
    OAuth,
    ScopeUnit,
    SendWindow,
    Service,
    Smtp,
    scope_text,
)
from .rule_settings import (
    RETIRED_RULES,
    CalendarSettings,
    Campaign,
    HolidayRange,
    Interview,
    InterviewWeights,
    Privacy,
    Rules,
    StreakRule,
    Window,
    without_retired,
)
from .seminar_settings import (
    DEFAULT_COMPOUNDS,
    DEFAULT_KEYWORDS,
    DEFAULT_STOP_WORDS,
    DEFAULT_SYNONYMS,
    Seminar,
    SeminarSurvey,
    SurveyHeaders,
    Themes,
)
from .values import PositiveInt, Section, TypedDay, at_most, refusal
from .yaml_problems import typed_in_name

__all__ = [
    "DEFAULT_COMPOUNDS",
    "DEFAULT_KEYWORDS",
    "DEFAULT_RESPONSES",
    "DEFAULT_STOP_WORDS",
    "DEFAULT_SYNONYMS",
    "DEFAULT_TOPICS",
    "MEETINGS_HEADERS",
    "PAIRS_HEADERS",
    "USERS_HEADERS",
    "Advisor",
    "Bounce",
    "CalendarSettings",
    "Campaign",
    "Documents",
    "Employment",
    "Exports",
    "FrequencyCap",
    "Graph",
    "HeaderMap",
    "HolidayRange",
    "Imap",
    "Interview",
    "InterviewWeights",
    "Mail",
    "OAuth",
    "PositiveInt",
    "Privacy",
    "Rules",
    "Scale",
    "ScopeUnit",
    "Section",
    "Seminar",
    "SeminarSurvey",
    "SendWindow",
    "Service",
    "Settings",
    "Smtp",
    "Statuses",
    "StreakRule",
    "SurveyHeaders",
    "Themes",
    "Window",
    "advisor",
    "campaign",
    "configured",
    "load_settings",
    "parse_settings",
    "scope_text",
]


class Settings(Section):
    exports: Exports = Field(default_factory=Exports)
    rules: Rules = Field(default_factory=Rules)
    milestones: list[Annotated[int, at_most(100_000)]] = Field(
        default_factory=lambda: [1, 5, 10, 20, 50, 100]
    )
    # The first milestone mail run mails milestones crossed after this date; later runs,
    # those crossed since the previous snapshot (rules.md §2).
    milestones_since: Annotated[dt.date | None, TypedDay] = None
    service: Service = Field(default_factory=Service)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    campaigns: dict[str, Campaign] = Field(default_factory=dict)
    interview: Interview = Field(default_factory=Interview)
    privacy: Privacy = Field(default_factory=Privacy)
    mail: Mail = Field(default_factory=Mail)
    advisors: dict[str, Advisor] = Field(default_factory=dict)
    seminars: dict[str, Seminar] = Field(default_factory=dict)
    seminar_survey: SeminarSurvey = Field(default_factory=SeminarSurvey)
    documents: Documents = Field(default_factory=Documents)
    # Retired keys this kops.yaml still states (read and ignored; commands say so).
    _retired: tuple[str, ...] = PrivateAttr(default=())

    @property
    def retired_notices(self) -> list[str]:
        """What to tell the user of each retired key their kops.yaml still has."""
        return [_(RETIRED_RULES[key]) for key in self._retired]

    @field_validator("campaigns", "seminars")
    @classmethod
    def _ids_name_files(cls, value: dict[str, Any]) -> dict[str, Any]:
        # A campaign's or seminar's id names its mail runs and their folders: one that
        # reached out of the outbox (../../evil) passed `kops status` and was refused
        # only by the first mail.
        for key in value:
            text = str(key)
            if text.strip() in ("", ".", "..") or text.startswith("-") or re.search(r"[/\\]", text):
                raise refusal(
                    "id",
                    N_(
                        "'{key}' cannot be an id: it names mail runs and their folders (no "
                        "'/' or '\\', not '.' or '..', not starting with '-')"
                    ),
                    key=text,
                )
        return value

    @model_validator(mode="after")
    def _topics_named_are_topics(self) -> Settings:
        """A topic privacy or the shortlist treats apart is one of exports.topics: a typo
        (「心身の状況」) quietly turned the <10 minimum of 心身の状態 off."""
        known = set(self.exports.topics)
        for key, names in (
            ("privacy.sensitive_topics", self.privacy.sensitive_topics),
            ("interview.private_topics", self.interview.private_topics),
        ):
            unknown = [name for name in names if name not in known]
            if unknown:
                raise refusal(
                    "topic",
                    N_("{key}: {names} is not one of exports.topics ({known})"),
                    key=key,
                    names=_(", ").join(unknown),
                    known=_(", ").join(self.exports.topics),
                )
        return self

    @field_validator("milestones")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        if not value:  # `campaign milestones` stopped with an IndexError on []
            raise refusal("milestones", N_("must list at least one count (e.g. [1, 5, 10])"))
        # A list out of order is more likely a typo (50 for 15) than a wish: say so.
        for before, after in itertools.pairwise(value):
            if after <= before:
                raise refusal(
                    "milestones",
                    N_("must be increasing ({before} is followed by {after})"),
                    before=before,
                    after=after,
                )
        return value


# --- loading ------------------------------------------------------------------


def load_settings(path: Path) -> Settings:
    """Read and validate kops.yaml; every problem is reported with its key."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            _("{path} not found").format(path=path),
            hint=_("create a workspace with `kops init DIR`"),
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            _("{file}: not UTF-8 text").format(file=name),
            hint=_("save kops.yaml as UTF-8 (without changing the keys)"),
        ) from None
    document = read_yaml(text, name)
    return parse_settings(document.data or {}, name, document)


def parse_settings(
    data: Any, source: str = "kops.yaml", document: Document | None = None
) -> Settings:
    if not isinstance(data, dict):
        raise ConfigError(
            _("{file}: the top level must be a mapping of settings").format(file=source),
            hint=_(
                "kops.yaml holds settings as `key: value` lines, e.g. `rules:`; "
                "`kops init --print-config` shows them all"
            ),
        )
    data, retired = without_retired(data)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as err:
        lines = [_describe(source, e, document) for e in _one_per_union(err.errors())]
        raise ConfigError(
            "\n".join(lines),
            hint=_(
                "fix {file}; `kops init --print-config` shows every setting with its default"
            ).format(file=source),
        ) from None
    settings._retired = retired
    return settings


# A value that may be any of several types (a seminar's date: a date and time, or a
# date) is refused once per type, each at loc + (type,): said once, for the setting.
UNION_BRANCHES = {"datetime", "date"}


def _one_per_union(errors: list[Any]) -> list[Any]:
    branches: dict[tuple[Any, ...], set[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if loc and loc[-1] in UNION_BRANCHES:
            branches.setdefault(loc[:-1], set()).add(str(loc[-1]))
    unions = {loc for loc, kinds in branches.items() if len(kinds) > 1}
    out, said = [], set()
    for error in errors:
        loc = tuple(error["loc"])
        if loc[:-1] in unions and loc[-1] in UNION_BRANCHES:
            if loc[:-1] not in said:
                said.add(loc[:-1])
                out.append({**error, "loc": loc[:-1], "type": "datetime_or_date", "ctx": {}})
            continue
        out.append(error)
    return out


def _describe(source: str, error: Any, document: Document | None = None) -> str:
    loc = dotted(error["loc"])
    if document is not None:
        source = document.where(source, error["loc"])
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        parent_loc = error["loc"][:-1]
        known = _known_keys(parent_loc)
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        typed = typed_in_name(str(error["loc"][-1]))
        if typed is not None and close:
            return _(
                "{file}: {key}: unknown setting: its name has {what} (did you mean '{close}'?)"
            ).format(file=source, key=loc, what=typed, close=close[0])
        if typed is not None:
            return _("{file}: {key}: unknown setting: its name has {what}").format(
                file=source, key=loc, what=typed
            )
        if close:
            return _("{file}: {key}: unknown setting (did you mean '{close}'?)").format(
                file=source, key=loc, close=close[0]
            )
        return _("{file}: {key}: unknown setting").format(file=source, key=loc)
    if kind == "missing":
        return _("{file}: {key}: required setting is missing").format(file=source, key=loc)
    message = _problem_words(error)
    if message.startswith("Input should be"):
        message = "must be" + message[len("Input should be") :]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if isinstance(given, dict | list):  # a section: the message says what is wrong with it
        return f"{source}: {loc}: {message}" if loc else f"{source}: {message}"
    if not loc:
        return f"{source}: {message}"
    return _("{file}: {key}: {problem}, got {given}").format(
        file=source, key=loc, problem=message, given=repr(given)
    )


# pydantic's own refusals by their stable type, in words the catalog translates.
PYDANTIC_WORDS = {
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "int_type": N_("must be an integer"),
    "int_parsing": N_("must be an integer"),
    "int_from_float": N_("must be an integer"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "string_type": N_("must be text"),
    "dict_type": N_("must be a section of settings (key: value)"),
    "model_type": N_("must be a section of settings (key: value)"),
    "list_type": N_("must be a list"),
    "date_from_datetime_parsing": N_("must be a date YYYY-MM-DD"),
    "date_parsing": N_("must be a date YYYY-MM-DD"),
    "date_from_datetime_inexact": N_("must be a day without a time, such as 2026-11-20"),
    "datetime_or_date": N_(
        "must be a date and time like 2026-12-10T12:15:00, or a date like 2026-12-10"
    ),
    "date_type": N_("must be a date YYYY-MM-DD"),
}


def _problem_words(error: Any) -> str:
    """What is wrong, in the reader's language: kops's own refusals carry their template
    (values.refusal) or are whole messages in the catalog; pydantic's are known by type."""
    context = error.get("ctx") or {}
    if "template" in context:
        values = {k: v for k, v in context.items() if k != "template"}
        return _(context["template"]).format(**values)
    if error["type"] in PYDANTIC_WORDS:
        return _(PYDANTIC_WORDS[error["type"]])
    if error["type"] == "literal_error" and "expected" in context:
        # pydantic says the choices in English (「'outbox', 'smtp' or 'graph'」): listed
        # in the reader's words instead.
        choices = re.findall(r"'(?:[^'\\]|\\.)*'", str(context["expected"]))
        if len(choices) > 1:
            return _("must be one of {choices}").format(choices=_(", ").join(choices))
        return _("must be {expected}").format(expected=context["expected"])
    return _(error["msg"])


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Settings
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            # A dict of models (campaigns.<id>): step into the value model.
            args = getattr(model, "__args__", None)
            if args:
                model = args[-1]
                continue
            return []
        model = field.annotation
        args = getattr(model, "__args__", None)
        if args and not hasattr(model, "model_fields"):
            model = args[-1]
    return list(getattr(model, "model_fields", {}))


# --- looking up ---------------------------------------------------------------

Entry = TypeVar("Entry")


# The kinds of entry `configured` looks up, in the user's language.
TABLE_KINDS = (
    *(N_("campaign"), N_("advisor"), N_("seminar")),
    *(N_("campaigns"), N_("advisors"), N_("seminars")),
)


def configured(table: Mapping[str, Entry], key: str, kind: str, hint: str) -> Entry:
    """The entry ``key`` of a kops.yaml table (campaigns, advisors, …), or an error that
    names the ones there are."""
    if key not in table:
        plural = kind + "s"  # "campaigns": translated as TABLE_KINDS lists it
        known = ", ".join(table) or _("(none configured)")
        raise KopsError(
            _("no {kind} '{key}' in kops.yaml ({kinds}: {known})").format(
                kind=_(kind), key=key, kinds=_(plural), known=known
            ),
            hint=hint,
        )
    return table[key]


def campaign(settings: Settings, campaign_id: str) -> Campaign:
    return configured(
        settings.campaigns,
        campaign_id,
        N_("campaign"),
        hint=_("add it under `campaigns:` in kops.yaml; `kops campaign list` shows them"),
    )


def advisor(settings: Settings, name: str) -> Advisor:
    # The person's own name (advisors.営業本部長.name: 山田 太郎) is what people type first:
    # the hint names the key, not 「add a new entry」.
    keys = [key for key, entry in settings.advisors.items() if name in (entry.name, entry.email)]
    hint = (
        _("'{name}' is advisor {key} in kops.yaml: give --advisor {key}").format(
            name=name, key=keys[0]
        )
        if len(keys) == 1
        else _("add it under `advisors:` with its email and scope")
    )
    return configured(settings.advisors, name, N_("advisor"), hint=hint)

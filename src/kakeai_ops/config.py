"""kops.yaml → typed, validated settings.

Every rule and mapping of the specs lives here with its default. Validation
errors name the key and what is wrong, e.g.
``kops.yaml: rules.lapse_days: must be a positive integer, got 'thirty'``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import ConfigError


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


# --- exports -----------------------------------------------------------------

USERS_HEADERS: dict[str, list[str]] = {
    "user_id": ["ユーザーID"],
    "name": ["氏名"],
    "email": ["メールアドレス"],
    "division": ["事業部"],
    "department": ["部署"],
    "job_type": ["職種"],
    "age_band": ["年代"],
    "birth_date": ["生年月日"],
    "employment": ["在籍状況"],
    "created_at": ["アカウント作成日"],
    "last_login_at": ["最終ログイン日時"],
}
PAIRS_HEADERS: dict[str, list[str]] = {
    "manager_id": ["上司ID"],
    "member_id": ["部下ID"],
    "invited_at": ["招待日"],
    "accepted_at": ["承認日"],
    "recurring": ["繰り返し設定"],
}
MEETINGS_HEADERS: dict[str, list[str]] = {
    "meeting_id": ["1on1ID"],
    "manager_id": ["上司ID"],
    "member_id": ["部下ID"],
    "held_at": ["実施日時"],
    "status": ["ステータス"],
    "topic": ["トピック"],
    "response": ["対応"],
    "prepared_at": ["事前準備日時"],
    "sukkiri": ["スッキリ度"],
    "growth": ["成長実感"],
}

DEFAULT_TOPICS = [
    "業務の進捗や進め方",
    "業績目標の進捗",
    "人間関係",
    "心身の状態",
    "今後のキャリア",
    "スキルや力の向上",
    "プライベート",
    "会社や部署の方針",
]
DEFAULT_RESPONSES = [
    "話を聞いてほしい",
    "意見を聞きたい",
    "一緒に考えてほしい",
    "具体的なアドバイスがほしい",
    "報告したい",
]


class HeaderMap(Section):
    users: dict[str, list[str]] = Field(default_factory=lambda: dict(USERS_HEADERS))
    pairs: dict[str, list[str]] = Field(default_factory=lambda: dict(PAIRS_HEADERS))
    meetings: dict[str, list[str]] = Field(default_factory=lambda: dict(MEETINGS_HEADERS))
    # Columns dropped at read time and never stored (free text).
    never_read: list[str] = Field(
        default_factory=lambda: ["メモ", "memo", "共有メモ", "自分用メモ"]
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        # A workspace may list only the fields it renames; the rest keep their defaults.
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for table, defaults in (
            ("users", USERS_HEADERS),
            ("pairs", PAIRS_HEADERS),
            ("meetings", MEETINGS_HEADERS),
        ):
            given = data.get(table) or {}
            if isinstance(given, dict):
                unknown = sorted(set(given) - set(defaults))
                if unknown:
                    raise PydanticCustomError(
                        "unknown_field",
                        "unknown canonical field(s) {fields} under {table}; known: {known}",
                        {
                            "fields": ", ".join(unknown),
                            "table": table,
                            "known": ", ".join(defaults),
                        },
                    )
                table_map = {k: list(v) for k, v in defaults.items()}
                for key, names in given.items():
                    table_map[key] = [names] if isinstance(names, str) else list(names)
                merged[table] = table_map
        return merged


class Statuses(Section):
    held: list[str] = Field(default_factory=lambda: ["実施済"])
    scheduled: list[str] = Field(default_factory=lambda: ["予定"])
    cancelled: list[str] = Field(default_factory=lambda: ["キャンセル"])


class Employment(Section):
    active: list[str] = Field(default_factory=lambda: ["在籍"])
    leave: list[str] = Field(default_factory=lambda: ["休職", "産休", "育休"])
    retired: list[str] = Field(default_factory=lambda: ["退職"])


class Scale(Section):
    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise PydanticCustomError("scale", "min must be below max")
        return self


class Exports(Section):
    sheet: str | None = None
    headers: HeaderMap = Field(default_factory=HeaderMap)
    statuses: Statuses = Field(default_factory=Statuses)
    employment: Employment = Field(default_factory=Employment)
    topics: list[str] = Field(default_factory=lambda: list(DEFAULT_TOPICS))
    responses: list[str] = Field(default_factory=lambda: list(DEFAULT_RESPONSES))
    # Extra spellings mapped onto a canonical value (beyond the automatic folding).
    topic_aliases: dict[str, str] = Field(default_factory=dict)
    response_aliases: dict[str, str] = Field(default_factory=dict)
    recurring_true: list[str] = Field(
        default_factory=lambda: ["あり", "有", "true", "1", "○", "◯", "yes", "on"]
    )
    recurring_false: list[str] = Field(
        default_factory=lambda: ["なし", "無", "false", "0", "×", "✕", "no", "off"]
    )
    sukkiri_scale: Scale = Field(default_factory=lambda: Scale(min=0, max=5))
    growth_scale: Scale = Field(default_factory=lambda: Scale(min=1, max=5))

    @model_validator(mode="after")
    def _aliases_target_vocab(self) -> Exports:
        for field, vocab in (("topic_aliases", self.topics), ("response_aliases", self.responses)):
            for raw, canonical in getattr(self, field).items():
                if canonical not in vocab:
                    raise PydanticCustomError(
                        "alias",
                        "{field}: '{raw}' maps to '{canonical}', which is not in the list",
                        {"field": field, "raw": raw, "canonical": canonical},
                    )
        return self


# --- rules --------------------------------------------------------------------


class Rules(Section):
    lapse_days: PositiveInt = 30
    recent_n: PositiveInt = 3
    min_prep_share: Share = 0.5
    min_rating_share: Share = 0.5


def _parse_holiday_item(item: Any) -> tuple[dt.date, dt.date]:
    if isinstance(item, dt.datetime):
        return item.date(), item.date()
    if isinstance(item, dt.date):
        return item, item
    if isinstance(item, str):
        text = item.strip()
        try:
            if ".." in text:
                left, right = (part.strip() for part in text.split("..", 1))
                start, end = dt.date.fromisoformat(left), dt.date.fromisoformat(right)
            else:
                start = end = dt.date.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError(
                "holiday",
                "must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
            ) from None
        if end < start:
            raise PydanticCustomError("holiday", "range ends before it starts")
        return start, end
    raise PydanticCustomError(
        "holiday", "must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD"
    )


HolidayRange = Annotated[tuple[dt.date, dt.date], BeforeValidator(_parse_holiday_item)]


class CalendarSettings(Section):
    company_holidays: list[HolidayRange] = Field(default_factory=list)


class Window(Section):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise PydanticCustomError("window", "end is before start")
        return self


class StreakRule(Section):
    kind: Literal["weekly_streak"]
    months: PositiveInt = 3
    role: Literal["member", "manager", "any"] = "member"
    min_per_week: PositiveInt = 1


def _deadline(value: Any) -> dt.date | dt.datetime | None:
    """A date (entries that day still count) or a date and time (JST)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
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
            "deadline", "must be a date (2026-10-15) or a date and time (2026-10-15 17:00)"
        ) from None
    if moment.tzinfo is not None:  # entry times are JST, kept naive
        moment = moment.astimezone(dt.timezone(dt.timedelta(hours=9))).replace(tzinfo=None)
    return moment


class Campaign(Section):
    title: str
    window: Window
    rule: StreakRule
    # Entries (kops campaign entries) and the draw (kops campaign draw).
    entry_deadline: Annotated[dt.date | dt.datetime | None, BeforeValidator(_deadline)] = None
    exclude_previous_winners: bool = False
    draw_seed: str | None = None


class InterviewWeights(Section):
    regularity: NonNegativeNumber = 0.30
    volume: NonNegativeNumber = 0.15
    sukkiri: NonNegativeNumber = 0.20
    growth: NonNegativeNumber = 0.15
    diversity: NonNegativeNumber = 0.10
    recency: NonNegativeNumber = 0.10


class Interview(Section):
    min_held: PositiveInt = 6
    lookback_days: PositiveInt = 90
    min_sukkiri: NonNegativeNumber = 4
    max_per_division: PositiveInt = 1
    spread_tolerance: Share = 0.05
    n: PositiveInt = 6
    weights: InterviewWeights = Field(default_factory=InterviewWeights)
    private_topics: list[str] = Field(default_factory=lambda: ["心身の状態", "プライベート"])


class Privacy(Section):
    min_group: PositiveInt = 5
    min_group_sensitive: PositiveInt = 10
    sensitive_topics: list[str] = Field(default_factory=lambda: ["心身の状態"])


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


class Advisor(Section):
    email: str | None = None
    scope: list[str]

    @field_validator("scope")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("scope", "must list at least one 事業部 or 事業部/部署")
        return value


class Seminar(Section):
    month: int | str  # 1–4 for the series' themes, or a custom theme's name
    title: str | None = None
    points: list[str] = Field(default_factory=list)
    date: dt.datetime | dt.date | None = None
    url: str | None = None
    recording_url: str | None = None
    # For a custom theme: who to invite and with which template.
    stuck_points: list[str] | None = None
    managers: bool = False
    template: str | None = None

    @field_validator("month")
    @classmethod
    def _month(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 4:
            raise PydanticCustomError("month", "must be 1–4 or a custom theme's name")
        return value


class SurveyHeaders(Section):
    user: list[str] = Field(default_factory=lambda: ["ユーザーID", "社員番号", "メールアドレス"])
    satisfaction: list[str] = Field(default_factory=lambda: ["満足度"])
    interests: list[str] = Field(default_factory=lambda: ["知りたいテーマ", "興味のあるテーマ"])
    free_text: list[str] = Field(default_factory=lambda: ["今、知りたいこと", "今知りたいこと"])


DEFAULT_KEYWORDS = {
    "事前準備・トピック": ["トピック", "事前準備", "話題", "対応", "何を話"],
    "スッキリ度・振り返り": ["スッキリ", "振り返り", "評価"],
    "繰り返し・予定": ["繰り返し", "予定", "頻度", "スケジュール", "時間"],
    "メモ": ["メモ", "記録"],
    "キャリア・成長": ["キャリア", "成長", "スキル"],
    "上司の関わり方": ["上司", "部下", "聴", "傾聴", "フィードバック", "関わり"],
    "データの見方": ["データ", "分析", "グラフ", "数値"],
}


# Words too common in answers to 「今、知りたいこと」 to say anything about a theme.
# Matched on normalised forms, so わかる also drops 分かる and 分る.
DEFAULT_STOP_WORDS = [
    *("こと", "もの", "ため", "よう", "感じ", "自分", "みんな", "皆さん", "場合", "ところ"),
    *("とき", "時", "うち", "前", "後", "際"),
    *("特に", "なし", "以上", "方法", "やり方", "仕方", "コツ", "具体的", "ポイント", "今後"),
    *("知る", "教える", "欲しい", "思う", "考える", "分かる", "する", "いる", "ある", "なる"),
    *("できる", "やる", "行う", "言う", "いい", "良い", "ない", "難しい", "聞きたい", "たい"),
    "1on1",  # in a 1on1 programme every answer is about 1on1
    *("the", "a", "an", "to", "of", "and", "or", "for", "in", "on", "how", "what", "is"),
]
# Counted as one word wherever they appear: Sudachi splits these, or reads them as a verb
# in some contexts (振り返りシート → 振り返る + シート).
DEFAULT_COMPOUNDS = [
    *("スッキリ度", "事前準備", "繰り返し設定", "成長実感", "心理的安全性", "振り返り"),
]
DEFAULT_SYNONYMS = {
    "feedback": "フィードバック",
    "フィードバッグ": "フィードバック",
    "fb": "フィードバック",
    "ワンオンワン": "1on1",
    "1on1ミーティング": "1on1",
}


class Themes(Section):
    top: PositiveInt = 10
    stop_words: list[str] = Field(default_factory=lambda: list(DEFAULT_STOP_WORDS))
    compounds: list[str] = Field(default_factory=lambda: list(DEFAULT_COMPOUNDS))
    synonyms: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SYNONYMS))


class SeminarSurvey(Section):
    attendance_user: list[str] = Field(
        default_factory=lambda: ["ユーザーID", "社員番号", "メールアドレス"]
    )
    headers: SurveyHeaders = Field(default_factory=SurveyHeaders)
    satisfaction_scale: Scale = Field(default_factory=lambda: Scale(min=1, max=5))
    keywords: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_KEYWORDS))
    themes: Themes = Field(default_factory=Themes)


class Settings(Section):
    exports: Exports = Field(default_factory=Exports)
    rules: Rules = Field(default_factory=Rules)
    milestones: list[PositiveInt] = Field(default_factory=lambda: [1, 5, 10, 20, 50, 100])
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    campaigns: dict[str, Campaign] = Field(default_factory=dict)
    interview: Interview = Field(default_factory=Interview)
    privacy: Privacy = Field(default_factory=Privacy)
    mail: Mail = Field(default_factory=Mail)
    advisors: dict[str, Advisor] = Field(default_factory=dict)
    seminars: dict[str, Seminar] = Field(default_factory=dict)
    seminar_survey: SeminarSurvey = Field(default_factory=SeminarSurvey)

    @field_validator("milestones")
    @classmethod
    def _sorted_unique(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


# --- loading ------------------------------------------------------------------


def load_settings(path: Path) -> Settings:
    """Read and validate kops.yaml; every problem is reported with its key."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found", hint="create a workspace with `kops init DIR`"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{name}: not UTF-8 text", hint="save kops.yaml as UTF-8 (without changing the keys)"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(
            f"{where}: not valid YAML: {problem}",
            hint="check indentation (spaces, not tabs) and quoting near that line",
        ) from None
    return parse_settings(data or {}, name)


def parse_settings(data: Any, source: str = "kops.yaml") -> Settings:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of settings")
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        lines = [_describe(source, e) for e in err.errors()]
        raise ConfigError(
            "\n".join(lines),
            hint=f"fix {source}; `kops init --print-config` shows every setting with its default",
        ) from None


def _describe(source: str, error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        parent_loc = error["loc"][:-1]
        known = _known_keys(parent_loc)
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        tip = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{source}: {loc}: unknown setting{tip}"
    if kind == "missing":
        return f"{source}: {loc}: required setting is missing"
    message = error["msg"]
    if message.startswith("Input should be"):
        message = "must be" + message[len("Input should be") :]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{source}: {loc}: {message}, got {given!r}" if loc else f"{source}: {message}"


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

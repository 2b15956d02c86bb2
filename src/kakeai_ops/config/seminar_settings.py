"""kops.yaml `seminars:` and `seminar_survey:` seminars and their survey files."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..i18n import N_
from .export_settings import Scale
from .values import Line, Section, TypedMoment, at_most, between, in_jst


class Seminar(Section):
    month: int | str  # 1–4 for the series' themes, or a custom theme's name
    title: Line | None = None
    points: list[str] = Field(default_factory=list)
    date: Annotated[dt.datetime | dt.date | None, TypedMoment, AfterValidator(in_jst)] = None
    # How long it lasts; None: the mails say no length (never one kops assumed).
    minutes: Annotated[int, between(1, 1_440)] | None = None
    url: str | None = None
    recording_url: str | None = None
    # For a custom theme: who to invite and with which template.
    stuck_points: list[str] | None = None
    managers: bool = False
    template: str | None = None

    @property
    def day(self) -> dt.date | None:
        """The seminar's day, whether kops.yaml gives a date or a date and time."""
        return self.date.date() if isinstance(self.date, dt.datetime) else self.date

    @field_validator("month")
    @classmethod
    def _month(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 4:
            raise PydanticCustomError("month", N_("must be 1–4 or a custom theme's name"))
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
    # Month2's theme (他の人は1on1でどんな話をしているの？): it went to その他.
    "ほかの人の1on1": ["他の人", "ほかの人", "他の部署", "他部署", "どんな話", "事例"],
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
    top: Annotated[int, at_most(1_000)] = 10
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

"""kops.yaml `exports:` how the service's files are recognised and read."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .. import glossary, model
from ..i18n import _
from .values import Section

# --- exports -----------------------------------------------------------------

# The default header of each canonical field an export may carry (model.py).
USERS_HEADERS: dict[str, list[str]] = model.USERS.headers
PAIRS_HEADERS: dict[str, list[str]] = model.PAIRS.headers
MEETINGS_HEADERS: dict[str, list[str]] = model.MEETINGS.headers

DEFAULT_TOPICS = list(model.TOPICS)
DEFAULT_RESPONSES = list(model.RESPONSES)


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
                        _("unknown canonical field(s) {fields} under {table}; known: {known}"),
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
            raise PydanticCustomError("scale", _("min must be below max"))
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
    def _no_value_named_as_the_total(self) -> Exports:
        """A topic or 対応 named 「計」 would be taken for the row that sums its table."""
        for field, vocab in (("topics", self.topics), ("responses", self.responses)):
            if glossary.MIX_TOTAL in vocab:
                raise PydanticCustomError(
                    "total",
                    _("{field}: '{name}' names the row that sums each table; rename it"),
                    {"field": field, "name": glossary.MIX_TOTAL},
                )
        return self

    @model_validator(mode="after")
    def _aliases_target_vocab(self) -> Exports:
        for field, vocab in (("topic_aliases", self.topics), ("response_aliases", self.responses)):
            for raw, canonical in getattr(self, field).items():
                if canonical not in vocab:
                    raise PydanticCustomError(
                        "alias",
                        _("{field}: '{raw}' maps to '{canonical}', which is not in the list"),
                        {"field": field, "raw": raw, "canonical": canonical},
                    )
        return self

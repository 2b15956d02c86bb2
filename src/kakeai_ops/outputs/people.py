"""A table as people read it: Japanese headers and values from the one glossary.

The stable English keys stay in ``--format json``; a workbook lists label ↔ key in
its 「列の説明」 sheet so a formula or a script can still find a column.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import glossary
from ..model import is_id


@dataclass(frozen=True)
class PeopleTable:
    frame: pd.DataFrame  # Japanese headers and values
    keys: list[str]  # the English key of each column, in order
    formats: list[str | None]  # the Excel number format of each column
    # Per row, the kind of figure (glossary.ROW_FORMATS) when rows mix kinds; else empty.
    row_kinds: list[str | None] = field(default_factory=list)
    # This table's detail columns, where it names its own (glossary.DETAIL_COLUMNS).
    own_details: frozenset[str] | None = None

    @property
    def details(self) -> list[bool]:
        if self.own_details is not None:
            return [k in self.own_details for k in self.keys]
        return [glossary.COLUMNS[k].detail if k in glossary.COLUMNS else False for k in self.keys]

    @property
    def kinds(self) -> list[str]:
        """What each column holds, for the room it is given on paper (workbook.KINDS)."""
        return [
            _kind(key, number_format)
            for key, number_format in zip(self.keys, self.formats, strict=True)
        ]


def for_people(frame: pd.DataFrame, text_columns: AbstractSet[str] = frozenset()) -> PeopleTable:
    keys = [str(c) for c in frame.columns]
    named = frame.attrs.get(glossary.DETAIL_COLUMNS)
    own_details = None if named is None else frozenset(named)
    # Each row's kind sets its numbers' format, even where its 単位 is said in words.
    kinds = (
        [None if pd.isna(k) else str(k) for k in frame["figure_kind"]]
        if "figure_kind" in keys
        else []
    )
    own_labels = frame.attrs.get(glossary.COLUMN_LABELS) or {}
    same = [k for k in keys if glossary.SAME_AS.get(k) in keys]
    if same:
        frame = frame.drop(columns=same)
        keys = [k for k in keys if k not in same]
    columns: dict[str, pd.Series] = {}
    labels: list[str] = []
    formats: list[str | None] = []
    for position, key in enumerate(keys):
        column = frame.iloc[:, position]
        column = _values(key, column)
        label = own_labels.get(key) or glossary.column_label(key)
        if label in labels:  # two keys, one word: say which
            label = f"{label}（{key}）"
        labels.append(label)
        columns[label] = column
        formats.append(_format(key, column, text_columns))
    people = pd.DataFrame(columns, index=frame.index)
    return PeopleTable(people, keys, formats, kinds, own_details)


def _values(key: str, column: pd.Series) -> pd.Series:
    parts = glossary.LIST_VALUES.get(key)
    if parts is not None:  # several keys in one cell ("no_prep;no_rating")
        return column.astype(object).map(
            lambda v: (
                "・".join(str(parts.get(p, p)) for p in v.split(";") if p)
                if isinstance(v, str)
                else v
            )
        )
    labels = glossary.VALUES.get(key)
    if labels is None and column.dtype == np.bool_:
        labels = glossary.BOOLEAN
    if labels is None:
        return column
    if column.dtype == np.bool_:
        return column.map(labels).astype(object)
    mapped = column.astype(object).map(lambda v: labels.get(v, v) if _hashable(v) else v)
    return mapped


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _format(key: str, column: pd.Series, text_columns: AbstractSet[str]) -> str | None:
    if key in text_columns or is_id(key):
        return glossary.TEXT
    known = glossary.COLUMNS.get(key)
    if known is not None and known.format is not None:
        return known.format
    if pd.api.types.is_bool_dtype(column.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return glossary.DATE_TIME
    if pd.api.types.is_float_dtype(column.dtype):
        if key.endswith(("share", "rate")):
            return glossary.PERCENT
        return glossary.ONE_DECIMAL
    if pd.api.types.is_integer_dtype(column.dtype):
        return glossary.COUNT
    return None


def _kind(key: str, number_format: str | None) -> str:
    if is_id(key) or key in glossary.ID_LIKE_COLUMNS:
        return "id"
    if key in glossary.LIST_COLUMNS:
        return "list"
    if key == "name" or key.endswith("_name"):
        return "name"
    return "text" if number_format in (None, glossary.TEXT) else "number"

"""Frames as Rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from rich.table import Table

from .files import cell


def frame_table(
    frame: pd.DataFrame,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    max_rows: int | None = None,
) -> Table:
    headers = headers or {}
    formats = formats or {}
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        table.add_column(
            headers.get(str(column), str(column)), justify="right" if numeric else "left"
        )
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False, name=None):
        table.add_row(
            *[
                formats[str(c)](v) if str(c) in formats else str(cell(v))
                for c, v in zip(frame.columns, row, strict=True)
            ]
        )
    if max_rows is not None and len(frame) > max_rows:
        table.caption = f"{max_rows} of {len(frame)} rows shown; use --format csv or --out for all"
    return table


def percent(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):.1%}"

"""Frames as Rich tables for the terminal.

Cells, headers and titles are Text, never markup: a name such as ``[/bold]山田``
or ``[red]x`` prints as written instead of styling the table or crashing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text

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
    table = Table(title=None if title is None else plain(title), title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        table.add_column(
            plain(headers.get(str(column), str(column))), justify="right" if numeric else "left"
        )
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False, name=None):
        table.add_row(
            *[
                plain(formats[str(c)](v) if str(c) in formats else cell(v))
                for c, v in zip(frame.columns, row, strict=True)
            ]
        )
    if max_rows is not None and len(frame) > max_rows:
        table.caption = f"{max_rows} of {len(frame)} rows shown; use --format csv or --out for all"
    return table


def plain(value: Any) -> Text:
    """Data for a Rich table or message: shown as written, never read as markup."""
    return value if isinstance(value, Text) else Text(str(value))


def percent(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):.1%}"

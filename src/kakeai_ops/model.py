"""The canonical tables every layer speaks: what a snapshot holds and analyses read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Tables:
    """The three canonical tables of one snapshot (columns: exports/tables.py)."""

    users: pd.DataFrame
    pairs: pd.DataFrame
    meetings: pd.DataFrame

    def get(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, name)
        return frame

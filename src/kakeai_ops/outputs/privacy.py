"""Minimum group sizes and complementary suppression for reports advisors see.

- A figure that aggregates fewer than ``min_group`` people is not shown; for
  the sensitive topic (心身の状態) the minimum is ``min_group_sensitive``.
  It shows as ``<5`` / ``<10``, never as 0 or blank.
- Complementary suppression: when exactly one child of a shown total is
  hidden, the smallest other child is hidden too (shown as ``(秘匿)``), so the
  hidden value can't be recovered by subtracting the others from the total.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

COMPLEMENT = "(秘匿)"
PRIMARY = "primary"
SECONDARY = "complement"


def below(threshold: int) -> str:
    return f"<{threshold}"


def suppress(
    frame: pd.DataFrame,
    size: pd.Series,
    thresholds: pd.Series | int,
    columns: Sequence[str],
    parents: Sequence[str] = (),
) -> pd.DataFrame:
    """Hide ``columns`` in rows whose ``size`` (people) is under the threshold,
    then complementary cells within each parent group.

    Returns a copy with the hidden values replaced by their labels and a
    ``_hidden`` column ('primary', 'complement' or '').
    """
    out = frame.copy()
    limit = (
        thresholds
        if isinstance(thresholds, pd.Series)
        else pd.Series(thresholds, index=frame.index)
    )
    hidden = pd.Series("", index=frame.index, dtype=object)
    hidden[size < limit] = PRIMARY
    groups = (
        [frame.index]
        if not parents
        else [rows.index for _, rows in frame.groupby(list(parents), sort=False)]
    )
    for rows in groups:
        flagged = hidden.loc[rows]
        if (flagged == PRIMARY).sum() == 1:
            visible = [i for i in rows if hidden.loc[i] == ""]
            if visible:
                smallest = min(visible, key=lambda i: (size.loc[i], str(i)))
                hidden.loc[smallest] = SECONDARY
    for column in columns:
        values = out[column].astype(object)
        for index in hidden.index[hidden == PRIMARY]:
            values.loc[index] = below(int(limit.loc[index]))
        for index in hidden.index[hidden == SECONDARY]:
            values.loc[index] = COMPLEMENT
        out[column] = values
    out["_hidden"] = hidden
    return out


def suppress_cells(
    frame: pd.DataFrame, size: pd.Series, thresholds: pd.Series | int, columns: Sequence[str]
) -> pd.DataFrame:
    """Primary suppression only, for figures that are not parts of a shown total (averages)."""
    out = frame.copy()
    limit = (
        thresholds
        if isinstance(thresholds, pd.Series)
        else pd.Series(thresholds, index=frame.index)
    )
    small = size < limit
    for column in columns:
        values = out[column].astype(object)
        for index in small.index[small]:
            values.loc[index] = below(int(limit.loc[index]))
        out[column] = values
    return out

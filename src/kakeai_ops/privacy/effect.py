"""The mail effect report's groups under the disclosure rules (``rules.py``).

The division report is protected cell by cell (``cells.py``) and audited
(``audit.py``); the effect report is two groups side by side:

- a figure that aggregates fewer than ``min_group`` people is not shown; it
  shows as ``<5``, never as 0 or blank (a group of no one has no figures: blank);
- shares are published as whole percents, so a group's size can't be read
  back from them.
"""

from __future__ import annotations

import pandas as pd

from ..model import number
from ..numbers import rounded
from .rules import below, is_small

EFFECT_FIGURES = ["left_stuck_point", "share_left", "still_flagged", "slid_back"]


def protect_effect(frame: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """The mail effect report (one row per group: mailed, holdout): a group of
    fewer than ``minimum`` people shows its outcome as ``<5``, and shares are
    whole percents, so no one's outcome is read off a small group or its share.
    The difference between the groups is left to the caller, which must not
    show it when either side is hidden."""
    out = frame.copy()
    for column in EFFECT_FIGURES:
        out[column] = out[column].astype(object)
    for index, row in out.iterrows():
        if row["in_snapshot"] == 0:
            # No one in the group (no holdout): there is no outcome to show or hide, and
            # 「<5」 would read as a few people.
            for column in EFFECT_FIGURES:
                out.at[index, column] = None
        elif is_small(row["in_snapshot"], minimum):
            for column in EFFECT_FIGURES:
                out.at[index, column] = below(minimum)
        elif row["share_left"] is not None and not pd.isna(row["share_left"]):
            # Half up, as the terminal's 「13%（3/24人）」 says it (round() would say 12%).
            out.at[index, "share_left"] = float(rounded(float(row["share_left"]), 2))
    return out


def shown_difference(frame: pd.DataFrame) -> float | None:
    """Mailed − holdout of the shares as :func:`protect_effect` publishes them, or None
    when either is hidden or missing: the difference of a hidden share would give it back."""
    shares = frame.set_index("group")["share_left"]
    mailed, holdout = shares.get("mailed"), shares.get("holdout")
    if any(isinstance(v, str) or v is None or pd.isna(v) for v in (mailed, holdout)):
        return None
    return number(mailed) - number(holdout)

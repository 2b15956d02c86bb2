"""The segment facts of a run's audience as one plain dict per user, built column by column.

A mail run looks up each recipient's facts once; a pandas row lookup (or
``DataFrame.to_dict``, which walks every cell of every column) per recipient
costs more than rendering the mail. Only the columns a mail uses are taken,
each converted to Python values in one go, with the same values
``to_dict("index")`` gives (pandas' NA as None); the dates come as the text
the context shows (``last_login_date``, ``last_held_date``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .context import DATE_FACTS, USER_KEYS, date_texts

# What the audience checks and the template context read of a user's facts.
MAIL_COLUMNS = (
    *USER_KEYS,
    "employment_status",
    "stuck_point",
    "stuck_point_label",
    "flags",
    "held_total",
    "pairs_as_manager",
    "pairs_as_member",
    "recurring_pairs",
    "recent_count",
    "recent_prepared",
    "recent_rated",
    "invites_to_accept",
)


def fact_rows(facts: pd.DataFrame, user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """user id → {column: value} for the users of ``user_ids`` found in ``facts``
    (indexed by user id, one row per user)."""
    if not facts.index.is_unique:
        raise ValueError("the facts must have one row per user")
    wanted = set(user_ids)  # Index.isin converts each id to an Arrow scalar: 50k of them
    ids = facts.index.tolist()
    taken = [user_id in wanted for user_id in ids]
    chosen = facts  # the columns read by name below; none copied
    if sum(taken) < len(ids) / 2:
        # A few of many: their rows first, in one take, rather than every value converted
        # (the usual run reaches most users: its values are converted as they are).
        chosen = facts.take([position for position, take in enumerate(taken) if take])
        ids = chosen.index.tolist()
        taken = [True] * len(ids)
    names = [*MAIL_COLUMNS, *DATE_FACTS]
    columns = [column_values(chosen[name]) for name in MAIL_COLUMNS]
    columns += [date_texts(chosen[source]) for source in DATE_FACTS.values()]
    # strict=False: the lengths are equal by construction, and checking costs per user.
    return {
        user_id: dict(zip(names, values, strict=False))
        for user_id, values, take in zip(ids, zip(*columns, strict=True), taken, strict=True)
        if take
    }


def column_values(column: pd.Series) -> list[Any]:
    """The column as Python values: str, int, float, Timestamp; missing as the column
    holds it (NaN, NaT), except pandas' NA, which becomes None."""
    values = column.tolist()
    if getattr(column.dtype, "na_value", None) is pd.NA and column.hasnans:
        return [None if value is pd.NA else value for value in values]
    return values

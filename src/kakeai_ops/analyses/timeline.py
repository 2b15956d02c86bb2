"""Snapshots in order: what each one's data runs to, older exports, repeats and gaps.

Every figure is as of a date the data implies, so the snapshots must move forward in
time: an export older than the latest snapshot would bring retired people back and
turn held 1on1s into 予定 again. Ingest asks here whether the exports it was given
are older (and what they would change), whether they add nothing (the same content
as the latest snapshot), and ``kops status`` asks where the snapshots leave gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import model
from ..config import Rules
from ..i18n import N_, _
from ..model import Tables

# What each table's data runs to: its latest time of this kind.
RANGE_FIELDS = {
    "users": ("last_login_at", N_("latest login")),
    "meetings": ("held_at", N_("latest held 1on1")),
    "pairs": ("accepted_at", N_("latest pair accepted")),
}
# The keys that identify a row, to compare two tables whatever their row order.
ROW_KEYS = {name: list(table.key) for name, table in model.TABLES.items()}


def latest(frame: pd.DataFrame, table: str) -> pd.Timestamp | None:
    """The latest time of ``table``'s kind in ``frame`` (held 1on1s only: a 予定 may lie ahead)."""
    column = RANGE_FIELDS[table][0]
    if column not in frame or not len(frame):
        return None
    values = frame[column]
    if table == "meetings":
        values = values[frame["status"] == "held"]
    stamp = values.max()
    return pd.Timestamp(stamp) if pd.notna(stamp) else None


def data_range(tables: Tables, given: dict[str, Sequence[pd.DataFrame]]) -> dict[str, Any]:
    """What a snapshot records about its data: the latest login, held 1on1 and pair
    acceptance it contains, and the span of held 1on1s in the 1on1 exports it was given
    (``export_from``/``export_to``: where this ingest's own 1on1 data starts and ends)."""
    stamps = {table: latest(tables.get(table), table) for table in RANGE_FIELDS}
    held = [
        frame.loc[frame["status"] == "held", "held_at"]
        for frame in given.get("meetings", [])
        if len(frame)
    ]
    held = [h for h in held if len(h)]
    return {
        "last_login_at": _text(stamps["users"]),
        "last_held_at": _text(stamps["meetings"]),
        "last_accepted_at": _text(stamps["pairs"]),
        "export_from": _day(min(h.min() for h in held)) if held else None,
        "export_to": _day(max(h.max() for h in held)) if held else None,
    }


def _text(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else stamp.isoformat(sep=" ", timespec="minutes")


def _day(stamp: Any) -> str | None:
    return pd.Timestamp(stamp).date().isoformat() if pd.notna(stamp) else None


@dataclass(frozen=True)
class Older:
    """Where a given export stops before the latest snapshot's data does."""

    table: str
    what: str  # e.g. "latest login"
    export_to: pd.Timestamp
    snapshot_to: pd.Timestamp


def older_exports(given: dict[str, list[pd.DataFrame]], before: Tables) -> list[Older]:
    """The given tables whose data stops before the same table's in the latest snapshot.

    Logins and held 1on1s only: a newer pairs export may well have no acceptance later
    than the last one (pairs are removed too), so its dates say nothing of its age."""
    found = []
    for table, frames in given.items():
        if table == "pairs":
            continue
        stamps = [s for s in (latest(frame, table) for frame in frames) if s is not None]
        mine = max(stamps) if stamps else None
        theirs = latest(before.get(table), table)
        if mine is not None and theirs is not None and mine < theirs:
            found.append(Older(table, RANGE_FIELDS[table][1], mine, theirs))
    return found


def what_would_change(before: Tables, after: Tables) -> list[str]:
    """What storing ``after`` over ``before`` would undo, in words a secretariat checks."""
    lines = []
    old_users, new_users = before.users, after.users
    if len(old_users) != len(new_users):
        lines.append(
            _("users {before:,} → {after:,}").format(before=len(old_users), after=len(new_users))
        )
    retired = set(old_users.loc[old_users["employment_status"] == "retired", "user_id"])
    revived = new_users["user_id"].isin(retired) & (new_users["employment_status"] != "retired")
    if revived.any():
        lines.append(
            _("{count:,} people back from 退職 to 在籍/休職").format(count=int(revived.sum()))
        )
    returned = ~new_users["user_id"].isin(set(old_users["user_id"]))
    if returned.any():
        lines.append(
            _("{count:,} people not in the latest snapshot back in").format(
                count=int(returned.sum())
            )
        )
    old_held = before.meetings.loc[
        before.meetings["status"].astype(object) == "held", "meeting_id"
    ].astype(object)
    new_status = pd.Series(
        after.meetings["status"].astype(object).to_numpy(),
        index=after.meetings["meeting_id"].astype(object).to_numpy(),
    )
    reverted = new_status.reindex(old_held.to_numpy())
    back = reverted.notna() & (reverted != "held")
    if back.any():
        counts = reverted[back].value_counts()
        label = {"scheduled": "予定", "cancelled": "キャンセル"}
        if len(counts) == 1:
            parts = label.get(str(counts.index[0]), str(counts.index[0]))
        else:
            parts = ", ".join(f"{label.get(str(k), k)} ({int(v):,})" for k, v in counts.items())
        lines.append(
            _("{count:,} held 1on1s (実施済) back to {states}").format(
                count=int(back.sum()), states=parts
            )
        )
    new_held = int((after.meetings["status"].astype(object) == "held").sum())
    if new_held != len(old_held):
        lines.append(
            _("held 1on1s {before:,} → {after:,}").format(before=len(old_held), after=new_held)
        )
    return lines


def implied_as_of(users: pd.DataFrame, meetings: pd.DataFrame) -> dt.date | None:
    """The latest held 1on1 or login: results never depend on the wall clock.

    Scheduled and cancelled 1on1s are left out: their 実施日時 may lie in the future.
    """
    candidates = [users["last_login_at"].max()]
    if len(meetings):
        held = meetings.loc[meetings["status"] == "held", "held_at"]
        candidates.append(held.max())
    stamps = [c for c in candidates if pd.notna(c)]
    return max(stamps).date() if stamps else None


def stuck_point_moves(before: Tables, after: Tables, rules: Rules) -> list[str]:
    """How the count per primary stuck point would move, each judged at its own as-of."""
    from . import segmentation

    counts = []
    for tables in (before, after):
        as_of = implied_as_of(tables.users, tables.meetings)
        if as_of is None:
            return []
        result = segmentation.segment(tables, rules, as_of)
        counts.append(result["stuck_point"].astype(object).value_counts())
    old, new = counts
    lines = []
    for point in segmentation.STUCK_POINTS:
        a, b = int(old.get(point.key, 0)), int(new.get(point.key, 0))
        if a != b:
            lines.append(f"{point.label} ({point.key}) {a:,} → {b:,}")
    return lines


def same_content(before: Tables, after: Tables) -> bool:
    """Whether ``after`` holds exactly the rows of ``before`` (in any order).

    Cheap tests first (row counts, latest times), so an ordinary ingest pays nothing;
    then the rows, value by value, whatever dtype a table came back from Parquet with."""
    for table in RANGE_FIELDS:
        old, new = before.get(table), after.get(table)
        if len(old) != len(new) or set(old.columns) != set(new.columns):
            return False
        if latest(old, table) != latest(new, table):
            return False
    return all(_same_rows(before.get(t), after.get(t), ROW_KEYS[t]) for t in RANGE_FIELDS)


def _same_rows(old: pd.DataFrame, new: pd.DataFrame, keys: list[str]) -> bool:
    columns = sorted(old.columns)
    if _same_values(old, new, columns):
        return True
    order_old = old.sort_values(keys, kind="stable").reset_index(drop=True)
    order_new = new.sort_values(keys, kind="stable").reset_index(drop=True)
    return _same_values(order_old, order_new, columns)


def _same_values(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> bool:
    for column in columns:
        a, b = _comparable(old[column]), _comparable(new[column])
        if not np.array_equal(a, b):
            return False
    return True


def _comparable(values: pd.Series) -> np.ndarray:
    """One representation per value, whatever the dtype: times as nanoseconds, numbers
    as floats, text as objects, every missing value as the same marker."""
    if pd.api.types.is_datetime64_any_dtype(values):
        nanos = values.astype("datetime64[ns]").to_numpy().view("int64").astype(object)
        nanos[values.isna().to_numpy()] = None
        return nanos
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        floats = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        as_objects = floats.astype(object)
        as_objects[np.isnan(floats)] = None
        return as_objects
    objects = values.astype(object).to_numpy(copy=True)
    objects[pd.isna(values).to_numpy()] = None
    return objects

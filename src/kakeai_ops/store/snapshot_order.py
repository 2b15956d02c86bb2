"""Warnings about the order of snapshots, from their manifests alone (no table is read:
`kops status` lists snapshots without the data libraries)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from ..i18n import _


def gaps_and_overlaps(manifests: Sequence[dict[str, Any]]) -> list[str]:
    """Warnings about the order of snapshots: a snapshot whose data stops on or before
    the one before it (an older export, or the same data again), and a 1on1 export that
    starts after the data before it stopped (the days between are in no export)."""
    warnings = []
    for previous, current in itertools.pairwise(manifests):
        before_to, now_to = _date(previous.get("as_of")), _date(current.get("as_of"))
        sid, pid = current.get("id"), previous.get("id")
        if current.get("older"):
            warnings.append(
                _(
                    "snapshot {snapshot} was stored from exports older than snapshot "
                    "{previous} (ingest --older): its figures mix older and newer data"
                ).format(snapshot=sid, previous=pid)
            )
        elif before_to is not None and now_to is not None:
            if now_to < before_to:
                warnings.append(
                    _(
                        "snapshot {snapshot} runs to {end}, before snapshot {previous} "
                        "({previous_end}): an older export (ingested with --older)"
                    ).format(snapshot=sid, end=now_to, previous=pid, previous_end=before_to)
                )
            elif now_to == before_to:
                warnings.append(
                    _(
                        "snapshot {snapshot} runs to {end}, as snapshot {previous} does: "
                        "the same period twice"
                    ).format(snapshot=sid, end=now_to, previous=pid)
                )
        start = _date((current.get("data") or {}).get("export_from"))
        if before_to is not None and start is not None and start > before_to + dt.timedelta(1):
            warnings.append(
                _(
                    "snapshot {snapshot}: its 1on1 export starts on {start}, but snapshot "
                    "{previous} runs to {previous_end}: 1on1s from {first} to {last} are in "
                    "no export"
                ).format(
                    snapshot=sid,
                    start=start,
                    previous=pid,
                    previous_end=before_to,
                    first=before_to + dt.timedelta(1),
                    last=start - dt.timedelta(1),
                )
            )
    return warnings


def _date(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


# Longer than a Golden Week or New Year break without a 1on1: 1on1s that stop more days
# than this before the logins do mean a 1on1 export older than the users export, or none.
HELD_BEHIND_DAYS = 10


def held_behind(snapshot_id: str, manifest: dict[str, Any], as_of: dt.date | None = None) -> str:
    """A warning when the snapshot's held 1on1s stop long before the day judged (``as_of``,
    else the snapshot's), or there are none: this month's users export ingested with last
    month's 1on1s (or none) made 83% of the sample 1on1休眠, with no word. Empty when
    they do not."""
    day = as_of or _date(manifest.get("as_of"))
    last = _date((manifest.get("data") or {}).get("last_held_at"))
    if day is None:
        return ""
    if last is None:
        return _(
            "snapshot {snapshot}: it holds no held 1on1 (as of {day}): no 1on1 export was "
            "ingested, or it has no held rows. Everyone is judged as having no 1on1"
        ).format(snapshot=snapshot_id, day=day)
    if (day - last).days <= HELD_BEHIND_DAYS:
        return ""
    return _(
        "snapshot {snapshot}: its held 1on1s stop on {last}, {days} days before {day}, the "
        "day it is judged as of: the 1on1 export is older than the users export, was not "
        "ingested, or has no held rows since. 1on1s since {last} are not counted: more "
        "people look lapsed or without a 1on1, and the 1on1 rates lower, than they are. "
        "Ingest this month's 1on1 export too (kops ingest meetings.xlsx)"
    ).format(snapshot=snapshot_id, last=last, days=(day - last).days, day=day)

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

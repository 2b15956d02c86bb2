"""Warnings about the order of snapshots, from their manifests alone (no table is read:
`kops status` lists snapshots without the data libraries)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any


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
                f"snapshot {sid} was stored from exports older than snapshot {pid} "
                "(ingest --older): its figures mix older and newer data"
            )
        elif before_to is not None and now_to is not None:
            if now_to < before_to:
                warnings.append(
                    f"snapshot {sid} runs to {now_to}, before snapshot {pid} ({before_to}): "
                    "an older export (ingested with --older)"
                )
            elif now_to == before_to:
                warnings.append(
                    f"snapshot {sid} runs to {now_to}, as snapshot {pid} does: "
                    "the same period twice"
                )
        start = _date((current.get("data") or {}).get("export_from"))
        if before_to is not None and start is not None and start > before_to + dt.timedelta(1):
            warnings.append(
                f"snapshot {sid}: its 1on1 export starts on {start}, but snapshot {pid} runs "
                f"to {before_to}: 1on1s from {before_to + dt.timedelta(1)} to "
                f"{start - dt.timedelta(1)} are in no export"
            )
    return warnings


def _date(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None

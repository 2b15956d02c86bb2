"""`kops segment --compare-to/--since`: the snapshot to compare with, and the movement
between stuck points as `--format json` gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..analyses.segmentation import Movement
from ..errors import KopsError
from ..i18n import _
from ..store import SnapshotInfo, resolve_snapshot, snapshot_as_of
from ..workspace import Workspace


def earlier_snapshot(
    ws: Workspace, latest: SnapshotInfo, compare_to: str | None, since: dt.date | None
) -> tuple[SnapshotInfo, dt.date]:
    """The snapshot named by ``compare_to``, else the latest dated on or before ``since``,
    with its as-of date; refused when it is ``latest`` itself or has no as-of date."""
    if compare_to is not None:
        earlier = resolve_snapshot(ws, compare_to)
    else:
        assert since is not None
        found = snapshot_as_of(ws, since)
        if found is None:
            raise KopsError(
                _("--since: no snapshot dated on or before {day}").format(day=since),
                hint=_("`kops status` lists the snapshots and their as-of dates"),
            )
        earlier = found
    if earlier.id == latest.id:
        raise KopsError(
            _("snapshot {snapshot} compared with itself").format(snapshot=latest.id),
            hint=_("name an earlier snapshot (`kops status`)"),
        )
    if earlier.as_of is None:
        raise KopsError(_("snapshot {snapshot} has no as-of date").format(snapshot=earlier.id))
    return earlier, earlier.as_of


def movement_record(
    earlier: SnapshotInfo, earlier_as_of: dt.date, latest: SnapshotInfo, movement: Movement
) -> dict[str, Any]:
    """The movement as one JSON object: both snapshots, the transition counts, who moved."""
    return {
        "before": {"snapshot": earlier.id, "as_of": str(earlier_as_of)},
        "after": {"snapshot": latest.id, "as_of": str(latest.as_of)},
        "transitions": {
            k: {kk: int(vv) for kk, vv in v.items()}
            for k, v in movement.transitions.to_dict("index").items()
        },
        "moved_on": movement.moved_on["user_id"].tolist(),
        "slid_back": movement.slid_back["user_id"].tolist(),
        "joined": movement.joined,
        "left": movement.left,
    }

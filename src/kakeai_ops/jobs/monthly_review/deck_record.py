"""What `kops review` decides around the deck: the snapshot it compares with, and the
record of what it published."""

from __future__ import annotations

from pathlib import Path

from ...errors import KopsError
from ...i18n import _
from ...privacy.audiences import SHARED
from ...store import SnapshotInfo, audit, list_snapshots, resolve_snapshot
from ...store.published import PublishedFile, record_published
from ...workspace import Workspace
from .figures import Review


def compared_snapshot(
    ws: Workspace, current: SnapshotInfo, compare: str | None
) -> SnapshotInfo | None:
    """The snapshot the deck compares with: ``compare`` (refused unless it is earlier than
    ``current``), else the one before; None when ``current`` is the first."""
    if compare is None:
        earlier = [known for known in list_snapshots(ws) if int(known.id) < int(current.id)]
        return earlier[-1] if earlier else None
    previous = resolve_snapshot(ws, compare)
    if int(previous.id) >= int(current.id):
        said = (
            _("snapshot {snapshot} compared with itself")
            if previous.id == current.id
            else _("snapshot {snapshot} compared with a later snapshot ({later})")
        )
        raise KopsError(
            said.format(snapshot=current.id, later=previous.id),
            hint=_("name an earlier snapshot (`kops status`)"),
        )
    return previous


def record_review(
    ws: Workspace,
    review: Review,
    snapshot_id: str,
    previous: SnapshotInfo | None,
    deck: Path,
    xlsx: Path | None,
) -> None:
    """Once the deck (and workbook) are written: its report figures as published, so later
    reports are audited with them (the previous snapshot's too: the deck shows them beside
    this one's; the secretariat's own version never leaves it), and the run in the audit
    log, like every report (the deck names people: interview candidates)."""
    shared = review.published if review.audience == SHARED else []
    for published_snapshot, cells, first, last, only in shared:
        record_published(
            ws, published_snapshot, [PublishedFile(cells, first, last, only)], SHARED, str(deck)
        )
    audit(
        ws,
        "review",
        scope="全社",
        snapshot=snapshot_id,
        rows=len(review.mail) + len(review.interviews.top),
        detail={
            "compared_with": previous.id if previous is not None else None,
            "file": str(deck),
            "xlsx": str(xlsx) if xlsx is not None else None,
            "audience": review.audience,
            "as_of": review.as_of.isoformat(),  # as the deck's title slide says
        },
    )

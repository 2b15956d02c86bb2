"""``kops status``: the workspace's snapshots as rows, its files checked, and what
kops.yaml lacks for the mails that ask people to act.

Listing snapshots reads only their manifests, so this module leaves out pandas, NumPy
and pyarrow (a fresh process pays half a second for them); :func:`read_back` loads the
tables when asked. tests/test_app_startup.py keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import KopsError
from ..i18n import _
from ..store import DamagedFile, SnapshotEntry, SnapshotInfo, check_snapshot, load_tables
from ..store.integrity import Reason, database_problem
from ..store.state import damaged_database, database_lost
from ..workspace import Workspace


def service_gaps(settings: Settings) -> list[str]:
    """What kops.yaml lacks for the mails that ask people to act."""
    service = settings.service
    found = []
    if not service.login_url:
        found.append(
            _(
                "service.login_url is not set in kops.yaml: the not_activated mail needs "
                "KAKEAI's login address, and `kops mail send` refuses to send it until set"
            )
        )
    if not service.help_url:
        found.append(
            _("service.help_url is not set in kops.yaml: mails can't point to a usage guide")
        )
    left = settings.mail.sample_values_left()
    if left:
        found.append(
            _(
                "{keys} in kops.yaml still hold the sample's values (kakeai-office@example.co.jp): "
                "mails sent by SMTP or Graph would go out from an address that is no one's; "
                "set the secretariat's own"
            ).format(keys="・".join(f"mail.{key}" for key in left))
        )
    return found


def snapshot_rows(snapshots: list[SnapshotInfo]) -> list[dict[str, Any]]:
    """One row per snapshot, oldest first: counts, the 1on1 period, the as-of date and
    what its data runs to, from its manifest."""
    return [
        {
            "snapshot": snapshot.id,
            "created_at": snapshot.created_at,
            "users": snapshot.rows("users"),
            "pairs": snapshot.rows("pairs"),
            "meetings": snapshot.rows("meetings"),
            "meetings_from": snapshot.manifest.get("meetings_from"),
            "meetings_to": snapshot.manifest.get("meetings_to"),
            "as_of": snapshot.manifest.get("as_of"),
            "last_login_at": (snapshot.manifest.get("data") or {}).get("last_login_at"),
            "last_held_at": (snapshot.manifest.get("data") or {}).get("last_held_at"),
            "older": bool(snapshot.manifest.get("older")),
            "files": ", ".join(Path(src["file"]).name for src in snapshot.manifest["sources"]),
        }
        for snapshot in snapshots
    ]


def damaged_files(ws: Workspace, entries: list[SnapshotEntry]) -> tuple[list[str], int]:
    """Every snapshot's files against their hashes, and the state database: what is said
    of each damaged file found (beyond the entries already known damaged), and how many
    files were read."""
    found: list[str] = []
    files = 0
    for entry in entries:
        if entry.snapshot is None:
            continue
        try:
            check_snapshot(entry.snapshot)
        except DamagedFile as damaged:
            found.append(damaged.message)
        files += len(entry.snapshot.manifest.get("checksums") or {}) + 1
    # Emptied, deleted or a folder: SQLite finds nothing wrong with a database it would
    # make anew; where snapshots say one was written, every record is gone, as the other
    # commands say (`kops status --check` called the workspace intact).
    lost = database_lost(ws)
    if lost is not None or ws.db_path.is_file():
        problem = lost or database_problem(ws.db_path)
        if problem is not None:
            named = damaged_database(ws, Reason(problem))
            found.append(str(getattr(named, "message", named)))
        files += 1
    return found, files


def check_workspace(ws: Workspace, entries: list[SnapshotEntry], say: Callable[[str], None]) -> int:
    """Check every file (:func:`damaged_files`), saying each damaged one with ``say``;
    refused when any file (or an entry already known) is damaged. How many were read."""
    found, files = damaged_files(ws, entries)
    for message in found:
        say(message)
    known = [entry.damaged for entry in entries if entry.damaged is not None]
    if known or found:
        raise KopsError(
            _("{n} damaged file(s) in the workspace (named above)").format(
                n=len(known) + len(found)
            ),
            hint=_("follow the way back given for each, then run `kops status --check` again"),
        )
    return files


def read_back(snapshot: SnapshotInfo) -> None:
    """Load the snapshot's tables (checking their hashes) and refuse one that does not
    read back whole."""
    tables = load_tables(snapshot)
    for name in ("users", "pairs", "meetings"):
        if len(tables.get(name)) != snapshot.rows(name):
            raise KopsError(
                _("snapshot {snapshot}: {table} does not read back whole").format(
                    snapshot=snapshot.id, table=name
                )
            )

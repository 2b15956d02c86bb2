"""``kops status``: the workspace's snapshots, read from their manifests.

Listing snapshots reads no table, so this module and what it imports leave out pandas,
NumPy and pyarrow (a fresh process pays half a second for them); ``--load`` and
``--check`` import them when asked. tests/test_app_startup.py keeps it so.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..config import load_settings
from ..i18n import N_, _
from ..jobs.workspace_status import check_workspace, read_back, service_gaps, snapshot_rows
from ..store import SnapshotInfo, snapshot_entries
from ..store.snapshot_order import gaps_and_overlaps, held_behind
from ..workspace import Workspace
from .console import plain
from .options import Format, FormatOpt, WorkspaceOpt
from .shared import emit_data, err, open_workspace, out, timing, warn
from .table_fit import FittedTable


def register(app: typer.Typer) -> None:
    app.command("status")(status_command)


def status_command(
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
    load: Annotated[
        bool,
        typer.Option("--load", help="Also read the latest snapshot back (checks it is intact)."),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Check every file of the workspace (snapshots, their hashes, the state "
            "database) and name any damaged one.",
        ),
    ] = False,
) -> None:
    """List the workspace's snapshots: row counts, 1on1 date range and as-of date.

    Also what each snapshot's data runs to (latest login, latest held 1on1), with
    a warning where snapshots leave a gap or run backwards; and checks kops.yaml.

    Example: kops status
    """
    ws = open_workspace(workspace)
    settings = load_settings(ws.config_path)
    for message in [*settings.retired_notices, *service_gaps(settings)]:
        warn(message)
    entries = snapshot_entries(ws)
    for entry in entries:
        if entry.damaged is not None:
            warn(entry.damaged.message)
    snapshots = [entry.snapshot for entry in entries if entry.snapshot is not None]
    if check:
        files = check_workspace(ws, entries, say=warn)
        err.print(_("checked {n:,} file(s): all intact").format(n=files), highlight=False)
    if load and snapshots:
        _read_back(snapshots[-1])
    rows = snapshot_rows(snapshots)
    for message in gaps_and_overlaps([{**s.manifest, "id": s.id} for s in snapshots]):
        warn(message)
    if snapshots and (behind := held_behind(snapshots[-1].id, snapshots[-1].manifest)):
        warn(behind)  # the snapshot every command reads by default
    _show(ws, rows, fmt)


def _read_back(snapshot: SnapshotInfo) -> None:
    started = time.perf_counter()
    read_back(snapshot)
    timing(f"work: loaded snapshot {snapshot.id} in {time.perf_counter() - started:.2f} s")
    err.print(
        _("snapshot {snapshot} reads back intact").format(snapshot=snapshot.id), highlight=False
    )


def _show(ws: Workspace, rows: list[dict[str, Any]], fmt: Format) -> None:
    if fmt is Format.json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if fmt is Format.csv:
        import pandas as pd

        emit_data(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["snapshot"]), fmt)
        return
    err.print(
        _("Workspace {path} (kops.yaml OK)").format(path=escape(str(ws.root))), highlight=False
    )
    if not rows:
        err.print(
            _("No snapshots yet. Next: {command}").format(
                command="kops ingest users.csv pairs.csv meetings.xlsx"
            )
        )
        return
    out.print(_snapshot_table(rows))
    err.print(
        _(
            "The rows each snapshot holds (its 1on1s: every export ingested so far): people "
            "who have left, pairs not yet accepted and 1on1s planned or cancelled are among "
            "them (the reports count people and held 1on1s)."
        ),
        highlight=False,
    )


# The table's columns: header, and whether it is a number (right-aligned).
COLUMNS = (
    (N_("No."), False),
    (N_("Ingested at"), False),
    # Rows as exported, not the reports' counts: 254 users beside a report's 252 people
    # (2 have left), 6,207 1on1s beside 5,641 held. Said in the headers and below.
    (N_("User rows"), True),
    (N_("Pair rows"), True),
    (N_("1on1 rows"), True),
    (N_("1on1s from–to"), False),
    (N_("As of"), False),
    (N_("Last login"), False),
    (N_("Last 1on1 held"), False),
    (N_("Files"), False),
)


def _snapshot_table(rows: list[dict[str, Any]]) -> Table:
    table = FittedTable(title=_("Snapshots (newest last)"), title_justify="left")
    for header, right in COLUMNS:
        # Nothing is cut with 「…」: a narrow terminal folds a cell onto the next line.
        table.add_column(_(header), justify="right" if right else "left", overflow="fold")
    for row in rows:
        period = _("{start} – {end}").format(
            start=row["meetings_from"] or "-", end=row["meetings_to"] or "-"
        )
        table.add_row(
            row["snapshot"],
            str(row["created_at"])[:16].replace("T", " "),
            f"{row['users']:,}",
            f"{row['pairs']:,}",
            f"{row['meetings']:,}",
            period,
            (row["as_of"] or "-") + (_(" (ingested with --older)") if row["older"] else ""),
            row["last_login_at"] or "-",
            row["last_held_at"] or "-",
            plain(row["files"]),
        )
    return table

"""``kops status``: the workspace's snapshots, read from their manifests.

Listing snapshots reads no table, so this module and what it imports leave out pandas,
NumPy and pyarrow (a fresh process pays half a second for them); ``--load`` and
``--check`` import them when asked. tests/test_startup.py keeps it so.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..config import load_settings
from ..errors import KopsError
from ..i18n import _
from ..store import (
    DamagedFile,
    SnapshotEntry,
    check_snapshot,
    load_tables,
    snapshot_entries,
)
from ..store.integrity import database_problem
from ..store.snapshot_order import gaps_and_overlaps
from ..store.state import damaged_database
from ..workspace import Workspace
from .console import plain
from .options import Format, FormatOpt, WorkspaceOpt
from .shared import emit_data, err, open_workspace, out, timing, warn


def register(app: typer.Typer) -> None:
    def service_warnings(settings: Any) -> list[str]:
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
        return found

    def _check_workspace(ws: Workspace, entries: list[SnapshotEntry]) -> None:
        """Every snapshot's files against their hashes, and the state database."""
        damaged: list[Exception] = [e.damaged for e in entries if e.damaged is not None]
        files = 0
        for entry in entries:
            if entry.snapshot is None:
                continue
            try:
                check_snapshot(entry.snapshot)
            except DamagedFile as found:
                warn(found.message)
                damaged.append(found)
            files += len(entry.snapshot.manifest.get("checksums") or {}) + 1
        if ws.db_path.is_file():
            problem = database_problem(ws.db_path)
            if problem is not None:
                named = damaged_database(ws, Exception(problem))
                warn(str(getattr(named, "message", named)))
                damaged.append(named)
            files += 1
        if damaged:
            raise KopsError(
                _("{n} damaged file(s) in the workspace (named above)").format(n=len(damaged)),
                hint=_("follow the way back given for each, then run `kops status --check` again"),
            )
        err.print(_("checked {n:,} file(s): all intact").format(n=files), highlight=False)

    @app.command("status")
    def status_command(
        workspace: WorkspaceOpt = None,
        fmt: FormatOpt = Format.table,
        load: Annotated[
            bool,
            typer.Option(
                "--load", help="Also read the latest snapshot back (checks it is intact)."
            ),
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
        for message in service_warnings(settings):
            warn(message)
        entries = snapshot_entries(ws)
        for entry in entries:
            if entry.damaged is not None:
                warn(entry.damaged.message)
        snapshots = [entry.snapshot for entry in entries if entry.snapshot is not None]
        if check:
            _check_workspace(ws, entries)
        if load and snapshots:
            started = time.perf_counter()
            tables = load_tables(snapshots[-1])
            timing(
                f"work: loaded snapshot {snapshots[-1].id} in {time.perf_counter() - started:.2f} s"
            )
            for name in ("users", "pairs", "meetings"):
                if len(tables.get(name)) != snapshots[-1].rows(name):
                    raise KopsError(
                        _("snapshot {snapshot}: {table} does not read back whole").format(
                            snapshot=snapshots[-1].id, table=name
                        )
                    )
            err.print(
                _("snapshot {snapshot} reads back intact").format(snapshot=snapshots[-1].id),
                highlight=False,
            )
        rows: list[dict[str, Any]] = [
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
        order = gaps_and_overlaps([{**s.manifest, "id": s.id} for s in snapshots])
        for message in order:
            warn(message)
        if fmt is Format.json:
            out.print_json(json.dumps(rows, ensure_ascii=False))
            return
        if fmt is Format.csv:
            import pandas as pd

            emit_data(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["snapshot"]), fmt)
            return
        err.print(
            _("Workspace {path} (kops.yaml OK)").format(path=escape(str(ws.root))),
            highlight=False,
        )
        if not rows:
            err.print(
                _("No snapshots yet. Next: {command}").format(
                    command="kops ingest users.csv pairs.csv meetings.xlsx"
                )
            )
            return
        table = Table(title="スナップショット（新しいものが下）", title_justify="left")
        for header, right in (
            ("番号", False),
            ("取り込み日時", False),
            ("ユーザー", True),
            ("ペア", True),
            ("1on1", True),
            ("1on1の期間", False),
            ("基準日", False),
            ("最終ログイン", False),
            ("最終1on1実施", False),
            ("ファイル", False),
        ):
            # Nothing is cut with 「…」: a narrow terminal folds a cell onto the next line.
            table.add_column(header, justify="right" if right else "left", overflow="fold")
        for row in rows:
            period = f"{row['meetings_from'] or '-'}〜{row['meetings_to'] or '-'}"
            table.add_row(
                row["snapshot"],
                str(row["created_at"])[:16].replace("T", " "),
                f"{row['users']:,}",
                f"{row['pairs']:,}",
                f"{row['meetings']:,}",
                period,
                (row["as_of"] or "-") + ("（--older で取り込み）" if row["older"] else ""),
                row["last_login_at"] or "-",
                row["last_held_at"] or "-",
                plain(row["files"]),
            )
        out.print(table)

"""``kops ingest``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import model
from ..config import load_settings
from ..exports.ahead import ReadAhead
from ..i18n import _, language
from ..store.snapshot_order import held_behind
from ..workspace import find_workspace
from .console import plain
from .options import WorkspaceOpt, expanded
from .shared import err, out, warn, writes_state

if TYPE_CHECKING:  # loaded in the command, once the files' checks have started
    from ..jobs.ingest import IngestResult


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    @writes_state("ingest")
    def ingest_command(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="Export files (CSV in UTF-8/CP932, or XLSX); which table each holds is "
                "told by its headers.",
                show_default=False,
                callback=expanded,
            ),
        ],
        workspace: WorkspaceOpt = None,
        older: Annotated[
            bool,
            typer.Option(
                "--older",
                help="Store exports older than the latest snapshot anyway (they become the "
                "latest; recorded in the audit log).",
            ),
        ] = False,
    ) -> None:
        """Read the users, pairs and meetings exports into a new snapshot.

        All or nothing: any problem is reported (file:row: column: what) and the
        workspace is left as it was. A users or pairs file replaces that table;
        meetings merge by 1on1ID; a table not given carries over. Exports older than
        the latest snapshot are refused (with what they would undo) unless --older;
        exports that add nothing are not stored again.

        Example: kops ingest ユーザー一覧.csv ペア一覧.csv 1on1履歴.xlsx
        """
        ws = find_workspace(workspace)
        # The files' UTF-8 checks and hashes start first: they run while pandas and the
        # rest of ingest are imported (most of a second), and are done when needed.
        ahead = ReadAhead(files)
        try:
            from ..jobs.ingest import ingest

            settings = load_settings(ws.config_path)
        except BaseException:
            ahead.close()
            raise
        with err.status(escape(_("Ingesting…"))) as status:
            result = ingest(
                ws,
                settings,
                files,
                progress=lambda m: status.update(escape(m) + "…"),
                older=older,
                ahead=ahead,
            )
        for message in result.notes:
            warn(message)
        if result.already:
            snap = result.snapshot
            err.print(
                _(
                    "already ingested as snapshot {snapshot} (as of {as_of}): "
                    "nothing new, no snapshot stored"
                ).format(snapshot=snap.id, as_of=snap.as_of),
                highlight=False,
                markup=False,
            )
            return
        for line in result.undone:
            warn(_("older export stored (--older): {what}").format(what=line))
        _print_summary(result)
        if behind := held_behind(result.snapshot.id, result.snapshot.manifest):
            warn(behind)


def _print_summary(result: IngestResult) -> None:
    snap = result.snapshot
    as_of = snap.manifest.get("as_of") or "-"
    title = _("Snapshot {snapshot} (as of {as_of})").format(snapshot=snap.id, as_of=as_of)
    table = Table(title=title, title_justify="left")
    table.add_column(_("Table"), overflow="fold")
    table.add_column(_("Ingested"), overflow="fold")
    table.add_column(_("Rows"), justify="right", overflow="fold")
    table.add_column(_("Files"), overflow="fold")
    for change in result.changes:
        if change.action == "merged":
            what = _("{added:+,} rows added, {replaced:,} replaced (same 1on1ID)").format(
                added=change.added, replaced=change.replaced
            )
        elif change.action == "replaced":
            what = _("replaced ({before:,} rows before)").format(before=change.rows_before)
        elif change.action == "carried over":
            what = _("carried over from the snapshot before (no file given)")
        elif change.action == "empty":
            what = _("empty (no file given)")
        else:
            what = _("new")
        files = plain(", ".join(change.files) or "-")
        # The export's own name for the table in Japanese; its key in English.
        label = model.TABLES[change.table].label if language() == "ja" else change.table
        table.add_row(label, what, f"{change.rows_after:,}", files)
    out.print(table)
    _print_organisation(result)


def _print_organisation(result: IngestResult) -> None:
    """Who left, joined or moved since the snapshot before, and the pairs: the changes
    the secretariat copies into KAKEAI's アドバイザー settings (`kops report advisors`)."""
    moved = result.organisation
    if moved is None or not moved.any():
        return
    parts = [
        (moved.left, _("{n:,} left")),
        (moved.joined, _("{n:,} joined")),
        (moved.moved, _("{n:,} moved to another 事業部 or 部署")),
        (moved.renamed, _("{n:,} 事業部/部署 renamed ({people:,} people)")),
        (moved.pairs_formed, _("{n:,} pair(s) formed")),
        (moved.pairs_dissolved, _("{n:,} pair(s) dissolved")),
        (moved.new_manager, _("{n:,} 部下 with another manager")),
        (moved.went_on_leave, _("{n:,} went on leave (no mail while on leave)")),
        (moved.back_from_leave, _("{n:,} back from leave")),
    ]
    said = _(", ").join(text.format(n=n, people=moved.renamed_people) for n, text in parts if n)
    err.print(
        _("Since the snapshot before: {changes}.").format(changes=said),
        highlight=False,
        markup=False,
    )
    if moved.left or moved.joined or moved.moved or moved.renamed:
        err.print(
            _("Advisors' scopes as they are now: kops report advisors"),
            highlight=False,
            markup=False,
        )

"""``kops ingest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import glossary, model
from ..config import load_settings
from ..i18n import _
from ..jobs.ingest import IngestResult, ingest
from ..workspace import find_workspace
from .console import plain
from .options import WorkspaceOpt
from .shared import err, out, warn, writes_state


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
        settings = load_settings(ws.config_path)
        with err.status(escape(_("Ingesting…"))) as status:
            result = ingest(
                ws,
                settings,
                files,
                progress=lambda m: status.update(escape(m) + "…"),
                older=older,
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


def _print_summary(result: IngestResult) -> None:
    snap = result.snapshot
    as_of = snap.manifest.get("as_of") or "-"
    table = Table(title=f"スナップショット {snap.id}（基準日 {as_of}）", title_justify="left")
    table.add_column("表", overflow="fold")
    table.add_column("取り込み内容", overflow="fold")
    table.add_column(glossary.column_label("rows"), justify="right", overflow="fold")
    table.add_column("ファイル", overflow="fold")
    for change in result.changes:
        if change.action == "merged":
            what = f"追加 {change.added:+,}行、置き換え {change.replaced:,}行（同じ 1on1ID）"
        elif change.action == "replaced":
            what = f"置き換え（前回 {change.rows_before:,}行）"
        elif change.action == "carried over":
            what = "前回から引き継ぎ（ファイルの指定なし）"
        elif change.action == "empty":
            what = "空（ファイルの指定なし）"
        else:
            what = "新規"
        files = plain(", ".join(change.files) or "-")
        table.add_row(model.TABLES[change.table].label, what, f"{change.rows_after:,}", files)
    out.print(table)

"""``kops segment``: every user's stuck point, explained."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from ..analyses import segment as segmentation
from ..dates import parse_date
from ..errors import KopsError
from ..ids import typed_id
from ..outputs.files import csv_text, percent, write_table
from ..store import SnapshotInfo, snapshot_as_of
from .common import (
    AsOfOpt,
    Format,
    FormatOpt,
    OutOpt,
    Session,
    SnapshotOpt,
    WorkspaceOpt,
    emit_data,
    err,
    note,
    out,
    parse_as_of,
    session,
    timing,
)
from .console import frame_table


class By(StrEnum):
    division = "division"
    department = "department"
    job_type = "job_type"
    age_band = "age_band"


BY_LABELS = {"division": "事業部", "department": "部署", "job_type": "職種", "age_band": "年代"}


def compute(opened: Session, snapshot: SnapshotInfo, as_of: dt.date) -> pd.DataFrame:
    import time

    started = time.perf_counter()
    tables = opened.tables(snapshot, columns=segmentation.NEEDED_COLUMNS)
    loaded = time.perf_counter()
    result = segmentation.segment(tables, opened.settings.rules, as_of)
    timing(
        f"segment: loaded in {loaded - started:.2f} s, "
        f"analysed in {time.perf_counter() - loaded:.2f} s"
    )
    return result


def register(app: typer.Typer) -> None:
    @app.command("segment")
    def segment_command(
        workspace: WorkspaceOpt = None,
        snapshot: SnapshotOpt = None,
        as_of: AsOfOpt = None,
        by: Annotated[
            By | None,
            typer.Option("--by", help="Summary by division, department, job_type or age_band."),
        ] = None,
        list_users: Annotated[
            bool, typer.Option("--list", help="One row per user instead of the summary.")
        ] = False,
        stuck_point: Annotated[
            list[str] | None,
            typer.Option(
                "--stuck-point",
                "-s",
                help="Only this primary stuck point, by key or label (no_prep or 事前準備なし; "
                "repeatable).",
            ),
        ] = None,
        role: Annotated[
            str | None,
            typer.Option(
                "--role", help="Only this role: manager, member, both, none (上司/部下/両方/なし)."
            ),
        ] = None,
        division: Annotated[
            str | None, typer.Option("--division", help="Only this 事業部.")
        ] = None,
        explain_user: Annotated[
            str | None,
            typer.Option("--explain", help="Show every rule's facts and verdict for one user id."),
        ] = None,
        compare_to: Annotated[
            str | None, typer.Option("--compare", help="Movement since this earlier snapshot id.")
        ] = None,
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help="Movement since the latest snapshot dated on or before this date "
                "(2026-10-31, 2026/10/31 or 20261031).",
            ),
        ] = None,
        fmt: FormatOpt = Format.table,
        out_file: OutOpt = None,
    ) -> None:
        """Find each user's stuck point (未ログイン → ペア未成立 → … → 定着).

        Without options: users per stuck point × role. --list gives one row per
        user (the list to upload for in-app messages); --explain USER_ID shows why.

        Example: kops segment --list --stuck-point no_prep --role member --out no_prep.xlsx
        """
        opened = session(workspace)
        snap = opened.snapshot(snapshot)
        when = parse_as_of(as_of, snap)
        result = compute(opened, snap, when)
        if explain_user is not None:
            _explain(opened, result, explain_user, when)
            return
        if compare_to is not None or since is not None:
            _compare(opened, snap, result, compare_to, since, fmt, out_file)
            return
        filtered = _filter(result, stuck_point, role, division)
        if list_users or stuck_point or role or division:
            _list(filtered, fmt, out_file, opened, snap, when)
            return
        _summary(filtered, by, fmt, out_file, snap, when)


def _filter(
    result: pd.DataFrame, stuck_point: list[str] | None, role: str | None, division: str | None
) -> pd.DataFrame:
    frame = result
    if stuck_point:
        keys = [segmentation.stuck_point_key(text, "--stuck-point") for text in stuck_point]
        frame = frame[frame["stuck_point"].isin(keys)]
    if role is not None:
        frame = frame[frame["role"] == segmentation.role_key(role, "--role")]
    if division is not None:
        if division not in set(result["division"]):
            raise KopsError(
                f"--division: no 事業部 '{division}' in this snapshot",
                hint="事業部: " + ", ".join(sorted(set(result["division"]))),
            )
        frame = frame[frame["division"] == division]
    return frame


def _list(
    frame: pd.DataFrame,
    fmt: Format,
    out_file: Path | None,
    opened: Session,
    snap: SnapshotInfo,
    when: dt.date,
) -> None:
    columns = frame[segmentation.LIST_COLUMNS]
    if out_file is not None:
        summary = segmentation.summary(frame)
        write_table(
            columns,
            out_file,
            sheet="users",
            extra_sheets=[("summary", summary)],
            text_columns=["user_id"],
        )
        err.print(f"Wrote {len(columns):,} users to {escape(str(out_file))}", highlight=False)
        return
    if emit_data(columns, fmt):
        return
    view = columns[
        [
            "user_id",
            "name",
            "division",
            "department",
            "role",
            "stuck_point_label",
            "flags",
            "last_held_at",
            "prep_share",
            "rating_share",
        ]
    ].copy()
    view["role"] = view["role"].map(segmentation.ROLE_LABELS)
    out.print(
        frame_table(
            view,
            title=f"{len(view):,} users (as of {when})",
            headers={
                "stuck_point_label": "stuck point",
                "last_held_at": "last 1on1",
                "prep_share": "prep",
                "rating_share": "rated",
            },
            formats={"prep_share": percent, "rating_share": percent},
            max_rows=200,
        )
    )


def _summary(
    frame: pd.DataFrame,
    by: By | None,
    fmt: Format,
    out_file: Path | None,
    snap: SnapshotInfo,
    when: dt.date,
) -> None:
    table = segmentation.summary(frame)
    grouped = segmentation.by_group(frame, by.value) if by is not None else None
    if out_file is not None:
        extra = [(BY_LABELS[by.value], grouped)] if grouped is not None and by is not None else []
        write_table(table, out_file, sheet="summary", extra_sheets=extra)
        err.print(f"Wrote the summary to {escape(str(out_file))}", highlight=False)
        return
    shown = grouped if grouped is not None else table
    if emit_data(shown, fmt):
        return
    headers = {
        **segmentation.ROLE_LABELS,
        "label": "",
        "stuck_point": "stuck point",
        "share": "share",
    }
    out.print(
        frame_table(
            table,
            title=f"Stuck points × role — {int(table['total'].sum()):,} users, "
            f"as of {when} (snapshot {snap.id})",
            headers=headers,
            formats={"share": percent},
        )
    )
    if grouped is not None and by is not None:
        labels = {sp.key: sp.label for sp in segmentation.STUCK_POINTS}
        out.print(
            frame_table(
                grouped,
                title=f"By {BY_LABELS[by.value]}",
                headers={**labels, by.value: BY_LABELS[by.value], "healthy_share": "定着率"},
                formats={"healthy_share": percent},
            )
        )


def _explain(opened: Session, result: pd.DataFrame, user_id: str, when: dt.date) -> None:
    wanted = typed_id(user_id)
    rows = result[result["user_id"] == wanted]
    if rows.empty:
        raise KopsError(
            f"--explain: no user '{user_id}' in this snapshot (退職 users are left out)",
            hint="`kops segment --list` lists the user ids",
        )
    row = rows.iloc[0]
    out.print(
        f"[bold]{escape(str(row['name']))}[/bold] ({row['user_id']}) — "
        f"{escape(str(row['division']))} / {escape(str(row['department']))}, "
        f"{segmentation.ROLE_LABELS[row['role']]}, {escape(str(row['employment']))}"
    )
    out.print(f"as of {when}\n")
    for check in segmentation.explain(row, opened.settings.rules, when):
        mark = "[red]✗ applies[/red]" if check.applies else "[green]✓ clear[/green]"
        if check.key == "healthy":
            mark = "[green]✓ applies[/green]" if check.applies else "[dim]–[/dim]"
        out.print(f"{mark}  [bold]{check.key}[/bold] {check.label}")
        if check.facts:
            out.print(f"      facts: {escape(check.facts)}")
        out.print(f"      rule:  {escape(check.threshold)}", highlight=False)
    primary = segmentation.BY_KEY[str(row["stuck_point"])]
    out.print(
        f"\nPrimary stuck point: [bold]{primary.key} {primary.label}[/bold] (flags: {row['flags']})"
    )
    out.print(f"Help that fits: {escape(primary.help)}")
    if not pd.isna(row["seminar_month"]):
        out.print(f"Seminar: Month{int(row['seminar_month'])}")


def _compare(
    opened: Session,
    snap: SnapshotInfo,
    result: pd.DataFrame,
    compare_to: str | None,
    since: str | None,
    fmt: Format,
    out_file: Path | None,
) -> None:
    if compare_to is not None:
        earlier = opened.snapshot(compare_to)
    else:
        limit = parse_date(str(since), "--since")
        found = snapshot_as_of(opened.workspace, limit)
        if found is None:
            raise KopsError(
                f"--since: no snapshot dated on or before {limit}",
                hint="`kops status` lists the snapshots and their as-of dates",
            )
        earlier = found
    if earlier.id == snap.id:
        raise KopsError(
            f"snapshot {snap.id} compared with itself",
            hint="name an earlier snapshot (`kops status`)",
        )
    earlier_as_of = earlier.as_of
    if earlier_as_of is None:
        raise KopsError(f"snapshot {earlier.id} has no as-of date")
    note(f"compared with snapshot {earlier.id} as of {earlier_as_of}")
    before = compute(opened, earlier, earlier_as_of)
    movement = segmentation.compare(before, result)
    transitions = movement.transitions.reset_index()
    moved = pd.concat(
        [
            movement.moved_on.assign(direction="moved_on"),
            movement.slid_back.assign(direction="slid_back"),
        ],
        ignore_index=True,
    )
    if out_file is not None:
        write_table(
            transitions,
            out_file,
            sheet="transitions",
            extra_sheets=[("moved", moved)],
            text_columns=["user_id"],
        )
        err.print(
            f"Wrote the transitions and {len(moved):,} moves to {escape(str(out_file))}",
            highlight=False,
        )
        return
    if fmt is Format.csv:
        sys.stdout.write(csv_text(moved))
        return
    if fmt is Format.json:
        import json

        payload = {
            "before": {"snapshot": earlier.id, "as_of": str(earlier_as_of)},
            "after": {"snapshot": snap.id, "as_of": str(snap.as_of)},
            "transitions": {
                k: {kk: int(vv) for kk, vv in v.items()}
                for k, v in movement.transitions.to_dict("index").items()
            },
            "moved_on": movement.moved_on["user_id"].tolist(),
            "slid_back": movement.slid_back["user_id"].tolist(),
            "joined": movement.joined,
            "left": movement.left,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    labels = {sp.key: sp.label for sp in segmentation.STUCK_POINTS}
    shown = transitions.copy()
    shown["before"] = shown["before"].map(lambda k: f"{k} {labels[k]}")
    out.print(
        frame_table(
            shown,
            title=f"Movement: snapshot {earlier.id} ({earlier_as_of}) → {snap.id} ({snap.as_of}); "
            "rows = before, columns = after",
            headers={k: labels[k] for k in segmentation.KEYS},
        )
    )
    out.print(
        f"moved on: {len(movement.moved_on):,}   slid back: {len(movement.slid_back):,}   "
        f"unchanged: {int(pd.Series(movement.transitions.values.diagonal()).sum()):,}   "
        f"new users: {movement.joined:,}   left: {movement.left:,}"
    )
    for title, frame in (("Moved on", movement.moved_on), ("Slid back", movement.slid_back)):
        if frame.empty:
            continue
        view = frame.copy()
        view["stuck_point_before"] = view["stuck_point_before"].map(labels)
        view["stuck_point_after"] = view["stuck_point_after"].map(labels)
        view["role"] = view["role"].map(segmentation.ROLE_LABELS)
        out.print(
            frame_table(
                view,
                title=title,
                headers={"stuck_point_before": "before", "stuck_point_after": "after"},
                max_rows=50,
            )
        )

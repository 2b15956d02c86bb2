"""``kops segment``: every user's stuck point, explained."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from .. import glossary
from ..analyses import reads
from ..errors import KopsError
from ..i18n import _, term
from ..ids import did_you_mean, same_number, typed_id
from ..outputs.workbook import Print
from ..store import SnapshotInfo
from .console import people_table
from .localized import cells
from .options import (
    AsOfOpt,
    AudienceOpt,
    DivisionOpt,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    WorkspaceOpt,
    date_option,
    role_option,
)
from .output_audience import records_audience
from .shared import (
    Session,
    emit,
    note,
    out,
    parse_as_of,
    session,
    timing,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..analyses import segmentation

# Imported where used, not above: the command starts reading the snapshot before it
# loads pandas and the analyses (Session.read_ahead), and `kops segment --help` needs
# neither.


def flag_labels(flags: object) -> str:
    """``no_prep;no_rating`` as people read it: 「事前準備なし、スッキリ度未入力」."""
    keys = [k for k in str(flags).split(";") if k]
    return _(", ").join(term(glossary.STUCK_POINTS, k) for k in keys)


class By(StrEnum):
    division = "division"
    department = "department"
    job_type = "job_type"
    age_band = "age_band"


BY_LABELS = {"division": "事業部", "department": "部署", "job_type": "職種", "age_band": "年代"}


def compute(opened: Session, snapshot: SnapshotInfo, as_of: dt.date) -> pd.DataFrame:
    import time

    from ..analyses import segmentation

    started = time.perf_counter()
    tables = opened.tables(snapshot, columns=reads.SEGMENT)
    loaded = time.perf_counter()
    result = segmentation.segment(tables, opened.settings.rules, as_of)
    # Who is not counted at all, for the summary to say (252 of the export's 254 rows).
    result.attrs["retired"] = int((tables.users["employment_status"] == "retired").sum())
    timing(
        f"segment: loaded in {loaded - started:.2f} s, "
        f"analysed in {time.perf_counter() - loaded:.2f} s"
    )
    return result


def _csv_without_pandas(opened: Session, snapshot: SnapshotInfo, as_of: dt.date) -> bool:
    """`segment --list --format csv`: judged on the snapshot's Arrow tables and written
    without pandas (``segmentation.segment_table``, ``csv_fields.table_csv_text``: the
    bytes the frame gives); False, having written nothing, for tables or values only
    the frames' path takes."""
    import time

    from ..analyses import segmentation
    from ..outputs.csv_fields import table_csv_text

    started = time.perf_counter()
    read = opened.arrow_tables(snapshot, reads.SEGMENT)
    loaded = time.perf_counter()
    # kops.yaml is read after the snapshot, as the frames' path does (which error is
    # said first when both are wrong).
    rules = opened.settings.rules
    table = segmentation.segment_table(read["users"], read["pairs"], read["meetings"], rules, as_of)
    if table is None:
        return False
    try:
        text = table_csv_text(table)
    except TypeError:  # a kind of value only the frames' writer takes
        return False
    timing(
        f"segment: loaded in {loaded - started:.2f} s, "
        f"analysed in {time.perf_counter() - loaded:.2f} s"
    )
    sys.stdout.write(text)
    return True


def register(app: typer.Typer) -> None:
    @app.command("segment")
    @records_audience("segment")
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
            role_option(help="Only this role: manager, member, both, none (上司/部下/両方/なし)."),
        ] = None,
        division: DivisionOpt = None,
        explain_user: Annotated[
            str | None,
            typer.Option("--explain", help="Show every rule's facts and verdict for one user id."),
        ] = None,
        compare_to: Annotated[
            str | None, typer.Option("--compare", help="Movement since this earlier snapshot id.")
        ] = None,
        since: Annotated[
            dt.date | None,
            date_option(
                "--since",
                help="Movement since the latest snapshot dated on or before this date "
                "(2026-10-31, 2026/10/31 or 20261031).",
            ),
        ] = None,
        fmt: FormatOpt = Format.table,
        out_file: OutOpt = None,
        audience: AudienceOpt = None,
    ) -> None:
        """Find each user's stuck point (not_activated → no_pair → … → healthy).

        Without options: users per stuck point × role. --list gives one row per
        user (the list to upload for in-app messages); --explain USER_ID shows why.

        Example: kops segment --list --stuck-point no_prep --role member --out no_prep.xlsx
        """
        opened = session(workspace)
        snap = opened.snapshot(snapshot)
        opened.read_ahead(snap, reads.SEGMENT)
        when = parse_as_of(as_of, snap)
        whole_list = list_users and not (stuck_point or role or division or explain_user)
        if (
            whole_list
            and compare_to is None
            and since is None
            and fmt is Format.csv
            and out_file is None
            and _csv_without_pandas(opened, snap, when)
        ):
            return
        result = compute(opened, snap, when)
        if explain_user is not None:
            _explain(opened, snap, result, explain_user, when)
            return
        if compare_to is not None or since is not None:
            _compare(opened, snap, result, compare_to, since, fmt, out_file)
            return
        filtered = _filter(result, stuck_point, role, division)
        if list_users or stuck_point or role or division:
            _list(filtered, fmt, out_file, opened, snap, when)
            return
        _summary(filtered, by, fmt, out_file, snap, when, int(result.attrs.get("retired", 0)))


def _filter(
    result: pd.DataFrame, stuck_point: list[str] | None, role: str | None, division: str | None
) -> pd.DataFrame:
    from ..analyses import segmentation

    frame = result
    if stuck_point:
        keys = [segmentation.stuck_point_key(text, "--stuck-point") for text in stuck_point]
        frame = frame[frame["stuck_point"].isin(keys)]
    if role is not None:
        frame = frame[frame["role"] == segmentation.role_key(role, "--role")]
    if division is not None:
        if division not in set(result["division"]):
            raise KopsError(
                _("--division: no 事業部 '{division}' in this snapshot").format(division=division),
                hint=_("Divisions: {names}").format(
                    names=", ".join(sorted(set(result["division"])))
                ),
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
    from ..analyses import segmentation

    columns = frame[segmentation.LIST_COLUMNS]
    if emit(
        columns,
        fmt,
        out_file,
        lambda path: _("Wrote {n:,} users to {path}").format(n=len(columns), path=path),
        sheet="users",
        # The summary sheet is for a workbook only (--out): not made for stdout.
        extra_sheets=[("summary", _summary_sheet(frame, when))] if out_file is not None else [],
        text_columns=["user_id"],
        options=Print(as_of=when),
    ):
        return
    view = columns[
        [
            "user_id",
            "name",
            "division",
            "department",
            "role",
            "stuck_point",
            "flags",
            "last_held_at",
            "prep_share",
            "rating_share",
        ]
    ].copy()
    view["flags"] = view["flags"].map(flag_labels)
    title = _("{n:,} people (as of {as_of})").format(n=len(view), as_of=when)
    out.print(people_table(view, title=title, max_rows=200))


def _summary_sheet(frame: pd.DataFrame, when: dt.date, retired: int = 0) -> pd.DataFrame:
    """The stuck points × roles, saying under the table what the terminal's title says:
    the day and the people counted, which the shares are of (the sheet alone gave neither
    on the screen, only in the printed header), and who is not counted."""
    from ..analyses import segmentation

    table = segmentation.summary(frame)
    people = f"{len(frame):,}人"
    table.attrs[glossary.SHEET_NOTE] = (
        f"基準日 {when} の{people}。割合はこの{people}に占める割合です"
        "（一人を最初のスタックポイントで1回だけ数えます）。" + _not_counted(retired)
    )
    return table


def _not_counted(retired: int) -> str:
    return f"退職の{retired:,}人は数えていません。" if retired else ""


def _summary(
    frame: pd.DataFrame,
    by: By | None,
    fmt: Format,
    out_file: Path | None,
    snap: SnapshotInfo,
    when: dt.date,
    retired: int = 0,
) -> None:
    from ..analyses import segmentation

    table = _summary_sheet(frame, when, retired)
    grouped = segmentation.by_group(frame, by.value) if by is not None else None
    extra = [(BY_LABELS[by.value], grouped)] if grouped is not None and by is not None else []
    if grouped is not None and out_file is not None and out_file.suffix.lower() == ".csv":
        # A CSV holds one table: the breakdown asked for with --by (as --format csv gives).
        table, extra = grouped, []
    if emit(
        table,
        fmt,
        out_file,
        lambda path: _("Wrote the summary to {path}").format(path=path),
        rows=len(frame),  # the people summed up
        shown=grouped if grouped is not None else table,
        sheet="summary",
        extra_sheets=extra,
        options=Print(as_of=when),
    ):
        return
    out.print(
        people_table(
            table,
            title=_("Stuck point × role ({n:,} people, as of {as_of}, snapshot {snapshot})").format(
                n=int(table["total"].sum()), as_of=when, snapshot=snap.id
            ),
        )
    )
    if retired:  # beside the table: its people are those still here
        out.print(escape(_("{n:,} who have left (退職) are not counted").format(n=retired)))
    if grouped is not None and by is not None:
        out.print(
            people_table(grouped, title=_("By {group}").format(group=term(BY_LABELS, by.value)))
        )


def _without_zeros(result: pd.DataFrame, user_id: str) -> pd.DataFrame:
    """The one user whose id is the typed one with its leading zeros (120 → 000120)."""
    found = same_number(user_id, result["user_id"])
    if len(found) != 1:
        return result.iloc[0:0]
    # The words of `kops mail suppress` for the same leading zeros (one message, one catalog).
    note(
        _("'{typed}' is taken as {key} (its leading zeros added)").format(
            typed=user_id, key=found[0]
        )
    )
    return result[result["user_id"] == found[0]]


def _explain(
    opened: Session, snap: SnapshotInfo, result: pd.DataFrame, user_id: str, when: dt.date
) -> None:
    import pandas as pd

    from ..analyses import segmentation

    wanted = typed_id(user_id)
    rows = result[result["user_id"] == wanted]
    if rows.empty:
        rows = _without_zeros(result, user_id)
    if rows.empty:
        raise KopsError(
            _("--explain: no user '{user}' in this snapshot (退職 users are left out)").format(
                user=user_id
            ),
            hint=did_you_mean(user_id, result["user_id"])
            or _("`kops segment --list` lists the user ids"),
        )
    row = rows.iloc[0]
    out.print(
        f"[bold]{escape(str(row['name']))}[/bold] ({row['user_id']}) — "
        f"{escape(str(row['division']))} / {escape(str(row['department']))}, "
        f"{term(glossary.ROLES, row['role'])}, {escape(str(row['employment']))}"
    )
    out.print(escape(_("As of {date}").format(date=when)) + "\n")
    words = (_("✗ applies"), _("✓ does not apply"), _("✓ applies"))
    width = max(cells(word) for word in words)  # in display columns: 該当 is four
    applies, clear, healthy = (word + " " * (width - cells(word)) for word in words)
    for check in segmentation.explain(row, opened.settings.rules, when):
        if check.key == "healthy":
            mark = f"[green]{healthy}[/green]" if check.applies else "[dim]–[/dim]"
        elif check.applies:
            mark = f"[red]{applies}[/red]"
        else:
            mark = f"[green]{clear}[/green]"
        out.print(f"{mark}  [bold]{escape(check.label)}[/bold]")
        if check.facts:
            out.print("      " + escape(_("Record: {facts}").format(facts=check.facts)))
        said = _("Rule: {threshold}").format(threshold=check.threshold)
        out.print("      " + escape(said), highlight=False)
    primary = segmentation.BY_KEY[str(row["stuck_point"])]
    said = _("Stuck point: {stuck_point} (all that apply: {flags})").format(
        stuck_point=term(glossary.STUCK_POINTS, primary.key), flags=flag_labels(row["flags"])
    )
    out.print("\n" + escape(said))
    out.print(escape(_("What helps: {help}").format(help=_(primary.help))))
    _say_booking(opened, snap, primary.key, str(row["user_id"]), when)
    if not pd.isna(row["seminar_month"]):
        out.print(
            _("Seminar to suggest: {seminar}").format(seminar=f"Month{int(row['seminar_month'])}")
        )


def _say_booking(
    opened: Session, snap: SnapshotInfo, stuck_point: str, user_id: str, when: dt.date
) -> None:
    """A lapsed (or no_1on1) person with a 1on1 booked: the mail that asks them to book
    one leaves them out, and 「What helps: booking the next 1on1」 alone read as untrue."""
    from ..analyses.scheduled import ASKS_FOR_A_BOOKING, first_booked

    if stuck_point not in ASKS_FOR_A_BOOKING:
        return
    booked = first_booked(opened.tables(snap, columns=reads.BOOKED).meetings, when).get(user_id)
    if booked is not None:
        said = _("A 1on1 is booked on {day}: the mail for this stuck point leaves them out")
        out.print(escape(said.format(day=f"{booked:%Y-%m-%d}")))


def _compare(
    opened: Session,
    snap: SnapshotInfo,
    result: pd.DataFrame,
    compare_to: str | None,
    since: dt.date | None,
    fmt: Format,
    out_file: Path | None,
) -> None:
    import pandas as pd

    from ..analyses import segmentation
    from ..jobs.stuck_point_movement import earlier_snapshot, movement_record

    limit = since if compare_to is None else None
    earlier, earlier_as_of = earlier_snapshot(opened.workspace, snap, compare_to, limit)
    note(
        _("compared with snapshot {snapshot} as of {as_of}").format(
            snapshot=earlier.id, as_of=earlier_as_of
        )
    )
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
    # --out writes the transitions; on stdout, CSV is who moved and JSON the whole record.
    shown = movement_record(earlier, earlier_as_of, snap, movement) if fmt is Format.json else moved
    if fmt is Format.csv and out_file is None:
        note(
            _(
                "the CSV holds who moved on or slid back only; --format json or "
                "--out FILE.xlsx hold the transitions too"
            )
        )
    if emit(
        # A row per earlier stuck point, named as people say it (the file's first column),
        # under 「前回＼今回」: its columns are the stuck points now.
        transitions.rename(columns={"before": "before_by_after"}),
        fmt,
        out_file,
        lambda path: _wrote_movement(path, out_file, len(moved)),
        shown=shown,
        sheet="transitions",
        extra_sheets=[("moved", moved)],
        text_columns=["user_id"],
        options=Print(as_of=snap.as_of),
    ):
        return
    _show_movement(movement, transitions, (earlier.id, earlier_as_of), snap)


def _wrote_movement(path: str, out_file: Path | None, moves: int) -> str:
    """What --out wrote: a workbook holds the transitions and who moved; a CSV, one table,
    the transitions only (it said 「51人の移動を」 of a file without them)."""
    if out_file is not None and out_file.suffix.lower() == ".csv":
        return _(
            "Wrote the transitions to {path} (the {n:,} who moved: --out FILE.xlsx, or "
            "--format csv on the screen)"
        ).format(n=moves, path=path)
    return _("Wrote the transitions and {n:,} moves to {path}").format(n=moves, path=path)


def _show_movement(
    movement: segmentation.Movement,
    transitions: pd.DataFrame,
    earlier: tuple[str, object],
    snap: SnapshotInfo,
) -> None:
    import pandas as pd

    from ..analyses import segmentation

    labels: dict[object, str] = {sp.key: sp.label for sp in segmentation.STUCK_POINTS}
    out.print(
        people_table(
            transitions,
            title=_(
                "Stuck points moved: snapshot {earlier} ({earlier_as_of}) → {snapshot} "
                "({as_of}). Rows: before, columns: now (people)"
            ).format(
                earlier=earlier[0], earlier_as_of=earlier[1], snapshot=snap.id, as_of=snap.as_of
            ),
            values={"before": labels},
        )
    )
    words = glossary.MOVEMENT
    counts = {
        "moved_on": len(movement.moved_on),
        "slid_back": len(movement.slid_back),
        "unchanged": int(pd.Series(movement.transitions.values.diagonal()).sum()),
        "joined": movement.joined,
        "departed": movement.left,
    }
    out.print(
        _("   ").join(
            _("{label}: {n:,} people").format(label=term(words, key), n=n)
            for key, n in counts.items()
        )
    )
    for key, frame in (("moved_on", movement.moved_on), ("slid_back", movement.slid_back)):
        if frame.empty:
            continue
        out.print(
            people_table(
                frame,
                title=_("{label}, {n:,} people").format(label=term(words, key), n=len(frame)),
                labels={
                    "stuck_point_before": "前回のスタックポイント",
                    "stuck_point_after": "今回のスタックポイント",
                },
                values={"stuck_point_before": labels, "stuck_point_after": labels},
                max_rows=50,
            )
        )

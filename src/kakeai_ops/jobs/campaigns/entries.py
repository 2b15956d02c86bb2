"""Campaign entries from a form export: read, judge row by row, record.

Unknown people, duplicates and entries after the deadline are refused by row;
people not eligible (yet) are recorded and named, since the draw judges
eligibility again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import clock
from ...analyses import draw_rules
from ...config import Campaign, Settings
from ...errors import InputError, KopsError, Phrase, Problem
from ...exports import normalise
from ...exports.canonical import EARLIEST
from ...exports.findings import Findings
from ...exports.user_files import EXCEL_MANGLED, identify_users, read_user_file
from ...i18n import N_, _
from ...store import (
    Tables,
    add_entries,
    campaign_draws,
    campaign_entries,
    file_entry,
    record_action,
)
from ...workspace import Workspace
from .draws import check_not_awarded_to_all, winners_left_out

ENTERED_AT_HEADERS = ["応募日時", "タイムスタンプ", "Timestamp", "回答日時", "完了時刻"]


@dataclass(frozen=True)
class EntryRow:
    row: int
    user_id: str
    entered_at: dt.datetime | None


@dataclass
class EntriesImport:
    added: int
    already: int  # entered by an earlier import of this or another file
    accepted: list[EntryRow]
    refused: list[Problem]  # unknown people, duplicates, entries after the deadline
    not_in_draw: list[Problem]  # recorded, but not eligible (or on leave) as of the snapshot


def read_entries(
    path: Path, settings: Settings, users: pd.DataFrame, deadline_set: bool
) -> tuple[list[EntryRow], list[Problem], dict[str, str]]:
    """Entries as rows of the file, the rows naming nobody kops knows, and the
    headers of the user and 応募日時 columns.

    A file kops cannot read, a blank id or an unreadable 応募日時 is refused whole
    (InputError): a draw must not start from a half-read form.
    """
    fatal = Findings()
    wanted = {"user": settings.seminar_survey.attendance_user, "entered_at": ENTERED_AT_HEADERS}
    read = read_user_file(path, wanted, ["user"], fatal)
    if read is None:
        raise InputError(fatal.sorted_problems(), total=fatal.total, hint=_("fix the file"))
    frame, columns, rows = read
    if deadline_set and "entered_at" not in columns:
        raise KopsError(
            _(
                "{file}: the campaign has an entry_deadline but the file has no 応募日時 column"
            ).format(file=path.name),
            hint=_("export the form with its timestamp column (応募日時 or タイムスタンプ)"),
        )
    lookup = Findings(examples_per_kind=None)  # each unknown row is refused and named
    ids = identify_users(frame[columns["user"]], columns["user"], users, path.name, rows, lookup)
    # A blank id or one Excel turned into a number: the whole file needs fixing.
    whole = [
        p.what == "required value is blank" or EXCEL_MANGLED in p.what for p in lookup.problems
    ]
    unknown = [p for p, fix in zip(lookup.problems, whole, strict=True) if not fix]
    for problem in [p for p, fix in zip(lookup.problems, whole, strict=True) if fix]:
        fatal.problem(problem)
    times = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    if "entered_at" in columns:
        header = columns["entered_at"]
        times, bad = normalise.parse_datetimes(frame[header])
        fatal.rows(path.name, bad, rows, header, N_("not a date and time"), frame[header])
        # As in ingest: an entry can't lie ahead, and a 1900 date is an Excel serial mishap.
        early = N_("before 2000-01-01 (an Excel date serial read wrongly?)")
        fatal.rows(path.name, times < EARLIEST, rows, header, early, frame[header])
        moment = pd.Timestamp(clock.now().replace(tzinfo=None))
        late = Phrase(
            N_("later than now ({stamp} JST): can't have happened yet"),
            stamp=f"{moment:%Y-%m-%d %H:%M}",
        )
        fatal.rows(path.name, times > moment, rows, header, late, frame[header])
    if fatal.failed:
        raise InputError(fatal.sorted_problems(), total=fatal.total, hint=_("fix the file"))
    entries = [
        EntryRow(
            int(rows.loc[position]),
            user_id,
            None if pd.isna(times.loc[position]) else times.loc[position].to_pydatetime(),
        )
        for position, user_id in zip(frame.index, ids, strict=True)
        if user_id is not None
    ]
    return entries, unknown, columns


def deadline_limit(deadline: dt.date | dt.datetime) -> dt.datetime:
    """The first moment that is too late: a date's deadline lasts until the day's end."""
    if isinstance(deadline, dt.datetime):
        return deadline + dt.timedelta(microseconds=1)
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time())


def record_entries(
    ws: Workspace,
    campaign_id: str,
    campaign: Campaign,
    path: Path,
    tables: Tables,
    judged: pd.DataFrame,
    settings: Settings,
    as_of: dt.date,
    snapshot_id: str,
) -> EntriesImport:
    """`kops campaign entries`: read the form export, judge it row by row, record the
    accepted entries, and write the audit entry once they are recorded."""
    check_not_awarded_to_all(ws, campaign_id)
    drawn = campaign_draws(ws, campaign_id)
    if len(drawn):
        # An entry added now was never in the draw, yet would read as judged by it.
        raise KopsError(
            _("campaign '{campaign}' has been drawn already (draw {draw})").format(
                campaign=campaign_id, draw=drawn["draw_no"].max()
            ),
            hint=_(
                "entries close before the draw; `kops campaign draw {campaign} --entrants` "
                "lists them"
            ).format(campaign=campaign_id),
        )
    rows, refused, columns = read_entries(
        path, settings, tables.users, campaign.entry_deadline is not None
    )
    accepted = _accept(rows, campaign, path.name, columns, refused)
    winners = winners_left_out(ws, campaign_id, campaign)
    not_in_draw = _not_in_draw(accepted, judged, winners, as_of, path.name, columns["user"])
    before = set(campaign_entries(ws, campaign_id)["user_id"])
    added = add_entries(
        ws,
        campaign_id,
        [
            (
                e.user_id,
                f"{e.entered_at:%Y-%m-%d %H:%M:%S}" if e.entered_at else None,
                f"{path.name}:{e.row}",
            )
            for e in accepted
        ],
    )
    already = sum(1 for e in accepted if e.user_id in before)
    refused.sort(key=lambda p: p.row or 0)
    record_action(
        ws,
        "campaign entries",
        target=campaign_id,
        count=added,
        files=[file_entry(path)],
        snapshot=snapshot_id,
        detail={"refused": len(refused), "entered_before": already},
    )
    return EntriesImport(added, already, accepted, refused, not_in_draw)


def _accept(
    rows: list[EntryRow],
    campaign: Campaign,
    file: str,
    columns: dict[str, str],
    refused: list[Problem],
) -> list[EntryRow]:
    """The entries in time and each person's first; the others are added to ``refused``."""
    user_column = columns["user"]
    time_column = columns.get("entered_at", "応募日時")
    limit = deadline_limit(campaign.entry_deadline) if campaign.entry_deadline else None
    first_row: dict[str, int] = {}
    accepted: list[EntryRow] = []
    for entry in rows:
        if limit is not None and entry.entered_at is None:
            refused.append(
                Problem(file, entry.row, time_column, N_("blank: the deadline cannot be checked"))
            )
        elif limit is not None and entry.entered_at is not None and entry.entered_at >= limit:
            refused.append(
                Problem(
                    file,
                    entry.row,
                    time_column,
                    Phrase(
                        N_("entered after the deadline {deadline}"),
                        deadline=campaign.entry_deadline,
                    ),
                    f"{entry.entered_at:%Y-%m-%d %H:%M}",
                )
            )
        elif entry.user_id in first_row:
            refused.append(
                Problem(
                    file,
                    entry.row,
                    user_column,
                    Phrase(
                        N_("duplicate entry (first on row {row})"), row=first_row[entry.user_id]
                    ),
                    f"'{entry.user_id}'",
                )
            )
        else:
            first_row[entry.user_id] = entry.row
            accepted.append(entry)
    return accepted


def _not_in_draw(
    accepted: list[EntryRow],
    judged: pd.DataFrame,
    winners: set[str],
    as_of: dt.date,
    file: str,
    user_column: str,
) -> list[Problem]:
    """The accepted entries the draw would leave out as of the snapshot, and why."""
    status = draw_rules.entrant_status(
        pd.DataFrame({"user_id": [e.user_id for e in accepted]}), judged, winners
    ).set_index("user_id")
    return [
        Problem(
            file,
            e.row,
            user_column,
            Phrase(
                N_("recorded, but not in the draw as of {as_of}: {reason}"),
                as_of=as_of,
                reason=draw_rules.NOT_DRAWN_REASONS[str(status.at[e.user_id, "reason"])],
            ),
            f"'{e.user_id}'",
        )
        for e in accepted
        if not bool(status.at[e.user_id, "in_draw"])
    ]

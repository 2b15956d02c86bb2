"""``kops ingest``: export files → a new immutable snapshot, all or nothing."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import model
from ..analyses import timeline
from ..analyses.organisation_changes import OrganisationChanges, organisation_changes
from ..analyses.timeline import implied_as_of
from ..clock import PIN_VAR, now, now_text
from ..config import Settings
from ..errors import InputError, KopsError, Problem
from ..exports.ahead import ReadAhead, sha256_of
from ..exports.canonical import canonicalise, repeated_headers, required_columns_missing
from ..exports.findings import Findings
from ..exports.reading import (
    NOT_A_FILE,
    HeaderRow,
    ReadFailure,
    find_header,
    other_sheets,
    read_rows,
    readable,
    release_freed_memory,
)
from ..exports.references import check_references
from ..exports.tables import Recognition, header_key, recognise, repeated_column_problems
from ..i18n import N_, _
from ..mail.suppression import follow_address_changes
from ..store import (
    SnapshotInfo,
    Tables,
    encode_table,
    latest_snapshot,
    list_snapshots,
    load_tables,
    record_action,
    write_snapshot,
)
from ..workspace import Workspace

Progress = Callable[[str], None]

# The 1on1s' id columns a snapshot stores dictionary-encoded (the schema's categorical
# fields with no vocabulary).
ENCODED_IDS = [f.name for f in model.MEETINGS.fields if f.dtype == "category" and not f.vocabulary]


@dataclass
class TableChange:
    table: str
    action: str  # 'replaced', 'merged', 'carried over', 'new', 'empty'
    files: list[str]
    rows_before: int
    rows_after: int
    added: int = 0
    replaced: int = 0


@dataclass
class IngestResult:
    snapshot: SnapshotInfo
    changes: list[TableChange]
    notes: list[str] = field(default_factory=list)
    # The exports held nothing new: ``snapshot`` is the existing one with the same
    # content, and nothing was stored.
    already: bool = False
    # Stored over a newer snapshot with --older: what it undid.
    undone: list[str] = field(default_factory=list)
    # Who left, joined or moved, and the pairs, since the snapshot before (None: the first).
    organisation: OrganisationChanges | None = None


@dataclass
class _Loaded:
    path: Path
    table: str
    frame: pd.DataFrame
    first_row: int
    digest: Future[str] | None = None  # the SHA-256 being computed (ReadAhead)

    @functools.cached_property
    def sha256(self) -> str:
        """The file's SHA-256, read once: the manifest and the audit entry both name it."""
        return self.digest.result() if self.digest is not None else sha256_of(self.path)


def ingest(
    ws: Workspace,
    settings: Settings,
    paths: list[Path],
    progress: Progress | None = None,
    older: bool = False,
    ahead: ReadAhead | None = None,
) -> IngestResult:
    """Read, validate and store; raises InputError (nothing written) on any problem.

    An export older than the latest snapshot is refused, with what it would undo,
    unless ``older``; exports that add nothing to the latest snapshot are not stored.
    ``ahead``: the files' checks and hashes, started by the caller (closed here)."""
    say = progress or (lambda _message: None)
    ahead = ahead or ReadAhead(paths)
    try:
        return _ingest(ws, settings, paths, say, older, ahead)
    finally:
        ahead.close()


def _ingest(
    ws: Workspace,
    settings: Settings,
    paths: list[Path],
    say: Progress,
    older: bool,
    ahead: ReadAhead,
) -> IngestResult:
    findings = Findings()
    loaded = _read_exports(paths, settings, findings, say, ahead)
    by_table = _by_table(loaded, findings)
    previous = latest_snapshot(ws)
    before = load_tables(previous) if previous else None
    if before is None and not by_table["users"]:
        if not findings.failed:
            findings.problem(
                Problem(
                    ", ".join(p.name for p in paths) or "(no files)",
                    None,
                    None,
                    N_("the first ingest needs the users export (ユーザー一覧)"),
                )
            )
        # Without users there is nothing to check references against.
        raise InputError(findings.sorted_problems(), total=findings.total, hint=_hint(findings))
    say(_("merging with the previous snapshot"))
    tables, changes, as_of = _merged_tables(by_table, before, findings, say)
    with ThreadPoolExecutor(max_workers=1) as encoder:
        # The 1on1s' Parquet file, the longest to write, is encoded on another thread
        # (Arrow lets it run) while the tables are compared and described.
        encoded = {"meetings": encoder.submit(encode_table, tables.meetings)}
        undone: list[str] = []
        if previous is not None and before is not None:
            say(_("comparing with the latest snapshot"))
            # The same content first: an older export stored with --older stays "older"
            # than the snapshot it made (its merged 1on1s keep the newer ones), so the same
            # files again would otherwise be stored again, one identical snapshot per run.
            if timeline.same_content(before, tables):
                return IngestResult(previous, changes, findings.notes, already=True)
            undone = _undone_by_older(
                ws, settings, by_table, before, tables, previous, loaded, older
            )
        manifest = _manifest(tables, changes, loaded, previous, as_of)
        manifest["data"] = timeline.data_range(
            tables, {"meetings": [x.frame for x in by_table["meetings"]]}
        )
        if undone:
            manifest["older"] = True
        say(_("writing the snapshot"))
        snapshot = write_snapshot(ws, tables, manifest, encoded)
    # An opt-out follows the person to a new address (and is reported).
    findings.notes.extend(
        follow_address_changes(ws, before.users if before is not None else None, tables.users)
    )
    _record_ingest(ws, snapshot, tables, loaded, previous, undone)
    moved = (
        None
        if before is None
        else organisation_changes(before.users, before.pairs, tables.users, tables.pairs)
    )
    return IngestResult(snapshot, changes, findings.notes, undone=undone, organisation=moved)


# Files smaller than this (users and pairs exports, up to a few hundred thousand people)
# are read on a second thread while the big ones (the 1on1s) are read on this one: the
# small ones fill the time the big one leaves a core idle (converting its parsed columns,
# the parts of checking them that hold Python's lock), and two big files are never held
# in memory at once.
SMALL_FILE = 32 << 20


def _read_exports(
    paths: list[Path], settings: Settings, findings: Findings, say: Progress, ahead: ReadAhead
) -> list[_Loaded]:
    """Each file read and made canonical; problems in ``findings``, each file's in the
    order the files were given, whichever thread read it."""
    now = ingest_moment()
    with ThreadPoolExecutor(max_workers=1) as helper:
        on_helper = {
            index: helper.submit(_load_alone, path, settings, now)
            for index, path in enumerate(paths)
            if _size(path) < SMALL_FILE
        }
        here = {}
        for index, path in enumerate(paths):
            if index not in on_helper:
                say(_("reading {file}").format(file=path.name))
                here[index] = _load_alone(path, settings, now)
        loaded: list[_Loaded] = []
        for index, path in enumerate(paths):
            if index in on_helper:
                say(_("reading {file}").format(file=path.name))
            item, found = on_helper[index].result() if index in on_helper else here.pop(index)
            findings.absorb(found)
            if item is not None:
                item.digest = ahead.digest(path)
                loaded.append(item)
    return loaded


def _size(path: Path) -> int:
    """The file's size; 0 for what is not a file (said when it is read)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _load_alone(
    path: Path, settings: Settings, now: pd.Timestamp
) -> tuple[_Loaded | None, Findings]:
    """One export read and made canonical (``_load_file``) with what was found in it."""
    found = Findings()
    item = _load_file(path, settings, found, now)
    # The file's raw text is freed once canonical: give it back before the next step.
    release_freed_memory()
    return item, found


def _by_table(loaded: list[_Loaded], findings: Findings) -> dict[str, list[_Loaded]]:
    """The files by the table they hold; more than one users or pairs export is refused."""
    by_table = {t: [x for x in loaded if x.table == t] for t in model.TABLE_NAMES}
    for table in ("users", "pairs"):
        if len(by_table[table]) > 1:
            names = ", ".join(x.path.name for x in by_table[table])
            findings.problem(
                Problem(
                    names,
                    None,
                    None,
                    _("more than one {table} export given ({label}); give one").format(
                        table=table, label=model.TABLES[table].label
                    ),
                )
            )
    return by_table


def _merged_tables(
    by_table: dict[str, list[_Loaded]], before: Tables | None, findings: Findings, say: Progress
) -> tuple[Tables, list[TableChange], dt.date | None]:
    """The new snapshot's tables (the files over the latest snapshot), what changed in
    each, and the as-of date they imply; raises InputError on a broken reference."""
    changes: list[TableChange] = []
    users, change = _replace_or_carry("users", by_table["users"], before)
    changes.append(change)
    pairs, change = _replace_or_carry("pairs", by_table["pairs"], before)
    changes.append(change)
    meetings, change = _merge_meetings(by_table["meetings"], before, findings)
    changes.append(change)

    say(_("checking references between tables"))
    known_users = pd.Index(users["user_id"])
    for frame, label in ((pairs, "pairs"), (meetings, "meetings")):
        check_references(frame, known_users, label, findings)
    pairs = _collapse_duplicate_pairs(pairs, findings)
    if findings.failed:
        raise InputError(findings.sorted_problems(), total=findings.total, hint=_hint(findings))

    as_of = implied_as_of(users, meetings)
    users = _derive_age_band(users, as_of)
    tables = Tables(
        users=_drop_internal(users),
        pairs=_drop_internal(pairs),
        meetings=_as_categories(_drop_internal(meetings), ENCODED_IDS),
    )
    return tables, changes, as_of


def _undone_by_older(
    ws: Workspace,
    settings: Settings,
    by_table: dict[str, list[_Loaded]],
    before: Tables,
    tables: Tables,
    previous: SnapshotInfo,
    loaded: list[_Loaded],
    older: bool,
) -> list[str]:
    """What storing exports older than the latest snapshot would undo (nothing when they
    are not older); refused unless ``older``."""
    given = {t: [x.frame for x in by_table[t]] for t in model.TABLE_NAMES if by_table[t]}
    stale = timeline.older_exports(given, before)
    if not stale:
        return []
    undone = timeline.what_would_change(before, tables)
    moves = timeline.stuck_point_moves(before, tables, settings.rules)
    if moves:
        undone.append(_("stuck points: {moves}").format(moves=", ".join(moves)))
    if not older:
        raise _older_error(stale, undone, previous, loaded, ws)
    return undone


def _record_ingest(
    ws: Workspace,
    snapshot: SnapshotInfo,
    tables: Tables,
    loaded: list[_Loaded],
    previous: SnapshotInfo | None,
    undone: list[str],
) -> None:
    """The audit entry: the files (by content hash), the rows stored, what was undone."""
    detail: dict[str, Any] = {
        "rows": {
            "users": len(tables.users),
            "pairs": len(tables.pairs),
            "meetings": len(tables.meetings),
        },
        "tables": {item.path.name: item.table for item in loaded},
    }
    if undone:
        detail |= {"over": previous.id if previous else None, "undone": undone}
    record_action(
        ws,
        "ingest --older" if undone else "ingest",
        target=f"snapshot {snapshot.id}",
        count=sum(len(item.frame) for item in loaded),
        files=[f"{item.path.name} sha256:{item.sha256[:16]}" for item in loaded],
        snapshot=snapshot.id,
        detail=detail,
    )


# The tables as the refusal of an older export names them (the export's name in Japanese).
TABLE_WORDS = {"users": N_("users"), "pairs": N_("pairs"), "meetings": N_("meetings")}


def _older_error(
    stale: list[timeline.Older],
    undone: list[str],
    latest: SnapshotInfo,
    loaded: list[_Loaded],
    ws: Workspace,
) -> KopsError:
    """The refusal of an older export: the dates, what it would undo, what to do."""
    lines = [
        _("these exports are older than snapshot {snapshot}, which runs to {as_of}:").format(
            snapshot=latest.id, as_of=latest.as_of
        )
    ]
    for item in stale:
        lines.append(
            "  "
            + _("{table}: {what} {export_to}, snapshot {snapshot} has {snapshot_to}").format(
                table=_(TABLE_WORDS[item.table]),
                what=_(item.what),
                export_to=f"{item.export_to:%Y-%m-%d %H:%M}",
                snapshot=latest.id,
                snapshot_to=f"{item.snapshot_to:%Y-%m-%d %H:%M}",
            )
        )
    same = _ingested_before(ws, loaded)
    if same is not None:
        lines.append(
            "  " + _("(these files were ingested as snapshot {snapshot})").format(snapshot=same)
        )
    if undone:
        lines.append(_("storing them would change:"))
        lines += [f"  {line}" for line in undone]
    lines.append(_("nothing was changed"))
    return KopsError(
        "\n".join(lines),
        hint=_(
            "ingest the newest exports; to store an older one on purpose (it becomes the "
            "latest snapshot), run the same command with --older"
        ),
    )


def _ingested_before(ws: Workspace, loaded: list[_Loaded]) -> str | None:
    """The snapshot that was made from exactly these files (by content hash), if any."""
    hashes = sorted(item.sha256 for item in loaded)
    for snap in list_snapshots(ws):
        if sorted(src.get("sha256", "") for src in snap.manifest.get("sources", [])) == hashes:
            return snap.id
    return None


_HINT = N_("fix the files (or map headers/values in kops.yaml) and run `kops ingest` again")


def _hint(findings: Findings) -> str:
    """What to do; when most problems are times later than now, the clock is the likelier
    fault (a machine's date reset, KOPS_NOW left set), not every row of the export."""
    if findings.problems and all(str(p.what) in NOT_A_FILE for p in findings.problems):
        # Only names that lead to no file: nothing in a file to fix or map.
        return _("check the files' names and folders, then run `kops ingest` again")
    future = findings.count_of("future")
    if future >= 10 and future * 2 >= findings.total:
        now = ingest_moment().strftime("%Y-%m-%d %H:%M")
        if os.environ.get(PIN_VAR):
            return _(
                "most rows are later than now ({now} JST, pinned by {variable}): unset "
                "{variable} or set it to a time after the export, then run `kops ingest` again"
            ).format(now=now, variable=PIN_VAR)
        return _(
            "most rows are later than now ({now} JST): check this computer's date and time "
            "(and time zone), then run `kops ingest` again"
        ).format(now=now)
    return _(_HINT)


def ingest_moment() -> pd.Timestamp:
    """Now, as the naive JST time exports use; KOPS_NOW (ISO 8601) pins it, as for mail.

    Nothing in an export can have happened after it: no login, no held 1on1.
    """
    return pd.Timestamp(now().replace(tzinfo=None))


def _load_file(
    path: Path, settings: Settings, findings: Findings, now: pd.Timestamp
) -> _Loaded | None:
    """One export read and made canonical; None, with why in ``findings``, when it can't
    be (each problem found in it is reported)."""
    if not readable(path, findings):
        return None
    try:
        header_row = find_header(path, settings.exports.sheet)
    except ReadFailure as failure:
        findings.problems_of(failure.problems)
        return None
    recognition = _recognised(path, header_row, settings, findings)
    if recognition is None or recognition.table is None:
        return None
    table = recognition.table
    raw = read_rows(
        path,
        set(recognition.columns.values()),
        findings,
        settings.exports.sheet,
        encoding=None if header_row.encoding == "xlsx" else header_row.encoding,
        repeated=repeated_headers(table, recognition.columns),
    )
    if raw is None:
        return None
    frame = canonicalise(table, raw, recognition.columns, settings.exports, findings, now)
    frame["_file"] = path.name
    frame["_row"] = raw.frame.index.to_numpy() + raw.first_row
    return _Loaded(path, table, frame, raw.first_row)


def _other_sheets(
    path: Path, header_row: HeaderRow, settings: Settings, findings: Findings
) -> None:
    if header_row.encoding == "xlsx" and settings.exports.sheet is None:
        problem = other_sheets(path, named_in_settings=True)
        if problem is not None:
            findings.problem(problem)


# The fields a list of people has (ユーザーID, 氏名, メールアドレス): no export has only these.
PEOPLE_LIST_FIELDS = {"user_id", "name", "email"}


def _missing_column(
    path: Path, header_row: HeaderRow, settings: Settings, table: str, field: str, found: str
) -> Problem:
    """A required column of the ``table`` export the file lacks, by its header names."""
    mapping = getattr(settings.exports.headers, table)
    return Problem(
        path.name,
        header_row.row,
        "/".join(mapping[field]),
        _("missing required column for the {table} export; headers found: {headers}").format(
            table=table, headers=found
        ),
    )


def _likely_export(
    path: Path, header_row: HeaderRow, recognition: Recognition, settings: Settings, found: str
) -> Problem:
    """Most of one export's headers, but not its id column (社員番号 for ユーザーID, as
    kops' own lists call it): which column is missing, and where in kops.yaml to map the
    file's name for it (「どのエクスポートか判断できません」 sent the reader nowhere)."""
    table = str(recognition.likely)
    mapping = getattr(settings.exports.headers, table)
    missing = recognition.likely_missing
    # The file's own name for it, most likely: an unread header that reads as an id.
    guess = next(
        (h for h in recognition.ignored if re.search(r"ID|番号|コード", header_key(h), re.I)),
        _("the file's header"),
    )
    where = "; ".join(
        f"exports.headers.{table}.{f} ({f}: [{', '.join(mapping[f])}, {guess}])" for f in missing
    )
    return Problem(
        path.name,
        header_row.row,
        "/".join("/".join(mapping[f]) for f in missing),
        _(
            "this looks like the {table} export ({label}; {count} of its columns found), "
            "but it has no column for its ids; if the file names it otherwise, add that "
            "name in kops.yaml under {where}; headers found: {headers}"
        ).format(
            table=table,
            label=model.TABLES[table].label,
            count=len(recognition.likely_columns or {}),
            where=where,
            headers=found,
        ),
    )


def _recognised(
    path: Path, header_row: HeaderRow, settings: Settings, findings: Findings
) -> Recognition | None:
    """Which export the header row is and which column is which field; None, with why in
    ``findings``, for a header row kops can't read (unknown, short of a required
    column, or a column twice). Columns kops doesn't read are noted."""
    headers = header_row.headers
    found = ", ".join(h for h in headers if h.strip())
    if not found:
        findings.problem(Problem(path.name, None, None, N_("file is empty (no header row)")))
        _other_sheets(path, header_row, settings, findings)
        return None
    recognition = recognise(headers, settings.exports)
    table = recognition.table
    if table is None and recognition.likely is not None:
        _other_sheets(path, header_row, settings, findings)
        findings.problem(_likely_export(path, header_row, recognition, settings, found))
        # …and every other required column it lacks, said at once (one round, not two).
        likely = str(recognition.likely)
        for lacking in required_columns_missing(likely, recognition.likely_columns or {}):
            if lacking not in recognition.likely_missing:
                findings.problem(
                    _missing_column(path, header_row, settings, likely, lacking, found)
                )
        return None
    if table is None:
        _other_sheets(path, header_row, settings, findings)
        findings.problem(
            Problem(
                path.name,
                header_row.row,
                None,
                _(
                    "can't tell which export this is: headers found: {headers}; expected "
                    "users (ユーザーID, 氏名, …), pairs (上司ID, 部下ID, 承認日, …) or "
                    "meetings (1on1ID, 実施日時, ステータス, …); map other header names in "
                    "kops.yaml exports.headers"
                ).format(headers=found),
            )
        )
        return None
    missing = required_columns_missing(table, recognition.columns)
    if missing and table == "users" and set(recognition.columns) <= PEOPLE_LIST_FIELDS:
        # Ids, names, emails only: a list of people (a seminar's attendance), told
        # 「最終ログイン日時: users のエクスポートに必須の列がありません」.
        findings.problem(
            Problem(
                path.name,
                header_row.row,
                None,
                _(
                    "a list of people, not KAKEAI's users export (headers found: {headers}): "
                    "a seminar's attendance is read by `kops seminar attendance`, a "
                    "list of whom to mail by `kops mail plan --users`"
                ).format(headers=found),
            )
        )
        return None
    for field_name in missing:
        findings.problem(_missing_column(path, header_row, settings, table, field_name, found))
    used = set(recognition.columns.values())
    repeated = [] if missing else repeated_column_problems(path.name, header_row.row, headers, used)
    findings.problems_of(repeated)
    if missing or repeated:
        return None
    if recognition.ignored:
        findings.note(
            _("{file}: ignored column(s): {columns}").format(
                file=path.name, columns=", ".join(recognition.ignored)
            )
        )
    if recognition.never_read:
        findings.note(
            _(
                "{file}: free-text column(s) {columns} skipped unread (kops keeps metadata only)"
            ).format(file=path.name, columns=", ".join(recognition.never_read))
        )
    return recognition


def _replace_or_carry(
    table: str, given: list[_Loaded], before: Tables | None
) -> tuple[pd.DataFrame, TableChange]:
    old_rows = len(before.get(table)) if before is not None else 0
    if given:
        frame = given[0].frame
        action = "replaced" if before is not None else "new"
        return frame, TableChange(table, action, [given[0].path.name], old_rows, len(frame))
    if before is not None:
        frame = before.get(table).copy()
        frame["_file"] = "(previous snapshot)"
        frame["_row"] = 0
        return frame, TableChange(table, "carried over", [], old_rows, len(frame))
    empty = _empty(table)
    return empty, TableChange(table, "empty", [], 0, 0)


def _merge_meetings(
    given: list[_Loaded], before: Tables | None, findings: Findings
) -> tuple[pd.DataFrame, TableChange]:
    old = before.meetings if before is not None else None
    old_rows = 0 if old is None else len(old)
    if not given:
        if old is None:
            return _empty("meetings"), TableChange("meetings", "empty", [], 0, 0)
        frame = old.copy()
        frame["_file"] = "(previous snapshot)"
        frame["_row"] = 0
        return frame, TableChange("meetings", "carried over", [], old_rows, old_rows)
    parts = []
    if old is not None and len(old):
        carried = old.copy()
        carried["_file"] = "(previous snapshot)"
        carried["_row"] = 0
        parts.append(carried)
    parts += [item.frame for item in given]
    if len(parts) == 1:
        # One export and nothing before it: a repeated 1on1ID within a file is refused
        # by canonicalise, so there is nothing to replace (and no 2.5M-row copy to make).
        merged, replaced = parts[0].reset_index(drop=True), 0
    else:
        merged = pd.concat(parts, ignore_index=True)
        for column in ("status", "topic", "response"):
            merged[column] = merged[column].astype(given[0].frame[column].dtype)
        # A repeated meeting id replaces the older row: the newest export wins.
        repeated = merged["meeting_id"].duplicated(keep="last")
        replaced = int(repeated.sum())
        merged = merged[~repeated].reset_index(drop=True)
    if len(given) > 1:
        findings.note(
            _(
                "meetings from {n} files merged by 1on1ID; a later file's row replaces an "
                "earlier one"
            ).format(n=len(given))
        )
    added = len(merged) - old_rows
    action = "merged" if old is not None else "new"
    change = TableChange(
        "meetings", action, [g.path.name for g in given], old_rows, len(merged), added, replaced
    )
    return merged, change


def _collapse_duplicate_pairs(pairs: pd.DataFrame, findings: Findings) -> pd.DataFrame:
    key = list(model.PAIRS.key)
    repeated = pairs.duplicated(key, keep=False)
    if not repeated.any():
        return pairs
    findings.note(
        _(
            "pairs: {n} repeated manager/member pair(s) merged (earliest invitation, latest "
            "acceptance, recurring if any row says so)"
        ).format(n=int(pairs.duplicated(key).sum()))
    )
    merged = pairs.groupby(key, as_index=False, sort=False).agg(
        invited_at=("invited_at", "min"),
        accepted_at=("accepted_at", "max"),
        recurring=("recurring", "any"),
        _file=("_file", "first"),
        _row=("_row", "first"),
    )
    return merged


def _derive_age_band(users: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    """年代 from 生年月日 where the export gives a birth date instead; the date is not kept."""
    users = users.copy()
    if "birth_date" in users and as_of is not None:
        born = users["birth_date"]
        needs = users["age_band"].isna() & born.notna()
        if needs.any():
            ref = pd.Timestamp(as_of)
            years = (
                ref.year
                - born.dt.year
                - (
                    (born.dt.month > ref.month)
                    | ((born.dt.month == ref.month) & (born.dt.day > ref.day))
                ).astype(int)
            )
            bands = (years // 10 * 10).astype("Int64").astype(str) + "代"
            users.loc[needs, "age_band"] = bands[needs]
    return users.drop(columns=["birth_date"], errors="ignore")


def _drop_internal(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["_file", "_row"], errors="ignore").reset_index(drop=True)


def _as_categories(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Ids that repeat millions of times are stored dictionary-encoded: the snapshot
    loads faster and analyses map them to user positions by category, not by row.

    The categories are the values present, sorted (what ``astype("category")`` gives)."""
    frame = frame.copy(deep=False)
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and _plain_categories(values):
            if not _all_used(values):  # (a file read alone uses all: no 2.5M-row recode)
                frame[column] = values.cat.remove_unused_categories()
        else:
            frame[column] = values.astype(str).astype("category")
    return frame


def _all_used(values: pd.Series) -> bool:
    """Whether every category is held by some row."""
    codes = values.cat.codes.to_numpy()
    return bool(np.bincount(codes, minlength=len(values.cat.categories)).all())


def _plain_categories(values: pd.Series) -> bool:
    """Text categories, sorted, without missing values: the same as re-encoding the text."""
    categories = values.cat.categories
    sorted_text = categories.dtype == "str" and categories.is_monotonic_increasing
    return sorted_text and not bool(values.isna().any())


def _empty(table: str) -> pd.DataFrame:
    from ..config import Exports
    from ..exports.reading import RawTable

    raw = RawTable(Path(f"{table}"), [], pd.DataFrame(index=pd.RangeIndex(0)), 2, "")
    frame = canonicalise(table, raw, {}, Exports(), Findings())
    frame["_file"] = ""
    frame["_row"] = pd.Series(dtype="int64")
    return frame


def _manifest(
    tables: Tables,
    changes: list[TableChange],
    loaded: list[_Loaded],
    previous: SnapshotInfo | None,
    as_of: dt.date | None,
) -> dict[str, Any]:
    meetings = tables.meetings
    held = meetings.loc[meetings["status"] == "held", "held_at"] if len(meetings) else pd.Series()
    return {
        "created_at": now_text(),
        "parent": previous.id if previous else None,
        "as_of": as_of.isoformat() if as_of else None,
        "meetings_from": held.min().date().isoformat() if len(held) else None,
        "meetings_to": held.max().date().isoformat() if len(held) else None,
        "sources": [
            {"file": str(item.path.resolve()), "table": item.table, "sha256": item.sha256}
            for item in loaded
        ],
        "tables": {
            change.table: {
                "rows": len(tables.get(change.table)),
                "action": change.action,
                "files": change.files,
            }
            for change in changes
        },
    }

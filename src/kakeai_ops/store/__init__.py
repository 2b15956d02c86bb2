"""Snapshots and the workspace state database: the only package that knows their files.

A snapshot is a directory ``state/snapshots/NNNN/`` holding the canonical
tables as Parquet and a ``manifest.json``. It is written under a temporary
name and renamed into place, so a failed or interrupted ingest leaves nothing
behind, and it is never modified afterwards.

The state database (SQLite) lives in the modules beside this one, one per kind of
record; its names are re-exported here so callers import from ``store`` alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import KopsError, WorkspaceError
from ..i18n import _, language
from ..model import TABLE_NAMES, Tables, shape_problems
from ..workspace import STAGING_PREFIX, Workspace
from . import table_memory
from .audit_log import ACTIONS, audit, audit_entries, file_entry, record_action
from .award_records import awards, delivered_milestones, record_awards, record_milestones_delivered
from .draw_records import (
    DRAW_FIELDS,
    add_entries,
    campaign_draws,
    campaign_entries,
    draw_audit,
    draw_entrants,
    record_draw,
)
from .integrity import (
    EXPORT_NAME,
    DamagedFile,
    Reason,
    damage_reason,
    export_database,
    file_digest,
    snapshot_way_back,
    verify,
)
from .interviews import (
    exclude_from_interviews,
    include_in_interviews,
    interview_history,
    record_interview,
)
from .seminar_records import (
    record_seminar_attendance,
    record_seminar_survey,
    seminar_attendance,
    seminar_attendance_record,
    seminar_survey,
    stored_survey_answers,
)
from .state import SCHEMA, audit_log, connect, os_user

if TYPE_CHECKING:  # pandas is loaded where a snapshot is read or written
    import pandas as pd

__all__ = [
    "ACTIONS",
    "DRAW_FIELDS",
    "SCHEMA",
    "TABLE_NAMES",
    "DamagedFile",
    "SnapshotEntry",
    "SnapshotInfo",
    "TableReading",
    "Tables",
    "add_entries",
    "audit",
    "audit_entries",
    "audit_log",
    "awards",
    "campaign_draws",
    "campaign_entries",
    "check_snapshot",
    "connect",
    "delivered_milestones",
    "draw_audit",
    "draw_entrants",
    "encode_table",
    "exclude_from_interviews",
    "file_entry",
    "include_in_interviews",
    "interview_history",
    "latest_snapshot",
    "list_snapshots",
    "load_tables",
    "os_user",
    "record_action",
    "record_awards",
    "record_draw",
    "record_interview",
    "record_milestones_delivered",
    "record_seminar_attendance",
    "record_seminar_survey",
    "resolve_snapshot",
    "seminar_attendance",
    "seminar_attendance_record",
    "seminar_survey",
    "snapshot_as_of",
    "snapshot_entries",
    "start_reading",
    "stored_survey_answers",
    "write_snapshot",
]

MANIFEST_SEAL = "manifest.sha256"


@dataclass(frozen=True)
class SnapshotInfo:
    id: str
    path: Path
    manifest: dict[str, Any]

    @property
    def as_of(self) -> dt.date | None:
        value = self.manifest.get("as_of")
        return dt.date.fromisoformat(value) if value else None

    @property
    def created_at(self) -> str:
        return str(self.manifest.get("created_at", ""))

    def rows(self, table: str) -> int:
        return int(self.manifest["tables"][table]["rows"])

    def table_digest(self, table: str) -> str | None:
        """The SHA-256 the manifest records for ``table``'s file: what identifies its
        content (None for a snapshot written before hashes were recorded)."""
        found = (self.manifest.get("checksums") or {}).get(f"{table}.parquet")
        digest = found.get("sha256") if isinstance(found, dict) else None
        return str(digest) if digest else None


@dataclass(frozen=True)
class SnapshotEntry:
    """A snapshot directory: its manifest, or why it can't be read."""

    id: str
    path: Path
    snapshot: SnapshotInfo | None
    damaged: DamagedFile | None


def snapshot_entries(ws: Workspace) -> list[SnapshotEntry]:
    """Every snapshot directory, oldest first, readable or not (for `kops status`)."""
    if not ws.snapshots_dir.is_dir():
        return []
    found = []
    for entry in sorted(ws.snapshots_dir.iterdir()):
        manifest = entry / "manifest.json"
        if not entry.name.isdigit():
            continue  # a staging folder of an ingest, or someone's own file
        # A snapshot is renamed into place whole, manifest and all: a numbered entry
        # without one was damaged since, and is named rather than passed over (the
        # one before would be read as the latest, unawares).
        if not entry.is_dir():
            missing = DamagedFile(entry, _("not a folder"), snapshot_way_back(entry))
            found.append(SnapshotEntry(entry.name, entry, None, missing))
            continue
        if not manifest.is_file():
            missing = DamagedFile(manifest, _("the file is missing"), snapshot_way_back(entry))
            found.append(SnapshotEntry(entry.name, entry, None, missing))
            continue
        try:
            raw = manifest.read_bytes()
            seal = entry / MANIFEST_SEAL
            if (
                seal.is_file()
                and seal.read_text("ascii").strip() != hashlib.sha256(raw).hexdigest()
            ):
                raise Reason(_("its SHA-256 is not the one recorded when written"))
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
                raise Reason(_("not a snapshot manifest (no tables listed)"))
        except (ValueError, UnicodeDecodeError, OSError) as error:
            damaged = DamagedFile(manifest, damage_reason(error), snapshot_way_back(entry))
            found.append(SnapshotEntry(entry.name, entry, None, damaged))
            continue
        found.append(SnapshotEntry(entry.name, entry, SnapshotInfo(entry.name, entry, data), None))
    return found


def list_snapshots(ws: Workspace) -> list[SnapshotInfo]:
    """The readable snapshots, oldest first. A damaged older snapshot is left out (no
    command that doesn't read it stops); a damaged latest one is an error, since
    whatever reads "the latest" would otherwise read the one before unawares."""
    entries = snapshot_entries(ws)
    if entries and entries[-1].damaged is not None:
        raise entries[-1].damaged
    return [e.snapshot for e in entries if e.snapshot is not None]


def latest_snapshot(ws: Workspace) -> SnapshotInfo | None:
    snapshots = list_snapshots(ws)
    return snapshots[-1] if snapshots else None


def snapshot_as_of(ws: Workspace, day: dt.date) -> SnapshotInfo | None:
    """The newest snapshot whose data is dated on or before ``day``."""
    dated = [x for x in list_snapshots(ws) if x.as_of is not None and x.as_of <= day]
    return dated[-1] if dated else None


def resolve_snapshot(ws: Workspace, ref: str | None) -> SnapshotInfo:
    """``None``/'latest' → the newest; '3', '0003' → that one; '-1' → the one before the newest."""
    snapshots = list_snapshots(ws)
    if not snapshots:
        raise WorkspaceError(
            _("this workspace has no data yet"),
            hint=_("ingest the exports first: {command}").format(
                command="`kops ingest users.csv pairs.csv meetings.xlsx`"
            ),
        )
    if ref is None or ref == "latest":
        return snapshots[-1]
    text = ref.strip()
    if text.isdigit():
        for entry in snapshot_entries(ws):
            if int(entry.id) == int(text) and entry.damaged is not None:
                raise entry.damaged
    if text.startswith("-") and text[1:].isdigit():
        back = int(text[1:])
        if back < len(snapshots):
            return snapshots[-1 - back]
    elif text.isdigit():
        for snap in snapshots:
            if int(snap.id) == int(text):
                return snap
    known = ", ".join(s.id for s in snapshots)
    raise KopsError(
        _("no snapshot '{ref}' (snapshots: {known})").format(ref=ref, known=known),
        hint=_("`kops status` lists the snapshots; use an id, 'latest' or -1 for the one before"),
    )


def load_tables(
    snapshot: SnapshotInfo,
    only: tuple[str, ...] = TABLE_NAMES,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> Tables:
    """The snapshot's tables (those in ``only``; the others empty). ``columns`` maps a
    table to the only columns to read, and a table it leaves out is not read at all:
    most of a load is decoding the 1on1s' columns, and each analysis needs a few."""
    return start_reading(snapshot, only, columns).tables()


class TableReading:
    """A snapshot's Parquet files being checked and read, each in a thread of its own,
    while the command goes on (``start_reading``); ``tables()`` waits for them.

    Only pyarrow is used in the threads: a command starts them before it imports pandas
    and the analyses (a third of a second), which then overlaps the reading, and Arrow
    reads and hashes with the GIL released. A file's problem is raised by ``tables()``,
    the first table's first, as a reading in turn would."""

    def __init__(
        self,
        snapshot: SnapshotInfo,
        only: tuple[str, ...],
        columns: Mapping[str, Sequence[str]] | None,
    ) -> None:
        import threading

        self.snapshot = snapshot
        self._read: dict[str, Any] = {}  # a table: its Arrow table, or what went wrong
        self._wanted = [
            name for name in TABLE_NAMES if name in only and (columns is None or name in columns)
        ]
        self._threads = [
            threading.Thread(
                target=self._read_one,
                args=(name, None if columns is None else list(columns[name])),
                name=f"kops-read-{name}",
            )
            for name in self._wanted
        ]
        for thread in self._threads:
            thread.start()

    def _read_one(self, name: str, read: list[str] | None) -> None:
        try:
            self._read[name] = _read_arrow(self.snapshot, name, read)
        except BaseException as error:  # handed to the caller of tables()
            self._read[name] = error

    def arrow(self) -> dict[str, Any]:
        """The tables read (table → its Arrow table), for a command that needs no pandas."""
        for thread in self._threads:
            thread.join()
        for name in self._wanted:
            if isinstance(self._read[name], BaseException):
                raise self._read[name]
        return {name: self._read[name] for name in self._wanted}

    def tables(self) -> Tables:
        import pandas as pd

        read = self.arrow()
        frames = {name: pd.DataFrame() for name in TABLE_NAMES}
        for name, table in read.items():
            # As pandas.read_parquet converts (pyarrow ≥ 19, pandas' own string type).
            frames[name] = table.to_pandas()
        return Tables(**frames)


def start_reading(
    snapshot: SnapshotInfo,
    only: tuple[str, ...] = TABLE_NAMES,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> TableReading:
    """Start reading the snapshot's tables (as ``load_tables``) in the background."""
    return TableReading(snapshot, only, columns)


def _read_arrow(snapshot: SnapshotInfo, name: str, read: list[str] | None) -> Any:
    """One table of the snapshot as an Arrow table, its file checked against the
    manifest (size, SHA-256, rows)."""
    recorded = snapshot.manifest.get("checksums") or {}
    way_back = snapshot_way_back(snapshot.path)
    path = snapshot.path / f"{name}.parquet"
    verify(path, recorded.get(path.name), way_back)
    # Checked first: a file is refused whatever was read before for its recorded content.
    digest = snapshot.table_digest(name)
    key = None if digest is None else (digest, None if read is None else tuple(read))
    table = None if key is None else table_memory.remembered(key)
    if table is None:
        table = _parquet(path, read, way_back)
        if key is not None:
            table_memory.remember(key, table)
    expected = snapshot.manifest["tables"].get(name, {}).get("rows")
    if expected is not None and table.num_rows != expected:
        rows = _("{rows:,} rows, {recorded:,} when written").format(
            rows=table.num_rows, recorded=expected
        )
        raise DamagedFile(path, rows, way_back)
    return table


def _parquet(path: Path, read: list[str] | None, way_back: str) -> Any:
    import pyarrow.parquet as pq

    try:
        # ParquetFile rather than read_table: the same table, and read_table's dataset
        # layer imports pandas, which a command listing from Arrow never needs.
        with pq.ParquetFile(path) as file:
            return file.read(columns=read, use_pandas_metadata=True)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise DamagedFile(path, damage_reason(error), way_back) from None


def check_snapshot(snapshot: SnapshotInfo) -> None:
    """Every file of the snapshot against its recorded size and hash (`status --check`)."""
    recorded = snapshot.manifest.get("checksums") or {}
    way_back = snapshot_way_back(snapshot.path)
    for name in TABLE_NAMES:
        verify(snapshot.path / f"{name}.parquet", recorded.get(f"{name}.parquet"), way_back)
    if EXPORT_NAME in recorded:
        verify(snapshot.path / EXPORT_NAME, recorded[EXPORT_NAME], way_back)
    if not recorded:  # written before hashes: read it whole instead
        load_tables(snapshot)


def _write_parquet(frame: pd.DataFrame, path: Path | Any) -> None:
    """``frame.to_parquet(path, index=False)``, with Parquet dictionary pages and min/max
    statistics only where they pay: not for text and timestamps that are mostly distinct
    (1on1IDs, times), where building them is a third of the writing time for nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    plain = {
        field.name
        for field in table.schema
        if pa.types.is_large_string(field.type)
        or pa.types.is_string(field.type)
        or pa.types.is_timestamp(field.type)
    }
    coded = [name for name in table.column_names if name not in plain]
    stated = [
        field.name
        for field in table.schema
        if not (pa.types.is_large_string(field.type) or pa.types.is_string(field.type))
    ]
    pq.write_table(table, path, use_dictionary=coded, write_statistics=stated)


@dataclass(frozen=True)
class EncodedTable:
    """A table as the Parquet file a snapshot stores, made in memory ahead of writing."""

    data: Any  # a pyarrow Buffer: the file's bytes
    digest: dict[str, Any]  # what ``file_digest`` says of the file


def encode_table(frame: pd.DataFrame) -> EncodedTable:
    """``frame`` as the bytes ``write_snapshot`` would write for it (the same writer, the
    same settings): the caller encodes a big table on another thread while it goes on."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    _write_parquet(frame, sink)
    data = sink.getvalue()
    return EncodedTable(data, {"bytes": data.size, "sha256": hashlib.sha256(data).hexdigest()})


def write_snapshot(
    ws: Workspace,
    tables: Tables,
    manifest: dict[str, Any],
    encoded: Mapping[str, Future[EncodedTable]] | None = None,
) -> SnapshotInfo:
    """Store ``tables`` as the next snapshot; each must have the schema's shape (model.py),
    since every later command reads them as such. ``encoded``: tables already being
    encoded (``encode_table`` of the same frame), by name."""
    wrong = [said for name in TABLE_NAMES for said in shape_problems(name, tables.get(name))]
    if wrong:
        raise ValueError("a snapshot must have the schema's shape: " + "; ".join(wrong))
    try:
        return _write_snapshot(ws, tables, manifest, encoded or {})
    except OSError as error:  # the staging folder is gone with it: nothing was stored
        said = _(
            "the new snapshot could not be written in {folder} (no permission, a read-only "
            "drive, or a full disk)"
        ).format(folder=ws.snapshots_dir)
        if language() == "en" and error.strerror:  # the system's own words are English
            said += f": {error.strerror}"
        raise WorkspaceError(
            said,
            hint=_(
                "make the folder writable (or free some space), then run `kops ingest` "
                "again; nothing was changed"
            ),
        ) from None


def _write_snapshot(
    ws: Workspace,
    tables: Tables,
    manifest: dict[str, Any],
    encoded: Mapping[str, Future[EncodedTable]],
) -> SnapshotInfo:
    ws.snapshots_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=ws.snapshots_dir))
    try:
        checksums = {}
        for name in TABLE_NAMES:
            path = staging / f"{name}.parquet"
            if name in encoded:
                table = encoded[name].result()
                path.write_bytes(table.data)
                checksums[path.name] = table.digest
            else:
                _write_parquet(tables.get(name), path)
                checksums[path.name] = file_digest(path)
        if ws.db_path.is_file():  # the state as of this snapshot: the way back from a damage
            export_database(ws.db_path, staging / EXPORT_NAME)
            checksums[EXPORT_NAME] = file_digest(staging / EXPORT_NAME)
        manifest = {**manifest, "checksums": checksums}
        for attempt in range(100):
            snapshots = list_snapshots(ws)
            next_id = f"{(int(snapshots[-1].id) + 1) if snapshots else 1:04d}"
            manifest = {**manifest, "id": next_id}
            text = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            (staging / "manifest.json").write_bytes(text)
            # The manifest's own hash: a flipped digit in as_of is still valid JSON.
            (staging / MANIFEST_SEAL).write_text(hashlib.sha256(text).hexdigest() + "\n", "ascii")
            target = ws.snapshots_dir / next_id
            try:
                os.rename(staging, target)
            except OSError:
                if attempt == 99:
                    raise
                continue  # another ingest took this id; take the next one
            return SnapshotInfo(next_id, target, manifest)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    raise KopsError(_("could not store the snapshot"))  # pragma: no cover

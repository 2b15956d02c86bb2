"""Snapshots and the workspace state database: the only module that knows their files.

A snapshot is a directory ``state/snapshots/NNNN/`` holding the canonical
tables as Parquet and a ``manifest.json``. It is written under a temporary
name and renamed into place, so a failed or interrupted ingest leaves nothing
behind, and it is never modified afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import now_text
from .errors import KopsError, WorkspaceError
from .model import Tables
from .workspace import STAGING_PREFIX, Workspace

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

TABLE_NAMES = ("users", "pairs", "meetings")


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


def list_snapshots(ws: Workspace) -> list[SnapshotInfo]:
    if not ws.snapshots_dir.is_dir():
        return []
    found = []
    for entry in sorted(ws.snapshots_dir.iterdir()):
        manifest = entry / "manifest.json"
        if entry.is_dir() and entry.name.isdigit() and manifest.is_file():
            found.append(SnapshotInfo(entry.name, entry, json.loads(manifest.read_text("utf-8"))))
    return found


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
            "this workspace has no data yet",
            hint="ingest the exports first: `kops ingest users.csv pairs.csv meetings.xlsx`",
        )
    if ref is None or ref == "latest":
        return snapshots[-1]
    text = ref.strip()
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
        f"no snapshot '{ref}' (snapshots: {known})",
        hint="`kops status` lists the snapshots; use an id, 'latest' or -1 for the one before",
    )


def load_tables(snapshot: SnapshotInfo, only: tuple[str, ...] = TABLE_NAMES) -> Tables:
    import pandas as pd

    frames = {}
    for name in TABLE_NAMES:
        path = snapshot.path / f"{name}.parquet"
        frames[name] = pd.read_parquet(path) if name in only else pd.DataFrame()
    return Tables(**frames)


def write_snapshot(ws: Workspace, tables: Tables, manifest: dict[str, Any]) -> SnapshotInfo:
    ws.snapshots_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=ws.snapshots_dir))
    try:
        for name in TABLE_NAMES:
            tables.get(name).to_parquet(staging / f"{name}.parquet", index=False)
        for attempt in range(100):
            snapshots = list_snapshots(ws)
            next_id = f"{(int(snapshots[-1].id) + 1) if snapshots else 1:04d}"
            manifest = {**manifest, "id": next_id}
            (staging / "manifest.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
            )
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
    raise KopsError("could not store the snapshot")  # pragma: no cover


# --- state database -----------------------------------------------------------

SCHEMA = [
    # version 1
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        command TEXT NOT NULL,
        scope TEXT,
        snapshot TEXT,
        rows INTEGER,
        detail TEXT
    );
    """,
    # version 2: campaign awards and delivered milestone messages
    """
    CREATE TABLE IF NOT EXISTS awards (
        campaign TEXT NOT NULL,
        user_id TEXT NOT NULL,
        awarded_at TEXT NOT NULL,
        run_start TEXT,
        run_end TEXT,
        snapshot TEXT,
        PRIMARY KEY (campaign, user_id)
    );
    CREATE TABLE IF NOT EXISTS milestones_delivered (
        user_id TEXT NOT NULL,
        milestone INTEGER NOT NULL,
        role TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        run_id TEXT,
        PRIMARY KEY (user_id, milestone, role)
    );
    """,
    # version 3: mail runs, the exactly-once ledger, test sends, the suppression list
    """
    CREATE TABLE IF NOT EXISTS mail_runs (
        run_id TEXT PRIMARY KEY,
        description TEXT NOT NULL,
        segment_key TEXT,
        snapshot TEXT,
        as_of TEXT,
        holdout_pct REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        planned INTEGER NOT NULL,
        status TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS mail_ledger (
        run_id TEXT NOT NULL REFERENCES mail_runs(run_id),
        item TEXT NOT NULL,
        user_id TEXT NOT NULL,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        template TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id TEXT NOT NULL,
        error TEXT,
        extra TEXT,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (run_id, item)
    );
    CREATE INDEX IF NOT EXISTS mail_ledger_user ON mail_ledger (user_id, state, sent_at);
    CREATE TABLE IF NOT EXISTS mail_test_log (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        item TEXT NOT NULL,
        test_addr TEXT NOT NULL,
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        error TEXT
    );
    CREATE TABLE IF NOT EXISTS suppression (
        key TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        source TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    """,
    # version 4: interviews done and people kept out of the shortlist
    """
    CREATE TABLE IF NOT EXISTS interviews (
        manager_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        interviewed_on TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (manager_id, member_id, interviewed_on)
    );
    CREATE TABLE IF NOT EXISTS interview_exclusions (
        user_id TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    """,
    # version 5: seminar attendance and survey answers
    """
    CREATE TABLE IF NOT EXISTS seminar_attendance (
        seminar TEXT NOT NULL,
        user_id TEXT NOT NULL,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (seminar, user_id)
    );
    CREATE TABLE IF NOT EXISTS seminar_survey (
        seminar TEXT NOT NULL,
        row INTEGER NOT NULL,
        user_id TEXT,
        satisfaction INTEGER,
        interests TEXT,
        free_text TEXT,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (seminar, row)
    );
    """,
    # version 6: campaign entries and draws (each draw keeps its seed and entrant list)
    """
    CREATE TABLE IF NOT EXISTS campaign_entries (
        campaign TEXT NOT NULL,
        user_id TEXT NOT NULL,
        entered_at TEXT,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (campaign, user_id)
    );
    CREATE TABLE IF NOT EXISTS campaign_draws (
        campaign TEXT NOT NULL,
        draw_no INTEGER NOT NULL,
        drawn_at TEXT NOT NULL,
        drawn_by TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        seed TEXT NOT NULL,
        winners INTEGER NOT NULL,
        per_division INTEGER,
        entrants INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        snapshot TEXT,
        as_of TEXT,
        reason TEXT,
        current INTEGER NOT NULL,
        PRIMARY KEY (campaign, draw_no)
    );
    CREATE TABLE IF NOT EXISTS campaign_draw_entrants (
        campaign TEXT NOT NULL,
        draw_no INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        division TEXT NOT NULL,
        position INTEGER NOT NULL,
        won INTEGER NOT NULL,
        PRIMARY KEY (campaign, draw_no, user_id),
        FOREIGN KEY (campaign, draw_no) REFERENCES campaign_draws (campaign, draw_no)
    );
    """,
]


def connect(ws: Workspace) -> sqlite3.Connection:
    """The state database, created or upgraded to the current schema."""
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(ws.db_path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(SCHEMA[version:], start=version + 1):
        connection.executescript(f"BEGIN; {script} PRAGMA user_version={number}; COMMIT;")
    return connection


def os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def audit(ws: Workspace, command: str, **fields: Any) -> None:
    """Record a run (who, when, scope, snapshot, rows) in the workspace audit log."""
    user = os_user()
    with closing(connect(ws)) as db:
        db.execute(
            "INSERT INTO audit (at, os_user, command, scope, snapshot, rows, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                now_text(),
                user,
                command,
                fields.get("scope"),
                fields.get("snapshot"),
                fields.get("rows"),
                json.dumps(fields.get("detail"), ensure_ascii=False)
                if fields.get("detail")
                else None,
            ),
        )


def audit_log(ws: Workspace, limit: int) -> pd.DataFrame:
    """The newest ``limit`` audit entries, newest first (detail as stored JSON text)."""
    import pandas as pd

    with closing(connect(ws)) as db:
        return pd.read_sql_query(
            "SELECT at, os_user, command, scope, snapshot, rows, detail FROM audit"
            " ORDER BY id DESC LIMIT ?",
            db,
            params=(limit,),
        )


# --- campaign awards and milestone deliveries ------------------------------------


def record_awards(
    ws: Workspace, campaign: str, rows: pd.DataFrame, snapshot: str
) -> tuple[pd.DataFrame, int]:
    """Award the users in ``rows`` (user_id, run_start, run_end) once each.

    Returns the newly awarded rows and how many were awarded before.
    """
    with closing(connect(ws)) as db:
        before = {
            r[0] for r in db.execute("SELECT user_id FROM awards WHERE campaign = ?", (campaign,))
        }
        fresh = rows[~rows["user_id"].isin(before)]
        stamp = now_text()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR IGNORE INTO awards"
            " (campaign, user_id, awarded_at, run_start, run_end, snapshot)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (campaign, r.user_id, stamp, r.run_start, r.run_end, snapshot)
                for r in fresh.itertuples(index=False)
            ],
        )
        db.execute("COMMIT")
    return fresh, len(before & set(rows["user_id"]))


def awards(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    import pandas as pd

    with closing(connect(ws)) as db:
        query = "SELECT campaign, user_id, awarded_at, run_start, run_end, snapshot FROM awards"
        params: tuple[Any, ...] = ()
        if campaign is not None:
            query += " WHERE campaign = ?"
            params = (campaign,)
        return pd.read_sql_query(query + " ORDER BY campaign, user_id", db, params=params)


def delivered_milestones(ws: Workspace) -> pd.DataFrame:
    import pandas as pd

    with closing(connect(ws)) as db:
        return pd.read_sql_query(
            "SELECT user_id, milestone, role, delivered_at, run_id FROM milestones_delivered", db
        )


def record_milestones_delivered(
    ws: Workspace, rows: list[tuple[str, int, str]], run_id: str
) -> None:
    """Remember (user_id, milestone, role) as delivered, so it is never due again."""
    stamp = now_text()
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT OR IGNORE INTO milestones_delivered"
            " (user_id, milestone, role, delivered_at, run_id) VALUES (?, ?, ?, ?, ?)",
            [(u, int(m), r, stamp, run_id) for u, m, r in rows],
        )
        db.execute("COMMIT")


# --- interview history ----------------------------------------------------------


def record_interview(ws: Workspace, manager_id: str, member_id: str, on: dt.date) -> bool:
    with closing(connect(ws)) as db:
        cursor = db.execute(
            "INSERT OR IGNORE INTO interviews (manager_id, member_id, interviewed_on, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            (manager_id, member_id, on.isoformat(), now_text()),
        )
        return cursor.rowcount > 0


def exclude_from_interviews(ws: Workspace, user_id: str, reason: str) -> bool:
    with closing(connect(ws)) as db:
        cursor = db.execute(
            "INSERT OR REPLACE INTO interview_exclusions (user_id, reason, added_at)"
            " VALUES (?, ?, ?)",
            (user_id, reason, now_text()),
        )
        return cursor.rowcount > 0


def include_in_interviews(ws: Workspace, user_id: str) -> bool:
    with closing(connect(ws)) as db:
        return (
            db.execute("DELETE FROM interview_exclusions WHERE user_id = ?", (user_id,)).rowcount
            > 0
        )


def interview_history(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(interviews done, people excluded)."""
    import pandas as pd

    with closing(connect(ws)) as db:
        done = pd.read_sql_query(
            "SELECT manager_id, member_id, interviewed_on, recorded_at FROM interviews"
            " ORDER BY interviewed_on, manager_id, member_id",
            db,
        )
        excluded = pd.read_sql_query(
            "SELECT user_id, reason, added_at FROM interview_exclusions ORDER BY added_at, user_id",
            db,
        )
    return done, excluded


# --- campaign entries and draws ----------------------------------------------------

DRAW_FIELDS = (
    "campaign",
    "draw_no",
    "drawn_at",
    "drawn_by",
    "algorithm",
    "seed",
    "winners",
    "per_division",
    "entrants",
    "fingerprint",
    "snapshot",
    "as_of",
    "reason",
    "current",
)


def add_entries(ws: Workspace, campaign: str, rows: list[tuple[str, str | None, str]]) -> int:
    """Record (user_id, entered_at, source) entries; a person already entered is kept as is.

    Returns how many were new.
    """
    stamp = now_text()
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO campaign_entries"
            " (campaign, user_id, entered_at, source, recorded_at) VALUES (?, ?, ?, ?, ?)",
            [(campaign, user, entered, source, stamp) for user, entered, source in rows],
        )
        added = db.total_changes - before
        db.execute("COMMIT")
    return added


def campaign_entries(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    import pandas as pd

    with closing(connect(ws)) as db:
        query = "SELECT campaign, user_id, entered_at, source, recorded_at FROM campaign_entries"
        params: tuple[Any, ...] = ()
        if campaign is not None:
            query += " WHERE campaign = ?"
            params = (campaign,)
        return pd.read_sql_query(query + " ORDER BY campaign, user_id", db, params=params)


def record_draw(
    ws: Workspace, draw: dict[str, Any], entrants: list[tuple[str, str, int, bool]]
) -> int:
    """Store a draw (DRAW_FIELDS but draw_no/current) and its entrants
    (user_id, division, position, won) as the campaign's current draw; returns its number.

    Refused when the campaign has a draw already, unless ``draw["reason"]`` says why
    it is drawn again; the earlier draws stay, marked as no longer current.
    """
    campaign = draw["campaign"]
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            last = db.execute(
                "SELECT MAX(draw_no) FROM campaign_draws WHERE campaign = ?", (campaign,)
            ).fetchone()[0]
            if last is not None and not draw.get("reason"):
                raise KopsError(
                    f"campaign '{campaign}' has been drawn already (draw {last})",
                    hint="`kops campaign draw ID --verify` checks it; to draw again, "
                    "give --redraw --reason TEXT (recorded in the audit log)",
                )
            number = (last or 0) + 1
            db.execute("UPDATE campaign_draws SET current = 0 WHERE campaign = ?", (campaign,))
            row = {**draw, "draw_no": number, "current": 1}
            db.execute(
                f"INSERT INTO campaign_draws ({', '.join(DRAW_FIELDS)})"
                f" VALUES ({', '.join('?' for _ in DRAW_FIELDS)})",
                tuple(row.get(name) for name in DRAW_FIELDS),
            )
            db.executemany(
                "INSERT INTO campaign_draw_entrants"
                " (campaign, draw_no, user_id, division, position, won)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(campaign, number, u, d, p, int(w)) for u, d, p, w in entrants],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return number


def campaign_draws(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    """Every draw (current and earlier), oldest first."""
    import pandas as pd

    with closing(connect(ws)) as db:
        query = f"SELECT {', '.join(DRAW_FIELDS)} FROM campaign_draws"
        params: tuple[Any, ...] = ()
        if campaign is not None:
            query += " WHERE campaign = ?"
            params = (campaign,)
        return pd.read_sql_query(query + " ORDER BY campaign, draw_no", db, params=params)


def draw_entrants(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    """The entrants of each campaign's current draw: user_id, division, position, won."""
    import pandas as pd

    with closing(connect(ws)) as db:
        query = (
            "SELECT e.campaign, e.draw_no, e.user_id, e.division, e.position, e.won"
            " FROM campaign_draw_entrants e JOIN campaign_draws d"
            " ON d.campaign = e.campaign AND d.draw_no = e.draw_no WHERE d.current = 1"
        )
        params: tuple[Any, ...] = ()
        if campaign is not None:
            query += " AND e.campaign = ?"
            params = (campaign,)
        frame = pd.read_sql_query(query + " ORDER BY e.campaign, e.position", db, params=params)
    frame["won"] = frame["won"].astype(bool)
    return frame


# --- seminar attendance and survey ------------------------------------------------


def record_seminar_attendance(
    ws: Workspace, seminar_id: str, user_ids: list[str], source: str
) -> None:
    """Replace the seminar's attendance with this file's (ingesting again is safe)."""
    stamp = now_text()
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM seminar_attendance WHERE seminar = ?", (seminar_id,))
        db.executemany(
            "INSERT INTO seminar_attendance (seminar, user_id, source, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            [(seminar_id, u, source, stamp) for u in user_ids],
        )
        db.execute("COMMIT")


def record_seminar_survey(
    ws: Workspace, seminar_id: str, answers: pd.DataFrame, source: str
) -> None:
    """Replace the seminar's survey answers with this file's."""
    import pandas as pd

    stamp = now_text()
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM seminar_survey WHERE seminar = ?", (seminar_id,))
        db.executemany(
            "INSERT INTO seminar_survey"
            " (seminar, row, user_id, satisfaction, interests, free_text, source, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    seminar_id,
                    int(r.row),
                    r.user_id,
                    None if pd.isna(r.satisfaction) else int(r.satisfaction),
                    json.dumps(r.interests, ensure_ascii=False),
                    r.free_text,
                    source,
                    stamp,
                )
                for r in answers.itertuples(index=False)
            ],
        )
        db.execute("COMMIT")


def seminar_attendance(ws: Workspace, seminar_id: str) -> set[str]:
    with closing(connect(ws)) as db:
        return {
            r[0]
            for r in db.execute(
                "SELECT user_id FROM seminar_attendance WHERE seminar = ?", (seminar_id,)
            )
        }


def seminar_survey(ws: Workspace, seminar_id: str) -> pd.DataFrame:
    import pandas as pd

    with closing(connect(ws)) as db:
        frame = pd.read_sql_query(
            "SELECT row, user_id, satisfaction, interests, free_text FROM seminar_survey"
            " WHERE seminar = ? ORDER BY row",
            db,
            params=(seminar_id,),
        )
    frame["interests"] = frame["interests"].map(
        lambda v: json.loads(v) if isinstance(v, str) else []
    )
    return frame


def stored_survey_answers(ws: Workspace) -> pd.DataFrame:
    """Every seminar's stored free-text answers with the day each survey was recorded."""
    import pandas as pd

    with closing(connect(ws)) as db:
        return pd.read_sql_query(
            "SELECT seminar, row, free_text, recorded_at FROM seminar_survey ORDER BY seminar, row",
            db,
        )

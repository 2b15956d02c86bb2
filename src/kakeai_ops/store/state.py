"""The workspace state database: its schema, the connection and the audit log."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

from ..errors import KopsError, WorkspaceError
from ..i18n import _
from ..workspace import Workspace
from .lock import lock_timeout

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
    # version 7: every figure published for a snapshot (store/published.py), created with
    # the rest so that reading it never writes to the database
    """
    CREATE TABLE IF NOT EXISTS published (
        snapshot TEXT NOT NULL,
        period TEXT NOT NULL,
        node TEXT NOT NULL,
        shown TEXT NOT NULL,
        audience TEXT NOT NULL,
        file TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # version 8: what each published figure is (store/published.py), so that a later
    # report is audited with the figures of every period whose days it shares
    """
    ALTER TABLE published ADD COLUMN first_day TEXT NOT NULL DEFAULT '';
    ALTER TABLE published ADD COLUMN last_day TEXT NOT NULL DEFAULT '';
    ALTER TABLE published ADD COLUMN figure TEXT NOT NULL DEFAULT '';
    CREATE INDEX IF NOT EXISTS published_days ON published (last_day, first_day);
    """,
]


# Version 9: what kops added to a database when it first needed it, before it was part of
# the schema: the columns binding a run id to its plan (mail/binding.py), a deferred row's
# first sendable day, the person a suppression belongs to, the files an audit entry names,
# and the bounce notices read (`kops mail bounces`). A database may hold any of them
# already, and SQLite has no ADD COLUMN IF NOT EXISTS: added in Python (_add_later_parts),
# once, after which every connection only reads the version.
LATER_COLUMNS = {
    "mail_runs": ("binding", "plan_hash"),
    "mail_ledger": ("not_before",),
    "suppression": ("user_id",),
    "audit": ("files",),
}
BOUNCES_TABLE = (
    """CREATE TABLE IF NOT EXISTS mail_bounces (
    notice TEXT NOT NULL,
    recipient TEXT NOT NULL,
    run_id TEXT NOT NULL,
    item TEXT NOT NULL,
    email TEXT NOT NULL,
    permanent INTEGER NOT NULL,
    status TEXT NOT NULL,
    diagnostic TEXT NOT NULL,
    source TEXT NOT NULL,
    bounced_at TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (notice, recipient)
)""",
    "CREATE INDEX IF NOT EXISTS mail_bounces_email ON mail_bounces (email, permanent)",
)
LATEST = len(SCHEMA) + 1


# The shortest wait for a database another program holds (KOPS_LOCK_TIMEOUT=0 included):
# kops's own writers take turns by the workspace lock, so this is only for others.
MIN_WAIT = 0.5

# The database this process opened last: a damage found later, in any query, names it.
_opened: list[Workspace] = []


def connect(ws: Workspace) -> sqlite3.Connection:
    """The state database, created or upgraded to the current schema."""
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    _opened[:] = [ws]
    _refuse_emptied(ws)
    try:
        # While another program holds the file (a database viewer with unsaved changes, a
        # backup), wait as long as for the workspace (KOPS_LOCK_TIMEOUT), half a second at least.
        wait = max(lock_timeout(), MIN_WAIT)
        connection = sqlite3.connect(ws.db_path, timeout=wait, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(SCHEMA[version:], start=version + 1):
            connection.executescript(f"BEGIN; {script} PRAGMA user_version={number}; COMMIT;")
        if version < LATEST:
            _add_later_parts(connection)
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise
        if isinstance(error, sqlite3.OperationalError) and not _writable(ws):
            # Not a damage: the way back for one (copying a snapshot's export over the
            # database) would lose the records for nothing.
            raise unwritable_state(ws) from None
        raise damaged_database(ws, error) from None
    return connection


def _add_later_parts(connection: sqlite3.Connection) -> None:
    """Version 9 (see LATER_COLUMNS), in one write transaction: of two kops upgrading the
    same database at once, the second waits, finds the version moved on and adds nothing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] < LATEST:
            for table, wanted in LATER_COLUMNS.items():
                present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
                for column in wanted:
                    if column not in present:
                        connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
            for statement in BOUNCES_TABLE:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version={LATEST}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _refuse_emptied(ws: Workspace) -> None:
    """A database emptied to 0 bytes (a sync tool, a full disk) where snapshots say one
    was written: SQLite would take it for a new one and every record would be gone in
    silence (the suppression list among them). Named as damaged, with the way back."""
    from .integrity import Reason

    lost = database_lost(ws)
    if lost is not None:
        raise damaged_database(ws, Reason(lost)) from None


def database_lost(ws: Workspace) -> str | None:
    """Why the state database is gone where snapshots say one was written (emptied to 0
    bytes, deleted, a folder in its place), or None. SQLite would make a new one, and the
    suppression list and every send's record would be gone without a word: the people on
    it could be mailed again."""
    # The file first (one stat, every command opens the database); the snapshots folder
    # is listed only for a database that looks gone.
    if ws.db_path.is_dir():
        why = _("a folder in place of the file")
    elif not ws.db_path.exists():
        why = _("file is missing")
    elif ws.db_path.stat().st_size == 0:
        why = _("file is empty")
    else:
        return None
    snapshots = ws.snapshots_dir
    written = snapshots.is_dir() and any(p.name.isdigit() for p in snapshots.iterdir())
    return why if written else None


def _writable(ws: Workspace) -> bool:
    """Whether kops can write the database and, beside it, SQLite's journal."""
    files = [ws.state_dir, *(p for p in (ws.db_path,) if p.exists())]
    return all(os.access(path, os.W_OK) for path in files)


def unwritable_state(ws: Workspace) -> WorkspaceError:
    return WorkspaceError(
        _(
            "the state database {path} cannot be opened: kops cannot write in {folder} "
            "(a read-only drive or share, or no permission)"
        ).format(path=ws.db_path, folder=ws.state_dir),
        hint=_(
            "kops writes there even to read (SQLite keeps its journal beside the database): "
            "make the folder writable, or copy the workspace to a folder you can write to"
        ),
    )


def insert_new(ws: Workspace, insert: str, rows: list[tuple[Any, ...]]) -> int:
    """Insert ``rows`` with ``insert`` (INSERT OR IGNORE …) in one transaction; returns how
    many were new (a row already there is kept as it is)."""
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        before = db.total_changes
        db.executemany(insert, rows)
        added = db.total_changes - before
        db.execute("COMMIT")
    return added


def read_frame(
    db: sqlite3.Connection,
    select: str,
    tail: str,
    column: str = "",
    value: Any | None = None,
    where: str = "",
) -> pd.DataFrame:
    """The rows of ``select`` (SELECT … FROM …) as a frame: those where ``where`` holds and,
    unless ``value`` is None, ``column`` equals ``value``; ``tail`` follows (ORDER BY …)."""
    import pandas as pd

    conditions = [where] if where else []
    params: tuple[Any, ...] = ()
    if value is not None:
        conditions.append(f"{column} = ?")
        params = (value,)
    if conditions:
        select += " WHERE " + " AND ".join(conditions)
    return pd.read_sql_query(f"{select} {tail}", db, params=params)


def state_damage(error: BaseException) -> KopsError | None:
    """The error to show for a SQLite error met anywhere: the damaged file named, or the
    database held by another program (locked or busy past the wait); None for others."""
    if isinstance(error, sqlite3.OperationalError) and _opened:
        said = str(error).lower()
        if "locked" in said or "busy" in said:
            return WorkspaceError(
                _(
                    "the state database {path} is in use by another program (a database "
                    "viewer, a backup or sync tool?): kops waited {wait:g} s"
                ).format(path=_opened[0].db_path, wait=max(lock_timeout(), MIN_WAIT)),
                hint=_(
                    "close the program that has it open, or wait for it to finish, then run "
                    "the command again (nothing was changed)"
                ),
            )
    if not isinstance(error, sqlite3.DatabaseError) or isinstance(error, sqlite3.OperationalError):
        return None
    named = damaged_database(None, error)
    return named if isinstance(named, KopsError) else None


def damaged_database(ws: Workspace | None, error: Exception) -> Exception:
    """The error to show for a state database SQLite can't read: the file named, and the
    newest snapshot's export of it (whose hash checks out) as the way back."""
    from .integrity import EXPORT_NAME, DamagedFile, damage_reason, database_way_back, verify

    ws = ws or (_opened[0] if _opened else None)
    if ws is None:
        return error
    export = None
    if ws.snapshots_dir.is_dir():
        import json

        for entry in sorted(ws.snapshots_dir.iterdir(), reverse=True):
            try:
                manifest = json.loads((entry / "manifest.json").read_text("utf-8"))
                verify(entry / EXPORT_NAME, manifest["checksums"][EXPORT_NAME], "")
            except Exception:  # no export there, or a damaged one: try the one before
                continue
            export = entry / EXPORT_NAME
            break
    return DamagedFile(ws.db_path, damage_reason(error), database_way_back(ws.db_path, export))


def os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


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

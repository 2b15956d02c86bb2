"""Files that prove themselves: each snapshot's manifest records the size and SHA-256
of its tables and of the state database's export taken with it.

Hashing happens once, when a snapshot is written; a command checks a file's size and
hash the first time it reads it (a flipped bit in users.parquet would otherwise load
as another colleague's address). A damaged file is named with the way back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from ..errors import KopsError
from ..i18n import N_, _, language, ngettext

EXPORT_NAME = "kops.db"  # the state database as it was when the snapshot was taken


class DamagedFile(KopsError):
    """A workspace file that is not what kops wrote; ``why`` is said in the reader's
    language (:func:`damage_reason` for an exception a library raised)."""

    def __init__(self, path: Path, why: str, way_back: str) -> None:
        super().__init__(
            _("This file is damaged: {path}. {way_back}").format(path=path, way_back=way_back),
            hint=_("({why}) `kops status --check` checks every file of the workspace").format(
                why=why
            ),
        )
        self.path = path


class Reason(ValueError):
    """Why a file is damaged, already said in the reader's language (raised where the
    damage is found, so that :func:`damage_reason` passes it on as it is)."""


# What SQLite says of a damaged file, and how kops says it (the library's English stays
# out of a Japanese line; anything else SQLite says is named by kind, the text in English
# mode only).
_SQLITE = (
    ("file is not a database", N_("SQLite does not recognise it as a database")),
    ("database disk image is malformed", N_("SQLite finds its contents malformed")),
    ("malformed database schema", N_("SQLite finds its table definitions malformed")),
    ("disk i/o error", N_("the disk could not read it (an I/O error)")),
    ("unable to open database file", N_("it cannot be opened (missing, or no permission)")),
    ("no such table", N_("a table kops keeps there is missing")),
    ("no such column", N_("a column kops keeps there is missing")),
)


def damage_reason(error: BaseException) -> str:
    """Why a file could not be read, from the exception a library raised, in the reader's
    language: the library's own words only in English (they are English)."""
    import json
    import sqlite3

    if isinstance(error, Reason):
        return str(error)
    text = str(error)
    if isinstance(error, sqlite3.DatabaseError):
        lowered = text.lower()
        for said, reason in _SQLITE:
            if said in lowered:
                return _(reason)
        return _with_detail(_("SQLite cannot read it"), text)
    if isinstance(error, json.JSONDecodeError):
        return _("not readable as JSON (line {line}, column {column})").format(
            line=error.lineno, column=error.colno
        )
    if isinstance(error, UnicodeDecodeError):
        return _("not UTF-8 text (byte {offset:,})").format(offset=error.start)
    if isinstance(error, FileNotFoundError):
        return _("the file is missing")
    if isinstance(error, PermissionError):
        return _("no permission to read it")
    if isinstance(error, OSError):
        return _with_detail(_("the file could not be read"), error.strerror or text)
    return _with_detail(_("not readable as the file kops wrote"), f"{type(error).__name__}: {text}")


def _with_detail(said: str, detail: str) -> str:
    """``said``, and the library's English detail when the reader reads English."""
    return f"{said}: {detail}" if language() == "en" and detail else said


def snapshot_way_back(snapshot_dir: Path) -> str:
    return _(
        "To go back to the snapshot before, move the folder {folder} out of the workspace "
        "and run `kops status --check` (with the original exports, `kops ingest` makes it "
        "again)"
    ).format(folder=snapshot_dir)


def database_way_back(db_path: Path, export: Path | None) -> str:
    if export is None:
        return _(
            "To go back, move {database} elsewhere (kops starts a new database with no records)"
        ).format(database=db_path)
    return _(
        "To go back to the newest snapshot, copy {export} to {database} (mail records and "
        "the like since that snapshot are lost)"
    ).format(export=export, database=db_path)


def file_digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


# Files checked by this process: (path, size, mtime) → their hash matched.
_checked: set[tuple[str, int, int]] = set()


def verify(path: Path, recorded: dict[str, Any] | None, way_back: str) -> None:
    """Refuse a file whose size or SHA-256 differs from what its manifest recorded."""
    try:
        stat = path.stat()
    except OSError:
        raise DamagedFile(path, _("the file is missing"), way_back) from None
    if recorded is None:
        return  # a snapshot written before hashes were recorded: reading it will tell
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _checked:
        return
    if stat.st_size != recorded.get("bytes"):
        size = _("{size:,} bytes, {recorded:,} when written").format(
            size=stat.st_size, recorded=recorded.get("bytes")
        )
        raise DamagedFile(path, size, way_back)
    if file_digest(path)["sha256"] != recorded.get("sha256"):
        raise DamagedFile(path, _("its SHA-256 is not the one recorded when written"), way_back)
    _checked.add(key)


def export_database(db_path: Path, target: Path) -> None:
    """A consistent copy of the state database (SQLite's backup), for the way back."""
    source = sqlite3.connect(db_path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def database_problem(db_path: Path) -> str | None:
    """What is wrong with the database file, in the reader's language (SQLite's own words
    in English mode), or None when SQLite's integrity check finds nothing."""
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return damage_reason(error)
    result = [str(row[0]) for row in rows]
    if result == ["ok"]:
        return None
    return _with_detail(
        ngettext(
            "SQLite's integrity check finds {n} problem",
            "SQLite's integrity check finds {n} problems",
            len(result),
        ).format(n=len(result)),
        "; ".join(result[:3]),
    )

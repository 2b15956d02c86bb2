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
from ..i18n import _

EXPORT_NAME = "kops.db"  # the state database as it was when the snapshot was taken


class DamagedFile(KopsError):
    """A workspace file that is not what kops wrote."""

    def __init__(self, path: Path, why: str, way_back: str) -> None:
        super().__init__(
            f"このファイルが壊れています: {path}。{way_back}",
            hint=_("({why}) `kops status --check` checks every file of the workspace").format(
                why=why
            ),
        )
        self.path = path


def snapshot_way_back(snapshot_dir: Path) -> str:
    return (
        f"直前のスナップショットに戻すには、フォルダ {snapshot_dir} をワークスペースの外へ"
        "移してから `kops status --check` を実行してください（元のエクスポートがあれば "
        "`kops ingest` で作り直せます）"
    )


def database_way_back(db_path: Path, export: Path | None) -> str:
    if export is None:
        return (
            f"直前のスナップショットに戻すには、{db_path} を別の場所へ移してください"
            "（記録のない新しいデータベースで始まります）"
        )
    return (
        f"直前のスナップショットに戻すには、{export} を {db_path} にコピーしてください"
        "（そのスナップショット以後のメール記録などは失われます）"
    )


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
    """What SQLite says is wrong with the database file, or None when it checks out."""
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return str(error)
    result = [str(row[0]) for row in rows]
    return None if result == ["ok"] else "; ".join(result[:3])

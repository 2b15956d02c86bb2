"""Seminar attendance and survey answers, replaced whole on each import of a file."""

from __future__ import annotations

import json
from contextlib import closing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

from ..clock import now_text
from ..model import missing, whole
from ..workspace import Workspace
from .state import connect


def record_seminar_attendance(
    ws: Workspace, seminar_id: str, user_ids: list[str], source: str
) -> None:
    """Replace the seminar's attendance with this file's (ingesting again is safe)."""
    stamp = now_text()
    _replace_rows(
        ws,
        seminar_id,
        "seminar_attendance",
        "INSERT INTO seminar_attendance (seminar, user_id, source, recorded_at)"
        " VALUES (?, ?, ?, ?)",
        [(seminar_id, u, source, stamp) for u in user_ids],
    )


def record_seminar_survey(
    ws: Workspace, seminar_id: str, answers: pd.DataFrame, source: str
) -> None:
    """Replace the seminar's survey answers with this file's."""

    stamp = now_text()
    _replace_rows(
        ws,
        seminar_id,
        "seminar_survey",
        "INSERT INTO seminar_survey"
        " (seminar, row, user_id, satisfaction, interests, free_text, source, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                seminar_id,
                whole(r.row),
                r.user_id,
                None if missing(r.satisfaction) else whole(r.satisfaction),
                json.dumps(r.interests, ensure_ascii=False),
                r.free_text,
                source,
                stamp,
            )
            for r in answers.itertuples(index=False)
        ],
    )


def _replace_rows(
    ws: Workspace, seminar_id: str, table: str, insert: str, rows: list[tuple[Any, ...]]
) -> None:
    """The seminar's rows in ``table`` replaced by ``rows`` in one transaction."""
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"DELETE FROM {table} WHERE seminar = ?", (seminar_id,))
        db.executemany(insert, rows)
        db.execute("COMMIT")


def seminar_attendance(ws: Workspace, seminar_id: str) -> set[str]:
    with closing(connect(ws)) as db:
        return {
            r[0]
            for r in db.execute(
                "SELECT user_id FROM seminar_attendance WHERE seminar = ?", (seminar_id,)
            )
        }


def seminar_attendance_record(ws: Workspace, seminar_id: str) -> tuple[set[str], str | None]:
    """The people recorded as attending and the file they came from (None: nothing yet)."""
    with closing(connect(ws)) as db:
        rows = db.execute(
            "SELECT user_id, source FROM seminar_attendance WHERE seminar = ?", (seminar_id,)
        ).fetchall()
    return {r[0] for r in rows}, (rows[0][1] if rows else None)


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

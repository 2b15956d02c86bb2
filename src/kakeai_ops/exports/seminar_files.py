"""Seminar attendance lists and survey exports: who attended, and what they answered.

Read as every small file that names people is (``user_files``): CSV or XLSX in any
encoding kops reads, columns found by header, problems named by file, row and column.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..config import Settings
from ..errors import InputError, Phrase, Problem
from ..i18n import N_, _
from . import normalise
from .decoding import ReadFailure
from .findings import Findings
from .reading import read_headers
from .tables import recognise
from .user_files import (
    EMAIL_HEADERS,
    check_emails_agree,
    check_free_text,
    identify_users,
    read_user_file,
)

EXPORT_NAMES = {
    "users": N_("KAKEAI's users export"),
    "pairs": N_("KAKEAI's pairs export"),
    "meetings": N_("KAKEAI's 1on1 export"),
}


# Columns only the users export has (the account's state): 在籍状況, 最終ログイン日時, 登録日.
USERS_EXPORT_OWN = {"employment", "last_login_at", "created_at"}


def _not_an_export(path: Path, settings: Settings, what: str) -> None:
    """A usage export given as a seminar's list is refused: the users export read as an
    attendance list recorded all 252 users as attending (「招待外の参加 225人」)."""
    try:
        headers, _row = read_headers(path)
    except ReadFailure:
        return  # said by the reading that follows
    found = recognise(headers, settings.exports)
    table = found.table
    # A list of who attended has a ユーザーID (the users export's one key), and may have a
    # name, an email, a 事業部 or 部署: the export's own columns are its account's.
    if table is None or (table == "users" and not USERS_EXPORT_OWN & set(found.columns)):
        return
    raise InputError(
        [
            Problem(
                path.name,
                1,
                None,
                Phrase(
                    N_("this is {export}, not {what}"),
                    export=_(EXPORT_NAMES[table]),
                    what=_(what),
                ),
            )
        ],
        hint=_("give the file of the seminar's own (`kops ingest` reads the usage exports)"),
    )


def read_attendance(path: Path, settings: Settings, users: pd.DataFrame) -> list[tuple[int, str]]:
    """(file row, user id) of every row, repeats included: the caller counts and drops them."""
    _not_an_export(path, settings, N_("a seminar's attendance list"))
    findings = Findings()
    wanted = {"user": settings.seminar_survey.attendance_user, "email": EMAIL_HEADERS}
    read = read_user_file(path, wanted, ["user"], findings)
    found: list[tuple[int, str]] = []
    if read is not None:
        frame, columns, rows = read
        ids = identify_users(
            frame[columns["user"]], columns["user"], users, path.name, rows, findings
        )
        check_emails_agree(frame, columns, ids, users, path.name, rows, findings)
        found = [
            (int(rows.loc[index]), user)
            for index, user in zip(frame.index, ids, strict=True)
            if user
        ]
    if findings.failed:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint=_("fix the file and run again")
        )
    return found


def read_survey(path: Path, settings: Settings, users: pd.DataFrame) -> pd.DataFrame:
    """One row per answer: row, user_id, satisfaction, interests (list), free_text (as written)."""
    _not_an_export(path, settings, N_("a seminar's survey"))
    config = settings.seminar_survey
    headers = config.headers
    findings = Findings()
    wanted = {
        "user": headers.user,
        "satisfaction": headers.satisfaction,
        "interests": headers.interests,
        "free_text": headers.free_text,
        "email": EMAIL_HEADERS,
    }
    read = read_user_file(
        path, wanted, ["user", "satisfaction", "interests", "free_text"], findings
    )
    if read is None:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint=_("fix the file and run again")
        )
    frame, columns, rows = read
    ids = identify_users(frame[columns["user"]], columns["user"], users, path.name, rows, findings)
    check_emails_agree(frame, columns, ids, users, path.name, rows, findings)
    scale = config.satisfaction_scale
    raw_scores = frame[columns["satisfaction"]]
    scores, bad = normalise.parse_ints(raw_scores, scale.min, scale.max)
    findings.rows(
        path.name,
        bad,
        rows,
        columns["satisfaction"],
        _("not a whole number from {low} to {high}").format(low=scale.min, high=scale.max),
        raw_scores,
        kind="score",
    )
    for field in ("interests", "free_text"):
        check_free_text(frame[columns[field]], path.name, rows, columns[field], findings)
    if findings.failed:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint=_("fix the file and run again")
        )
    # Each choice as its width-folded form (NFKC): 「ﾒﾓの活用」 typed or pasted half-width
    # was ranked as a theme of its own beside メモの活用. A choice named twice counts once.
    interests = [
        list(
            dict.fromkeys(
                unicodedata.normalize("NFKC", part).strip()
                for part in re.split(r"[;；、,，/／\n]", str(value))
                if part.strip()
            )
        )
        for value in frame[columns["interests"]]
    ]
    return pd.DataFrame(
        {
            "row": [int(rows.loc[i]) for i in frame.index],
            "user_id": ids,
            "satisfaction": scores.astype("Int64"),
            "interests": interests,
            "free_text": [str(v).strip() for v in frame[columns["free_text"]]],
        }
    )

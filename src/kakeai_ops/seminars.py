"""The monthly seminar series: who each theme invites, attendance and survey files,
and the summary (rules.md §1's seminar months; support plan part B)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .analyses import segment as seg
from .analyses.names import NameMatcher
from .config import Seminar, Settings
from .errors import InputError, KopsError
from .exports import normalise as nz
from .exports.findings import Findings
from .exports.user_files import identify_users as _identify
from .exports.user_files import read_user_file as _read
from .mail.audience import AudienceSpec
from .store import connect, now_text
from .survey_text import group_answers as group_answers  # where callers have found it
from .survey_text import summarise_free_text
from .workspace import Workspace

# Which stuck points each month of the series helps with (rules.md §1).
THEME_STUCK_POINTS: dict[int, tuple[str, ...]] = {
    1: ("not_activated", "no_pair", "no_1on1", "no_rating"),
    2: ("no_prep",),
    3: ("no_recurrence",),
    4: (),
}
MANAGER_THEMES = {4}


def seminar(settings: Settings, seminar_id: str) -> Seminar:
    if seminar_id not in settings.seminars:
        raise KopsError(
            f"no seminar '{seminar_id}' in kops.yaml",
            hint="seminars: " + ", ".join(settings.seminars) + " (`kops seminar list`)",
        )
    return settings.seminars[seminar_id]


def invite_spec(seminar_id: str, config: Seminar, division: str | None = None) -> AudienceSpec:
    """The audience a theme resolves: its stuck points, and for Month4 every manager."""
    if isinstance(config.month, int):
        segments = THEME_STUCK_POINTS[config.month]
        managers = config.month in MANAGER_THEMES
        template = config.template or f"seminar.month{config.month}"
    else:
        if not config.stuck_points and not config.managers:
            raise KopsError(
                f"seminars.{seminar_id}: a custom theme needs stuck_points or managers: true",
                hint="e.g. stuck_points: [no_prep, no_rating]",
            )
        if not config.template:
            raise KopsError(f"seminars.{seminar_id}: a custom theme needs a template")
        segments, managers, template = (
            tuple(config.stuck_points or ()),
            config.managers,
            config.template,
        )
    return AudienceSpec(
        segments=segments,
        managers=managers,
        template=template,
        seminar=seminar_id,
        division=division,
    )


def invite_run_id(seminar_id: str, config: Seminar) -> str:
    return f"{invite_spec(seminar_id, config).template}-{seminar_id}"


def listed_spec(seminar_id: str, config: Seminar) -> AudienceSpec | None:
    """The audience `kops seminar list` shows: None for a custom theme not set up yet."""
    numbered = isinstance(config.month, int)
    if (numbered or config.stuck_points or config.managers) and (numbered or config.template):
        return invite_spec(seminar_id, config)
    return None


def check_remind_ready(seminar_id: str, config: Seminar, today: dt.date) -> None:
    """A recording goes out after the seminar's day, and only once its link is known."""
    if config.date is None:
        raise KopsError(
            f"seminars.{seminar_id}.date is not set", hint="set the seminar's date in kops.yaml"
        )
    day = config.date.date() if isinstance(config.date, dt.datetime) else config.date
    if today <= day:
        raise KopsError(
            f"the seminar is on {day}: remind after it",
            hint="run this the day after the seminar or later",
        )
    if not config.recording_url:
        raise KopsError(
            f"seminars.{seminar_id}.recording_url is not set",
            hint="add the recording's link to kops.yaml",
        )


def absentees(seminar_id: str, invited: pd.DataFrame, attended: set[str]) -> tuple[str, ...]:
    """Those invited through kops who did not attend, in invitation order."""
    if invited.empty:
        raise KopsError(
            f"nobody was invited to {seminar_id} through kops",
            hint=f"`kops seminar invite {seminar_id}` first",
        )
    return tuple(user for user in invited["user_id"] if user not in attended)


def recording_spec(seminar_id: str, absent: tuple[str, ...]) -> AudienceSpec:
    return AudienceSpec(user_ids=absent, template="seminar.recording", seminar=seminar_id)


# --- attendance and survey files ------------------------------------------------


def read_attendance(path: Path, settings: Settings, users: pd.DataFrame) -> list[str]:
    findings = Findings()
    read = _read(path, {"user": settings.seminar_survey.attendance_user}, ["user"], findings)
    ids: list[str | None] = []
    if read is not None:
        frame, columns, rows = read
        ids = _identify(frame[columns["user"]], columns["user"], users, path.name, rows, findings)
    if findings.failed:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint="fix the file and run again"
        )
    return list(dict.fromkeys(i for i in ids if i))


def read_survey(path: Path, settings: Settings, users: pd.DataFrame) -> pd.DataFrame:
    """One row per answer: row, user_id, satisfaction, interests (list), free_text (as written)."""
    config = settings.seminar_survey
    headers = config.headers
    findings = Findings()
    wanted = {
        "user": headers.user,
        "satisfaction": headers.satisfaction,
        "interests": headers.interests,
        "free_text": headers.free_text,
    }
    read = _read(path, wanted, ["user", "satisfaction", "interests", "free_text"], findings)
    if read is None:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint="fix the file and run again"
        )
    frame, columns, rows = read
    ids = _identify(frame[columns["user"]], columns["user"], users, path.name, rows, findings)
    scale = config.satisfaction_scale
    raw_scores = frame[columns["satisfaction"]]
    scores, bad = nz.parse_ints(raw_scores, scale.min, scale.max)
    findings.rows(
        path.name,
        bad,
        rows,
        columns["satisfaction"],
        f"not a whole number from {scale.min} to {scale.max}",
        raw_scores,
        kind="score",
    )
    if findings.failed:
        raise InputError(
            findings.sorted_problems(), total=findings.total, hint="fix the file and run again"
        )
    interests = [
        [part.strip() for part in re.split(r"[;；、,，/／\n]", str(value)) if part.strip()]
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


def store_attendance(ws: Workspace, seminar_id: str, user_ids: list[str], source: str) -> None:
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


def store_survey(ws: Workspace, seminar_id: str, answers: pd.DataFrame, source: str) -> None:
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


def attendance(ws: Workspace, seminar_id: str) -> set[str]:
    with closing(connect(ws)) as db:
        return {
            r[0]
            for r in db.execute(
                "SELECT user_id FROM seminar_attendance WHERE seminar = ?", (seminar_id,)
            )
        }


def survey(ws: Workspace, seminar_id: str) -> pd.DataFrame:
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


# --- summary ------------------------------------------------------------------------


@dataclass
class Summary:
    by_stuck_point: pd.DataFrame
    by_division: pd.DataFrame
    satisfaction: pd.DataFrame
    interests: pd.DataFrame
    free_text: pd.DataFrame  # per keyword group: answers (or <min_group), examples
    themes: pd.DataFrame  # emerging themes (survey_text.THEME_COLUMNS)
    movement: pd.DataFrame | None
    invited: int
    attended: int
    answers: int


def summarise(
    invited: pd.DataFrame,  # user_id, stuck_point (at the invitation)
    attended: set[str],
    answers: pd.DataFrame,
    users: pd.DataFrame,
    settings: Settings,
    later: pd.DataFrame | None,  # segment result of a later snapshot, or None
) -> Summary:
    invited = invited.copy()
    invited["attended"] = invited["user_id"].isin(attended)
    invited = invited.merge(users[["user_id", "division"]], on="user_id", how="left")

    def table(by: str) -> pd.DataFrame:
        grouped = invited.groupby(by, sort=True)
        frame = pd.DataFrame({"invited": grouped.size(), "attended": grouped["attended"].sum()})
        frame["rate"] = frame["attended"] / frame["invited"]
        return frame.reset_index()

    by_stuck = table("stuck_point")
    by_stuck["label"] = by_stuck["stuck_point"].map(
        lambda k: seg.BY_KEY[k].label if k in seg.BY_KEY else k
    )
    scores = answers["satisfaction"].dropna().astype(int)
    satisfaction = (
        scores.value_counts().sort_index().rename_axis("score").reset_index(name="answers")
    )
    counts: Counter[str] = Counter(t for chosen in answers["interests"] for t in chosen)
    interests = pd.DataFrame(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["interest", "answers"]
    )
    free_text = summarise_free_text(
        list(answers["free_text"]), settings, NameMatcher(users["name"])
    )
    movement = None
    if later is not None:
        now = later.set_index("user_id")["stuck_point"]
        rows = []
        for attended_flag, label in ((True, "attended"), (False, "invited, did not attend")):
            part = invited[invited["attended"] == attended_flag]
            present = part[part["user_id"].isin(now.index)]
            before = present["stuck_point"].map(seg.ORDER)
            after = present["user_id"].map(now).map(seg.ORDER)
            moved = int((after > before).sum())
            rows.append(
                {
                    "group": label,
                    "users": len(part),
                    "in_snapshot": len(present),
                    "moved_on": moved,
                    "share_moved_on": moved / len(present) if len(present) else None,
                }
            )
        movement = pd.DataFrame(rows)
    return Summary(
        by_stuck,
        table("division"),
        satisfaction,
        interests,
        free_text.groups,
        free_text.themes,
        movement,
        invited=len(invited),
        attended=int(invited["attended"].sum()),
        answers=len(answers),
    )

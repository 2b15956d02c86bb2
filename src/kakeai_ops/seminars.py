"""The monthly seminar series: who each theme invites and reminds, and when
(rules.md §1's seminar months; support plan part B).

Attendance and survey files are read by ``exports.seminar_files``, stored by ``store``,
summarised by ``analyses.seminar_summary``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .config import Seminar, Settings, configured
from .errors import KopsError
from .exports.seminar_files import read_attendance, read_survey
from .mail.audience import AudienceSpec
from .store import file_entry, record_action, record_seminar_attendance, record_seminar_survey
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
    return configured(
        settings.seminars,
        seminar_id,
        "seminar",
        hint="add it under `seminars:` in kops.yaml; `kops seminar list` shows them",
    )


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


def import_attendance(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    path: Path,
    snapshot_id: str,
    users: pd.DataFrame,
) -> int:
    """Replace the seminar's attendance with the list in ``path`` (all or nothing), audited;
    returns how many attended."""
    ids = read_attendance(path, settings, users)
    record_seminar_attendance(ws, seminar_id, ids, path.name)
    record_action(
        ws,
        "seminar attendance",
        target=seminar_id,
        count=len(ids),
        files=[file_entry(path)],
        snapshot=snapshot_id,
    )
    return len(ids)


def import_survey(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    path: Path,
    snapshot_id: str,
    users: pd.DataFrame,
) -> int:
    """Replace the seminar's survey answers with the export in ``path`` (all or nothing),
    audited; returns how many answers."""
    answers = read_survey(path, settings, users)
    record_seminar_survey(ws, seminar_id, answers, path.name)
    record_action(
        ws,
        "seminar survey",
        target=seminar_id,
        count=len(answers),
        files=[file_entry(path)],
        snapshot=snapshot_id,
    )
    return len(answers)

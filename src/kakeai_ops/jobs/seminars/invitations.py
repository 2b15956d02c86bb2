"""The monthly seminar series: who each theme invites and reminds, and when
(rules.md §1's seminar months; support plan part B).

Attendance and survey files are read by ``exports.seminar_files``, stored by ``store``,
summarised by ``analyses.seminar_summary``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...clock import JST, now
from ...config import Seminar, Settings, configured
from ...errors import KopsError
from ...exports.seminar_files import read_attendance, read_survey
from ...i18n import N_, _
from ...mail.audience import AudienceSpec
from ...mail.audience_kinds import Listed, Theme
from ...store import (
    file_entry,
    record_action,
    record_seminar_attendance,
    record_seminar_survey,
    seminar_attendance_record,
    seminar_survey,
)
from ...store.ledger import Ledger
from ...workspace import Workspace

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
        N_("seminar"),
        hint=_("add it under `seminars:` in kops.yaml; `kops seminar list` shows them"),
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
                _("seminars.{seminar}: a custom theme needs stuck_points or managers: true").format(
                    seminar=seminar_id
                ),
                hint=_("e.g. {example}").format(example="stuck_points: [no_prep, no_rating]"),
            )
        if not config.template:
            raise KopsError(
                _("seminars.{seminar}: a custom theme needs a template").format(seminar=seminar_id)
            )
        segments, managers, template = (
            tuple(config.stuck_points or ()),
            config.managers,
            config.template,
        )
    return AudienceSpec(
        Theme(segments, managers),
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


def _missing_hint(seminar: str, missing: list[str]) -> str:
    """Every key to set, and --tbd only where it helps: it stands for a date, not a link."""
    keys = _(" and ").join(f"seminars.{seminar}.{key}" for key in missing)
    if "date" not in missing:
        return _("set {keys} in kops.yaml (the invitation's link)").format(keys=keys)
    return _(
        "set {keys} in kops.yaml, or pass --tbd to invite now (「日時は後日ご案内」) and "
        "send the date later with {command}"
    ).format(keys=keys, command=f"`kops seminar invite {seminar} --correction`")


def seminar_over(config: Seminar, moment: dt.datetime) -> bool:
    """Whether the seminar has begun (a date and time) or its day has passed (a date): no
    invitation goes out after that."""
    held = config.date
    if held is None:
        return False
    if isinstance(held, dt.datetime):
        return moment > (held if held.tzinfo else held.replace(tzinfo=moment.tzinfo))
    return moment.date() > held


def check_invite_ready(
    seminar_id: str, config: Seminar, moment: dt.datetime, tbd: bool, what: str = N_("invitation")
) -> None:
    """An invitation names the seminar's date and link (or says, with ``tbd``, that the date
    follows), and goes out before the seminar, never after it."""
    if tbd and config.date is not None:
        raise KopsError(
            _("seminars.{seminar}: --tbd, but the date is set ({date}); nothing was sent").format(
                seminar=seminar_id, date=config.date
            ),
            hint=_("drop --tbd: the {what} names the date").format(what=_(what)),
        )
    missing = [key for key in ("date", "url") if getattr(config, key) is None]
    if missing and not tbd:
        raise KopsError(
            _("seminars.{seminar}: {keys} not set; nothing was sent").format(
                seminar=seminar_id, keys=_(" and ").join(missing)
            ),
            hint=_missing_hint(seminar_id, missing),
        )
    if seminar_over(config, moment):
        held = config.date
        raise KopsError(
            _(
                "seminars.{seminar}: its date in kops.yaml ({held}) has passed; an {what} "
                "after it is not sent; nothing was sent"
            ).format(
                seminar=seminar_id,
                # To the minute, as the invitation says it (not 「12:15:00」).
                held=f"{held:%Y-%m-%d %H:%M}" if isinstance(held, dt.datetime) else held,
                what=_(what),
            ),
            # The date may be a typo (2026-11-10 for 2026-12-10): said before the recording.
            hint=_(
                "if the date is wrong, correct seminars.{seminar}.date in kops.yaml; if it was "
                "held and kops invited people to it, {command} sends the recording to those "
                "who missed it"
            ).format(seminar=seminar_id, command=f"`kops seminar remind {seminar_id}`"),
        )


def check_not_late(seminar_id: str, config: Seminar, template: str, moment: dt.datetime) -> None:
    """An invitation sent with `kops mail send -t seminar.month1 --seminar month1` after
    the seminar is refused as `seminar invite`'s is (one went out a month after it, under
    a new --id): the rule is the seminar's, whichever command sends its invitation."""
    try:
        invitation: str | None = invite_spec(seminar_id, config).template
    except KopsError:  # a custom theme not set up yet: it has no invitation of its own
        invitation = None
    if template in (invitation, *(f"seminar.month{n}" for n in range(1, 5))):
        check_invite_ready(seminar_id, config, moment, tbd=config.date is None)


# What a correction compares between the invitation and now, with its Japanese label.
CORRECTED = (
    ("title", "テーマ"),
    ("date_text", "日時"),
    ("length_text", "所要時間"),
    ("url", "参加方法"),
)
# Recorded by every invitation run; the others only by runs since they were added, so an
# older run is not said to have stated them.
ALWAYS_RECORDED = ("title", "date_text", "url")


def correction_changes(
    sent: dict[str, Any] | None, now: dict[str, Any]
) -> tuple[tuple[str, str, str], ...]:
    """(label, before, after) for each detail that differs from what the invitation said;
    for an invitation made before its details were recorded, every detail as it is now."""
    if sent is None:
        return tuple(
            (label, "（ご案内時の内容）", str(now[key]))
            for key, label in CORRECTED
            if key in ALWAYS_RECORDED
        )
    return tuple(
        (label, str(sent.get(key)), str(now[key]))
        for key, label in CORRECTED
        if (key in sent or key in ALWAYS_RECORDED) and str(sent.get(key)) != str(now[key])
    )


def correction_run_id(seminar_id: str, config: Seminar, changes: tuple[Any, ...]) -> str:
    """The correction's own run id: the invitation's, and a hash of what changed (the same
    correction again resumes it; another change is another run)."""
    digest = hashlib.sha256(json.dumps(changes, ensure_ascii=False).encode()).hexdigest()[:8]
    return f"{invite_run_id(seminar_id, config)}-correction-{digest}"


def correction_spec(
    seminar_id: str, invited: tuple[str, ...], changes: tuple[tuple[str, str, str], ...]
) -> AudienceSpec:
    return AudienceSpec(
        Listed(invited), template="seminar.correction", seminar=seminar_id, corrects=changes
    )


@dataclass(frozen=True)
class Correction:
    run_id: str
    spec: AudienceSpec
    changes: tuple[tuple[str, str, str], ...]
    invited: int


def plan_correction(ws: Workspace, settings: Settings, seminar_id: str) -> Correction:
    """The correction of a seminar's invitation: to everyone it reached, naming what changed
    since (as the invitation run recorded its details)."""
    from ...mail.context import seminar_context

    config = seminar(settings, seminar_id)
    original = invite_run_id(seminar_id, config)
    rehearsal = settings.mail.transport == "outbox"
    invited = tuple(invited_users(ws, original, rehearsal)["user_id"])
    if not invited:
        raise _nothing_sent(
            N_(
                "seminar {seminar}: --correction, but nobody was invited yet (run {run_id}); "
                "nothing was sent"
            ),
            seminar_id,
            original,
            hint=_("send the invitation first: {command}").format(
                command=f"`kops seminar invite {seminar_id}`"
            ),
        )
    ledger = Ledger(ws)
    try:
        run = ledger.run(original) or {}
    finally:
        ledger.close()
    sent = json.loads(run.get("description") or "{}").get("seminar_details")
    now = seminar_context(settings, seminar_id) or {}
    changes = correction_changes(sent, now)
    if not changes:
        raise _nothing_sent(
            N_(
                "seminar {seminar}: nothing changed since the invitation (run {run_id}); "
                "nothing was sent"
            ),
            seminar_id,
            original,
            hint=_("edit seminars.{seminar} in kops.yaml (date, url, title) first").format(
                seminar=seminar_id
            ),
        )
    return Correction(
        correction_run_id(seminar_id, config, changes),
        correction_spec(seminar_id, invited, changes),
        changes,
        len(invited),
    )


def _nothing_sent(template: str, seminar_id: str, run_id: str, hint: str) -> KopsError:
    """A correction refused before anything was sent (``template`` names the seminar and
    the invitation run)."""
    return KopsError(_(template).format(seminar=seminar_id, run_id=run_id), hint=hint)


def check_remind_ready(seminar_id: str, config: Seminar, today: dt.date) -> None:
    """A recording goes out after the seminar's day, and only once its link is known."""
    if config.date is None:
        raise KopsError(
            _("seminars.{seminar}.date is not set").format(seminar=seminar_id),
            hint=_("set the seminar's date in kops.yaml"),
        )
    day = config.day
    if day is not None and today <= day:
        raise KopsError(
            _("the seminar is on {day}: remind after it").format(day=day),
            hint=_("run this the day after the seminar or later"),
        )
    if not config.recording_url:
        raise KopsError(
            _("seminars.{seminar}.recording_url is not set").format(seminar=seminar_id),
            hint=_("add the recording's link to kops.yaml"),
        )


def absentees(seminar_id: str, invited: pd.DataFrame, attended: set[str]) -> tuple[str, ...]:
    """Those invited through kops who did not attend, in invitation order."""
    if invited.empty:
        raise KopsError(
            _("nobody was invited to {seminar} through kops").format(seminar=seminar_id),
            hint=_("{command} first").format(command=f"`kops seminar invite {seminar_id}`"),
        )
    return tuple(user for user in invited["user_id"] if user not in attended)


def recording_spec(seminar_id: str, absent: tuple[str, ...]) -> AudienceSpec:
    return AudienceSpec(Listed(absent), template="seminar.recording", seminar=seminar_id)


def invited_users(ws: Workspace, run_id: str, rehearsal: bool = False) -> pd.DataFrame:
    """Who the invitation run reached, with their stuck point at the time.

    With ``rehearsal`` (mail.transport: outbox) those only written to the outbox count
    too: a rehearsed reminder follows a rehearsed invitation; a real one only real ones.
    """
    ledger = Ledger(ws)
    try:
        rows = ledger.rows(run_id, ["sent", "written"] if rehearsal else ["sent"])
    finally:
        ledger.close()
    return pd.DataFrame(
        {
            "user_id": [r.user_id for r in rows],
            "stuck_point": [r.extra.get("stuck_point", "") for r in rows],
        },
        columns=["user_id", "stuck_point"],
    )


def check_attendance_ready(
    seminar_id: str,
    config: Seminar,
    invited: int,
    today: dt.date,
    force: str | None,
    moment: dt.datetime | None = None,
) -> list[str]:
    """Attendance belongs to a seminar that took place: one with a date (not after today)
    that kops invited people to. Returns what was overridden with ``force`` (the reason)."""
    why = []
    future = None
    day = config.day
    if day is None:
        why.append(_("seminars.{seminar}.date is not set").format(seminar=seminar_id))
    else:
        # On its day, not before it ends (taken at 09:00 for a 12:15 seminar, or at
        # 12:20 for one of 30 minutes: a list of who had joined by then).
        ends = _ends(config)
        ends_later = (
            ends is not None
            and moment is not None
            and moment.replace(tzinfo=None) < ends.replace(tzinfo=None)
        )
        if day > today or ends_later:
            # Said to the minute where the seminar ends on a day already here.
            future = f"{ends:%Y-%m-%d %H:%M}" if ends_later and ends is not None else day
            if day > today or ends is None:
                said = _("the seminar is on {day}, after today ({today})")
            elif not config.minutes:  # its length unknown: from its start
                said = _("the seminar starts today at {time}")
            elif ends.date() == today:
                said = _("the seminar runs today until {time}")
            else:  # past midnight, or a day long
                said = _("the seminar runs until {time}")
            # Today's end by its time; another day's with its date.
            shape = "%H:%M" if ends is not None and ends.date() == today else "%Y-%m-%d %H:%M"
            time = "" if ends is None else ends.strftime(shape)
            why.append(said.format(day=day, today=today, time=time))
    if invited == 0:
        why.append(_("nobody was invited to {seminar} through kops").format(seminar=seminar_id))
    if why and force is None:
        raise KopsError(
            _("{seminar}: attendance refused: {why}").format(
                seminar=seminar_id, why="; ".join(why)
            ),
            hint=_attendance_hint(seminar_id, config.date is None, future, invited > 0),
        )
    return why


def _ends(config: Seminar) -> dt.datetime | None:
    """When a seminar with a time of day ends: its start and ``minutes`` (its start when
    its length is not given); None for a date alone."""
    if not isinstance(config.date, dt.datetime):
        return None
    return config.date + dt.timedelta(minutes=config.minutes or 0)


def _attendance_hint(
    seminar: str, undated: bool, future: dt.date | str | None, invited: bool
) -> str:
    """What to do, for the causes there are: a dated, invited seminar still to come was
    told to set its date and invite."""
    if future is not None and invited:
        return _("record attendance once the seminar has taken place (on or after {day})").format(
            day=future
        )
    if undated and invited:
        return _("set seminars.{seminar}.date in kops.yaml (the day it was held)").format(
            seminar=seminar
        )
    if undated:
        return _(
            "set the date in kops.yaml and {command} first; for a seminar held outside "
            "kops: --force --reason '…'"
        ).format(command=f"`kops seminar invite {seminar}`")
    return _("{command} first; for a seminar held outside kops: --force --reason '…'").format(
        command=f"`kops seminar invite {seminar}`"
    )


@dataclass
class AttendanceImport:
    """What one attendance file did: people recorded and every row not recorded, by kind."""

    recorded: int  # people on the list now
    invited_attended: int
    uninvited: int  # attended without an invitation through kops
    retired_rows: list[int]  # file rows of people who have left (退職): not recorded
    duplicate_rows: list[int]  # file rows naming someone named on an earlier row
    previous: int | None  # people recorded before this file (replaced), None if none
    previous_source: str | None
    unchanged: bool  # the same people as recorded before
    overridden: list[str]  # checks overridden with --force


def _screen(
    rows: list[tuple[int, str]], users: pd.DataFrame
) -> tuple[list[str], list[int], list[int]]:
    """(people once each in file order, rows of retired people, rows repeating a person)."""
    retired = _retired(users)
    kept: dict[str, int] = {}
    retired_rows, duplicate_rows = [], []
    for row, user in rows:
        if user in retired:
            retired_rows.append(row)
        elif user in kept:
            duplicate_rows.append(row)
        else:
            kept[user] = row
    return list(kept), retired_rows, duplicate_rows


def _retired(users: pd.DataFrame) -> set[str]:
    """People who have left (退職): a seminar file's rows naming them are not recorded."""
    return set(users.loc[users["employment_status"] == "retired", "user_id"])


def import_attendance(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    path: Path,
    snapshot_id: str,
    users: pd.DataFrame,
    today: dt.date | None = None,
    force: str | None = None,
) -> AttendanceImport:
    """Replace the seminar's attendance with the list in ``path`` (all or nothing), audited.

    Refused for a seminar without a date or without invitations unless ``force`` (the
    reason) is given; people who have left are not recorded, each person once.
    ``today``: the clock's unless given."""
    config = seminar(settings, seminar_id)
    rows = read_attendance(path, settings, users)
    rehearsal = settings.mail.transport == "outbox"
    invited = set(invited_users(ws, invite_run_id(seminar_id, config), rehearsal)["user_id"])
    day = now().date() if today is None else today
    moment = now().astimezone(JST) if today is None else None
    overridden = check_attendance_ready(seminar_id, config, len(invited), day, force, moment)
    people, retired_rows, duplicate_rows = _screen(rows, users)
    before, source = seminar_attendance_record(ws, seminar_id)
    record_seminar_attendance(ws, seminar_id, people, path.name)
    result = AttendanceImport(
        recorded=len(people),
        invited_attended=len(set(people) & invited),
        uninvited=len(set(people) - invited),
        retired_rows=retired_rows,
        duplicate_rows=duplicate_rows,
        previous=len(before) if source is not None else None,
        previous_source=source,
        unchanged=source is not None and before == set(people),
        overridden=overridden,
    )
    detail = {"invited_attended": result.invited_attended, "uninvited": result.uninvited}
    forced = {"forced": overridden, "reason": force} if overridden else {}
    count = len(people)
    _record_import(
        ws, "seminar attendance", seminar_id, path, snapshot_id, count, result, detail, forced
    )
    return result


@dataclass
class SurveyImport:
    answers: int
    from_attendees: int
    not_on_attendance: int  # answers from people not on the seminar's attendance list
    retired_rows: list[int]
    duplicate_rows: list[int]  # a person's earlier answers: the last one is kept
    previous: int | None


def import_survey(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    path: Path,
    snapshot_id: str,
    users: pd.DataFrame,
) -> SurveyImport:
    """Replace the seminar's survey answers with the export in ``path`` (all or nothing),
    audited. People who have left are not recorded; a person who answered twice counts
    once, with their last answer (a form sent again replaces the first)."""
    seminar(settings, seminar_id)
    answers = read_survey(path, settings, users)
    is_retired = answers["user_id"].isin(_retired(users))
    retired_rows = [int(r) for r in answers.loc[is_retired, "row"]]
    answers = answers[~is_retired]
    repeated = answers["user_id"].duplicated(keep="last")
    duplicate_rows = [int(r) for r in answers.loc[repeated, "row"]]
    answers = answers[~repeated].reset_index(drop=True)
    attended, _source = seminar_attendance_record(ws, seminar_id)
    previous = len(seminar_survey(ws, seminar_id))
    record_seminar_survey(ws, seminar_id, answers, path.name)
    on_list = int(answers["user_id"].isin(attended).sum())
    result = SurveyImport(
        answers=len(answers),
        from_attendees=on_list,
        not_on_attendance=len(answers) - on_list,
        retired_rows=retired_rows,
        duplicate_rows=duplicate_rows,
        previous=previous or None,
    )
    detail = {"not_on_attendance": result.not_on_attendance}
    count = len(answers)
    _record_import(ws, "seminar survey", seminar_id, path, snapshot_id, count, result, detail)
    return result


def _record_import(
    ws: Workspace,
    action: str,
    seminar_id: str,
    path: Path,
    snapshot_id: str,
    count: int,
    result: AttendanceImport | SurveyImport,
    figures: dict[str, int],
    forced: Mapping[str, object] | None = None,
) -> None:
    """The audit entry of a seminar file, once its people are recorded: the import's own
    figures, then the rows not recorded (people who have left, people named again)."""
    record_action(
        ws,
        action,
        target=seminar_id,
        count=count,
        files=[file_entry(path)],
        snapshot=snapshot_id,
        detail={
            **figures,
            "retired_rows": len(result.retired_rows),
            "duplicate_rows": len(result.duplicate_rows),
            **(forced or {}),
        },
    )

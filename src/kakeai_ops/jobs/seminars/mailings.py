"""What `kops seminar invite` and `kops seminar remind` send, decided before the run starts:
the audience, checked against the seminar's date and today."""

from __future__ import annotations

from dataclasses import dataclass

from ...clock import now
from ...config import Settings
from ...errors import KopsError
from ...i18n import N_, _
from ...mail.audience import AudienceSpec
from ...store import seminar_attendance
from ...workspace import Workspace
from . import invitations
from .summary_workflow import AttendanceCounts, attendance_counts, invited_users


@dataclass(frozen=True)
class Invitation:
    """The audience of an invitation; for a correction its own run and what changed since
    (label, before, after)."""

    spec: AudienceSpec
    run_id: str | None = None
    changes: tuple[tuple[str, str, str], ...] = ()


def plan_invitation(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    division: str | None = None,
    tbd: bool = False,
    correction: bool = False,
) -> Invitation:
    """Whom the theme invites (within ``division``), or with ``correction`` everyone the
    invitation reached; refused without the seminar's date and URL (unless ``tbd``) and
    from its day on."""
    config = invitations.seminar(settings, seminar_id)
    if not correction:
        invitations.check_invite_ready(seminar_id, config, now(), tbd)
        return Invitation(invitations.invite_spec(seminar_id, config, division))
    if division is not None:
        raise KopsError(_("--correction goes to everyone invited: drop --division"))
    found = invitations.plan_correction(ws, settings, seminar_id)
    invitations.check_invite_ready(seminar_id, config, now(), tbd, N_("correction"))
    return Invitation(found.spec, found.run_id, found.changes)


@dataclass(frozen=True)
class Reminder:
    """Those invited who did not attend (the recording's audience), the seminar's
    attendance, and whether any attendance was recorded at all."""

    spec: AudienceSpec
    absent: tuple[str, ...]
    counts: AttendanceCounts
    attendance_recorded: bool


ONLY_REHEARSED = N_(
    "the invitations to {seminar} were only written to the outbox (a rehearsal): "
    "nobody was invited for real, so nobody is told of the recording"
)


def only_rehearsed(ws: Workspace, settings: Settings, seminar_id: str) -> bool:
    """Whether a seminar's invitations were only written to the outbox while mail is now
    sent for real: nobody was invited, so its recording goes to nobody (`seminar remind`
    refuses, and `mail status` of its recording run says why)."""
    if settings.mail.transport == "outbox":
        return False
    return invitations_rehearsed(ws, settings, seminar_id)


def invitations_rehearsed(ws: Workspace, settings: Settings, seminar_id: str) -> bool:
    """Whether a seminar's invitations were only written to the outbox, whatever the
    transport is now: its recording, 「先日ご案内した」, is for no one invited (the deck
    suggested delivering it, which `seminar remind` refuses once mail is sent for real)."""
    config = settings.seminars.get(seminar_id)
    if config is None:
        return False
    run_id = invitations.invite_run_id(seminar_id, config)
    return (
        invited_users(ws, run_id, rehearsal=False).empty
        and not invited_users(ws, run_id, rehearsal=True).empty
    )


def plan_reminder(ws: Workspace, settings: Settings, seminar_id: str) -> Reminder:
    """The recording goes to those the invitation reached who did not attend; refused
    until the day after the seminar and without its recording's link."""
    config = invitations.seminar(settings, seminar_id)
    invitations.check_remind_ready(seminar_id, config, now().date())
    run_id = invitations.invite_run_id(seminar_id, config)
    rehearsal = settings.mail.transport == "outbox"
    attended = seminar_attendance(ws, seminar_id)
    invited = invited_users(ws, run_id, rehearsal)
    if invited.empty and only_rehearsed(ws, settings, seminar_id):
        # Invitations only rehearsed (the outbox), the seminar over: 「先に招待」 led to an
        # invitation refused after the seminar. Nobody was invited for real: say so.
        raise KopsError(
            _(ONLY_REHEARSED).format(seminar=seminar_id),
            hint=_("to rehearse the reminder as the invitation was, set mail.transport to outbox"),
        )
    absent = invitations.absentees(seminar_id, invited, attended)
    return Reminder(
        invitations.recording_spec(seminar_id, absent),
        absent,
        attendance_counts(ws, seminar_id, run_id, rehearsal),
        bool(attended),
    )

"""A seminar's summary as `kops seminar summary` and `kops review` show it: the invitees from
the invitation run's ledger, attendance and survey from the workspace, and movement against the
latest snapshot once one newer than the invitation exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from ... import glossary
from ...analyses import segmentation
from ...analyses.names import NameMatcher
from ...analyses.seminar_summary import UNINVITED_LABEL, Summary, summarise
from ...analyses.survey_text import answers_per_group, summarise_free_text
from ...clock import now
from ...config import Settings
from ...mail.audience_kinds import Theme
from ...model import whole
from ...privacy.rules import minimum
from ...store import SnapshotInfo, Tables, seminar_attendance, seminar_survey
from ...store.ledger import Ledger
from ...workspace import Workspace
from . import invitations
from .invitations import invited_users


@dataclass(frozen=True)
class AttendanceCounts:
    """A seminar's attendance, one definition for `seminar list`, the summary and the deck."""

    invited: int  # 招待
    attended: int  # 出席: everyone on the attendance list
    uninvited: int  # 招待外の参加
    rehearsed: int = 0  # of 招待, only written to the outbox
    unsent: int = 0  # written to the outbox only, and not 招待 (the transport is smtp now)

    @property
    def invited_attended(self) -> int:
        return self.attended - self.uninvited


def attendance_counts(
    ws: Workspace, seminar_id: str, run_id: str, rehearsal: bool = False
) -> AttendanceCounts:
    invited = set(invited_users(ws, run_id, rehearsal)["user_id"])
    attended = seminar_attendance(ws, seminar_id)
    return AttendanceCounts(
        len(invited),
        len(attended),
        len(attended - invited),
        *written_only(ws, run_id, rehearsal),
    )


def written_only(ws: Workspace, run_id: str, rehearsal: bool) -> tuple[int, int]:
    """The invitations only written to the outbox, never sent: counted as 招待 in a
    rehearsal (returned first), else left out of it and said beside it (second)."""
    ever = set(invited_users(ws, run_id, True)["user_id"])
    count = len(ever - set(invited_users(ws, run_id)["user_id"])) if ever else 0
    return (count, 0) if rehearsal else (0, count)


def invited_words(invited: int, rehearsed: int, space: str = "", unsent: int = 0) -> str:
    """「招待65人」, and whether the invitations went out: 「招待65人（書き出しのみ・未送信）」
    where a rehearsal only wrote them (the deck's mail slide says 書き出しのみ of that run),
    「招待5人（ほかに書き出しのみ・未送信 22人）」 where those written were not sent since."""
    text = f"招待{space}{invited:,}人"
    if rehearsed and rehearsed == invited:
        return text + "（書き出しのみ・未送信）"
    if rehearsed:
        return text + f"（うち書き出しのみ・未送信 {rehearsed:,}人）"
    if unsent:
        return text + f"（ほかに書き出しのみ・未送信 {unsent:,}人）"
    return text


class Attendance(Protocol):
    @property
    def invited(self) -> int: ...
    @property
    def attended(self) -> int: ...
    @property
    def uninvited(self) -> int: ...
    @property
    def invited_attended(self) -> int: ...
    @property
    def rehearsed(self) -> int: ...
    @property
    def unsent(self) -> int: ...


def attendance_line(counts: Attendance, answers: int | None = None) -> str:
    """「招待 65人 ／ 出席 23人（招待した人 17人・招待外の参加 6人） ／ アンケート回答 18件」"""
    invited = invited_words(counts.invited, counts.rehearsed, " ", counts.unsent)
    text = f"{invited} ／ 出席 {counts.attended:,}人"
    if counts.uninvited:
        text += (
            f"（招待した人 {counts.invited_attended:,}人・"
            f"{UNINVITED_LABEL} {counts.uninvited:,}人）"
        )
    if answers is not None:
        text += f" ／ アンケート回答 {answers:,}件"
    return text


def answers_line(answers: int, not_on_list: int) -> str | None:
    """Said when answers come from people not on the attendance list, else None."""
    if not not_on_list:
        return None
    return (
        f"アンケート回答 {answers:,}件のうち {not_on_list:,}件は出席者リストにない人の回答です"
        f"（出席者の回答 {answers - not_on_list:,}件）"
    )


@dataclass
class SeminarSummary:
    seminar_id: str
    title: str
    run_id: str
    invitation_sent: bool  # an invitation run exists
    movement_pending: bool  # invited, but no snapshot newer than the invitation yet
    summary: Summary
    # Every free-text answer, names masked, and the exact count per group: the
    # secretariat's file only (事務局内限り).
    every_answer: pd.DataFrame | None = None
    answers_per_group: pd.DataFrame | None = None
    min_group: int = 5  # privacy.min_group: a group of fewer answers shows no example


def invitation_sent(ws: Workspace, settings: Settings, seminar_id: str) -> bool:
    """Whether the seminar's invitation run is in the ledger (``invitation_sent`` of its
    summary), without summarising it."""
    config = invitations.seminar(settings, seminar_id)
    ledger = Ledger(ws)
    try:
        return ledger.run(invitations.invite_run_id(seminar_id, config)) is not None
    finally:
        ledger.close()


def summarise_seminar(
    ws: Workspace,
    settings: Settings,
    seminar_id: str,
    latest: SnapshotInfo,
    load: Callable[[SnapshotInfo], Tables],
) -> SeminarSummary:
    config = invitations.seminar(settings, seminar_id)
    run_id = invitations.invite_run_id(seminar_id, config)
    ledger = Ledger(ws)
    try:
        run = ledger.run(run_id)
    finally:
        ledger.close()
    tables = load(latest)
    later = None
    pending = False
    if run is not None and run["snapshot"] != latest.id and latest.as_of is not None:
        later = segmentation.segment(tables, settings.rules, latest.as_of)
    elif run is not None:
        pending = True
    answers = seminar_survey(ws, seminar_id)
    free_text = summarise_free_text(
        list(answers["free_text"]), settings, NameMatcher(tables.users["name"])
    )
    invited = invited_users(ws, run_id, settings.mail.transport == "outbox")
    summary = summarise(
        invited,
        seminar_attendance(ws, seminar_id),
        answers,
        tables.users,
        (free_text.groups, free_text.themes),
        later,
        minimum(settings),
        (
            settings.seminar_survey.satisfaction_scale.min,
            settings.seminar_survey.satisfaction_scale.max,
        ),
    )
    summary.rehearsed, summary.unsent = written_only(
        ws, run_id, settings.mail.transport == "outbox"
    )
    return SeminarSummary(
        seminar_id=seminar_id,
        title=config.title or seminar_id,
        run_id=run_id,
        invitation_sent=run is not None,
        movement_pending=pending,
        summary=summary,
        every_answer=free_text.every_answer,
        answers_per_group=answers_per_group(free_text.every_answer),
        min_group=settings.privacy.min_group,
    )


def overview(summary: Summary) -> pd.DataFrame:
    """The seminar's figures, each with its one label (the summary's first sheet): the
    counts, and the two the terminal and the deck state of the whole seminar, 出席率 of
    those invited and 満足度の平均 on the survey's scale with its answers (the sheet had
    neither, so its reader worked out 23/65 where 17/65 is the rate)."""
    scores = summary.satisfaction
    answered = int(scores["answers"].sum()) if len(scores) else 0
    points = [int(v) for v in scores.get("satisfaction", [])]
    scale = f"{min(points)}〜{max(points)}" if points else ""
    average = summary.average_satisfaction
    rows = [
        ("invited", "招待", summary.invited, "人", "count"),
        *(
            [("rehearsed", "招待のうち書き出しのみ（未送信）", summary.rehearsed, "人", "count")]
            if summary.rehearsed
            else []
        ),
        ("attended", "出席", summary.attended, "人", "count"),
        ("invited_attended", "出席（招待した人）", summary.invited_attended, "人", "count"),
        ("uninvited", UNINVITED_LABEL, summary.uninvited, "人", "count"),
        (
            "attendance_rate",
            # Of whom, beside 出席 23 (walk-ins too): 17/65, never 23/65.
            f"{glossary.FIGURES['attendance_rate'].label}（招待した人のうち）",
            summary.invited_attended / summary.invited if summary.invited else None,
            "",  # the cell says 26% (its row's format): 「%」 beside it said it twice
            "rate",
        ),
        ("answers", "アンケート回答", summary.answers, "件", "count"),
        ("answers_from_attendees", "出席者の回答", summary.answers_from_attendees, "件", "count"),
        (
            "answers_not_on_list",
            "出席者リストにない人の回答",
            summary.answers_not_on_list,
            "件",
            "count",
        ),
        (
            "satisfaction_avg",
            glossary.FIGURES["satisfaction_avg"].label,
            None if average != average else average,  # NaN: no one answered
            scale,
            "score",
        ),
        ("satisfaction_answers", "満足度の回答", answered, "件", "count"),
    ]
    # Each value as it is (a count stays a whole number beside the rate and the average).
    return pd.DataFrame(
        rows, columns=["figure", "label", "value", "unit", "figure_kind"], dtype=object
    )


@dataclass(frozen=True)
class SeminarList:
    """`kops seminar list`: one row per seminar in kops.yaml (whom it invites by stuck-point
    keys, for machines), and whom each invites in the glossary's words (for people)."""

    rows: pd.DataFrame
    invites_in_words: list[str]


def seminar_list(ws: Workspace, settings: Settings) -> SeminarList:
    """Each seminar's theme, date, links, whom it invites and its attendance."""
    rows = []
    words = []
    for seminar_id, config in settings.seminars.items():
        spec = invitations.listed_spec(seminar_id, config)
        keys, said = "-", "－"
        if spec is not None and isinstance(theme := spec.who, Theme):
            # 「+ managers」 alone (no stuck point) opened in Excel as a formula ('+ managers).
            keys = ", ".join([*theme.stuck_points, *(["managers"] if theme.managers else [])])
            said = audience_words(theme) or "－"
        words.append(said)
        counts = attendance_counts(
            ws,
            seminar_id,
            invitations.invite_run_id(seminar_id, config) if spec is not None else "",
            settings.mail.transport == "outbox",
        )
        rows.append(
            {
                "seminar": seminar_id,
                "month": config.month,
                "title": config.title or "",
                "points": " / ".join(config.points),
                "date": _when(config.date),
                "url": config.url or "",
                "recording_url": config.recording_url or "",
                "invites": keys.strip(", "),
                "invited": counts.invited,
                "written_only": counts.rehearsed + counts.unsent,
                # Not held yet (and no list taken): no 出席, rather than 0 of them.
                **(
                    {"attended": counts.attended, "uninvited": counts.uninvited}
                    if counts.attended or invitations.seminar_over(config, now())
                    else {"attended": None, "uninvited": None}
                ),
            }
        )
    frame = pd.DataFrame(rows)
    if len(frame):  # whole numbers, a seminar not held yet blank
        frame[["attended", "uninvited"]] = frame[["attended", "uninvited"]].astype("Int64")
    return SeminarList(frame, words)


def audience_words(theme: Theme) -> str:
    """Who a theme invites, in the words of the glossary: 「事前準備なし・上司全員」."""
    words = [str(glossary.STUCK_POINTS.get(point, point)) for point in theme.stuck_points]
    if theme.managers:
        words.append("上司全員")
    return "・".join(words)


def _when(date: dt.datetime | dt.date | None) -> str:
    """The seminar's day and time as every list writes a moment: 2026-10-28 12:15, not
    str()'s 12:15:00; a day without a time alone."""
    if date is None:
        return ""
    if isinstance(date, dt.datetime):
        return date.strftime("%Y-%m-%d %H:%M")
    return date.isoformat()


def attended_interval(moved: pd.DataFrame) -> tuple[float, float, float] | None:
    """The difference of those who moved on, attended − not attended, and its 95%
    interval (Newcombe, as a mail's effect); None where either group's count is hidden
    (<5) or not there yet."""
    from ...analyses.mail_effect import newcombe_interval
    from ...analyses.seminar_movement import ATTENDED, NOT_ATTENDED

    found: dict[str, tuple[Any, int]] = {
        str(r.group): (r.moved_on, whole(r.in_snapshot)) for r in moved.itertuples()
    }
    if ATTENDED not in found or NOT_ATTENDED not in found:
        return None
    counts = [found[ATTENDED], found[NOT_ATTENDED]]
    if any(isinstance(c, str) or pd.isna(c) or not n for c, n in counts):
        return None
    (c1, n1), (c2, n2) = ((int(c), n) for c, n in counts)
    low, high = newcombe_interval(c1, n1, c2, n2)
    return c1 / n1 - c2 / n2, low, high


def attended_difference(moved: pd.DataFrame) -> str:
    """The difference with its interval, as the mail's effect is said: 24% against 21%
    read as the seminar's effect, where 4/17 and 10/47 cannot tell one from chance
    (「（差 +2.3ptは誤差の範囲、95%信頼区間 −17.3pt〜+27.7pt）」); '' without one."""
    from ...mail.evaluation import points as fine_points  # as `kops mail report` writes it

    found = attended_interval(moved)
    if found is None:
        return ""
    difference, low, high = found
    interval = f"95%信頼区間 {fine_points(low)}〜{fine_points(high)}"
    if low > 0 or high < 0:
        return f"（差 {fine_points(difference)}、{interval}）"
    return f"（差 {fine_points(difference)}は誤差の範囲、{interval}）"

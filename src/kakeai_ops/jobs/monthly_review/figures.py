"""The figures of the monthly review deck, as plain data.

Every number here comes from the same core function the corresponding command uses
(``segment``, the division report, the mail effect, the seminar summary, campaign
eligibility, the interview shortlist), so the deck and the commands always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ... import glossary
from ...analyses.mail_effect import Difference, is_rehearsal
from ...config import Documents
from ...privacy.audiences import SHARED

# The division report's arrows: one mark for one meaning in the deck and the report.
UP, DOWN, FLAT, NONE = "↑", "↓", "→", "－"


# The summary and division figures cover the 30 days up to the as-of date.
DECK_PERIOD = "30d"


@dataclass(frozen=True)
class Kpi:
    """One headline figure now and at the previous snapshot."""

    key: str
    label: str
    # "count", "rate" (0–1, whole percents), "number" or "score" (one decimal): the
    # precision the division report publishes them at
    kind: str
    now: float | None
    before: float | None
    now_text: str = ""  # a privacy label such as "<5" when the figure is hidden

    @property
    def change(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before

    @property
    def arrow(self) -> str:
        """↑ up, ↓ down, → unchanged, － nothing to compare (the word goes with it, not colour)."""
        change = self.change
        if change is None:
            return NONE
        tolerance = 0.005 if self.kind == "rate" else 0.0 if self.kind == "count" else 0.005
        if change > tolerance:
            return UP
        if change < -tolerance:
            return DOWN
        return FLAT


@dataclass
class Funnel:
    """Users per primary stuck point now and before, and how they moved."""

    stages: pd.DataFrame  # stuck_point, label, now, before (None without a previous snapshot)
    moved_on: int | None = None
    slid_back: int | None = None
    unchanged: int | None = None
    joined: int | None = None
    departed: int | None = None


@dataclass
class Trend:
    """Share of users per stuck point at every snapshot (rows: snapshots)."""

    frame: pd.DataFrame  # snapshot, as_of, then one share column per stuck point key


@dataclass
class Divisions:
    """Key rates per 事業部 from the division report, privacy rules applied."""

    period: str
    table: pd.DataFrame  # division, headcount, rates… (suppressed cells are labels)
    changes: pd.DataFrame  # division, before, now, change: implementation rate, shown values only
    basis: str = "直近30日"  # the comparison basis, named in every label (as in the report)
    previous_period: str = ""  # the same days before the previous as-of day (前回)
    # Days between 前回's window and this one (snapshots 31 days apart: 「10月21日」), in
    # neither: the room reads +3pt as one month straight after the other.
    uncovered: str = ""
    # The basis of a division report made without --period (「直近90日」), when it is not
    # this one's: its rates and changes differ, though defined and hidden alike.
    report_default: str = ""
    # The days that report's 推移 compares with (「2026年5月25日〜8月22日」), when it is another.
    report_before: str = ""
    # 事業部 shown together in one row, and why (the division report's own notes).
    merged: list[str] = field(default_factory=list)
    # What <5, <10 and (秘匿) mean, with the minimums the report was made under.
    legend: str = glossary.HIDDEN_LEGEND


@dataclass
class MailRun:
    run_id: str
    created_at: str
    segment_key: str | None
    snapshot: str
    sent: int
    failed: int
    suppressed: int
    holdout: int
    # None: not a stuck-point run, no holdout, or a group too small to show a difference
    effect: Difference | None
    # Per group (mailed, holdout) as `kops mail report` publishes it; None when not measured
    outcome: pd.DataFrame | None = None
    note: str = ""
    # Written to the outbox only (a rehearsal): never counted as sent.
    written: int = 0
    # Held back by a frequency cap or the send window, sendable later by the same run id.
    deferred: int = 0
    # Sent, then returned for good by a bounce notice (`kops mail bounces`)
    bounced: int = 0
    # Handed to the server with no answer (kops stopped, a connection lost): maybe delivered.
    unknown: int = 0
    # People of the run's audience left out when it was planned, by reason (no_email, …):
    # they have no row and no mail, so the counts above add up to fewer people.
    left_out: dict[str, int] = field(default_factory=dict)
    # A seminar's recording whose invitations were only written to the outbox: delivering
    # it reaches no one who was invited (`seminar remind` refuses it with mail sent for real).
    invitations_rehearsed: bool = False

    @property
    def rehearsal(self) -> bool:
        """Only written to the outbox: nobody received it (``is_rehearsal``)."""
        return is_rehearsal(self.written, self.sent, self.bounced)


@dataclass
class SeminarFigures:
    seminar_id: str
    title: str
    invited: int  # 招待
    attended: int  # 出席: everyone on the attendance list
    uninvited: int  # 招待外の参加
    answers: int
    answers_not_on_list: int
    satisfaction_avg: float | None
    satisfaction_answers: int
    top_groups: list[tuple[str, int]]  # 今、知りたいこと groups by answers
    interests: list[tuple[str, int]]  # 知りたいテーマ (choices) ranked, with answers
    interest_answers: int  # n of the ranking
    movement: pd.DataFrame | None  # seminar_movement.MOVEMENT_COLUMNS, both groups overall
    note: str = ""
    mix_note: str = ""  # the groups' stuck point mixes differ
    scale: str = "1〜5"  # the survey's satisfaction scale (seminar_survey.satisfaction_scale)
    min_group: int = 5  # privacy.min_group: a count of fewer people is not on the shared deck
    rehearsed: int = 0  # of 招待, only written to the outbox (not sent)
    unsent: int = 0  # written to the outbox only, not in 招待 (the transport is smtp now)
    upcoming: str = ""  # the day of a seminar still to come (「2026年12月10日」): no 出席 yet

    @property
    def invited_attended(self) -> int:
        return self.attended - self.uninvited


@dataclass
class AwardNotices:
    """The mails that told a campaign's awarded people (runs of ``--awarded CAMPAIGN``), by
    person: each awarded person is counted once, under what became of their mail."""

    sent: int = 0  # the server took it, and no bounce came back for good
    bounced: int = 0
    written: int = 0  # written to the outbox only: a rehearsal, not delivered
    deferred: int = 0  # held back by a cap or the send window
    not_sent: int = 0  # planned, failed, stopped at send time or of unknown outcome
    # Awarded people with no mail, by why (the run's reasons; "not_planned": awarded after
    # the last run, or no run yet).
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def mails(self) -> int:
        """Mails written or sent (one per person)."""
        return self.sent + self.bounced + self.written

    @property
    def rehearsal(self) -> bool:
        """The notices were only written to the outbox (``is_rehearsal``)."""
        return is_rehearsal(self.written, self.sent, self.bounced)


@dataclass
class CampaignFigures:
    campaign_id: str
    title: str
    window: str
    eligible: int
    on_track: int
    awarded: int
    window_open: bool
    # The draw, for a campaign awarded by draw (entries or a draw_seed).
    by_draw: bool = False
    entries: int = 0
    drawn: bool = False
    winners: int = 0
    awarded_winners: int = 0
    notices: AwardNotices = field(default_factory=AwardNotices)
    condition: str = ""  # who is 対象, in words (streaks.condition_words)
    # The days the weeks judged cover where they are not the window's own (「03-30〜09-27」:
    # a week is its Thursday's month's), else "".
    weeks_judged: str = ""


@dataclass
class Milestones:
    due_manager: int
    due_member: int
    delivered: int
    # The mails the due notices make: one per person (both roles in one mail), less those
    # a send leaves out (reason → people: no_email, on_leave).
    people: int = 0
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def mails(self) -> int:
        return self.people - sum(self.left_out.values())


@dataclass
class Interviews:
    eligible_pairs: int
    top: pd.DataFrame  # rank, manager_id, manager_name, member_id, member_name, division, …
    lookback_days: int = 90  # the days its 1on1実施数 and 平均スッキリ度 cover
    # The pairs `kops interview shortlist` lists (interview.n, as far as there are
    # candidates): the deck shows the first of them, and says how many there are.
    shortlisted: int = 0

    @property
    def shown_text(self) -> str:
        """「6組（最初の5組を表示）」, or 「5組」 when the deck shows every one."""
        if self.shortlisted > len(self.top):
            return f"{self.shortlisted}組（最初の{len(self.top)}組を表示）"
        return f"{len(self.top)}組"


@dataclass(frozen=True)
class Action:
    """A suggestion for the meeting, with the number behind it and the command that does it."""

    text: str
    basis: str
    command: str
    # The action as the slide's title names it, when ``text`` is too long for a title line
    # (a seminar's whole name broke 「どんな話 / をしているの?」 over two).
    headline: str = ""


@dataclass
class Review:
    title: str
    snapshot: str
    as_of: dt.date
    previous_snapshot: str | None
    previous_as_of: dt.date | None
    summary: list[Kpi]
    funnel: Funnel
    trend: Trend
    divisions: Divisions
    mail: list[MailRun]
    seminars: list[SeminarFigures]
    campaigns: list[CampaignFigures]
    milestones: Milestones
    interviews: Interviews
    actions: list[Action] = field(default_factory=list)
    documents: Documents = field(default_factory=Documents)
    sukkiri_scale: str = "0〜5"  # exports.sukkiri_scale, the unit of 平均スッキリ度
    # The report figures the deck shows, per snapshot: (snapshot, cells, first day, last
    # day, the indexes of the cells shown); each is recorded as published with the deck.
    published: list[tuple[str, list[Any], dt.date, dt.date, frozenset[int]]] = field(
        default_factory=list
    )
    # Who may see the deck: shared (共有可, the meeting with the service's success
    # team) shows no one's name; the secretariat's own version does.
    audience: str = SHARED
    # The previous snapshot's report figures not compared: made again, they would give a
    # hidden figure back with reports published since (build._report_compared).
    before_withheld: bool = False

    @property
    def names_people(self) -> bool:
        return self.audience != SHARED

    @property
    def compared(self) -> bool:
        return self.previous_snapshot is not None

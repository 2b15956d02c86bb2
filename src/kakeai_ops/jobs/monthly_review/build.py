"""Gather the review's figures from the workspace: one core call per slide.

The latest (or chosen) snapshot is compared with the one before it (or a chosen one). Pieces
that do not exist yet (a second snapshot, a mail run, a seminar) come back empty, and the deck
says so; nothing here raises for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from ... import glossary
from ...analyses import segmentation
from ...analyses.divisions import DEFAULT_PERIOD, Period, parse_period
from ...analyses.mail_effect import (
    NO_LATER_SNAPSHOT,
    NOT_DELIVERED,
    Difference,
    difference,
    mailed_state,
    measured_too_soon,
    run_effect,
)
from ...config import Settings
from ...config.seminar_settings import Seminar
from ...dates import period_label
from ...model import missing, number, whole
from ...privacy.audiences import SHARED
from ...privacy.audit import PrivacyAuditError
from ...privacy.cells import Cell
from ...privacy.effect import protect_effect, shown_difference
from ...privacy.lp import SolverError
from ...privacy.publication import audit_set
from ...privacy.rules import minimum, shows
from ...store import (
    SnapshotInfo,
    Tables,
    list_snapshots,
    load_tables,
)
from ...store.ledger import Ledger
from ...store.published import as_read_back, published_figures, published_reports
from ...workspace import Workspace
from ..division_report import (
    DivisionReport,
    PublishedBefore,
    build_publication,
    publication_for,
)
from ..seminars.summary_workflow import invitation_sent, summarise_seminar
from .actions import RECORDING_RUNS, next_actions
from .figures import (
    DECK_PERIOD,
    CampaignFigures,
    Divisions,
    Funnel,
    Kpi,
    MailRun,
    Milestones,
    Review,
    SeminarFigures,
    Trend,
)
from .good_practice import campaign_figures, interview_figures, milestone_figures
from .mail_counts import for_the_room, left_out
from .titles import day

PERIOD = DECK_PERIOD
KPIS = tuple(
    (key, glossary.column_label(key), kind)
    for key, kind in (
        ("headcount", "count"),
        ("activation_rate", "rate"),
        ("pair_rate", "rate"),
        ("implementation_rate", "rate"),
        ("per_member_month", "number"),
        ("sukkiri_avg", "score"),
    )
)
# Figures of the period's 1on1s (the others are as of the day): their label says the period.
PERIOD_FIGURES = frozenset({"per_member_month", "sukkiri_avg"})
DIVISION_COLUMNS = [
    "division",
    "headcount",
    "activation_rate",
    "pair_rate",
    "implementation_rate",
    "per_member_month",
    "sukkiri_avg",
]
Progress = Callable[[str], None]


class _Loader:
    """Tables and segment results per snapshot, each computed once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tables: dict[str, Tables] = {}
        self._segments: dict[str, pd.DataFrame] = {}

    def tables(self, snap: SnapshotInfo) -> Tables:
        if snap.id not in self._tables:
            self._tables[snap.id] = load_tables(snap)
        return self._tables[snap.id]

    def segment(self, snap: SnapshotInfo, as_of: dt.date) -> pd.DataFrame:
        if snap.id not in self._segments:
            self._segments[snap.id] = segmentation.segment(
                self.tables(snap), self.settings.rules, as_of
            )
        return self._segments[snap.id]


def build_review(
    ws: Workspace,
    settings: Settings,
    snapshot: SnapshotInfo,
    as_of: dt.date,
    previous: SnapshotInfo | None,
    progress: Progress = lambda _: None,
    audience: str = SHARED,
) -> Review:
    load = _Loader(settings)
    if previous is not None and previous.as_of is None:
        previous = None  # a snapshot with no login or held 1on1 has no date to compare at
    before_as_of = previous.as_of if previous is not None else None
    progress("stuck points")
    now = load.segment(snapshot, as_of)
    before = (
        load.segment(previous, before_as_of)
        if previous is not None and before_as_of is not None
        else None
    )
    funnel = _funnel(now, before)
    progress("trend over every snapshot")
    trend = _trend(ws, snapshot, as_of, load)
    progress("division report")
    # The deck's division slide is part of the publication set of its period.
    report = _company_report(ws, load, settings, snapshot, as_of)
    report_before, before_withheld = _report_compared(
        ws, load, settings, previous, before_as_of, report
    )
    progress("mail runs")
    mail = _recordings_of_rehearsals(
        ws, settings, _mail(ws, snapshot, previous, now, settings.privacy.min_group)
    )
    progress("seminars")
    seminars = _seminars(ws, settings, snapshot, load)
    progress("campaigns and milestones")
    campaigns = campaign_figures(ws, settings, load.tables(snapshot), as_of)
    milestones = milestone_figures(ws, settings, load.tables(snapshot), as_of, snapshot)
    progress("interview candidates")
    interviews = interview_figures(ws, settings, load.tables(snapshot), as_of, now)
    if audience == SHARED:
        mail, campaigns, milestones = _for_the_room(
            mail, campaigns, milestones, settings.privacy.min_group
        )
    review = Review(
        # The meeting's own name (documents.meeting): the files' title was 「1on1 定例会
        # 1on1 定例会レビュー …」, the default name before a title that already had it.
        # Named by its day, not by a month: 「2026年11月（20日まで）」 is the caption of
        # the days 11月1日〜20日 in the division report, and the deck's figures are of the
        # 30 days up to the day and as of it.
        title=f"{settings.documents.meeting}レビュー（基準日 {day(as_of)}）",
        snapshot=snapshot.id,
        as_of=as_of,
        previous_snapshot=previous.id if previous is not None else None,
        previous_as_of=before_as_of,
        summary=_summary(report, report_before),
        funnel=funnel,
        trend=trend,
        divisions=division_figures(report, report_before),
        mail=mail,
        seminars=seminars,
        campaigns=campaigns,
        milestones=milestones,
        interviews=interviews,
        documents=settings.documents,
        sukkiri_scale=f"{settings.exports.sukkiri_scale.min}〜{settings.exports.sukkiri_scale.max}",
    )
    review.audience = audience
    review.before_withheld = before_withheld
    review.actions = next_actions(review, settings)
    review.published = [
        (snap.id, shown.cells, shown.period.start, shown.period.end, deck_cells(shown))
        for snap, shown in ((snapshot, report), (previous, report_before))
        if snap is not None and shown is not None
    ]
    return review


def _report_compared(
    ws: Workspace,
    load: _Loader,
    settings: Settings,
    previous: SnapshotInfo | None,
    as_of: dt.date | None,
    current: DivisionReport,
) -> tuple[DivisionReport | None, bool]:
    """The previous snapshot's report the figures are compared with, and whether it was
    withheld: made again after reports published since (this snapshot's 30 and 90 days),
    its set can give a hidden figure back with them. The deck is still made, its figures
    not compared (said on slides 1 and 4, and by the command); the stuck points, counted
    per person, still are. Refused, the meeting had no deck at all."""
    if previous is None or as_of is None:
        return None, False
    try:
        return _company_report(ws, load, settings, previous, as_of), False
    except PublishedBefore:
        tables = load.tables(previous)
        shown = _deck_only(ws, tables, settings, previous, as_of, current)
        return shown, shown is None


def _deck_only(
    ws: Workspace,
    tables: Tables,
    settings: Settings,
    snapshot: SnapshotInfo,
    as_of: dt.date,
    current: DivisionReport,
) -> DivisionReport | None:
    """The report made with what was published of this snapshot only (not the reports
    since), when what the deck shows of it, with the deck's own figures of now and every
    report published, narrows nothing: the deck publishes those figures, not the report
    set, whose other figures made it refused (a re-run of the review, after this
    snapshot's 30 and 90 days were published, lost its 前回 that way)."""
    try:
        report = build_publication(
            tables, settings, as_of, PERIOD, published_figures(ws, snapshot.id)
        ).company
    except PrivacyAuditError:
        return None
    shown = [as_read_back(r.cells, deck_cells(r)) for r in (current, report)]
    same, other = published_reports(ws, snapshot.id, report.period.start, current.period.end)
    try:
        findings = audit_set([*shown, *same, *other], 0)
    except SolverError:  # another snapshot's figures contradict this one's: left out
        findings = audit_set([*shown, *same], 0)
    return None if findings else report


def _company_report(
    ws: Workspace, load: _Loader, settings: Settings, snapshot: SnapshotInfo, as_of: dt.date
) -> DivisionReport:
    """The company report of the deck's period, protected with its publication set and
    with what earlier runs published for any of its days."""
    tables = load.tables(snapshot)
    return publication_for(ws, settings, tables, snapshot.id, as_of, PERIOD).company


def deck_cells(report: DivisionReport) -> frozenset[int]:
    """The report cells the deck shows: the company's and each 事業部's headline figures."""
    metrics = set(DIVISION_COLUMNS) | {key for key, _, _ in KPIS}
    return frozenset(
        i
        for i, c in enumerate(report.cells)
        if c.table == "overview"
        and c.department is None
        and c.unit != "trend"
        and c.metric in metrics
    )


def _value(value: object) -> tuple[float | None, str]:
    """A published report figure as a number, or None with its privacy label ("<5", "(秘匿)")."""
    if isinstance(value, str):
        return None, value
    if value is None or missing(value):
        return None, ""
    return number(value), ""


def _company(report: DivisionReport) -> dict[str, Cell]:
    """The company row's headline cells (the audited figures, as the report publishes them)."""
    return {
        c.metric: c
        for c in report.cells
        if c.table == "overview" and c.division is None and c.unit != "trend"
    }


def _summary(report: DivisionReport, before: DivisionReport | None) -> list[Kpi]:
    row = _company(report)
    old = _company(before) if before is not None else {}
    kpis = []
    for key, label, kind in KPIS:
        cell = row[key]
        if key == "implementation_rate":  # the basis named, as in the report's header
            label = glossary.implementation_rate_label(report.period.basis)
        elif key in PERIOD_FIGURES:  # a count or an average of the period's 1on1s
            label = glossary.figure_label(key, report.period.basis)
        was = old.get(key)
        # Only published values: a figure the audit hid is never read back from ``raw``.
        kpis.append(
            Kpi(
                key,
                label,
                kind,
                _value(cell.published)[0],
                _value(was.published)[0] if was is not None else None,
                cell.shown if cell.hidden else "",
            )
        )
    return kpis


def _funnel(now: pd.DataFrame, before: pd.DataFrame | None) -> Funnel:
    table = segmentation.summary(now)
    stages = pd.DataFrame(
        {"stuck_point": table["stuck_point"], "label": table["label"], "now": table["total"]}
    )
    if before is None:
        stages["before"] = None
        return Funnel(stages)
    stages["before"] = segmentation.summary(before)["total"].to_numpy()
    movement = segmentation.compare(before, now)
    return Funnel(
        stages,
        moved_on=len(movement.moved_on),
        slid_back=len(movement.slid_back),
        unchanged=int(pd.Series(movement.transitions.to_numpy().diagonal()).sum()),
        joined=movement.joined,
        departed=movement.left,
    )


def _trend(ws: Workspace, snapshot: SnapshotInfo, as_of: dt.date, load: _Loader) -> Trend:
    rows = []
    for snap in list_snapshots(ws):
        if int(snap.id) > int(snapshot.id):
            break
        when = as_of if snap.id == snapshot.id else snap.as_of
        if when is None:
            continue
        table = segmentation.summary(load.segment(snap, when))
        rows.append(
            {"snapshot": snap.id, "as_of": when.isoformat(), "users": int(table["total"].sum())}
            | dict(zip(table["stuck_point"], table["share"], strict=True))
        )
    return Trend(pd.DataFrame(rows, columns=["snapshot", "as_of", "users", *segmentation.KEYS]))


def _for_the_room(
    mail: list[MailRun], campaigns: list[CampaignFigures], milestones: Milestones, minimum: int
) -> tuple[list[MailRun], list[CampaignFigures], Milestones]:
    """Whom each run left out, as the shared deck and workbook say it (``for_the_room``)."""
    return (
        [replace(run, left_out=for_the_room(run.left_out, minimum)) for run in mail],
        [
            replace(
                c, notices=replace(c.notices, left_out=for_the_room(c.notices.left_out, minimum))
            )
            for c in campaigns
        ],
        replace(milestones, left_out=for_the_room(milestones.left_out, minimum)),
    )


def division_figures(report: DivisionReport, before: DivisionReport | None) -> Divisions:
    table = report.overview[DIVISION_COLUMNS].reset_index(drop=True)
    rows = []
    if before is not None:
        # The change is of published values only: where either side is hidden ("<5",
        # "(秘匿)"), there is no change to show, or it would give the hidden one back.
        old = before.overview.set_index("division")["implementation_rate"]
        for division, value in zip(table["division"], table["implementation_rate"], strict=True):
            now, _ = _value(value)
            was = _value(old.get(division))[0] if division in old.index else None
            if now is not None and was is not None:
                rows.append({"division": division, "before": was, "now": now, "change": now - was})
    changes = pd.DataFrame(rows, columns=["division", "before", "now", "change"])
    return Divisions(
        report.period.caption,
        table,
        changes,
        basis=report.period.basis,
        previous_period=before.period.caption if before is not None else "",
        uncovered=_between(before.period, report.period) if before is not None else "",
        report_default=_report_default(report),
        report_before=_report_before(report),
        merged=list(report.division_notes),
        legend=report.legend,
    )


def _between(before: Period, now: Period) -> str:
    """The days after ``before`` ends and before ``now`` starts (「10月21日」), if any."""
    first, last = before.end + dt.timedelta(days=1), now.start - dt.timedelta(days=1)
    if last < first:
        return ""
    if first == last:
        return f"{first.month}月{first.day}日"
    return period_label(first, last).removeprefix(f"{first.year}年")


def _report_default(report: DivisionReport) -> str:
    default = parse_period(DEFAULT_PERIOD, report.period.end)[0]
    return "" if default.basis == report.period.basis else default.basis


def _report_before(report: DivisionReport) -> str:
    """The days a report made without --period compares its 推移 with, when its period is
    not this one's (the reader's report is that one, not one of the deck's 30 days)."""
    default, before = parse_period(DEFAULT_PERIOD, report.period.end)
    return "" if default.basis == report.period.basis else before.caption


def _recordings_of_rehearsals(
    ws: Workspace, settings: Settings, runs: list[MailRun]
) -> list[MailRun]:
    """Each seminar recording run marked when its seminar's invitations were only
    rehearsed: the actions do not suggest delivering it."""
    from ..seminars.mailings import invitations_rehearsed

    marked = []
    for run in runs:
        if run.run_id.startswith(RECORDING_RUNS):
            seminar_id = run.run_id.removeprefix(RECORDING_RUNS).rsplit("-", 1)[0]
            run = replace(
                run, invitations_rehearsed=invitations_rehearsed(ws, settings, seminar_id)
            )
        marked.append(run)
    return marked


def _mail(
    ws: Workspace,
    snapshot: SnapshotInfo,
    previous: SnapshotInfo | None,
    now: pd.DataFrame,
    min_group: int,
) -> list[MailRun]:
    """Runs planned since the previous snapshot (all runs without one), up to this snapshot.

    A run's outcome is what `kops mail report` publishes: a group under ``min_group``
    shows ``<5`` and then no difference or interval is given."""
    ledger = Ledger(ws)
    try:
        runs = ledger.runs()
        frames = {run_id: ledger.frame(run_id) for run_id in runs["run_id"]}
        described = {
            run_id: (ledger.run(run_id) or {}).get("description") for run_id in runs["run_id"]
        }
    finally:
        ledger.close()
    low = int(previous.id) if previous is not None else 0
    result = []
    for run in runs.to_dict("records"):
        planned_on = int(run["snapshot"] or 0)
        if not low <= planned_on <= int(snapshot.id):
            continue
        key = (
            run["segment_key"]
            if isinstance(run["segment_key"], str) and run["segment_key"]
            else None
        )
        effect: Difference | None = None
        outcome: pd.DataFrame | None = None
        note = ""
        if key is None:
            note = _unmeasured_note(str(run["run_id"]))
        elif int(run["holdout"]) == 0:
            note = "比較群なし（一部の人に送らず比べると効果を測れます）"
            if mailed_state(frames[run["run_id"]]) == "written":
                # Not sent either: that first (「比較群なし」 alone read as the one thing
                # missing from a run nobody received).
                # Sent later, it is still without a holdout: never measured (「まだ」 said wait).
                note = "測定できません（比較群なし。書き出しのみで、まだ送っていません）"
        elif mailed_state(frames[run["run_id"]]) == "written":
            effect = Difference(0, 0, 0, 0, reason=NOT_DELIVERED)  # a rehearsal: no effect
        elif planned_on >= int(snapshot.id) or (
            snapshot.as_of is not None and measured_too_soon(frames[run["run_id"]], snapshot.as_of)
        ):
            effect = Difference(0, 0, 0, 0, reason=NO_LATER_SNAPSHOT)
        else:
            raw = run_effect(frames[run["run_id"]], key, now)
            outcome = protect_effect(raw, min_group)
            shown = shown_difference(outcome)
            if shown is None:
                note = f"{min_group}人未満のグループがあるため、差は表示しません"
            else:
                # As `kops mail report` gives it: from the true fractions, not rounded shares.
                effect = difference(raw)
        result.append(
            MailRun(
                run_id=str(run["run_id"]),
                created_at=str(run["created_at"]),
                segment_key=key,
                snapshot=str(run["snapshot"]),
                sent=int(run["sent"]),
                bounced=int(run.get("bounced", 0)),
                written=int(run.get("written", 0)),
                deferred=int(run.get("deferred", 0)),
                failed=int(run["temp_failed"]) + int(run["perm_failed"]),
                unknown=int(run.get("sending", 0)),
                suppressed=int(run["suppressed"]),
                holdout=int(run["holdout"]),
                effect=effect,
                outcome=outcome,
                note=note,
                left_out=left_out(described.get(run["run_id"])),
            )
        )
    return result


def _unmeasured_note(run_id: str) -> str:
    """Why a run sent to no one stuck point is not measured here. A seminar's invitation
    went to several stuck points: its outcome is on the seminar's own slide (出席した人・
    しなかった人), not 「対象がスタックポイントではない」 (untrue of it)."""
    words = "一つのスタックポイントへの配信ではないため効果測定なし"
    if run_id.startswith("seminar."):
        words += "（セミナーの結果はセミナーのスライドに）"
    return words


def _upcoming(config: Seminar) -> str:
    """The day of a seminar still to come (by the clock), as the deck says it; "" once held."""
    from ...clock import now
    from ..seminars.invitations import seminar_over

    held = config.day
    if held is None or seminar_over(config, now()):
        return ""
    return day(held)


def _seminars(
    ws: Workspace, settings: Settings, snapshot: SnapshotInfo, load: _Loader
) -> list[SeminarFigures]:
    result = []
    scale = settings.seminar_survey.satisfaction_scale
    for seminar_id in settings.seminars:
        # The deck shows the seminars invited to; the others are not summarised at all.
        if not invitation_sent(ws, settings, seminar_id):
            continue
        found = summarise_seminar(ws, settings, seminar_id, snapshot, load.tables)
        summary = found.summary
        scores = summary.satisfaction
        answered = int(scores["answers"].sum()) if len(scores) else 0
        # The deck is shared: an average of fewer than min_group answers is not shown
        # (1.5 from 2 people tells each one's score).
        average = (
            float((scores["satisfaction"] * scores["answers"]).sum() / answered)
            if shows(answered, minimum(settings))
            else None
        )
        # One row per group with its answers; "<5" groups stay hidden, as in the summary.
        counts = pd.to_numeric(summary.free_text.set_index("group")["answers"], errors="coerce")
        groups = counts.dropna().astype(int).sort_values(ascending=False, kind="stable")
        result.append(
            SeminarFigures(
                seminar_id=seminar_id,
                title=found.title,
                invited=summary.invited,
                attended=summary.attended,
                uninvited=summary.uninvited,
                rehearsed=summary.rehearsed,
                unsent=summary.unsent,
                upcoming=_upcoming(settings.seminars[seminar_id]),
                answers=summary.answers,
                answers_not_on_list=summary.answers_not_on_list,
                satisfaction_avg=average,
                satisfaction_answers=answered,
                top_groups=[(str(g), int(n)) for g, n in groups.head(3).items()],
                interests=[
                    (str(r.interest), whole(r.chosen_by))
                    for r in summary.interests.itertuples(index=False)
                ],
                interest_answers=summary.interest_answers,
                movement=summary.movement,
                mix_note=summary.movement_mix_note,
                scale=f"{scale.min}〜{scale.max}",
                min_group=minimum(settings),
                note="次のデータの取り込み後に次の段階に進んだ人の比較を表示します"
                if found.movement_pending
                else "",
            )
        )
    return result

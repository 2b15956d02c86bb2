"""Next actions: simple, explainable rules over the review's figures.

Each suggestion carries the number that triggered it and the command that carries it out, so
the meeting can check the reasoning and act on it the same day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ... import glossary
from ...analyses import segmentation
from ...clock import now
from ...config import Settings
from ...mail.holdout import measurable_share, short_below
from ...numbers import percent
from .figures import Action, CampaignFigures, MailRun, Review
from .titles import AWARD_NOTICES, day, difference_words, points, run_title

UNSENT = re.compile(r"([\d,]+)通$")
# A division's implementation rate must fall by at least this much to be called out.
DIVISION_DROP = 0.05
MAX_ACTIONS = 6


def next_actions(review: Review, settings: Settings) -> list[Action]:
    """The suggestions, most pressing first: the largest stuck point, the 事業部 whose
    rate fell most, people sliding back, the mail runs' effect, campaigns to award,
    milestones to send, interviews to ask for."""
    largest = _largest_stuck_point(review, settings)
    mails = _mail_effects(review)
    largest, mails = _planned_already(review, largest, mails)
    # A rehearsal of last month's data to plan again for the stuck point the first action
    # already mails is that action: said once, with its holdout, and that the earlier
    # mails were never sent (the room would otherwise take them for delivered).
    again = [a for a in mails if _repeats(a, largest)]
    if largest is not None and again:
        # The count of each (its basis ends 「… 13通」): short, the cell is narrow.
        unsent = sum(int(n.replace(",", "")) for a in again for n in UNSENT.findall(a.basis))
        largest = replace(largest, basis=f"{largest.basis}。前回の{unsent:,}通は未送信")
    found = [
        largest,
        _division_drop(review),
        _slid_back(review),
        *(a for a in mails if a not in again),
        *(_campaign_action(c) for c in review.campaigns),
        _milestones(review),
        _interviews(review),
    ]
    chosen = [action for action in found if action is not None][:MAX_ACTIONS]
    if settings.mail.transport != "outbox":
        return chosen
    # Mail only written to files while the transport stays the outbox: 「届ける」 with a
    # send command that writes them again reached nobody (the notes said nothing of it).
    return [replace(a, command=f"{a.command}{OUTBOX_FIRST}") if _sends(a) else a for a in chosen]


OUTBOX_FIRST = "（mail.transport を smtp か graph にしてから。outbox のままでは書き出すだけです）"


def _sends(action: Action) -> bool:
    """Whether carrying the action out is sending mail (its command, or delivering a run)."""
    return action.command.startswith("kops mail send") or action.text.endswith("届ける")


def _planned_already(
    review: Review, largest: Action | None, mails: list[Action]
) -> tuple[Action | None, list[Action]]:
    """When this data's run for the largest stuck point is planned and only written to
    the outbox, the first action is to deliver it: a new send with a holdout is refused
    (the run is planned with another selection), and the slide said both."""
    if largest is None:
        return largest, mails
    key = SEGMENT.search(largest.command)
    # Planned on this data and not all sent: only written to the outbox (with a holdout
    # or not), or held for a later day (the send window, a cap).
    planned = [
        run
        for run in review.mail
        if key is not None
        and run.segment_key == key.group(1)
        and run.snapshot == review.snapshot
        and (run.rehearsal or run.deferred)
    ]
    if not planned:
        return largest, mails
    run = planned[-1]
    deliver = f"kops mail status {run.run_id}"
    title = run_title(run.run_id, review)
    if not run.rehearsal:
        waiting = "送信待ち: 続きを送る"
    elif run.holdout:
        waiting = "未送信: 届けてから効果を比べる"
    else:
        waiting = "未送信: 届ける"
    count = f"書き出しのみ {run.written:,}通" if run.rehearsal else f"送信待ち {run.deferred:,}通"
    largest = replace(
        largest,
        text=f"{largest.text}: 計画済みのメール「{title}」は{waiting}",
        basis=f"{largest.basis}。{count}",
        command=deliver,
    )
    # This run is the action: its own row, and an older rehearsal's 「plan again」 for the
    # same stuck point, would say it twice or send the room back to planning.
    again = f"kops mail send --segment {key.group(1)}" if key else ""
    return largest, [a for a in mails if a.command not in (deliver, again)]


SEGMENT = re.compile(r"--segment (\S+)")


def _repeats(action: Action, earlier: Action | None) -> bool:
    """Whether ``action`` runs what ``earlier`` runs (the same command, or it with more
    options such as a holdout)."""
    return earlier is not None and (
        earlier.command == action.command or earlier.command.startswith(f"{action.command} ")
    )


def _largest_stuck_point(review: Review, settings: Settings) -> Action | None:
    """Mail (and the seminar for it) to the stuck point holding the most people."""
    stages = review.funnel.stages
    stuck = stages[stages["stuck_point"] != "healthy"]
    total = int(stages["now"].sum())
    if not len(stuck) or int(stuck["now"].max()) <= 0:
        return None
    row = stuck.iloc[int(stuck["now"].astype(int).argmax())]
    point = segmentation.BY_KEY[str(row["stuck_point"])]
    # Held by the data's day or by today, whichever is later: the meeting is today.
    seminar = _seminar_for(settings, point.seminar, max(review.as_of, now().date()))
    what = "メール" + (f"と{seminar}" if seminar else "")
    # A holdout both of whose groups can be shown (else none: it could not be measured).
    share = measurable_share(int(row["now"]), settings.privacy.min_group)
    holdout = f" --holdout {share}" if share else ""
    return Action(
        text=f"最も多いスタックポイント「{point.label}」に{what}",
        basis=f"{int(row['now'])}人（全体の{percent(int(row['now']) / max(total, 1))}）"
        + _holdout_said(int(row["now"]), settings.privacy.min_group, share),
        command=f"kops mail send --segment {point.key}{holdout}",
        headline=f"最も多いスタックポイント「{point.label}」にメール"
        + (("とセミナーの録画" if seminar.endswith("の録画") else "とセミナー") if seminar else ""),
    )


def _holdout_said(people: int, min_group: int, share: int | None) -> str:
    """Why the command holds back this share (the README's example holds back 30%):
    「。比較群50%（30%では比較群が10人未満）」."""
    if not share:
        return ""
    short = short_below(people, min_group, share)
    if short is None:
        return f"。比較群{share}%"
    lower, least = short
    return f"。比較群{share}%（{lower}%では比較群が{least}人未満）"


def _division_drop(review: Review) -> Action | None:
    """The 事業部 whose 1on1実施率 fell most, when it fell by DIVISION_DROP or more."""
    changes = review.divisions.changes
    if not len(changes):
        return None
    worst = changes.iloc[int(changes["change"].argmin())]
    if float(worst["change"]) > -DIVISION_DROP:
        return None
    return Action(
        text=f"{worst['division']}の1on1実施率が最も下がった: 事業部長と原因を確認",
        basis=f"{percent(float(worst['before']))} → {percent(float(worst['now']))}"
        f"（{points(float(worst['change']))}）",
        command=f"kops segment --division {worst['division']} --list",
    )


def _slid_back(review: Review) -> Action | None:
    """More people went back a stage than on to the next."""
    funnel = review.funnel
    if funnel.slid_back is None or funnel.moved_on is None:
        return None
    if funnel.slid_back <= funnel.moved_on:
        return None
    return Action(
        text="前の段階に戻った人が次の段階に進んだ人より多い: 戻った人の内訳を確認",
        basis=(f"前の段階に戻った {funnel.slid_back}人 ＞ 次の段階に進んだ {funnel.moved_on}人"),
        command="kops segment --compare " + str(review.previous_snapshot),
    )


def _rehearsed(run: MailRun, review: Review) -> Action:
    """Deliver a rehearsed run to measure it; but one planned on older data is planned
    again: its mails state that data's facts (「10月20日時点…3回のうち1回」), untrue of
    those who have since prepared, booked or moved on."""
    basis = (
        f"{glossary.column_label('sent')} 0・{glossary.column_label('written')} {run.written:,}通"
    )
    title = run_title(run.run_id, review)
    if run.snapshot == review.snapshot:
        return Action(
            text=f"メール「{title}」は書き出しのみ（未送信）: 届けてから効果を比べる",
            basis=basis,
            command=f"kops mail status {run.run_id}",
        )
    when = (
        f"{day(review.previous_as_of)}時点"
        if run.snapshot == review.previous_snapshot and review.previous_as_of is not None
        else "前のデータ取り込み時点"
    )
    return Action(
        text=f"メール「{title}」は書き出しのみ（未送信）で、文面は{when}のデータ:"
        " 送るなら最新のデータで計画し直す",
        basis=basis,
        command=f"kops mail send --segment {run.segment_key}",
    )


# The recording's run (jobs/seminars: seminar.recording-month1): as undelivered as a
# stuck point's, and the one most worth sending now; it was left off the actions.
RECORDING_RUNS = "seminar.recording-"


def _mail_effects(review: Review) -> list[Action]:
    """Each mail run with a measured effect: keep it, or rework its text."""
    actions = []
    for run in review.mail:
        if run.rehearsal and run.effect is not None:
            # Written to the outbox only: it reached no one, so the difference from the
            # holdout says nothing of its text (「文面を見直す」 would be advice from noise).
            actions.append(_rehearsed(run, review))
            continue
        # A recording of a seminar whose invitations were only rehearsed reaches no one
        # invited: 「届ける」 would be refused (`seminar remind`), so it is not suggested.
        recording = run.run_id.startswith(RECORDING_RUNS) and not run.invitations_rehearsed
        deliverable = run.segment_key or recording
        if run.rehearsal and deliverable and run.snapshot == review.snapshot:
            # A stuck point's run of this data without a holdout, or a seminar's recording
            # for those who missed it, written only: deliver it (there is nothing to
            # compare; its facts are still today's).
            actions.append(
                Action(
                    text=f"メール「{run_title(run.run_id, review)}」は未送信: 届ける",
                    basis=f"{glossary.column_label('written')} {run.written:,}通",
                    command=f"kops mail status {run.run_id}",
                )
            )
            continue
        if run.effect is not None and run.effect.measured and run.effect.low is not None:
            verdict = "効果あり: 次月も継続" if run.effect.low > 0 else "効果は未確認: 文面を見直す"
            actions.append(
                Action(
                    text=f"メール「{run_title(run.run_id, review)}」: {verdict}",
                    basis=difference_words(run.effect),
                    command=f"kops mail report {run.run_id}",
                )
            )
    return actions


def _milestones(review: Review) -> Action | None:
    """Milestone notices due and not sent: written to the outbox already on this data
    (a rehearsal), to be delivered; else to be sent (it said 「送る」 after they had been
    written, and the operator could not tell the step had run)."""
    due = review.milestones.due_manager + review.milestones.due_member
    if not due:
        return None
    written = [
        run
        for run in review.mail
        if run.run_id.startswith("milestone") and run.rehearsal and run.snapshot == review.snapshot
    ]
    if written:
        return Action(
            text="マイルストーンのお知らせは書き出しのみ（未送信）: 届ける",
            basis=f"{glossary.column_label('due')} {due}件、書き出しのみ {written[-1].written:,}通",
            command="kops mail send --milestones",
        )
    return Action(
        text="マイルストーンのお知らせを送る",
        basis=f"{glossary.column_label('due')} {due}件（上司 {review.milestones.due_manager}・"
        f"部下 {review.milestones.due_member}）",
        command="kops mail send --milestones",
    )


def _interviews(review: Review) -> Action | None:
    """Ask the shortlist's first pair for a good-practice interview."""
    interviews = review.interviews
    if not (interviews.eligible_pairs and len(interviews.top)):
        return None
    top = interviews.top.iloc[0]
    # The shortlist's candidates are slide 8's 6; the pairs they were chosen from are not
    # 「候補 29組」 (two counts under one word).
    among = f"条件を満たすペア {interviews.eligible_pairs}組から選んだ{interviews.shortlisted}組"
    return Action(
        text="好事例インタビューの依頼: 選んだ順に",
        basis=f"{among}、1番目 {top['manager_name']}・{top['member_name']}"
        if review.names_people
        else f"{among}、1番目は{top['division']}のペア",
        command="kops interview shortlist",
    )


def _seminar_for(settings: Settings, month: int | None, as_of: dt.date) -> str | None:
    """The configured seminar of that month of the series, by the title people know it
    by (「セミナー「…」」); its place in the series ("Month2") is kops's word, not theirs.
    One held by the data's day is suggested by its recording (or not at all): the room
    was told to send people to a seminar held a month before."""
    if month is None:
        return None
    for config in settings.seminars.values():
        if config.month == month:
            name = f"セミナー「{config.title}」" if config.title else "セミナー"
            held = config.day is not None and config.day <= as_of
            if not held:
                return name
            return f"{name}の録画" if config.recording_url else None
    return None


def _notices_unsent(campaign: CampaignFigures) -> Action | None:
    """Everyone due is awarded, but the notices were only written to the outbox: the
    awarded do not know yet (slide 7 said so; the actions said nothing)."""
    notices = campaign.notices
    told = notices.mails + notices.deferred + notices.not_sent
    if campaign.awarded and not campaign.by_draw and told == 0:
        # Awarded, and no notice planned at all (the month's steps had no send after the
        # award): 78 people awarded and never told, and the actions said nothing. (Winners
        # of a draw are told by the winner mail, not by an award notice.)
        return Action(
            text=f"{campaign.title}: 付与した人に{AWARD_NOTICES}を送る",
            basis=f"付与済み {campaign.awarded}人、{AWARD_NOTICES} 0通",
            command=f"kops mail send --awarded {campaign.campaign_id}",
        )
    if not (campaign.awarded and notices.rehearsal):
        return None
    return Action(
        text=f"{campaign.title}: {AWARD_NOTICES}は未送信: 届ける",
        basis=f"付与済み {campaign.awarded}人、未送信 {notices.written:,}通",
        command=f"kops mail send --awarded {campaign.campaign_id}",
    )


def _campaign_action(campaign: CampaignFigures) -> Action | None:
    """A campaign awarded by draw is drawn first, then its winners are awarded and told
    (everyone else eligible is not awarded: they are told they were not drawn); any
    other campaign awards everyone eligible. Either way: award whoever is still due."""
    if campaign.by_draw and not campaign.drawn:
        if not campaign.entries:
            return None
        return Action(
            text=f"{campaign.title}: 応募者から抽選する",
            basis=f"応募 {campaign.entries}人、未抽選",
            command=f"kops campaign draw {campaign.campaign_id} --winners N --seed TEXT",
        )
    if campaign.by_draw:
        what = "当選者に付与して案内（落選者には付与しない）"
        due, awarded, basis = campaign.winners, campaign.awarded_winners, "当選"
    else:
        what = "未付与の対象者に付与して案内"
        due, awarded, basis = campaign.eligible, campaign.awarded, "対象"
    if due - awarded <= 0:
        return _notices_unsent(campaign)
    return Action(
        text=f"{campaign.title}: {what}",
        basis=f"{basis} {due}人、付与済み {awarded}人",
        command=f"kops campaign award {campaign.campaign_id}",
    )

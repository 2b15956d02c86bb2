"""The slides about what the secretariat did this month: mail runs and seminars."""

from __future__ import annotations

import pandas as pd

from ... import glossary
from ...analyses.mail_effect import NO_LATER_SNAPSHOT
from ...analyses.seminar_movement import BY_STUCK_POINT_POINTER, SELF_SELECTION
from ...model import whole
from ...numbers import fixed, percent
from ...outputs.review_pptx import Chart, Slide, Table
from ...privacy.rules import is_small, shows
from ..seminars.summary_workflow import (
    answers_line,
    attendance_line,
    attended_difference,
    invited_words,
)
from .figures import MailRun, Review, SeminarFigures
from .mail_counts import left_out_cell, unmeasured_words
from .titles import TITLES, difference_words, run_title

GROUPS = {"mailed": "送付", "holdout": "比較群"}
OPTIONAL_COUNTS = {2, 3, 4, 5, 6, 7, 9}  # 不達, 書き出しのみ, 後日送信, 失敗, 不明, 対象外, 除いた


def mail_slide(review: Review) -> Slide:
    title = f"5. {TITLES['mail']}"
    if not review.mail:
        return Slide(
            title,
            message="この期間のメール配信はまだありません",
            bullets=[
                "配信するときは一部の人に送らず比べると、次のデータ取り込み後に効果が分かります",
            ],
            notes="配信と効果測定: kops mail send --segment KEY --holdout 20",
        )
    table = _mail_table(review)
    # 不達 is explained only beside its column (left out when no run had a bounce).
    bounced = f"{BOUNCED} = 送信後に不達通知が戻った数。" if BOUNCED in table.columns else ""
    if LEFT_OUT in table.columns:  # why a run's mails are fewer than the people it was for
        bounced += f"{LEFT_OUT} = 配信の対象のうち、送らなかった人（理由）。"
    return Slide(
        title,
        message=_mail_message(review),
        subtitle=f"前回のデータ以降の配信。{bounced}比較群 = 比べるため送らなかった人",
        table=table,
        chart=_mail_chart(review),
        stacked=True,
        # The interval is explained where one is given.
        footnote=(
            "95%信頼区間が0をまたぐ差は誤差の範囲。"
            if any(r.effect is not None and r.effect.measured for r in review.mail)
            else ""
        )
        + "次のデータがない・未送信の配信はまだ測定できません。"
        "比較群がない・人数が少ない配信は測定できません",
        # The method's name is for whoever checks the figures, not for the room.
        notes="95%信頼区間: Newcombe法（kops mail report と同じ）\n"
        + "\n".join(f"{run_title(r.run_id, review)}: {r.run_id}" for r in review.mail),
    )


BOUNCED = glossary.column_label("bounced")
LEFT_OUT = glossary.column_label("left_out")
# The counts by the glossary's words (as `kops mail status` and the workbook's sheet 5).
MAIL_COLUMNS = [
    "配信",
    # A qualifier on its own line: 「比較群（送らな/い）」 reads badly broken.
    *(
        glossary.column_label(key).replace("（", "\n（", 1)
        for key in (
            "sent",
            "bounced",
            "written",
            "deferred",
            "failed",
            "unknown",
            "suppressed",
            "holdout",
        )
    ),
    LEFT_OUT,
    f"{glossary.column_label('share_left')}の差（送付−比較群）",
]
MAIL_WIDTHS = [2.3, 0.7, 0.6, 0.9, 0.8, 0.7, 0.8, 0.8, 1.1, 2.5, 3.5]


def _first_shown(run: MailRun) -> int:
    """The slide's order (it shows six rows): measured runs, then those awaiting data, then
    the others that reached someone, then the rest (rehearsals), each in the order they
    were planned; the run the headline says to wait for was cut off under 「…ほか 2行」
    below runs nothing will measure, and a run of 14 mails sent under rehearsals of none."""
    if run.effect is not None and run.effect.measured:
        return 0
    if _awaits_data(run):
        return 1
    return 2 if run.sent else 3


def _awaits_data(run: MailRun) -> bool:
    """Sent, and measured once a snapshot after it is ingested."""
    return run.effect is not None and run.effect.reason == NO_LATER_SNAPSHOT


def _mail_table(review: Review) -> Table:
    """A row per run: its counts and what was measured."""
    rows = [
        [
            run_title(run.run_id, review),
            f"{run.sent:,}",
            f"{run.bounced:,}",
            f"{run.written:,}",
            f"{run.deferred:,}",
            f"{run.failed:,}",
            f"{run.unknown:,}",
            f"{run.suppressed:,}",
            f"{run.holdout:,}",
            left_out_cell(run.left_out),
            _measured(run),
        ]
        for run in sorted(review.mail, key=_first_shown)
    ]
    # Counts that are zero in every run say nothing: their columns are left out.
    keep = [
        i
        for i in range(len(MAIL_COLUMNS))
        if i not in OPTIONAL_COUNTS or any(row[i] != "0" for row in rows)
    ]
    return Table(
        [MAIL_COLUMNS[i] for i in keep],
        [[row[i] for i in keep] for row in rows],
        widths=[MAIL_WIDTHS[i] for i in keep],
    )


def _measured(run: MailRun) -> str:
    """A run's effect: the difference with both groups' counts, why it is not measured
    yet, or the groups' outcome as published."""
    effect = run.effect
    if effect is None and run.outcome is not None:
        return f"{_groups(run.outcome)}: {run.note}"
    if effect is not None and effect.measured:
        return (
            f"{difference_words(effect)} 送付{effect.mailed_left}/{effect.mailed_n}人"
            f"・比較群{effect.holdout_left}/{effect.holdout_n}人"
        )
    return unmeasured_words(run)


def _mail_chart(review: Review) -> Chart | None:
    """Who left the stuck point, mailed beside holdout, per measured run."""
    # Only runs whose shares are both published (and so whole percents, as in the report).
    plotted: list[tuple[str, float, float]] = []
    for run in review.mail:
        effect = run.effect
        if effect is not None and effect.measured and run.outcome is not None:
            shares = run.outcome.set_index("group")["share_left"]
            name = (
                f"{run_title(run.run_id, review)}"
                f"（送付 {effect.mailed_n}人・比較群 {effect.holdout_n}人）"
            )
            plotted.append((name, float(shares["mailed"]), float(shares["holdout"])))
    if not plotted:
        return None
    return Chart(
        "column",
        f"スタックポイントから{glossary.column_label('share_left')}",
        [name for name, _, _ in plotted],
        [
            (glossary.EFFECT_GROUPS["mailed"], [mailed for _, mailed, _ in plotted]),
            (glossary.EFFECT_GROUPS["holdout"], [held for _, _, held in plotted]),
        ],
        number_format="0%",
        value_title=glossary.figure_label("share_left", "%"),
    )


def _when_measured(runs: list[MailRun]) -> str:
    """When the runs' effect will be known: after the next ingest only where a sent run
    awaits data from after it (the room was told to wait a month for runs with no holdout,
    or groups too small, that no ingest will measure)."""
    if any(_awaits_data(r) for r in runs):
        return "効果は次のデータ取り込み後に分かります"
    return "効果を測れる配信はありません（理由は表に）"


def _mail_message(review: Review) -> str:
    # Only delivered runs are measured: one only written to the outbox reached no one, and
    # the room must not hear an effect of it (「…（未送信）：差は誤差の範囲」 read as "the mail
    # does not work").
    measured = [r for r in review.mail if r.effect is not None and r.effect.measured]
    sent = sum(r.sent for r in review.mail)
    # 配信 (a run) and 通 (its mails): 「メール5件」 read as five mails of the 211 written.
    if not measured and all(r.rehearsal for r in review.mail):
        written = sum(r.written for r in review.mail)
        return (
            f"配信{len(review.mail)}件（{written:,}通）はすべて書き出しのみ（未送信）："
            f"{NOT_DELIVERED_WORDS}"
        )
    if not measured:
        return f"配信{len(review.mail)}件・送信{sent:,}通。{_when_measured(review.mail)}"
    run = measured[0]
    assert run.effect is not None
    words = difference_words(run.effect).split("（", 1)[0]
    return f"{run_title(run.run_id, review)}のメール：{words}"


# The deck's words for mail_effect.NOT_DELIVERED (a run only written to the outbox).
NOT_DELIVERED_WORDS = "まだ送っていないため、効果はまだ分かりません"


def _groups(outcome: pd.DataFrame) -> str:
    """Who left the stuck point per group, as published: a small group reads ``<5``."""
    return "・".join(
        f"{GROUPS[str(r['group'])]}{r['left_stuck_point']}/{int(r['in_snapshot'])}"
        for r in outcome.to_dict("records")
    )


INTEREST_ROWS = 7  # the choices of the survey, ranked (the workbook has them all)


def interest_table(
    interests: list[tuple[str, int]], answers: int, minimum: int = 5
) -> Table | None:
    """The survey's choices (知りたいテーマ) ranked, with n; the next seminar's content is
    chosen from them. The deck is shared: a choice of fewer than ``minimum`` people reads
    「<5」 with no share, unranked (as the free-text groups beside it are hidden)."""
    if not interests:
        return None
    shown = [(name, count) for name, count in interests if shows(count, minimum)]
    small = [(name, count) for name, count in interests if is_small(count, minimum)]
    rows = [
        [str(rank), name, f"{count:,}人", percent(count / answers) if answers else "－"]
        for rank, (name, count) in _ranked(shown)
    ]
    rows += [["－", name, f"<{minimum}", "－"] for name, _count in small]
    return Table(
        ["順位", f"知りたいテーマ（選択式・複数回答、回答 {answers:,}件）", "選んだ人", "割合"],
        rows[:INTEREST_ROWS],
        widths=[0.5, 3.0, 0.9, 0.7],
    )


def _ranked(interests: list[tuple[str, int]]) -> list[tuple[int, tuple[str, int]]]:
    """Competition ranking (1, 1, 1, 4): equal counts share a rank."""
    ranked, previous, rank = [], None, 0
    for index, (name, count) in enumerate(interests, start=1):
        if count != previous:
            rank, previous = index, count
        ranked.append((rank, (name, count)))
    return ranked


def _moved(group: str, moved_on: object, n: int) -> str:
    """「出席した人 4/17人」, or for a group under min_group its n only (the count is hidden)."""
    if isinstance(moved_on, str):  # "<5": the group is too small to show who moved on
        return f"{group} {n}人（人数が少ないため非表示）"  # glossary.HIDDEN["<5"]
    return f"{group} {moved_on}/{n}人"


def seminar_slides(review: Review) -> list[Slide]:
    if not review.seminars:
        return [
            Slide(
                f"6. {TITLES['seminar']}",
                message="まだ案内したセミナーはありません",
                bullets=["スタックポイントに合うセミナーから案内します（Month1〜Month4）"],
                notes="案内: kops seminar invite month1（テーマは kops seminar list）",
            )
        ]
    slides = []
    for s in review.seminars:
        bullets = _seminar_bullets(s)
        chart = None
        footnote = ""
        if s.movement is not None and len(s.movement):
            moved = s.movement
            # n in every label; a hidden share (a group under min_group) is left out of
            # the chart, never drawn as zero.
            chart = Chart(
                "column",
                "セミナー後の最新データで次の段階に進んだ割合",
                [f"{r.group_label}（{r.in_snapshot}人）" for r in moved.itertuples()],
                [
                    (
                        "次の段階に進んだ割合",
                        [
                            None if v is None or v != v else float(v)
                            for v in moved["share_moved_on"]
                        ],
                    )
                ],
                number_format="0%",
            )
            bullets.append(
                "次の段階に進んだ人: "
                + " ／ ".join(
                    _moved(str(r.group_label), r.moved_on, whole(r.in_snapshot))
                    for r in moved.itertuples()
                )
                + attended_difference(moved)
            )
            # The deck has no table per stuck point: the note says where it is.
            mix = s.mix_note.replace(
                BY_STUCK_POINT_POINTER,
                "スタックポイント別の比較は事務局のセミナー集計にあります。",
            )
            footnote = " ".join(filter(None, [SELF_SELECTION, mix]))
        elif s.note:
            bullets.append(s.note)
        if s.rehearsed and s.rehearsed == s.invited:
            # Invitations only written to the outbox reached nobody: 17 of 65 came to a
            # seminar no mail announced (the room read it as the invitation's turn-out).
            bullets.insert(
                1,
                "招待メールは届いていない（書き出しのみ）ため、出席は招待によるものではありません",
            )
        slides.append(
            Slide(
                f"6. {TITLES['seminar']}: {s.title}",
                message=_seminar_message(s),
                notes=f"セミナーID: {s.seminar_id}",
                bullets=bullets,
                table=interest_table(s.interests, s.interest_answers, s.min_group),
                chart=chart,
                footnote=footnote,
            )
        )
    return slides


def _seminar_bullets(s: SeminarFigures) -> list[str]:
    """Attendance (or, still to come, the invitations and the day), the survey's answers,
    its average and what people want to know now."""
    satisfaction = (
        fixed(s.satisfaction_avg, 1)
        if s.satisfaction_avg is not None
        else "非表示（回答が少ないため）"
        if s.satisfaction_answers
        else "－"
    )
    return [
        # A seminar still to come has its invitations and its day, nothing else yet.
        attendance_line(s, s.answers)
        if not s.upcoming
        else f"{invited_words(s.invited, s.rehearsed, ' ', s.unsent)} ／ {s.upcoming}開催予定",
        *filter(None, [answers_line(s.answers, s.answers_not_on_list)]),
        f"{glossary.column_label('satisfaction_avg')} {satisfaction}"
        f"（{s.scale}、回答 {s.satisfaction_answers:,}件）",
        "今、知りたいこと（自由記述、上位）: "
        + (
            "、".join(f"{g} {n}件" for g, n in s.top_groups)
            or ("どの区分も回答が少ないため非表示" if s.answers else "回答なし")
        ),
    ]


def _seminar_message(s: SeminarFigures) -> str:
    """出席 and, once the next data is in, who moved on in each group with its n."""
    invited = invited_words(s.invited, s.rehearsed, "", s.unsent)
    if s.upcoming:  # invited, still to come: 「出席0人」 would read as nobody came
        return f"{invited}。{s.upcoming}開催予定で、出席はまだありません"
    # Who came of those invited, then the others: 「出席23人（招待65人）」 read as 35%.
    text = f"{invited}のうち出席{s.invited_attended:,}人"
    if s.uninvited:
        text += f"（ほかに招待外の参加{s.uninvited:,}人）"
    if s.movement is not None and len(s.movement):
        shares = [f"{r.group_label}{r.moved_on}/{r.in_snapshot}人" for r in s.movement.itertuples()]
        text += "。次の段階に進んだのは" + "、".join(shares)
        # 17 + 47 of 65 invited: who is not in the latest data (left since) is said.
        gone = int((s.movement["users"] - s.movement["in_snapshot"]).sum())
        if gone > 0:
            text += f"（最新のデータにいない{gone:,}人を除く）"
    return text

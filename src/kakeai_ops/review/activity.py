"""The slides about what the secretariat did this month: mail runs and seminars."""

from __future__ import annotations

import pandas as pd

from ..analyses.mail_effect import NOT_YET
from ..analyses.seminar_movement import SELF_SELECTION
from ..outputs.review_pptx import Chart, Slide, Table
from ..seminar_summary import answers_line, attendance_line
from .figures import Review
from .titles import TITLES


def mail_slide(review: Review) -> Slide:
    title = f"5. {TITLES['mail']}"
    if not review.mail:
        return Slide(
            title,
            bullets=[
                "この期間のメール配信はまだありません",
                "配信と効果測定: kops mail send --segment KEY --holdout 10"
                "（次のスナップショットの取り込み後に効果が出ます）",
            ],
        )
    rows = []
    for run in review.mail:
        effect = run.effect
        if effect is None and run.outcome is not None:
            measured = f"{_groups(run.outcome)}: {run.note}"
        elif effect is None:
            measured = run.note
        elif effect.measured:
            low, high = effect.low or 0.0, effect.high or 0.0
            measured = (
                f"差 {_pt(effect.difference or 0.0)}"
                f"（95%CI {_pt(low)}〜{_pt(high)}"
                f"、{'有意差なし' if low <= 0 <= high else '有意差あり'}）"
                f" 配信{effect.mailed_left}/{effect.mailed_n}"
                f"・保留{effect.holdout_left}/{effect.holdout_n}"
            )
        else:
            measured = f"{NOT_YET}（{_reason(effect.reason)}）"
        rows.append(
            [
                run.run_id,
                f"{run.sent:,}",
                f"{run.bounced:,}",
                f"{run.written:,}",
                f"{run.deferred:,}",
                f"{run.failed:,}",
                f"{run.suppressed:,}",
                f"{run.holdout:,}",
                measured,
            ]
        )
    table = Table(
        [
            "配信",
            "送信",
            "不達",
            "outbox（未送信）",
            "後日送信",
            "失敗",
            "停止",
            "保留",
            "スタックポイントを抜けた割合（配信−保留）",
        ],
        rows,
        widths=[2.4, 0.7, 0.6, 0.9, 0.8, 0.7, 0.7, 0.7, 4.0],
    )
    # Only runs whose shares are both published (and so whole percents, as in the report).
    plotted: list[tuple[str, float, float]] = []
    for run in review.mail:
        if run.effect is not None and run.effect.measured and run.outcome is not None:
            shares = run.outcome.set_index("group")["share_left"]
            plotted.append((run.run_id, float(shares["mailed"]), float(shares["holdout"])))
    chart = None
    if plotted:
        chart = Chart(
            "column",
            "スタックポイントを抜けた割合",
            [run_id for run_id, _, _ in plotted],
            [
                ("配信", [mailed for _, mailed, _ in plotted]),
                ("保留（ホールドアウト）", [held for _, _, held in plotted]),
            ],
            number_format="0%",
        )
    return Slide(
        title,
        subtitle="前回のスナップショット以降の配信。"
        "不達 = 送信後に不達通知が戻った数。保留 = ホールドアウト（比較のため送らなかった人）",
        table=table,
        chart=chart,
        stacked=True,
        footnote="95%CI: 差の95%信頼区間（Newcombe法）。"
        "次のスナップショットがない・人数が少ない場合は not yet measurable",
    )


def _groups(outcome: pd.DataFrame) -> str:
    """Who left the stuck point per group, as published: a small group reads ``<5``."""
    names = {"mailed": "配信", "holdout": "保留"}
    return "・".join(
        f"{names[str(r['group'])]}{r['left_stuck_point']}/{int(r['in_snapshot'])}"
        for r in outcome.to_dict("records")
    )


def _reason(reason: str) -> str:
    if reason.startswith("no snapshot"):
        return "次のスナップショットがまだありません"
    if reason.startswith("groups too small"):
        return "人数が少なすぎます: " + reason.split("(", 1)[-1].rstrip(")")
    return reason


INTEREST_ROWS = 7  # the choices of the survey, ranked (the workbook has them all)


def interest_table(interests: list[tuple[str, int]], answers: int) -> Table | None:
    """The survey's choices (知りたいテーマ) ranked, with n: not sensitive, so every count
    is shown; the next seminar's content is chosen from them."""
    if not interests:
        return None
    return Table(
        ["順位", f"知りたいテーマ（選択式、回答 {answers:,}件）", "選んだ人", "割合"],
        [
            [str(rank), name, f"{count:,}人", f"{count / answers:.0%}" if answers else "－"]
            for rank, (name, count) in _ranked(interests)[:INTEREST_ROWS]
        ],
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
        return f"{group} n={n}（少人数のため非表示）"
    return f"{group} {moved_on}/{n}人"


def seminar_slides(review: Review) -> list[Slide]:
    if not review.seminars:
        return [
            Slide(
                f"6. {TITLES['seminar']}",
                bullets=[
                    "まだ案内したセミナーはありません",
                    "案内: kops seminar invite month1（テーマは kops seminar list）",
                ],
            )
        ]
    slides = []
    for s in review.seminars:
        satisfaction = (
            f"{s.satisfaction_avg:.2f}"
            if s.satisfaction_avg is not None
            else "非表示（回答が少ないため）"
            if s.satisfaction_answers
            else "－"
        )
        bullets = [
            attendance_line(s, s.answers),
            *filter(None, [answers_line(s.answers, s.answers_not_on_list)]),
            f"満足度（平均） {satisfaction}（回答 {s.satisfaction_answers:,}件）",
            "今、知りたいこと（自由記述、上位）: "
            + (
                "、".join(f"{g} {n}件" for g, n in s.top_groups)
                or ("どのテーマも少数のため非表示" if s.answers else "回答なし")
            ),
        ]
        chart = None
        footnote = ""
        if s.movement is not None and len(s.movement):
            moved = s.movement
            # n in every label; a hidden share (a group under min_group) is left out of
            # the chart, never drawn as zero.
            chart = Chart(
                "column",
                "次のスナップショットまでに前進した割合",
                [f"{r.group_label}（n={r.in_snapshot}）" for r in moved.itertuples()],
                [
                    (
                        "前進した割合",
                        [
                            None if v is None or v != v else float(v)
                            for v in moved["share_moved_on"]
                        ],
                    )
                ],
                number_format="0%",
            )
            bullets.append(
                "前進: "
                + " ／ ".join(
                    _moved(r.group_label, r.moved_on, r.in_snapshot) for r in moved.itertuples()
                )
            )
            footnote = " ".join(filter(None, [SELF_SELECTION, s.mix_note]))
        elif s.note:
            bullets.append(s.note)
        slides.append(
            Slide(
                f"6. {TITLES['seminar']}: {s.title}",
                subtitle=s.seminar_id,
                bullets=bullets,
                table=interest_table(s.interests, s.interest_answers),
                chart=chart,
                footnote=footnote,
            )
        )
    return slides


def _pt(value: float) -> str:
    """A difference of shares in percentage points, as `kops mail report` writes it."""
    return f"{value * 100:+.1f}pt".replace("-", "−")

"""The slides about what the secretariat did this month: mail runs and seminars."""

from __future__ import annotations

import pandas as pd

from ..analyses.mail_effect import NOT_YET
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
            measured = (
                f"差 {effect.difference or 0:+.0%}"
                f"（95%CI {effect.low or 0:+.0%}〜{effect.high or 0:+.0%}）"
                f" 配信{effect.mailed_left}/{effect.mailed_n}"
                f"・保留{effect.holdout_left}/{effect.holdout_n}"
            )
        else:
            measured = f"{NOT_YET}（{_reason(effect.reason)}）"
        rows.append(
            [
                run.run_id,
                f"{run.sent:,}",
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
            "outbox（未送信）",
            "後日送信",
            "失敗",
            "停止",
            "保留",
            "スタックポイントを抜けた割合（配信−保留）",
        ],
        rows,
        widths=[2.6, 0.7, 0.9, 0.8, 0.7, 0.7, 0.7, 4.4],
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
        "保留 = ホールドアウト（比較のため送らなかった人）",
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
        satisfaction = "－" if s.satisfaction_avg is None else f"{s.satisfaction_avg:.2f}"
        bullets = [
            attendance_line(s, s.answers),
            *filter(None, [answers_line(s.answers, s.answers_not_on_list)]),
            f"満足度（平均） {satisfaction}",
            "今、知りたいこと（上位）: "
            + (
                "、".join(f"{g} {n}件" for g, n in s.top_groups)
                or ("どのテーマも少数のため非表示" if s.answers else "回答なし")
            ),
        ]
        chart = None
        if s.movement is not None and len(s.movement):
            labels = {"attended": "出席した人", "invited, did not attend": "出席しなかった人"}
            moved = s.movement
            chart = Chart(
                "column",
                "次のスナップショットまでに前進した割合",
                [labels.get(str(g), str(g)) for g in moved["group"]],
                [
                    (
                        "前進した割合",
                        [
                            None if v != v or v is None else float(v)
                            for v in moved["share_moved_on"]
                        ],
                    )
                ],
                number_format="0%",
            )
            bullets.append(
                "前進: "
                + " ／ ".join(
                    f"{labels.get(str(r.group), r.group)} {r.moved_on}/{r.in_snapshot}人"
                    for r in moved.itertuples()
                )
            )
        elif s.note:
            bullets.append(s.note)
        slides.append(
            Slide(
                f"6. {TITLES['seminar']}: {s.title}",
                subtitle=s.seminar_id,
                bullets=bullets,
                chart=chart,
            )
        )
    return slides

"""Every figure of the deck as a table, one per slide, for the `--xlsx` workbook."""

from __future__ import annotations

import pandas as pd

from ... import glossary
from ...analyses import segmentation
from ...privacy.rules import below, shows
from ..seminars.summary_workflow import attended_difference
from .figures import Review
from .mail_counts import left_out_cell, unmeasured_words
from .titles import TITLES, WINDOW_ENDED, run_title

# Columns written as text cells (ids keep their leading zeros; run and snapshot ids too).
TEXT_COLUMNS = ["snapshot", "run_id", "manager_id", "member_id", "seminar_id", "campaign_id"]


def review_sheets(review: Review) -> list[tuple[str, pd.DataFrame]]:
    sheets = [
        (f"1_{TITLES['summary']}", _summary(review)),
        (f"2_{TITLES['funnel']}", _funnel(review)),
        (
            f"3_{TITLES['trend']}",
            review.trend.frame.rename(columns=_labels()).drop(columns="snapshot", errors="ignore"),
        ),
        (f"4_{TITLES['divisions']}", _divisions(review)),
        (f"5_{TITLES['mail']}", _mail(review)),
    ]
    if review.seminars:
        for index, s in enumerate(review.seminars, start=1):
            sheets.append((f"6_{TITLES['seminar']}{index}_{s.seminar_id}", _seminar(s)))
    else:
        sheets.append(
            (
                f"6_{TITLES['seminar']}",
                pd.DataFrame({"note": ["この期間のセミナーはまだありません"]}),
            )
        )
    sheets += [
        (f"7_{TITLES['campaigns']}", _campaigns(review)),
        (f"8_{TITLES['interviews']}", _interviews(review)),
        (f"9_{TITLES['actions']}", _actions(review)),
    ]
    return sheets


def _labels() -> dict[str, str]:
    """Share columns named by key (the glossary gives each its label and 0% format)."""
    return {sp.key: f"{sp.key}_share" for sp in segmentation.STUCK_POINTS}


def _unit(key: str, review: Review) -> str | None:
    """A figure's unit as the glossary gives it (人, %, 回), a rating's as its scale (0〜5):
    what a reader counts it in, not its kind (「人数・件数」)."""
    if key == "sukkiri_avg":
        return review.sukkiri_scale
    figure = glossary.FIGURES.get(key)
    return None if figure is None else figure.unit


def _summary(review: Review) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "figure": k.key,
                "label": k.label,
                "unit": _unit(k.key, review),
                "figure_kind": k.kind,
                "now": k.now if k.now is not None else k.now_text,
                "before": k.before,
                "change": k.change,
                "arrow": k.arrow,
                "as_of": str(review.as_of),
                "previous_as_of": str(review.previous_as_of or ""),
                # The days a figure of the last 30 days counts, now and before; none for a
                # figure as of a day (人数, ログイン率).
                **dict(
                    zip(
                        ("period", "previous_period"),
                        _periods(k.key, review),
                        strict=True,
                    )
                ),
            }
            for k in review.summary
        ]
    )


def _periods(key: str, review: Review) -> tuple[str, str]:
    figure = glossary.FIGURES.get(key)
    if figure is None or figure.period == glossary.AS_OF:
        return "", ""
    return review.divisions.period, review.divisions.previous_period


def _funnel(review: Review) -> pd.DataFrame:
    f = review.funnel
    frame = f.stages.copy()
    movement = {
        "moved_on": f.moved_on,
        "slid_back": f.slid_back,
        "unchanged": f.unchanged,
        "joined": f.joined,
        "departed": f.departed,
    }
    extra = pd.DataFrame(
        [
            {"stuck_point": key, "label": glossary.MOVEMENT[key], "now": value}
            for key, value in movement.items()
        ]
    )
    funnel = pd.concat([frame, extra], ignore_index=True)
    # Counts of people, now and before (none before the first snapshot): whole numbers.
    return funnel.astype({"now": "Int64", "before": "Int64"})


def _divisions(review: Review) -> pd.DataFrame:
    changes = review.divisions.changes.rename(
        columns={"before": "implementation_rate_before", "change": "implementation_rate_change"}
    ).drop(columns="now")
    table = review.divisions.table.merge(changes, on="division", how="left")
    # The figures of the period headed as slide 4 heads them (「1on1実施率（部下・直近30日）」):
    # 「1on1実施率」 alone read as the division report's, of 90 days.
    basis = review.divisions.basis
    # The days 前回 counted too, as the summary sheet says them: 「前回」 alone names none.
    table = table.assign(
        period=review.divisions.period, previous_period=review.divisions.previous_period
    )
    table.attrs[glossary.COLUMN_LABELS] = {
        "implementation_rate": glossary.implementation_rate_label(basis),
        "per_member_month": glossary.figure_label("per_member_month", basis),
        "sukkiri_avg": glossary.figure_label("sukkiri_avg", basis),
    }
    return table


def _mail(review: Review) -> pd.DataFrame:
    rows = []
    for run in review.mail:
        effect = run.effect
        groups = _published_groups(run.outcome)
        rows.append(
            {
                "run_id": run.run_id,
                "title": run_title(run.run_id, review),
                # a date and time Excel sorts (JST, as the ledger wrote it), not ISO text
                "created_at": pd.Timestamp(run.created_at).tz_localize(None)
                if pd.Timestamp(run.created_at).tzinfo is None
                else pd.Timestamp(run.created_at).tz_convert("Asia/Tokyo").tz_localize(None),
                "snapshot": run.snapshot,
                "sent": run.sent,
                "bounced": run.bounced,
                "written": run.written,
                "deferred": run.deferred,
                "failed": run.failed,
                "unknown": run.unknown,
                "suppressed": run.suppressed,
                "holdout": run.holdout,
                # As the slide says it (「3」 over each reason's count): one column, so that
                # the sheet prints one A4 page wide (the 名称 already names the stuck point).
                "left_out": _left_out(run.left_out),
                # 測定済み (the figures follow), or why not, in the words slide 5 uses: one
                # column, so that the 配信ID beside it has the room to print whole.
                "effect": "measured"
                if effect is not None and effect.measured
                else unmeasured_words(run),
                "mailed_in_snapshot": groups.get(("mailed", "in_snapshot")),
                "mailed_left": groups.get(("mailed", "left_stuck_point")),
                "mailed_share_left": groups.get(("mailed", "share_left")),
                "holdout_in_snapshot": groups.get(("holdout", "in_snapshot")),
                "holdout_left": groups.get(("holdout", "left_stuck_point")),
                "holdout_share_left": groups.get(("holdout", "share_left")),
                "difference": None if effect is None else effect.difference,
                "ci95_low": None if effect is None else effect.low,
                "ci95_high": None if effect is None else effect.high,
            }
        )
    if not rows:
        return pd.DataFrame({"note": ["この期間のメール配信はありません"]})
    return _used_states(pd.DataFrame(rows))


def _published_groups(outcome: pd.DataFrame | None) -> dict[tuple[str, str], object]:
    """Group figures as `kops mail report` publishes them (a small group's outcome: "<5")."""
    if outcome is None:
        return {}
    return {
        (str(row["group"]), column): row[column]
        for row in outcome.to_dict("records")
        for column in ("in_snapshot", "left_stuck_point", "share_left")
    }


SEMINAR_FIGURES = {
    "title": "セミナー名",
    **{
        key: glossary.column_label(key)
        for key in ("invited", "attended", "invited_attended", "uninvited")
    },
    "answers": glossary.column_label("survey_answers"),
    "answers_not_on_list": "出席者リストにない人の回答",
    "satisfaction_avg": glossary.column_label("satisfaction_avg"),
    **{
        key: glossary.column_label(key)
        for key in ("users", "in_snapshot", "moved_on", "share_moved_on")
    },
}


def _interests_shown(interests: list[tuple[str, int]], minimum: int) -> list[tuple[str, object]]:
    """The chosen themes most chosen first, each count as the shared slide shows it."""
    return [(name, count if shows(count, minimum) else below(minimum)) for name, count in interests]


def _seminar_label(figure: str) -> str:
    """セミナー名, 知りたいこと：ペア招待, 出席した人：次の段階に進んだ人数, …"""
    if figure.startswith("interest_group:"):
        return "今、知りたいこと：" + figure.split(":", 1)[1]
    if figure.startswith("interest:"):
        return "知りたいテーマ（選んだ人）：" + figure.split(":", 1)[1]
    if figure == "difference":
        return "次の段階に進んだ割合の差（出席した人−出席しなかった人）"
    if ":" in figure:
        group, key = figure.split(":", 1)
        shown = glossary.value_label("group", group)
        return f"{shown}：{SEMINAR_FIGURES.get(key, key)}"
    return SEMINAR_FIGURES.get(figure, figure)


def _seminar_kind(figure: str) -> str | None:
    """The kind of a seminar figure, for its number format: a share, an average, a count."""
    if figure in ("title", "difference"):
        return None
    if figure.rsplit(":", 1)[-1].startswith("share"):
        return "rate"
    return "score" if figure.endswith("_avg") else "count"


def _seminar(s: object) -> pd.DataFrame:
    from .figures import SeminarFigures

    assert isinstance(s, SeminarFigures)
    rows: list[dict[str, object]] = [
        {"seminar_id": s.seminar_id, "figure": "title", "value": s.title},
        {"seminar_id": s.seminar_id, "figure": "invited", "value": s.invited},
        {"seminar_id": s.seminar_id, "figure": "attended", "value": s.attended},
        {"seminar_id": s.seminar_id, "figure": "invited_attended", "value": s.invited_attended},
        {"seminar_id": s.seminar_id, "figure": "uninvited", "value": s.uninvited},
        {"seminar_id": s.seminar_id, "figure": "answers", "value": s.answers},
        {
            "seminar_id": s.seminar_id,
            "figure": "answers_not_on_list",
            "value": s.answers_not_on_list,
        },
        {"seminar_id": s.seminar_id, "figure": "satisfaction_avg", "value": s.satisfaction_avg},
    ]
    rows += [
        {"seminar_id": s.seminar_id, "figure": f"interest_group:{group}", "value": count}
        for group, count in s.top_groups
    ]
    # The chosen themes as the slide ranks them (a choice of fewer than min_group: 「<5」).
    rows += [
        {"seminar_id": s.seminar_id, "figure": f"interest:{name}", "value": shown}
        for name, shown in _interests_shown(s.interests, s.min_group)
    ]
    if s.movement is not None:
        for r in s.movement.to_dict("records"):
            for key in ("users", "in_snapshot", "moved_on", "share_moved_on"):
                rows.append(
                    {"seminar_id": s.seminar_id, "figure": f"{r['group']}:{key}", "value": r[key]}
                )
        # The difference with its interval, in the slide's words (it was on the slide only).
        said = attended_difference(s.movement).strip("（）")
        if said:
            rows.append({"seminar_id": s.seminar_id, "figure": "difference", "value": said})
    frame = pd.DataFrame(rows)
    labels = [_seminar_label(f) for f in frame["figure"]]
    # The average on the survey's own scale: 「満足度の平均（1〜5）」.
    labels = [
        f"{x}（{s.scale}）" if f == "satisfaction_avg" else x
        for f, x in zip(frame["figure"], labels, strict=True)
    ]
    frame.insert(2, "label", labels)
    frame["unit"] = [_seminar_unit(f, s.scale) for f in frame["figure"]]
    frame["figure_kind"] = [_seminar_kind(f) for f in frame["figure"]]
    return frame


def _seminar_unit(figure: str, scale: str) -> str | None:
    """人 for people, 件 for answers, % for a share, the survey's scale for its average
    (as `kops seminar summary --out` says them: 招待 65 人, アンケート回答 18 件)."""
    kind = _seminar_kind(figure)
    if kind is None:
        return None
    if kind == "rate":
        return "%"
    if kind == "score":
        return scale
    return "件" if figure.startswith(("answers", "interest_group:")) else "人"


def _campaigns(review: Review) -> pd.DataFrame:
    rows: list[dict[str, object]] = [
        {
            "campaign_id": c.campaign_id,
            "title": c.title,
            # A line each side of 〜: wrapped by the column, it broke inside a date
            # (「2026-04-01〜2026-/09-30」).
            # The weeks judged in the same cell, as on slide 7 (a column of their own made
            # the sheet too wide to print one page wide at a readable size).
            "window": c.window.replace("〜", "〜\n", 1)
            + (f"\n（判定した週\n{c.weeks_judged}）" if c.weeks_judged else ""),
            "eligible_people": c.eligible,
            "on_track": c.on_track if c.window_open else WINDOW_ENDED,
            "awarded": c.awarded,
            # The award mails beside 付与済み, each awarded person once: the parts add up.
            "award_notices": c.notices.mails,
            "sent": c.notices.sent,
            "bounced": c.notices.bounced,
            "written": c.notices.written,
            "deferred": c.notices.deferred,
            "left_out": _left_out(c.notices.left_out),
            "window_open": c.window_open,
        }
        for c in review.campaigns
    ]
    m = review.milestones
    rows.append(
        {
            "campaign_id": None,
            "title": "マイルストーンのお知らせ",
            "due": m.due_manager + m.due_member,
            "due_manager": m.due_manager,
            "due_member": m.due_member,
            "notices_sent": m.delivered,
            # Sending them: one mail a person, less those a send leaves out (and why).
            "left_out": _left_out(m.left_out),
        }
    )
    return _used_states(pd.DataFrame(rows))


def _left_out(reasons: dict[str, int]) -> int | str:
    """Whom a run left out, in one cell as slide 5 shows it; a number when nobody."""
    return left_out_cell(reasons) if sum(reasons.values()) else 0


STATES = ["sent", "bounced", "written", "deferred", "failed", "unknown", "suppressed"]


def _used_states(frame: pd.DataFrame) -> pd.DataFrame:
    """A state no mail of the sheet is in has no column (as `kops mail status` lists
    runs): 送信数 0 beside 書き出し数 77 says nothing more, and the sheet prints one A4
    page wide. Whom a run left out is one column, as the slide gives it."""
    unused = [s for s in STATES if s in frame.columns and not frame[s].fillna(0).astype(bool).any()]
    return frame.drop(columns=unused)


NAME_COLUMNS = ["manager_id", "manager_name", "member_id", "member_name"]
# What a shared sheet leaves out of a candidate pair: a figure of two people.
PAIR_OWN = ["sukkiri_avg", "top_topics", "score"]


def _interviews(review: Review) -> pd.DataFrame:
    """Sheet 8: the candidates; shared, as slide 8 has them: no names, nothing of the
    pair's own (their 平均スッキリ度, their topics, their score, which their ratings make)."""
    top = review.interviews.top.assign(eligible_pairs=review.interviews.eligible_pairs)
    # The count over the shortlist's days, headed as slide 8 heads it: 「1on1実施数（直近90日）」
    # (alone, 「1on1実施数」 read as the month's, in a workbook of the last 30 days).
    days = f"直近{review.interviews.lookback_days}日"
    # Its own label, its key kept: renamed, the column had no line in 列の説明.
    top.attrs[glossary.COLUMN_LABELS] = {"held": glossary.figure_label("held", days)}
    top.attrs[glossary.OWN_MEANINGS] = {"held": glossary.pair_held_meaning(days)}
    if not review.names_people:
        own = (*NAME_COLUMNS, *PAIR_OWN)
        top = top.drop(columns=[c for c in own if c in top.columns])
    # As slide 8 says it: sheet 9 counts 「6組」 where this one lists the first 5.
    top.attrs[glossary.SHEET_NOTE] = f"インタビュー候補は{review.interviews.shown_text}"
    return top


def _actions(review: Review) -> pd.DataFrame:
    return pd.DataFrame(
        [{"action": a.text, "basis": a.basis, "command": a.command} for a in review.actions],
        columns=["action", "basis", "command"],
    )

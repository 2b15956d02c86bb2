"""The review's figures as slides: what each slide says, shows and charts.

Arrows always come with words (▲ 上昇 / ▼ 低下 / → 変化なし), so no meaning rests on colour.
"""

from __future__ import annotations

from ..analyses import segment as segmentation
from ..outputs.review_pptx import Chart, Slide, Table, Tile
from .activity import mail_slide, seminar_slides
from .figures import DOWN, FLAT, NONE, UP, Kpi, Review
from .titles import TITLES

WORDS = {UP: "上昇", DOWN: "低下", FLAT: "変化なし", NONE: "比較なし"}


def figure(kpi: Kpi, value: float | None) -> str:
    if value is None:
        return kpi.now_text or "－"
    # As the division report shows them: whole percents, one decimal (no false precision).
    return {
        "count": f"{value:,.0f}",
        "rate": f"{value:.0%}",
        "number": f"{value:.1f}",
        "score": f"{value:.1f}",
    }[kpi.kind]


def change_text(kpi: Kpi) -> str:
    change = kpi.change
    if change is None:
        return f"{NONE} {WORDS[NONE]}"
    amount = {
        "count": f"{change:+,.0f}",
        "rate": f"{change * 100:+.0f}pt",
        "number": f"{change:+.1f}",
        "score": f"{change:+.1f}",
    }[kpi.kind]
    return f"{kpi.arrow} {WORDS[kpi.arrow]} {amount}（前回 {figure(kpi, kpi.before)}）"


def build_slides(review: Review) -> list[Slide]:
    compared = (
        f"スナップショット {review.snapshot}（{review.as_of}時点）と "
        f"{review.previous_snapshot}（{review.previous_as_of}時点）の比較"
        if review.compared
        else f"スナップショット {review.snapshot}（{review.as_of}時点）: "
        "比較できる前回のスナップショットはまだありません"
    )
    slides = [
        Slide(
            f"1. {TITLES['summary']}",
            subtitle=f"{review.title}。{compared}",
            tiles=[Tile(k.label, figure(k, k.now), change_text(k)) for k in review.summary],
            footnote=f"直近30日（{review.divisions.period}）。"
            "▲上昇 ▼低下 →変化なし（前回スナップショット比）",
        ),
        _funnel(review),
        _trend(review),
        _divisions(review),
        mail_slide(review),
        *seminar_slides(review),
        _campaigns(review),
        _interviews(review),
        _actions(review),
    ]
    return slides


def _funnel(review: Review) -> Slide:
    stages = review.funnel.stages
    series: list[tuple[str, list[float | None]]] = [("今回", [float(v) for v in stages["now"]])]
    if review.compared:
        series.insert(0, ("前回", [float(v) for v in stages["before"]]))
    f = review.funnel
    if review.compared:
        rows = [
            ["前進（次の段階へ）", f"{f.moved_on:,}人"],
            ["後退（前の段階へ）", f"{f.slid_back:,}人"],
            ["変化なし", f"{f.unchanged:,}人"],
            ["新規", f"{f.joined:,}人"],
            ["退職・削除", f"{f.departed:,}人"],
        ]
        table = Table(["前回からの動き", "人数"], rows, widths=[2, 1])
        note = ""
    else:
        table = None
        note = "前回のスナップショットがないため、動き（前進・後退）はまだ出せません"
    return Slide(
        f"2. {TITLES['funnel']}",
        subtitle="主なスタックポイント別の人数（ファネル順）",
        bullets=[note] if note else [],
        table=table,
        chart=Chart("column", "スタックポイント別の人数", list(stages["label"]), series),
    )


def _trend(review: Review) -> Slide:
    frame = review.trend.frame
    labels = [f"{row.as_of}（{row.snapshot}）" for row in frame.itertuples()]
    series: list[tuple[str, list[float | None]]] = [
        (segmentation.BY_KEY[key].label, [float(v) for v in frame[key]])
        for key in segmentation.KEYS
    ]
    bullets = (
        [] if len(frame) > 1 else ["スナップショットが1つだけのため、推移は次回から線になります"]
    )
    return Slide(
        f"3. {TITLES['trend']}",
        subtitle="スナップショットごとの、スタックポイント別の割合",
        bullets=bullets,
        chart=Chart("line", "割合の推移", labels, series, number_format="0%"),
    )


def _divisions(review: Review) -> Slide:
    table = review.divisions.table
    changes = review.divisions.changes.set_index("division")["change"]
    rows = []
    for row in table.to_dict("records"):
        change = changes.get(row["division"])
        trend = "－"
        if change is not None:
            mark = UP if change > 0.005 else DOWN if change < -0.005 else FLAT
            trend = f"{mark} {change * 100:+.0f}pt" if mark != FLAT else f"{FLAT} ±0pt"
        rows.append(
            [
                str(row["division"]),
                _shown(row["headcount"], "{:,.0f}"),
                _shown(row["activation_rate"], "{:.0%}"),
                _shown(row["pair_rate"], "{:.0%}"),
                _shown(row["implementation_rate"], "{:.0%}"),
                trend,
                _shown(row["per_member_month"], "{:.1f}"),
                _shown(row["sukkiri_avg"], "{:.1f}"),
            ]
        )
    columns = [
        "事業部",
        "人数",
        "ログイン率",
        "ペア成立率",
        "1on1実施率",
        "前回比",
        "1on1/人/月",
        "スッキリ度",
    ]
    return Slide(
        f"4. {TITLES['divisions']}",
        subtitle=f"直近30日（{review.divisions.period}）。事業部別レポートと同じ秘匿ルール"
        "（<5: 5人未満、(秘匿): 差し引きで分かるため非表示）",
        table=Table(columns, rows, widths=[2.2, 1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2]),
    )


def _shown(value: object, pattern: str) -> str:
    if isinstance(value, str):
        return value
    if value is None or value != value:  # NaN
        return "－"
    return pattern.format(value)


def _campaigns(review: Review) -> Slide:
    rows = [
        [
            f"{c.title}（{c.campaign_id}）",
            c.window,
            f"{c.eligible:,}人",
            f"{c.on_track:,}人" if c.window_open else "期間終了",
            f"{c.awarded:,}人",
        ]
        for c in review.campaigns
    ]
    m = review.milestones
    draws = [
        f"{c.title}: 抽選で付与（応募 {c.entries:,}人"
        + (
            f"、当選 {c.winners:,}人、当選者への付与済み {c.awarded_winners:,}人）"
            if c.drawn
            else "、未抽選）"
        )
        for c in review.campaigns
        if c.by_draw
    ]
    bullets = [
        *draws,
        f"マイルストーンの知識メール: 未送付 {m.due_manager + m.due_member:,}件"
        f"（上司 {m.due_manager:,}・部下 {m.due_member:,}）、送付済み {m.delivered:,}件",
    ]
    if not rows:
        bullets.insert(0, "kops.yaml にキャンペーンがありません")
    chart = None
    if review.campaigns:
        chart = Chart(
            "column",
            "キャンペーンの状況",
            [c.campaign_id for c in review.campaigns],
            [
                ("対象（達成）", [float(c.eligible) for c in review.campaigns]),
                ("達成に向け進行中", [float(c.on_track) for c in review.campaigns]),
                ("付与済み", [float(c.awarded) for c in review.campaigns]),
            ],
        )
    return Slide(
        f"7. {TITLES['campaigns']}",
        subtitle="進行中 = まだ対象ではないが1か月以上連続で条件を満たしている人（期間中のみ）",
        bullets=bullets,
        table=Table(
            ["キャンペーン", "期間", "対象", "進行中", "付与済み"], rows, widths=[3, 2.4, 1, 1, 1]
        )
        if rows
        else None,
        chart=chart,
        stacked=True,
    )


def _interviews(review: Review) -> Slide:
    top = review.interviews.top
    title = f"8. {TITLES['interviews']}"
    if top.empty:
        return Slide(
            title, bullets=[f"条件を満たすペア: {review.interviews.eligible_pairs}組（候補なし）"]
        )
    rows = [
        [
            str(r.rank),
            # Names repeat in a company: the id goes with every name.
            f"{r.manager_name}（{r.manager_id}）",
            f"{r.member_name}（{r.member_id}）",
            str(r.division),
            str(r.held),
            f"{r.sukkiri_avg:.1f}",
            f"{r.score:.2f}",
            str(r.spread_note),
            str(r.top_topics),
        ]
        for r in top.itertuples()
    ]
    return Slide(
        title,
        subtitle=f"条件を満たすペア {review.interviews.eligible_pairs}組のうち"
        f"上位{len(top)}組（事業部・職種・年代を分散、スタックポイントのあるペアは除外）",
        table=Table(
            [
                "順位",
                "上司",
                "部下",
                "事業部",
                "回数",
                "スッキリ度",
                "スコア",
                "備考",
                "よく話すトピック",
            ],
            rows,
            widths=[0.5, 1.7, 1.7, 1.5, 0.6, 0.9, 0.7, 1.5, 3.2],
        ),
        footnote="非公開トピック（心身の状態・プライベート）は件数のみ。名前は事務局内の資料としてのみ使用",
    )


def _actions(review: Review) -> Slide:
    title = f"9. {TITLES['actions']}"
    if not review.actions:
        return Slide(title, bullets=["数字から導かれる提案はありません"])
    rows = [[a.text, a.basis, a.command] for a in review.actions]
    return Slide(
        title,
        subtitle="数字からのルールに基づく提案（根拠の数字とコマンド付き）",
        table=Table(["提案", "根拠", "コマンド"], rows, widths=[4.5, 3, 3.2]),
    )

"""The review's figures as slides: what each slide says, shows and charts.

Each slide's title is a sentence computed from its figures
(「1on1実施率は86%（前回比+3pt）。主なスタックポイントで最も多いのは事前準備なし28人」);
its topic stands above it in small type. Dates, not snapshot ids; titles, not run or
campaign ids; commands and ids go to the speaker notes. Arrows always come with words
(↑ 上昇 / ↓ 低下 / → 変化なし; a count 増加 / 減少), so no meaning rests on colour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ... import glossary
from ...analyses import divisions as division_figures
from ...analyses import segmentation
from ...numbers import fixed, grouped, percent, rounded
from ...outputs.review_pptx import Chart, Slide, Table, Tile
from .activity import mail_slide, seminar_slides
from .figures import DECK_PERIOD, DOWN, FLAT, NONE, UP, CampaignFigures, Kpi, Review
from .mail_counts import left_out_words, milestone_mails, notice_parts
from .titles import AWARD_NOTICES, TITLES, WINDOW_ENDED, day, points

WORDS = {UP: "上昇", DOWN: "低下", FLAT: "変化なし", NONE: "比較なし"}
# A count of people grows or shrinks: 「人数 252 ↓ 低下 -2」 read as a fall in some level.
COUNT_WORDS = {**WORDS, UP: "増加", DOWN: "減少"}


def figure(kpi: Kpi, value: float | None) -> str:
    if value is None:
        return kpi.now_text or "－"
    # As the division report shows them: whole percents, one decimal (no false precision).
    return {
        "count": grouped(value),
        "rate": percent(value),
        "number": fixed(value, 1),
        "score": fixed(value, 1),
    }[kpi.kind]


def change_text(kpi: Kpi) -> str:
    change = kpi.change
    if change is None:
        return f"{NONE} {WORDS[NONE]}"
    # No change is said as the report and the division slide say it (「→ ±0pt」), never
    # 「+0pt」: the figures are the published ones, so a flat arrow means a change of 0.
    if kpi.arrow == FLAT:
        amount = {"count": "±0", "rate": "±0pt", "number": "±0.0", "score": "±0.0"}[kpi.kind]
        return f"{FLAT} {WORDS[FLAT]} {amount}（前回 {figure(kpi, kpi.before)}）"
    amount = {
        "count": f"{change:+,.0f}",
        "rate": f"{change * 100:+.0f}pt",
        "number": f"{change:+.1f}",
        "score": f"{change:+.1f}",
    }[kpi.kind]
    words = COUNT_WORDS if kpi.kind == "count" else WORDS
    return f"{kpi.arrow} {words[kpi.arrow]} {amount}（前回 {figure(kpi, kpi.before)}）"


def compared_text(review: Review) -> str:
    if review.compared and review.previous_as_of is not None:
        return f"{day(review.as_of)}時点と前回（{day(review.previous_as_of)}時点）の比較"
    return f"{day(review.as_of)}時点（比較できる前回のデータはまだありません）"


def snapshot_notes(review: Review) -> str:
    """Where the figures come from, for whoever prepares the meeting (not on the slide)."""
    previous = (
        f"、前回 スナップショット {review.previous_snapshot}（{review.previous_as_of}）"
        if review.compared
        else ""
    )
    return f"今回 スナップショット {review.snapshot}（{review.as_of}）{previous}。作成: kops review"


def cover(review: Review) -> Slide:
    docs = review.documents
    lines = [
        review.title,  # 「…レビュー（基準日 2026年11月20日）」
        f"前回 {day(review.previous_as_of)}時点と比較" if review.previous_as_of else "",
        docs.organiser,
    ]
    text = "\n".join(line for line in lines if line)
    return Slide(docs.meeting, subtitle=text, cover=True, notes=snapshot_notes(review))


def _top_stuck(review: Review) -> tuple[str, int] | None:
    """The stuck point with the most people now (定着 is not a stuck point)."""
    stages = review.funnel.stages
    stuck = stages[stages["stuck_point"] != "healthy"]
    if stuck.empty:
        return None
    top = stuck.iloc[int(stuck["now"].astype(int).argmax())]
    return str(top["label"]), int(top["now"])


def summary_message(review: Review) -> str:
    parts = []
    rate_kpi = next((k for k in review.summary if k.key == "implementation_rate"), None)
    if rate_kpi is not None and rate_kpi.now is not None:
        change = "" if rate_kpi.change is None else f"（前回比{points(rate_kpi.change)}）"
        # The window in the title too: the division report of the same month says
        # 「↓ -2pt」 over its 90 days where this says +3pt over 30.
        parts.append(f"1on1実施率（{review.divisions.basis}）は{percent(rate_kpi.now)}{change}")
    top = _top_stuck(review)
    if top is not None:
        # Counted by primary stuck point (one each, the first that applies): 「最大の
        # 課題」 read as a ranking of how many each applies to (31 lack ratings, 28
        # preparation), which is not what it counts.
        parts.append(f"主なスタックポイントで最も多いのは{top[0]}{top[1]:,}人")
    return "。".join(parts) or TITLES["summary"]


def build_slides(review: Review) -> list[Slide]:
    slides = [
        cover(review),
        Slide(
            f"1. {TITLES['summary']}",
            message=summary_message(review),
            subtitle=f"{review.documents.meeting}レビュー。{compared_text(review)}",
            tiles=[Tile(k.label, figure(k, k.now), change_text(k)) for k in review.summary],
            # The period every figure with （直近30日） in its label covers.
            footnote=f"{review.divisions.basis}: {review.divisions.period}"
            f"{_previous_days(review)}。"
            # (The arrows' words are on the tiles: 「↑ 上昇 +1pt」.) How the report differs is
            # said on slide 4, whose figures it is: here it ran into the slide's footer.
            + ("定義と秘匿ルールは事業部別レポートと同じ（期間と前回比の違いは4.の注に）"),
            notes=snapshot_notes(review),
        ),
        _funnel(review),
        _trend(review),
        _divisions(review),
        mail_slide(review),
        *seminar_slides(review),
        campaigns_slide(review),
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
        # The words of `kops segment --compare` and the workbook's （移動） rows.
        counts = {
            "moved_on": f.moved_on,
            "slid_back": f.slid_back,
            "unchanged": f.unchanged,
            "joined": f.joined,
            "departed": f.departed,
        }
        rows = [[glossary.MOVEMENT[key], f"{n or 0:,}人"] for key, n in counts.items()]
        table = Table(["前回からの動き", "人数"], rows, widths=[2, 1])
        note = ""
    else:
        table = None
        note = (
            "前回のデータがないため、動き（次の段階に進んだ人・前の段階に戻った人）はまだ出せません"
        )
    top = _top_stuck(review)
    message = TITLES["funnel"]
    if top is not None:
        message = f"最も多いスタックポイントは{top[0]}{top[1]:,}人"
        if review.compared and f.moved_on is not None:
            message += (
                f"。前回から次の段階に進んだ人{f.moved_on:,}人・"
                f"前の段階に戻った人{f.slid_back or 0:,}人"
            )
    return Slide(
        f"2. {TITLES['funnel']}",
        message=message,
        # One person, one stuck point (the first in the funnel): 18 not logged in have no
        # pair either, yet count under 未ログイン, so ペア未成立 is not 100% − ペア成立率.
        subtitle=f"スタックポイント別の人数（利用開始から定着までの段階の順。一人を最初のスタックポイントに数える）。"
        f"{compared_text(review)}",
        bullets=[note] if note else [],
        table=table,
        # Horizontal bars: the eight names read level (not slanted under columns), and
        # each count sits past its bar's end (「127」「129」 ran together over two columns).
        chart=Chart(
            "bar",
            "スタックポイント別の人数",
            list(stages["label"]),
            series,
            value_title="人数（人）",
        ),
    )


TREND_DATES = 4  # the latest snapshots the table shows (the workbook has them all)


def _points_in_time(dates: list[dt.date]) -> str:
    """The snapshots' days as points, not a period: each share is of its day's people
    (「10月20日〜11月20日」 read as the days between)."""
    if len(dates) == 1:
        return f"{day(dates[0])}時点"
    if len(dates) == 2:
        return f"{day(dates[0])}時点と{day(dates[1])}時点"
    return f"{day(dates[0])}から{day(dates[-1])}までの{len(dates)}時点"


def _trend(review: Review) -> Slide:
    """A table of shares per stuck point at each date (n in the header) and 100% stacked
    bars per date: one bar per date stays readable where eight lines tangle."""
    frame = review.trend.frame.tail(TREND_DATES)
    dates = [dt.date.fromisoformat(str(d)) for d in frame["as_of"]]
    counts = [int(n) for n in frame["users"]] if "users" in frame else [0] * len(frame)
    # The date and its n on two lines: 「（n=254）」 cannot break inside, and a header cut
    # off in its cell hides the n.
    header = [f"{d.month}月{d.day}日\n{n:,}人" for d, n in zip(dates, counts, strict=True)]
    rows = []
    changes: dict[str, float] = {}
    for key in segmentation.KEYS:
        values = [float(v) for v in frame[key]]
        # The change of the shares as the row shows them (whole percents): 「5% → 6%」 beside
        # 「±0pt」 (5.4% → 5.6%) reads as a mistake.
        shown = [rounded(v * 100, 0) for v in values]
        change = float(shown[-1] - shown[-2]) / 100 if len(values) > 1 else None
        if change is not None:
            changes[key] = change
        rows.append(
            [
                segmentation.BY_KEY[key].label,
                *(percent(v) for v in values),
                "－" if change is None else points(change),
            ]
        )
    columns = ["スタックポイント", *header, "前回比"]
    table = Table(columns, rows, widths=[2.4, *([1.3] * len(header)), 1.2])
    chart = Chart(
        "stacked",
        "スタックポイント別の割合（100%積み上げ）",
        [day(d) for d in dates],
        [
            (segmentation.BY_KEY[key].label, [float(v) for v in frame[key]])
            for key in segmentation.KEYS
        ],
        number_format="0%",
        value_title="割合（%）",
    )
    healthy = rows[-1]
    message = f"定着は{healthy[-2]}"
    if "healthy" in changes:
        message += f"（前回比{points(changes['healthy'])}）"
    message += _most_moved({k: v for k, v in changes.items() if k != "healthy"})
    bullets = [] if len(frame) > 1 else ["データが1時点だけのため、推移は次回から出ます"]
    return Slide(
        f"3. {TITLES['trend']}",
        message=message,
        subtitle=f"各時点の全員に占める、最初のスタックポイント別の割合（{_points_in_time(dates)}）",
        bullets=bullets,
        table=table,
        chart=chart,
        notes="時点はスナップショット "
        + "、".join(f"{r.snapshot}（{r.as_of}）" for r in frame.itertuples()),
    )


def _most_moved(changes: dict[str, float]) -> str:
    """「。最も動いたのは1on1休眠（-1pt）」: the stuck point that moved the most, two that tie
    named together (「未ログイン（-1pt）・1on1休眠（-1pt）」), more that tie said as the bound
    they share (「。各スタックポイントは前回比±1pt以内」: 定着, said before it, is none);
    nothing when none moved a point."""
    most = max((abs(round(v * 100)) for v in changes.values()), default=0)
    tied = [key for key, change in changes.items() if abs(round(change * 100)) == most]
    if most == 0:
        return ""
    if len(tied) > 2:
        return f"。各スタックポイントは前回比±{most}pt以内"
    named = "・".join(f"{segmentation.BY_KEY[key].label}（{points(changes[key])}）" for key in tied)
    return f"。最も動いたのは{named}"


def _divisions(review: Review) -> Slide:
    table = review.divisions.table
    changes = review.divisions.changes.set_index("division")["change"]
    rows = []
    for row in table.to_dict("records"):
        change = changes.get(row["division"])
        trend = "－"
        if change is not None:
            mark = UP if change > 0.005 else DOWN if change < -0.005 else FLAT
            trend = f"{mark} {points(change)}" if mark != FLAT else f"{FLAT} ±0pt"
        rows.append(
            [
                str(row["division"]),
                _shown(row["headcount"], lambda v: f"{grouped(v)}人"),
                _shown(row["activation_rate"], percent),
                _shown(row["pair_rate"], percent),
                _shown(row["implementation_rate"], percent),
                trend,
                _shown(row["per_member_month"], fixed),
                _shown(row["sukkiri_avg"], fixed),
            ]
        )
    rate = glossary.implementation_rate_label(review.divisions.basis)
    columns = [
        glossary.column_label("division"),
        glossary.column_label("headcount"),
        glossary.column_label("activation_rate"),
        glossary.column_label("pair_rate"),
        # Lines short enough never to break inside a word (「直近/30日」): 1on1実施率 /
        # （部下・ / 直近30日）.
        rate.replace("（", "\n（", 1).replace("・", "・\n", 1),
        "前回比",
        # Each figure of the period says it, as the rate does (only the rate's header
        # named 直近30日, and the report shows the same labels for 90 days).
        _with_basis("per_member_month", review.divisions.basis),
        _with_basis("sukkiri_avg", review.divisions.basis),
    ]
    return Slide(
        f"4. {TITLES['divisions']}",
        message=_divisions_message(review),
        subtitle=f"{review.divisions.basis}（{review.divisions.period}）{_previous_days(review)}。"
        f"{same_as_report(review)}。{review.divisions.legend.removesuffix('。')}",
        table=Table(columns, rows, widths=[2.2, 1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2]),
        # A row of two 事業部 says why, as the division report does (the room asked where
        # 経営企画室 went; slide 8 names the candidate's own 事業部).
        footnote="".join(review.divisions.merged),
    )


def _with_basis(key: str, basis: str) -> str:
    """「部下1人あたり / 月間1on1数 / （直近30日）」: the label, its period on a line below."""
    label = glossary.column_label(key)
    return f"{label}\n（{basis}）" if basis else label


# Why the previous snapshot's figures are not compared (build._report_compared).
WITHHELD_BECAUSE = "その後に公開したレポートと合わせると、隠した少人数の値が分かってしまうため"


def _previous_days(review: Review) -> str:
    """Which days 前回比 compares with (the 30 up to the previous snapshot's day): the
    column alone names none."""
    days, gap = review.divisions.previous_period, review.divisions.uncovered
    if review.before_withheld and review.previous_as_of is not None:
        return (
            f"、前回（{day(review.previous_as_of)}時点）の値とは比べていません"
            f"（{WITHHELD_BECAUSE}）"
        )
    if not days:
        return ""
    return f"、前回比は前回（{days}）との差" + (f"（{gap}はどちらにも入りません）" if gap else "")


def same_as_report(review: Review) -> str:
    """What the deck's rates share with the division report, and, when the report's own
    period is another (the deck 直近30日, the report by default 直近90日), that its values
    and arrows differ: the same 事業部 read 「↑ +3pt」 here and 「↓ -2pt」 there."""
    d = review.divisions
    # The deck's 前回比 is against the last snapshot's own figure; the report's 推移 against
    # the days just before its period, counted again now: the same period differs too.
    # Both windows named: 「前回（9月21日〜10月20日）」 beside an unnamed 「直前の同じ日数」
    # left the meeting two arrows for "the last 30 days" and no way to tell them apart.
    if not d.report_default:
        _period, before = division_figures.parse_period(DECK_PERIOD, review.as_of)
        change = f"前回比はレポートの推移（{before.caption}との差）とも違います"
        return f"事業部別レポートと同じ定義・同じ秘匿ルール。{change}"
    # The reader's report is the default one: its 推移 is against the 90 days before its
    # own (「9月22日〜10月21日」, the 30 days before the deck's, named no file they hold).
    # The report of the deck's own period compares with other days as well (the 30 just
    # before it, counted now): 「↓ -0.1」 there beside 「±0.0」 here, the same figure.
    _period, before = division_figures.parse_period(DECK_PERIOD, review.as_of)
    return (
        f"定義と秘匿ルールは事業部別レポートと同じ。期間はレポートの既定（{d.report_default}）"
        f"と違い{d.basis}のため値も違い、前回比はレポートの推移（既定では{d.report_before}、"
        f"{d.basis}のレポートでは{before.caption}との差）とも違います"
    )


def _divisions_message(review: Review) -> str:
    """The highest and lowest published implementation rate among the 事業部."""
    table = review.divisions.table
    shown = [
        (str(r["division"]), float(r["implementation_rate"]))
        for r in table.to_dict("records")
        if r["division"] != "全社"
        and isinstance(r["implementation_rate"], int | float)
        and r["implementation_rate"] == r["implementation_rate"]
    ]
    if len(shown) < 2:
        return TITLES["divisions"]
    high = max(shown, key=lambda r: r[1])
    low = min(shown, key=lambda r: r[1])
    return (
        f"1on1実施率（{review.divisions.basis}）は{high[0]}の{percent(high[1])}が最高、"
        f"{low[0]}の{percent(low[1])}が最低"
    )


def _shown(value: object, shown: Callable[[float], str]) -> str:
    if isinstance(value, str):
        return value
    if value is None or value != value:  # NaN
        return "－"
    return shown(float(value))  # type: ignore[arg-type]


# 「達成見込みの人数」 as a column of people (the cells say 人).
ON_TRACK = glossary.column_label("on_track").removesuffix("の人数")


def _notice_cell(c: CampaignFigures) -> str:
    """「77通」 (with 未送信 when only written to the outbox), or 「－」 before any award."""
    n = c.notices
    if not c.awarded:
        return "－"
    text = f"{n.mails:,}通"
    if n.rehearsal:
        text += "（未送信）"
    return text


def _notice_clause(c: CampaignFigures) -> str:
    """「・お知らせ77通（未送信・1人はメールアドレスなし）」 for the slide's message: only
    written to the outbox, the title says so (the room would take them as told)."""
    if not c.awarded:
        return ""
    said = [*(["未送信"] if c.notices.rehearsal else []), left_out_words(c.notices.left_out)]
    why = "・".join(filter(None, said))
    return f"・お知らせ{c.notices.mails:,}通" + (f"（{why}）" if why else "")


def campaigns_slide(review: Review) -> Slide:
    """Slide 7: each campaign's 対象, 達成見込み, 付与済み and award mails; the draws and
    milestone notices as bullets."""
    rows = [
        [
            c.title,
            c.window + (f"\n（判定した週 {c.weeks_judged}）" if c.weeks_judged else ""),
            f"{c.eligible:,}人",
            f"{c.on_track:,}人" if c.window_open else WINDOW_ENDED,
            f"{c.awarded:,}人",
            _notice_cell(c),
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
    # 付与済み beside the award mails: each awarded person under what became of their mail,
    # so that the two counts add up on the slide (as `kops mail send` said it).
    notices = [
        f"{c.title}の{AWARD_NOTICES}: 付与済み {c.awarded:,}人 = " + " ＋ ".join(parts)
        for c in review.campaigns
        if c.awarded and (parts := notice_parts(c.notices))
    ]
    bullets = [
        *draws,
        *notices,
        f"マイルストーンのお知らせ: {glossary.column_label('due')} "
        f"{m.due_manager + m.due_member:,}件"
        f"（上司 {m.due_manager:,}・部下 {m.due_member:,}）、送付済み {m.delivered:,}件"
        + milestone_mails(m),
    ]
    if not rows:
        bullets.insert(0, "設定（kops.yaml）にキャンペーンがありません")
    message = (
        "、".join(
            f"{c.title}：対象{c.eligible:,}人・付与済み{c.awarded:,}人{_notice_clause(c)}"
            for c in review.campaigns
        )
        or TITLES["campaigns"]
    )
    return Slide(
        f"7. {TITLES['campaigns']}",
        message=message,
        notes="キャンペーンID: " + "、".join(c.campaign_id for c in review.campaigns),
        subtitle=_campaigns_subtitle(review),
        bullets=bullets,
        table=Table(
            ["キャンペーン", "判定期間", "対象", ON_TRACK, "付与済み", AWARD_NOTICES],
            rows,
            widths=[2.2, 2.9, 0.9, 1.2, 1, 1.7],
        )
        if rows
        else None,
        # No chart: its bars would draw again the table's 対象 and 付与済み, in the strip of
        # room left under the bullets and the table (bars a few millimetres tall).
    )


def _interviews(review: Review) -> Slide:
    top = review.interviews.top
    title = f"8. {TITLES['interviews']}"
    if top.empty:
        return Slide(
            title, bullets=[f"条件を満たすペア: {review.interviews.eligible_pairs}組（候補なし）"]
        )
    if not review.names_people:
        return _interviews_without_names(review)
    rows = [_candidate_row(r, names=True) for r in top.itertuples()]
    first = top.iloc[0]
    return Slide(
        title,
        message=f"インタビュー候補は{review.interviews.shown_text}。1番目は{first['division']}の"
        f"{first['manager_name']}さん・{first['member_name']}さん"
        f"（直近{review.interviews.lookback_days}日に{int(first['held'])}回）",
        # Names repeat in a company: the ids, for whoever arranges the interviews.
        notes="\n".join(
            f"{r.rank}. 上司 {r.manager_name}（{r.manager_id}）"
            f"・部下 {r.member_name}（{r.member_id}）"
            for r in top.itertuples()
        ),
        subtitle=_candidates_subtitle(review),
        table=Table(
            [
                "順番",
                "上司",
                "部下",
                "事業部",
                *_candidate_figures(review),
                "スコア",
                "備考",
                glossary.column_label("top_topics"),
            ],
            rows,
            widths=[0.5, 1.2, 1.2, 1.7, 0.9, 0.9, 0.6, 1.5, 4.4],
        ),
        footnote="非公開トピック（心身の状態・プライベート）は件数のみ。名前は事務局内の資料としてのみ使用",
    )


def _campaigns_subtitle(review: Review) -> str:
    """Who is 対象 of each campaign, in words (the room does not know the rule), and what
    達成見込み means while a window is open (with every window ended it reads 期間終了)."""
    said = [
        f"対象 = {c.condition}した人" + (f"（{c.title}）" if len(review.campaigns) > 1 else "")
        for c in review.campaigns
        if c.condition
    ]
    if any(c.weeks_judged for c in review.campaigns):
        # Why 判定した週 starts before the window: a week (月〜日) is its Thursday's month's.
        said.append("週は月曜〜日曜で、木曜日のある月に数えます")
    if any(c.window_open for c in review.campaigns):
        said.append(f"{ON_TRACK} = まだ対象ではないが1か月以上連続で条件を満たしている人")
    return "。".join(said)


def _interviews_without_names(review: Review) -> Slide:
    """The candidates as the shared deck shows them: rank, 事業部, 1on1s and why the pair
    was moved up; no one's name or id, and nothing of one person's own (with a
    pair or two per 事業部, the room may know who they are): no 平均スッキリ度 (the
    member's ratings) and no topics (what the member talks about, 「人間関係 2件」, is a
    group of two). The secretariat's version (--audience secretariat) has them all."""
    top = review.interviews.top
    first = top.iloc[0]
    rows = [_shared_candidate_row(r) for r in top.itertuples()]
    held = _candidate_figures(review)[0]
    return Slide(
        f"8. {TITLES['interviews']}",
        message=f"インタビュー候補は{review.interviews.shown_text}。1番目は{first['division']}のペア"
        f"（直近{review.interviews.lookback_days}日に{int(first['held'])}回）",
        subtitle=_candidates_subtitle(review),
        table=Table(
            ["順番", "事業部", held, "備考"],
            rows,
            widths=[0.5, 2.5, 1.2, 4.0],
        ),
        # The command that makes the named version is the secretariat's: in the notes,
        # never on a slide the room reads.
        # The count of 1on1s is why a pair was picked, and no one's rating: it stays, and
        # the note says so (「ペアごとの値は載せていません」 beside 13回 contradicted itself).
        footnote="共有可の資料のため、名前と、ペアごとのスコア・平均スッキリ度・トピックは載せていません"
        "（2人のペアの評価やトピックは、その人のものと分かるため。事務局内限りの版に）。"
        "1on1実施数は選んだ理由として載せています",
        notes="名前入りの事務局内限りの版: kops review --audience secretariat",
    )


def _shared_candidate_row(r: Any) -> list[str]:
    """A candidate pair's cells on the shared deck (``_interviews_without_names``)."""
    # No score either: with 1on1s and weeks alike (13回, 100%), the scores differ by the
    # pair's ratings (35% of the score), which the room would read off it.
    rank, division, held, _sukkiri, _score, note, _topics = _candidate_row(r, names=False)
    return [rank, division, held, note]


def _candidate_row(r: Any, names: bool) -> list[str]:
    """A candidate pair's cells: rank, (the two names,) 事業部 and its figures."""
    who = [str(r.manager_name), str(r.member_name)] if names else []
    return [
        str(r.rank),
        *who,
        str(r.division),
        str(r.held),
        fixed(r.sukkiri_avg, 1),
        fixed(r.score, 2),
        str(r.spread_note),
        str(r.top_topics),
    ]


def _candidate_figures(review: Review) -> list[str]:
    """The pair's 1on1実施数 and 平均スッキリ度, over the shortlist's lookback."""
    days = f"直近{review.interviews.lookback_days}日"
    return [
        glossary.figure_label("held", days).replace("（", "\n（", 1),
        glossary.column_label("sukkiri_avg"),
    ]


def _candidates_subtitle(review: Review) -> str:
    top = review.interviews.top
    return (
        # Chosen in turn, spread over 事業部, 職種 and 年代: not a ranking by score (the
        # third can score below the fourth), and the first of interview.n.
        # No theme: a shortlist made with --theme chooses from other pairs (23, not 29)
        # and read as contradicting the slide.
        f"条件を満たすペア {review.interviews.eligible_pairs}組から、テーマなしでスコア順に"
        f"事業部・職種・年代を分散して選んだ最初の{len(top)}組（スタックポイントのあるペアは除外）"
    )


def _outbox_first(review: Review) -> str:
    """Where an action sends mail while mail is only written to the outbox: said on the
    slide (the room read 「届ける」 as something to do today; only the notes said how)."""
    from .actions import OUTBOX_FIRST

    if not any(a.command.endswith(OUTBOX_FIRST) for a in review.actions):
        return ""
    if review.names_people:  # the secretariat's own: the key to set
        return (
            "。メールは今は書き出しのみの設定（outbox）です。"
            "送る・届けるには、先に kops.yaml の mail.transport を smtp か graph にします"
        )
    # The room reads no setting's name (「outbox」「smtp か graph」 were English to it).
    return (
        "。メールは今は書き出すだけで、まだ送っていません。"
        "送る・届けるには、先に事務局がメールの送信を設定します"
    )


def _actions(review: Review) -> Slide:
    title = f"9. {TITLES['actions']}"
    if not review.actions:
        return Slide(title, bullets=["数字から導かれる提案はありません"])
    rows = [[a.text, a.basis] for a in review.actions]
    return Slide(
        title,
        message=f"次のアクションは{len(rows)}件。まず"
        + (review.actions[0].headline or review.actions[0].text),
        subtitle="数字からのルールに基づく提案（根拠の数字付き）" + _outbox_first(review),
        table=Table(["提案", "根拠"], rows, widths=[5.5, 4]),
        notes="\n".join(f"{a.text}: {a.command}" for a in review.actions if a.command),
    )

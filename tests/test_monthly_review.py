"""The review's parts on their own: arrows, the mail effect's interval, the next-action rules,
the deck writer's fonts and table heights."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from kakeai_ops.analyses.divisions import parse_period
from kakeai_ops.analyses.mail_effect import NOT_YET, difference, run_effect
from kakeai_ops.config import Settings
from kakeai_ops.config.seminar_settings import Seminar
from kakeai_ops.jobs.division_report import DivisionReport
from kakeai_ops.jobs.monthly_review.actions import next_actions
from kakeai_ops.jobs.monthly_review.build import division_figures
from kakeai_ops.jobs.monthly_review.figures import (
    CampaignFigures,
    Divisions,
    Funnel,
    Interviews,
    Kpi,
    Milestones,
    Review,
    Trend,
)
from kakeai_ops.jobs.monthly_review.slides import change_text
from kakeai_ops.outputs.review_pptx import Chart, Slide, Table, Tile, write_deck
from kakeai_ops.privacy.cells import PRIMARY, SECONDARY, Cell


def test_arrows_come_with_words() -> None:
    up = Kpi("activation_rate", "ログイン率", "rate", 0.92, 0.90)
    assert up.arrow == "↑" and change_text(up) == "↑ 上昇 +2pt（前回 90%）"
    down = Kpi("headcount", "人数", "count", 252, 254)
    assert down.arrow == "↓" and change_text(down) == "↓ 減少 -2（前回 254）"  # people, not a level
    grown = Kpi("headcount", "人数", "count", 256, 254)
    assert change_text(grown) == "↑ 増加 +2（前回 254）"
    flat = Kpi("sukkiri_avg", "平均スッキリ度", "score", 4.151, 4.149)
    assert change_text(flat) == "→ 変化なし ±0.0（前回 4.1）"  # as the report says it
    same = Kpi("pair_rate", "ペア成立率", "rate", 0.87, 0.87)
    assert change_text(same) == "→ 変化なし ±0pt（前回 87%）"
    assert change_text(Kpi("headcount", "人数", "count", 252, 252)) == "→ 変化なし ±0（前回 252）"
    none = Kpi("headcount", "人数", "count", 252, None)
    assert change_text(none) == "－ 比較なし"
    hidden = Kpi("headcount", "人数", "count", None, 3, now_text="<5")
    assert hidden.arrow == "－"


def effect_frame(mailed: tuple[int, int, int], holdout: tuple[int, int, int]) -> pd.DataFrame:
    rows = []
    for group, (users, present, left) in (("mailed", mailed), ("holdout", holdout)):
        rows.append(
            {"group": group, "users": users, "in_snapshot": present, "left_stuck_point": left}
        )
    return pd.DataFrame(rows)


def test_difference_has_a_newcombe_interval() -> None:
    measured = difference(effect_frame((40, 40, 18), (20, 20, 4)))
    assert measured.measured
    assert measured.difference == pytest.approx(18 / 40 - 4 / 20)
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(18, 40, 4, 20, method="newcomb", compare="diff")
    assert (measured.low, measured.high) == (pytest.approx(low), pytest.approx(high))
    assert measured.low is not None and measured.high is not None
    assert measured.low < measured.difference < measured.high


def test_small_groups_and_no_holdout_are_not_yet_measurable() -> None:
    small = difference(effect_frame((40, 40, 18), (9, 9, 2)))
    assert small.status == NOT_YET and "too small" in small.reason
    assert small.low is None and small.difference is None
    none = difference(effect_frame((40, 40, 18), (0, 0, 0)))
    assert none.status == NOT_YET and none.reason == "no holdout"


def test_run_effect_counts_who_left_the_stuck_point() -> None:
    ledger = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d", "gone"],
            "state": ["sent", "sent", "holdout", "holdout", "sent"],
        }
    )
    later = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "stuck_point": ["healthy", "no_prep", "no_prep", "no_rating"],
            "flags": ["healthy", "no_prep", "no_prep;no_rating", "no_rating"],
        }
    )
    frame = run_effect(ledger, "no_prep", later).set_index("group")
    assert frame.loc["mailed", "users"] == 3 and frame.loc["mailed", "in_snapshot"] == 2
    assert frame.loc["mailed", "left_stuck_point"] == 1
    assert frame.loc["holdout", "left_stuck_point"] == 1
    assert frame.loc["holdout", "still_flagged"] == 1


def small_review(**changes: object) -> Review:
    stages = pd.DataFrame(
        {
            "stuck_point": ["not_activated", "no_prep", "healthy"],
            "label": ["未ログイン", "事前準備なし", "定着"],
            "now": [5, 12, 30],
            "before": [6, 10, 29],
        }
    )
    review = Review(
        title="t",
        snapshot="0002",
        as_of=dt.date(2026, 11, 20),
        previous_snapshot="0001",
        previous_as_of=dt.date(2026, 10, 20),
        summary=[],
        funnel=Funnel(stages, moved_on=3, slid_back=7, unchanged=30, joined=0, departed=1),
        trend=Trend(pd.DataFrame()),
        divisions=Divisions(
            "p",
            pd.DataFrame(),
            pd.DataFrame(
                {
                    "division": ["営業本部", "開発本部"],
                    "before": [0.9, 0.8],
                    "now": [0.7, 0.79],
                    "change": [-0.2, -0.01],
                }
            ),
        ),
        mail=[],
        seminars=[],
        campaigns=[CampaignFigures("c1", "経営層との1on1権", "w", 10, 2, 6, True)],
        milestones=Milestones(due_manager=2, due_member=3, delivered=0),
        interviews=Interviews(0, pd.DataFrame()),
    )
    for key, value in changes.items():
        setattr(review, key, value)
    return review


def test_next_actions_follow_the_numbers() -> None:
    month2 = Seminar(month=2, title="他の人は1on1でどんな話をしているの？")
    actions = next_actions(small_review(), Settings(seminars={"month2": month2}))
    texts = [(a.text, a.basis, a.command) for a in actions]
    assert texts[0][1] == "12人（全体の26%）" and "事前準備なし" in texts[0][0]
    # The seminar by the title in kops.yaml, never by its place in the series (Month2).
    assert f"セミナー「{month2.title}」" in texts[0][0] and "Month" not in texts[0][0]
    assert texts[0][2].startswith("kops mail send --segment no_prep")
    division = next(t for t in texts if "営業本部" in t[0])
    assert division[1] == "90% → 70%（-20pt）"
    assert not any("開発本部" in t[0] for t in texts)  # fell by less than 5 points
    assert any(t[1] == "前の段階に戻った 7人 ＞ 次の段階に進んだ 3人" for t in texts)
    assert any(t[2] == "kops campaign award c1" and "付与済み 6人" in t[1] for t in texts)
    assert any("送付予定 5件" in t[1] for t in texts)


def test_a_rehearsed_run_is_delivered_or_planned_again_by_the_data_it_was_planned_on() -> None:
    """A run only written to the outbox is measured once delivered; but if it was planned
    on an earlier snapshot its mails state that data's facts, so it is planned again."""
    from kakeai_ops.analyses.mail_effect import NOT_DELIVERED, Difference
    from kakeai_ops.jobs.monthly_review.figures import MailRun

    def run(run_id: str, key: str, snapshot: str) -> MailRun:
        effect = Difference(0, 0, 0, 0, reason=NOT_DELIVERED)
        return MailRun(run_id, "t", key, snapshot, 0, 0, 0, 14, effect, written=13)

    review = small_review(
        mail=[
            run("not_activated-2026-10", "not_activated", "0001"),
            run("no_prep.member-2026-10", "no_prep", "0001"),
            run("no_prep.member-2026-11", "no_prep", "0002"),
        ]
    )
    actions = next_actions(review, Settings())
    said = {a.command: a.text for a in actions}
    # 事前準備なし, the largest stuck point, is planned on this data and only written: the
    # first action is to deliver that run (then compare with its holdout), said once.
    assert actions[0].command == "kops mail status no_prep.member-2026-11"
    assert actions[0].text.endswith(
        "計画済みのメール「事前準備なし・部下向け（2026年11月）」は未送信: 届けてから効果を比べる"
    )
    assert [a.command for a in actions].count("kops mail status no_prep.member-2026-11") == 1
    old = [t for t in said.values() if "2026年10月" in t and "計画し直す" in t]
    assert old == [
        "メール「未ログイン（2026年10月）」は書き出しのみ（未送信）で、"
        "文面は2026年10月20日時点のデータ: 送るなら最新のデータで計画し直す"
    ]
    # October's rehearsal of it is not a second action (to plan again what is planned).
    assert "kops mail send --segment no_prep" not in said


@pytest.mark.parametrize("invitations_rehearsed", [False, True])
def test_a_recording_is_suggested_only_where_its_invitations_went_out(
    invitations_rehearsed: bool,
) -> None:
    """A recording written to the outbox is for delivering, 「先日ご案内した」, unless its
    seminar's invitations too were only written: then it reaches no one invited, and
    `seminar remind` refuses it once mail is sent for real (slide 10 said 「届ける」)."""
    from kakeai_ops.jobs.monthly_review.figures import MailRun

    recording = MailRun(
        "seminar.recording-month1-77996bc8", "t", None, "0002", 0, 0, 0, 0, None, written=47,
        invitations_rehearsed=invitations_rehearsed,
    )  # fmt: skip
    quiet = pd.DataFrame(
        {"stuck_point": ["healthy"], "label": ["定着"], "now": [10], "before": [10]}
    )
    review = small_review(  # no other reason for an action
        funnel=Funnel(quiet, moved_on=1, slid_back=0, unchanged=10, joined=0, departed=0),
        campaigns=[],
        milestones=Milestones(0, 0, 0),
        mail=[recording],
    )
    review.divisions.changes = review.divisions.changes.iloc[0:0]
    actions = next_actions(review, Settings())
    suggested = [a for a in actions if a.command.startswith(f"kops mail status {recording.run_id}")]
    assert len(suggested) == (0 if invitations_rehearsed else 1)
    if suggested:
        assert suggested[0].text.endswith("は未送信: 届ける")


def test_no_actions_without_reasons() -> None:
    empty = pd.DataFrame(
        {"stuck_point": ["healthy"], "label": ["定着"], "now": [10], "before": [10]}
    )
    review = small_review(
        funnel=Funnel(empty, moved_on=1, slid_back=0, unchanged=10, joined=0, departed=0),
        campaigns=[],
        milestones=Milestones(0, 0, 0),
    )
    review.divisions.changes = review.divisions.changes.iloc[0:0]
    assert next_actions(review, Settings()) == []


def test_deck_writer_fonts_and_growing_rows(tmp_path: Path) -> None:
    long_text = (
        "業務の進捗や進め方 4件 / 会社や部署の方針 2件 / 業績目標の進捗 2件 / 非公開トピック 1件"
    )
    slides = [
        Slide(
            "タイトル",
            tiles=[Tile("人数", "252", "▼ 低下 -2")],
            table=Table(["順位", "トピック"], [["1", long_text], ["2", "短い"]], widths=[1, 3]),
            chart=Chart("bar", "グラフ", ["a", "b"], [("系列", [1.0, None])]),
        )
    ]
    path = write_deck(slides, tmp_path / "deck.pptx")
    slide = Presentation(str(path)).slides[0]
    table = next(s.table for s in slide.shapes if s.has_table)
    assert table.rows[1].height > table.rows[2].height  # the long cell's row grew
    xml = slide.shapes._spTree.xml
    assert 'ea typeface="Meiryo"' in xml
    plotted = next(s.chart for s in slide.shapes if s.has_chart)
    assert 'typeface="Meiryo"' in plotted._chartSpace.xml
    assert list(plotted.plots[0].series[0].values) == [1.0, None]


def test_a_long_table_stays_on_the_slide(tmp_path: Path) -> None:
    rows = [[f"事業部{i:02d}", f"{i}", "88%"] for i in range(60)]
    path = write_deck(
        [Slide("事業部別", table=Table(["事業部", "人数", "率"], rows))], tmp_path / "d.pptx"
    )
    presentation = Presentation(str(path))
    shape = next(s for s in presentation.slides[0].shapes if s.has_table)
    table = shape.table
    bottom = shape.top + sum(row.height for row in table.rows)
    assert bottom <= presentation.slide_height
    assert len(table.rows) < 61
    shown = len(table.rows) - 2  # header and the note
    assert (
        table.cell(len(table.rows) - 1, 0).text
        == f"…ほか {60 - shown}行（すべての行は資料のブックに）"
    )
    assert table.cell(shown, 0).text == f"事業部{shown - 1:02d}"


def _report(rates: dict[str | None, tuple[float, str]]) -> DivisionReport:
    """A division report whose overview has these implementation rates (raw, state)."""
    period, previous = parse_period("30d", dt.date(2026, 11, 20))
    cells = []
    for division, (rate, state) in rates.items():
        for metric, unit, raw in (
            ("headcount", "people", 40.0),
            ("activation_rate", "share", 0.9),
            ("pair_rate", "share", 0.8),
            ("implementation_rate", "share", rate),
            ("per_member_month", "rate", 1.25),
            ("sukkiri_avg", "average", 3.94),
        ):
            cells.append(
                Cell(
                    table="overview",
                    period=period.label,
                    division=division,
                    department=None,
                    metric=metric,
                    unit=unit,
                    raw=raw,
                    size=40,
                    threshold=5,
                    state=state if metric == "implementation_rate" else "",
                )
            )
    divisions = [d for d in rates if d is not None]
    return DivisionReport("t", "全社", dt.date(2026, 11, 20), period, previous, cells, divisions)


def test_division_change_only_between_published_rates() -> None:
    before = _report(
        {None: (0.70, ""), "営業": (0.90, ""), "開発": (0.50, ""), "企画": (0.33, SECONDARY)}
    )
    now = _report(
        {None: (0.60, ""), "営業": (0.70, ""), "開発": (0.123, PRIMARY), "企画": (0.80, "")}
    )
    figures = division_figures(now, before)
    table = figures.table.set_index("division")
    assert table.at["開発", "implementation_rate"] == "<5"
    assert table.at["企画", "implementation_rate"] == 0.8
    assert table.at["全社", "per_member_month"] == 1.3  # published to one decimal
    changes = figures.changes.set_index("division")
    # A hidden rate now (開発) or before (企画) gives no change that would reveal it.
    assert set(changes.index) == {"全社", "営業"}
    assert changes.at["営業", "change"] == pytest.approx(-0.2)
    review = small_review(divisions=figures)
    texts = [a.basis for a in next_actions(review, Settings())]
    assert "90% → 70%（-20pt）" in texts
    assert not any("12%" in t or "33%" in t for t in texts)


def test_the_trend_title_names_what_moved_most_and_ties_fairly() -> None:
    from kakeai_ops.jobs.monthly_review.slides import _most_moved

    assert _most_moved({"no_pair": 0.0, "lapsed": 0.0}) == ""
    assert _most_moved({"no_pair": 0.01, "lapsed": -0.03}) == "。最も動いたのは1on1休眠（-3pt）"
    two = _most_moved({"not_activated": -0.01, "lapsed": -0.01, "no_pair": 0.0})
    assert two == "。最も動いたのは未ログイン（-1pt）・1on1休眠（-1pt）"
    many = {"not_activated": -0.01, "no_pair": 0.01, "no_1on1": -0.01, "lapsed": -0.01}
    assert _most_moved(many) == "。各スタックポイントは前回比±1pt以内"


def test_the_campaign_slide_has_its_figures_in_its_table_and_no_chart() -> None:
    """Slide 7 draws no bars: they would repeat the table's 対象 and 付与済み in the strip
    of room under it (a few millimetres tall). Every campaign has its row."""
    from kakeai_ops.jobs.monthly_review.slides import campaigns_slide

    closed = CampaignFigures("c2", "全社表彰", "w2", 40, 0, 35, False)
    review = small_review(campaigns=[*small_review().campaigns, closed])
    slide = campaigns_slide(review)
    assert slide.chart is None
    assert slide.table is not None
    assert [row[:5] for row in slide.table.rows] == [
        ["経営層との1on1権", "w", "10人", "2人", "6人"],
        ["全社表彰", "w2", "40人", "期間終了", "35人"],
    ]


def test_figures_not_compared_say_why_where_the_comparison_would_be() -> None:
    """The previous snapshot's figures withheld (made again, they would give a hidden
    figure back with the reports published since): slides 1 and 4 say they are not
    compared and why, in place of the days they compare with."""
    from kakeai_ops.jobs.monthly_review import slides

    said = slides._previous_days(small_review(before_withheld=True))
    assert said.startswith("、前回（2026年10月20日時点）の値とは比べていません")
    assert slides.WITHHELD_BECAUSE in said
    compared = small_review()
    compared.divisions.previous_period = "2026年9月21日〜10月20日"
    assert slides._previous_days(compared) == "、前回比は前回（2026年9月21日〜10月20日）との差"

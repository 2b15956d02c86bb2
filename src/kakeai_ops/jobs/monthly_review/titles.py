"""Slide titles, shared by the deck and the workbook's sheet names, and the words the
deck uses for dates, changes, mail runs and differences."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ... import glossary
from ...mail.evaluation import points as fine_points  # as `kops mail report` writes it
from ...mail.template_names import run_name
from ...numbers import rounded

if TYPE_CHECKING:
    from ...analyses.mail_effect import Difference
    from .figures import Review

TITLES = {
    "summary": "サマリー",
    "funnel": "スタックポイント",
    "trend": "スタックポイントの推移",
    "divisions": "事業部別の主要指標",
    "mail": "メール施策",
    "seminar": "セミナー",
    "campaigns": "キャンペーン・マイルストーン",
    "interviews": "好事例インタビュー候補",
    "actions": "次のアクション",
}

# 付与のお知らせ, the campaign's award mails (the column's label without its unit).
AWARD_NOTICES = glossary.column_label("award_notices").split("（", 1)[0]
# 達成見込み of a campaign whose window has ended, on slide and sheet 7: no figure, and said
# so (a blank cell read as 0).
WINDOW_ENDED = "期間終了"


def day(when: dt.date) -> str:
    """2026年11月20日: a date as the meeting reads it (never a snapshot id)."""
    return f"{when.year}年{when.month}月{when.day}日"


def points(change: float) -> str:
    """A change of a share in points: +3pt, -10pt, ±0pt."""
    whole = int(rounded(change * 100, 0))  # as Excel rounds: a tie away from zero
    return "±0pt" if whole == 0 else f"{whole:+d}pt"


def run_title(run_id: str, review: Review) -> str:
    """What a mail run was, in words: 「事前準備なし・部下向け（2026年10月）」,
    「セミナーのご案内：1on1をみんなどうやっているの？」 (mail.template_names, as `kops mail
    status RUN --out` names its template). The id goes to the notes."""
    return run_name(
        run_id,
        {s.seminar_id: s.title for s in review.seminars},
        {c.campaign_id: c.title for c in review.campaigns},
    )


def difference_words(effect: Difference) -> str:
    """The difference of the shares that left the stuck point, mailed − held back, and
    its 95% interval said in words: an interval across zero is 「誤差の範囲」 (the mail
    report's 「有意差なし」)."""
    difference = effect.difference or 0.0
    low, high = effect.low or 0.0, effect.high or 0.0
    interval = f"95%信頼区間 {fine_points(low)}〜{fine_points(high)}"
    if low > 0:
        return f"送った方が{fine_points(difference)}多く抜けた（{interval}、有意差あり）"
    if high < 0:
        return (
            f"送った方が{fine_points(-difference).lstrip('+')}少なかった（{interval}、有意差あり）"
        )
    return f"差は誤差の範囲（{fine_points(difference)}、{interval}、有意差なし）"

"""Slide titles, shared by the deck and the workbook's sheet names."""

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

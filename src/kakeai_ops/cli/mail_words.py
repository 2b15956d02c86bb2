"""The words the secretariat reads for the suppression list and the bounces learned.

The ledger keeps its English keys and the reasons kops wrote (``bounced: 5.1.1 …``);
``--format csv|json`` gives them as stored, for machines. The terminal's table says
them in Japanese, with the words of the summary line under it.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

SUPPRESSION_HEADERS = {
    "key": "アドレス・社員番号",
    "user_id": "社員番号",
    "reason": "理由",
    "source": "登録元（配信）",
    "added_at": "登録日時",
}
BOUNCE_HEADERS = {
    "source": "通知",
    "recipient": "宛先",
    "kind": "種類",
    "status": "状態コード",
    "run_id": "配信",
    "result": "結果",
    "reason": "理由",
}
KIND_WORDS = {"permanent": "恒久的な失敗", "temporary": "一時的な失敗"}
RESULT_WORDS = {
    "suppressed": "配信停止",
    "counted": "一時的な失敗として数えた",
    "already read": "読み込み済み",
    "not mailed by kops": "kops が送っていない",
    "not suppressed": "配信停止にしない",
}
MANUAL = "手動（kops mail suppress）"

# The reasons kops writes, in the order they are tried; a reason typed with --reason
# matches none and is shown as typed.
_STORED_REASONS = (
    (re.compile(r"^bounced: (.*)$", re.S), "不達: {0}"),
    (
        re.compile(r"^(\d+) temporary bounces \(last: (.*)\)$", re.S),
        "一時的な不達 {0} 回（最後: {1}）",
    ),
    (
        re.compile(r"^(\d+) of (\d+) temporary bounces$"),
        "一時的な不達 {0} 回目（{1} 回で配信停止）",
    ),
    (
        re.compile(r"^the notice is for (.*); kops mailed (.*)$", re.S),
        "通知の宛先は {0}（kops が送ったのは {1}）",
    ),
    (re.compile(r"^rejected: (.*)$", re.S), "送信時にサーバーが拒否: {0}"),
)


def reason_words(reason: Any) -> str:
    """A reason kops stored said in Japanese; one the secretariat typed, as typed."""
    text = "" if reason is None or reason is pd.NA else str(reason)
    for pattern, words in _STORED_REASONS:
        found = pattern.match(text)
        if found:
            return words.format(*found.groups())
    return text


def suppression_for_people(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.assign(
        user_id=frame["user_id"].fillna(""),
        reason=[reason_words(r) for r in frame["reason"]],
        source=[MANUAL if s == "manual" else s for s in frame["source"]],
        added_at=[str(a)[:16].replace("T", " ") for a in frame["added_at"]],  # JST, to the minute
    )
    return shown.rename(columns=SUPPRESSION_HEADERS)


def bounces_for_people(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.assign(
        kind=[KIND_WORDS.get(k, k) for k in frame["kind"]],
        result=[RESULT_WORDS.get(r, r) for r in frame["result"]],
        reason=[reason_words(r) for r in frame["reason"]],
    )
    return shown.rename(columns=BOUNCE_HEADERS)

"""The words the secretariat reads for the suppression list and the bounces learned.

The ledger keeps its English keys and the reasons kops wrote (``bounced: 5.1.1 …``);
``--format csv|json`` gives them as stored, for machines. The terminal's table says
them in Japanese, with the words of the summary line under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..i18n import language

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
# Where a key came from, as the list shows it: a person's new address is kept off with them
# (mail/suppression.follow_address_changes), said in the reader's words, not 「address change」.
SOURCES = {
    "manual": MANUAL,
    "address change": "アドレスの変更（取り込み時に本人の新しいアドレスを追加）",
}

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


# What the sending step stored as a message's error (`kops mail status RUN`), in the order
# tried; the server's own reply inside it stays as the server wrote it.
_SMTP_STEPS = {
    "MAIL FROM": "差出人の指定",
    "RCPT TO": "宛先の指定",
    "DATA": "本文の送信の開始",
    "after DATA": "本文の送信後",
    "AUTH": "ログイン",
}
# Its state says 結果不明 already: the error says why (an old ledger may say it twice).
_UNKNOWN = re.compile(r"^(?:unknown: )+")
_STORED_ERRORS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"^connection lost after the message was sent: (.*)$", re.S),
        lambda m: f"メールを渡した後に接続が切れました: {m[1]}",
    ),
    (
        re.compile(r"^connection lost before the message was sent: (.*)$", re.S),
        lambda m: f"メールを渡す前に接続が切れました: {m[1]}",
    ),
    (
        re.compile(r"^sender refused: (.*)$", re.S),
        lambda m: f"サーバーが差出人を拒否しました: {m[1]}",
    ),
    (re.compile(r"^not connected$"), lambda m: "メールサーバーにつながっていません"),
    (
        re.compile(r"^suppression list: (.*)$", re.S),
        lambda m: f"配信停止リスト: {reason_words(m[1])}",
    ),
    # 産休・育休 too: 「休職中」 said of one on maternity leave what the send said otherwise.
    (
        re.compile(r"^on leave \(latest snapshot\)$"),
        lambda m: "休職・休業中（最新のスナップショット）",
    ),
    (re.compile(r"^retired \(latest snapshot\)$"), lambda m: "退職（最新のスナップショット）"),
    (
        re.compile(r"^milestone already delivered$"),
        lambda m: "この節目のお知らせは別の配信で送付済み",
    ),
    (
        re.compile(r"^(.*) \((MAIL FROM|RCPT TO|DATA|after DATA|AUTH)\)$", re.S),
        lambda m: f"{m[1]}（{_SMTP_STEPS[m[2]]}）",
    ),
)


def error_words(error: Any) -> str:
    """A message's stored error said in Japanese (the server's reply as it wrote it)."""
    text = "" if _missing(error) else str(error)
    if language() == "en":
        return text  # stored in English
    unknown = _UNKNOWN.match(text)
    if unknown:
        text = text[unknown.end() :]
    for pattern, words in _STORED_ERRORS:
        found = pattern.match(text)
        if found:
            return str(words(found))
    return text


def _missing(value: Any) -> bool:
    """None, pd.NA or NaN: what a ledger column without a value reads back as."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def reason_words(reason: Any) -> str:
    """A reason kops stored said in Japanese; one the secretariat typed, as typed."""
    text = "" if _missing(reason) else str(reason)
    if language() == "en":
        return text  # stored in English, or typed by the secretariat
    for pattern, words in _STORED_REASONS:
        found = pattern.match(text)
        if found:
            return words.format(*found.groups())
    return text


def suppression_for_people(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.assign(
        user_id=frame["user_id"].fillna(""),
        reason=[reason_words(r) for r in frame["reason"]],
        source=[SOURCES.get(s, s) for s in frame["source"]],
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

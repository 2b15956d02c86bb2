"""The workspace audit log: one entry per action that changed state, sent mail or wrote a
report, recorded only once the action succeeded.

Every such action calls :func:`record_action` with what it did (an action name from
:data:`ACTIONS`), to what (the target: a run id, a campaign, a seminar, a person), how many
(rows, messages, people) and which files it read or wrote (with their content hash where
the file is an input). ``kops audit`` shows it as 日時・操作・対象・件数・ファイル.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where the log is read: `kops --help` never needs it
    import pandas as pd

from .. import glossary
from ..clock import now_text
from ..workspace import Workspace

# Action → how `kops audit` names it. An action not listed is shown as recorded.
ACTIONS: dict[str, str] = {
    "ingest": "取り込み",
    "ingest --older": "取り込み（古いエクスポート）",
    "mail plan": "メール送信計画の記録",
    "mail send": "メール送信",
    "mail write": "メール書き出し（outbox・未送信）",
    "mail test": "テスト送信",
    "mail suppress": "配信停止に追加",
    "mail unsuppress": "配信停止を解除",
    "mail bounces": "不達通知の取り込み",
    "interview record": "インタビューの記録",
    "interview exclude": "インタビュー候補から除外",
    "interview include": "インタビュー候補に戻す",
    "campaign award": "キャンペーン付与",
    "campaign entries": "応募の取り込み",
    "campaign draw": "抽選",
    "campaign redraw": "再抽選",
    "campaign milestones --mark-delivered": "マイルストーン配信済みの記録",
    "seminar attendance": "セミナー出欠の取り込み",
    "seminar survey": "セミナーアンケートの取り込み",
    "report divisions": "事業部レポート",
    "report figures": "事業部レポートの数値",
    "report advisors": "アドバイザー一覧",
    "review": "月次レビュー資料",
    # The secretariat's lists, recorded when written to a file (--out): a publication.
    "segment": "スタックポイントの書き出し",
    "campaign eligible": "キャンペーン対象者の書き出し",
    "campaign milestones": "マイルストーン対象者の書き出し",
    "interview shortlist": "インタビュー候補の書き出し",
    "mail status": "メール送信状況の書き出し",
    "seminar list": "セミナー一覧の書き出し",
    "seminar summary": "セミナー集計の書き出し",
}
# Who may see a file (privacy/audiences.py), as `kops audit` shows it.
AUDIENCE_LABELS = {"secretariat": "事務局内限り", "shared": "共有可"}

# The columns of `kops audit`, in Japanese, and the fields they show.
HEADERS = {
    "at": "日時",
    "label": "操作",
    "target": "対象",
    "count": glossary.column_label("count"),
    "files": "ファイル",
    "audience": "公開範囲",
    "as_of": "基準日",
    "os_user": "実行者",
    "snapshot": "スナップショット",
}


def file_entry(path: Path | str, read: bool = True) -> str:
    """A file as the log names it: an input with the first 16 hex digits of its SHA-256
    (``users.csv sha256:0123…``), an output by its path."""
    path = Path(path)
    if not read:
        return str(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return str(path)
    return f"{path.name} sha256:{digest.hexdigest()[:16]}"


def record_action(
    ws: Workspace,
    action: str,
    target: str | None = None,
    count: int | None = None,
    files: Iterable[str] = (),
    snapshot: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one successful action in the audit log (call it after the action succeeded)."""
    from .state import connect, os_user

    listed = list(files)
    with closing(connect(ws)) as db:
        db.execute(
            "INSERT INTO audit (at, os_user, command, scope, snapshot, rows, detail, files)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_text(),
                os_user(),
                action,
                target,
                snapshot,
                count,
                json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
                json.dumps(listed, ensure_ascii=False) if listed else None,
            ),
        )


def audit_entries(ws: Workspace, limit: int) -> pd.DataFrame:
    """The newest ``limit`` entries, newest first: at, os_user, action, label (Japanese),
    target, count, files (a list), snapshot, detail (a dict), and from the detail the
    audience (secretariat/shared) and the as-of date (基準日) of what was published."""
    import pandas as pd

    from .state import connect

    with closing(connect(ws)) as db:
        frame = pd.read_sql_query(
            "SELECT at, os_user, command AS action, scope AS target, rows AS count, files,"
            " snapshot, detail FROM audit ORDER BY id DESC LIMIT ?",
            db,
            params=(limit,),
        )
    frame.insert(3, "label", [ACTIONS.get(a, a) for a in frame["action"]])
    frame["target"] = [_readable_target(t) for t in frame["target"]]
    frame["files"] = [json.loads(f) if isinstance(f, str) and f else [] for f in frame["files"]]
    frame["detail"] = [json.loads(d) if isinstance(d, str) and d else {} for d in frame["detail"]]
    frame["count"] = frame["count"].astype("Int64")
    # A mail run's detail names its recipients "audience": only who may see a file counts.
    # Object columns: from a list of text and None, pandas would infer text whose missing
    # value is NaN, printed "nan" and written NaN into the JSON.
    frame["audience"] = pd.Series(
        [_readers(d.get("audience")) for d in frame["detail"]], index=frame.index, dtype=object
    )
    frame["as_of"] = pd.Series(
        [d.get("as_of") for d in frame["detail"]], index=frame.index, dtype=object
    )
    return frame


def _readers(value: Any) -> str | None:
    """secretariat or shared, for an entry that published a file; else None."""
    return value if isinstance(value, str) and value in AUDIENCE_LABELS else None


def _readable_target(value: Any) -> str:
    """Older entries stored a mail run's audience as JSON: shown as key=value."""
    if not isinstance(value, str):
        return ""
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            return value
        if isinstance(data, dict):
            return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", []))
    return value


def audit(ws: Workspace, command: str, **fields: Any) -> None:
    """Record a successful action (older spelling of ``audit.record_action``): ``scope`` is
    its target, ``rows`` its count; a ``file``/``xlsx`` in ``detail`` is listed as a file."""
    detail = dict(fields.get("detail") or {})
    files = [str(detail[key]) for key in ("file", "xlsx") if detail.get(key)]
    record_action(
        ws,
        command,
        target=fields.get("scope"),
        count=fields.get("rows"),
        files=files,
        snapshot=fields.get("snapshot"),
        detail=detail or None,
    )

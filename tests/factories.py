"""Hand-made canonical tables for analysis tests (the shape ingest produces)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kakeai_ops import model
from kakeai_ops.store import Tables


def ts(text: str | None) -> Any:
    return pd.NaT if text is None else pd.Timestamp(text)


def user(user_id: str, **fields: Any) -> dict[str, Any]:
    row = {
        "user_id": user_id,
        "name": f"社員{user_id}",
        "email": f"u{user_id.lower()}@example.jp",
        "division": "営業本部",
        "department": "第一営業部",
        "job_type": "営業",
        "age_band": "30代",
        "employment": "在籍",
        "employment_status": "active",
        "created_at": pd.NaT,
        "last_login_at": pd.Timestamp("2026-11-01 09:00"),
    }
    row.update(
        {
            k: ts(v) if k.endswith("_at") and (v is None or isinstance(v, str)) else v
            for k, v in fields.items()
        }
    )
    return row


def pair(
    manager: str, member: str, accepted: str | None = "2026-01-05", recurring: bool = True
) -> dict[str, Any]:
    return {
        "manager_id": manager,
        "member_id": member,
        "invited_at": pd.Timestamp("2026-01-01"),
        "accepted_at": ts(accepted),
        "recurring": recurring,
    }


_counter = iter(range(1, 1_000_000))


def meeting(
    manager: str,
    member: str,
    held: str,
    status: str = "held",
    topic: str | None = "業務の進捗や進め方",
    prepared: str | None = "before",
    sukkiri: int | None = 4,
    growth: int | None = 3,
    response: str | None = "報告したい",
    meeting_id: str | None = None,
) -> dict[str, Any]:
    held_at = pd.Timestamp(held)
    if prepared == "before":
        prepared_at = held_at - pd.Timedelta(hours=2)
    elif prepared == "after":
        prepared_at = held_at + pd.Timedelta(hours=2)
    else:
        prepared_at = ts(prepared)
    return {
        "meeting_id": meeting_id or f"M{next(_counter):06d}",
        "manager_id": manager,
        "member_id": member,
        "held_at": held_at,
        "status": status,
        "topic": topic,
        "response": response,
        "prepared_at": prepared_at,
        "sukkiri": sukkiri,
        "growth": growth,
    }


def tables(users: list[dict], pairs: list[dict] = (), meetings: list[dict] = ()) -> Tables:  # type: ignore[assignment]
    """The three tables typed as a snapshot holds them (kakeai_ops.model)."""
    return Tables(
        users=model.frame("users", users),
        pairs=model.frame("pairs", pairs),
        meetings=model.frame("meetings", meetings),
    )


ORGANISATION_TOPICS = [
    "業務の進捗や進め方",
    "業績目標の進捗",
    "人間関係",
    "今後のキャリア",
    "心身の状態",
]


def organisation(shape: dict[str, dict[str, int]]) -> Tables:
    """Each 部署's first person is the boss of the others; each member met twice."""
    users: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    for division, departments in shape.items():
        for department, size in departments.items():
            boss = f"{division}-{department}-M"
            users.append(user(boss, division=division, department=department))
            for i in range(size - 1):
                uid = f"{division}-{department}-{i}"
                users.append(user(uid, division=division, department=department))
                pairs.append(pair(boss, uid))
                for day in (4 + i % 7, 14 + i % 5):
                    meetings.append(
                        meeting(
                            boss,
                            uid,
                            f"2026-11-{day:02d} 10:00",
                            topic=ORGANISATION_TOPICS[(i + day) % len(ORGANISATION_TOPICS)],
                            sukkiri=1 + (i + day) % 5,
                        )
                    )
    return tables(users, pairs, meetings)

"""Who an advisor (アドバイザー) sees: their scope checked against the users export, and the
managers and members in it."""

from __future__ import annotations

import pandas as pd

from .. import config
from ..config import Advisor, Settings
from ..errors import KopsError
from ..model import Tables
from .divisions import scope_tables
from .roles import roles

PEOPLE_COLUMNS = ["advisor", "user_id", "name", "email", "division", "department", "role"]


def advisor(settings: Settings, name: str) -> Advisor:
    """The advisor ``name`` from kops.yaml, or an error listing those configured."""
    return config.advisor(settings, name)


def require_advisors(settings: Settings) -> None:
    if not settings.advisors:
        raise KopsError(
            "no advisors in kops.yaml", hint="add them under `advisors:` (name: {email, scope})"
        )


def check_scope(users: pd.DataFrame, name: str, config: Advisor) -> None:
    """Every scope entry (事業部 or 事業部/部署) must match somebody in the snapshot."""
    divisions = set(users["division"])
    departments = set(zip(users["division"], users["department"], strict=True))
    for entry in config.scope:
        division, _, department = (part.strip() for part in entry.partition("/"))
        if division not in divisions or (department and (division, department) not in departments):
            raise KopsError(
                f"advisors.{name}.scope: '{entry}' matches nobody in this snapshot",
                hint="scope entries are 事業部 or 事業部/部署 as in the users export",
            )


def people_in_scope(tables: Tables, name: str, config: Advisor) -> pd.DataFrame:
    """The managers and members (accepted pairs, not retired) in the advisor's scope."""
    check_scope(tables.users, name, config)
    scoped = scope_tables(tables, config.scope)
    pairs = scoped.pairs[scoped.pairs["accepted_at"].notna()]
    ids = set(scoped.users["user_id"])
    managers = set(pairs["manager_id"]) & ids
    members = set(pairs["member_id"]) & ids
    users = scoped.users[
        scoped.users["user_id"].isin(managers | members)
        & (scoped.users["employment_status"] != "retired")
    ]
    role = pd.Series(
        roles(users["user_id"].isin(managers), users["user_id"].isin(members)),
        index=users.index,
    )
    frame = pd.DataFrame(
        {
            "advisor": name,
            "user_id": users["user_id"],
            "name": users["name"],
            "email": users["email"],
            "division": users["division"],
            "department": users["department"],
            "role": role,
        }
    )
    return frame.reset_index(drop=True)

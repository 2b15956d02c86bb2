"""Who an advisor (アドバイザー) sees: their scope checked against the users export, and the
managers and members in it."""

from __future__ import annotations

import pandas as pd

from .. import config
from ..columnar.lookup import is_in
from ..config import Advisor, ScopeUnit, Settings
from ..errors import KopsError
from ..i18n import _
from ..model import Tables
from .divisions import scope_tables
from .roles import roles

PEOPLE_COLUMNS = ["advisor", "user_id", "name", "email", "division", "department", "role"]


def advisor(settings: Settings, name: str) -> Advisor:
    """The advisor ``name`` from kops.yaml, or an error listing those configured."""
    return config.advisor(settings, name)


EXAMPLE = "営業本部長: {email: yamada@example.co.jp, name: 山田 太郎, scope: [営業本部]}"


def require_advisors(settings: Settings) -> None:
    if not settings.advisors:
        raise KopsError(
            _("no advisors in kops.yaml"),
            # The whole entry, name: included: a report mailed without it is refused next.
            hint=_("add them under `advisors:`, e.g. {example}").format(example=EXAMPLE),
        )


def resolve_scope(users: pd.DataFrame, name: str, config: Advisor) -> list[ScopeUnit]:
    """The units of the advisor's scope, each matching somebody in the snapshot.

    A string entry is a 事業部, or a 事業部 and one of its 部署 split at a '/'; when
    the snapshot allows more than one reading (事業部 '人事/総務部' beside 事業部
    '人事' with 部署 '総務部') it is refused with the readings, never guessed."""
    divisions = {str(d) for d in users["division"].dropna()}
    departments = {
        (str(d), str(p))
        for d, p in zip(users["division"], users["department"], strict=True)
        if isinstance(d, str) and isinstance(p, str)
    }
    units = []
    for entry in config.scope:
        if isinstance(entry, ScopeUnit):
            known = (
                entry.division in divisions
                if entry.department is None
                else (entry.division, entry.department) in departments
            )
            if not known:
                raise KopsError(
                    _("advisors.{name}.scope: {entry} matches nobody in this snapshot").format(
                        name=name, entry=_mapping(entry)
                    ),
                    hint=_("division and department are written as in the users export"),
                )
            units.append(entry)
            continue
        readings = _readings(entry.strip(), divisions, departments)
        if not readings:
            raise KopsError(
                _("advisors.{name}.scope: '{entry}' matches nobody in this snapshot").format(
                    name=name, entry=entry
                ),
                hint=_(
                    "scope entries are 事業部 or 事業部/部署 as in the users export, or {form}"
                ).format(form="{division: …, department: …}"),
            )
        if len(readings) > 1:
            raise KopsError(
                _("advisors.{name}.scope: '{entry}' is ambiguous: it could be {readings}").format(
                    name=name, entry=entry, readings=" / ".join(_mapping(r) for r in readings)
                ),
                hint=_("write the one meant in that form in kops.yaml"),
            )
        units.append(readings[0])
    return units


def _readings(
    entry: str, divisions: set[str], departments: set[tuple[str, str]]
) -> list[ScopeUnit]:
    """Every unit a string scope entry can name in this snapshot."""
    found = [ScopeUnit(division=entry)] if entry in divisions else []
    for at, char in enumerate(entry):
        if char == "/":
            division, department = entry[:at].strip(), entry[at + 1 :].strip()
            if department and (division, department) in departments:
                found.append(ScopeUnit(division=division, department=department))
    return found


def _mapping(unit: ScopeUnit) -> str:
    """The unit as kops.yaml writes it unambiguously."""
    if unit.department is None:
        return f"{{division: {unit.division}}}"
    return f"{{division: {unit.division}, department: {unit.department}}}"


def people_in_scope(tables: Tables, name: str, config: Advisor) -> pd.DataFrame:
    """Everyone in the advisor's scope (those who have left aside), with their role in
    accepted pairs: 上司, 部下, 両方, or なし for someone in no pair yet. As many people as
    the 人数 of the advisor's report: the ones in no pair are those most to follow up."""
    scoped = scope_tables(tables, resolve_scope(tables.users, name, config))
    pairs = scoped.pairs[scoped.pairs["accepted_at"].notna()]
    ids = set(scoped.users["user_id"])
    managers = set(pairs["manager_id"]) & ids
    members = set(pairs["member_id"]) & ids
    users = scoped.users[scoped.users["employment_status"] != "retired"]
    role = pd.Series(
        roles(is_in(users["user_id"], managers), is_in(users["user_id"], members)),
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


def part_captions(users: pd.DataFrame, scope: list[ScopeUnit]) -> dict[str, str]:
    """How a report names each 事業部 the scope holds only part of: 「開発本部（製品開発部・
    品質保証部）」. Its rows count those 部署 alone, and under the bare name a reader takes
    them for the whole 事業部 (31 people read as 開発本部's 50). A 事業部 in the scope
    whole, or with each of its 部署 listed, keeps its name."""
    whole = {unit.division for unit in scope if unit.department is None}
    chosen: dict[str, list[str]] = {}
    for unit in scope:
        if unit.department is not None and unit.division not in whole:
            parts = chosen.setdefault(unit.division, [])
            if unit.department not in parts:
                parts.append(unit.department)
    captions = {}
    for division, parts in chosen.items():
        members = users[users["division"] == division]["department"]
        if members.isna().any() or set(members) != set(parts):
            captions[division] = f"{division}（{'・'.join(parts)}）"
    return captions

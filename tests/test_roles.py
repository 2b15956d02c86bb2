"""Roles (manager, member, both, none): one rule, the same answer in every list that shows it."""

from __future__ import annotations

import datetime as dt

from factories import pair, tables, user
from kakeai_ops.analyses.advisor_scopes import people_in_scope
from kakeai_ops.analyses.roles import roles
from kakeai_ops.analyses.segmentation import segment
from kakeai_ops.config import Rules
from kakeai_ops.config.mail_settings import Advisor


def test_each_combination_of_pairs_names_one_role() -> None:
    assert list(roles([True, True, False, False], [True, False, True, False])) == [
        "both",
        "manager",
        "member",
        "none",
    ]


def test_segment_and_advisor_scope_agree_on_roles() -> None:
    t = tables(
        users=[user("M"), user("B"), user("E"), user("L")],
        pairs=[pair("M", "B"), pair("B", "E")],
    )
    facts = segment(t, Rules(), dt.date(2026, 11, 20)).set_index("user_id")["role"]
    assert facts.to_dict() == {"M": "manager", "B": "both", "E": "member", "L": "none"}
    scoped = people_in_scope(t, "adv", Advisor(scope=["営業本部"]))
    # Everyone in the scope, L (in no pair) too: the same roles as segment's.
    assert dict(zip(scoped["user_id"], scoped["role"], strict=True)) == facts.to_dict()

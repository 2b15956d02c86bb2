"""Hostile inputs for the fast paths of mail and analyses: a message rendered once per
distinct value of what its templates read must be each recipient's own, and the
vectorised per-user facts and division figures must be the plain rules' answers."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import division_oracle as oracle
from factories import meeting, pair, tables, user
from kakeai_ops.analyses import divisions as dv
from kakeai_ops.analyses.definitions import user_positions
from kakeai_ops.analyses.division_groups import Figures
from kakeai_ops.analyses.segmentation import segment
from kakeai_ops.config import DEFAULT_RESPONSES, DEFAULT_TOPICS
from kakeai_ops.mail.context import run_context, seminar_context, template_context
from kakeai_ops.mail.templates import TemplateSet
from test_fast_paths_exports import _arrow_backed
from test_rendered_mail import CAMPAIGN, CASES, RECIPIENT, SHIPPED, settings_with_seminar
from test_segment_facts import AS_OF, RULES, _plain_recent

# --- 4. mail rendered once per distinct value of what its templates read ---------------

_TEMPLATES = {
    "loop.txt": "subject: {{ name }} 様\n---\n{% for k, v in user.items() %}{{ k }}={{ v }}\n"
    "{% endfor %}",
    "keyed.txt": "subject: {{ name }}\n---\n{% set key = 'email' %}{{ user[key] }} {{ loop_x }}\n",
    "include_var.txt": "subject: x\n---\n{% include part %}\n",
    "_part_a.txt": "A {{ user.email }}",
    "_part_b.txt": "B {{ user.division }}",
    "macros.txt": "subject: {{ name }}\n---\n{% import '_macros.txt' as m with context %}"
    "{{ m.who() }} {{ m.hi(name) }}\n",
    "_macros.txt": "{% macro who() %}{{ user.email }}{% endmacro %}"
    "{% macro hi(n) %}{{ n|upper }} {{ user['division'] }}{% endmacro %}",
    "from.txt": "subject: s\n---\n{% from '_macros.txt' import who with context %}{{ who() }}\n",
    "blocks.txt": "subject: {{ facts.stuck_point }}\n---\n{% block b %}{{ user.email }}{% endblock %}"
    " {{ self.b() }} {% for x in [1, 2] %}{{ loop.index }}{{ user.role }}{% endfor %}\n",
    "split.txt": "subject: {{ user.division }}\n---\n{{ name }} {{ user.email }}\n",
    "extends.txt": "subject: e\n---\n{% extends '_base.txt' %}{% block body %}{{ name }}"
    "{% endblock %}",
    "_base.txt": "{% block body %}{% endblock %} / {{ user.email }}",
    "filters.txt": "subject: {{ name|default('x') }}\n---\n{{ user|dictsort|map(attribute=1)"
    "|join(',') }} {{ facts|tojson }}\n",
}


def _recipient(name: str, email: str, division: str, **more: Any) -> dict[str, Any]:
    user = {"name": name, "email": email, "division": division, "role": more.get("role", "")}
    return {
        "name": name,
        "user": user,
        "facts": {"stuck_point": more.get("stuck", "s"), "n": more.get("n", 1)},
        "part": more.get("part", "_part_a.txt"),
        "loop_x": more.get("loop_x", 0),
    }


def _recipients() -> list[dict[str, Any]]:
    same = "山田 太郎"
    people = [
        _recipient(same, "a@x.jp", "営業"),
        _recipient(same, "b@x.jp", "営業"),
        _recipient(same, "a@x.jp", "開発"),
        _recipient(same, "a@x.jp", "営業", role="manager"),
        _recipient(same, "a@x.jp", "営業", stuck="t"),
        _recipient(same, "a@x.jp", "営業", part="_part_b.txt"),
        _recipient(same, "a@x.jp", "営業", loop_x=1),
        _recipient(same, "a@x.jp", "営業", loop_x=True),
        _recipient(same, "a@x.jp", "営業", loop_x=1.0),
        _recipient(same, "a@x.jp", "営業", n=-0.0),
        _recipient(same, "a@x.jp", "営業", n=0.0),
        _recipient("山田 次郎", "a@x.jp", "営業"),
    ]
    # The same people again, in another order: reuse must find each one's own message.
    return people + people[::-1]


@pytest.mark.parametrize("template", [n[:-4] for n in _TEMPLATES if not n.startswith("_")])
def test_reused_mail_is_each_recipients_own(template: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in _TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    reused = TemplateSet(folder).get(template)
    for context in _recipients():
        fresh = TemplateSet(folder).get(template)  # a new set renders without reuse
        assert reused.render(context, "【P】") == fresh.render(context, "【P】")


# --- 5. user positions by Arrow's index_in -----------------------------------------------


@pytest.mark.parametrize("index_dtype", ["str", "string[python]", "string[pyarrow]"])
@pytest.mark.parametrize("ids_dtype", ["str", "string[python]", "string[pyarrow]"])
def test_user_positions_match_get_indexer(index_dtype: str, ids_dtype: str) -> None:
    index = pd.Index(["u1", "ｕ1", "U1", "", "u2", "ｕ２"], dtype=index_dtype)
    ids = pd.Series(["u2", "ｕ1", "", "x", "u1", "u2", "ｕ２", "u１"], dtype=ids_dtype)
    expected = index.get_indexer(ids)
    assert user_positions(index, ids).tolist() == expected.tolist()
    rows = np.array([True, False, True, True, False, True, True, False])
    assert user_positions(index, ids, rows, missing=99).tolist() == [
        99 if p < 0 else p for p in expected[rows]
    ]


def test_user_positions_over_arrow_chunks_and_categories() -> None:
    index = pd.Index(_arrow_backed([["a", "b"], ["c"]]))
    ids = _arrow_backed([["c"], ["a", "q", "b"]])
    assert user_positions(index, ids).tolist() == [2, 0, -1, 1]
    codes = pd.Series(
        pd.Categorical(["q", "b", "q", "a"], categories=pd.Index(["z", "q", "b", "a"], dtype="str"))
    )
    assert user_positions(index, codes).tolist() == [-1, 1, -1, 0]


def _shipped_contexts() -> list[tuple[str, dict[str, Any]]]:
    """Every shipped template with contexts of recipients who share a name and differ
    elsewhere (address, division, facts, milestone, role), as a run builds them."""
    settings = settings_with_seminar()
    variants = [
        {},
        {"email": "other@example.co.jp"},
        {"division": "開発本部", "user_id": "004218"},
        {"stuck_point": "no_login", "last_held_at": pd.Timestamp("2026-10-01 09:00")},
        {"held_total": 10, "recent_prepared": 2},
        {"role": "manager"},
        {},
    ]
    cases = []
    for template_name, spec, extra, seminar_id in CASES.values():
        campaign = settings.campaigns[CAMPAIGN] if "campaign" in template_name else None
        seminar = seminar_context(settings, seminar_id)
        due = extra.get("milestones", {})
        other = {"milestones": {role: {"milestone": 10, "count": 12} for role in due}}
        extras = [extra] + ([other] if due else [])
        shared = run_context(settings, dt.date(2026, 11, 20))
        for change, more in itertools.product(variants, extras):
            row = {**RECIPIENT, **change}
            context = template_context(row, settings, more, seminar, campaign, spec, None, shared)
            cases.append((template_name, context))
    return cases


def test_shipped_templates_reused_for_namesakes_are_their_own(tmp_path: Path) -> None:
    cases = _shipped_contexts()
    reused = TemplateSet(tmp_path, SHIPPED / "mail")
    for template_name, context in cases + cases[::-1]:
        fresh = TemplateSet(tmp_path, SHIPPED / "mail").get(template_name)
        assert reused.get(template_name).render(context, "【P】") == fresh.render(context, "【P】")


# --- 6. segment facts and division figures against the plain per-user rules ------------


def _hostile_tables_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Ids that differ only by NFKC, users with no rows, 1on1s with members and managers
    no one knows, several 1on1s at one second, division names that are NFKC twins."""
    users = [
        user("u1", division="A", department="a1"),
        user("ｕ1", division="Ａ", department="a1"),  # NFKC twin of u1 and of A
        user("U1", division="A", department="a2"),
        user("m1", division="B", department="a1"),  # a1 in two divisions
        user("idle", division="C", department="c1"),  # no pairs, no 1on1s
        user("idle2", division="A", department="a1", last_login_at=None),
    ]
    pairs = [pair("m1", "u1"), pair("m1", "ｕ1"), pair("U1", "u1"), pair("m1", "ghost")]
    at = "2026-11-10 10:00:00"
    meetings = [
        meeting("m1", "u1", at, meeting_id="M3", sukkiri=3),
        meeting("m1", "u1", at, meeting_id="M10", prepared=None),
        meeting("U1", "u1", at, meeting_id="M2", sukkiri=None),
        meeting("m1", "ｕ1", at, meeting_id="M4", topic="心身の状態"),
        meeting("m1", "ｕ1", "2026-11-09 10:00:00", meeting_id="M5", status="cancelled"),
        meeting("m1", "ghost", at, meeting_id="M6"),  # a member no one knows
        meeting("nobody", "U1", at, meeting_id="M7"),  # a manager no one knows
        meeting("m1", "u1", "2026-11-01 10:00:00", meeting_id="M8", sukkiri=1),
        meeting("m1", "u1", "2026-11-21 10:00:00", meeting_id="M9"),  # after as_of
    ]
    return users, pairs, meetings


def test_segment_facts_on_hostile_rows_are_the_plain_ones() -> None:
    users, pairs, meetings = _hostile_tables_rows()
    expected = _plain_recent(meetings, RULES.recent_n)
    first = None
    for shuffle in range(4):
        rows = list(meetings)
        random.Random(shuffle).shuffle(rows)
        result = segment(tables(users, pairs, rows), RULES, AS_OF).set_index("user_id")
        assert sorted(result.index) == sorted(u["user_id"] for u in users)  # no ghost
        for member in result.index:
            got = result.loc[member, ["recent_count", "recent_prepared", "recent_rated"]]
            assert tuple(int(v) for v in got) == expected.get(member, (0, 0, 0)), member
        held = [
            m
            for m in meetings
            if m["status"] == "held" and m["held_at"] < pd.Timestamp("2026-11-21")
        ]
        for person in result.index:
            as_manager = sum(m["manager_id"] == person for m in held)
            as_member = sum(m["member_id"] == person for m in held)
            assert int(result.loc[person, "held_total"]) == as_manager + as_member, person
        if first is None:
            first = result
        else:
            pd.testing.assert_frame_equal(result, first)


def _sparse_tables() -> dict[str, Any]:
    """Tables with next to nothing in them: no 1on1s, only strangers' 1on1s, a user
    meeting themself, blank division and department names."""
    a = {"division": "A", "department": "a"}
    return {
        "hostile": tables(*_hostile_tables_rows()),
        "no 1on1s": tables([user("u1", **a), user("m1", **a)], [pair("m1", "u1")], []),
        "only strangers": tables([user("u1", **a)], [], [meeting("x", "y", "2026-11-10 10:00")]),
        "one user": tables([user("u1", **a)], [], [meeting("u1", "u1", "2026-11-10 10:00")]),
        "blank names": tables(
            [user("u1", division="", department=""), user("m1", division="A", department="")],
            [pair("m1", "u1")],
            [meeting("m1", "u1", "2026-11-10 10:00")],
        ),
    }


@pytest.mark.parametrize("text", ["30d", "month:2026-11"])
@pytest.mark.parametrize("case", list(_sparse_tables()))
def test_division_figures_on_hostile_rows_are_the_plain_ones(text: str, case: str) -> None:
    as_of = dt.date(2026, 11, 20)
    hostile = _sparse_tables()[case]
    period, before = dv.parse_period(text, as_of)
    figures = Figures(hostile, since=min(before.start, dv.last_months(as_of, 6)[-1].start))

    def same(fast: pd.DataFrame, plain: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(fast, plain, check_dtype=False, check_index_type=False)

    for levels in (["division"], ["division", "department"]):
        for p in (period, before):
            same(figures.metrics(p, levels), oracle.metrics(hostile, p, levels))
    for column, vocabulary in (("topic", DEFAULT_TOPICS), ("response", DEFAULT_RESPONSES)):
        same(
            figures.mix(period, ["division"], column, list(vocabulary)),
            oracle.mix(hostile, period, ["division"], column, list(vocabulary)),
        )
    same(
        figures.topic_response(period, ["division"]),
        oracle.topic_response(hostile, period, ["division"]),
    )
    same(figures.monthly(as_of), oracle.monthly(hostile, as_of))
    if case == "hostile":
        held = figures.metrics(period, ["division"]).set_index("division")["held"]
        assert held.loc["A"] > 0 and held.loc["Ａ"] > 0  # the twins stay two divisions


@pytest.mark.parametrize("case", list(_sparse_tables()))
def test_segment_of_sparse_tables_counts_as_the_plain_rule(case: str) -> None:
    sparse = _sparse_tables()[case]
    result = segment(sparse, RULES, AS_OF).set_index("user_id")
    assert sorted(result.index) == sorted(sparse.users["user_id"])
    meetings = sparse.meetings
    held = meetings[(meetings["status"] == "held") & (meetings["held_at"] < "2026-11-21")]
    for person in result.index:
        plain = int((held["manager_id"] == person).sum() + (held["member_id"] == person).sum())
        assert int(result.loc[person, "held_total"]) == plain, person

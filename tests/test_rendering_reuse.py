"""Mail rendered once per distinct value of what its templates read: each recipient still gets their own message."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kakeai_ops.mail.context import run_context, template_context
from kakeai_ops.mail.templates import TemplateSet
from test_templates_rendered import (
    CAMPAIGN,
    CASES,
    RECIPIENT,
    SHIPPED,
    seminar_for,
    settings_with_seminar,
)

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
    return people


@pytest.mark.parametrize("template", [n[:-4] for n in _TEMPLATES if not n.startswith("_")])
def test_reused_mail_is_each_recipients_own(template: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in _TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    reused = TemplateSet(folder).get(template)
    people = _recipients()
    # Each person's message from a new set, which renders without reuse.
    own = [TemplateSet(folder).get(template).render(p, "【P】") for p in people]
    # The same people again, in another order: reuse must find each one's own message.
    for context, expected in zip(people + people[::-1], own + own[::-1], strict=True):
        assert reused.render(context, "【P】") == expected


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
        seminar = seminar_for(template_name, settings, seminar_id)
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
    # Each case's message from a new set, which renders without reuse.
    own = [TemplateSet(tmp_path, SHIPPED / "mail").get(n).render(c, "【P】") for n, c in cases]
    for (template_name, context), expected in zip(
        cases + cases[::-1], own + own[::-1], strict=True
    ):
        assert reused.get(template_name).render(context, "【P】") == expected


def test_a_text_is_compiled_once_for_each_environment_settings() -> None:
    """One text in two environments that differ only in escaping: each gets its own
    compiled form, however often it is asked for and in whichever order."""
    from kakeai_ops.mail.rendering import MailEnvironment, compiled, variables_read

    plain, escaping = MailEnvironment(autoescape=False), MailEnvironment(autoescape=True)
    for environment, shown in [(plain, "<b>"), (escaping, "&lt;b&gt;"), (plain, "<b>")] * 2:
        assert compiled(environment, "{{ v }}").render(v="<b>") == shown
    assert compiled(MailEnvironment(autoescape=False), "{{ v }}").environment is not plain
    assert variables_read(plain, ["{{ v }}{{ w }}"]) == {"v", "w"}
    assert variables_read(plain, ["{{ v }}{{ w }}{{ x }}"]) == {"v", "w", "x"}

"""One fact record per planned message: what an auditor checks a mail against.

A record names the recipient, the template, the role the mail addresses, the subject and
``facts``: the value of every variable the template (and what it includes) reads, by
its dotted name (``facts.last_held_date``, ``milestones.member.count``). A name a
template binds with ``{% set m = milestones.member %}`` is reported by what it stands for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jinja2
from jinja2 import nodes

from ..model import SIDES
from .audience import Audience
from .plan import Plan
from .rendering import remember, settings_key
from .templates import MailTemplate, TemplateSet

RECORD_FIELDS = ("user_id", "name", "email", "template", "role", "subject", "facts")

# Names a template may use that are not facts about the reader.
_NOT_FACTS = {"loop", "range", "namespace", "dict", "lipsum", "cycler", "joiner"}


def fact_records(plan: Plan, audience: Audience, templates: TemplateSet) -> list[dict[str, Any]]:
    """The records of a freshly made plan (its messages are the audience's recipients,
    in order)."""
    paths: dict[str, list[str]] = {}
    records = []
    for message, recipient in zip(plan.messages, audience.recipients, strict=True):
        name = recipient.template
        if name not in paths:
            paths[name] = read_paths(templates.get(name), templates.env)
        records.append(
            {
                "user_id": message.user_id,
                "name": message.name,
                "email": message.email,
                "template": name,
                "role": mail_role(name, recipient.extra),
                "subject": message.subject,
                "facts": facts_of(recipient.context, paths[name]),
            }
        )
    return records


def mail_role(template: str, extra: dict[str, Any]) -> str | None:
    """The role a mail addresses: its template's ``.manager``/``.member``, or the one role
    of a milestone mail; None when it addresses the person (or both roles)."""
    due = extra.get("milestones")
    if due is not None:
        return next(iter(due)) if len(due) == 1 else None
    for role in SIDES:
        if template.endswith("." + role):
            return role
    return None


def facts_of(context: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Each path's value in the context, as JSON values; paths that lead nowhere (a
    branch the template did not take) are left out."""
    found: dict[str, Any] = {}
    for path in paths:
        value: Any = context
        for part in path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                break
        else:
            found[path] = plain(value)
    return found


def plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def read_paths(template: MailTemplate, env: jinja2.Environment) -> list[str]:
    """The dotted names the template's subject, body and includes read, longest first
    within a prefix (``seminars.month1`` and ``seminars.month1.title`` both)."""
    sources = [template.subject_source, template.body_source]
    found: set[str] = set()
    seen: set[str] = set()
    while sources:
        paths, included = _read_by(env, sources.pop())
        found |= paths
        for name in included:
            if name not in seen and env.loader is not None:
                seen.add(name)
                sources.append(env.loader.get_source(env, name)[0])
    return sorted(found)


# A text's dotted names and includes, by the environment's settings and the text: each
# text parsed once per process (an edited template or include is another text).
_READ: dict[tuple[Any, str], tuple[frozenset[str], tuple[str, ...]]] = {}


def _read_by(env: jinja2.Environment, source: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The facts' dotted names one text reads, and the templates it includes."""
    key = (settings_key(env), source)
    known = _READ.get(key)
    if known is not None:
        return known
    tree = env.parse(source)
    aliases = _aliases(tree)
    found = set()
    for path in _paths(tree):
        root, _, rest = path.partition(".")
        if root in aliases:
            path = aliases[root] + ("." + rest if rest else "")
            root = path.partition(".")[0]
        if root not in _NOT_FACTS:
            found.add(path)
    known = (frozenset(found), tuple(_included(tree)))
    remember(_READ, key, known)
    return known


def _included(tree: nodes.Template) -> Iterator[str]:
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        name = getattr(node, "template", None)
        if isinstance(name, nodes.Const) and isinstance(name.value, str):
            yield name.value


def _dotted(node: nodes.Node) -> str | None:
    parts = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return None
        node = node.node
    if isinstance(node, nodes.Name):
        return ".".join([node.name, *reversed(parts)])
    return None


def _aliases(tree: nodes.Template) -> dict[str, str]:
    found = {}
    for node in tree.find_all(nodes.Assign):
        if isinstance(node.target, nodes.Name):
            path = _dotted(node.node)
            if path is not None:
                found[node.target.name] = path
    return found


def _paths(tree: nodes.Template) -> set[str]:
    """The outermost dotted names read (``a.b.c`` once, not also ``a.b`` and ``a``)."""
    found: set[str] = set()
    inner: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if id(node) in inner:
            continue
        if isinstance(node, nodes.Name) and node.ctx != "load":
            continue
        path = _dotted(node)
        if path is None:
            continue
        found.add(path)
        child = node
        while isinstance(child, nodes.Getattr | nodes.Getitem):
            child = child.node
            inner.add(id(child))
    return found


def records_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1)

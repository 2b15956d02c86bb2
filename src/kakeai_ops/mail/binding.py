"""What a mail run id stands for: the audience, template and options it was planned with.

The first ``kops mail send`` of a run stores this binding with the plan (in the
same SQLite transaction as the run's ledger rows). Any later command with the
same run id must ask for the same thing: then it resumes the stored plan;
otherwise it is refused, saying what differs, before anything is sent. Data
that moves on by itself (a newer snapshot, attendance recorded since) is not
part of the binding: resuming sends the frozen plan, whatever changed since.

The audience is bound by its kind and value (``{"kind": "segment", "value":
"no_prep", ...}``, see audience_kinds.py), never by the option that chose it.
Runs recorded before that (``{"audience": "--segment", "segment": "no_prep", ...}``)
are read through ``migrated`` and resume as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..errors import KopsError
from ..i18n import N_, _
from .audience import DESCRIBED_AS, AudienceSpec

# Binding key → how the operator asked for it, for the refusal message only (never read back).
LABELS = {
    "kind": N_("audience"),
    "value": N_("audience"),
    "role": "--role",
    "division": "--division",
    "template": "--template",
    "seminar": "--seminar",
    "corrects": N_("seminar correction"),
    "holdout_pct": "--holdout",
    "advisors": N_("advisors (name, email)"),
}
# The audience's value, by kind, for the refusal message.
VALUE_LABELS = {
    **DESCRIBED_AS,
    "users": N_("--users (file content)"),
    "theme": N_("seminar stuck points / managers"),
    "list": N_("list"),
    "advisors": "--period",
}
# The parts of a seminar audience's value (stuck points, and whether managers are in).
PART_LABELS = {"stuck_points": N_("stuck points"), "managers": N_("managers")}
# A stored value longer than this is cut in the refusal (a list of ids, a damaged row).
LONGEST_SHOWN = 120

# An audience's kind as the person chose it (the option), for the refusal message.
KIND_LABELS = {
    **DESCRIBED_AS,
    "theme": N_("seminar stuck points / managers"),
    "list": N_("list"),
    "advisors": N_("advisor reports"),
}


class RunConflict(KopsError):
    """A run id already stands for another plan."""


def spec_binding(spec: AudienceSpec, holdout_pct: float) -> dict[str, Any]:
    """The operator's choices that define a run (not the data they were applied to)."""
    who = spec.chosen()
    return {
        "kind": who.kind,
        "value": who.value(),
        "role": spec.role,
        "division": spec.division,
        "template": spec.template,
        "seminar": spec.seminar,
        "corrects": [list(change) for change in spec.corrects],
        "holdout_pct": float(holdout_pct),
    }


# How runs recorded with the first binding format named their audience → its kind.
_FIRST_FORMAT = {name: kind for kind, name in DESCRIBED_AS.items()}
# The field of the first format that held each kind's value (the others are computed).
_FIRST_VALUE = {
    "segment": "segment",
    "flag": "flag",
    "awarded": "awarded",
    "winners": "winners",
    "not_drawn": "not_drawn",
    "not_eligible": "not_eligible",
    "users": "users_file",
    "advisors": "period",
}


def migrated(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored binding in the current format (the first format is converted)."""
    if "audience" not in stored or "kind" in stored:
        return stored
    kind = _FIRST_FORMAT.get(str(stored["audience"]), str(stored["audience"]))
    if kind == "advisors":
        return {"kind": kind, "value": stored.get("period"), "advisors": stored.get("advisors")}
    if kind == "theme":
        value: Any = {
            "stuck_points": list(stored.get("segments") or []),
            "managers": bool(stored.get("managers")),
        }
    elif kind == "milestones":
        value = True
    else:
        value = stored.get(_FIRST_VALUE.get(kind, ""))
    return {
        "kind": kind,
        "value": value,
        **{key: stored.get(key) for key in ("role", "division", "template", "seminar")},
        "corrects": list(stored.get("corrects") or []),
        "holdout_pct": stored.get("holdout_pct"),
    }


def stored_binding(text: str | None) -> dict[str, Any] | None:
    """A run's stored binding, in the current format (None: none, or unreadable)."""
    try:
        data = json.loads(text) if text else None
        return migrated(data) if isinstance(data, dict) else None
    except (ValueError, TypeError):  # not JSON, or a first-format field of another shape
        return None


def bound_to(kind: str, value: Any) -> Callable[[str | None], bool]:
    """Whether a stored binding is of this audience (e.g. the winners of a campaign)."""

    def matches(text: str | None) -> bool:
        data = stored_binding(text)
        return data is not None and data.get("kind") == kind and data.get("value") == value

    return matches


def binding_text(binding: dict[str, Any]) -> str:
    return json.dumps(binding, ensure_ascii=False, sort_keys=True)


def differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Each differing choice as 'label: stored → wanted'."""
    lines = []
    rank = {key: number for number, key in enumerate(LABELS)}
    keys = sorted(set(stored) | set(wanted), key=lambda k: (rank.get(k, len(rank)), k))
    if stored.get("kind") != wanted.get("kind"):
        keys = [key for key in keys if key != "value"]  # another kind: its value says no more
    for key in keys:
        before, after = stored.get(key), wanted.get(key)
        if before != after and not (_none(before) and _none(after)):
            label = LABELS.get(key, "--" + key.replace("_", "-"))
            if key == "value":
                label = VALUE_LABELS.get(str(wanted.get("kind")), label)
            if key == "kind":  # as the person chose it: the option, not the stored word
                before, after = (
                    _(KIND_LABELS[k]) if isinstance(k, str) and k in KIND_LABELS else k
                    for k in (before, after)
                )
            lines.append(
                _("{label}: {stored} (stored) → {wanted}").format(
                    label=_(label), stored=_show(before), wanted=_show(after)
                )
            )
    return lines


def _none(value: Any) -> bool:
    """No choice: a binding stored before a choice existed has None where one stored
    since has [] (no seminar corrections)."""
    return value is None or value is False or (isinstance(value, str | list | dict) and not value)


def _show(value: Any) -> str:
    """A stored choice in the reader's words: a list as its items, a seminar audience as
    its parts, a long value cut with its length (a damaged row can hold anything)."""
    text = _said(value)
    if len(text) > LONGEST_SHOWN:
        return _("{start}… ({length:,} characters)").format(
            start=text[:LONGEST_SHOWN], length=len(text)
        )
    return text


def _said(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return _said(int(value))  # --holdout 50, as typed: not 「50.0」
    if _none(value):
        return _("(none)")
    if value is True:
        return _("yes")
    if isinstance(value, list):
        return _(", ").join(_said(item) for item in value)
    if isinstance(value, dict):
        return " / ".join(
            f"{_(PART_LABELS.get(str(key), str(key)))}: {_said(item)}"
            for key, item in value.items()
        )
    return str(value)


def check_binding(run_id: str, stored_text: str | None, wanted: dict[str, Any]) -> None:
    """Refuse a command whose choices differ from those run_id was planned with."""
    if stored_text is None:
        return  # planned before runs were bound: nothing to compare with
    # Compared as stored: JSON has no tuples, so both sides go through it.
    stored = stored_binding(stored_text)
    if stored is None:  # a damaged row: what the run stands for is unknown, so not resumed
        raise RunConflict(
            _(
                "run '{run}' was planned with choices kops cannot read back; nothing was sent"
            ).format(run=run_id),
            hint=_("to send this mail, give it a new run id (--id {run}-2)").format(run=run_id),
        )
    lines = differences(stored, json.loads(binding_text(wanted)))
    if lines:
        # A seminar's invitations are one run (its reminder and attendance read it), and
        # `seminar invite` takes no --id: 「--id …-2」 pointed to an option it has not.
        hint = (
            _(
                "a seminar's invitations are one run, which its recording and attendance "
                "follow: to continue run '{run}', repeat its original options"
            )
            if stored.get("seminar")
            else _(
                "to send this mail, give it a new run id (--id {run}-2); "
                "to continue run '{run}', repeat its original options"
            )
        )
        raise RunConflict(
            _("run '{run}' was planned with other choices; nothing was sent:").format(run=run_id)
            + "\n  "
            + "\n  ".join(lines),
            hint=hint.format(run=run_id),
        )

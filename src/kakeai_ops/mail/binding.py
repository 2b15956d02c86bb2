"""What a mail run id stands for: the audience, template and options it was planned with.

The first ``kops mail send`` of a run stores this binding with the plan (in the
same SQLite transaction as the run's ledger rows). Any later command with the
same run id must ask for the same thing: then it resumes the stored plan;
otherwise it is refused, saying what differs, before anything is sent. Data
that moves on by itself (a newer snapshot, attendance recorded since) is not
part of the binding: resuming sends the frozen plan, whatever changed since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

from ..errors import KopsError
from .audience import AudienceSpec

# Binding key → how the operator asked for it, for the refusal message.
LABELS = {
    "audience": "audience",
    "segment": "--segment",
    "flag": "--flag",
    "role": "--role",
    "division": "--division",
    "awarded": "--awarded",
    "milestones": "--milestones",
    "users_file": "--users (file content)",
    "template": "--template",
    "seminar": "--seminar",
    "segments": "seminar stuck points",
    "managers": "seminar for managers",
    "holdout_pct": "--holdout",
    "advisors": "advisors (name, email)",
    "period": "--period",
}


class RunConflict(KopsError):
    """A run id already stands for another plan."""


def spec_binding(spec: AudienceSpec, holdout_pct: float) -> dict[str, Any]:
    """The operator's choices that define a run (not the data they were applied to)."""
    users_file = None
    if spec.users_file is not None:
        # Its content, not its path: the same list from elsewhere is the same run.
        with contextlib.suppress(OSError):  # a missing file is reported with the audience
            users_file = hashlib.sha256(spec.users_file.read_bytes()).hexdigest()[:16]
    return {
        "audience": spec.source(),
        "segment": spec.segment,
        "flag": spec.flag,
        "role": spec.role,
        "division": spec.division,
        "awarded": spec.awarded,
        "milestones": spec.milestones,
        "users_file": users_file,
        "template": spec.template,
        "seminar": spec.seminar,
        "segments": list(spec.segments),
        "managers": spec.managers,
        "holdout_pct": float(holdout_pct),
    }


def binding_text(binding: dict[str, Any]) -> str:
    return json.dumps(binding, ensure_ascii=False, sort_keys=True)


def differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Each differing choice as 'label: stored → wanted'."""
    lines = []
    rank = {key: number for number, key in enumerate(LABELS)}
    keys = sorted(set(stored) | set(wanted), key=lambda k: (rank.get(k, len(rank)), k))
    for key in keys:
        before, after = stored.get(key), wanted.get(key)
        if before != after:
            lines.append(f"{LABELS.get(key, key)}: {_show(before)} (stored) → {_show(after)}")
    return lines


def _show(value: Any) -> str:
    if value is None or value is False or value == []:
        return "(none)"
    return str(value)


def check_binding(run_id: str, stored_text: str | None, wanted: dict[str, Any]) -> None:
    """Refuse a command whose choices differ from those run_id was planned with."""
    if stored_text is None:
        return  # planned before runs were bound: nothing to compare with
    lines = differences(json.loads(stored_text), wanted)
    if lines:
        raise RunConflict(
            f"run '{run_id}' was planned with other choices; nothing was sent:\n  "
            + "\n  ".join(lines),
            hint=f"to send this mail, give it a new run id (--id {run_id}-2); "
            f"to continue run '{run_id}', repeat its original options",
        )

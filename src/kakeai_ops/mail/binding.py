"""What a mail run id stands for: the audience, template and options it was planned with.

The first ``kops mail send`` of a run stores this binding with the plan (in the
same SQLite transaction as the run's ledger rows). Any later command with the
same run id must ask for the same thing: then it resumes the stored plan;
otherwise it is refused, saying what differs, before anything is sent. Data
that moves on by itself (a newer snapshot, attendance recorded since) is not
part of the binding: resuming sends the frozen plan, whatever changed since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path
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
    "not_eligible": "--not-eligible",
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
    """The operator's choices that define a run (not the data they were applied to).

    Every field of the audience spec counts, so an option added later is bound
    too; the two that are data rather than choices are handled apart.
    """
    binding: dict[str, Any] = {"audience": spec.source()}
    for item in fields(spec):
        value = getattr(spec, item.name)
        if item.name == "user_ids":
            continue  # derived from recorded data (e.g. who attended), like the snapshot
        if item.name == "users_file" and value is not None:
            value = _file_hash(value)
        binding[item.name] = list(value) if isinstance(value, tuple) else value
    binding["holdout_pct"] = float(holdout_pct)
    return binding


def _file_hash(path: Path) -> str | None:
    """A list's content, not its path: the same list from elsewhere is the same run."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None  # a missing file is reported with the audience


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
            label = LABELS.get(key, "--" + key.replace("_", "-"))
            lines.append(f"{label}: {_show(before)} (stored) → {_show(after)}")
    return lines


def _show(value: Any) -> str:
    if value is None or value is False or value == []:
        return "(none)"
    return str(value)


def check_binding(run_id: str, stored_text: str | None, wanted: dict[str, Any]) -> None:
    """Refuse a command whose choices differ from those run_id was planned with."""
    if stored_text is None:
        return  # planned before runs were bound: nothing to compare with
    # Compared as stored: JSON has no tuples, so both sides go through it.
    lines = differences(json.loads(stored_text), json.loads(binding_text(wanted)))
    if lines:
        raise RunConflict(
            f"run '{run_id}' was planned with other choices; nothing was sent:\n  "
            + "\n  ".join(lines),
            hint=f"to send this mail, give it a new run id (--id {run_id}-2); "
            f"to continue run '{run_id}', repeat its original options",
        )

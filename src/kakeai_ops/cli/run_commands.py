"""The exact command that sends a run, as a dry run prints it: the same choices, the run id
spelled out (so the real run is bound to what the dry run checked) and --yes."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..mail.audience import AudienceSpec
from .audience_options import KINDS, spec_options


def _common(
    workspace: Path | None, snapshot: str | None = None, as_of: dt.date | None = None
) -> list[str]:
    parts: list[str] = []
    if snapshot:
        parts += ["--snapshot", snapshot]
    if as_of:
        parts += ["--as-of", as_of.isoformat()]
    if workspace is not None:
        parts += ["--workspace", str(workspace)]
    return parts


def mail_send(
    spec: AudienceSpec,
    holdout: float,
    workspace: Path | None,
    snapshot: str | None,
    as_of: dt.date | None,
    extra: Sequence[str] = (),
) -> Callable[[str], str]:
    """``kops mail send`` with the audience options of ``spec``."""

    def text(run_id: str) -> str:
        parts = ["kops", "mail", "send"]
        parts += spec_options(spec)
        if holdout:
            parts += ["--holdout", f"{holdout:g}"]
        parts += [*extra, "--id", run_id, *_common(workspace, snapshot, as_of), "--yes"]
        return shlex.join(parts)

    return text


def fixed(
    words: Sequence[str], workspace: Path | None, **options: str | dt.date | None
) -> Callable[[str], str]:
    """A command whose run id follows from its arguments (e.g. ``kops seminar invite month1``);
    ``options``: option name (without --) → value, or "" for a flag."""

    def text(_run_id: str) -> str:
        parts = ["kops", *words]
        for name, value in options.items():
            if value is None:
                continue
            option = "--" + name.replace("_", "-")
            parts += [option] if value == "" else [option, str(value)]
        return shlex.join([*parts, *_common(workspace), "--yes"])

    return text


# The ``kops mail send`` that goes on with a run as it was planned (its stored binding):
# its audience options, --holdout, --id and --yes. 「The same command」 is not it a month
# later (without --id it plans that month's run). None where mail send does not choose
# the audience (a seminar's, the advisors', a users file's content).
def resume_command(run_id: str, binding: Mapping[str, Any] | None) -> str | None:
    kind = binding.get("kind") if binding else None
    seminar = binding.get("seminar") if binding else None
    if binding is not None and seminar and kind in ("theme", "list"):
        # A seminar's runs follow from its own commands (their run id from the seminar).
        if kind == "list":
            words = ["kops", "seminar", "remind", str(seminar)]
        elif binding.get("corrects"):
            words = ["kops", "seminar", "invite", str(seminar), "--correction"]
        else:
            words = ["kops", "seminar", "invite", str(seminar)]
        return shlex.join([*words, "--yes"])
    if binding is None or kind not in KINDS or kind == "users":
        return None
    spec = AudienceSpec(
        KINDS[str(kind)](binding.get("value")),
        role=binding.get("role"),
        division=binding.get("division"),
        template=binding.get("template"),
        seminar=binding.get("seminar"),
    )
    return mail_send(spec, float(binding.get("holdout_pct") or 0), None, None, None)(run_id)

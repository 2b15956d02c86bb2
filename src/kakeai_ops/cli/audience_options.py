"""The audience options of `kops mail preview|plan|send`, defined once.

``@audience_options`` gives a command every option below (after ``--workspace``, as
the help lists them) and hands it one ``spec: AudienceSpec`` built from them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..analyses import segment as segmentation
from ..mail.audience import AudienceSpec

Command = TypeVar("Command", bound=Callable[..., Any])

# (parameter, annotation, default): the AudienceSpec field is the parameter's name,
# except --users, whose field is users_file.
OPTIONS: list[tuple[str, Any, Any]] = [
    (
        "segment",
        Annotated[
            str | None,
            typer.Option(
                "--segment",
                help="Users whose primary stuck point is KEY (no_prep) or its label "
                "(事前準備なし).",
            ),
        ],
        None,
    ),
    (
        "flag",
        Annotated[
            str | None,
            typer.Option("--flag", help="Everyone with the flag KEY or label (rarely needed)."),
        ],
        None,
    ),
    (
        "role",
        Annotated[
            str | None,
            typer.Option(
                "--role", help="Only manager, member, both or none (上司/部下/両方/なし)."
            ),
        ],
        None,
    ),
    ("division", Annotated[str | None, typer.Option("--division", help="Only this 事業部.")], None),
    (
        "awarded",
        Annotated[str | None, typer.Option("--awarded", help="Users awarded in this campaign.")],
        None,
    ),
    (
        "winners",
        Annotated[str | None, typer.Option("--winners", help="Winners of this campaign's draw.")],
        None,
    ),
    (
        "not_drawn",
        Annotated[
            str | None,
            typer.Option(
                "--not-drawn", help="Entrants of this campaign's draw who were not drawn."
            ),
        ],
        None,
    ),
    (
        "not_eligible",
        Annotated[
            str | None,
            typer.Option(
                "--not-eligible",
                help="Entrants of this campaign who did not meet its condition.",
            ),
        ],
        None,
    ),
    (
        "milestones",
        Annotated[bool, typer.Option("--milestones", help="Users due a milestone message.")],
        False,
    ),
    (
        "users",
        Annotated[
            Path | None, typer.Option("--users", help="A CSV/XLSX list of user ids or emails.")
        ],
        None,
    ),
    (
        "template",
        Annotated[
            str | None,
            typer.Option("--template", "-t", help="Template name (default: by audience and role)."),
        ],
        None,
    ),
    (
        "seminar",
        Annotated[
            str | None,
            typer.Option("--seminar", help="Seminar id from kops.yaml (for seminar templates)."),
        ],
        None,
    ),
]
FIELD = {"users": "users_file"}


def as_typed(chosen: dict[str, Any]) -> dict[str, Any]:
    """Stuck points and roles as people type them (no_prep or 事前準備なし, member or 部下)
    become their keys here, so only keys reach the plan, the ledger and the run id."""
    for name in ("segment", "flag"):
        if chosen.get(name) is not None:
            chosen[name] = segmentation.stuck_point_key(chosen[name], f"--{name}")
    if chosen.get("role") is not None:
        chosen["role"] = segmentation.role_key(chosen["role"], "--role")
    return chosen


def audience_options(command: Command) -> Command:
    """Replace the command's ``spec`` parameter by the audience options."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "spec"]
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in OPTIONS
    ]
    after = next((i + 1 for i, p in enumerate(own) if p.name == "workspace"), 0)
    parameters = (
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[:after]]
        + options
        + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[after:]]
    )

    @functools.wraps(command)
    def with_spec(**values: Any) -> Any:
        chosen = {FIELD.get(name, name): values.pop(name) for name, _, _ in OPTIONS}
        return command(spec=AudienceSpec(**as_typed(chosen)), **values)

    with_spec.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return with_spec  # type: ignore[return-value]

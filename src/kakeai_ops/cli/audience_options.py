"""The audience options of `kops mail preview|plan|send`, defined once.

``@audience_options`` gives a command every option below (after ``--workspace``, as
the help lists them) and hands it one ``spec: AudienceSpec`` built from them (``as_spec``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer._click.globals import get_current_context

from ..analyses import segmentation
from ..errors import KopsError
from ..i18n import _
from ..mail.audience import AudienceSpec
from ..mail.audience_kinds import (
    AudienceKind,
    Awarded,
    Flag,
    Milestones,
    NotDrawn,
    NotEligible,
    Segment,
    UsersFile,
    Winners,
)
from .options import DivisionOpt, role_option

Command = TypeVar("Command", bound=Callable[..., Any])

# (parameter, annotation, default).
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
            role_option(help="Only manager, member, both or none (上司/部下/両方/なし)."),
        ],
        None,
    ),
    ("division", DivisionOpt, None),
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
# Audience option → the kind of audience it chooses (see mail/audience_kinds.py): the
# option's name is the command line's business; what a run binds is the kind.
KINDS: dict[str, Callable[[Any], AudienceKind]] = {
    "segment": Segment,
    "flag": Flag,
    "awarded": Awarded,
    "winners": Winners,
    "not_drawn": NotDrawn,
    "not_eligible": NotEligible,
    "milestones": lambda _on: Milestones(),
    "users": UsersFile,
}
# The kind's option, for the dry run's command to repeat (see run_commands.py): the
# parameter's name as typer spells the option.
OPTION_OF = {kind: "--" + kind.replace("_", "-") for kind in KINDS}


def as_typed(chosen: dict[str, Any]) -> dict[str, Any]:
    """Stuck points and roles as people type them (no_prep or 事前準備なし, member or 部下)
    become their keys here, so only keys reach the plan, the ledger and the run id."""
    for name in ("segment", "flag"):
        if chosen.get(name) is not None:
            chosen[name] = segmentation.stuck_point_key(chosen[name], f"--{name}")
    if chosen.get("role") is not None:
        chosen["role"] = segmentation.role_key(chosen["role"], "--role")
    return chosen


def as_spec(chosen: dict[str, Any], command: str = "kops mail send") -> AudienceSpec:
    """The options as typed → one audience spec; exactly one audience option is allowed.
    ``command``: the command they were given to, as its example says it (a `mail preview`
    told to try `mail send` started a real send)."""
    picked = [name for name in KINDS if chosen.get(name)]
    if len(picked) != 1:
        got = ", ".join(OPTION_OF[name] for name in picked)
        options = (
            "--segment, --flag, --awarded, --winners, --not-drawn, --not-eligible, "
            "--milestones, --users"
        )
        message = _("choose the audience with exactly one of {options}").format(options=options)
        if picked:
            message += _(" (got {got})").format(got=got)
        raise KopsError(
            message,
            hint=_("e.g. {example}").format(example=f"{command} --segment no_prep --role member"),
        )
    typed = as_typed(dict(chosen))
    return AudienceSpec(
        KINDS[picked[0]](typed[picked[0]]),
        role=typed["role"],
        division=typed["division"],
        template=typed["template"],
        seminar=typed["seminar"],
    )


def spec_options(spec: AudienceSpec) -> list[str]:
    """The options that choose ``spec`` again (the inverse of as_spec), in the order
    the help lists them."""
    chosen: list[str] = []
    who = spec.who
    if who is not None and who.kind in OPTION_OF:
        value = who.path if isinstance(who, UsersFile) else who.value()
        chosen = [OPTION_OF[who.kind]] + ([] if value is True else [str(value)])
    narrowed: list[str] = []
    for name in ("role", "division"):
        if getattr(spec, name) not in (None, ""):
            narrowed += [f"--{name}", str(getattr(spec, name))]
    told: list[str] = []
    for name in ("template", "seminar"):
        if getattr(spec, name) not in (None, ""):
            told += [f"--{name}", str(getattr(spec, name))]
    first = isinstance(who, Segment | Flag)
    return (chosen + narrowed if first else narrowed + chosen) + told


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
        chosen = {name: values.pop(name) for name, _, _ in OPTIONS}
        context = get_current_context(silent=True)
        path = context.command_path if context is not None else "kops mail send"
        return command(spec=as_spec(chosen, path), **values)

    with_spec.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return with_spec  # type: ignore[return-value]

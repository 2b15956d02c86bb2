"""The terminal side of a mail run: the plan and a sample message on stderr, the
confirmation question, progress bars. Every command that sends mail drives its run
(``kakeai_ops.mail.runs``) through a :class:`TerminalOperator`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.parser import BytesHeaderParser

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from .. import glossary
from ..config import Settings
from ..errors import KopsError
from ..glossary import TEMPLATE_KINDS
from ..i18n import _, term
from ..mail.audience import REASONS, Audience, left_out_people, reason_word, why_left_out
from ..mail.message import as_bytes
from ..mail.plan import Plan, PlannedMessage, build_planned
from ..store import SnapshotInfo
from .shared import err, out, parse_as_of


def print_message(settings: Settings, message: PlannedMessage) -> None:
    """One message as it will be sent, headers decoded, on stdout."""
    built = build_planned(settings.mail, message)
    # The headers as a mail client reads them off the wire (decoded, unfolded); the body is
    # the built message's own text part, the same bytes the wire carries, not parsed again.
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(as_bytes(built))
    for header in ("From", "To", "Reply-To", "Subject", "Date", "Message-ID"):
        out.print(f"[bold]{header}:[/bold] {escape(str(parsed[header]))}", highlight=False)
    kind = term(KIND_WORDS, message.kind)
    said = _("Template: {template} ({kind})").format(template=message.template, kind=kind)
    out.print(f"[dim]{escape(said)}[/dim]\n")
    body = built.get_body(preferencelist=("plain",))
    out.print(escape(body.get_content() if body is not None else ""), highlight=False, end="")


# A template's kind as the secretariat says it (spec/mail.md: nudges, programme news).
KIND_WORDS = TEMPLATE_KINDS

LIST_LEFT_OUT = 30  # up to this many people left out are listed by id


def show_plan(settings: Settings, plan: Plan, audience: Audience) -> None:
    """The plan's counts, who was left out, templates, and a sample message (stderr)."""
    planned = plan.by_state("planned")
    held = plan.by_state("holdout")
    err.print(f"[bold]{escape(_('Run {run}').format(run=plan.run_id))}[/bold]", highlight=False)
    err.print(
        _("  To send: {planned:,}   Holdout (not sent, for comparison): {held:,}").format(
            planned=len(planned), held=len(held)
        ),
        highlight=False,
        markup=False,
    )
    for reason in REASONS:
        if audience.excluded.get(reason):
            err.print(
                _("  Left out ({reason}): {n:,}").format(
                    reason=reason_word(reason), n=audience.excluded[reason]
                ),
                highlight=False,
                markup=False,
            )
    if audience.narrowed:
        by_role = _(", ").join(
            _("{role} {n:,}").format(role=term(glossary.ROLES, role), n=n)
            for role, n in sorted(audience.narrowed.items())
        )
        err.print(
            _("  Not chosen by --role / --division: {n:,} ({by_role})").format(
                n=sum(audience.narrowed.values()), by_role=by_role
            ),
            highlight=False,
            markup=False,
        )
    if 0 < len(audience.excluded_users) <= LIST_LEFT_OUT:
        for user_id, reason in left_out_people(audience):
            why = why_left_out(audience, user_id, reason)
            err.print(f"    {user_id}: {why}", highlight=False, markup=False)
    elif audience.excluded_users:
        err.print(
            _("    Who, and why: `kops mail plan` with the same options and --left-out"),
            highlight=False,
            markup=False,
        )
    # The messages sent, as the line above counts them: the holdout's are never sent.
    sent = [m.template for m in plan.messages if m.state != "holdout"]
    templates = pd.Series(sent, dtype=object).value_counts()
    for name, count in templates.items():
        err.print(
            _("  Template {template}: {n:,} message(s)").format(template=name, n=count),
            highlight=False,
            markup=False,
        )
    if planned:
        err.rule(_("What is sent, for example (the first message)"), style="dim")
        sample = out
        sample.file = sys.stderr  # the sample is part of the plan shown to the operator
        try:
            print_message(settings, planned[0])
        finally:
            sample.file = None  # type: ignore[assignment]
        err.rule(style="dim")


class TerminalOperator:
    """Shows a run's plan and progress on stderr and asks on the terminal."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def say(self, text: str, strong: bool = False) -> None:
        shown = f"[bold]{escape(text)}[/bold]" if strong else escape(text)
        err.print(shown, highlight=False)

    def warn(self, text: str) -> None:
        label = _("Warning:")
        err.print(f"[yellow]{label}[/yellow] {escape(text)}", highlight=False)

    def show_plan(self, plan: Plan, audience: Audience) -> None:
        show_plan(self.settings, plan, audience)

    def confirm(self, question: str) -> None:
        if not sys.stdin.isatty():
            raise KopsError(
                _("not sending without confirmation (no terminal to ask on)"),
                hint=_("add --yes to send, or --dry-run to look first"),
            )
        if not typer.confirm(question, default=False, err=True):
            raise KopsError(_("cancelled; nothing was sent"))

    @contextmanager
    def progress(self, label: str, total: int, transient: bool) -> Iterator[Callable[[str], None]]:
        columns: list[ProgressColumn] = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
        if not transient:
            columns += [TextColumn("{task.fields[last]}"), TimeRemainingColumn()]
        with Progress(*columns, console=err, transient=transient) as bar:
            task = bar.add_task(label, total=total, last="")
            yield lambda last: bar.update(task, advance=1, last=last)

    def as_of(self, value: dt.date | None, snapshot: SnapshotInfo) -> dt.date:
        return parse_as_of(value, snapshot)

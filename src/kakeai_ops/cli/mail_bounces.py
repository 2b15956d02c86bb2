"""``kops mail bounces``: learn from the bounce notices saved from the mail client."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from ..errors import KopsError
from ..i18n import _
from ..mail.bounce_learning import Learned, learn
from .console import frame_table
from .mail_words import bounces_for_people
from .options import Format, FormatOpt, WorkspaceOpt, expanded
from .shared import emit_data, err, out, session

COLUMNS = ["source", "recipient", "kind", "status", "run_id", "result", "reason"]


def bounces_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Bounce notices: .eml, .mbox or Outlook .msg files, or folders.",
            callback=expanded,
        ),
    ] = None,
    imap: Annotated[
        bool,
        typer.Option(
            "--imap", help="Also read the mailbox folder mail.imap.folder over IMAP (left unread)."
        ),
    ] = False,
    folder: Annotated[
        str | None,
        typer.Option("--folder", help="With --imap: this folder instead of mail.imap.folder."),
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Read bounce notices; suppress addresses that failed for good, count temporary failures.

    Each bounce is matched to the mail kops sent (Message-ID, else recipient and
    date). A permanent failure (5.x.x) puts the address on the suppression list
    with the status and the run; temporary ones (4.x.x) are counted and the
    address is suppressed after mail.bounce.soft_limit of them. Reading a notice
    twice changes nothing; a bounce for an address kops never mailed is listed
    and left alone.

    With --imap, the notices that arrived in the last mail.imap.days days are read
    from the mailbox folder directly (signed in as for sending) and left unread.

    Example: kops mail bounces ~/Desktop/bounces/
    """
    context = session(workspace)
    if not paths and not imap:
        raise KopsError(
            _("give the bounce notices (files or folders), or --imap"),
            hint=_("{example}  or  {other}").format(
                example="kops mail bounces ~/Desktop/bounces/", other="kops mail bounces --imap"
            ),
        )
    learned = learn(
        context.workspace, context.settings, list(paths or []), folder or "" if imap else None
    )
    frame = pd.DataFrame([asdict(o) for o in learned.outcomes], columns=COLUMNS)
    if not emit_data(frame, fmt) and len(frame):
        out.print(
            frame_table(
                bounces_for_people(frame),  # --format csv|json keep the stored words
                title=_("Bounces ({n})").format(n=len(frame)),
                max_rows=500,
            )
        )
    _say_what_was_read(learned)


def _say_what_was_read(learned: Learned) -> None:
    """What was not a bounce, what could not be read, and how many bounces did what;
    refused when the files held no bounce at all."""
    reading = learned.reading
    assert reading is not None
    for source in reading.not_bounces:
        err.print(
            _("{source}: not a bounce notice (nothing learned)").format(source=escape(source)),
            highlight=False,
        )
    for problem in reading.problems:
        err.print(f"[yellow]{escape(problem)}[/yellow]", highlight=False)
    summary = _(
        "{suppressed} suppressed, {counted} counted (temporary), {read} already read, "
        "{unknown} not mailed by kops"
    ).format(
        suppressed=learned.count("suppressed"),
        counted=learned.count("counted"),
        read=learned.count("already read"),
        unknown=learned.count("not mailed by kops"),
    )
    if reading.other_mail:
        summary += _("; {n} other message(s) in the mailbox left alone").format(
            n=reading.other_mail
        )
    err.print(summary, highlight=False)
    if not learned.outcomes and (reading.problems or reading.not_bounces):
        raise KopsError(
            _("no bounce found in the files given"),
            hint=_(
                "save the bounce notices themselves (配信不能 / Undeliverable / "
                "Delivery Status Notification) as .eml or .msg"
            ),
        )

"""``kops review``: the monthly review deck for the secretariat meeting (定例会)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ..errors import KopsError
from ..i18n import _
from ..outputs.atomic import check_target
from ..privacy.audiences import line
from ..store import SnapshotInfo
from .options import AsOfOpt, AudienceOpt, SnapshotOpt, WorkspaceOpt, out_option
from .output_audience import chosen
from .shared import (
    Session,
    err,
    note,
    parse_as_of,
    session,
    warn,
)

if TYPE_CHECKING:
    from ..jobs.monthly_review import Review


def _check_paths(out_file: Path | None, xlsx: Path | None) -> None:
    """Both paths are checked before the work, so a bad one never leaves half the output."""
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise KopsError(
            _("--xlsx: {path} is not an .xlsx file").format(path=xlsx),
            hint=_("e.g. {example}").format(example="--xlsx figures.xlsx"),
        )
    if out_file is not None and out_file.suffix.lower() != ".pptx":
        raise KopsError(
            _("--out: {path} must be a .pptx file").format(path=out_file),
            hint=_("e.g. {example}").format(example="--out review.pptx"),
        )
    for option, path in (("--out", out_file), ("--xlsx", xlsx)):
        if path is not None and not path.resolve().parent.is_dir():
            raise KopsError(
                _("{option}: {path}: no such directory").format(option=option, path=path.parent),
                hint=_("create it first"),
            )
        if path is not None and path.is_dir():
            raise KopsError(
                _("{option}: {path} is a directory").format(option=option, path=path),
                hint=_("name a file in it"),
            )
        if path is not None:
            check_target(path)


def review_command(
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Compare with this snapshot id (default: the one before)."),
    ] = None,
    out_file: Annotated[
        Path | None, out_option(help="The deck (.pptx; default: review-YYYY-MM.pptx).")
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Also write every figure to this workbook (.xlsx)."),
    ] = None,
    audience: AudienceOpt = None,
) -> None:
    """Make the monthly review deck (PowerPoint, 16:9, editable charts) for the 定例会.

    Summary, stuck points, trend, divisions (privacy rules applied), mail runs with
    their effect, seminars, campaigns and milestones, interview candidates and next
    actions, comparing the latest snapshot with the one before.

    Example: kops review --out review-2026-11.pptx --xlsx review-2026-11.xlsx
    """
    from ..jobs.monthly_review import compared_snapshot, record_review

    readers = chosen("review", audience)
    _check_paths(out_file, xlsx)
    context = session(workspace)
    snap = context.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    previous = compared_snapshot(context.workspace, snap, compare)
    if previous is None:
        note(_("only one snapshot: the deck shows this month without a comparison"))
    else:
        note(
            _("compared with snapshot {snapshot} as of {as_of}").format(
                snapshot=previous.id, as_of=previous.as_of
            )
        )
    target = out_file or Path(f"review-{when:%Y-%m}.pptx")
    review = _write(context, snap, when, previous, readers, target, xlsx)
    if review.before_withheld and previous is not None:
        warn(
            _(
                "the report figures are not compared with snapshot {snapshot}'s: made again, "
                "with reports published since they would give a hidden figure back (slides "
                "1 and 4 say so; the stuck points are compared)"
            ).format(snapshot=previous.id)
        )
    record_review(context.workspace, review, snap.id, previous, target, xlsx)
    err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
    err.print(
        _("Wrote the review deck to {path}").format(path=target), highlight=False, markup=False
    )
    if xlsx is not None:
        err.print(
            _("Wrote every figure to {path}").format(path=xlsx), highlight=False, markup=False
        )
    typer.echo(str(target))


def _write(
    context: Session,
    snap: SnapshotInfo,
    when: dt.date,
    previous: SnapshotInfo | None,
    readers: str,
    target: Path,
    xlsx: Path | None,
) -> Review:
    """Gather the figures and write the deck (and workbook), saying which step runs."""
    from ..jobs.monthly_review import build_review, write_review_deck, write_review_workbook
    from ..outputs.atomic import together

    with err.status(escape(_("Gathering the figures…"))) as status:
        review = build_review(
            context.workspace,
            context.settings,
            snap,
            when,
            previous,
            progress=lambda step: status.update(
                escape(_("Gathering the figures: {step}…").format(step=step))
            ),
            audience=readers,
        )
        status.update(escape(_("Writing the deck…")))
        # The deck and its workbook are one set of figures: both in place, or neither.
        with together():
            write_review_deck(review, target)
            if xlsx is not None:
                write_review_workbook(review, xlsx)
    return review


def register(app: typer.Typer) -> None:
    app.command("review")(review_command)

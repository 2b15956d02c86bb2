"""``kops review``: the monthly review deck for the secretariat meeting (定例会)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import KopsError
from ..i18n import _
from ..privacy.audiences import SHARED, line
from ..store import SnapshotInfo, audit, list_snapshots
from ..store.published import PublishedFile, record_published
from .output_audience import AudienceOpt, chosen
from .shared import AsOfOpt, SnapshotOpt, WorkspaceOpt, err, note, parse_as_of, session


def _previous(snapshots: list[SnapshotInfo], current: SnapshotInfo) -> SnapshotInfo | None:
    earlier = [known for known in snapshots if int(known.id) < int(current.id)]
    return earlier[-1] if earlier else None


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


def register(app: typer.Typer) -> None:
    @app.command("review")
    def review_command(
        workspace: WorkspaceOpt = None,
        snapshot: SnapshotOpt = None,
        as_of: AsOfOpt = None,
        compare: Annotated[
            str | None,
            typer.Option(
                "--compare", help="Compare with this snapshot id (default: the one before)."
            ),
        ] = None,
        out_file: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="The deck (.pptx; default: review-YYYY-MM.pptx)."),
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
        from ..jobs.monthly_review import build_review, write_review_deck, write_review_workbook

        readers = chosen("review", audience)

        _check_paths(out_file, xlsx)
        context = session(workspace)
        snap = context.snapshot(snapshot)
        when = parse_as_of(as_of, snap)
        if compare is not None:
            previous: SnapshotInfo | None = context.snapshot(compare)
            if previous is not None and int(previous.id) >= int(snap.id):
                said = (
                    _("snapshot {snapshot} compared with itself")
                    if previous.id == snap.id
                    else _("snapshot {snapshot} compared with a later snapshot ({later})")
                )
                raise KopsError(
                    said.format(snapshot=snap.id, later=previous.id),
                    hint=_("name an earlier snapshot (`kops status`)"),
                )
        else:
            previous = _previous(list_snapshots(context.workspace), snap)
        if previous is None:
            note(_("only one snapshot: the deck shows this month without a comparison"))
        else:
            note(
                _("compared with snapshot {snapshot} as of {as_of}").format(
                    snapshot=previous.id, as_of=previous.as_of
                )
            )
        target = out_file or Path(f"review-{when:%Y-%m}.pptx")
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
            write_review_deck(review, target)
            if xlsx is not None:
                write_review_workbook(review, xlsx)
        # The deck's report figures are published: later reports are audited with them
        # (the previous snapshot's too: the deck shows them beside this one's). The
        # secretariat's own version never leaves it.
        shared = review.published if readers == SHARED else []
        for snapshot_id, cells, first, last, only in shared:
            record_published(
                context.workspace,
                snapshot_id,
                [PublishedFile(cells, first, last, only)],
                SHARED,
                str(target),
            )
        # The deck names people (interview candidates): it is recorded like every report.
        audit(
            context.workspace,
            "review",
            scope="全社",
            snapshot=snap.id,
            rows=len(review.mail) + len(review.interviews.top),
            detail={
                "compared_with": previous.id if previous is not None else None,
                "file": str(target),
                "xlsx": str(xlsx) if xlsx is not None else None,
                "audience": readers,
            },
        )
        err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
        err.print(
            _("Wrote the review deck to {path}").format(path=target), highlight=False, markup=False
        )
        if xlsx is not None:
            err.print(
                _("Wrote every figure to {path}").format(path=xlsx), highlight=False, markup=False
            )
        typer.echo(str(target))

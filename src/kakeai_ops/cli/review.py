"""``kops review``: the monthly review deck for the secretariat meeting (定例会)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import KopsError
from ..store import SnapshotInfo, audit, list_snapshots
from ..store.published import PublishedFile, record_published
from .common import AsOfOpt, SnapshotOpt, WorkspaceOpt, err, note, parse_as_of, session
from .report import SHARED


def _previous(snapshots: list[SnapshotInfo], current: SnapshotInfo) -> SnapshotInfo | None:
    earlier = [known for known in snapshots if int(known.id) < int(current.id)]
    return earlier[-1] if earlier else None


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
    ) -> None:
        """Make the monthly review deck (PowerPoint, 16:9, editable charts) for the 定例会.

        Summary, stuck points, trend, divisions (privacy rules applied), mail runs with
        their effect, seminars, campaigns and milestones, interview candidates and next
        actions, comparing the latest snapshot with the one before.

        Example: kops review --out review-2026-11.pptx --xlsx review-2026-11.xlsx
        """
        from ..review import build_review, write_review_deck, write_review_workbook

        if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
            raise KopsError(f"--xlsx: {xlsx} is not an .xlsx file", hint="e.g. --xlsx figures.xlsx")
        if out_file is not None and out_file.suffix.lower() != ".pptx":
            raise KopsError(
                f"--out: {out_file} must be a .pptx file", hint="e.g. --out review.pptx"
            )
        # Both paths are checked before the work, so a bad one never leaves half the output.
        for option, path in (("--out", out_file), ("--xlsx", xlsx)):
            if path is not None and not path.resolve().parent.is_dir():
                raise KopsError(
                    f"{option}: {path.parent}: no such directory", hint="create it first"
                )
            if path is not None and path.is_dir():
                raise KopsError(f"{option}: {path} is a directory", hint="name a file in it")
        context = session(workspace)
        snap = context.snapshot(snapshot)
        when = parse_as_of(as_of, snap)
        if compare is not None:
            previous: SnapshotInfo | None = context.snapshot(compare)
            if previous is not None and int(previous.id) >= int(snap.id):
                what = "itself" if previous.id == snap.id else f"a later snapshot ({previous.id})"
                raise KopsError(
                    f"snapshot {snap.id} compared with {what}",
                    hint="name an earlier snapshot (`kops status`)",
                )
        else:
            previous = _previous(list_snapshots(context.workspace), snap)
        if previous is None:
            note("only one snapshot: the deck shows this month without a comparison")
        else:
            note(f"compared with snapshot {previous.id} as of {previous.as_of}")
        target = out_file or Path(f"review-{when:%Y-%m}.pptx")
        with err.status("Gathering the figures…") as status:
            review = build_review(
                context.workspace,
                context.settings,
                snap,
                when,
                previous,
                progress=lambda step: status.update(f"Gathering the figures: {step}…"),
            )
            status.update("Writing the deck…")
            write_review_deck(review, target)
            if xlsx is not None:
                write_review_workbook(review, xlsx)
        # The deck's report figures are published: later reports are audited with them
        # (the previous snapshot's too: the deck shows them beside this one's).
        for snapshot_id, cells, first, last, only in review.published:
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
            },
        )
        err.print(f"Wrote the review deck to {target}", highlight=False, markup=False)
        if xlsx is not None:
            err.print(f"Wrote every figure to {xlsx}", highlight=False, markup=False)
        typer.echo(str(target))

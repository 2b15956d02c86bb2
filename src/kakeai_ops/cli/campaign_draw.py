"""``kops campaign entries`` and ``kops campaign draw``: entries from a form, a verifiable draw."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .. import config, model
from ..analyses import draw_rules
from ..clock import now
from ..dates import parse_date
from ..errors import KopsError, Problem
from ..jobs.campaigns import draws, entries
from ..outputs.files import write_table
from ..store import campaign_draws, file_entry, record_action
from .console import frame_table
from .shared import (
    AsOfOpt,
    CampaignArg,
    Format,
    FormatOpt,
    Session,
    SnapshotOpt,
    WorkspaceOpt,
    emit_data,
    err,
    out,
    parse_as_of,
    session,
    writes_state,
)


@writes_state("campaign entries")
def entries_command(
    campaign_id: CampaignArg,
    file: Annotated[
        Path, typer.Argument(help="The entry form export (CSV/XLSX): user ids or emails.")
    ],
    problems: Annotated[
        Path | None,
        typer.Option(
            "--problems",
            help="Write every refused and not-in-draw row to this CSV/XLSX (the screen shows "
            "only the first of each).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Record entries from a form export: a column of user ids or emails, optionally 応募日時.

    Unknown people, duplicate rows and entries after the campaign's
    entry_deadline are refused by row; people not eligible (yet) are recorded
    and named, as the draw judges eligibility again. Importing the same file
    again adds nothing.

    Example: kops campaign entries exec-1on1-2026h2 exports/応募フォーム.xlsx --problems 要確認.csv
    """
    opened = session(workspace)
    campaign = config.campaign(opened.settings, campaign_id)
    snap = opened.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    tables = opened.tables(snap)
    judged = draws.judge(tables, campaign, opened.settings, when)
    result = entries.import_entries(
        opened.workspace, campaign_id, campaign, file, tables, judged, opened.settings, when
    )
    if problems is not None:
        write_table(problem_rows(result), problems)
    _print_capped("refused", result.refused, problems)
    _print_capped("note", result.not_in_draw, problems)
    record_action(
        opened.workspace,
        "campaign entries",
        target=campaign_id,
        count=result.added,
        files=[file_entry(file)],
        snapshot=snap.id,
        detail={"refused": len(result.refused), "entered_before": result.already},
    )
    err.print(
        f"{file.name}: {result.added:,} new entr{'y' if result.added == 1 else 'ies'}, "
        f"{result.already:,} entered before, {len(result.refused):,} row(s) refused, "
        f"{len(result.not_in_draw):,} recorded but not in the draw as of {when}.",
        highlight=False,
        markup=False,  # the file name is data: "[red]応募.csv"
    )


SHOWN_PROBLEMS = 30  # a screenful; a form export of thousands of bad rows goes to --problems


def _print_capped(kind: str, found: list[Problem], listing: Path | None) -> None:
    for problem in found[:SHOWN_PROBLEMS]:
        err.print(f"{kind}: {problem}", highlight=False, markup=False)
    rest = len(found) - SHOWN_PROBLEMS
    if rest > 0:
        where = (
            f"all {len(found):,} in {listing.name}"
            if listing is not None
            else "--problems FILE lists every row"
        )
        noun = "refused rows" if kind == "refused" else "notes"
        err.print(f"… and {rest:,} more {noun} ({where})", highlight=False, markup=False)


def problem_rows(result: entries.EntriesImport) -> pd.DataFrame:
    """Every refused and not-in-draw row, in file order, as the --problems file holds them."""
    found = [("refused", p) for p in result.refused] + [("note", p) for p in result.not_in_draw]
    found.sort(key=lambda item: item[1].row or 0)
    return pd.DataFrame(
        {
            "kind": [kind for kind, _ in found],
            "file": [p.file for _, p in found],
            "row": pd.array([p.row for _, p in found], dtype="Int64"),
            "column": [p.column or "" for _, p in found],
            "what": [p.what for _, p in found],
            "value": [_unquoted(p.value or "") for _, p in found],
        },
        columns=["kind", "file", "row", "column", "what", "value"],
    )


def _unquoted(value: str) -> str:
    """The value as the file had it: messages quote it ('900001'), a spreadsheet column need not."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


@writes_state("campaign draw", unless=("verify", "entrants"))
def draw_command(
    campaign_id: CampaignArg,
    winners: Annotated[
        int | None, typer.Option("--winners", "-n", min=1, help="How many winners to draw.")
    ] = None,
    per_division: Annotated[
        int | None,
        typer.Option(
            "--per-division", min=1, help="At most M winners per 事業部 while others remain."
        ),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option("--seed", help="The seed announced before the draw (default: draw_seed)."),
    ] = None,
    redraw: Annotated[
        bool, typer.Option("--redraw", help="Draw again; needs --reason (audit log).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is drawn again.")] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Recompute the recorded draw and say whether it matches."),
    ] = False,
    entrants: Annotated[
        bool,
        typer.Option(
            "--entrants", help="List who would be in the draw, with the fingerprint; no draw."
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Draw winners among the eligible entrants: SHA-256 of seed and user id, lowest wins.

    Anyone can recompute the result from the announced seed and the entrant
    list (README: 応募と抽選). People on leave or retired are never drawn.
    A campaign is drawn once; --redraw --reason TEXT draws again and is
    recorded in the audit log. --verify recomputes the recorded draw.

    Example: kops campaign draw exec-1on1-2026h2 --winners 5 --seed "2026-10-20 39123.45"
    """
    opened = session(workspace)
    campaign = config.campaign(opened.settings, campaign_id)
    if verify:
        _verify(opened, campaign_id)
        return
    if not entrants:
        if redraw and not (reason and reason.strip()):
            raise KopsError(
                "--redraw needs --reason TEXT", hint='e.g. --reason "当選者の退職のため"'
            )
        if reason and not redraw:
            raise KopsError("--reason is for --redraw")
        if redraw and campaign_draws(opened.workspace, campaign_id).empty:
            raise KopsError(
                f"--redraw: campaign '{campaign_id}' has not been drawn yet",
                hint="draw it first, without --redraw",
            )
        if campaign.entry_deadline is not None:
            limit = entries.deadline_limit(campaign.entry_deadline)
            if now().replace(tzinfo=None) < limit:
                raise KopsError(
                    f"entries to '{campaign_id}' are open until {campaign.entry_deadline}",
                    hint="draw after the deadline, so that every entry is in the draw",
                )
    recorded = campaign_draws(opened.workspace, campaign_id)
    current = recorded[recorded["current"] == 1]
    drawn = None if current.empty else model.record(current.iloc[0])
    basis = draws.draw_basis(opened.workspace, campaign, drawn)
    _only_the_basis(opened, basis, snapshot, as_of)
    judged = draws.judge_for_draw(opened.workspace, opened.settings, campaign, basis)
    snap_id, when = basis.snapshot.id, basis.as_of
    pool = draws.draw_pool(opened.workspace, campaign_id, campaign, judged)
    if entrants:
        _show_pool(pool, judged, fmt)
        return
    if redraw and drawn is not None:
        chosen, winners, per_division = draws.redraw_choices(
            drawn, seed, winners, per_division, campaign
        )
    if winners is None:
        raise KopsError("--winners N is required", hint="e.g. --winners 5")
    if not redraw:
        chosen = draws.choose_seed(campaign_id, campaign, seed)
    number, result = draws.run_draw(
        opened.workspace,
        campaign_id,
        pool,
        chosen,
        winners,
        per_division,
        snap_id,
        when,
        reason.strip() if redraw and reason else None,
    )
    names = judged.set_index("user_id")["name"]
    frame = pd.DataFrame(
        [
            {
                "position": p.position,
                "user_id": p.user_id,
                "name": names.get(p.user_id, ""),
                "division": p.division,
                "key": p.key,
                "over_cap": p.over_cap,
            }
            for p in result.picks
            if p.won
        ]
    )
    err.print(
        f"Draw {number} of {campaign_id}: seed '{chosen}', {len(result.picks):,} entrants "
        f"(fingerprint {result.fingerprint}), {len(frame):,} winner(s)"
        + (f", at most {per_division} per 事業部" if per_division else "")
        + (f"; redrawn because: {reason}" if redraw else ""),
        highlight=False,
        markup=False,
    )
    if not emit_data(frame, fmt):
        view = frame.assign(key=frame["key"].str[:16] + "…")
        out.print(frame_table(view, title=f"Winners: {campaign.title} ({campaign_id})"))
    err.print(
        f"Next: kops mail send --winners {campaign_id} --yes; "
        f"kops mail send --not-drawn {campaign_id} --yes",
        highlight=False,
        markup=False,
    )


def _only_the_basis(
    opened: Session, basis: draws.DrawBasis, snapshot: str | None, as_of: str | None
) -> None:
    """A draw judges eligibility at its basis; another --snapshot or --as-of is refused
    (it would change who is eligible, and so who wins)."""
    if snapshot is not None and opened.snapshot(snapshot).id != basis.snapshot.id:
        raise KopsError(
            f"--snapshot {snapshot}: a draw judges eligibility at {basis.why}",
            hint="leave out --snapshot",
        )
    if as_of is not None and parse_date(as_of, "--as-of") != basis.as_of:
        raise KopsError(
            f"--as-of {as_of}: a draw judges eligibility at {basis.why}",
            hint="leave out --as-of",
        )


def _show_pool(pool: pd.DataFrame, judged: pd.DataFrame, fmt: Format) -> None:
    names = judged.set_index("user_id")["name"]
    frame = pool.assign(
        name=pool["user_id"].map(names).fillna(""),
        reason=pool["reason"].map(lambda r: draw_rules.NOT_DRAWN_REASONS.get(r, "")),
    )[["user_id", "name", "division", "in_draw", "reason"]]
    # The fingerprint's line of each entrant as UTF-8 in hex: the raw values the recipe
    # needs, which a CSV cell can't always give (a 事業部 '+営業本部' is written '+営業本部
    # with a quote, so Excel doesn't run it).
    frame["fingerprint_line_hex"] = [
        draw_rules.fingerprint_line(draw_rules.Entrant(u, d)).encode().hex() if keep else ""
        for u, d, keep in pool[["user_id", "division", "in_draw"]].values
    ]
    people = [
        draw_rules.Entrant(u, d)
        for u, d, keep in pool[["user_id", "division", "in_draw"]].values
        if keep
    ]
    err.print(
        f"{len(people):,} of {len(pool):,} entries in the draw; "
        f"fingerprint {draw_rules.fingerprint(people)}",
        highlight=False,
    )
    if not emit_data(frame, fmt):
        out.print(frame_table(frame, title="Entries", max_rows=500))


def _verify(opened: Session, campaign_id: str) -> None:
    check = draws.verify_draw(opened.workspace, campaign_id)
    out.print(
        f"draw {check.draw_no}: seed '{check.seed}'\n"
        f"  entrant list: recorded fingerprint {check.recorded_fingerprint}\n"
        f"                recomputed           {check.fingerprint or '(no entrants)'}\n"
        f"  winners recorded:   {', '.join(check.recorded_winners)}\n"
        f"  winners recomputed: {', '.join(check.winners)}",
        highlight=False,
        markup=False,
    )
    if check.ok:
        err.print(f"OK: draw {check.draw_no} of {campaign_id} matches.", highlight=False)
        return
    for line in check.elsewhere:
        err.print(f"  does not match: {line}", highlight=False, markup=False)
    what = (
        "the entrant list was changed after the draw"
        if not check.entrants_intact
        else "the recorded winners differ from the recomputed ones"
        if check.winners != check.recorded_winners
        else "the draw tables disagree with the entries or the audit log"
    )
    raise KopsError(
        f"draw {check.draw_no} of {campaign_id} does not match: {what}",
        hint="look at `kops audit` for who changed what; the workspace state DB was edited",
    )


def register(app: typer.Typer) -> None:
    """Add ``entries`` and ``draw`` to the ``campaign`` group."""
    app.command("entries")(entries_command)
    app.command("draw")(draw_command)

"""``kops campaign entries`` and ``kops campaign draw``: entries from a form, a verifiable draw."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import config
from ..errors import KopsError, Problem
from ..i18n import _, ngettext
from ..outputs.workbook import Print
from .console import people_table
from .options import (
    AsOfOpt,
    CampaignArg,
    Format,
    FormatOpt,
    SnapshotOpt,
    WorkspaceOpt,
    checked_table_file,
)
from .shared import Session, emit_data, err, out, parse_as_of, session, writes_state

if TYPE_CHECKING:
    import pandas as pd

    from ..jobs.campaigns import draw_run, entries

# The data libraries and the draw's modules are imported where used: `kops campaign`
# loads this module with the group, and `campaign eligible` starts reading its snapshot
# before it imports pandas (Session.read_ahead).


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
            callback=checked_table_file,
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
    from ..jobs.campaigns import draws, entries
    from ..outputs.files import write_table

    opened = session(workspace)
    campaign = config.campaign(opened.settings, campaign_id)
    snap = opened.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    tables = opened.tables(snap)
    judged = draws.judge(tables, campaign, opened.settings, when)
    result = entries.record_entries(
        opened.workspace,
        campaign_id,
        campaign,
        file,
        tables,
        judged,
        opened.settings,
        when,
        snap.id,
    )
    if problems is not None:
        # The printed header says the 基準日 the rows were judged on, as every list does.
        write_table(problem_rows(result), problems, options=Print(as_of=when))
    _print_capped(True, result.refused, problems)
    _print_capped(False, result.not_in_draw, problems)
    new = ngettext("{n:,} new entry", "{n:,} new entries", result.added).format(n=result.added)
    err.print(
        _(
            "{file}: {new}, {already:,} entered before, {refused:,} row(s) refused, "
            "{not_in_draw:,} recorded but not in the draw as of {as_of}."
        ).format(
            file=file.name,
            new=new,
            already=result.already,
            refused=len(result.refused),
            not_in_draw=len(result.not_in_draw),
            as_of=when,
        ),
        highlight=False,
        markup=False,  # the file name is data: "[red]応募.csv"
    )


SHOWN_PROBLEMS = 30  # a screenful; a form export of thousands of bad rows goes to --problems


def _print_capped(refused: bool, found: list[Problem], listing: Path | None) -> None:
    kind = _("refused") if refused else _("note")
    for problem in found[:SHOWN_PROBLEMS]:
        err.print(f"{kind}: {problem}", highlight=False, markup=False)
    rest = len(found) - SHOWN_PROBLEMS
    if rest > 0:
        where = (
            _("all {n:,} in {file}").format(n=len(found), file=listing.name)
            if listing is not None
            else _("--problems FILE lists every row")
        )
        said = (
            _("… and {n:,} more refused rows ({where})")
            if refused
            else _("… and {n:,} more notes ({where})")
        )
        err.print(said.format(n=rest, where=where), highlight=False, markup=False)


def problem_rows(result: entries.EntriesImport) -> pd.DataFrame:
    """Every refused and not-in-draw row, in file order, as the --problems file holds them
    (what is wrong in the reader's language: the file is for people, opened in Excel)."""
    import pandas as pd

    found = [("refused", p) for p in result.refused] + [("note", p) for p in result.not_in_draw]
    found.sort(key=lambda item: item[1].row or 0)
    return pd.DataFrame(
        {
            "kind": [kind for kind, _problem in found],
            "file": [p.file for _kind, p in found],
            "row": pd.array([p.row for _kind, p in found], dtype="Int64"),
            "column": [p.column or "" for _kind, p in found],
            "what": [p.said for _kind, p in found],
            "value": [_unquoted(p.value or "") for _kind, p in found],
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
    list (docs/commands/campaign.md: 応募と抽選). People on leave or retired are never drawn.
    A campaign is drawn once; --redraw --reason TEXT draws again and is
    recorded in the audit log. --verify recomputes the recorded draw.

    Example: kops campaign draw exec-1on1-2026h2 --winners 5 --seed "2026-10-20 39123.45"
    """
    from ..jobs.campaigns import draw_run

    opened = session(workspace)
    campaign = config.campaign(opened.settings, campaign_id)
    if verify:
        _verify(opened, campaign_id)
        return
    request = draw_run.DrawRequest(winners, per_division, seed, redraw, reason)
    if not entrants:
        draw_run.check_request(opened.workspace, campaign_id, campaign, request)
    drawn, basis = draw_run.current_basis(opened.workspace, campaign_id, campaign)
    draw_run.check_basis(opened.workspace, basis, snapshot, as_of)
    setting = draw_run.draw_setting(
        opened.workspace, opened.settings, campaign_id, campaign, drawn, basis
    )
    if entrants:
        _show_pool(setting.pool, setting.judged, fmt)
        return
    done = draw_run.draw_campaign(opened.workspace, campaign_id, campaign, setting, request)
    _show_draw(done, campaign_id, campaign.title, request, fmt)


def _show_draw(
    done: draw_run.DrawOutcome,
    campaign_id: str,
    title: str,
    request: draw_run.DrawRequest,
    fmt: Format,
) -> None:
    frame = done.winners
    said = _(
        "Draw {draw} of {campaign}: seed '{seed}', {entrants:,} entrants "
        "(fingerprint {fingerprint}), {winners:,} winner(s)"
    ).format(
        draw=done.number,
        campaign=campaign_id,
        seed=done.seed,
        entrants=len(done.result.picks),
        fingerprint=done.result.fingerprint,
        winners=len(frame),
    )
    if done.per_division:
        said += _(", at most {n} per 事業部").format(n=done.per_division)
    if request.redraw:
        said += _("; redrawn because: {reason}").format(reason=request.reason)
    err.print(said, highlight=False, markup=False)
    if not emit_data(frame, fmt):
        heading = _("Winners: {title} ({campaign})").format(title=title, campaign=campaign_id)
        # The whole key: an entrant checks theirs against it, so none is cut with 「…」.
        view = frame.rename(columns={"key": "draw_key"})
        out.print(people_table(view, title=heading, labels=DRAW_LABELS))
    err.print(
        _("Next: {command}").format(
            command=f"kops mail send --winners {campaign_id} --yes; "
            f"kops mail send --not-drawn {campaign_id} --yes"
        ),
        highlight=False,
        markup=False,
    )


def _show_pool(pool: pd.DataFrame, judged: pd.DataFrame, fmt: Format) -> None:
    from ..analyses import draw_rules

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
        _("{n:,} of {total:,} entries in the draw; fingerprint {fingerprint}").format(
            n=len(people), total=len(pool), fingerprint=draw_rules.fingerprint(people)
        ),
        highlight=False,
    )
    if not emit_data(frame, fmt):
        view = frame.rename(columns={"reason": "not_in_draw_because"})
        out.print(people_table(view, title=_("Entries"), labels=DRAW_LABELS, max_rows=500))


# The draw's tables in the words of the secretariat (the keys stay in --format csv|json).
DRAW_LABELS = {
    "position": "順位",
    "draw_key": "キー（SHA-256）",
    "over_cap": "事業部の上限を超えて当選",
    "in_draw": "抽選に入る",
    "not_in_draw_because": "抽選に入らない理由",
    "fingerprint_line_hex": "フィンガープリントの行（UTF-8 の16進数）",
}


def _verify(opened: Session, campaign_id: str) -> None:
    from ..jobs.campaigns import draws

    check = draws.verify_draw(opened.workspace, campaign_id)
    out.print(
        _(
            "draw {draw}: seed '{seed}'\n"
            "  entrant list: recorded fingerprint {recorded}\n"
            "                recomputed           {recomputed}\n"
            "  winners recorded:   {winners_recorded}\n"
            "  winners recomputed: {winners_recomputed}"
        ).format(
            draw=check.draw_no,
            seed=check.seed,
            recorded=check.recorded_fingerprint,
            recomputed=check.fingerprint or _("(no entrants)"),
            winners_recorded=", ".join(check.recorded_winners),
            winners_recomputed=", ".join(check.winners),
        ),
        highlight=False,
        markup=False,
    )
    if check.ok:
        err.print(
            _("OK: draw {draw} of {campaign} matches.").format(
                draw=check.draw_no, campaign=campaign_id
            ),
            highlight=False,
        )
        return
    for line in check.elsewhere:
        err.print(
            "  " + _("does not match: {what}").format(what=line), highlight=False, markup=False
        )
    what = (
        _("the entrant list was changed after the draw")
        if not check.entrants_intact
        else _("the recorded winners differ from the recomputed ones")
        if check.winners != check.recorded_winners
        else _("the draw tables disagree with the entries or the audit log")
    )
    raise KopsError(
        _("draw {draw} of {campaign} does not match: {what}").format(
            draw=check.draw_no, campaign=campaign_id, what=what
        ),
        hint=_("look at `kops audit` for who changed what; the workspace state DB was edited"),
    )


def register(app: typer.Typer) -> None:
    """Add ``entries`` and ``draw`` to the ``campaign`` group."""
    app.command("entries")(entries_command)
    app.command("draw")(draw_command)

"""``kops campaign``: who earned what, and why."""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import config, glossary
from ..analyses import reads
from ..config import Campaign, StreakRule
from ..errors import KopsError
from ..i18n import N_, _, language
from ..ids import did_you_mean, typed_id
from ..outputs.workbook import Print
from ..store import SnapshotInfo, Tables, awards
from .console import people_table, plain
from .options import (
    AsOfOpt,
    AudienceOpt,
    CampaignArg,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    WorkspaceOpt,
    dry_run_option,
)
from .output_audience import records_audience
from .shared import Session, emit, emit_data, err, out, parse_as_of, session, timing, writes_state

if TYPE_CHECKING:
    import pandas as pd

    from ..analyses import streaks
    from ..calendar import BusinessCalendar
    from ..jobs.campaigns import draws
    from ..jobs.campaigns.awards import Awarded

# pandas, the analyses and the campaign workflows are imported where used: a command
# starts reading its snapshot before it imports them (Session.read_ahead), and
# `kops campaign --help` needs none of them.

app = typer.Typer(
    help="Campaigns and 1on1 milestones: who earned what, and when.\n\n"
    "Example: kops campaign eligible exec-1on1-2026h2",
    no_args_is_help=True,
)


def _calendar(opened: Session) -> BusinessCalendar:
    from ..calendar import BusinessCalendar

    return BusinessCalendar(opened.settings.calendar.company_holidays)


def _rule_text(campaign: Campaign) -> str:
    role = _(RULE_ROLES[campaign.rule.role])
    if campaign.rule.min_per_week == 1:
        per_week = _("every week")
    else:
        per_week = _("at least {n} every week").format(n=campaign.rule.min_per_week)
    return _("a 1on1 {per_week} for {months} months in a row ({role})").format(
        per_week=per_week, months=campaign.rule.months, role=role
    )


RULE_ROLES = {
    "member": N_("as a member"),
    "manager": N_("as a manager"),
    "any": N_("as a manager or a member"),
}


# What the console table leaves to the file (--out, --format): the judging detail.
FILE_ONLY = ("months_judged", "best_run_months", "employment")


def _heading(campaign: Campaign, campaign_id: str, when: dt.date) -> str:
    window = _("{start} – {end}").format(start=campaign.window.start, end=campaign.window.end)
    return _("{title} ({campaign}): {rule}, judged {window}, as of {as_of}").format(
        title=campaign.title,
        campaign=campaign_id,
        rule=_rule_text(campaign),
        window=window,
        as_of=when,
    )


# Words for the campaign list's keys that the glossary does not have.
CAMPAIGN_LABELS = {
    "window_start": "判定期間の開始",
    "window_end": "判定期間の終了",
    "rule": "条件",
    "months": "連続月数",
    "min_per_week": "週あたりの回数",
    **{k: glossary.column_label(k) for k in ("entries", "eligible_entrants", "winners")},
}


@dataclass(frozen=True)
class Judged:
    """A campaign judged on a snapshot as of a date."""

    campaign: Campaign
    result: streaks.Eligibility
    as_of: dt.date
    snapshot_id: str
    tables: Tables


@dataclass(frozen=True)
class Judging:
    """The campaign, snapshot and as-of date a judgement is about (its tables being read)."""

    campaign_id: str
    campaign: Campaign
    snapshot: SnapshotInfo
    as_of: dt.date


def _judging(
    opened: Session, campaign_id: str, snapshot: str | None, as_of: dt.date | None
) -> Judging:
    campaign = config.campaign(opened.settings, campaign_id)
    snap = opened.snapshot(snapshot)
    opened.read_ahead(snap, reads.ELIGIBILITY)
    return Judging(campaign_id, campaign, snap, parse_as_of(as_of, snap))


def _judge(
    opened: Session, campaign_id: str, snapshot: str | None, as_of: dt.date | None
) -> Judged:
    return _judged(opened, _judging(opened, campaign_id, snapshot, as_of))


def _judged(opened: Session, judging: Judging) -> Judged:
    from ..analyses import streaks  # pandas and NumPy load while the snapshot is read

    started = time.perf_counter()
    tables = opened.tables(judging.snapshot, columns=reads.ELIGIBILITY)
    loaded = time.perf_counter()
    result = streaks.eligibility(tables, judging.campaign, _calendar(opened), judging.as_of)
    timing(
        f"campaign: loaded in {loaded - started:.2f} s, "
        f"judged in {time.perf_counter() - loaded:.2f} s"
    )
    return Judged(
        campaign=judging.campaign,
        result=result,
        as_of=judging.as_of,
        snapshot_id=judging.snapshot.id,
        tables=tables,
    )


def _csv_without_pandas(opened: Session, judging: Judging, show_all: bool) -> bool:
    """The list as CSV on stdout, judged on the snapshot's Arrow tables and written
    without pandas (``streaks.eligibility_table``, ``csv_fields.table_csv_text``: the
    bytes ``emit`` writes from the frame); False, having written nothing, for tables
    only the frames' judgement takes."""
    from ..analyses import streaks
    from ..outputs.csv_fields import table_csv_text

    # The holidays (a tenth of a second of Python: the library and the window's years)
    # are loaded while the snapshot is still being read; the calendar keeps them.
    calendar = _calendar(opened)
    streaks.week_grid(judging.campaign, calendar, judging.as_of)
    started = time.perf_counter()
    read = opened.arrow_tables(judging.snapshot, reads.ELIGIBILITY)
    loaded = time.perf_counter()
    table = streaks.eligibility_table(
        read["users"], read["meetings"], judging.campaign, calendar, judging.as_of
    )
    if table is None:
        return False
    timing(
        f"campaign: loaded in {loaded - started:.2f} s, "
        f"judged in {time.perf_counter() - loaded:.2f} s"
    )
    shown = table if show_all else table.filter(table.column("eligible"))
    try:
        text = table_csv_text(shown)
    except TypeError:  # a kind of value only the frames' writer takes
        return False
    sys.stdout.write(text)
    return True


@app.command("list")
def list_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the campaigns in kops.yaml: awarded, entries, eligible entrants, winners.

    Example: kops campaign list
    """
    import pandas as pd

    from ..jobs.campaigns import draws

    opened = session(workspace)
    given = awards(opened.workspace)
    rows = pd.DataFrame(
        [
            {
                "campaign": cid,
                "title": campaign.title,
                "window_start": campaign.window.start.isoformat(),
                "window_end": campaign.window.end.isoformat(),
                "rule": _rule_text(campaign),
                "months": campaign.rule.months,
                "role": campaign.rule.role,
                "min_per_week": campaign.rule.min_per_week,
                "awarded": int((given["campaign"] == cid).sum()),
                **draws.overview(
                    opened.workspace,
                    cid,
                    campaign,
                    partial(draws.judge_latest, opened.workspace, opened.settings, campaign),
                ),
            }
            for cid, campaign in opened.settings.campaigns.items()
        ],
        columns=[
            "campaign",
            "title",
            "window_start",
            "window_end",
            "rule",
            "months",
            "role",
            "min_per_week",
            "awarded",
            "entries",
            "eligible_entrants",
            "winners",
        ],
    )
    if emit_data(rows, fmt):
        return
    # The condition's text already says the months, the role and the weekly count.
    shown = rows.drop(columns=["months", "role", "min_per_week"])
    out.print(people_table(shown, title=_("Campaigns"), labels=CAMPAIGN_LABELS))


@app.command("eligible")
@records_audience("campaign eligible")
def eligible_command(
    campaign_id: CampaignArg,
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Also list who is not eligible, with their closest run and missed weeks."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """Who meets the campaign's condition (e.g. 3か月連続毎週1on1), and the qualifying months.

    Weeks are ISO weeks, each in the month of its Thursday; a week with no
    business day (holidays, company holidays) is excused.

    Example: kops campaign eligible exec-1on1-2026h2 --all --out eligible.xlsx
    """
    opened = session(workspace)
    judging = _judging(opened, campaign_id, snapshot, as_of)
    if fmt is Format.csv and out_file is None and _csv_without_pandas(opened, judging, show_all):
        return

    from ..analyses import streaks
    from ..analyses.eligibility import eligibility_counts

    judged = _judged(opened, judging)
    campaign, when = judged.campaign, judged.as_of
    frame = judged.result.users
    shown = frame if show_all else frame[frame["eligible"]]
    columns = shown[streaks.ELIGIBLE_COLUMNS]
    counts = eligibility_counts(frame, judged.tables.users)
    summary = _summary_sheet(campaign_id, campaign, when, counts)
    if emit(
        columns,
        fmt,
        out_file,
        sheet="eligibility",
        extra_sheets=[("summary", summary)],
        text_columns=["user_id"],
        options=Print(as_of=when),
    ):
        return
    view = columns[[c for c in streaks.ELIGIBLE_COLUMNS if c not in FILE_ONLY]].copy()
    view["missed_weeks"] = view["missed_weeks"].str.replace(";", " ")
    out.print(
        people_table(
            view,
            title=_heading(campaign, campaign_id, when),
            labels={"missed_weeks": "実施のなかった週（月曜日）"},
            max_rows=300,
        )
    )
    out.print(
        _(
            "Eligible: {eligible:,}   not eligible: {not_eligible:,} (on leave: "
            "{away:,})   months judged: {months}"
        ).format(
            eligible=counts["eligible"],
            not_eligible=counts["not_eligible"],
            away=counts["on_leave"],
            months=counts["months_judged"],
        ),
        highlight=False,
    )
    _say_judged_days(campaign, when)


def _summary_sheet(
    campaign_id: str, campaign: Campaign, when: dt.date, counts: dict[str, int]
) -> pd.DataFrame:
    """The file's 集計: the counts of people, headed 対象の人数 (under the one person's
    column name 「判定」, 78 read as a verdict), the window and the days its weeks cover
    (03-30 is April's, 09-28 October's)."""
    import pandas as pd

    row = {
        "campaign": campaign_id,
        "title": campaign.title,
        "as_of": str(when),
        "window": f"{campaign.window.start}〜{campaign.window.end}",
        "weeks_judged": _weeks_judged(campaign, when),
        **counts,
    }
    return pd.DataFrame([row]).rename(columns={"eligible": "eligible_people"})


def _weeks_judged(campaign: Campaign, when: dt.date) -> str:
    from ..calendar import judged_days

    days = judged_days(campaign.window.start, campaign.window.end, when)
    return "" if days is None else f"{days[0]}〜{days[1]}"


def _say_judged_days(campaign: Campaign, when: dt.date) -> None:
    """Which days the weeks judged cover, where they are not the window's own: a 1on1 on
    03-30 counts for April, one on 09-29 for no month judged (its week is October's); or
    that no month is judged yet, or can be."""
    from ..calendar import judged_days, months_between

    days = judged_days(campaign.window.start, campaign.window.end, when)
    if days is None:
        whole = months_between(campaign.window.start, campaign.window.end)
        out.print(
            _(
                "No month is judged yet: the first, {month}, is judged once its weeks have ended"
            ).format(month=f"{whole[0][0]}-{whole[0][1]:02d}")
            if whole
            else _("No calendar month lies wholly within the window: nothing can be judged"),
            highlight=False,
        )
        return
    if days == (campaign.window.start, campaign.window.end):
        return
    out.print(
        _(
            "Weeks judged: {first} – {last} (Monday to Sunday, each in the month of its Thursday)"
        ).format(first=days[0], last=days[1]),
        highlight=False,
    )


STATUS_STYLE = {
    "held": ("●", "green", N_("held")),
    "excused": ("○", "cyan", N_("excused")),
    "missed": ("✗", "red", N_("missed")),
    "not_judged": ("·", "dim", N_("not judged yet")),
}


@app.command("explain")
def explain_command(
    campaign_id: CampaignArg,
    user_id: Annotated[str, typer.Argument(help="The user to explain.")],
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """One user's weeks, month by month: held / excused (why) / missed / not yet judged.

    Answers "why not me?"; then the person's entry and draw result, if any.

    Example: kops campaign explain exec-1on1-2026h2 000123
    """
    from ..analyses import streaks
    from ..jobs.campaigns import draws

    opened = session(workspace)
    judged = _judge(opened, campaign_id, snapshot, as_of)
    campaign, result, when = judged.campaign, judged.result, judged.as_of
    wanted = typed_id(user_id)
    rows = result.users[result.users["user_id"] == wanted]
    users = judged.tables.users
    if (
        rows.empty
        and (users.loc[users["user_id"] == wanted, "employment_status"] == "retired").any()
    ):
        raise KopsError(
            _("{user} has left (退職): campaigns do not judge people who have left").format(
                user=wanted
            )
        )
    if rows.empty:
        raise KopsError(
            _("no user '{user}' in snapshot {snapshot}").format(
                user=user_id, snapshot=judged.snapshot_id
            ),
            hint=did_you_mean(user_id, result.users["user_id"])
            or _("check the id with `kops segment --list`"),
        )
    row = rows.iloc[0]
    weeks = streaks.user_weeks(result, judged.tables, campaign, _calendar(opened), when, wanted)
    out.print(
        f"[bold]{escape(str(row['name']))}[/bold] ({wanted}) — {escape(str(row['division']))} / "
        f"{escape(str(row['department']))}"
    )
    out.print(escape(_heading(campaign, campaign_id, when)) + "\n")
    legend = "  ".join(
        f"[{style}]{mark}[/{style}] {_(label)}" for mark, style, label in STATUS_STYLE.values()
    )
    out.print(legend + "\n")
    _show_weeks(weeks, dict(zip(result.grid.months, result.grid.judged, strict=True)))
    _explain_verdict(row, campaign.rule)
    _explain_draw(draws.person(opened.workspace, campaign_id, wanted))


def _show_weeks(weeks: list[streaks.WeekDetail], month_judged: dict[tuple[int, int], bool]) -> None:
    """A table per month: each week held, excused or missed, with its 1on1s and holidays."""
    by_month: dict[tuple[int, int], list[streaks.WeekDetail]] = {}
    for week in weeks:
        by_month.setdefault(week.month, []).append(week)
    for (year, month), month_weeks in by_month.items():
        statuses = [w.status for w in month_weeks]
        if not month_judged[(year, month)]:
            said = _("not judged yet (the month is not over)")
            verdict = f"[dim]{said}[/dim]"
        elif "missed" in statuses:
            missed = _("{n} week(s) missed").format(n=statuses.count("missed"))
            verdict = f"[red]✗ {missed}[/red]"
        else:
            said = _("met")
            verdict = f"[green]✓ {said}[/green]"
        month_name = _("{year}/{month}").format(year=year, month=month)
        table = Table(title=f"{month_name}  {verdict}", title_justify="left", show_header=True)
        table.add_column(_("Week (Mon–Sun)"))
        table.add_column("")
        table.add_column("1on1")
        table.add_column(_("Holidays"))
        for w in month_weeks:
            mark, style, label = STATUS_STYLE[w.status]
            sunday = w.monday + dt.timedelta(days=6)
            table.add_row(
                _("{start} – {end}").format(start=f"{w.monday:%m/%d}", end=f"{sunday:%m/%d}"),
                f"[{style}]{mark} {_(label)}[/{style}]",
                " ".join(f"{d:%m/%d}" for d in w.meetings) or "-",
                plain(", ".join(f"{d:%m/%d} {_holiday_word(d, name)}" for d, name in w.holidays)),
            )
        out.print(table)


def _none_held_words(rule: StreakRule, none_held: bool) -> str:
    """streaks.none_held_notes in the reader's language, for the role the campaign counts."""
    role = _(RULE_ROLES[rule.role])
    if none_held:
        return _("no 1on1 held {role} in the window").format(role=role)
    return _("no week of the window with {n} or more 1on1s held {role}").format(
        n=rule.min_per_week, role=role
    )


def _holiday_word(day: dt.date, name: str) -> str:
    """A holiday's name on the screen: the calendar's Japanese (the mails' word) in
    Japanese, the holidays library's English name in English."""
    if language() == "ja":
        return name
    from ..calendar import COMPANY_HOLIDAY

    if name == COMPANY_HOLIDAY:
        return _("company holiday")
    import holidays

    english = holidays.country_holidays("JP", years=day.year, language="en_US").get(day)
    return str(english) if english else name


def _explain_verdict(row: pd.Series, rule: StreakRule) -> None:
    from ..analyses import streaks

    run = _("{start} – {end}").format(start=row["run_start"], end=row["run_end"])
    if bool(row["eligible"]):
        said = _("{run} meets the condition.").format(run=run)
        label = _("Eligible")
        out.print(f"[bold green]{label}[/bold green]: {escape(said)}")
        return
    note = str(row["note"] or "")
    if note.startswith(streaks.CLOSEST_NOTE):
        note = ""  # the closest run is said below, in the reader's language
    elif note in (notes := streaks.none_held_notes(rule)):
        note = _none_held_words(rule, none_held=note == notes[0])
    reason = note or _("no run of months meets the condition")
    label = _("Not eligible")
    out.print(f"[bold red]{label}[/bold red]: {escape(str(reason))}")
    if row["run_start"]:
        missed = str(row["missed_weeks"]).replace(";", ", ") or _("none")
        said = _("Closest run: {run} (weeks missed: {missed})").format(run=run, missed=missed)
        out.print(escape(said))


def _explain_draw(p: draws.PersonDraw) -> None:
    if not p.entered:
        out.print(_("Entry: none"))
        return
    said = _("Entry: yes ({at}, {source})").format(
        at=p.entered_at or _("no entry time"), source=p.source
    )
    out.print(escape(said))
    if not p.drawn:
        out.print(_("Draw: not held yet"))
    elif not p.in_draw:
        out.print(
            _(
                "Draw {n}: not in it (not eligible when drawn: the entry condition unmet, "
                "on leave or retired …)"
            ).format(n=p.draw_no)
        )
    else:
        won = _("won")
        verdict = f"[bold green]{won}[/bold green]" if p.won else _("not drawn")
        place = _("{position} of {entrants}, seed '{seed}'").format(
            position=p.position, entrants=p.entrants, seed=p.seed or ""
        )
        out.print(
            _("Draw {n}: {verdict} ({place})").format(
                n=p.draw_no, verdict=verdict, place=escape(place)
            )
        )


@app.command("award")
@writes_state("campaign award")
def award_command(
    campaign_id: CampaignArg,
    workspace: WorkspaceOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    dry_run: Annotated[
        bool, dry_run_option(help="Show who would be awarded; record nothing.")
    ] = False,
) -> None:
    """Record the eligible users as awarded, once each; a later run adds only new people.

    A campaign with entries or a draw_seed is awarded by draw: only the winners of its
    current draw are awarded, and it is refused before the draw. Awarded users are what
    `kops mail send --awarded ID` announces to.

    Example: kops campaign award exec-1on1-2026h2
    """
    from ..jobs.campaigns.awards import award, awardees

    opened = session(workspace)
    judged = _judge(opened, campaign_id, snapshot, as_of)
    campaign = judged.campaign
    chosen = awardees(opened.workspace, campaign_id, campaign, judged.result)
    if chosen.draw_no is not None:
        err.print(
            _(
                "Awarded by draw {draw}: its {winners:,} winner(s) only; {others:,} other "
                "eligible user(s) are not awarded."
            ).format(draw=chosen.draw_no, winners=chosen.winners, others=chosen.not_drawn),
            highlight=False,
        )
    if dry_run:
        _show_would_award(opened, campaign_id, chosen.people)
        return
    done = award(opened.workspace, campaign_id, chosen.people, judged.snapshot_id)
    _show_awarded(done, campaign_id, campaign.title, by_draw=chosen.draw_no is not None)


def _show_would_award(opened: Session, campaign_id: str, people: pd.DataFrame) -> None:
    from ..jobs.campaigns.awards import not_yet_awarded

    fresh = not_yet_awarded(opened.workspace, campaign_id, people)
    err.print(
        _("Would award {fresh:,} new user(s); {already:,} already awarded.").format(
            fresh=len(fresh), already=len(people) - len(fresh)
        )
    )
    out.print(
        people_table(
            fresh[AWARD_COLUMNS],
            title=_("To be awarded ({n:,} people)").format(n=len(fresh)),
            max_rows=200,
        )
    )


def _show_awarded(done: Awarded, campaign_id: str, title: str, by_draw: bool) -> None:
    if len(done.fresh):
        out.print(
            people_table(
                done.fresh[AWARD_COLUMNS],
                title=_("Newly awarded: {title} ({campaign}) {n:,} people").format(
                    title=title, campaign=campaign_id, n=len(done.fresh)
                ),
                max_rows=200,
            )
        )
    err.print(
        _(
            "Awarded {fresh:,} new user(s); {already:,} were awarded before; "
            "{total:,} in all for {campaign}."
        ).format(
            fresh=len(done.fresh), already=done.already, total=done.total, campaign=campaign_id
        ),
        highlight=False,
    )
    if done.not_chosen_now:
        # Without it the counts do not add up (0 new + 78 before, 79 in all).
        err.print(
            _(
                "{n:,} user(s) awarded before are not among those awarded now; "
                "their award stays recorded."
            ).format(n=done.not_chosen_now),
            highlight=False,
        )
    if len(done.fresh):
        # A draw's winners are told by the winner mail (what happens next, and how to
        # reply with dates); the award mail as well would give them a second, different
        # next step (「あらためて事務局からご連絡いたします」).
        tell = f"--winners {campaign_id}" if by_draw else f"--awarded {campaign_id}"
        err.print(
            _("Next: {command}").format(command=f"kops mail send {tell} --yes"),
            highlight=False,
        )


AWARD_COLUMNS = ["user_id", "name", "division", "department", "run_start", "run_end"]


def register(root: typer.Typer) -> None:
    from . import campaign_draw, campaign_milestones

    campaign_milestones.register(app)
    campaign_draw.register(app)
    root.add_typer(app, name="campaign")

"""``kops interview``: pairs worth a good-practice article, and who was interviewed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from .. import glossary
from ..analyses import segmentation, shortlist
from ..config import Interview
from ..errors import KopsError
from ..i18n import N_, _, language, term
from ..ids import typed_id
from ..jobs import interview_log
from ..jobs.interview_shortlist import (
    Candidates,
    candidate_pair,
    candidates,
    conditions,
    history_with_names,
    pick,
    score_parts,
    shortlist_table,
)
from ..model import records, row_of
from ..numbers import fixed, percent
from ..outputs.workbook import Print
from .console import frame_table, people_table
from .options import (
    AsOfOpt,
    AudienceOpt,
    Format,
    FormatOpt,
    OutOpt,
    SnapshotOpt,
    WorkspaceOpt,
    date_option,
    division_option,
)
from .output_audience import records_audience
from .shared import (
    Session,
    emit,
    emit_data,
    err,
    note,
    open_workspace,
    out,
    parse_as_of,
    reason_text,
    session,
    writes_state,
)

# The score's parts as the secretariat reads them (the keys stay in kops.yaml's weights).
PART_WORDS = {
    "regularity": N_("regularity"),
    "volume": N_("volume"),
    "sukkiri": N_("スッキリ度"),
    "growth": N_("成長実感"),
    "diversity": N_("diversity of topics"),
    "recency": N_("recency"),
}

app = typer.Typer(
    help="Good-practice interviews: a shortlist of pairs, and the history.\n\n"
    "Example: kops interview shortlist --n 6",
    no_args_is_help=True,
)


def _analyse(
    opened: Session, snapshot: str | None, as_of: dt.date | None, topic: str | None
) -> tuple[Candidates, dt.date, pd.DataFrame]:
    settings = opened.settings
    if topic is not None:
        shortlist.check_topic(topic, settings)
    snap = opened.snapshot(snapshot)
    when = parse_as_of(as_of, snap)
    tables = opened.tables(snap)
    found = candidates(opened.workspace, settings, tables, when, topic)
    return found, when, tables.meetings


def _person(ids: pd.Series, names: pd.Series) -> list[str]:
    # Names repeat in a company (吉川 陽子 ×3): the id goes with every name.
    return [f"{name}（{user}）" for user, name in zip(ids, names, strict=True)]


def _view(table: pd.DataFrame, include_stuck: bool, weeks_in_lookback: int) -> pd.DataFrame:
    """The terminal table: who (id and name), where, the facts behind the score, notes.
    Headed with the glossary's words in Japanese, with the keys in English."""
    japanese = language() == "ja"
    label = glossary.column_label if japanese else str
    weeks = table["weeks_covered"].astype(str) + (
        f"/{weeks_in_lookback}週" if japanese else f"/{weeks_in_lookback}"
    )
    view = pd.DataFrame(
        {
            "順番" if japanese else "rank": table["rank"],
            "上司" if japanese else "manager": _person(table["manager_id"], table["manager_name"]),
            "部下" if japanese else "member": _person(table["member_id"], table["member_name"]),
            "事業部/部署" if japanese else "division/department": table["division"].astype(str)
            + "/"
            + table["department"].astype(str),
            "部下の職種・年代" if japanese else "member_job_type/age_band": table[
                "member_job_type"
            ].astype(str)
            + ("・" if japanese else "/")
            + table["member_age_band"].astype(str),
            # The glossary's words, as the workbook heads the same figures.
            label("held"): table["held"],
            label("weeks_covered"): weeks,
            label("sukkiri_avg"): table["sukkiri_avg"].map(fixed),
            label("growth_avg"): table["growth_avg"].map(lambda v: "-" if pd.isna(v) else fixed(v)),
            label("topics_distinct"): table["topics_distinct"].astype(str)
            + ("種" if japanese else ""),
            label("score"): table["score"].map(lambda v: fixed(v, 2)),
            "備考" if japanese else "spread_note": table["spread_note"]
            if japanese
            else table["spread_note"].map(_spread_said),
        }
    )
    if include_stuck:
        view["本人のスタックポイント" if japanese else "stuck_points"] = table["stuck_points"]
    return view


def _spread_said(note: object) -> str:
    """「分散のため繰り上げ（事業部・年代）」 in English: moved up, for which spreads."""
    text = note if isinstance(note, str) else ""  # no note: empty or NaN
    if text.startswith(shortlist.HELD_BACK):
        repeated = text[len(shortlist.HELD_BACK) :].strip("（）").removesuffix("が上位と重複")
        keys = "/".join(shortlist.SPREAD_KEYS.get(s, s) for s in repeated.split("・") if s)
        return _("listed later for the spread (the same {what} as a pair above)").format(what=keys)
    if not text.startswith(shortlist.PROMOTED):
        return text
    spreads = text[len(shortlist.PROMOTED) :].strip("（）").split("・")
    keys = "/".join(shortlist.SPREAD_KEYS.get(s, s) for s in spreads if s)
    return _("moved up for the spread ({what})").format(what=keys)


def _as_filed(table: pd.DataFrame, topic: str | None, rules: Interview) -> pd.DataFrame:
    """The shortlist as its file shows it: why a pair was chosen, column by column, as the
    plan chooses them; the reason's sentence (the same figures) and the manager's side
    fold away. With a theme, its share stands where 平均スッキリ度 did (a part of the score
    too). Its 1on1実施数 is the pair's own, as 列の説明 says."""
    table.attrs[glossary.DETAIL_COLUMNS] = (
        *FOLDED_COLUMNS,
        "sukkiri_avg" if topic else "theme_share",
    )
    table.attrs[glossary.OWN_MEANINGS] = _meanings(rules.lookback_days)
    return table


def _meanings(lookback_days: int) -> dict[str, str]:
    """What each of the shortlist's columns holds, for its 列の説明: the pair's own figures
    over its days (the report's definitions of 事業部 figures said nothing of a pair)."""
    days = f"直近{lookback_days}日"
    weeks = -(-lookback_days // 7)
    return {
        "held": glossary.pair_held_meaning(days),
        "weeks_covered": f"{days}の週（月曜〜日曜）のうち、そのペアの1on1を実施した週の数",
        "regularity": f"1on1を実施した週の数を{weeks}週で割った割合（100%まで）",
        "sukkiri_avg": f"そのペアの{days}の1on1のうち、スッキリ度が入力された1on1の平均",
        "growth_avg": f"そのペアの{days}の1on1のうち、成長実感が入力された1on1の平均",
        "top_topics": f"そのペアが{days}に多く選んだ公開のトピック3つまでと件数"
        "（非公開のトピックは名前を出さず件数だけ）",
        "theme_share": "そのペアの1on1のうち、テーマのトピックを選んだ1on1の割合",
        "score": "週カバー率・実施数・スッキリ度・成長実感・トピックの種類・最近さを "
        "interview.weights で重み付けした値（0〜1。テーマがあればテーマの割合と半々）",
        "private_topics": f"そのペアの{days}の1on1のうち、非公開のトピック"
        "（interview.private_topics）を選んだ1on1の数",
        "topics_distinct": f"そのペアが{days}に選んだ公開のトピックの種類の数",
        "last_held_at": "そのペアで最後に1on1を実施した日",
        "stuck_points": "上司と部下それぞれの、基準日に該当するスタックポイント"
        "（ペアのではなく本人の）",
    }


@app.command("shortlist")
@records_audience("interview shortlist")
def shortlist_command(
    workspace: WorkspaceOpt = None,
    n: Annotated[
        int | None, typer.Option("--n", min=1, help="How many pairs (default: interview.n).")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="A theme: favour pairs whose 1on1s often take this topic."),
    ] = None,
    division: Annotated[str | None, division_option(help="Stay within this 事業部.")] = None,
    include_stuck: Annotated[
        bool,
        typer.Option(
            "--include-stuck",
            help="Also pairs whose manager or member has a stuck point of "
            "interview.stuck_points_out (lapsed, no_prep, no_rating, no_recurrence).",
        ),
    ] = False,
    explain: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--explain",
            help="Show the full scoring of one pair and why it is in or out: MANAGER_ID MEMBER_ID.",
            show_default=False,
        ),
    ] = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
    out_file: OutOpt = None,
    audience: AudienceOpt = None,
) -> None:
    """Pick manager–member pairs for good-practice interviews, spread across 事業部, 職種 and 年代.

    From 1on1 metadata only. Private topics (心身の状態, プライベート) are only
    ever shown as one count. Pairs whose manager or member is lapsed, unprepared,
    unrated or without recurring 1on1s now are left out (--include-stuck shows them).

    Example: kops interview shortlist --n 6 --topic 今後のキャリア --out shortlist.xlsx
    """
    if explain is not None and (out_file is not None or fmt is not Format.table):
        # The scoring of one pair is read on the terminal; a file was asked for and
        # nothing would have been written.
        raise KopsError(
            _("--explain shows one pair's scoring on the terminal; it writes no file"),
            hint=_(
                "leave out --out and --format; for the shortlist in a file, run it without "
                "--explain"
            ),
        )
    opened = session(workspace)
    rules = opened.settings.interview
    found, when, meetings = _analyse(opened, snapshot, as_of, topic)
    if explain is not None:
        _explain(opened, found, (typed_id(explain[0]), typed_id(explain[1])), when, topic)
        return
    options = shortlist.Options(n or rules.n, topic, division, include_stuck)
    result = pick(found, rules, options)
    table = _as_filed(shortlist_table(result.picks, meetings, rules, when, topic), topic, rules)
    _say_selection(result, when, rules.lookback_days)
    notes = pd.DataFrame({"relaxed": result.relaxed or ["（なし）"]})
    drawn = conditions(result, options, rules, when)
    if not emit(
        table,
        fmt,
        out_file,
        lambda path: _("Wrote {n} pair(s) to {path}").format(n=len(table), path=path),
        sheet="shortlist",
        extra_sheets=[("conditions", drawn), ("notes", notes)],
        text_columns=["manager_id", "member_id"],
        options=Print(as_of=when),
    ):
        _show_shortlist(table, rules, topic, include_stuck)


def _say_selection(result: shortlist.Shortlist, when: dt.date, lookback_days: int) -> None:
    """How the shortlist was drawn: rules relaxed, pairs eligible, pairs left out."""
    said = (
        result.relaxed
        if language() == "ja"
        else [phrase.translated() for phrase in result.relaxed_said]
    )
    for line in said:
        relaxed = _("Relaxed:")
        err.print(f"[yellow]{relaxed}[/yellow] {escape(line)}", highlight=False)
    err.print(
        _("{n:,} eligible pair(s), as of {as_of}").format(n=result.candidates, as_of=when),
        highlight=False,
    )
    # The pairs' figures (1on1実施数, 平均スッキリ度 …) are of the lookback, not of all time.
    err.print(
        _("Each pair's figures count its 1on1s of the {days} days up to {as_of}").format(
            days=lookback_days, as_of=when
        ),
        highlight=False,
    )
    if result.left_out_stuck:
        err.print(
            _(
                "{n:,} more eligible pair(s) left out: the manager or member has a stuck point "
                "now (--include-stuck shows them; --explain MANAGER_ID MEMBER_ID says why)"
            ).format(n=result.left_out_stuck),
            highlight=False,
        )


def _show_shortlist(
    table: pd.DataFrame, rules: Interview, topic: str | None, include_stuck: bool
) -> None:
    title = (
        _("Interview shortlist ({n} pairs, theme {topic})").format(n=len(table), topic=topic)
        if topic
        else _("Interview shortlist ({n} pairs)").format(n=len(table))
    )
    weeks = -(-rules.lookback_days // 7)
    out.print(frame_table(_view(table, include_stuck, weeks), title=title))
    japanese = language() == "ja"
    for row in records(table):
        reason = str(row["reason"]) if japanese else _reason_said(row, rules, topic)
        out.print(f"{row['rank']}. {escape(reason)}", highlight=False)
        listed = str(row["top_topics"]) if japanese else _topics_said(str(row["top_topics"]))
        topics = _("topics: {topics}").format(topics=escape(listed))
        out.print(f"   {topics}", highlight=False)


def _reason_said(row: dict[str, Any], rules: Interview, topic: str | None) -> str:
    """Why the pair was picked, in English (the file keeps the Japanese reason line)."""
    last = pd.Timestamp(row["last_held_at"])
    parts = [
        _("{held} in {days} days (weeks covered {share})").format(
            held=row["held"], days=rules.lookback_days, share=percent(float(row["regularity"]))
        ),
        _("average スッキリ度 {average}").format(average=fixed(float(row["sukkiri_avg"]))),
    ]
    if not pd.isna(row["growth_avg"]):
        parts.append(_("average growth {average}").format(average=fixed(float(row["growth_avg"]))))
    parts.append(_("{n} topics, private ones left out").format(n=row["topics_distinct"]))
    parts.append(_("last held {day}").format(day=f"{last.month}/{last.day}"))
    if topic is not None:
        parts.append(
            _("'{topic}' {share}").format(topic=topic, share=percent(float(row["theme_share"])))
        )
    return _(", ").join(parts)


def _topics_said(listed: str) -> str:
    """'今後のキャリア 5件 / 非公開トピック 3件' with the counts' words in English (the
    topics are the export's values)."""
    said = []
    for part in filter(None, listed.split(" / ")):
        name, _space, count = part.rpartition(" ")
        count = count.removesuffix("件")
        if name == "非公開トピック":
            name = _("private topics")
        said.append(f"{name} {count}")
    return " / ".join(said)


def _explain(
    opened: Session, found: Candidates, pair: tuple[str, str], when: dt.date, topic: str | None
) -> None:
    """One pair's scoring, and why it is in or out."""
    row = candidate_pair(found, pair)
    for typed, key in zip(pair, (row["manager_id"], row["member_id"]), strict=True):
        if typed != key:  # the words of `segment --explain` for the same leading zeros
            note(
                _("'{typed}' is taken as {key} (its leading zeros added)").format(
                    typed=typed, key=key
                )
            )
    rules = opened.settings.interview
    _explain_pair(row, (str(row["manager_id"]), str(row["member_id"])), when)
    _explain_stuck(opened, found, row, when)
    parts = score_parts(row, rules)
    parts["part"] = [_(PART_WORDS.get(part, part)) for part in parts["part"]]
    out.print(
        frame_table(
            parts,
            title=_("Score parts (value 0–1 × weight, weights from kops.yaml interview.weights)"),
            headers={
                "part": _("part"),
                "facts": _("facts"),
                "value": _("value"),
                "weight": _("weight"),
                "contribution": _("contribution"),
            },
        )
    )
    _explain_score(row, rules, topic)


def _explain_pair(row: pd.Series, pair: tuple[str, str], when: dt.date) -> None:
    """Who the pair is, where the member works, and whether the pair is eligible."""
    out.print(
        f"[bold]{escape(str(row['manager_name']))}[/bold] ({pair[0]}) → "
        f"[bold]{escape(str(row['member_name']))}[/bold] ({pair[1]}), "
        + escape(_("as of {as_of}").format(as_of=when))
    )
    out.print(
        f"{glossary.ROLES['member']}: "
        f"{escape(str(row['member_division']))} / {escape(str(row['member_department']))}, "
        f"{escape(str(row['member_job_type']))}, {escape(str(row['member_age_band']))}"
    )
    if not row["eligible"]:
        label = escape(_("not eligible"))
        out.print(f"[red]{label}[/red]: {escape(str(row['ineligible_because']))}")
    elif row["stuck_because"]:
        label = escape(_("left out"))
        said = _(
            "a stuck point that contradicts good practice ({why}); --include-stuck shows the pair"
        ).format(why=row["stuck_because"])
        out.print(f"[red]{label}[/red]: {escape(said)}")
    else:
        label = escape(_("eligible"))
        out.print(f"[green]{label}[/green]")


def _explain_score(row: pd.Series, rules: Interview, topic: str | None) -> None:
    """The theme's share, the score, and the thresholds every pick meets."""
    if topic is not None:
        out.print(
            escape(
                _("theme {topic}: {share} of the 1on1s; score = (parts + theme share) / 2").format(
                    topic=topic, share=percent(float(row["theme_share"]))
                )
            )
        )
    out.print(escape(_("score: {score}").format(score=fixed(float(row["score"]), 2))))
    out.print(
        escape(
            _(
                "thresholds: at least {held} held 1on1s in {days} days, average スッキリ度 ≥ "
                "{sukkiri:g}, both employed and not on leave, neither excluded nor interviewed "
                "before, neither with a stuck point of {stuck}"
            ).format(
                held=rules.min_held,
                days=rules.lookback_days,
                sukkiri=rules.min_sukkiri,
                stuck="・".join(glossary.STUCK_POINTS[k] for k in rules.stuck_points_out),
            )
        )
    )


def _explain_stuck(opened: Session, found: Candidates, row: pd.Series, when: dt.date) -> None:
    """The facts behind each stuck point that keeps the pair out (as `kops segment --explain`)."""
    people = found.stuck.set_index("user_id")
    for role in ("manager", "member"):
        keys = [k for k in str(row[f"{role}_stuck"]).split(";") if k]
        user = str(row[f"{role}_id"])
        if not keys or user not in people.index:
            continue
        checks = segmentation.explain(row_of(people, user), opened.settings.rules, when)
        for check in checks:
            if check.key in keys:
                rule = _("rule: {threshold}").format(threshold=check.threshold)
                # The stuck point by its name, as `kops segment --explain` says it.
                out.print(
                    f"  {term(glossary.ROLES, role)} {escape(user)}: {check.label}: "
                    f"{escape(check.facts)}{_('; ')}{escape(rule)}",
                    highlight=False,
                )


# The shortlist workbook's detail columns. The plan picks pairs by 1on1 frequency, topic
# tendencies, 職種 and 年代, and the spread's note says why one is out of score order:
# folded away as the glossary's details, the file showed scores out of order with no
# reason. The reason's sentence and the score's other parts fold (A4 at 8 pt or more).
FOLDED_COLUMNS = (
    "reason",
    "department",
    "regularity",
    "growth_avg",
    # The manager's side and the facts after it (as the shortlist's columns list them).
    *shortlist.SHORTLIST_COLUMNS[shortlist.SHORTLIST_COLUMNS.index("manager_division") :],
)


@app.command("record")
@writes_state("interview record")
def record_command(
    manager_id: Annotated[str, typer.Argument(help="The manager (上司) of the pair.")],
    member_id: Annotated[str, typer.Argument(help="The member (部下) of the pair.")],
    date: Annotated[
        dt.date | None,
        date_option(
            "--date", help="Interview date, e.g. 2026-12-03 or 2026/12/3 (default: today)."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Mark a pair as interviewed: neither person is shortlisted again.

    Example: kops interview record 000104 000120 --date 2026-12-03
    """
    done = interview_log.record_interviewed(open_workspace(workspace), manager_id, member_id, date)
    manager, member, on, added = done.manager, done.member, done.on, done.added
    said = (
        _("{manager} → {member}: recorded as interviewed on {day}")
        if added
        else _("{manager} → {member}: already recorded for {day}")
    )
    err.print(said.format(manager=escape(manager), member=escape(member), day=on), highlight=False)


@app.command("exclude")
@writes_state("interview exclude")
def exclude_command(
    user_id: Annotated[str, typer.Argument(help="The person to keep out of shortlists.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. 辞退).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Keep someone out of every later shortlist (e.g. they declined).

    Example: kops interview exclude 000120 --reason 辞退
    """
    reason = reason_text(reason)
    user = interview_log.exclude(open_workspace(workspace), user_id, reason)
    err.print(
        _("{user}: kept out of shortlists ({reason})").format(
            user=escape(user), reason=escape(reason)
        ),
        highlight=False,
    )


@app.command("include")
@writes_state("interview include")
def include_command(
    user_id: Annotated[str, typer.Argument(help="A person excluded before.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Undo `kops interview exclude`.

    Example: kops interview include 000120
    """
    user = interview_log.include(open_workspace(workspace), user_id)
    err.print(
        _("{user}: back in the shortlists").format(user=escape(user)),
        highlight=False,
    )


@app.command("history")
def history_command(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """List the pairs interviewed and the people excluded, with their names.

    Example: kops interview history
    """
    opened = session(workspace)
    users = _latest_users(opened)
    done, excluded = history_with_names(opened.workspace, users)
    if fmt is not Format.table:
        merged = pd.concat(
            [done.assign(kind="interviewed"), excluded.assign(kind="excluded")], ignore_index=True
        )
        emit_data(merged, fmt)
        return
    labels = {
        "interviewed_on": "インタビュー日",
        "recorded_at": "記録日時",
        "added_at": "記録日時",
        # Why the secretariat left the person out (「辞退」): not the shortlist's 選んだ理由,
        # the glossary's word for `reason`.
        "excluded_because": "除外の理由",
    }
    # A moment as the other tables show one (2026-11-25 10:00), not ISO with its zone.
    done, excluded = (_minutes(frame, ("recorded_at", "added_at")) for frame in (done, excluded))
    title = _("Interviewed ({n})").format(n=len(done))
    out.print(people_table(done, title=title, labels=labels))
    title = _("Excluded ({n})").format(n=len(excluded))
    excluded = excluded.rename(columns={"reason": "excluded_because"})
    out.print(people_table(excluded, title=title, labels=labels))


def _minutes(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` of ISO moments as 「2026-11-25 10:00」 (Japan time, as recorded)."""
    shown = {
        column: [str(v)[:16].replace("T", " ") if isinstance(v, str) else v for v in frame[column]]
        for column in columns
        if column in frame.columns
    }
    return frame.assign(**shown)


def _latest_users(opened: Session) -> pd.DataFrame | None:
    """The users of the latest snapshot, or None before the first ingest (names then blank)."""
    try:
        snap = opened.snapshot()
    except KopsError:
        return None
    return opened.tables(snap, columns={"users": ["user_id", "name"]}).users


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="interview")

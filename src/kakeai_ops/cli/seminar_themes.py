"""``kops seminar themes`` and the free-text part of ``kops seminar summary``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape

from ..analyses import survey_text
from ..analyses.names import NameMatcher
from ..clock import now
from ..dates import parse_date
from ..errors import KopsError
from ..jobs.seminars.survey_answers import dated_answers
from ..outputs.files import percent
from ..store import load_tables
from .console import frame_table
from .shared import Format, FormatOpt, WorkspaceOpt, emit_data, err, note, out, session, timing

SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Answers from this date (2026-10-01, 2026/10/1 or 20261001) to today, against "
        "the period of equal length before it (rising themes). Default: every answer, "
        "no comparison.",
        show_default=False,
    ),
]


def print_groups(groups: pd.DataFrame, min_group: int) -> None:
    """The keyword groups: counts, and examples for groups of at least min_group answers."""
    out.print(
        "[bold]今、知りたいこと[/bold] (grouped by keywords in kops.yaml seminar_survey.keywords; "
        f"answers shown only for groups of {min_group} or more, never naming anyone)"
    )
    for row in groups.itertuples(index=False):
        out.print(f"  {escape(str(row.group))}: {row.answers}", highlight=False)
        for column in ("example_1", "example_2", "example_3"):
            example = str(getattr(row, column))
            if example:
                out.print(f"    ・{escape(_one_line(example))}", highlight=False)


def print_themes(
    themes: pd.DataFrame, min_group: int, title: str | None = None, suggest: bool = True
) -> None:
    """Emerging themes as a table, then the uncovered ones as suggestions."""
    if themes.empty:
        out.print(
            f"[bold]Emerging themes[/bold]: none found in {min_group} or more answers",
            highlight=False,
        )
        return
    shown = themes.assign(
        example=themes["example"].map(lambda e: _one_line(str(e)) if e else "(none shown)"),
        covered_by=themes["covered_by"].map(lambda c: c or "—"),
    ).drop(columns=["suggestion"])
    formats = {"share": percent}
    if "previous_share" in shown:
        formats["previous_share"] = percent
        shown["rising"] = shown["rising"].map(lambda r: "↑" if r else "")
    out.print(
        frame_table(
            shown,
            title=title or f"Emerging themes (in {min_group} or more answers)",
            formats=formats,
        )
    )
    uncovered = themes[themes["suggestion"]]
    if suggest and len(uncovered):
        listed = "、".join(
            f"{t}（{n}）" for t, n in zip(uncovered["theme"], uncovered["answers"], strict=True)
        )
        out.print(
            f"Not covered by any keyword group: {escape(listed)}\n"
            "  → add them to seminar_survey.keywords in kops.yaml, "
            "or consider them for the next seminar",
            highlight=False,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    return parse_date(value, "--since")


def themes_command(
    workspace: WorkspaceOpt = None,
    since: SinceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Emerging themes across every seminar's survey (「今、知りたいこと」): the most frequent
    words and two-word phrases, with counts, one example each, whether a keyword group
    covers them, and with --since the themes rising against the previous period.

    Example: kops seminar themes --since 2026-10-01
    """
    context = session(workspace)
    start = _since(since)
    answers = dated_answers(context.workspace, context.settings)
    if answers.empty:
        raise KopsError(
            "no survey answers recorded yet", hint="`kops seminar survey ID FILE` first"
        )
    recorded = answers[answers["dated_by"] == "recorded"]["seminar"].unique()
    if len(recorded):
        note(
            "dated by the day their survey was recorded (no date in kops.yaml): "
            + ", ".join(map(str, recorded))
        )
    users = load_tables(context.snapshot(), only=("users",)).users  # names only: not the 1on1s
    today = now().date()
    started = time.perf_counter()
    result = survey_text.trend(answers, context.settings, NameMatcher(users["name"]), start, today)
    timing(f"work: themes of {len(answers):,} answers in {time.perf_counter() - started:.2f} s")
    current = result.current
    scope = f"{current.start} – {current.end}" if current.start is not None else "every survey"
    err.print(
        f"{scope}: {current.answers:,} answers from {len(current.seminars)} seminar(s)"
        + (f" ({', '.join(current.seminars)})" if current.seminars else ""),
        highlight=False,
    )
    if result.previous is not None:
        previous = result.previous
        err.print(
            f"compared with {previous.start} – {previous.end}: {previous.answers:,} answers"
            + (f" ({', '.join(previous.seminars)})" if previous.seminars else ""),
            highlight=False,
        )
        if previous.answers == 0:
            note("no answers in the previous period: nothing can be rising")
    rows = pd.concat(
        [result.themes, result.rising[~result.rising["theme"].isin(result.themes["theme"])]]
    )
    if emit_data(rows.reset_index(drop=True), fmt):
        return
    min_group = context.settings.privacy.min_group
    print_themes(result.themes, min_group)
    if result.previous is not None:
        if result.rising.empty:
            out.print("Rising: none", highlight=False)
        else:
            print_themes(
                result.rising,
                min_group,
                title=f"Rising since {result.previous.start} – {result.previous.end}",
                suggest=False,
            )

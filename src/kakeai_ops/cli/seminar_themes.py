"""``kops seminar themes`` and the free-text part of ``kops seminar summary``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import pandas as pd
from rich.markup import escape

from ..analyses import survey_text
from ..analyses.names import NameMatcher
from ..clock import now
from ..errors import KopsError
from ..i18n import _, language
from ..jobs.seminars.survey_answers import dated_answers
from ..store import load_tables
from .console import people_table
from .options import Format, FormatOpt, WorkspaceOpt, date_option
from .shared import emit_data, err, note, out, session, timing

SinceOpt = Annotated[
    dt.date | None,
    date_option(
        "--since",
        help="Answers from this date (2026-10-01, 2026/10/1 or 20261001) to today, against "
        "the period of equal length before it (rising themes). Default: every answer, "
        "no comparison.",
        show_default=False,
    ),
]


def print_groups(groups: pd.DataFrame, min_group: int) -> None:
    """The keyword groups: counts, and examples for groups of at least min_group answers."""
    said = _(
        "(grouped by keywords in kops.yaml seminar_survey.keywords; answers shown only for "
        "groups of {min_group} or more, never naming anyone)"
    ).format(min_group=min_group)
    out.print(f"[bold]今、知りたいこと[/bold] {escape(said)}")
    for row in groups.itertuples(index=False):
        group = str(row.group)
        if group == survey_text.UNGROUPED and language() == "en":
            group = _("(no keyword group)")  # the workbook's その他
        out.print(f"  {escape(group)}: {row.answers}", highlight=False)
        for column in ("example_1", "example_2", "example_3"):
            example = str(getattr(row, column))
            if example:
                out.print(f"    ・{escape(_one_line(example))}", highlight=False)


def print_themes(
    themes: pd.DataFrame, min_group: int, title: str | None = None, suggest: bool = True
) -> None:
    """Emerging themes as a table, then the uncovered ones as suggestions."""
    if themes.empty:
        heading = _("Emerging themes")
        none = _("none found in {min_group} or more answers").format(min_group=min_group)
        out.print(f"[bold]{heading}[/bold]: {escape(none)}", highlight=False)
        return
    none_shown = _("(none shown)")
    shown = themes.assign(
        example=themes["example"].map(lambda e: _one_line(str(e)) if e else none_shown),
        covered_by=themes["covered_by"].map(lambda c: c or "—"),
    ).drop(columns=["suggestion"])
    if "rising" in shown:
        shown["rising"] = shown["rising"].map(lambda r: "↑" if r else "")
    out.print(
        people_table(
            shown,
            title=title
            or _("Emerging themes (in {min_group} or more answers)").format(min_group=min_group),
            labels={
                "previous": _("answers before"),
                "previous_share": _("share before"),
                "rising": _("rising"),
            },
            number_formats={"previous_share": "0%"},
        )
    )
    uncovered = themes[themes["suggestion"]]
    if suggest and len(uncovered):
        listed = "、".join(
            f"{t}（{n}）" for t, n in zip(uncovered["theme"], uncovered["answers"], strict=True)
        )
        out.print(
            _("Not covered by any keyword group: {themes}").format(themes=escape(listed))
            + "\n  → "
            + _(
                "add them to seminar_survey.keywords in kops.yaml, "
                "or consider them for the next seminar"
            ),
            highlight=False,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    start = since
    answers = dated_answers(context.workspace, context.settings)
    if answers.empty:
        raise KopsError(
            _("no survey answers recorded yet"),
            hint=_("`kops seminar survey {seminar} FILE` first (its survey export)").format(
                seminar=next(iter(context.settings.seminars), "month1")
            ),
        )
    recorded = answers[answers["dated_by"] == "recorded"]["seminar"].unique()
    if len(recorded):
        note(
            _(
                "dated by the day their survey was recorded (no date in kops.yaml): {seminars}"
            ).format(seminars=", ".join(map(str, recorded)))
        )
    users = load_tables(context.snapshot(), only=("users",)).users  # names only: not the 1on1s
    today = now().date()
    started = time.perf_counter()
    result = survey_text.trend(answers, context.settings, NameMatcher(users["name"]), start, today)
    timing(f"work: themes of {len(answers):,} answers in {time.perf_counter() - started:.2f} s")
    current = result.current
    scope = (
        # 〜 in Japanese, as every period kops shows: an en dash is lost in CP932 (Windows).
        _("{start} – {end}").format(start=current.start, end=current.end)
        if current.start is not None
        else _("every survey")
    )
    err.print(
        _("{scope}: {answers:,} answers from {seminars} seminar(s)").format(
            scope=scope, answers=current.answers, seminars=len(current.seminars)
        )
        + (f" ({', '.join(current.seminars)})" if current.seminars else ""),
        highlight=False,
        markup=False,
    )
    if result.previous is not None:
        previous = result.previous
        err.print(
            _("compared with {start} – {end}: {answers:,} answers").format(
                start=previous.start, end=previous.end, answers=previous.answers
            )
            + (f" ({', '.join(previous.seminars)})" if previous.seminars else ""),
            highlight=False,
            markup=False,
        )
        if previous.answers == 0:
            note(_("no answers in the previous period: nothing can be rising"))
    rows = pd.concat(
        [result.themes, result.rising[~result.rising["theme"].isin(result.themes["theme"])]]
    )
    if emit_data(rows.reset_index(drop=True), fmt):
        return
    min_group = context.settings.privacy.min_group
    print_themes(result.themes, min_group)
    # With no answers before, nothing can be rising: said above, not 「なし」 as well.
    if result.previous is not None and result.previous.answers:
        if result.rising.empty:
            out.print(_("Rising: none"), highlight=False)
        else:
            print_themes(
                result.rising,
                min_group,
                title=_("Rising since {start} – {end}").format(
                    start=result.previous.start, end=result.previous.end
                ),
                suggest=False,
            )

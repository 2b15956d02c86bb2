"""`kops report divisions --all-advisors`: every advisor's division report written into one
directory and recorded as published, with what the dry run and the mail need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs.atomic import make_folder
from ..outputs.filenames import FileNames
from ..outputs.report_xlsx import write_report
from ..workspace import Workspace
from .division_report import DivisionReport, Publication, record_report


@dataclass
class AdvisorReports:
    """The files written, by advisor, in kops.yaml's order; the advisors left out because
    their report shows nothing; per advisor, figures hidden / figures (for the dry run);
    and the period as the reports caption it."""

    files: dict[str, Path] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)
    caption: str = ""
    previous_caption: str = ""  # the period compared with (前期間), as the sheets say it
    words: str = ""  # the period in a file name its reader saves (「2026年11月」)
    as_of: dt.date | None = None  # the reports' 基準日 (--as-of, or the data's last day)


def nothing_shown(report: DivisionReport) -> bool:
    """True when the report would show no figure at all: every one hidden (<5)."""
    return not any(
        not cell.hidden and cell.value is not None for cell in report.cells if cell.unit != "trend"
    )


def write_advisor_reports(
    ws: Workspace,
    publication: Publication,
    snapshot_id: str,
    directory: Path,
    advisors: Iterable[str],
    *,
    period: str,
    audience: str,
    include_empty: bool = False,
) -> AdvisorReports:
    """One workbook per advisor (``advisors``: kops.yaml's order) into ``directory`` (made
    if need be), each recorded once written. A report whose every figure is hidden is left
    out unless ``include_empty``: it would tell its advisor nothing."""
    make_folder(directory)
    # The data's day and the period in the name: next month's reports, or this month's
    # quarter, into the same folder would replace what was shared without a word (the
    # mail's attachment says both too).
    company = publication.report(None)
    day, slug = company.as_of, company.period.slug
    names = FileNames(directory, prefix=f"division-report-{day:%Y%m%d}-{slug}-", suffix=".xlsx")
    written = AdvisorReports(caption=period, as_of=day)
    for name in advisors:
        report = publication.report(name)
        written.caption = report.period.caption
        written.words = report.period.words
        written.previous_caption = report.previous.caption
        if nothing_shown(report) and not include_empty:
            written.empty.append(name)
            continue
        path = names.path(name)
        write_report(report, path, audience)
        record_report(
            ws,
            snapshot_id,
            report,
            publication,
            path,
            audience=audience,
            target=name,
            period=period,
        )
        written.files[name] = path
        loss = report.loss()
        written.hidden[name] = f"{loss['hidden']:,} / {loss['figures']:,}"
    return written

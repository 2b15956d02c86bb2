"""Mailing each advisor their division report (``kops report divisions --mail``)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import glossary
from ..config import ScopeUnit, Settings, scope_text
from ..errors import KopsError
from ..i18n import _
from ..outputs.filenames import readable
from .audience import DESCRIBED_AS, Audience, Recipient
from .context import sender_context
from .template_names import ADVISOR_RUNS


@dataclass(frozen=True)
class AdvisorMailing:
    audience: Audience
    binding: dict[str, Any]  # what the run stands for (see binding.py)
    without_email: list[str]  # advisors left out: no address in kops.yaml


def period_slug(period: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", period).strip("_") or "advisor"


def check_names(settings: Settings, names: Iterable[str]) -> None:
    """Refuse, before anything is written or sent, advisors to be mailed with no name."""
    unnamed = [n for n in names if settings.advisors[n].email and not settings.advisors[n].name]
    if unnamed:
        raise KopsError(
            _(
                "advisors without a name in kops.yaml: {names}; a report mail greets its "
                "reader by name, so nothing was sent"
            ).format(names=", ".join(unnamed)),
            hint=_(
                "add name: (e.g. 山田 太郎) and optionally title: (e.g. 営業本部長) "
                "under each advisor"
            ),
        )


def period_words(period: str, caption: str | None) -> str:
    """The period as a mail says it: 「直近90日（2026年8月23日〜11月20日）」 for a window
    of days, else the caption (「2026年11月（20日まで）」); never the option (90d)."""
    text = caption or period
    days = re.fullmatch(r"\s*(\d+)d\s*", period)
    if days and caption:
        return f"直近{int(days.group(1))}日（{caption}）"
    return text


def scope_words(units: Iterable[ScopeUnit]) -> str:
    """The scope as its reader says it: 「営業本部」, 「開発本部 製品開発部・品質保証部」,
    each 事業部 once with its 部署 after it (never the config's 「開発本部/製品開発部」)."""
    whole: dict[str, bool] = {}
    departments: dict[str, list[str]] = {}
    for unit in units:
        if unit.department is None:
            whole[unit.division] = True
        else:
            whole.setdefault(unit.division, False)
            names = departments.setdefault(unit.division, [])
            if unit.department not in names:
                names.append(unit.department)
    return "、".join(
        division
        if full or not departments.get(division)
        else f"{division} {'・'.join(departments[division])}"
        for division, full in whole.items()
    )


def report_attachment_name(scope: str, as_of: dt.date | None, period: str = "") -> str:
    """The attached report's name as its reader sees and saves it:
    「1on1実施状況レポート_営業本部_2026年11月_20261120.xlsx」: the scope, the period
    (``period``: Period.words; a month's and its quarter's reports, kept side by side,
    had one name) and the data's day (the folder's own name carries the advisor's key
    and a hash, which mean nothing to them)."""
    words = f"_{readable(period)}" if period else ""
    day = f"_{as_of:%Y%m%d}" if as_of is not None else ""
    return f"1on1実施状況レポート_{readable(scope)}{words}{day}.xlsx"


# The figures of the report's department tables, as their headers say them, on two lines
# (the template's 「・内容：」 item goes on with 「　」 as its other lines do).
REPORT_FIGURES = "、\n　".join(
    "、".join(glossary.column_label(key) for key in keys)
    for keys in (
        ("activation_rate", "pair_rate", "implementation_rate", "held", "per_member_month"),
        ("prepared_share", "rated_share", "sukkiri_avg", "growth_avg"),
    )
)


def advisor_mailing(
    settings: Settings,
    names: Iterable[str],
    period: str,
    snapshot_id: str,
    caption: str | None = None,
    scopes: dict[str, list[ScopeUnit]] | None = None,
    previous: str = "",
    as_of: dt.date | None = None,
) -> AdvisorMailing:
    """One recipient per advisor with an address; the run is named by period and snapshot,
    and by ``as_of`` where the reports' 基準日 is not the snapshot's (a second --as-of on one
    snapshot resumed the first run, and its new files went to nobody).

    ``caption`` is the period as the mail states it (「2026年11月（20日まで）」); the
    run id and its binding keep the option as typed (month:2026-11). ``scopes``: each
    advisor's scope as the snapshot resolves it (the mail then names it as people say it);
    without it, as kops.yaml writes it."""
    recipients = []
    without_email = []
    mail = settings.mail
    names = list(names)
    check_names(settings, names)
    said = period_words(period, caption)
    for name in names:
        advisor = settings.advisors[name]
        if not advisor.email:
            without_email.append(name)
            continue
        person = str(advisor.name)
        context = {
            "name": person,
            "title": advisor.title,
            "honorific": mail.honorific,
            "mail": sender_context(mail),
            "report": {
                "scope": scope_words(scopes[name])
                if scopes and name in scopes
                else "、".join(scope_text(entry) for entry in advisor.scope),
                "period": said,
                # 前期間 as the workbook's sheets name it; empty when not known.
                "previous": previous,
                # What the workbook holds, in its own headers' words.
                "figures": REPORT_FIGURES,
            },
        }
        recipients.append(
            Recipient(
                item=name,
                user_id=f"advisor:{name}",
                name=person,
                email=advisor.email.lower(),
                template="report.advisor",
                context=context,
            )
        )
    audience = Audience(
        recipients=recipients,
        excluded=Counter(),
        excluded_users=[],
        description={"audience": DESCRIBED_AS["advisors"], "period": period},
        segment_key=None,
        default_run_id=f"{ADVISOR_RUNS}{period_slug(period)}-{snapshot_id}"
        + (f"-{as_of:%Y%m%d}" if as_of else ""),
    )
    # The run stands for these advisors and addresses; their files are rewritten in place.
    binding = {
        "kind": "advisors",
        "value": period,
        "advisors": sorted(f"{r.item} <{r.email}>" for r in recipients),
        # Only where chosen: runs of the snapshot's own day keep the binding they resume by.
        **({"as_of": as_of.isoformat()} if as_of else {}),
    }
    return AdvisorMailing(audience, binding, without_email)

"""Mailing each advisor their division report (``kops report divisions --mail``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from .audience import Audience, Recipient
from .context import sender_context


@dataclass(frozen=True)
class AdvisorMailing:
    audience: Audience
    binding: dict[str, Any]  # what the run stands for (see binding.py)
    without_email: list[str]  # advisors left out: no address in kops.yaml


def period_slug(period: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", period).strip("_") or "advisor"


def advisor_mailing(
    settings: Settings,
    names: Iterable[str],
    period: str,
    snapshot_id: str,
    caption: str | None = None,
) -> AdvisorMailing:
    """One recipient per advisor with an address; the run is named by period and snapshot.

    ``caption`` is the period as the mail states it (「2026年11月（20日まで）」); the
    run id and its binding keep the option as typed (month:2026-11)."""
    recipients = []
    without_email = []
    mail = settings.mail
    for name in names:
        advisor = settings.advisors[name]
        if not advisor.email:
            without_email.append(name)
            continue
        context = {
            "name": name,
            "honorific": mail.honorific,
            "mail": sender_context(mail),
            "report": {"scope": "、".join(advisor.scope), "period": caption or period},
        }
        recipients.append(
            Recipient(
                item=name,
                user_id=f"advisor:{name}",
                name=name,
                email=advisor.email.lower(),
                template="report.advisor",
                context=context,
            )
        )
    audience = Audience(
        recipients=recipients,
        excluded=Counter(),
        excluded_users=[],
        description={"audience": "advisors", "period": period},
        segment_key=None,
        default_run_id=f"advisor-reports-{period_slug(period)}-{snapshot_id}",
    )
    # The run stands for these advisors and addresses; their files are rewritten in place.
    binding = {
        "audience": "advisors",
        "period": period,
        "advisors": sorted(f"{r.name} <{r.email}>" for r in recipients),
    }
    return AdvisorMailing(audience, binding, without_email)

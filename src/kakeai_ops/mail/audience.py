"""Who a mail run reaches, with which template and context; and who is left out, by reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..analyses import segment as segmentation
from ..analyses.milestones import milestones_due
from ..analyses.scheduled import scheduled_soon
from ..config import Settings
from ..errors import KopsError
from ..store import Tables
from .context import missing, run_context, seminar_context, sender_context, template_context
from .fact_rows import fact_rows
from .headers import recipient_problem
from .templates import TemplateSet

# Why someone is left out, in the order they are checked.
REASONS = {
    "not_stuck": "テンプレートのスタックポイントに今は該当しない",
    "scheduled": "近日中に予定の1on1あり",
    "retired": "退職",
    "on_leave": "休職・休業中",
    "no_email": "メールアドレスなし",
    "undeliverable": "宛先に使えない氏名・アドレス",
    "suppressed": "配信停止リスト",
    "already_told": "この抽選結果は通知済み",
    "frequency_cap": "送信頻度の上限",
}


# What an audience reads of a snapshot: the stuck points' facts; milestones and the
# users list read a subset of the same columns (see load_tables).
NEEDED_COLUMNS = segmentation.NEEDED_COLUMNS


@dataclass(frozen=True)
class AudienceSpec:
    segment: str | None = None
    flag: str | None = None
    role: str | None = None
    division: str | None = None
    awarded: str | None = None
    milestones: bool = False
    users_file: Path | None = None
    template: str | None = None
    seminar: str | None = None
    # A seminar theme's audience: these primary stuck points, and/or every manager.
    segments: tuple[str, ...] = ()
    managers: bool = False
    # An explicit list of user ids (e.g. invited but did not attend).
    user_ids: tuple[str, ...] | None = None
    # The winners, or the entrants not drawn, of a campaign's current draw.
    winners: str | None = None
    not_drawn: str | None = None
    # A seminar invitation's correction: (what, before, after) for each changed detail.
    corrects: tuple[tuple[str, str, str], ...] = ()
    # The entrants of a campaign who did not meet its condition.
    not_eligible: str | None = None

    def source(self) -> str:
        chosen = [
            name
            for name, value in (
                ("--segment", self.segment),
                ("--flag", self.flag),
                ("--awarded", self.awarded),
                ("--milestones", self.milestones or None),
                ("--users", self.users_file),
                ("theme", self.segments or self.managers or None),
                ("list", self.user_ids is not None or None),
                ("--winners", self.winners),
                ("--not-drawn", self.not_drawn),
                ("--not-eligible", self.not_eligible),
            )
            if value
        ]
        if len(chosen) != 1:
            raise KopsError(
                "choose the audience with exactly one of "
                "--segment, --flag, --awarded, --winners, --not-drawn, --not-eligible, "
                "--milestones, --users" + (f" (got {', '.join(chosen)})" if chosen else ""),
                hint="e.g. kops mail send --segment no_prep --role member",
            )
        return chosen[0]


@dataclass
class Recipient:
    item: str  # the ledger key: user_id, or user_id:role:milestone for milestones
    user_id: str
    name: str
    email: str
    template: str
    context: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Audience:
    recipients: list[Recipient]
    excluded: Counter[str]
    excluded_users: list[tuple[str, str]]  # (user_id, reason)
    description: dict[str, Any]
    segment_key: str | None
    default_run_id: str
    # What backs a reason, by user (e.g. the date of the booked 1on1).
    notes: dict[str, str] = field(default_factory=dict)


def excluded_summary(audience: Audience) -> str:
    """Who was left out and why, e.g. "no email 3, on leave 1" (empty when nobody)."""
    return ", ".join(f"{REASONS[k]} {v}" for k, v in audience.excluded.items())


def build_audience(
    spec: AudienceSpec,
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    templates: TemplateSet,
    suppressed: dict[str, str],
    recent_nudges: dict[str, int],
    awarded: pd.DataFrame | None = None,
    delivered: pd.DataFrame | None = None,
    drawn: pd.DataFrame | None = None,
    listed: list[str] | None = None,
    milestones_since: dt.date | None = None,
    not_eligible: dict[str, list[tuple[int, int, int]]] | None = None,
    told: set[str] | None = None,
) -> Audience:
    """``listed``: the user ids read from ``spec.users_file`` (``exports.user_files``);
    ``milestones_since``: milestones crossed after that day are mailed (None: any);
    ``not_eligible``: for --not-eligible, each entrant's missed months (year, month,
    weeks missed)."""
    source = spec.source()
    facts = segmentation.segment(tables, settings.rules, as_of).set_index("user_id", drop=False)
    retired_ids = set(tables.users.loc[tables.users["employment_status"] == "retired", "user_id"])
    month = f"{as_of:%Y-%m}"
    extra_by_user: dict[str, list[dict[str, Any]]] = {}

    if source in ("--segment", "--flag"):
        key = spec.segment or spec.flag
        if key not in segmentation.KEYS:
            raise KopsError(
                f"{source}: unknown stuck point '{key}'",
                hint="keys: "
                + ", ".join(f"{sp.key} ({sp.label})" for sp in segmentation.STUCK_POINTS),
            )
        if source == "--segment":
            chosen = facts[facts["stuck_point"] == key]
        else:
            chosen = facts[facts["flags"].str.split(";").apply(lambda flags: key in flags)]
        if spec.role:
            chosen = chosen[chosen["role"] == spec.role]
        if spec.division:
            chosen = chosen[chosen["division"] == spec.division]
        user_ids = list(chosen["user_id"])
        segment_key: str | None = key
        base = spec.template or key
    elif source == "--awarded":
        if spec.awarded not in settings.campaigns:
            raise KopsError(f"--awarded: no campaign '{spec.awarded}' in kops.yaml")
        given = awarded if awarded is not None else pd.DataFrame(columns=["user_id"])
        if given.empty:
            raise KopsError(
                f"nobody has been awarded in campaign '{spec.awarded}' yet",
                hint=f"run `kops campaign award {spec.awarded}` first",
            )
        user_ids = list(given["user_id"])
        for row in given.itertuples(index=False):
            extra_by_user[row.user_id] = [{"run_start": row.run_start, "run_end": row.run_end}]
        segment_key = None
        base = spec.template or "campaign.awarded"
    elif source in ("--winners", "--not-drawn"):
        user_ids, base = _drawn(spec, settings, drawn)
        segment_key = None
    elif source == "--not-eligible":
        if spec.not_eligible not in settings.campaigns:
            raise KopsError(f"--not-eligible: no campaign '{spec.not_eligible}' in kops.yaml")
        missed = not_eligible or {}
        user_ids = list(missed)
        for user_id, months in missed.items():
            extra_by_user[user_id] = [{"missed_months": months}]
        segment_key = None
        base = spec.template or "campaign.not_eligible"
    elif source == "--milestones":
        due = milestones_due(
            tables,
            settings.milestones,
            as_of,
            delivered
            if delivered is not None
            else pd.DataFrame(columns=["user_id", "milestone", "role"]),
            since=milestones_since,
        )
        if spec.role:
            due = due[due["role"] == spec.role]
        # One mail per person: a middle manager due in both roles gets one that names both.
        user_ids = []
        for row in due.itertuples(index=False):
            if row.user_id not in extra_by_user:
                user_ids.append(row.user_id)
                extra_by_user[row.user_id] = [{"milestones": {}}]
            extra_by_user[row.user_id][0]["milestones"][row.role] = {
                "milestone": int(row.milestone),
                "count": int(row.held_in_role),
            }
        segment_key = None
        base = spec.template or "milestone"
    elif source == "theme":
        unknown = [k for k in spec.segments if k not in segmentation.KEYS]
        if unknown:
            raise KopsError(
                f"unknown stuck point(s) {', '.join(unknown)} for the seminar's audience"
            )
        wanted = facts["stuck_point"].isin(spec.segments)
        if spec.managers:
            wanted |= facts["role"].isin(["manager", "both"])
        chosen = facts[wanted]
        if spec.division:
            chosen = chosen[chosen["division"] == spec.division]
        user_ids = list(chosen["user_id"])
        for user_id, stuck in zip(chosen["user_id"], chosen["stuck_point"], strict=True):
            extra_by_user[user_id] = [{"stuck_point": stuck}]
        segment_key = None
        if not spec.template:
            raise KopsError("a seminar audience needs a template")
        base = spec.template
    elif source == "list":
        user_ids = list(spec.user_ids or ())
        segment_key = None
        if not spec.template:
            raise KopsError("a list audience needs a template")
        base = spec.template
    else:
        if not spec.template:
            raise KopsError(
                "--users needs --template NAME", hint="`kops mail templates` lists them"
            )
        if listed is None:
            raise KopsError(f"--users: {spec.users_file} was not read")
        user_ids = listed
        segment_key = None
        base = spec.template

    excluded: Counter[str] = Counter()
    excluded_users: list[tuple[str, str]] = []
    recipients: list[Recipient] = []
    cap = settings.mail.frequency_cap.nudge.max
    about_seminar = seminar_context(settings, spec.seminar)
    if about_seminar is not None and spec.corrects:
        about_seminar["changes"] = [
            {"label": label, "before": before, "after": after}
            for label, before, after in spec.corrects
        ]
    campaign_id = spec.awarded or spec.winners or spec.not_drawn or spec.not_eligible
    campaign_context = settings.campaigns[campaign_id] if campaign_id else None
    records = fact_rows(facts, user_ids)
    sender = sender_context(settings.mail)  # the same for every recipient
    shared = run_context(settings, as_of)
    chosen_templates: dict[tuple[str, ...], str] = {}
    booked = scheduled_soon(tables.meetings, as_of, settings.rules.scheduled_days)
    notes: dict[str, str] = {}
    for user_id in user_ids:
        if user_id in retired_ids or user_id not in records:
            excluded["retired"] += 1
            excluded_users.append((user_id, "retired"))
            continue
        row = records[user_id]
        reason = None
        if row["employment_status"] == "leave":
            reason = "on_leave"
        elif missing(row["email"]) or not row["email"]:
            reason = "no_email"
        elif (problem := recipient_problem(str(row["name"]), str(row["email"]))) is not None:
            # One person whose name or address can't be a To header never stops the run.
            reason = "undeliverable"
            notes[user_id] = problem
        elif row["email"] in suppressed or user_id in suppressed:
            reason = "suppressed"
        elif told is not None and user_id in told:
            # A redraw changes a few outcomes: the others heard theirs from an earlier run.
            reason = "already_told"
        for extra in extra_by_user.get(user_id, [{}]):
            template = _template_for(base, source, row, extra, templates, spec, chosen_templates)
            kind = templates.get(template).kind
            this_reason = _stuck_point_reason(template, row, user_id, booked) or reason
            if this_reason is None and kind == "nudge" and recent_nudges.get(user_id, 0) >= cap:
                this_reason = "frequency_cap"
            if this_reason == "scheduled":
                notes[user_id] = f"予定 {booked[user_id]:%Y-%m-%d}"
            elif this_reason == "not_stuck":
                named = segmentation.BY_KEY[str(stuck_point_named(template))].label
                notes[user_id] = f"{named}ではなく、今は{row['stuck_point_label']}"
            if this_reason is not None:
                excluded[this_reason] += 1
                excluded_users.append((user_id, this_reason))
                continue
            item = milestone_item(user_id, extra) if "milestones" in extra else user_id
            context = template_context(
                row, settings, extra, about_seminar, campaign_context, spec, sender, shared
            )
            recipients.append(
                Recipient(
                    item=item,
                    user_id=user_id,
                    name=str(row["name"]),
                    email=str(row["email"]),
                    template=template,
                    context=context,
                    extra=extra,
                )
            )

    templates_used = sorted({r.template for r in recipients})
    if spec.seminar and base.startswith("seminar"):
        run_base = f"{base}-{spec.seminar}"
    elif source == "--awarded":
        run_base = f"{base}-{spec.awarded}"
    elif source == "--not-eligible":
        run_base = f"{base}-{campaign_id}"
    elif source in ("--winners", "--not-drawn"):
        # A redraw is a new draw, so its mail is a new run.
        number = int(drawn["draw_no"].iloc[0]) if drawn is not None and len(drawn) else 0
        run_base = f"{base}-{campaign_id}-draw{number}"
    elif source == "--milestones":
        run_base = f"milestones-{month}"
    elif source == "--users":
        run_base = f"{base}-{Path(str(spec.users_file)).stem}"
    elif source in ("theme", "list"):
        run_base = f"{base}-{spec.seminar}" if spec.seminar else f"{base}-{month}"
    else:
        name = templates_used[0] if len(templates_used) == 1 else base
        run_base = f"{name}-{month}"
    if spec.division and source in ("--segment", "--flag"):
        run_base += f"-{spec.division}"
    description = {
        "audience": source,
        "value": str(
            spec.segment
            or spec.flag
            or campaign_id
            or spec.users_file
            or (
                ",".join(spec.segments) + (" +managers" if spec.managers else "")
                if source == "theme"
                else None
            )
            or ("list" if source == "list" else "milestones")
        ),
        "role": spec.role,
        "division": spec.division,
        "template": spec.template,
        "seminar": spec.seminar,
        "templates": templates_used,
    }
    return Audience(
        recipients=recipients,
        excluded=excluded,
        excluded_users=excluded_users,
        description=description,
        segment_key=segment_key,
        default_run_id=run_base,
        notes=notes,
    )


# Nudges that ask people to book a 1on1: a booked one answers them.
ASKS_FOR_A_BOOKING = ("lapsed", "no_1on1")


def stuck_point_named(template: str) -> str | None:
    """The stuck point a template speaks of (``lapsed.manager`` → lapsed), if any."""
    key = template.split(".", 1)[0]
    return key if key in segmentation.KEYS and key != "healthy" else None


def _stuck_point_reason(
    template: str, row: dict[str, Any], user_id: str, booked: dict[str, Any]
) -> str | None:
    """Why a template that names a stuck point must not reach this person: they do not
    have it now, or they have a 1on1 booked (for the mails that ask them to book one)."""
    key = stuck_point_named(template)
    if key is None:
        return None
    if key not in str(row["flags"]).split(";"):
        return "not_stuck"
    if key in ASKS_FOR_A_BOOKING and user_id in booked:
        return "scheduled"
    return None


def milestone_item(user_id: str, extra: dict[str, Any]) -> str:
    """The ledger key of a milestone mail: user, then each role with its milestone
    (e.g. ``000238:manager:20+member:20``), so a later milestone is a new item."""
    due = extra["milestones"]
    return user_id + ":" + "+".join(f"{role}:{due[role]['milestone']}" for role in sorted(due))


def _drawn(
    spec: AudienceSpec, settings: Settings, drawn: pd.DataFrame | None
) -> tuple[list[str], str]:
    """The winners (or the entrants not drawn) of the campaign's current draw."""
    campaign_id = spec.winners or spec.not_drawn
    option = "--winners" if spec.winners else "--not-drawn"
    if campaign_id not in settings.campaigns:
        raise KopsError(f"{option}: no campaign '{campaign_id}' in kops.yaml")
    if drawn is None or drawn.empty:
        raise KopsError(
            f"campaign '{campaign_id}' has not been drawn",
            hint=f"kops campaign draw {campaign_id} --winners N --seed TEXT",
        )
    won = spec.winners is not None
    user_ids = list(drawn.loc[drawn["won"] == won, "user_id"])
    return user_ids, spec.template or ("campaign.winner" if won else "campaign.not_drawn")


def _template_for(
    base: str,
    source: str,
    row: dict[str, Any],
    extra: dict[str, Any],
    templates: TemplateSet,
    spec: AudienceSpec,
    chosen: dict[tuple[str, ...], str],
) -> str:
    """The template for one recipient: NAME.ROLE when it exists, else NAME.

    ``chosen`` remembers the answer per list of candidates: a run asks the same
    question of the file system for thousands of recipients.
    """
    if spec.template:
        candidates = [spec.template]
    elif source == "--milestones":
        roles = sorted(extra["milestones"])
        if len(roles) == 2:
            candidates = ["milestone.both"]
        else:
            step = extra["milestones"][roles[0]]["milestone"]
            candidates = [f"milestone.{step}.{roles[0]}", f"milestone.{roles[0]}"]
    else:
        role = _mail_role(base, str(row["role"]))
        candidates = [f"{base}.{role}", base] if role else [base]
    key = tuple(candidates)
    if key in chosen:
        return chosen[key]
    for name in candidates:
        if templates.exists(name):
            chosen[key] = name
            return name
    raise KopsError(
        f"no mail template for {' or '.join(candidates)}",
        hint="add one under templates/mail/ (copy a shipped one); `kops mail templates` lists them",
    )


def _mail_role(stuck_point: str, role: str) -> str | None:
    """Which side of the 1on1 a stuck point's mail speaks to."""
    if stuck_point in ("no_prep", "no_rating"):
        return "member"
    if stuck_point == "no_recurrence":
        return "manager"
    # Managers (middle managers included) are the ones who schedule 1on1s.
    return {"manager": "manager", "both": "manager", "member": "member"}.get(role)


def holdout_share(run_id: str, user_id: str) -> float:
    """A stable number in [0, 1) per (run, user): the same people are held out on every rerun."""
    digest = hashlib.sha256(f"{run_id}\0{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64

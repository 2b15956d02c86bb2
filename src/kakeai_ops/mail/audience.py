"""Who a mail run reaches, with which template and context; and who is left out, by reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..analyses import segmentation
from ..analyses.milestones import milestones_due
from ..analyses.scheduled import (
    ASKS_FOR_A_BOOKING,
    ASKS_TO_PREPARE,
    first_booked,
    next_prepared,
)
from ..analyses.streaks import MissedMonth
from ..config import Settings
from ..errors import KopsError
from ..glossary import STUCK_POINTS as STUCK_POINT_WORDS
from ..i18n import N_, _, term
from ..model import whole
from ..store import Tables
from .audience_kinds import (
    AudienceKind,
    Awarded,
    Flag,
    Listed,
    Milestones,
    NotDrawn,
    NotEligible,
    Segment,
    Theme,
    UsersFile,
    Winners,
    campaign_of,
)
from .context import missing, run_context, seminar_context, sender_context, template_context
from .fact_rows import fact_rows
from .headers import recipient_problem
from .snapshot_facts import segment_facts
from .templates import TemplateSet

# Why someone is left out, in the order they are checked.
# Marked for the catalog: said with reason_word() in the reader's language.
REASONS = {
    "not_stuck": N_("not at the template's stuck point now"),
    "scheduled": N_("a 1on1 booked"),
    "prepared": N_("next 1on1 prepared"),
    "retired": N_("retired"),
    # Chosen by a record beyond the snapshot (an award, a --users file, a milestone) and in
    # no users export now: not known to have left, so not said to have.
    "not_in_snapshot": N_("not in the latest users export"),
    "on_leave": N_("on leave"),
    "no_email": N_("no email address"),
    "undeliverable": N_("a name or address a mail cannot go to"),
    "suppressed": N_("on the suppression list"),
    "already_told": N_("already told this draw's result"),
}


def reason_word(reason: str) -> str:
    """Why someone is left out, in the reader's language."""
    return _(REASONS[reason]) if reason in REASONS else reason


# What an audience reads of a snapshot: the stuck points' facts; milestones and the
# users list read a subset of the same columns (see load_tables).
NEEDED_COLUMNS = segmentation.NEEDED_COLUMNS


@dataclass(frozen=True)
class AudienceSpec:
    """Who a run reaches (``who``, one kind of audience_kinds.py) and how it is told."""

    who: AudienceKind | None = None
    role: str | None = None  # a segment, flag or milestone audience narrowed to this role
    division: str | None = None
    template: str | None = None
    seminar: str | None = None
    # A seminar invitation's correction: (what, before, after) for each changed detail.
    corrects: tuple[tuple[str, str, str], ...] = ()

    def chosen(self) -> AudienceKind:
        if self.who is None:
            raise KopsError(
                _("no audience was chosen"), hint=_("`kops mail send --help` lists them")
            )
        return self.who


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
    # Chosen.narrowed: picked by the stuck point or flag, left out by --role / --division.
    narrowed: dict[str, int] = field(default_factory=dict)


def why_left_out(audience: Audience, user_id: str, reason: str) -> str:
    """Why one person is left out, in the reader's words, with what backs it where a
    reason has it: 「予定の1on1あり（予定 2027-01-05）」."""
    why = reason_word(reason)
    note = audience.notes.get(user_id)
    return _("{reason} ({note})").format(reason=why, note=note) if note else why


def left_out_people(audience: Audience) -> list[tuple[str, str]]:
    """Each person left out once, in the audience's order, with the reason's key (a
    person with two milestones left out for one reason is one person left out)."""
    return list(dict.fromkeys(audience.excluded_users))


def excluded_summary(audience: Audience) -> str:
    """Who was left out and why, e.g. "no email 3, on leave 1" (empty when nobody)."""
    return _(", ").join(
        _("{state} {count:,}").format(state=reason_word(k), count=v)
        for k, v in audience.excluded.items()
    )


@dataclass(frozen=True)
class Given:
    """What the caller read for the kinds whose people come from records beyond the
    snapshot: ``listed``, the user ids read from a users file (``exports.user_files``);
    ``milestones_since``, milestones crossed after that day are mailed (None: any);
    ``not_eligible``, for a not-eligible audience, each entrant's missed months (year,
    month, weeks missed)."""

    awarded: pd.DataFrame | None = None
    delivered: pd.DataFrame | None = None
    drawn: pd.DataFrame | None = None
    listed: list[str] | None = None
    milestones_since: dt.date | None = None
    not_eligible: dict[str, list[MissedMonth]] | None = None


@dataclass
class Chosen:
    """Whom a kind of audience picks, before anyone is left out."""

    user_ids: list[str]
    base: str  # the template's name, or NAME of NAME.ROLE
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    segment_key: str | None = None
    # Those the stuck point or flag picks whom --role / --division then leave out, by
    # their role (both → 7): said beside the plan, never dropped without a word.
    narrowed: dict[str, int] = field(default_factory=dict)


# How run descriptions, the audit log and the first binding format have always named each
# kind: data written by earlier versions, so these never change (binding.py reads them back).
DESCRIBED_AS = {
    "segment": "--segment",
    "flag": "--flag",
    "awarded": "--awarded",
    "winners": "--winners",
    "not_drawn": "--not-drawn",
    "not_eligible": "--not-eligible",
    "milestones": "--milestones",
    "users": "--users",
    "theme": "theme",
    "list": "list",
    "advisors": "advisors",
}


def build_audience(
    spec: AudienceSpec,
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    templates: TemplateSet,
    suppressed: dict[str, str],
    given: Given | None = None,
    told: set[str] | None = None,
    content: str | None = None,
) -> Audience:
    """``given``: the records beyond the snapshot the kind needs (see Given); ``told``: who
    has already been told a draw's outcome; ``content``: what identifies the tables (see
    snapshot_facts.tables_content), for their facts to be worked out once per process."""
    who = spec.chosen()
    given = given or Given()
    facts = segment_facts(tables, settings.rules, as_of, content)
    facts = facts.set_index("user_id", drop=False)
    _check_division(spec, facts)
    chosen = chosen_users(who, spec, facts, tables, settings, as_of, given)
    audience = Audience(
        recipients=[],
        excluded=Counter(),
        excluded_users=[],
        description={},
        segment_key=chosen.segment_key,
        default_run_id="",
        narrowed=chosen.narrowed,
    )
    screen = Screen(suppressed, told, templates)
    _sort_out(audience, chosen, spec, facts, tables, settings, as_of, screen)
    templates_used = sorted({r.template for r in audience.recipients})
    audience.default_run_id = _run_base(spec, who, chosen.base, templates_used, as_of, given.drawn)
    audience.description = {
        "audience": DESCRIBED_AS[who.kind],
        "value": _described(who),
        "role": spec.role,
        "division": spec.division,
        "template": spec.template,
        "seminar": spec.seminar,
        "templates": templates_used,
    }
    return audience


def _check_division(spec: AudienceSpec, facts: pd.DataFrame) -> None:
    """A --division no one is in is a mistake (a typo, a 事業部 renamed): said as
    `kops segment --division` says it, not planned as an audience of no one."""
    if spec.division is None:
        return
    known = set(facts["division"].dropna().astype(str))
    if spec.division not in known:
        raise KopsError(
            _("--division: no 事業部 '{division}' in this snapshot").format(division=spec.division),
            hint=_("Divisions: {names}").format(names=", ".join(sorted(known))),
        )


@dataclass(frozen=True)
class Screen:
    """What leaves someone out of a run besides their record (see REASONS)."""

    suppressed: dict[str, str]
    told: set[str] | None
    templates: TemplateSet


def _sort_out(
    audience: Audience,
    chosen: Chosen,
    spec: AudienceSpec,
    facts: pd.DataFrame,
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    screen: Screen,
) -> None:
    """Each chosen person into the audience's recipients, or left out with a reason."""
    retired_ids = set(tables.users.loc[tables.users["employment_status"] == "retired", "user_id"])
    excluded, excluded_users, notes = audience.excluded, audience.excluded_users, audience.notes
    about_seminar = seminar_context(settings, spec.seminar)
    if about_seminar is not None and spec.corrects:
        about_seminar["changes"] = [
            {"label": label, "before": before, "after": after}
            for label, before, after in spec.corrects
        ]
    campaign_id = campaign_of(spec.who)
    campaign_context = settings.campaigns[campaign_id] if campaign_id else None
    records = fact_rows(facts, chosen.user_ids)
    sender = sender_context(settings.mail)  # the same for every recipient
    shared = run_context(settings, as_of)
    chosen_templates: dict[tuple[str, ...], str] = {}
    booked = first_booked(tables.meetings, as_of)
    ready = next_prepared(tables.meetings, as_of)
    for user_id in chosen.user_ids:
        if user_id in retired_ids or user_id not in records:
            gone = "retired" if user_id in retired_ids else "not_in_snapshot"
            excluded[gone] += 1
            excluded_users.append((user_id, gone))
            continue
        row = records[user_id]
        reason = _record_reason(row, user_id, screen, notes)
        for extra in chosen.extra.get(user_id, [{}]):
            template = _template_for(
                chosen.base, row, extra, screen.templates, spec, chosen_templates
            )
            # Read now, for those left out too: a broken template is refused with the audience.
            screen.templates.get(template)
            # Who cannot be mailed at all (on leave, no address…) is left out for that, before
            # what the stuck point would say: 「予定の1on1あり」 of someone on leave
            # told the secretariat the wrong reason.
            this_reason = reason or _stuck_point_reason(template, row, user_id, booked, ready)
            if this_reason == "scheduled":
                notes[user_id] = _("booked {day}").format(day=f"{booked[user_id]:%Y-%m-%d}")
            elif this_reason == "prepared":
                notes[user_id] = _("1on1 on {day}").format(day=f"{ready[user_id]:%Y-%m-%d}")
            elif this_reason == "not_stuck":
                named = str(stuck_point_named(template))
                now_at = str(row["stuck_point"])
                notes[user_id] = _("not {named} but {now} now").format(
                    named=term(STUCK_POINT_WORDS, named), now=term(STUCK_POINT_WORDS, now_at)
                )
            if this_reason is not None:
                excluded[this_reason] += 1
                excluded_users.append((user_id, this_reason))
                continue
            item = milestone_item(user_id, extra) if "milestones" in extra else user_id
            context = template_context(
                row, settings, extra, about_seminar, campaign_context, spec, sender, shared
            )
            audience.recipients.append(
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


def _record_reason(
    row: dict[str, Any], user_id: str, screen: Screen, notes: dict[str, str]
) -> str | None:
    """Why this person's record (or an earlier run) leaves them out, whatever the template."""
    if row["employment_status"] == "leave":
        return "on_leave"
    if missing(row["email"]) or not row["email"]:
        return "no_email"
    if (problem := recipient_problem(str(row["name"]), str(row["email"]))) is not None:
        # One person whose name or address can't be a To header never stops the run.
        notes[user_id] = problem
        return "undeliverable"
    if row["email"] in screen.suppressed or user_id in screen.suppressed:
        return "suppressed"
    if screen.told is not None and user_id in screen.told:
        # A redraw changes a few outcomes: the others heard theirs from an earlier run.
        return "already_told"
    return None


def chosen_users(
    who: AudienceKind,
    spec: AudienceSpec,
    facts: pd.DataFrame,
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    given: Given,
) -> Chosen:
    """Whom each kind of audience picks: one function per kind."""
    match who:
        case Segment() | Flag():
            return _by_stuck_point(who, spec, facts)
        case Awarded():
            return _awarded(who, spec, settings, given.awarded)
        case Winners() | NotDrawn():
            return _drawn(who, spec, settings, given.drawn)
        case NotEligible():
            return _not_eligible(who, spec, settings, given.not_eligible)
        case Milestones():
            return _milestones(spec, tables, settings, as_of, given)
        case Theme():
            return _theme(who, spec, facts)
        case Listed():
            return Chosen(list(who.user_ids), _needs_template(spec, "a list audience"))
        case UsersFile():
            if not spec.template:
                raise KopsError(
                    _("--users needs --template NAME"),
                    hint=_("`kops mail templates` lists them"),
                )
            if given.listed is None:
                raise KopsError(_("--users: {path} was not read").format(path=who.path))
            return Chosen(list(given.listed), spec.template)


def _needs_template(spec: AudienceSpec, what: str) -> str:
    if not spec.template:
        raise KopsError(_("{what} needs a template").format(what=what))
    return spec.template


def _by_stuck_point(who: Segment | Flag, spec: AudienceSpec, facts: pd.DataFrame) -> Chosen:
    """Those whose primary stuck point (Segment), or one of whose flags (Flag), is the key."""
    option = "--segment" if isinstance(who, Segment) else "--flag"
    if who.key not in segmentation.KEYS:
        raise KopsError(
            _("{option}: unknown stuck point '{text}'").format(option=option, text=who.key),
            hint=_("use a key or its label: {known}").format(
                known=", ".join(f"{sp.key} ({sp.label})" for sp in segmentation.STUCK_POINTS)
            ),
        )
    # Masks over the columns, then the ids alone: filtering the whole frame copies every
    # column of it at each step.
    if isinstance(who, Segment):
        picked = facts["stuck_point"] == who.key
    else:
        picked = facts["flags"].str.split(";").apply(lambda flags: who.key in flags)
    wanted = picked
    if spec.role:
        wanted = wanted & (facts["role"] == spec.role)
    if spec.division:
        wanted = wanted & (facts["division"] == spec.division)
    chosen = facts["user_id"][wanted]
    narrowed = facts["role"][picked & ~wanted].value_counts()
    return Chosen(
        list(chosen),
        spec.template or who.key,
        segment_key=who.key,
        narrowed={str(role): int(n) for role, n in narrowed.items()},
    )


def _awarded(
    who: Awarded, spec: AudienceSpec, settings: Settings, awarded: pd.DataFrame | None
) -> Chosen:
    if who.campaign not in settings.campaigns:
        raise KopsError(
            _("{option}: no campaign '{campaign}' in kops.yaml").format(
                option="--awarded", campaign=who.campaign
            ),
            hint=_("add it under `campaigns:` in kops.yaml; `kops campaign list` shows them"),
        )
    given = awarded if awarded is not None else pd.DataFrame(columns=["user_id"])
    if given.empty:
        raise KopsError(
            _("nobody has been awarded in campaign '{campaign}' yet").format(campaign=who.campaign),
            hint=_("{command} first").format(command=f"`kops campaign award {who.campaign}`"),
        )
    extra = {
        str(row.user_id): [{"run_start": row.run_start, "run_end": row.run_end}]
        for row in given.itertuples(index=False)
    }
    return Chosen(list(given["user_id"]), spec.template or "campaign.awarded", extra)


def _not_eligible(
    who: NotEligible,
    spec: AudienceSpec,
    settings: Settings,
    missed: dict[str, list[MissedMonth]] | None,
) -> Chosen:
    if who.campaign not in settings.campaigns:
        raise KopsError(
            _("{option}: no campaign '{campaign}' in kops.yaml").format(
                option="--not-eligible", campaign=who.campaign
            ),
            hint=_("add it under `campaigns:` in kops.yaml; `kops campaign list` shows them"),
        )
    months = missed or {}
    extra = {user_id: [{"missed_months": m}] for user_id, m in months.items()}
    return Chosen(list(months), spec.template or "campaign.not_eligible", extra)


def _milestones(
    spec: AudienceSpec, tables: Tables, settings: Settings, as_of: dt.date, given: Given
) -> Chosen:
    due = milestones_due(
        tables,
        settings.milestones,
        as_of,
        given.delivered
        if given.delivered is not None
        else pd.DataFrame(columns=["user_id", "milestone", "role"]),
        since=given.milestones_since,
    )
    if spec.role:
        due = due[due["role"] == spec.role]
    # One mail per person: a middle manager due in both roles gets one that names both.
    user_ids: list[str] = []
    extra: dict[str, list[dict[str, Any]]] = {}
    for row in due.itertuples(index=False):
        user_id = str(row.user_id)
        if user_id not in extra:
            user_ids.append(user_id)
            extra[user_id] = [{"milestones": {}}]
        extra[user_id][0]["milestones"][row.role] = {
            "milestone": whole(row.milestone),
            "count": whole(row.held_in_role),
        }
    return Chosen(user_ids, spec.template or "milestone", extra)


def _theme(who: Theme, spec: AudienceSpec, facts: pd.DataFrame) -> Chosen:
    unknown = [k for k in who.stuck_points if k not in segmentation.KEYS]
    if unknown:
        raise KopsError(
            _("unknown stuck point(s) {keys} for the seminar's audience").format(
                keys=", ".join(unknown)
            )
        )
    wanted = facts["stuck_point"].isin(who.stuck_points)
    if who.managers:
        wanted |= facts["role"].isin(["manager", "both"])
    chosen = facts[wanted]
    if spec.division:
        chosen = chosen[chosen["division"] == spec.division]
    extra = {
        user_id: [{"stuck_point": stuck}]
        for user_id, stuck in zip(chosen["user_id"], chosen["stuck_point"], strict=True)
    }
    return Chosen(list(chosen["user_id"]), _needs_template(spec, "a seminar audience"), extra)


def _run_base(
    spec: AudienceSpec,
    who: AudienceKind,
    base: str,
    templates_used: list[str],
    as_of: dt.date,
    drawn: pd.DataFrame | None,
) -> str:
    """The run id a run gets unless one is given: what it is about, and when."""
    name = _run_name(spec, who, base, templates_used, f"{as_of:%Y-%m}", drawn)
    if spec.division and isinstance(who, Segment | Flag):
        name += f"-{spec.division}"
    return name


def _run_name(
    spec: AudienceSpec,
    who: AudienceKind,
    base: str,
    templates_used: list[str],
    month: str,
    drawn: pd.DataFrame | None,
) -> str:
    if spec.seminar and base.startswith("seminar"):
        return f"{base}-{spec.seminar}"
    match who:
        case Awarded() | NotEligible():
            return f"{base}-{who.campaign}"
        case Winners() | NotDrawn():
            # A redraw is a new draw, so its mail is a new run.
            number = int(drawn["draw_no"].iloc[0]) if drawn is not None and len(drawn) else 0
            return f"{base}-{who.campaign}-draw{number}"
        case Milestones():
            return f"milestones-{month}"
        case UsersFile():
            return f"{base}-{Path(str(who.path)).stem}"
        case Theme() | Listed():
            return f"{base}-{spec.seminar}" if spec.seminar else f"{base}-{month}"
        case Segment() | Flag():
            name = templates_used[0] if len(templates_used) == 1 else base
            return f"{name}-{month}"


def _described(who: AudienceKind) -> str:
    """The audience's value as run descriptions show it."""
    match who:
        case Segment() | Flag():
            return who.key
        case Awarded() | Winners() | NotDrawn() | NotEligible():
            return who.campaign
        case UsersFile():
            return str(who.path)
        case Theme():
            return ",".join(who.stuck_points) + (" +managers" if who.managers else "")
        case Listed():
            return "list"
        case Milestones():
            return "milestones"


def stuck_point_named(template: str) -> str | None:
    """The stuck point a template speaks of (``lapsed.manager`` → lapsed), if any."""
    key = template.split(".", 1)[0]
    return key if key in segmentation.KEYS and key != "healthy" else None


def _stuck_point_reason(
    template: str,
    row: dict[str, Any],
    user_id: str,
    booked: dict[str, Any],
    ready: dict[str, Any],
) -> str | None:
    """Why a template that names a stuck point must not reach this person: they do not
    have it now, they have a 1on1 booked (for the mails that ask them to book one), or
    their next one is prepared (for the mail that asks them to prepare it)."""
    key = stuck_point_named(template)
    if key is None:
        return None
    if key not in str(row["flags"]).split(";"):
        return "not_stuck"
    if key in ASKS_FOR_A_BOOKING and user_id in booked:
        return "scheduled"
    if key == ASKS_TO_PREPARE and user_id in ready:
        return "prepared"
    return None


def milestone_item(user_id: str, extra: dict[str, Any]) -> str:
    """The ledger key of a milestone mail: user, then each role with its milestone
    (e.g. ``000238:manager:20+member:20``), so a later milestone is a new item."""
    due = extra["milestones"]
    return user_id + ":" + "+".join(f"{role}:{due[role]['milestone']}" for role in sorted(due))


def _drawn(
    who: Winners | NotDrawn, spec: AudienceSpec, settings: Settings, drawn: pd.DataFrame | None
) -> Chosen:
    """The winners (or the entrants not drawn) of the campaign's current draw."""
    option = "--winners" if isinstance(who, Winners) else "--not-drawn"
    if who.campaign not in settings.campaigns:
        raise KopsError(
            _("{option}: no campaign '{campaign}' in kops.yaml").format(
                option=option, campaign=who.campaign
            ),
            hint=_("add it under `campaigns:` in kops.yaml; `kops campaign list` shows them"),
        )
    if drawn is None or drawn.empty:
        raise KopsError(
            _("campaign '{campaign}' has not been drawn").format(campaign=who.campaign),
            hint=f"kops campaign draw {who.campaign} --winners N --seed TEXT",
        )
    won = isinstance(who, Winners)
    user_ids = list(drawn.loc[drawn["won"] == won, "user_id"])
    return Chosen(user_ids, spec.template or ("campaign.winner" if won else "campaign.not_drawn"))


def _template_for(
    base: str,
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
    elif isinstance(spec.who, Milestones):
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
        _("no mail template for {names}").format(names=_(" or ").join(candidates)),
        hint=_(
            "add one under templates/mail/ (copy a shipped one); `kops mail templates` lists them"
        ),
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

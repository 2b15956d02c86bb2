"""A mail run from start to finish: plan, confirm, record, send; the same request resumes it.

``kops mail send``, ``kops seminar invite|remind`` and ``kops report divisions --mail``
all go through :func:`start_run` or :func:`send_prepared`. What the operator sees and
answers (the plan, the confirmation, progress) goes through an :class:`Operator` the
command supplies, so this module neither prints nor asks.

A run id stands for the choices it was first planned with (see ``binding.py``): the same
choices resume the stored plan, other choices are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, fields, replace
from typing import Any

import pandas as pd

from .. import model
from ..analyses import streaks
from ..calendar import BusinessCalendar
from ..clock import now
from ..config import Settings
from ..dates import plan_age_note, stale_note
from ..errors import KopsError
from ..exports.user_files import read_user_list
from ..i18n import N_, _
from ..model import Tables
from ..store import SnapshotInfo, awards, delivered_milestones, draw_entrants, record_action
from ..store.ledger import Ledger, LedgerRow
from ..workspace import Workspace, shipped_templates_dir
from . import binding as run_binding
from .audience import NEEDED_COLUMNS as AUDIENCE_COLUMNS
from .audience import Audience, AudienceSpec, Given, build_audience, excluded_summary
from .audience_kinds import (
    AudienceKind,
    Awarded,
    Milestones,
    NotDrawn,
    NotEligible,
    UsersFile,
    Winners,
)
from .campaign_audience import draw_state, not_eligible_entrants
from .context import seminar_context
from .delivery import (
    run_binding_of,
    send_pending,
    stale_by_then,
    test_send,
    transport_for,
    warn_sample_sender,
)
from .dry_run import check_run_binding, dry_run
from .holdout import check_measurable
from .milestone_mail import milestone_baseline
from .operator import Operator, Source
from .plan import (
    Plan,
    discard_plan,
    load_plan,
    make_plan,
    outbox_folder,
    safe_run_id,
    save_plan,
    stored_run_id,
    typed_run,
)
from .records import read_paths
from .snapshot_facts import tables_content
from .templates import TemplateSet


@dataclass(frozen=True)
class RunRequest:
    """What a command asks of a run: its audience and how to send it."""

    spec: AudienceSpec
    run_id: str | None = None
    yes: bool = False
    dry_run: bool = False
    to_test: str | None = None
    limit: int | None = None
    holdout: float = 0.0
    retry_unknown: bool = False
    snapshot: str | None = None
    as_of: dt.date | None = None
    stale_ok: bool = False  # send from a snapshot older than rules.stale_days without asking
    # Whom the run reaches is judged from the snapshot (nudges, invitations), so old
    # data is asked about; False for a run whose people come from other records.
    from_snapshot: bool = True
    # Send a holdout whose groups are under privacy.min_group all the same.
    holdout_anyway: bool = False
    # The exact command that sends the run, from its id (printed by a dry run).
    command: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        check_one_rehearsal(self.dry_run, self.to_test)

    @property
    def real(self) -> bool:
        return not (self.dry_run or self.to_test is not None)


def check_one_rehearsal(dry_run: bool, to_test: str | None) -> None:
    """A dry run's 「送るには」 line with a tester sent to everyone: the test send is a
    rehearsal of its own, and the two together said neither."""
    if dry_run and to_test is not None:
        raise KopsError(
            _("--dry-run and --to-test: choose one"),
            hint=_(
                "--to-test sends every message to the tester only; --dry-run writes "
                "them as files and sends nothing"
            ),
        )


def templates(ws: Workspace) -> TemplateSet:
    """The workspace's templates, falling back to the shipped ones."""
    shipped = shipped_templates_dir()
    return TemplateSet(ws.mail_templates_dir, shipped / "mail" if shipped else None)


def open_ledger(ws: Workspace) -> closing[Ledger]:
    return closing(Ledger(ws))


def audience_for(
    source: Source,
    operator: Operator,
    spec: AudienceSpec,
    snapshot: str | None,
    as_of: dt.date | None,
) -> tuple[Audience, str, str]:
    """The audience of ``spec`` in a snapshot, with the snapshot's id and the as-of date."""
    if spec.role is not None and spec.role not in model.ROLES:
        raise KopsError(
            _("--role: '{role}' is not manager, member, both or none").format(role=spec.role)
        )
    who = spec.chosen()
    snap = source.snapshot(snapshot)
    when = operator.as_of(as_of, snap)
    tables = source.tables(snap, columns=AUDIENCE_COLUMNS)
    with open_ledger(source.workspace) as ledger:
        suppressed = ledger.suppressed()
        told = None
        if isinstance(who, Winners | NotDrawn):  # an outcome is told once, whatever the draw
            told = ledger.told(run_binding.bound_to(who.kind, who.value()))
    given = _records_for(source, spec, who, tables, snap, when)
    audience = build_audience(
        spec,
        tables,
        source.settings,
        when,
        templates(source.workspace),
        # Nobody is left out for the frequency cap here: the send records them as
        # deferred, with the day the same run id reaches them (see caps.py).
        suppressed,
        given,
        told=told,
        content=tables_content(snap, AUDIENCE_COLUMNS),
    )
    return audience, snap.id, str(when)


def _records_for(
    source: Source,
    spec: AudienceSpec,
    who: AudienceKind,
    tables: Tables,
    snap: SnapshotInfo,
    when: dt.date,
) -> Given:
    """What a kind of audience reads beyond the snapshot (awards, draws, lists, ...)."""
    ws = source.workspace
    match who:
        case UsersFile() if spec.template:
            return Given(listed=read_user_list(who.path, tables.users))
        case NotEligible():
            return Given(not_eligible=campaign_missed_months(source, who.campaign, tables, when))
        case Awarded():
            return Given(awarded=_winners_only(source, who.campaign, awards(ws, who.campaign)))
        case Winners() | NotDrawn():
            return Given(drawn=draw_entrants(ws, who.campaign))
        case Milestones():
            since = milestone_baseline(ws, source.settings, snap, when).since
            return Given(delivered=delivered_milestones(ws), milestones_since=since)
    return Given()


def _winners_only(source: Source, campaign_id: str, awarded: pd.DataFrame) -> pd.DataFrame:
    """For a campaign awarded by draw, the awarded who won its current draw: an award
    recorded for anyone else is never announced as theirs."""
    campaign = source.settings.campaigns.get(campaign_id)
    if campaign is None:
        return awarded
    state = draw_state(source.workspace, campaign_id, campaign)
    if not state.by_draw:
        return awarded
    if not state.drawn:
        raise KopsError(
            _(
                "campaign '{campaign}' is awarded by draw and has not been drawn; nothing sent"
            ).format(campaign=campaign_id),
            hint=f"kops campaign draw {campaign_id} --winners N --seed TEXT",
        )
    return awarded[awarded["user_id"].isin(state.winners)]


def campaign_missed_months(
    source: Source, campaign_id: str, tables: Tables, when: dt.date
) -> dict[str, list[streaks.MissedMonth]]:
    """The entrants of a campaign who did not meet its condition, with the months they
    missed (year, month, weeks missed)."""
    if campaign_id not in source.settings.campaigns:
        raise KopsError(
            _("--not-eligible: no campaign '{campaign}' in kops.yaml").format(campaign=campaign_id),
            hint=_("add it under `campaigns:` in kops.yaml; `kops campaign list` shows them"),
        )
    campaign = source.settings.campaigns[campaign_id]
    calendar = BusinessCalendar(source.settings.calendar.company_holidays)
    result = streaks.eligibility(tables, campaign, calendar, when)
    status = tables.users.set_index("user_id")["employment_status"]
    judged = result.users[["user_id", "name", "division", "eligible"]].copy()
    judged["employment_status"] = judged["user_id"].map(status).fillna("retired")
    ids = not_eligible_entrants(source.workspace, campaign_id, campaign, judged)
    return streaks.missed_months(result, campaign, ids)


def needs_login_url(source: Source, audience: Audience) -> list[str]:
    """The audience's templates that give KAKEAI's login address, when kops.yaml has none."""
    if source.settings.service.login_url:
        return []
    names = sorted({r.template for r in audience.recipients})
    chosen = templates(source.workspace)
    return [n for n in names if "service.login_url" in read_paths(chosen.get(n), chosen.env)]


def check_service(source: Source, audience: Audience) -> None:
    """Refuse to send a mail that gives KAKEAI's login address while kops.yaml has none:
    it would ask people to log in without telling them where."""
    needing = needs_login_url(source, audience)
    if needing:
        raise KopsError(
            _(
                "{templates} gives KAKEAI's login address, and service.login_url is "
                "not set in kops.yaml; nothing was sent"
            ).format(templates=", ".join(needing)),
            hint=_(
                "set service.login_url (and service.help_url) in kops.yaml; "
                "`kops mail preview` shows the mail"
            ),
        )


def check_fresh(
    source: Source, operator: Operator, snapshot: str | None, stale_ok: bool, real: bool
) -> None:
    """Mail from a snapshot older than rules.stale_days is asked about first, even with
    --yes (a nudge that says 「最近1on1の記録がない」 may be false by now); --stale-ok sends
    anyway, and a dry run or test send only warns."""
    snap = source.snapshot(snapshot)
    if snap.as_of is None:
        return
    note = stale_note(snap.id, snap.as_of, now().date(), source.settings.rules.stale_days)
    if note is None:
        return
    if not real:  # a dry run or a test send only warns
        operator.warn(note)
        return
    _ask_about_old_data(
        operator,
        note,
        stale_ok,
        _("Send from this snapshot anyway?"),
        KopsError(
            _("not sending from old data: {note}; nothing was sent").format(note=note),
            hint=_(
                "ingest the latest exports first (`kops ingest …`), or add --stale-ok to "
                "send from this snapshot anyway (--yes alone does not)"
            ),
        ),
    )


def _ask_about_old_data(
    operator: Operator, note: str, stale_ok: bool, question: str, refused: KopsError
) -> None:
    """Mail stating facts older than rules.stale_days: sent with --stale-ok (said), else
    asked about first, even with --yes, and ``refused`` where the answer is no (or there
    is no terminal to ask)."""
    if stale_ok:
        operator.warn(note + _(" (sending anyway: --stale-ok)"))
        return
    operator.warn(note)
    try:
        operator.confirm(question)
    except KopsError:
        raise refused from None


def check_sender(settings: Settings, operator: Operator, real: bool) -> None:
    """A real run by SMTP or Graph with the sample's sender in kops.yaml is said before
    it is planned (the plan fixes its sender: fixed later, a resumed run still sends from
    the sample's), so the question that follows can be answered no."""
    left = settings.mail.sample_values_left()
    if real and left and settings.mail.transport != "outbox":
        operator.warn(
            _(
                "{keys} in kops.yaml still hold the sample's values: this run would go out "
                "from kakeai-office@example.co.jp, which is no one's, and keep it when "
                "resumed; set them to the secretariat's own first"
            ).format(keys="・".join(f"mail.{key}" for key in left))
        )


def start_run(source: Source, operator: Operator, request: RunRequest) -> str:
    """Plan, confirm and send (or resume) a run; returns its id."""
    check_sender(source.settings, operator, request.real)
    binding = run_binding.spec_binding(request.spec, request.holdout)
    if request.from_snapshot:
        check_fresh(source, operator, request.snapshot, request.stale_ok, request.real)
    if request.run_id is not None:
        typed_run(request.run_id)  # refused before the state is opened
        with open_ledger(source.workspace) as ledger:
            request = replace(request, run_id=stored_run_id(ledger, request.run_id))
    if (
        request.run_id is not None
        and request.real
        and resume_if_planned(source, operator, safe_run_id(request.run_id), binding, request)
    ):
        return request.run_id
    audience, snap_id, when = audience_for(
        source, operator, request.spec, request.snapshot, request.as_of
    )
    run_id = safe_run_id(request.run_id or audience.default_run_id)
    check_service(source, audience)
    if request.real and resume_if_planned(source, operator, run_id, binding, request):
        return run_id
    if request.dry_run and check_run_binding(source, run_id, binding):
        # Planned before with these choices: the real run sends that stored plan, so the
        # dry run shows it, not today's audience (which left out 000288 for want of an
        # address while the stored plan still mails them).
        _rehearse(source, operator, Plan(run_id, []), binding, request)
        return run_id
    with operator.progress(
        _("Writing the mails"), len(audience.recipients), transient=True
    ) as advance:
        plan = make_plan(
            audience,
            templates(source.workspace),
            source.settings,
            run_id,
            request.holdout,
            progress=lambda: advance(""),
        )
    operator.show_plan(plan, audience)
    if request.holdout > 0:
        check_measurable(
            run_id,
            len(plan.messages),
            len(plan.by_state("holdout")),
            source.settings.privacy.min_group,
            request.holdout_anyway,
        )
    if not request.real:
        _rehearse(source, operator, plan, binding, request)
        return run_id
    sendable = len(plan.by_state("planned"))
    if sendable == 0:
        left_out = excluded_summary(audience)
        if not left_out:  # nobody was left out: nobody is in the audience at all
            raise KopsError(
                _("nothing to send: nobody is in this audience now"),
                hint=_(
                    "check the audience options (--segment, --role, --division…); for "
                    "milestone mail, `kops campaign milestones` lists what is due"
                ),
            )
        raise KopsError(_("nothing to send: the audience is empty after exclusions"), hint=left_out)
    count = min(sendable, request.limit or sendable)
    _confirm(operator, request.yes, _question(source, count, run_id, pending=False))
    record_and_send(source, operator, plan, audience, snap_id, when, binding, request)
    return run_id


def _rehearse(
    source: Source, operator: Operator, plan: Plan, binding: dict[str, Any], request: RunRequest
) -> None:
    """A dry run (every check, .eml files) or a test send (to one tester, logged apart)."""
    run_id = plan.run_id
    if request.dry_run:
        dry_run(
            source,
            operator,
            plan,
            binding,
            request.command,
            lambda: transport_for(source.workspace, source.settings, run_id),
            request.limit,
        )
        return
    assert request.to_test is not None
    count = min(len(plan.messages), request.limit or len(plan.messages))
    _confirm(
        operator,
        request.yes,
        _("Send {count:,} test message(s) to {to}?").format(count=count, to=request.to_test),
    )
    sent, tried = test_send(source.workspace, source.settings, plan, request.to_test, request.limit)
    # Of the run's mails, not of those tried: 「2通のうち 2通」 hid the 9 with --limit 2.
    total = len(plan.by_state("planned"))
    record_action(
        source.workspace,
        "mail test",
        target=run_id,
        count=sent,
        detail={"to": request.to_test, "tried": tried},
    )
    if source.settings.mail.transport == "outbox":  # written, not sent: say where
        operator.say(
            _(
                "Test: {sent:,} of {total:,} message(s) for {to} written to {folder} "
                "(a rehearsal: nothing is delivered); the real ledger is untouched."
            ).format(
                sent=sent,
                total=total,
                to=request.to_test,
                folder=outbox_folder(source.workspace, run_id, "-test"),
            )
        )
        return
    operator.say(
        _(
            "Test: {sent:,} of {total:,} message(s) sent to {to}; the real ledger is untouched."
        ).format(sent=sent, total=total, to=request.to_test)
    )


def send_prepared(
    source: Source,
    operator: Operator,
    audience: Audience,
    binding: dict[str, Any],
    yes: bool,
    attachments: Callable[[str], list[str]],
    what: str,
    stale_ok: bool = False,
    dry_run: bool = False,
    to_test: str | None = None,
    limit: int | None = None,
    command: Callable[[str], str] | None = None,
    attachment_names: Callable[[str], list[str]] | None = None,
    snapshot: str | None = None,
    as_of: dt.date | None = None,
    fresh_checked: bool = False,
) -> None:
    """Plan and send an audience a command built itself (e.g. advisors with their files),
    with the safety of every mailing: ``dry_run``, ``to_test``, ``limit``.

    ``attachments`` gives each item's files; ``what`` names the messages in the question
    (e.g. "advisor report(s)"). The run is recorded on ``snapshot`` (else the latest) as
    of ``as_of`` (else its data's day): the files' own, where `mail status` gave the
    latest snapshot's day for reports of another, and its age was the one asked about.
    ``fresh_checked``: the caller asked about old data (``check_fresh``) before it made
    the files, so a refusal leaves none behind.
    """
    request = RunRequest(
        spec=AudienceSpec(),
        yes=yes,
        stale_ok=stale_ok,
        dry_run=dry_run,
        to_test=to_test,
        limit=limit,
        command=command,
    )
    check_sender(source.settings, operator, request.real)
    if not fresh_checked:
        check_fresh(source, operator, snapshot, stale_ok, real=request.real)
    run_id = audience.default_run_id
    if request.real and resume_if_planned(source, operator, run_id, binding, request):
        return
    plan = make_plan(audience, templates(source.workspace), source.settings, run_id)
    for message in plan.messages:
        message.attachments = attachments(message.item)
        if attachment_names is not None:
            message.attachment_names = attachment_names(message.item)
    operator.show_plan(plan, audience)
    if not request.real:
        _rehearse(source, operator, plan, binding, request)
        return
    count = min(len(plan.messages), limit or len(plan.messages))
    _confirm(
        operator,
        yes,
        _("Mail {count} {what} as run {run_id}?").format(count=count, what=what, run_id=run_id),
    )
    snap = source.snapshot(snapshot)
    when = str(as_of or snap.as_of)
    record_and_send(source, operator, plan, audience, snap.id, when, binding, request)


def resume_if_planned(
    source: Source, operator: Operator, run_id: str, binding: dict[str, Any], request: RunRequest
) -> bool:
    """Resume run_id if it was planned (refused if with other choices); False if it wasn't."""
    with open_ledger(source.workspace) as ledger:
        existing = ledger.run(run_id)
    if existing is None:
        return False
    run_binding.check_binding(run_id, existing.get("binding"), binding)
    _resume(source, operator, run_id, request)
    return True


def record_and_send(
    source: Source,
    operator: Operator,
    plan: Plan,
    audience: Audience,
    snap_id: str,
    when: str,
    binding: dict[str, Any],
    request: RunRequest,
) -> None:
    """Store the plan as the run's, atomically, and send it.

    When another kops stored a plan under the same run id in the meantime, that
    one stands: this command resumes it if its choices are the same, else is
    refused; its own rendering is thrown away, never written over the other.
    """
    seminar = binding.get("seminar")
    details = seminar_context(source.settings, seminar) if isinstance(seminar, str) else None
    if _record_plan(
        source.workspace, plan, audience, snap_id, when, request.holdout, binding, details
    ):
        send_pending(source, operator, plan, request.limit, request.retry_unknown)
        return
    operator.say(_("run {run_id} was planned by another kops meanwhile").format(run_id=plan.run_id))
    resume_if_planned(source, operator, plan.run_id, binding, request)


def _question(source: Source, count: int, run_id: str, pending: bool) -> str:
    transport = source.settings.mail.transport
    if transport == "outbox":
        question = (
            _("Write {count:,} message(s) to the outbox pending of run {run_id}?")
            if pending
            else _("Write {count:,} message(s) to the outbox as run {run_id}?")
        )
        question += " " + _("(a rehearsal: nothing is delivered)")
    else:
        question = (
            _("Send {count:,} message(s) via {transport} pending of run {run_id}?")
            if pending
            else _("Send {count:,} message(s) via {transport} as run {run_id}?")
        )
    return question.format(count=count, run_id=run_id, transport=transport)


def _confirm(operator: Operator, yes: bool, question: str) -> None:
    if not yes:
        operator.confirm(question)


def _record_plan(
    ws: Workspace,
    plan: Plan,
    audience: Audience,
    snap_id: str,
    when: str,
    holdout: float,
    binding: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> bool:
    """Write the plan file (named by its hash), then record the run, its rows, binding and
    hash in one transaction; False if the run id was taken meanwhile."""
    content_hash = save_plan(ws, plan)
    carried = [field.name for field in fields(LedgerRow) if field.name != "error"]
    rows = [
        LedgerRow(**{name: getattr(message, name) for name in carried}) for message in plan.messages
    ]
    with open_ledger(ws) as ledger:
        created = ledger.create_run(
            {
                "run_id": plan.run_id,
                "description": {
                    **audience.description,
                    "excluded": dict(audience.excluded),
                    # What a seminar mail said (date, link, title): a correction compares.
                    "seminar_details": details,
                },
                "segment_key": audience.segment_key,
                "snapshot": snap_id,
                "as_of": when,
                "holdout_pct": holdout,
                "planned": len(plan.messages),
                "binding": run_binding.binding_text(binding),
                "plan_hash": content_hash,
            },
            rows,
        )
        if not created:
            stored = (ledger.run(plan.run_id) or {}).get("plan_hash")
            if stored != content_hash:
                discard_plan(ws, plan.run_id, content_hash)
            return False
    record_action(
        ws,
        "mail plan",
        target=plan.run_id,
        count=len(plan.messages),
        snapshot=snap_id,
        detail={
            "audience": {k: v for k, v in audience.description.items() if v not in (None, "")},
            "excluded": dict(audience.excluded),
            "holdout_pct": holdout,
        },
    )
    return True


def _check_plan_age(
    source: Source, operator: Operator, run_id: str, as_of: object, request: RunRequest
) -> None:
    """A plan resumed long after its data (rehearsed in October, sent in late November):
    its mails say what was true on that day (「2026年10月20日時点」), and some of those
    it reaches have since moved on (3 of 13 no longer without preparation were told
    「0 回でした」). Asked about as old data is (the latest snapshot's age says nothing of a
    frozen plan: ingesting does not refresh it); --stale-ok sends it as planned."""
    note = plan_age_note(as_of, now().date(), source.settings.rules.stale_days)
    if note is None:
        return
    _ask_about_old_data(
        operator,
        note,
        request.stale_ok,
        _("Send this plan as it is anyway?"),
        KopsError(
            _("not sending a plan made on old data: {note}; nothing was sent").format(note=note),
            hint=_(
                "mail who needs it now with a new run from the latest snapshot (--id "
                "{run}-2), or add --stale-ok to send this plan as it is (--yes alone does not)"
            ).format(run=run_id),
        ),
    )


UNKNOWN_SAID = N_(
    "{unknown} message(s) may or may not have been delivered (handed to the server, then "
    "kops stopped or the connection was lost before it answered); they are not resent. "
    "`kops mail status {run}` lists them and says which; --retry-unknown resends them."
)


def _resume(source: Source, operator: Operator, run_id: str, request: RunRequest) -> None:
    plan = load_plan(source.workspace, run_id)
    rehearsal = source.settings.mail.transport == "outbox"
    retry_states = ["sending"] if request.retry_unknown else []
    written_states = [] if rehearsal else ["written"]
    today = now().date()
    with open_ledger(source.workspace) as ledger:
        row = ledger.state_counts(run_id)
        planned_as_of = (ledger.run(run_id) or {}).get("as_of")
        pending = len(
            ledger.rows(run_id, ["planned", "temp_failed", *written_states, *retry_states])
        )
        unknown = len(ledger.rows(run_id, ["sending"]))
        deferred = ledger.deferred_until(run_id)
    due = sum(1 for day in deferred.values() if day <= today)
    pending += due
    # Each person once: those to send now include the rows written to the outbox before
    # (through smtp) and the deferred whose day has come, said as parts of it, not beside
    # it (「書き出し 13、未送信 13」 read as 26 of 13 people).
    operator.say(
        _(
            "Resuming run {run_id}: sent {sent:,}, to send now {pending:,}, held for a later "
            "day {waiting:,}, unknown {unknown:,}, failed {failed:,}"
        ).format(
            run_id=run_id,
            sent=row.get("sent", 0),
            pending=pending,
            waiting=len(deferred) - due,
            unknown=unknown,
            failed=row.get("perm_failed", 0),
        ),
        strong=True,
    )
    if pending:
        _check_plan_age(source, operator, run_id, planned_as_of, request)
        if request.real:  # before the question: a rehearsal's frozen sender (sample's?)
            warn_sample_sender(source.settings, operator, plan.messages)
    written = int(row.get("written", 0))
    if written:
        operator.say(
            "  "
            + (
                _("{n:,} written to the outbox already (a rehearsal: not written again)")
                if rehearsal
                else _("of those to send now, {n:,} were written to the outbox before")
            ).format(n=written)
        )
    if unknown and not request.retry_unknown:
        operator.say("  " + _(UNKNOWN_SAID).format(unknown=unknown, run=run_id))
    waiting = len(deferred) - due
    if waiting:
        later = min(day for day in deferred.values() if day > today)
        operator.say(
            "  "
            + _(
                "{waiting:,} deferred until a later day (from {day}): "
                "run the same command then to send them."
            ).format(waiting=waiting, day=later.isoformat())
            + stale_by_then(source, later, run_binding_of(source, run_id))
        )
    if pending == 0:
        if rehearsal and row.get("written", 0):
            operator.say(
                _(
                    "Nothing left to send through the outbox: it holds this run's messages "
                    "(a rehearsal, not delivered). To deliver them, set mail.transport to smtp "
                    "and run the same command again."
                )
            )
        else:
            operator.say(_("Nothing left to send."))
        return
    count = min(pending, request.limit or pending)
    _confirm(operator, request.yes, _question(source, count, run_id, pending=True))
    send_pending(source, operator, plan, request.limit, request.retry_unknown)

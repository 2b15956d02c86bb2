"""A mail run's plan: the frozen audience with every message rendered up front.

Rendering everything before the first send means a template error stops the
run before anyone gets mail. The plan is written once to the workspace
(``state/mail/RUN-HASH/plan-CONTENTHASH.jsonl``, named by its content hash,
which the ledger records) so a resumed run sends exactly what was planned,
whatever has changed since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from contextlib import closing
from dataclasses import dataclass, field, fields
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..config import Mail, Settings
from ..errors import KopsError
from ..i18n import _
from ..ids import typed_run_id
from ..outputs.filenames import safe_name
from ..outputs.files import write_atomically
from ..store.ledger import Ledger
from ..workspace import Workspace
from .audience import Audience
from .headers import check_headers
from .holdout import held_out
from .message import Sender, build_message, message_id
from .templates import TemplateSet


@dataclass
class PlannedMessage:
    item: str
    user_id: str
    name: str
    email: str
    template: str
    kind: str
    subject: str
    text: str
    html: str | None
    message_id: str
    state: str = "planned"  # or 'holdout'
    extra: dict[str, Any] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)  # file paths
    # The names the reader sees, one per attachment (empty: each file's own name).
    attachment_names: list[str] = field(default_factory=list)
    # From/Reply-To as planned (name, address, reply_to); empty in plans made before.
    sender: dict[str, str] = field(default_factory=dict)

    def sender_for(self, mail: Mail) -> Sender:
        return Sender.stored(self.sender, mail)


@dataclass
class Plan:
    run_id: str
    messages: list[PlannedMessage]
    audience: Audience | None = None

    def by_state(self, state: str) -> list[PlannedMessage]:
        return [m for m in self.messages if m.state == state]


def make_plan(
    audience: Audience,
    templates: TemplateSet,
    settings: Settings,
    run_id: str,
    holdout_pct: float = 0.0,
    progress: Any = None,
) -> Plan:
    """Render every message and check its headers; any problem raises before anything is sent."""
    messages = []
    prefix = settings.mail.subject_prefix
    domain = settings.mail.message_id_domain
    frozen = Sender.of(settings.mail)
    sender = {"name": frozen.name, "address": frozen.address, "reply_to": frozen.reply_to}
    holdout = held_out(audience.recipients, run_id, holdout_pct)
    for recipient in audience.recipients:
        template = templates.get(recipient.template)
        rendered = template.render(recipient.context, prefix)
        messages.append(
            PlannedMessage(
                item=recipient.item,
                user_id=recipient.user_id,
                name=recipient.name,
                email=recipient.email,
                template=recipient.template,
                kind=template.kind,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                message_id=message_id(run_id, recipient.item, domain),
                state="holdout" if recipient.item in holdout else "planned",
                extra=recipient.extra,
                sender=sender,
            )
        )
        if progress is not None:
            progress()
    check_headers(settings.mail, run_id, messages)
    return Plan(run_id, messages, audience)


def build_planned(
    mail: Mail, message: PlannedMessage, test_address: str | None = None
) -> EmailMessage:
    """The message exactly as sent; to a tester: their address, [TEST] and its own Message-ID."""
    attachments = [Path(p) for p in message.attachments]
    sender = message.sender_for(mail)
    if test_address is None:
        return build_message(
            mail,
            message.name,
            message.email,
            message.subject,
            message.text,
            message.html,
            message.message_id,
            attachments=attachments,
            attachment_names=message.attachment_names,
            sender=sender,
        )
    return build_message(
        mail,
        f"テスト送信（{message.name}）",
        test_address,
        "[TEST] " + message.subject,
        message.text,
        message.html,
        message.message_id.replace("@", ".test@"),
        attachments=attachments,
        attachment_names=message.attachment_names,
        sender=sender,
    )


def run_id_hint() -> str:
    """What a run id may hold: what ``safe_run_id`` and ``typed_run`` accept, said whole."""
    return _(
        "use visible characters other than '/' and '\\', not only '.' or '..' and not "
        "'-' first, e.g. no_prep-2026-12"
    )


def safe_run_id(run_id: str) -> str:
    if (
        not run_id
        or run_id in (".", "..")
        or re.search(r"[/\\\x00-\x1f\x7f-\x9f\ud800-\udfff]", run_id)
    ):
        raise KopsError(
            _("{run_id} can't be a run id").format(run_id=repr(run_id)),
            hint=run_id_hint(),
        )
    return run_id


def typed_run(raw: str) -> str:
    """A run id as the operator typed it, folded (see ``ids.typed_run_id``) and checked."""
    try:
        folded = typed_run_id(raw)
    except ValueError as err:
        raise KopsError(
            _("{run_id} can't be a run id: {error}").format(run_id=repr(raw), error=err),
            hint=run_id_hint(),
        ) from None
    return safe_run_id(folded)


def stored_run_id(ledger: Ledger, raw: str) -> str:
    """The ledger's id of the run ``raw`` names: its folded form, or a run stored before
    ids were folded whose id folds to the same."""
    run_id = typed_run(raw)
    if ledger.run(run_id) is not None:
        return run_id
    for stored in ledger.run_ids():
        with contextlib.suppress(ValueError):
            if typed_run_id(stored) == run_id:
                return stored
    return run_id


def plan_dir(ws: Workspace, run_id: str) -> Path:
    """The run's folder under state/mail: its id made safe for any file system, with a hash."""
    return ws.state_dir / "mail" / safe_name(safe_run_id(run_id))


def outbox_folder(ws: Workspace, run_id: str, variant: str = "") -> Path:
    """Where the outbox writes a run's messages (variant: '-dry-run', '-test')."""
    return ws.outbox_dir / safe_name(safe_run_id(run_id), suffix=variant)


def plan_file(ws: Workspace, run_id: str, content_hash: str) -> Path:
    # Named by content: two plans for one run id never overwrite each other's file.
    return plan_dir(ws, run_id) / f"plan-{content_hash[:16]}.jsonl"


def save_plan(ws: Workspace, plan: Plan) -> str:
    """Write the plan under its content hash (atomically); returns the hash."""
    directory = plan_dir(ws, plan.run_id)
    directory.mkdir(parents=True, exist_ok=True)
    names = [item.name for item in fields(PlannedMessage)]
    # The fields as they are (asdict would deep-copy each message first): the same JSON.
    lines = (
        json.dumps(
            {name: getattr(message, name) for name in names}, ensure_ascii=False, sort_keys=True
        )
        for message in plan.messages
    )
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    # The file is named by its content, so the bytes come first and the name after.
    content_hash = hashlib.sha256(data).hexdigest()
    write_atomically(plan_file(ws, plan.run_id, content_hash), data)
    return content_hash


def discard_plan(ws: Workspace, run_id: str, content_hash: str) -> None:
    """Remove a plan file that lost the race to be the run's plan."""
    with contextlib.suppress(OSError):
        plan_file(ws, run_id, content_hash).unlink()


def load_plan(ws: Workspace, run_id: str, content_hash: str | None = None) -> Plan:
    """The run's stored plan, checked against the hash the ledger recorded for it."""
    if content_hash is None:
        with closing(Ledger(ws)) as ledger:
            run = ledger.run(run_id)
        content_hash = run.get("plan_hash") if run else None
    legacy = ws.state_dir / "mail" / safe_run_id(run_id) / "messages.jsonl"
    if not content_hash and legacy.is_file():  # planned before plans were named by hash
        return Plan(run_id, _messages(legacy.read_bytes()))
    if not content_hash:
        raise KopsError(
            _("run '{run_id}' has no stored plan").format(run_id=run_id),
            hint=_("`kops mail status` lists the runs"),
        )
    path = plan_file(ws, run_id, content_hash)
    if not path.is_file():
        raise KopsError(
            _("run '{run_id}': its plan {path} is missing").format(run_id=run_id, path=path),
            hint=_("`kops mail status` lists the runs"),
        )
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != content_hash:
        raise KopsError(
            _(
                "run '{run_id}': {path} is not the plan the ledger recorded (changed on disk)"
            ).format(run_id=run_id, path=path),
            hint=_("restore it from a backup, or send the mail as a new run (--id)"),
        )
    return Plan(run_id, _messages(data))


def _messages(data: bytes) -> list[PlannedMessage]:
    return [PlannedMessage(**json.loads(line)) for line in data.split(b"\n") if line.strip()]

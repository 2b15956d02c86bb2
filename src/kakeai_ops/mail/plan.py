"""A mail run's plan: the frozen audience with every message rendered up front.

Rendering everything before the first send means a template error stops the
run before anyone gets mail. The plan is written once to the workspace
(``state/mail/RUN/messages.jsonl``) so a resumed run sends exactly what was
planned, whatever has changed since.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..config import Mail, Settings
from ..errors import KopsError
from ..workspace import Workspace
from .audience import Audience, holdout_share
from .message import build_message, message_id
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
    """Render every message; any template error raises before anything is sent."""
    messages = []
    prefix = settings.mail.subject_prefix
    domain = settings.mail.message_id_domain
    for recipient in audience.recipients:
        template = templates.get(recipient.template)
        rendered = template.render(recipient.context, prefix)
        held_out = holdout_pct > 0 and holdout_share(run_id, recipient.user_id) < holdout_pct / 100
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
                state="holdout" if held_out else "planned",
                extra=recipient.extra,
            )
        )
        if progress is not None:
            progress()
    return Plan(run_id, messages, audience)


def build_planned(
    mail: Mail, message: PlannedMessage, test_address: str | None = None
) -> EmailMessage:
    """The message exactly as sent; to a tester: their address, [TEST] and its own Message-ID."""
    attachments = [Path(p) for p in message.attachments]
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
    )


def safe_run_id(run_id: str) -> str:
    if not run_id or run_id in (".", "..") or re.search(r"[/\\\x00-\x1f]", run_id):
        raise KopsError(
            f"'{run_id}' can't be a run id", hint="use letters, digits, '.', '-' and '_'"
        )
    return run_id


def plan_dir(ws: Workspace, run_id: str) -> Path:
    return ws.state_dir / "mail" / safe_run_id(run_id)


def save_plan(ws: Workspace, plan: Plan) -> Path:
    directory = plan_dir(ws, plan.run_id)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "messages.jsonl"
    handle, temp = tempfile.mkstemp(prefix=".messages.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for message in plan.messages:
                out.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target


def load_plan(ws: Workspace, run_id: str) -> Plan:
    path = plan_dir(ws, run_id) / "messages.jsonl"
    if not path.is_file():
        raise KopsError(
            f"run '{run_id}' has no stored plan ({path})", hint="`kops mail status` lists the runs"
        )
    with path.open(encoding="utf-8") as handle:
        messages = [PlannedMessage(**json.loads(line)) for line in handle if line.strip()]
    return Plan(run_id, messages)

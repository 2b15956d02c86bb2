"""``kops mail bounces``: each bounce matched to the mail kops sent; the suppression list updated.

A bounce is matched by the Message-ID of the returned mail, else by its
recipient and date (the last message sent to that address before the notice,
within ``MATCH_DAYS``). A permanent failure (5.x.x) puts the address kops
mailed on the suppression list, with the status and the run; a temporary one
is counted, and the address is suppressed once ``mail.bounce.soft_limit``
notices have come back for it. A bounce for an address kops never mailed, or
a notice read before, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import parse_moment
from ..config import Settings
from ..store import record_action
from ..store.ledger import Ledger, SentMail
from ..workspace import Workspace
from .bounces import Bounce, Reading, read_paths

# How long after a message its bounce may come back (delayed notices give up after 5 days).
MATCH_DAYS = 30


@dataclass(frozen=True)
class Outcome:
    source: str
    recipient: str
    kind: str  # permanent / temporary
    status: str
    run_id: str
    result: str  # suppressed / counted / already read / not mailed by kops / not suppressed
    reason: str


@dataclass
class Learned:
    outcomes: list[Outcome] = field(default_factory=list)
    reading: Reading | None = None

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)


def learn(
    ws: Workspace, settings: Settings, paths: list[Path], imap_folder: str | None = None
) -> Learned:
    """Learn from the files given and, with ``imap_folder``, from that mailbox folder."""
    reading = read_paths(paths)
    if imap_folder is not None:
        from .imap_reader import imap_notices

        for notice in imap_notices(settings.mail, imap_folder or None):
            if isinstance(notice, str):  # a message too large to be a notice
                reading.problems.append(notice)
            else:
                reading.add(notice, list_others=False)
    learned = Learned(reading=reading)
    limit = settings.mail.bounce.soft_limit
    with closing(Ledger(ws)) as ledger:
        for bounce in reading.bounces:
            learned.outcomes.append(_learn_one(ledger, bounce, limit))
    if learned.outcomes:
        sources = [str(path) for path in paths]
        if imap_folder is not None:
            sources.append(f"imap:{imap_folder or settings.mail.imap.folder}")
        record_action(
            ws,
            "mail bounces",
            target=", ".join(sources),
            count=learned.count("suppressed"),
            files=sources,
            detail={
                result: learned.count(result)
                for result in ("suppressed", "counted", "already read", "not mailed by kops")
            },
        )
    return learned


def _learn_one(ledger: Ledger, bounce: Bounce, soft_limit: int) -> Outcome:
    run_id, result, reason = _learned(ledger, bounce, soft_limit)
    kind = "permanent" if bounce.permanent else "temporary"
    return Outcome(bounce.source, bounce.recipient, kind, bounce.status, run_id, result, reason)


def _learned(ledger: Ledger, bounce: Bounce, soft_limit: int) -> tuple[str, str, str]:
    """What one notice teaches: (the run that mailed it, the result, why)."""
    sent = _match(ledger, bounce)
    if sent is None:
        return "", "not mailed by kops", ""
    if sent.email.lower() not in (bounce.addresses or (bounce.recipient,)):
        # The notice is about another address (a forward from the one kops mailed, say):
        # the address kops mails may be fine, so it is not suppressed.
        return (
            sent.run_id,
            "not suppressed",
            f"the notice is for {bounce.recipient}; kops mailed {sent.email}",
        )
    stamp = bounce.date.isoformat(timespec="seconds") if bounce.date else None
    fresh = ledger.record_bounce(
        bounce.notice,
        bounce.recipient,
        sent,
        bounce.permanent,
        bounce.status,
        bounce.diagnostic,
        bounce.source,
        stamp,
    )
    if not fresh:
        return sent.run_id, "already read", ""
    detail = f"{bounce.status or '?'}" + (f" {bounce.diagnostic}" if bounce.diagnostic else "")
    if bounce.permanent:
        reason = f"bounced: {detail}"[:300]
    else:
        count = ledger.soft_bounces(sent.email)
        if count < soft_limit:
            return sent.run_id, "counted", f"{count} of {soft_limit} temporary bounces"
        reason = f"{count} temporary bounces (last: {detail})"[:300]
    ledger.suppress(sent.email.lower(), reason, sent.run_id)
    return sent.run_id, "suppressed", reason


def _match(ledger: Ledger, bounce: Bounce) -> SentMail | None:
    by_id = ledger.sent_with_message_id(bounce.message_ids)
    if by_id is not None:
        return by_id
    candidates = ledger.sent_to_address(bounce.recipient)
    if bounce.date is None:
        return candidates[-1] if candidates else None
    latest = None
    for sent in candidates:
        moment = parse_moment(sent.sent_at)
        # A notice is written after the message; a few minutes of clock skew are allowed.
        if (
            moment - dt.timedelta(minutes=10)
            <= bounce.date
            <= moment + dt.timedelta(days=MATCH_DAYS)
        ):
            latest = sent
    return latest

"""Which transport a run's messages take: SMTP, Microsoft Graph or the outbox folder.

Apart from the transports themselves so that signing in (`kops mail check`) reaches it
without the planning code, which the outbox's folder name would bring in.
"""

from __future__ import annotations

from ..config import Settings
from ..workspace import Workspace
from .transport import OutboxTransport, SmtpTransport, Transport


def transport_for(
    ws: Workspace, settings: Settings, run_id: str, folder_suffix: str = ""
) -> Transport:
    mail = settings.mail
    if mail.transport == "smtp":
        return SmtpTransport(mail.smtp, mail.from_addr)
    if mail.transport == "graph":
        from .graph import GraphTransport

        return GraphTransport(mail)
    from .plan import outbox_folder  # the planning code: only for the outbox

    return OutboxTransport(outbox_folder(ws, run_id, folder_suffix))

"""``kops mail check``: can kops reach the mail service and sign in? Sends nothing (unless asked).

Each step is reported in the reader's language as it is passed; the first failure stops
the check with what went wrong and the next step for the mail administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..clock import now
from ..config import Settings
from ..errors import KopsError
from ..i18n import N_, _
from ..store import record_action
from ..workspace import Workspace
from .message import as_bytes, build_message, message_id
from .transport import FatalFailure, PermanentFailure, TemporaryFailure, Transport, UnknownOutcome

STEP_LABELS = {
    "connected": N_("Connected to the server"),
    "starttls": N_("Encrypted with STARTTLS (certificate verified)"),
    "ssl": N_("Connected with SSL/TLS (certificate verified)"),
    "authenticated": N_("Signed in"),
    "token": N_("Got an access token (sending through Graph is signed in with it)"),
    "mailbox": N_("Checked the sending mailbox"),
}


def _step(step: str) -> str:
    return _(STEP_LABELS[step]) if step in STEP_LABELS else step


AUTH_WORDS = {
    "none": N_("no sign-in"),
    "password": N_("password sign-in"),
    "xoauth2": "XOAUTH2",
}


@dataclass
class CheckResult:
    steps: list[str]
    test_sent_to: str | None = None


def describe(settings: Settings) -> str:
    mail = settings.mail
    if mail.transport == "smtp":
        smtp = mail.smtp
        parts = [smtp.security, _(AUTH_WORDS[smtp.auth_mode])]
        if smtp.auth_mode == "xoauth2":
            parts[-1] = _("{how} ({provider})").format(how=parts[-1], provider=smtp.oauth.provider)
        if smtp.user:
            parts.append(smtp.user)
        return _("{transport} ({details})").format(
            transport=f"SMTP {smtp.host}:{smtp.port}", details=_(", ").join(parts)
        )
    if mail.transport == "graph":
        mailbox = mail.graph.mailbox or mail.smtp.user or mail.from_addr
        details = _(", ").join(["sendMail", str(mailbox), mail.smtp.oauth.provider])
        return _("{transport} ({details})").format(
            transport=f"Microsoft Graph {mail.graph.endpoint}", details=details
        )
    return mail.transport


def check(
    ws: Workspace,
    settings: Settings,
    transport: Transport,
    to_test: str | None,
    say: Callable[[str], None],
) -> CheckResult:
    """Open the transport (connect, TLS, sign in), optionally send one test mail, close."""
    mail = settings.mail
    say(_("Checking how mail is sent: {how}").format(how=describe(settings)))
    try:
        transport.open()
    except (FatalFailure, TemporaryFailure) as err:
        done = list(getattr(transport, "steps", []))
        for step in done:
            say(f"  ✓ {_step(step)}")
        hint = getattr(err, "hint", None)
        raise KopsError(
            _("The connection check failed: {error}").format(error=err),
            hint=hint
            or _("check host, port and security under mail.smtp, then run kops mail check again"),
        ) from None
    steps = list(getattr(transport, "steps", []))
    for step in steps:
        say(f"  ✓ {_step(step)}")
    sent_to = None
    try:
        if to_test is not None:
            stamp = now()
            # The test mail is a mail: written in Japanese, as every mail kops sends.
            message = build_message(
                mail,
                "テスト送信先",
                to_test,
                f"{mail.subject_prefix}送信テスト（kops mail check）",
                "kops mail check からの送信テストです。\n"
                f"送信方法: {describe(settings)}\n"
                f"送信時刻: {stamp:%Y-%m-%d %H:%M}\n\n"
                "このメールが届いていれば、kops からメールを送信できます。\n",
                None,
                message_id("check", f"{to_test}\0{stamp.isoformat()}", mail.message_id_domain),
            )
            try:
                transport.send(as_bytes(message), mail.from_addr, to_test, "check")
            except (TemporaryFailure, PermanentFailure, UnknownOutcome, FatalFailure) as err:
                raise KopsError(
                    _("The test mail could not be sent: {error}").format(error=err),
                    hint=getattr(err, "hint", None)
                    or _(
                        "check that the sending address (mail.from_addr) may send from the "
                        "mailbox that signed in"
                    ),
                ) from None
            sent_to = to_test
            record_action(ws, "mail test", target=to_test, count=1, detail={"via": "mail check"})
            say("  ✓ " + _("Sent a test mail to {address}").format(address=to_test))
    finally:
        transport.close()
    return CheckResult(steps, sent_to)

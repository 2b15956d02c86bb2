"""``kops mail check``: can kops reach the mail service and sign in? Sends nothing (unless asked).

Each step is reported in Japanese as it is passed; the first failure stops
the check with what went wrong and the next step for the mail administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..clock import now
from ..config import Settings
from ..errors import KopsError
from ..store import record_action
from ..workspace import Workspace
from .message import as_bytes, build_message, message_id
from .transport import FatalFailure, PermanentFailure, TemporaryFailure, Transport, UnknownOutcome

STEP_LABELS = {
    "connected": "サーバーに接続しました",
    "starttls": "STARTTLS で暗号化しました（証明書を確認済み）",
    "ssl": "SSL/TLS で接続しました（証明書を確認済み）",
    "authenticated": "認証に成功しました",
    "token": "アクセストークンを取得しました（Graph への送信はトークンで認証されます）",
    "mailbox": "送信元メールボックスを確認しました",
}


@dataclass
class CheckResult:
    steps: list[str]
    test_sent_to: str | None = None


def describe(settings: Settings) -> str:
    mail = settings.mail
    if mail.transport == "smtp":
        smtp = mail.smtp
        how = {"none": "認証なし", "password": "パスワード認証", "xoauth2": "XOAUTH2"}[
            smtp.auth_mode
        ]
        if smtp.auth_mode == "xoauth2":
            how += f"（{smtp.oauth.provider}）"
        user = f"、{smtp.user}" if smtp.user else ""
        return f"SMTP {smtp.host}:{smtp.port}（{smtp.security}、{how}{user}）"
    if mail.transport == "graph":
        mailbox = mail.graph.mailbox or mail.smtp.user or mail.from_addr
        provider = mail.smtp.oauth.provider
        return f"Microsoft Graph {mail.graph.endpoint}（sendMail、{mailbox}、{provider}）"
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
    say(f"確認する送信方法: {describe(settings)}")
    try:
        transport.open()
    except (FatalFailure, TemporaryFailure) as err:
        done = list(getattr(transport, "steps", []))
        for step in done:
            say(f"  ✓ {STEP_LABELS.get(step, step)}")
        hint = getattr(err, "hint", None)
        raise KopsError(
            f"接続の確認に失敗しました: {err}",
            hint=hint
            or "mail.smtp の host・port・security を確認し、"
            "もう一度 kops mail check を実行してください",
        ) from None
    steps = list(getattr(transport, "steps", []))
    for step in steps:
        say(f"  ✓ {STEP_LABELS.get(step, step)}")
    sent_to = None
    try:
        if to_test is not None:
            stamp = now()
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
                    f"試験メールを送れませんでした: {err}",
                    hint=getattr(err, "hint", None)
                    or "送信元アドレス（mail.from_addr）が、"
                    "サインインしたメールボックスから送信できるか確認してください",
                ) from None
            sent_to = to_test
            record_action(ws, "mail test", target=to_test, count=1, detail={"via": "mail check"})
            say(f"  ✓ 試験メールを {to_test} に送信しました")
    finally:
        transport.close()
    return CheckResult(steps, sent_to)

"""What a mail server's or sign-in service's refusal means, in Japanese, and what to do next.

The secretariat reads these; the next step is usually for the mail
administrator (Entra ID / Google Workspace). Matched on the codes and phrases
the services document (enhanced status codes, AADSTS error numbers, OAuth2
error names), never on the secret parts of a reply.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN_DOC = "docs/mail-admin.ja.md"


@dataclass(frozen=True)
class Diagnosis:
    what: str  # what went wrong
    next_step: str  # who does what next


# (phrase in the reply, lower-cased) → diagnosis; the first match wins.
_SMTP_AUTH: tuple[tuple[str, Diagnosis], ...] = (
    (
        "smtpclientauthentication is disabled for the mailbox",
        Diagnosis(
            "このメールボックスでは SMTP AUTH（認証付き SMTP 送信）が無効になっています。",
            "メール管理者に、送信元メールボックスの「認証済み SMTP」を有効にするよう依頼してください"
            f"（Exchange 管理センター → ユーザー → メール → メールアプリの管理。{ADMIN_DOC}）。",
        ),
    ),
    (
        "smtpclientauthentication is disabled for the tenant",
        Diagnosis(
            "組織（テナント）全体で SMTP AUTH が無効になっています。",
            "メール管理者に、送信元メールボックスだけ SMTP AUTH を有効にしてもらうか、"
            f"mail.transport: graph（Microsoft Graph で送信）に切り替えてください（{ADMIN_DOC}）。",
        ),
    ),
    (
        "basic authentication is disabled",
        Diagnosis(
            "パスワードによる SMTP 認証（基本認証）は無効です。",
            "kops.yaml で mail.smtp.auth: xoauth2 にして kops mail login でサインインしてください"
            f"（{ADMIN_DOC}）。",
        ),
    ),
    (
        "5.7.9",
        Diagnosis(
            "Google Workspace がアカウントのパスワードでのログインを拒否しました（アプリ パスワードが必要）。",
            "mail.smtp.auth: xoauth2 と mail.smtp.oauth.provider: google に切り替えてください"
            f"（{ADMIN_DOC}）。",
        ),
    ),
    (
        "5.7.139",
        Diagnosis(
            "Microsoft 365 が認証を拒否しました（条件付きアクセスやセキュリティの既定値群による制限の可能性）。",
            "メール管理者に、送信元メールボックスのサインイン ログを確認してもらってください"
            f"（{ADMIN_DOC}）。",
        ),
    ),
    (
        "5.7.3",
        Diagnosis(
            "トークンは受け付けられましたが、このメールボックスとして送信する権限がありません"
            "（トークンの利用者と mail.smtp.user が違う、または SMTP.Send の権限がない）。",
            "mail.smtp.user を、サインインしたアカウント（または代理送信を許可された共有メールボックス）に"
            "してください。アプリのみの送信では、管理者がサービス プリンシパルにメールボックスの権限を付与します"
            f"（{ADMIN_DOC}）。",
        ),
    ),
)

_EXPIRED = Diagnosis(
    "アクセストークンが拒否されました（期限切れ、取り消し、または別のユーザーのトークン）。",
    "新しいトークンでも拒否される場合は kops mail login でサインインし直してください。"
    "トークンのユーザーが mail.smtp.user と一致しているかも確認してください。",
)

_PASSWORD = Diagnosis(
    "ユーザー名またはパスワードが正しくありません。",
    "KOPS_SMTP_PASSWORD（または OS のキーリング）のパスワードを確認してください。"
    "Microsoft 365 と Google Workspace ではパスワード認証が使えないため、mail.smtp.auth: xoauth2 にしてください。",
)


def smtp_auth(code: int, reply: str, mechanism: str) -> Diagnosis:
    """Why the server refused AUTH."""
    text = reply.lower()
    for phrase, diagnosis in _SMTP_AUTH:
        if phrase in text:
            return diagnosis
    return _EXPIRED if mechanism == "XOAUTH2" else _PASSWORD


def not_offered(mechanism: str, offered: str) -> Diagnosis:
    shown = offered or "なし"
    if mechanism == "XOAUTH2":
        return Diagnosis(
            f"サーバーが XOAUTH2 での認証を受け付けていません（提示された方式: {shown}）。",
            "mail.smtp.host と port（Microsoft 365 は smtp.office365.com:587、Google は smtp.gmail.com:587）、"
            "security: starttls を確認してください。",
        )
    return Diagnosis(
        f"サーバーが {mechanism} での認証を受け付けていません（提示された方式: {shown}）。",
        "mail.smtp.auth と security の設定を確認してください。",
    )


# Sign-in service errors (AADSTS numbers, OAuth2 error names) → diagnosis.
_SIGN_IN: tuple[tuple[str, Diagnosis], ...] = (
    (
        "aadsts65001",
        Diagnosis(
            "アプリへの同意がありません（または取り消されました）。",
            "メール管理者に、Entra ID のアプリ登録で SMTP.Send（委任）に管理者の同意を与えてもらい、"
            f"kops mail login でサインインし直してください（{ADMIN_DOC}）。",
        ),
    ),
    (
        "aadsts700082",
        Diagnosis(
            "サインインの有効期限が切れました（長期間使われなかったため）。",
            "kops mail login でサインインし直してください。",
        ),
    ),
    (
        "aadsts90002",
        Diagnosis(
            "テナントが見つかりません。",
            "kops.yaml の mail.smtp.oauth.tenant（ディレクトリ ID または組織のドメイン）を確認してください。",
        ),
    ),
    (
        "aadsts700016",
        Diagnosis(
            "このテナントにアプリ（client_id）が見つかりません（テナント違いの可能性）。",
            "mail.smtp.oauth.tenant と client_id が、アプリを登録したテナントのものか確認してください"
            f"（{ADMIN_DOC}）。",
        ),
    ),
    (
        "aadsts50020",
        Diagnosis(
            "サインインしたアカウントはこのテナントのユーザーではありません。",
            "送信元メールボックスの組織のアカウントでサインインし直してください。",
        ),
    ),
    (
        "aadsts7000215",
        Diagnosis(
            "クライアント シークレットが正しくありません（期限切れの可能性）。",
            "管理者に新しいシークレットを発行してもらい、KOPS_OAUTH_CLIENT_SECRET に設定してください。",
        ),
    ),
    (
        "invalid_grant",
        Diagnosis(
            "保存されているサインイン（リフレッシュ トークン）が無効です（期限切れ・取り消し・パスワード変更）。",
            "kops mail login でサインインし直してください。",
        ),
    ),
    (
        "invalid_client",
        Diagnosis(
            "アプリ（client_id またはクライアント シークレット）が認められませんでした。",
            f"mail.smtp.oauth.client_id とシークレットを確認してください（{ADMIN_DOC}）。",
        ),
    ),
    (
        "unauthorized_client",
        Diagnosis(
            "このアプリには、この方法でのサインインが許可されていません。",
            "Entra ID のアプリ登録で「パブリック クライアント フローを許可する」を有効にしてください"
            f"（{ADMIN_DOC}）。",
        ),
    ),
)


def sign_in(error: str, description: str) -> Diagnosis:
    text = f"{error} {description}".lower()
    for phrase, diagnosis in _SIGN_IN:
        if phrase in text:
            return diagnosis
    return Diagnosis(
        f"サインインに失敗しました（{error or '不明なエラー'}）。",
        "kops mail login でサインインし直してください。続く場合はメール管理者に連絡してください。",
    )

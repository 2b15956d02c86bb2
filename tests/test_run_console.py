"""The sample message a plan shows: headers as a mail client reads them off the wire."""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from rich.markup import escape

from kakeai_ops.cli.console import out, start_invocation
from kakeai_ops.cli.run_console import print_message
from kakeai_ops.config import Settings
from kakeai_ops.mail.message import as_bytes
from kakeai_ops.mail.plan import PlannedMessage, build_planned

HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID")


def shown(settings: Settings, message: PlannedMessage) -> str:
    start_invocation()
    out.file = io.StringIO()
    try:
        print_message(settings, message)
        return str(out.file.getvalue())
    finally:
        out.file = None  # type: ignore[assignment]


def read_back(settings: Settings, message: PlannedMessage) -> tuple[list[str], str]:
    """An independent reading: the whole message as sent, parsed back."""
    built = as_bytes(build_planned(settings.mail, message))
    parsed = message_from_bytes(built, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    return [str(parsed[h]) for h in HEADERS], str(body.get_content())


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("髙橋 一郎", "【KAKEAI事務局】1on1 の前に「トピック」と「対応」を選んでみませんか（①）"),
        ('O\'Brien, "Jr." (QA)', "=?utf-8?b?5pys5paH?= literally, " + "long words " * 10),
        ("Ｗｉｄｅ　名前", "絵文字😀と [角括弧] のある件名"),
    ],
)
def test_the_sample_shows_what_the_wire_carries(
    name: str, subject: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_NOW", "2026-12-01T10:00:00")
    monkeypatch.setenv("COLUMNS", "400")  # no line of the sample wrapped
    book = tmp_path / "報告.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    settings = Settings()
    for attachments in ([], [str(book)]):
        message = PlannedMessage(
            item="u1",
            user_id="u1",
            name=name,
            email="u1@example.jp",
            template="no_prep.member",
            kind="nudge",
            subject=subject,
            text=f"{name} 様\n\n本文 [b]太字でない[/b]\n  字下げ\n",
            html=None,
            message_id="<abc@kops.example>",
            attachments=attachments,
        )
        headers, body = read_back(settings, message)
        printed = shown(settings, message)
        for header, value in zip(HEADERS, headers, strict=True):
            assert f"{header}: {value}\n" in printed
        assert escape(body) != body  # markup in the text, shown as written:
        assert printed.endswith(body.replace("\r\n", "\n"))

"""The message: headers that round-trip with Japanese names."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from kakeai_ops.config import Settings
from kakeai_ops.mail.message import as_bytes, build_message, message_id


def test_headers_round_trip_with_japanese_names(tmp_path: Path) -> None:
    settings = Settings()
    subject = "【KAKEAI事務局】1on1 の前に「トピック」と「対応」を選んでみませんか（髙橋さん・山﨑さん向け①）"
    built = build_message(
        settings.mail,
        "髙橋 一郎",
        "ichiro@example.jp",
        subject,
        "髙橋 一郎 様\n本文①\n",
        None,
        message_id("r", "u1", "kops.example"),
    )
    raw = as_bytes(built)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78  # folded per RFC 5322/2047
    assert b"ichiro@example.jp" in raw  # the address stays readable, outside the encoded word
    parsed = message_from_bytes(raw, policy=policy.default)
    assert str(parsed["Subject"]) == subject
    assert parsed["To"].addresses[0].display_name == "髙橋 一郎"
    assert parsed["To"].addresses[0].addr_spec == "ichiro@example.jp"
    assert parsed["From"].addresses[0].display_name == "KAKEAI事務局"
    assert parsed["Reply-To"].addresses[0].addr_spec == settings.mail.reply_to
    assert parsed["Content-Transfer-Encoding"] == "base64"
    assert parsed.get_content().replace("\r\n", "\n") == "髙橋 一郎 様\n本文①\n"  # CRLF on the wire
    assert parsed["Message-ID"] == message_id("r", "u1", "kops.example")
    assert message_id("r", "u1", "d") != message_id("r", "u2", "d") != message_id("r2", "u1", "d")

"""The message: headers that round-trip with Japanese names."""

from __future__ import annotations

from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kakeai_ops.config import Settings
from kakeai_ops.mail.message import as_bytes, build_message, message_id
from mailing import plain


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
    assert [part["Content-Transfer-Encoding"] for part in parsed.iter_parts()] == ["base64"] * 2
    assert plain(parsed).replace("\r\n", "\n") == "髙橋 一郎 様\n本文①\n"  # CRLF on the wire
    assert parsed["Message-ID"] == message_id("r", "u1", "kops.example")
    assert message_id("r", "u1", "d") != message_id("r", "u2", "d") != message_id("r2", "u1", "d")


class _Shown(HTMLParser):
    """What a mail client shows of an HTML body: its text, a line per <br>, and the links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.inside = "", [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.text += "\n"
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        self.inside += tag == "body"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data.replace("\r", "").replace("\n", "")  # source breaks show as none


def shown(html: str) -> _Shown:
    reader = _Shown()
    reader.feed(html)
    reader.text = reader.text.replace("\xa0", " ")
    return reader


def test_the_html_part_says_what_the_text_says_line_for_line() -> None:
    """Outlook joins the lines of a plain-text mail it takes for wrapped, so every mail has
    an HTML part too: the same lines (blank ones kept), the addresses as links, hostile
    text shown as text, and the Japanese after an address outside its link."""
    text = (
        "髙橋 一郎 様\n\n■ 日時：2026年12月10日（木）12:15〜\n・一つ目\n・二つ目\n"
        "KAKEAI はこちらから開けます：https://kakeai.example.jp/login?a=1&b=2\n"
        "（https://portal.example.jp/guide）。\n"
        '<script>alert("x")</script> & 　全角　と  半角の空白\n'
    )
    built = build_message(
        Settings().mail, "髙橋 一郎", "ichiro@example.jp", "件名", text, None, "<m@x>"
    )
    parsed = message_from_bytes(as_bytes(built), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    html = parsed.get_body(preferencelist=("html",)).get_content()
    seen = shown(html)
    assert seen.text.strip("\n") == plain(parsed).replace("\r\n", "\n").strip("\n")
    assert seen.links == [
        "https://kakeai.example.jp/login?a=1&b=2",
        "https://portal.example.jp/guide",
    ]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_template_s_own_html_is_sent_as_written() -> None:
    built = build_message(
        Settings().mail, "A", "a@example.jp", "件名", "本文\n", "<p>本文</p>", "<m@x>"
    )
    parsed = message_from_bytes(as_bytes(built), policy=policy.default)
    assert parsed.get_body(preferencelist=("html",)).get_content() == "<p>本文</p>\r\n"


def test_an_attachment_is_named_as_outlook_and_gmail_name_theirs(tmp_path: Path) -> None:
    """The Japanese name as quoted RFC 2047 words (what Outlook and Gmail send), never the
    standard library's RFC 2231 continuations, which Outlook has shown as 「ATT00001」."""
    book = tmp_path / "division-report-開発本部HRBP-83506343.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    names = [
        "1on1実施状況レポート_開発本部 製品開発部・品質保証部_20261120.xlsx",
        'plain "report".xlsx',
    ]
    built = build_message(
        Settings().mail,
        "佐々木 恵",
        "sasaki@example.jp",
        "件名",
        "本文\n",
        None,
        "<m@x>",
        attachments=[book, book],
        attachment_names=names,
    )
    raw = as_bytes(built)
    assert b"filename*" not in raw and b'filename="=?utf-8?b?' in raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = message_from_bytes(raw, policy=policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        *["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] * 2,
    ]
    got = list(parsed.iter_attachments())
    assert [a.get_filename() for a in got] == names
    assert [a.get_param("name") for a in got] == names
    assert all(a.get_content() == book.read_bytes() and not a.defects for a in got)


def test_every_encoded_word_is_whole_characters() -> None:
    """RFC 2047: each encoded word decodes on its own (Outlook shows 「�」 for a character
    split between two), in the subject, the names and an attachment's name alike."""
    import base64
    import re

    subject = "【KAKEAI事務局】オンラインセミナーのご案内 12/10(木) 12:15〜「上司の方向け：データから紐解く！メンバーとの効果的な1on1を行うコツ」"
    built = build_message(
        Settings().mail, "髙橋 﨑子", "a@example.jp", subject, "本文\n", None, "<m@x>"
    )
    head = as_bytes(built).split(b"\r\n\r\n", 1)[0].decode("ascii")
    words = re.findall(r"=\?utf-8\?b\?([A-Za-z0-9+/=]+)\?=", head)
    assert len(words) > 3
    for word in words:
        base64.b64decode(word).decode("utf-8")  # strict: a split character raises


def _boundaries_named(raw: bytes) -> bytes:
    """The bytes with each MIME boundary (random per message) named by its order."""
    import re

    found: list[bytes] = []
    for boundary in re.findall(rb"={15}\d+==", raw):
        if boundary not in found:
            found.append(boundary)
    for n, boundary in enumerate(found):
        raw = raw.replace(boundary, b"=BOUNDARY%d=" % n)
    return raw


def test_headers_parsed_and_folded_once_are_the_bytes_the_standard_library_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header value met again is served from memory: the bytes stay those of policy.SMTP
    building and folding every message afresh, whatever came before (another subject, the
    same name as a string, a name only its case tells apart)."""
    import kakeai_ops.mail.message as message_module

    book = tmp_path / "報告.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    cases = [
        ("髙橋 一郎", "ichiro@example.jp", "【KAKEAI事務局】1on1 の前に「トピック」①"),
        ("髙橋 一郎", "ichiro@example.jp", "【KAKEAI事務局】1on1 の前に「トピック」②"),
        ("髙橋 一郎", "Ichiro@example.jp", "=?utf-8?b?5pys5paH?= は文字どおり"),
        ('O\'Brien, "Jr." (QA)', "ob@example.jp", "Re: plain ASCII " + "long words " * 12),
        ("Ｗｉｄｅ　名前　😀", "w@example.jp", "絵文字😀と 全角スペース　" * 4),
        ("", "noname@example.jp", "x"),
    ]
    variants = [((), ()), ((book,), ("月次レポート 2026年11月.xlsx",))]

    def built(name: str, address: str, subject: str, files: Any, names: Any) -> bytes:
        made = build_message(
            Settings().mail,
            name,
            address,
            subject,
            f"{name} 様\n本文\n",
            None,
            message_id("r", address, "kops.example"),
            date="Tue, 01 Dec 2026 10:00:00 +0900",
            attachments=files,
            attachment_names=names,
        )
        return _boundaries_named(as_bytes(made))

    once = [built(*case, *variant) for variant in variants for case in cases]
    again = [built(*case, *variant) for variant in variants for case in cases]
    monkeypatch.setattr(message_module, "_BUILD", policy.SMTP)
    monkeypatch.setattr(message_module, "_WIRE", policy.SMTP.clone(refold_source="none"))
    afresh = [built(*case, *variant) for variant in variants for case in cases]
    assert once == afresh and again == afresh
    assert len(set(afresh)) == len(afresh)


def test_the_part_boundary_is_the_standard_library_s_for_the_same_random_state() -> None:
    """Written without a regular expression per message, a message is the bytes the standard
    library writes from the same random state, and a boundary a part's line already holds
    is passed over as the standard library passes it over."""
    import random
    import sys
    from email.generator import BytesGenerator, Generator

    from kakeai_ops.mail.message import _WIRE, _Writer

    for seed in range(5):
        built = build_message(
            Settings().mail, "髙橋 一郎", "i@example.jp", "件名", "本文\n", None, f"<{seed}@x>"
        )
        random.seed(seed)
        ours = as_bytes(built)
        random.seed(seed)
        theirs = built.as_bytes(policy=_WIRE)
        assert ours == theirs
    random.seed(1)
    token = "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="
    texts = [
        f"a\n--{token}\nb",  # taken: the next one is .0
        f"--{token}--\n--{token}.0\n",  # .0 taken too
        f"x--{token}\n --{token}\n--{token}\r\n",  # not lines of their own
        f"--{token}",
    ]
    for text in texts:
        for kind in (str, bytes):
            given = text if kind is str else text.encode("ascii")
            random.seed(1)
            reference = BytesGenerator if kind is bytes else Generator
            expected = reference._make_boundary(given)  # type: ignore[attr-defined]
            random.seed(1)
            assert _Writer._make_boundary(given) == expected

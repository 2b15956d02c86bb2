"""An address refused in an export is said as what is wrong with it, in the reader's
language: not in email-validator's English."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from conftest import USERS_HEADER, Cli, write_csv
from kakeai_ops.exports.email_words import OLDER, REASONS, reason_words
from kakeai_ops.workspace import Workspace

# What an HR export holds in メールアドレス → what the reader is told.
MISTAKES = {
    "yamada": "there is no @",
    "@example.co.jp": "nothing before the @",
    "yamada@": "nothing after the @",
    "山田 <yamada@example.co.jp>": "a name is written with the address",
    "a@example.co.jp,b@example.co.jp": "characters that cannot be in an address after the @: ','",
    "yama da@example.co.jp": "characters that cannot be in an address before the @: SPACE",
    "yamada\u200b@example.co.jp": "characters that cannot be seen or are unsafe: ZERO WIDTH SPACE",
    "yamada@example": "the domain after the @ has no period",
    "yamada@example.123": "does not end in a real top-level domain",
    "yamada@example.local": "a reserved name no mail can reach",
    "yama..da@example.co.jp": "two periods in a row",
    "yamada.@example.co.jp": "a period just before the @",
    "yamada@.example.co.jp": "a period just after the @",
    ".yamada@example.co.jp": "it starts with a period",
    "yamada@example.co.jp.": "it ends with a period",
    "yamada@-example.co.jp": "a hyphen just after the @",
    '"yama da"@example.co.jp': "the part before the @ is in quotes",
    "yamada@[192.0.2.1]": "an IP address after the @",
    "y" * 60 + "@" + ("e" * 60 + ".") * 4 + "jp": "the address is too long",
    "yamada@" + "e" * 64 + ".jp": "a part of the domain after the @ is too long",
}


def _library_reason(address: str) -> str:
    with pytest.raises(EmailNotValidError) as refused:
        validate_email(address, check_deliverability=False)
    return str(refused.value)


@pytest.mark.parametrize("address", MISTAKES)
def test_each_refusal_is_said_as_what_is_wrong(address: str) -> None:
    said = reason_words(_library_reason(address))
    assert MISTAKES[address] in said, said


def test_every_reason_in_the_table_is_one_the_library_gives() -> None:
    """An entry no mistake above meets is a guess at the library's wording."""
    reasons = [_library_reason(address) for address in MISTAKES]
    unmet = [
        p.pattern
        for p, _words in REASONS
        if p.pattern not in OLDER and not any(p.fullmatch(r) for r in reasons)
    ]
    assert unmet == []
    assert reason_words("A reason from a later release.") == "A reason from a later release."


def test_the_oldest_allowed_releases_words_are_said_too() -> None:
    # email-validator 2.1 (the lowest allowed) refuses two addresses in one cell so.
    said = reason_words("The email address is not valid. It must have exactly one @-sign.")
    assert said == "there must be exactly one @"


def test_ingest_says_it_in_japanese(ws: Workspace, make_exports, tmp_path) -> None:
    users = [
        [
            "0001",
            "髙橋 一郎",
            "髙橋 <ichiro@example.jp>",
            "営業本部",
            "第一営業部",
            "営業",
            "40代",
            "在籍",
            "",
        ],
        ["0002", "山﨑 花子", "hanako", "営業本部", "第一営業部", "営業", "20代", "在籍", ""],
        ["0003", "佐藤 健太", "", "開発本部", "", "エンジニア", "30代", "在籍", ""],
    ]
    files = make_exports(users=users)
    write_csv(files[0], USERS_HEADER, users, encoding="cp932")
    refused = Cli(ws)("ingest", *map(str, files), env={"KOPS_LANG": "ja"}, ok=False)
    assert refused.exit_code == 1
    assert (
        "users.csv:2: メールアドレス: 1つのメールアドレスではありません ('髙橋 <ichiro@example.jp>': "
        "名前がアドレスと一緒に書かれています（山田 <a@example.co.jp>）: アドレスだけにしてください)"
    ) in refused.stderr
    assert (
        "users.csv:3: メールアドレス: 1つのメールアドレスではありません ('hanako': @ がありません)"
        in (refused.stderr)
    )

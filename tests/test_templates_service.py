"""Mails people can act on: the not_activated mail gives KAKEAI's address and the first
steps, and is never sent without the address."""

from __future__ import annotations

import yaml

from conftest import Cli
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace


def set_service(ws: Workspace, **values: str) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["service"] = values
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def test_status_warns_and_send_refuses_without_the_login_url(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    assert "service.login_url is not set" in cli("status").stderr
    # In Japanese the mail is named by its stuck point, its key only beside it.
    said = cli("status", env={"KOPS_LANG": "ja"}).stderr
    assert "未ログインの人へのメール（not_activated）には KAKEAI のログインアドレスが必要" in said
    for mode in (["--yes"], ["--dry-run"]):
        refused = cli("mail", "send", "--segment", "not_activated", *mode, ok=False)
        assert "service.login_url" in refused.stderr and "nothing was sent" in refused.stderr
    assert Ledger(sample_copy).run("not_activated-2026-11") is None
    assert not list(sample_copy.outbox_dir.rglob("*.eml"))
    # Mails that give no login address are not held back by it.
    cli("mail", "send", "--segment", "no_pair", "--dry-run")


def test_the_not_activated_mail_gives_the_address_and_three_steps(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    set_service(
        sample_copy,
        login_url="https://kakeai.example.co.jp/login",
        help_url="https://portal.example.co.jp/kakeai-guide",
    )
    assert "service." not in cli("status").stderr
    text = cli("mail", "preview", "--segment", "not_activated").stdout
    assert "1. ログインする：https://kakeai.example.co.jp/login" in text
    # 竹瀬 結菜, the first, has her 上司's invitation waiting: the third step is to accept it.
    assert "2. プロフィールを確認する" in text and "3. ペア招待を承認する" in text
    assert "https://portal.example.co.jp/kakeai-guide" in text
    cli("mail", "send", "--segment", "not_activated", "--yes")


def test_a_service_address_must_be_a_web_address(cli: Cli, ws: Workspace) -> None:
    set_service(ws, login_url="kakeai.example.co.jp/login")
    refused = cli("status", ok=False)
    assert "service.login_url" in refused.stderr and "https://" in refused.stderr


def test_plan_warns_while_the_login_url_is_unset(sample_ws: Workspace) -> None:
    shown = Cli(sample_ws)("mail", "plan", "--segment", "not_activated")
    assert "service.login_url is not set" in shown.stderr and "will refuse" in shown.stderr
    assert "（ログインの URL は追ってご案内します）" in shown.stderr  # the sample, as it stands


# Every nudge that asks for something done in KAKEAI, by its stuck point.
ACTION_NUDGES = {
    "no_pair": "no_pair",
    "no_1on1.member": "no_1on1",
    "no_1on1.manager": "no_1on1",
    "lapsed.member": "lapsed",
    "lapsed.manager": "lapsed",
    "no_prep.member": "no_prep",
    "no_rating.member": "no_rating",
    "no_recurrence.manager": "no_recurrence",
}


def test_every_nudge_that_asks_for_an_action_says_where_kakeai_is(
    sample_copy: Workspace,
) -> None:
    """A reader asked to choose a topic, invite, rate or set recurrence is told where
    KAKEAI opens; while kops.yaml has no address the line is left out (never 「None」)
    and the mail still goes (only the not_activated mail needs the address)."""
    cli = Cli(sample_copy)
    for template, segment in ACTION_NUDGES.items():
        text = cli("mail", "preview", "--segment", segment, "--template", template).stdout
        assert "こちらから開けます" not in text and "None" not in text, template
    cli("mail", "send", "--segment", "lapsed", "--dry-run")
    set_service(sample_copy, login_url="https://kakeai.example.co.jp/login")
    for template, segment in ACTION_NUDGES.items():
        text = cli("mail", "preview", "--segment", segment, "--template", template).stdout
        lines = text.splitlines()
        assert (
            lines.count("KAKEAI はこちらから開けます：https://kakeai.example.co.jp/login") == 1
        ), template

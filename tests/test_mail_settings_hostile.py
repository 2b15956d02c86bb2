"""A login address no one can follow is refused naming service.login_url."""

from __future__ import annotations

from conftest import Cli
from kakeai_ops.workspace import Workspace


def _set_service(ws: Workspace, **service: str) -> None:
    import yaml

    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["service"] = service
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def test_a_login_address_no_one_can_follow_is_refused_by_its_key(sample_copy: Workspace) -> None:
    """'https://' alone, a space inside, or no host went into every not_activated mail as
    a link that leads nowhere; each is refused naming service.login_url."""
    import pytest

    cli = Cli(sample_copy)
    for bad in (
        "https://",
        "https:// kakeai.example.co.jp/login",
        "https://kakeai.example.co.jp/log in",
        "https:///login",
        "https://kakeai.example.co.jp/\u3000login",
    ):
        _set_service(sample_copy, login_url=bad)
        refused = cli("status", ok=False)
        assert refused.exit_code != 0, bad
        assert "service.login_url" in refused.stderr, (bad, refused.stderr)
    for good in ("https://kakeai.example.co.jp/login", "http://intra.example.co.jp:8080/kakeai"):
        _set_service(sample_copy, login_url=good, help_url=good)
        assert cli("status").exit_code == 0
    _ = pytest

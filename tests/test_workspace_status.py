"""kops status's core: the snapshot rows from their manifests, every file checked against
its hash, a table that does not read back refused, and what kops.yaml lacks."""

from __future__ import annotations

import json

import pytest

from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.workspace_status import (
    check_workspace,
    damaged_files,
    read_back,
    service_gaps,
    snapshot_rows,
)
from kakeai_ops.store import snapshot_entries
from kakeai_ops.workspace import Workspace


def _snapshots(ws: Workspace) -> list:
    return [e.snapshot for e in snapshot_entries(ws) if e.snapshot is not None]


def test_the_rows_say_what_each_manifest_records(sample_ws: Workspace) -> None:
    rows = snapshot_rows(_snapshots(sample_ws))
    assert [row["snapshot"] for row in rows] == ["0001", "0002"]
    for row in rows:
        manifest = json.loads(
            (sample_ws.snapshots_dir / row["snapshot"] / "manifest.json").read_text("utf-8")
        )
        assert row["as_of"] == manifest["as_of"]
        assert row["meetings_to"] == manifest["meetings_to"]
        assert row["last_held_at"] == manifest["data"]["last_held_at"]
        assert row["files"] == "meetings.xlsx, pairs.csv, users.csv"
        assert row["older"] is False
    assert rows[1]["as_of"] == "2026-11-20"


def test_an_intact_workspace_counts_every_file(sample_ws: Workspace) -> None:
    found, files = damaged_files(sample_ws, snapshot_entries(sample_ws))
    assert found == []
    checksums = sum(
        len(json.loads((s.path / "manifest.json").read_text("utf-8"))["checksums"]) + 1
        for s in _snapshots(sample_ws)
    )
    assert files == checksums + 1  # and the state database
    said: list[str] = []
    assert check_workspace(sample_ws, snapshot_entries(sample_ws), said.append) == files
    assert said == []


def test_a_flipped_byte_is_named_and_refused(sample_copy: Workspace) -> None:
    table = sample_copy.snapshots_dir / "0001" / "users.parquet"
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0x01
    table.write_bytes(bytes(data))
    said: list[str] = []
    with pytest.raises(KopsError, match="1 damaged file"):
        check_workspace(sample_copy, snapshot_entries(sample_copy), said.append)
    assert len(said) == 1
    assert str(table) in said[0]
    read_back(_snapshots(sample_copy)[1])  # the other snapshot still reads back whole


def test_what_kops_yaml_lacks_for_the_mails(sample_ws: Workspace) -> None:
    settings = load_settings(sample_ws.config_path)
    gaps = service_gaps(settings)
    assert [gap.split(" ", 1)[0] for gap in gaps] == [
        "service.login_url",
        "service.help_url",
        "mail.from_addr・mail.reply_to・mail.contact",  # the sample's sender, still
    ]
    own = "jinji-1on1@sample-seisakusho.example"
    filled = settings.model_copy(
        update={
            "service": settings.service.model_copy(
                update={"login_url": "https://x.invalid/", "help_url": "https://y.invalid/"}
            ),
            "mail": settings.mail.model_copy(
                update={"from_addr": own, "reply_to": own, "contact": "人事部（内線 2345）"}
            ),
        }
    )
    assert service_gaps(filled) == []

"""The sample's Month1 seminar given its date and links, as the secretariat writes them
into kops.yaml once the seminar is booked."""

from __future__ import annotations

import yaml

from kakeai_ops.workspace import Workspace


def date_month1(ws: Workspace) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"].update(
        date="2026-10-28T12:15:00",
        url="https://meet.example/month1",
        recording_url="https://video.example/month1",
    )
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )

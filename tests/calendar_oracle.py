"""The days off of a workspace, recounted without kops: Japan's public holidays (the
holidays package) and the company holidays written in kops.yaml, ranges included."""

from __future__ import annotations

import datetime as dt

import holidays
import yaml

from kakeai_ops.workspace import Workspace


def days_off(ws: Workspace, year: int = 2026) -> set[dt.date]:
    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    off = set(holidays.country_holidays("JP", years=[year]))
    for item in config["calendar"]["company_holidays"]:
        first, _, last = str(item).partition("..")
        day = dt.date.fromisoformat(first)
        while day <= dt.date.fromisoformat(last or first):
            off.add(day)
            day += dt.timedelta(days=1)
    return off

"""The stored survey answers of every seminar, dated, for `kops seminar themes`."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ...config import Settings
from ...store import stored_survey_answers
from ...workspace import Workspace


def dated_answers(ws: Workspace, settings: Settings) -> pd.DataFrame:
    """Every stored survey answer with its date: the seminar's date in kops.yaml, else
    the day the survey was recorded."""
    frame = stored_survey_answers(ws)
    dates = []
    for seminar, recorded in zip(frame["seminar"], frame["recorded_at"], strict=True):
        config = settings.seminars.get(seminar)
        day = config.date if config is not None else None
        if isinstance(day, dt.datetime):
            day = day.date()
        dates.append(day or dt.date.fromisoformat(str(recorded)[:10]))
    frame["date"] = dates
    frame["dated_by"] = [
        "kops.yaml" if (c := settings.seminars.get(s)) is not None and c.date else "recorded"
        for s in frame["seminar"]
    ]
    return frame

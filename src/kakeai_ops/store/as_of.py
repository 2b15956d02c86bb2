"""The day a command judges as of: the one asked for, within the snapshot's data, else
the day the snapshot's data implies."""

from __future__ import annotations

import datetime as dt

from ..clock import now
from ..errors import KopsError
from ..i18n import _
from ..workspace import Workspace
from . import SnapshotInfo, list_snapshots


def judged_as_of(snapshot: SnapshotInfo, asked: dt.date | None) -> dt.date:
    """``asked`` (``--as-of``), else the date ``snapshot`` implies.

    A day after the one the snapshot implies is refused: the data cannot say who met
    after it ends, so everyone would look lapsed. Earlier days judge the past."""
    implied = snapshot.as_of
    if asked is None:
        if implied is None:
            raise KopsError(
                _("snapshot {snapshot} has no held 1on1 or login to date it by").format(
                    snapshot=snapshot.id
                ),
                hint=_("pass --as-of YYYY-MM-DD"),
            )
        return implied
    if implied is not None and asked > implied:
        raise KopsError(
            _("--as-of {as_of} is after the data: snapshot {snapshot} runs to {end}").format(
                as_of=asked.isoformat(), snapshot=snapshot.id, end=implied.isoformat()
            )
            + _future(asked),
            hint=_newer_data_hint(snapshot, asked),
        )
    return asked


def _future(day: dt.date) -> str:
    today = now().date()
    if day <= today:
        return ""
    return _(" (and in the future: today is {today})").format(today=today.isoformat())


def _newer_data_hint(snapshot: SnapshotInfo, day: dt.date) -> str:
    """A later snapshot whose data reaches ``day``, else what to ingest or ask instead."""
    later = [
        s
        for s in list_snapshots(Workspace(snapshot.path.parents[2]))  # …/state/snapshots/NNNN
        if s.as_of is not None and s.as_of >= day and int(s.id) > int(snapshot.id)
    ]
    if later:
        return _("snapshot {snapshot} runs to {end}: pass --snapshot {snapshot}").format(
            snapshot=later[0].id, end=later[0].as_of
        )
    return _(
        "ingest exports that run to {day} or later (`kops ingest …`), "
        "or pass an --as-of on or before {end}"
    ).format(day=day.isoformat(), end=snapshot.as_of)

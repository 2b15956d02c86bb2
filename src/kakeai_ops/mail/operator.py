"""What a mail run needs from the command that drives it: its data, and a person to show
the plan and progress to and to ask for confirmation. The CLI supplies both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from ..config import Settings
from ..store import SnapshotInfo, Tables
from ..workspace import Workspace
from .audience import Audience
from .plan import Plan


class Source(Protocol):
    """Where a run's data comes from: the workspace, its settings and snapshots."""

    @property
    def workspace(self) -> Workspace: ...

    @property
    def settings(self) -> Settings: ...

    def snapshot(self, ref: str | None = None) -> SnapshotInfo: ...

    def tables(
        self, snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]] | None = None
    ) -> Tables: ...


class Operator(Protocol):
    """The person running the command: shown the plan and progress, asked to confirm."""

    def say(self, text: str, strong: bool = False) -> None: ...

    def warn(self, text: str) -> None: ...

    def show_plan(self, plan: Plan, audience: Audience) -> None: ...

    def confirm(self, question: str) -> None:
        """Return if the operator agrees; raise KopsError otherwise."""
        ...

    def progress(
        self, label: str, total: int, transient: bool
    ) -> AbstractContextManager[Callable[[str], None]]:
        """A progress display; the callable advances it by one, naming the last outcome."""
        ...

    def as_of(self, value: dt.date | None, snapshot: SnapshotInfo) -> dt.date:
        """The as-of date from the option, else the snapshot's (said to the operator)."""
        ...

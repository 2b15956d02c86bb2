"""The mail ledger: one row per (run, recipient), moved through its states.

``planned → sending → sent | temp_failed | perm_failed | suppressed | holdout``, and

- ``written``: put in the outbox (a rehearsal, not delivery): a later run of the same id
  through a real transport sends it; it counts toward no cap;
- ``deferred``: held back by a frequency cap or the send window, with the date from
  which the same run id sends it (``not_before``) and the reason (``error``).

``sending`` is committed before the SMTP transaction and ``sent`` after the
250 reply, so a row left in ``sending`` by a crash is *unknown*: it is not
resent unless the operator says so. Every write commits at once.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..clock import as_jst, now_text, parse_moment
from ..errors import WorkspaceError
from ..i18n import _
from ..workspace import Workspace
from .state import connect, os_user, read_frame

STATES = (
    "planned",
    "sending",
    "sent",
    "written",
    "deferred",
    "temp_failed",
    "perm_failed",
    "suppressed",
    "holdout",
)
PENDING = ("planned", "temp_failed")


@dataclass(frozen=True)
class SentMail:
    """A message the ledger says was sent: what a bounce is matched to."""

    run_id: str
    item: str
    email: str
    message_id: str
    sent_at: str


@dataclass(frozen=True)
class LedgerRow:
    item: str
    user_id: str
    email: str
    name: str
    template: str
    kind: str
    state: str
    message_id: str
    extra: dict[str, Any]
    error: str | None = None


# The columns of a ledger row, in LedgerRow's order.
ROW_COLUMNS = (
    "item",
    "user_id",
    "email",
    "name",
    "template",
    "kind",
    "state",
    "message_id",
    "extra",
    "error",
)


def run_seminar(binding: str | None) -> str | None:
    """The seminar a run was about, from its stored binding (None for other runs)."""
    if not binding:
        return None
    try:
        value = json.loads(binding).get("seminar")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _window_start(since: dt.datetime) -> tuple[dt.datetime, str]:
    """``since`` in JST, and the text that narrows ``sent_at`` to it: whatever its offset, a
    time inside the window is written with a date no earlier than the day before the window
    starts (UTC); the rows are then compared as instants."""
    start = as_jst(since)
    return start, (start.astimezone(dt.UTC) - dt.timedelta(days=1)).date().isoformat()


class Ledger:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        # The columns and tables the ledger uses beyond the first schema (a run's binding
        # and plan hash, a deferred row's date, bounces) are the schema's (state.py).
        self.db: sqlite3.Connection = connect(ws)

    def close(self) -> None:
        self.db.close()

    # --- runs ---------------------------------------------------------------

    def run(self, run_id: str) -> dict[str, Any] | None:
        cursor = self.db.execute("SELECT * FROM mail_runs WHERE run_id = ?", (run_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def told(self, bound: Callable[[str | None], bool]) -> set[str]:
        """Users sent a message (or possibly sent: 'sending') by any run whose stored
        binding satisfies ``bound`` (e.g. the winners of a campaign): a campaign's outcome
        is told once per person, whichever draw's run told it."""
        users: set[str] = set()
        for run_id, binding in self.db.execute("SELECT run_id, binding FROM mail_runs"):
            if bound(binding):
                users |= {
                    user
                    for (user,) in self.db.execute(
                        "SELECT user_id FROM mail_ledger WHERE run_id = ?"
                        " AND state IN ('sent', 'sending')",
                        (run_id,),
                    )
                }
        return users

    def run_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT run_id FROM mail_runs ORDER BY run_id")]

    def create_run(self, meta: dict[str, Any], rows: Iterable[LedgerRow]) -> bool:
        """The run and its frozen audience, in one transaction; False if the id is taken.

        The INSERT itself decides who plans a run: of two kops started at once
        with the same run id, one inserts and the other changes nothing, then
        compares its choices with the stored ones (never overwriting them).
        """
        stamp = now_text()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            inserted = self.db.execute(
                "INSERT INTO mail_runs (run_id, description, segment_key, snapshot, as_of,"
                " holdout_pct, created_at, created_by, planned, status, binding, plan_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)"
                " ON CONFLICT (run_id) DO NOTHING",
                (
                    meta["run_id"],
                    json.dumps(meta["description"], ensure_ascii=False),
                    meta.get("segment_key"),
                    meta.get("snapshot"),
                    meta.get("as_of"),
                    meta.get("holdout_pct", 0.0),
                    stamp,
                    os_user(),
                    meta["planned"],
                    meta.get("binding"),
                    meta.get("plan_hash"),
                ),
            ).rowcount
            if inserted == 0:
                self.db.execute("ROLLBACK")
                return False
            self.db.executemany(
                "INSERT INTO mail_ledger (run_id, item, user_id, email, name, template, kind,"
                " state, message_id, error, extra, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        meta["run_id"],
                        r.item,
                        r.user_id,
                        r.email,
                        r.name,
                        r.template,
                        r.kind,
                        r.state,
                        r.message_id,
                        r.error,
                        json.dumps(r.extra, ensure_ascii=False) if r.extra else None,
                        stamp,
                    )
                    for r in rows
                ],
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        return True

    def set_run_status(self, run_id: str, status: str) -> None:
        self.db.execute("UPDATE mail_runs SET status = ? WHERE run_id = ?", (status, run_id))

    def runs(self) -> pd.DataFrame:
        runs = pd.read_sql_query(
            "SELECT run_id, created_at, created_by, snapshot, as_of, segment_key, holdout_pct,"
            " planned AS messages, status FROM mail_runs ORDER BY created_at, run_id",
            self.db,
        )
        # Each state's rows per run, as a left merge of counts() and a fill with 0 gave them:
        # whole numbers, or floats when a run has no rows at all.
        by_run = self._state_counts(None)
        ids = runs["run_id"].tolist()
        dtype = "int64" if all(run in by_run for run in ids) else "float64"
        for state in STATES:
            found = [by_run.get(run, {}).get(state, 0) for run in ids]
            runs[state] = pd.Series(found, index=runs.index, dtype=dtype)
        # Sent is what the server took; a permanent bounce read later takes it back.
        bounced = self.bounce_counts()
        runs["bounced"] = [bounced.get(run, (0, 0))[0] for run in runs["run_id"]]
        runs["delivered"] = runs["sent"].astype(int) - runs["bounced"]
        return runs

    def counts(self, run_id: str | None = None) -> pd.DataFrame:
        """Rows per state (a column each, in STATES' order) of every run that has rows, or
        of ``run_id`` alone; a state not in STATES is not counted."""
        by_run = self._state_counts(run_id)
        frame = pd.DataFrame(
            [[run, *(found.get(state, 0) for state in STATES)] for run, found in by_run.items()],
            columns=pd.Index(["run_id", *STATES], name="state"),
        )
        return frame.astype(dict.fromkeys(STATES, "int64"))

    def state_counts(self, run_id: str) -> dict[str, int]:
        """The run's rows per state, every state of STATES named (0 when none); empty when
        the run has no rows."""
        found = self._state_counts(run_id).get(run_id)
        return {} if found is None else {state: found.get(state, 0) for state in STATES}

    def _state_counts(self, run_id: str | None) -> dict[str, dict[str, int]]:
        """run → state → rows, by one GROUP BY (runs sorted by id, as SQLite's text order)."""
        query = "SELECT run_id, state, COUNT(*) FROM mail_ledger"
        params: tuple[str, ...] = ()
        if run_id is not None:
            query += " WHERE run_id = ?"
            params = (run_id,)
        by_run: dict[str, dict[str, int]] = {}
        grouped = self.db.execute(query + " GROUP BY run_id, state ORDER BY run_id, state", params)
        for run, state, count in grouped:
            by_run.setdefault(run, {})[state] = int(count)
        return by_run

    # --- rows ---------------------------------------------------------------

    def rows(self, run_id: str, states: Iterable[str] | None = None) -> list[LedgerRow]:
        query = f"SELECT {', '.join(ROW_COLUMNS)} FROM mail_ledger WHERE run_id = ?"
        params: list[Any] = [run_id]
        if states is not None:
            wanted = list(states)
            query += f" AND state IN ({','.join('?' * len(wanted))})"
            params += wanted
        cursor = self.db.execute(query + " ORDER BY item", params)
        rows = []
        for values in cursor:
            found = dict(zip(ROW_COLUMNS, values, strict=True))
            found["extra"] = json.loads(found["extra"]) if found["extra"] else {}
            rows.append(LedgerRow(**found))
        return rows

    def frame(self, run_id: str) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT item, user_id, name, email, template, kind, state, attempts, message_id, error,"
            " not_before AS sendable_from, updated_at, sent_at FROM mail_ledger"
            " WHERE run_id = ? ORDER BY item",
            self.db,
            params=(run_id,),
        )

    def mark(
        self,
        run_id: str,
        item: str,
        state: str,
        error: str | None = None,
        attempt: bool = False,
        not_before: dt.date | None = None,
    ) -> None:
        """Move a row to ``state``; ``not_before`` is a deferred row's first sendable day."""
        assert state in STATES
        assert (state == "deferred") == (not_before is not None)
        stamp = now_text()
        self.db.execute(
            "UPDATE mail_ledger SET state = ?, error = ?, updated_at = ?, not_before = ?,"
            " attempts = attempts + ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
            " WHERE run_id = ? AND item = ?",
            (
                state,
                error,
                stamp,
                not_before.isoformat() if not_before else None,
                1 if attempt else 0,
                state,
                stamp,
                run_id,
                item,
            ),
        )

    def deferred_until(self, run_id: str) -> dict[str, dt.date]:
        """The run's deferred rows: item → the first day it may be sent."""
        cursor = self.db.execute(
            "SELECT item, not_before FROM mail_ledger WHERE run_id = ? AND state = 'deferred'",
            (run_id,),
        )
        return {item: dt.date.fromisoformat(day) for item, day in cursor}

    # --- suppression and the frequency cap -------------------------------------

    def suppressed(self) -> dict[str, str]:
        return {k: r for k, r in self.db.execute("SELECT key, reason FROM suppression")}

    def suppress(self, key: str, reason: str, source: str, user_id: str | None = None) -> bool:
        """Put a key (an address or a user id) on the list; ``user_id`` names the person
        it belongs to, so the suppression follows them when their address changes."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO suppression (key, reason, source, added_at, user_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, reason, source, now_text(), user_id),
        )
        if cursor.rowcount == 0 and user_id is not None:  # known already: name the person
            self.db.execute(
                "UPDATE suppression SET user_id = ? WHERE key = ? AND user_id IS NULL",
                (user_id, key),
            )
        return cursor.rowcount > 0

    def unsuppress(self, key: str) -> bool:
        """Take a key off the list, with every other key of the same person."""
        row = self.db.execute("SELECT user_id FROM suppression WHERE key = ?", (key,)).fetchone()
        person = row[0] if row is not None else None
        if person is None:
            return self.db.execute("DELETE FROM suppression WHERE key = ?", (key,)).rowcount > 0
        return (
            self.db.execute(
                "DELETE FROM suppression WHERE key = ? OR key = ? OR user_id = ?",
                (key, person, person),
            ).rowcount
            > 0
        )

    def suppression_rows(self) -> list[tuple[str, str, str | None]]:
        """(key, reason, user id or None) of every entry."""
        cursor = self.db.execute("SELECT key, reason, user_id FROM suppression ORDER BY added_at")
        return [(key, reason, person) for key, reason, person in cursor]

    def suppression_frame(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT key, user_id, reason, source, added_at FROM suppression ORDER BY added_at, key",
            self.db,
        )

    def sent_to(
        self, user_id: str, since: dt.datetime, exclude_run: str
    ) -> list[tuple[str, str, dt.datetime, str | None]]:
        """Mails delivered to ``user_id`` since a moment, other runs than ``exclude_run``:
        (template, kind, sent at, the seminar the run was about or None). Only ``sent``
        counts: an outbox rehearsal (``written``) reached nobody. Compared as instants, not
        as text: stored times may carry different UTC offsets (older rows were written in the
        machine's local time)."""
        start, floor = _window_start(since)
        cursor = self.db.execute(
            "SELECT l.run_id, l.item, l.template, l.kind, l.sent_at, r.binding"
            " FROM mail_ledger l JOIN mail_runs r ON r.run_id = l.run_id"
            " WHERE l.state = 'sent' AND l.user_id = ? AND l.sent_at >= ? AND l.run_id != ?",
            (user_id, floor, exclude_run),
        )
        found = []
        for run_id, item, template, kind, sent_at, binding in cursor:
            moment = self._sent_at(run_id, item, sent_at)
            if moment >= start:
                found.append((template, kind, moment, run_seminar(binding)))
        return found

    def _sent_at(self, run_id: str, item: str, sent_at: Any) -> dt.datetime:
        """A row's ``sent_at`` as a moment; a row edited into something else is named."""
        try:
            return parse_moment(sent_at)
        except (TypeError, ValueError):
            raise WorkspaceError(
                _(
                    "{path}: mail_ledger run {run} item {item}: sent_at is not a time ({value})"
                ).format(path=self.ws.db_path, run=run_id, item=item, value=repr(sent_at)),
                hint=_("the state database was edited by hand; restore it from a backup"),
            ) from None

    # --- test sends -----------------------------------------------------------

    def log_test(
        self, run_id: str, item: str, address: str, state: str, error: str | None = None
    ) -> None:
        self.db.execute(
            "INSERT INTO mail_test_log (run_id, item, test_addr, at, state, error)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, item, address, now_text(), state, error),
        )

    def test_log(self, run_id: str) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT item, test_addr, at, state, error FROM mail_test_log"
            " WHERE run_id = ? ORDER BY id",
            self.db,
            params=(run_id,),
        )

    # --- bounces ----------------------------------------------------------------

    def sent_with_message_id(self, message_ids: Iterable[str]) -> SentMail | None:
        """The sent message with one of these Message-IDs (the first that matches)."""
        for message_id in message_ids:
            # A row left 'sending' (unknown) counts too: a bounce proves the server took it.
            row = self.db.execute(
                "SELECT run_id, item, email, message_id, COALESCE(sent_at, updated_at)"
                " FROM mail_ledger WHERE message_id = ? AND state IN ('sent', 'sending')",
                (message_id,),
            ).fetchone()
            if row is not None:
                return SentMail(*row)
        return None

    def sent_to_address(self, email: str) -> list[SentMail]:
        """Every message sent (or left unknown) to this address, lower-cased, oldest first."""
        rows = self.db.execute(
            "SELECT run_id, item, email, message_id, COALESCE(sent_at, updated_at) AS at"
            " FROM mail_ledger WHERE lower(email) = ? AND state IN ('sent', 'sending')"
            " ORDER BY at",
            (email.lower(),),
        ).fetchall()
        return [SentMail(*row) for row in rows]

    def record_bounce(
        self,
        notice: str,
        recipient: str,
        sent: SentMail,
        permanent: bool,
        status: str,
        diagnostic: str,
        source: str,
        bounced_at: str | None,
    ) -> bool:
        """Remember one bounce; False when this notice was read before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO mail_bounces (notice, recipient, run_id, item, email,"
            " permanent, status, diagnostic, source, bounced_at, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                notice,
                recipient,
                sent.run_id,
                sent.item,
                sent.email.lower(),
                int(permanent),
                status,
                diagnostic,
                source,
                bounced_at,
                now_text(),
            ),
        )
        return cursor.rowcount > 0

    def soft_bounces(self, email: str) -> int:
        """Temporary bounces recorded for this address, each notice once."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM mail_bounces WHERE email = ? AND permanent = 0",
            (email.lower(),),
        ).fetchone()
        return int(row[0])

    def bounce_counts(self) -> dict[str, tuple[int, int]]:
        """Per run: (messages that bounced for good, messages with a temporary bounce)."""
        counts: dict[str, tuple[int, int]] = {}
        for run_id, hard, soft in self.db.execute(
            "SELECT run_id, COUNT(DISTINCT CASE WHEN permanent = 1 THEN item END),"
            " COUNT(DISTINCT CASE WHEN permanent = 0 THEN item END)"
            " FROM mail_bounces GROUP BY run_id"
        ):
            counts[run_id] = (int(hard), int(soft))
        return counts

    def bounces_frame(self, run_id: str | None = None) -> pd.DataFrame:
        return read_frame(
            self.db,
            "SELECT run_id, item, email, permanent, status, diagnostic, source, bounced_at,"
            " recorded_at FROM mail_bounces",
            "ORDER BY run_id, item",
            "run_id",
            run_id,
        )

"""A draw nobody can steer: a redraw keeps the announced seed, eligibility is judged at
a basis nobody picks, --verify cross-checks the entries and the audit log, a redraw
mails only changed outcomes, and the fingerprint is reproducible from the CSV listing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.analyses.draw_rules import Entrant, draw
from kakeai_ops.store import (
    campaign_draws,
    draw_entrants,
    latest_snapshot,
    load_tables,
    write_snapshot,
)
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer
from test_campaign_draw import CAMPAIGN, SEED, _campaign, _eligible, _emails, _entries_file


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _drawn(ws: Workspace, tmp_path: Path, count: int = 7, winners: str = "3") -> list[str]:
    cli = Cli(ws)
    ids = [r["user_id"] for r in _eligible(cli)][:count]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "-n", winners)
    return ids


def test_a_redraw_keeps_the_announced_seed_and_places(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    _drawn(sample_copy, tmp_path)
    cli = Cli(sample_copy)
    redraw = ("campaign", "draw", CAMPAIGN, "--redraw", "--reason", "再抽選")
    for extra, says in (
        (["--seed", "anything else"], "a redraw keeps it"),
        (["-n", "4"], "a redraw keeps them"),
        (["--per-division", "1"], "a redraw keeps it"),
    ):
        refused = cli(*redraw, *extra, ok=False)
        assert refused.exit_code == 1 and says in refused.stderr, refused.stderr
    assert len(campaign_draws(sample_copy, CAMPAIGN)) == 1
    again = cli(*redraw)
    assert f"seed '{SEED}'" in again.stderr
    _campaign(sample_copy, draw_seed="announced later")
    assert "a redraw keeps it" in cli(*redraw, ok=False).stderr
    assert list(campaign_draws(sample_copy, CAMPAIGN)["seed"]) == [SEED, SEED]


def test_eligibility_is_judged_at_the_deadline_and_no_other_date(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    _campaign(sample_copy, entry_deadline="2026-10-15")
    ids = [r["user_id"] for r in _eligible(cli)][:7]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    args = ("campaign", "draw", CAMPAIGN, "--seed", SEED, "-n", "2")
    for extra in (["--as-of", "2026-07-01"], ["--snapshot", "2"], ["--as-of", "2026-11-20"]):
        refused = cli(*args, *extra, ok=False)
        assert refused.exit_code == 1, extra
        assert "a draw judges eligibility at the entry deadline 2026-10-15" in refused.stderr
    assert campaign_draws(sample_copy, CAMPAIGN).empty
    cli(*args)
    recorded = campaign_draws(sample_copy, CAMPAIGN).iloc[0]
    assert recorded["as_of"] == "2026-10-15" and recorded["snapshot"] == "0001"
    entrants = _csv(cli("campaign", "draw", CAMPAIGN, "--entrants", "-f", "csv").stdout)
    assert {r["user_id"] for r in entrants if r["in_draw"] == "true"} == set(
        draw_entrants(sample_copy, CAMPAIGN)["user_id"]
    )


def _verify_fails(ws: Workspace, says: str) -> None:
    result = Cli(ws)("campaign", "draw", CAMPAIGN, "--verify", ok=False)
    assert result.exit_code == 1 and "Internal error" not in result.stderr
    assert says in result.stderr, result.stderr


def test_verify_catches_a_place_added_by_sql(sample_copy: Workspace, tmp_path: Path) -> None:
    _drawn(sample_copy, tmp_path)
    entrants = draw_entrants(sample_copy, CAMPAIGN)
    fourth = entrants[~entrants["won"]].sort_values("position").iloc[0]["user_id"]
    db = sqlite3.connect(sample_copy.db_path)
    db.execute("UPDATE campaign_draws SET winners = 4 WHERE campaign = ?", (CAMPAIGN,))
    db.execute("UPDATE campaign_draw_entrants SET won = 1 WHERE user_id = ?", (fourth,))
    db.commit()
    db.close()
    _verify_fails(sample_copy, "winners: the draw tables say")


def test_verify_catches_a_rewritten_seed_with_positions_recomputed(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    _drawn(sample_copy, tmp_path)
    entrants = draw_entrants(sample_copy, CAMPAIGN)
    people = [Entrant(u, d) for u, d in zip(entrants["user_id"], entrants["division"], strict=True)]
    forged = draw(people, "a seed chosen afterwards", 3)
    db = sqlite3.connect(sample_copy.db_path)
    db.execute("UPDATE campaign_draws SET seed = ? WHERE campaign = ?", (forged.seed, CAMPAIGN))
    for pick in forged.picks:
        db.execute(
            "UPDATE campaign_draw_entrants SET position = ?, won = ? WHERE user_id = ?",
            (pick.position, int(pick.won), pick.user_id),
        )
    db.commit()
    db.close()
    _verify_fails(sample_copy, "seed: the draw tables say a seed chosen afterwards")


def test_verify_catches_an_entrant_who_never_entered(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    _drawn(sample_copy, tmp_path)
    db = sqlite3.connect(sample_copy.db_path)
    db.execute(
        "DELETE FROM campaign_entries WHERE campaign = ? AND user_id = (SELECT MIN(user_id) FROM campaign_entries)",
        (CAMPAIGN,),
    )
    db.commit()
    db.close()
    _verify_fails(sample_copy, "entrants who never entered")


def _retire(ws: Workspace, user_id: str) -> None:
    """A later snapshot in which the winner has left the company."""
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    tables = load_tables(snapshot)
    tables.users.loc[tables.users["user_id"] == user_id, "employment_status"] = "retired"
    write_snapshot(ws, tables, dict(snapshot.manifest))


@pytest.mark.usefixtures("japanese")
def test_a_redraw_mails_only_the_people_whose_outcome_changed(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    ids = _drawn(sample_copy, tmp_path)
    cli = Cli(sample_copy)
    email = _emails(sample_copy)
    first = draw_entrants(sample_copy, CAMPAIGN)
    winners = list(first.loc[first["won"], "user_id"])
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", "--winners", CAMPAIGN, "--yes")
        cli("mail", "send", "--not-drawn", CAMPAIGN, "--yes")
        told = len(server.handler.received)
        assert told == len(ids)
        _retire(sample_copy, winners[0])
        cli("campaign", "draw", CAMPAIGN, "--redraw", "--reason", "当選者の退職のため")
        second = draw_entrants(sample_copy, CAMPAIGN)
        now_won = set(second.loc[second["won"], "user_id"])
        newly = now_won - set(winners)
        assert len(newly) == 1 and winners[0] not in set(second["user_id"])
        cli("mail", "send", "--winners", CAMPAIGN, "--yes")
        # Everyone not drawn heard so after draw 1: nobody is told again.
        result = cli("mail", "send", "--not-drawn", CAMPAIGN, "--yes", ok=False)
        later = server.handler.received[told:]
    assert Counter(a for r in later for a in r.rcpt_tos) == Counter({email[u]: 1 for u in newly}), (
        "only the new winner is mailed; nobody hears the same outcome twice"
    )
    assert "この抽選結果は通知済み" in result.stderr and "Internal error" not in result.stderr


def test_the_fingerprint_is_reproducible_from_the_csv_listing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    tables = load_tables(snapshot)
    tables.users["division"] = tables.users["division"].astype(str).map(lambda d: "+" + d)
    write_snapshot(sample_copy, tables, dict(snapshot.manifest))
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:6]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    listing = cli("campaign", "draw", CAMPAIGN, "--entrants", "--format", "csv")
    rows = [r for r in _csv(listing.stdout) if r["in_draw"] == "true"]
    assert all(r["division"].startswith("'+") for r in rows)  # neutralised for Excel
    recipe = b"".join(
        bytes.fromhex(r["fingerprint_line_hex"]) for r in sorted(rows, key=lambda r: r["user_id"])
    )
    fingerprint = hashlib.sha256(recipe).hexdigest()
    assert f"fingerprint {fingerprint}" in listing.stderr
    made = cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "-n", "2")
    assert fingerprint in made.stderr
    log = _csv(cli("audit", "--format", "csv").stdout)
    entry = next(r for r in log if r["action"] == "campaign draw")
    assert json.loads(entry["detail"])["fingerprint"] == fingerprint

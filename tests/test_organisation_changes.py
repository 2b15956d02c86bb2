"""What `kops ingest` says changed since the snapshot before (who left, joined or moved,
pairs formed or dissolved, 部下 with another manager), recounted from the sample's
October and November exports without kops."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sample_recount as recount
from conftest import SAMPLE, Cli
from kakeai_ops.jobs.workspace_init import init_workspace


def _users(month: str) -> pd.DataFrame:
    raw = recount.read(SAMPLE / month / "users.csv")
    frame = pd.DataFrame(
        {
            "user_id": recount.ids(raw["ユーザーID"]),
            "place": raw["事業部"].fillna("") + "/" + raw["部署"].fillna(""),
            "status": raw["在籍状況"].fillna("在籍").str.strip(),
        }
    )
    return frame[frame["status"] != "退職"].set_index("user_id")


def _pairs(month: str) -> set[tuple[str, str]]:
    raw = recount.read(SAMPLE / month / "pairs.csv")
    formed = raw[recount.given(raw["承認日"])]
    return set(zip(recount.ids(formed["上司ID"]), recount.ids(formed["部下ID"]), strict=True))


def test_ingest_says_what_changed_in_the_organisation(tmp_path: Path) -> None:
    was, now = _users("2026-10"), _users("2026-11")
    both = was.index.intersection(now.index)
    moved = int((was.loc[both, "place"] != now.loc[both, "place"]).sum())
    left = len(was.index.difference(now.index))
    joined = len(now.index.difference(was.index))
    old, new = _pairs("2026-10"), _pairs("2026-11")

    def managers(pairs: set[tuple[str, str]]) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for manager, member in pairs:
            out.setdefault(member, set()).add(manager)
        return {member: frozenset(ids) for member, ids in out.items()}

    then_m, now_m = managers(old), managers(new)
    changed = sum(then_m[m] != now_m[m] for m in then_m.keys() & now_m.keys())
    expected = {
        "left": left,
        "joined": joined,
        "moved to another 事業部 or 部署": moved,
        "pair(s) formed": len(new - old),
        "pair(s) dissolved": len(old - new),
        "部下 with another manager": changed,
    }
    assert left and moved  # the sample has both: the line is about something

    ws = init_workspace(tmp_path / "ws")
    cli = Cli(ws)
    first = cli("ingest", *map(str, sorted((SAMPLE / "2026-10").iterdir())))
    assert "Since the snapshot before" not in first.stderr  # nothing to compare with
    second = cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    said = " ".join(second.stderr.split())
    line = said.split("Since the snapshot before: ", 1)[1].split(".", 1)[0]
    assert line == ", ".join(f"{n:,} {what}" for what, n in expected.items() if n)
    assert "kops report advisors" in said


def test_a_renamed_division_is_said_renamed_not_its_people_moved(tmp_path: Path) -> None:
    """マーケティング本部 renamed マーケティング統括本部 in the next export: its 部署 are under a
    name new to it, everyone of each went there; said as renamed (with its people), not as
    51 people moving."""
    folder = tmp_path / "renamed"
    folder.mkdir()
    for source in sorted((SAMPLE / "2026-11").iterdir()):
        data = source.read_bytes()
        if source.name == "users.csv":
            text = data.decode("cp932").replace(",マーケティング本部,", ",マーケティング統括本部,")
            data = text.encode("cp932")
        (folder / source.name).write_bytes(data)
    users = _users("2026-11")
    renamed = users[users["place"].str.startswith("マーケティング本部/")]
    ws = init_workspace(tmp_path / "ws")
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    said = " ".join(cli("ingest", *map(str, sorted(folder.iterdir()))).stderr.split())
    line = said.split("Since the snapshot before: ", 1)[1].split(".", 1)[0]
    units = renamed["place"].nunique()
    assert line == f"{units:,} 事業部/部署 renamed ({len(renamed):,} people)"


def test_who_went_on_leave_or_came_back_is_said(tmp_path: Path) -> None:
    """One 在籍 person 休職 and one 育休 person 在籍 in the next export: said as went on leave
    and back (the line said nothing, and the one on leave silently got no more mail)."""
    users = _users("2026-11")
    away = users.index[users["status"] == "育休"][0]
    present = users.index[users["status"] == "在籍"][0]
    folder = tmp_path / "leave"
    folder.mkdir()
    for source in sorted((SAMPLE / "2026-11").iterdir()):
        data = source.read_bytes()
        if source.name == "users.csv":
            lines = data.decode("cp932").split("\n")
            for number, line in enumerate(lines):
                if line.startswith(f"{present},"):
                    lines[number] = line.replace(",在籍,", ",休職,")
                elif line.startswith(f"{away},"):
                    lines[number] = line.replace(",育休,", ",在籍,")
            data = "\n".join(lines).encode("cp932")
            assert data != source.read_bytes()
        (folder / source.name).write_bytes(data)
    ws = init_workspace(tmp_path / "ws")
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    said = " ".join(cli("ingest", *map(str, sorted(folder.iterdir()))).stderr.split())
    line = said.split("Since the snapshot before: ", 1)[1].split(".", 1)[0]
    assert line == "1 went on leave (no mail while on leave), 1 back from leave"

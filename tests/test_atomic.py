"""outputs.atomic: a path given to --out that no file can be written to is said as the
reader's mistake, in their words, before any work and with nothing written; never a
traceback from the temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, tree_digest
from kakeai_ops.errors import KopsError
from kakeai_ops.outputs.atomic import make_folder, replacing, write_atomically
from kakeai_ops.workspace import Workspace

# A read-only mount even root cannot write to (the tests run as root: chmod 555 is no bar).
READ_ONLY = Path("/sys")


def refused(path: Path) -> str:
    with pytest.raises(KopsError) as caught:
        write_atomically(path, b"data")
    error = caught.value
    return f"{error.message}\n{error.hint}"


def test_a_folder_given_for_the_file_is_said_to_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "seen.xlsx").mkdir()  # a folder named like a file: the replace would fail
    said = refused(tmp_path / "out")
    assert "out: a folder, not a file" in said and "out/list.xlsx" in said, said
    assert "seen.xlsx: a folder, not a file" in refused(tmp_path / "seen.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "seen.xlsx"]


def test_a_path_through_a_file_is_said_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    said = refused(tmp_path / "notes.txt" / "list.xlsx")
    assert "notes.txt: a file, not a folder" in said, said
    with pytest.raises(KopsError, match=r"notes\.txt: a file, not a folder"):
        make_folder(tmp_path / "notes.txt")
    with pytest.raises(KopsError, match=r"notes\.txt: a file, not a folder"):
        make_folder(tmp_path / "notes.txt" / "reports")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a:b.xlsx", "the character :"),
        ('say"hi".csv', 'the character "'),
        ("a\\b.csv", "the character \\"),
        ("CON.xlsx", "CON is a name Windows keeps for a device"),
        ("aux.csv", "aux is a name Windows keeps for a device"),
        ("com1.xlsx", "com1 is a name Windows keeps for a device"),
        ("list.xlsx ", "it ends with a space or a dot"),
        ("list.xlsx.", "it ends with a space or a dot"),
        ("tab\there.csv", "U+0009"),
    ],
)
def test_a_name_windows_refuses_is_refused_everywhere(
    tmp_path: Path, name: str, reason: str
) -> None:
    """The files are opened on Windows: a:b.xlsx would be a hidden stream of a file "a"
    there, CON.xlsx the console."""
    said = refused(tmp_path / name)
    assert "Windows does not allow this file name" in said and reason in said, said
    assert list(tmp_path.iterdir()) == []


def test_a_name_near_the_limit_is_written_and_one_past_it_is_said_too_long(
    tmp_path: Path,
) -> None:
    """The temporary file's name is cut: a 250-character name the system takes is written."""
    near = tmp_path / ("長" * 80 + ".csv")  # 244 bytes in UTF-8
    write_atomically(near, b"data")
    assert near.read_bytes() == b"data"
    said = refused(tmp_path / ("a" * 300 + ".xlsx"))
    assert "the name is too long" in said and "shorter name" in said, said
    assert [p.name for p in tmp_path.iterdir()] == [near.name]


@pytest.mark.skipif(not READ_ONLY.is_dir(), reason="needs Linux's /sys")
def test_a_folder_without_permission_is_said_with_what_to_do() -> None:
    said = refused(READ_ONLY / "list.xlsx")
    assert "could not be written" in said and "open in another program" in said, said
    assert "close the file" in said
    with pytest.raises(KopsError, match="folder could not be made: no permission"):
        make_folder(READ_ONLY / "reports")


def test_a_failed_replace_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "list.xlsx"
    with pytest.raises(KopsError), replacing(target) as temp:
        temp.write_bytes(b"half")
        temp.parent.joinpath("list.xlsx").mkdir()  # Excel's folder appears meanwhile
    assert [p.name for p in tmp_path.iterdir()] == ["list.xlsx"]


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("{tmp}", "a folder, not a file"),
        ("{tmp}/notes.txt/list.xlsx", "notes.txt: a file, not a folder"),
        ("{tmp}/a:b.xlsx", "Windows does not allow this file name (the character :)"),
        ("{tmp}/CON.xlsx", "CON is a name Windows keeps for a device"),
        ("-", "'-' is not a file name"),
    ],
)
def test_out_is_refused_before_the_work(
    sample_ws: Workspace, tmp_path: Path, out: str, said: str
) -> None:
    (tmp_path / "notes.txt").write_text("x")
    before = tree_digest(tmp_path)
    result = Cli(sample_ws)("segment", "--list", "--out", out.format(tmp=tmp_path), ok=False)
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert "Hint:" in result.stderr and "Internal error" not in result.stderr
    assert "Stuck point" not in result.stderr + result.stdout  # before the work
    assert tree_digest(tmp_path) == before


def test_out_is_refused_in_japanese(sample_ws: Workspace, tmp_path: Path) -> None:
    result = Cli(sample_ws)(
        "segment", "--list", "--out", str(tmp_path / "a:b.xlsx"), env={"KOPS_LANG": "ja"}, ok=False
    )
    assert "エラー:" in result.stderr and "Windows" in result.stderr, result.stderr
    assert "ファイル名" in result.stderr and "ヒント:" in result.stderr


@pytest.mark.parametrize(
    "args", [("report", "advisors"), ("report", "divisions", "--all-advisors")]
)
def test_a_file_given_for_a_folder_of_reports_is_said_so(
    sample_ws: Workspace, tmp_path: Path, args: tuple[str, ...]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    for out in (notes, notes / "reports"):
        result = Cli(sample_ws)(*args, "--out", str(out), ok=False)
        assert result.exit_code == 1, result.stderr
        assert "notes.txt: a file, not a folder" in result.stderr, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_review_refuses_a_name_windows_refuses_before_the_deck(
    sample_ws: Workspace, tmp_path: Path
) -> None:
    deck = tmp_path / "review.pptx"
    result = Cli(sample_ws)(
        "review", "--out", str(deck), "--xlsx", str(tmp_path / "CON.xlsx"), ok=False
    )
    assert "CON is a name Windows keeps for a device" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []

"""Finding the workspace, and kops init."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.errors import WorkspaceError
from kakeai_ops.workspace import find_workspace


def test_init_creates_config_templates_and_state(tmp_path: Path) -> None:
    cli = Cli(None)
    cli("init", str(tmp_path / "w"))
    root = tmp_path / "w"
    assert (root / "kops.yaml").read_text(encoding="utf-8").startswith("# kops.yaml")
    assert (root / "templates").is_dir()
    assert (root / "state" / "snapshots").is_dir()
    assert (root / "state" / "kops.db").is_file()
    again = cli("init", str(root), ok=False)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_init_force_says_what_it_rewrote_and_the_next_step_has_no_cd_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kops init --force` in a workspace rewrites kops.yaml only and says so (not
    「ワークスペースを作成しました」); `kops init` in the current folder needs no 「cd . &&」."""
    root = tmp_path / "w"
    root.mkdir()
    monkeypatch.chdir(root)
    cli = Cli(None)
    made = cli("init", env={"KOPS_QUIET": "0"})
    assert "Next: kops ingest users.csv" in made.stderr and "cd ." not in made.stderr
    (root / "kops.yaml").write_text("# changed\n", encoding="utf-8")
    marker = root / "templates" / "mail" / "mine.txt"
    marker.write_text("subject: x\n---\nx\n", encoding="utf-8")
    # A shipped template the secretariat edited, and one they deleted.
    edited = root / "templates" / "mail" / "no_pair.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "# 事務局の追記\n", encoding="utf-8")
    deleted = root / "templates" / "mail" / "lapsed.member.txt"
    deleted.unlink()
    forced = cli("init", "--force", env={"KOPS_QUIET": "0", "KOPS_LANG": "ja"})
    assert (
        "kops.yaml を既定値で書き直しました（テンプレートとデータはそのままです）" in forced.stderr
    )
    assert "作成しました" not in forced.stderr
    assert (root / "kops.yaml").read_text(encoding="utf-8").startswith("# kops.yaml")
    assert marker.exists()
    # As it says: the edit stays (every shipped template was put back over it); a missing
    # one is put back.
    assert edited.read_text(encoding="utf-8").endswith("# 事務局の追記\n")
    assert deleted.exists()
    # A link in a template's place, even one pointing nowhere, is not written through
    # (the shipped template went to the link's target, out of the workspace).
    outside = tmp_path / "outside.txt"
    deleted.unlink()
    deleted.symlink_to(outside)
    cli("init", "--force")
    assert not outside.exists() and deleted.is_symlink()


def test_init_force_that_cannot_write_the_templates_leaves_kops_yaml_as_it_was(
    tmp_path: Path,
) -> None:
    """It reset kops.yaml to the defaults (advisors, login_url gone), then failed on the
    template folder: the settings are written last, once the rest is there."""
    root = tmp_path / "w"
    cli = Cli(None)
    cli("init", str(root))
    (root / "kops.yaml").write_text("# the secretariat's settings\n", encoding="utf-8")
    mail = root / "templates" / "mail"
    for path in mail.iterdir():
        path.unlink()
    mail.rmdir()
    mail.write_text("not a folder", encoding="utf-8")  # where the templates go
    refused = cli("init", str(root), "--force", ok=False)
    assert refused.exit_code == 1
    assert (root / "kops.yaml").read_text(encoding="utf-8") == "# the secretariat's settings\n"


def test_the_next_step_quotes_a_folder_with_a_space(tmp_path: Path) -> None:
    """「C:\\Users\\山田 太郎\\kops」: the suggested cd works when pasted as printed."""
    root = tmp_path / "山田 太郎" / "kops 2026"
    made = Cli(None)("init", str(root), env={"KOPS_QUIET": "0"})
    assert f'cd "{root}" && kops ingest' in made.stderr


def test_on_windows_the_next_step_joins_commands_as_powershell_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kakeai_ops.cli import init

    monkeypatch.setattr(init, "THEN", "; ")  # as on Windows (os.name == "nt")
    made = Cli(None)("init", str(tmp_path / "w"), env={"KOPS_QUIET": "0"})
    assert f"cd {tmp_path / 'w'}; kops ingest" in made.stderr and "&&" not in made.stderr


def test_workspace_from_option_env_and_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Cli(None)("init", str(tmp_path / "w"))
    root = (tmp_path / "w").resolve()
    assert find_workspace(root).root == root
    monkeypatch.setenv("KOPS_WORKSPACE", str(root))
    assert find_workspace().root == root
    monkeypatch.delenv("KOPS_WORKSPACE")
    nested = root / "state" / "snapshots"
    assert find_workspace(cwd=nested).root == root


def test_no_workspace_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkspaceError) as caught:
        find_workspace(cwd=tmp_path)
    assert "kops init" in (caught.value.hint or "")
    result = Cli(None)("status", ok=False)
    assert result.exit_code == 1
    assert "Error: no kops workspace here" in result.stderr
    assert "Hint: create one with `kops init DIR`" in result.stderr


def test_bad_config_is_reported_by_any_command(tmp_path: Path) -> None:
    cli = Cli(None)
    cli("init", str(tmp_path / "w"))
    config = tmp_path / "w" / "kops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("lapse_days: 30", "lapse_days: thirty"),
        encoding="utf-8",
    )
    result = cli("status", "-w", str(tmp_path / "w"), ok=False)
    assert result.exit_code == 1
    assert "rules.lapse_days: must be a positive integer, got 'thirty'" in result.stderr
    assert "Error: kops.yaml:58: rules.lapse_days" in result.stderr  # with its line


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps a folder in use")
@pytest.mark.parametrize(
    "args",
    [("status",), ("init", "new"), ("demo",), ("ingest", "users.csv"), ("status", "-w", "{ws}")],
)
def test_a_command_in_a_removed_folder_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """A terminal left in a folder that was then removed: every command says so, in the
    reader's language, and writes nothing (not an internal error)."""
    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    words = [a.replace("{ws}", str(tmp_path / "ws")) for a in args]
    result = cli(*words, ok=False)
    assert result.exit_code == 1
    assert "Error: the current folder no longer exists" in result.stderr, result.stderr
    assert "Internal error" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    japanese = cli(*words, env={"KOPS_LANG": "ja"}, ok=False)
    assert "エラー: 今いるフォルダはもうありません" in japanese.stderr, japanese.stderr
    assert "--version" not in result.stderr and cli("--version").stdout.startswith("kops ")


def test_a_file_given_for_the_workspace_is_said_to_be_one(tmp_path: Path) -> None:
    """-w …/kops.yaml, or KOPS_WORKSPACE set to a file, was "not a kops workspace: it has no
    kops.yaml" with the hint to `kops init` the file itself; a kops.yaml that is a folder
    likewise."""
    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    config = tmp_path / "ws" / "kops.yaml"
    other = tmp_path / "users.csv"
    other.write_text("x")
    (tmp_path / "odd" / "kops.yaml").mkdir(parents=True)
    cases = [
        (("-w", str(config)), {}, "is the settings file, not the workspace folder", "ws"),
        ((), {"KOPS_WORKSPACE": str(other)}, "(from KOPS_WORKSPACE) is a file", "kops.yaml"),
        (("-w", str(tmp_path / "odd")), {}, "kops.yaml is a folder, not the settings", "rename"),
        (("-w", str(tmp_path / ("a" * 300))), {}, "cannot be read (File name too long)", "folder"),
    ]
    for args, env, said, hint in cases:
        result = cli("status", *args, env=env, ok=False)
        assert result.exit_code == 1 and said in result.stderr, result.stderr
        assert "Hint:" in result.stderr and hint in result.stderr.split("Hint:")[1]
        assert "kops init" not in result.stderr or "odd" in " ".join(args)
        japanese = cli("status", *args, env={**env, "KOPS_LANG": "ja"}, ok=False)
        assert "エラー:" in japanese.stderr and "ヒント:" in japanese.stderr


def test_a_state_that_is_a_file_is_said_by_every_command(tmp_path: Path) -> None:
    """state/ replaced by a file: `segment` said "no data yet" and `ingest` ended in an
    internal FileExistsError."""
    from conftest import SAMPLE

    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    state = tmp_path / "ws" / "state"
    shutil.rmtree(state)
    state.write_text("x")
    users = str(SAMPLE / "2026-11" / "users.csv")
    for args in (("segment",), ("ingest", users), ("status",)):
        result = cli(*args, "-w", str(tmp_path / "ws"), ok=False)
        assert result.exit_code == 1, result.stderr
        assert f"{state} is a file, not the folder kops keeps" in result.stderr, result.stderr
        assert "Hint: move that file" in result.stderr
    assert state.read_text() == "x"
    japanese = cli("status", "-w", str(tmp_path / "ws"), env={"KOPS_LANG": "ja"}, ok=False)
    assert "エラー:" in japanese.stderr and "ファイル" in japanese.stderr
    state.unlink()
    for inside in ("snapshots", "mail"):
        state.mkdir(exist_ok=True)
        (state / inside).write_text("x")
        result = cli("ingest", users, "-w", str(tmp_path / "ws"), ok=False)
        assert f"{state / inside} is a file, not the folder" in result.stderr, result.stderr
        (state / inside).unlink()


def test_a_workspace_variable_copied_with_explorers_quotes_is_read(tmp_path: Path) -> None:
    """Explorer's 「パスのコピー」 gives "C:\\…\\kops-2026" in quotes; set so in Windows'
    settings, KOPS_WORKSPACE was "not a kops workspace" with a hint to `kops init` it."""
    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    result = cli("status", env={"KOPS_WORKSPACE": f' "{tmp_path / "ws"}" '})
    assert "kops.yaml OK" in result.stderr, result.stderr

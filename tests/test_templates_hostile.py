"""Hostile mail templates: a template cannot run code or read files outside the templates.

Templates are the workspace owner's to edit, but kops.yaml's and the templates'
author need not be the person who runs `kops mail send`: rendering happens in
Jinja's sandbox, and template names resolve only inside the workspace's
templates/mail/ and the shipped templates.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.errors import KopsError
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.workspace import Workspace, shipped_templates_dir

SHIPPED = shipped_templates_dir() / "mail"  # type: ignore[operator]


def _write(directory: Path, name: str, body: str, subject: str = "件名") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.txt").write_text(f"subject: {subject}\n---\n{body}\n", encoding="utf-8")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch MARK').read() }}",
        "{{ joiner.__init__.__globals__.os.system('touch MARK') }}",
        "{{ namespace.__init__.__globals__['os'].system('touch MARK') }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ lipsum.__globals__['os'].popen('touch MARK').read() }}",
        "{{ range.__self__.open('MARK', 'w') }}",
        "{% set x = cycler.__init__.__globals__ %}{{ x.os.system('touch MARK') }}",
    ],
)
def test_a_template_cannot_reach_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    monkeypatch.chdir(tmp_path)
    workspace_dir = tmp_path / "templates"
    _write(workspace_dir, "evil", payload)
    ts = TemplateSet(workspace_dir, SHIPPED)
    with pytest.raises(KopsError) as err:
        ts.get("evil").render({"name": "x"}, "")
    assert "evil.txt" in str(err.value)
    assert "unsafe" in str(err.value) or "does not provide" in str(err.value)
    assert not (tmp_path / "MARK").exists()


def test_a_template_in_the_subject_cannot_reach_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path / "t",
        "evil",
        "本文",
        subject="{{ cycler.__init__.__globals__.os.popen('touch MARK').read() }}",
    )
    with pytest.raises(KopsError):
        TemplateSet(tmp_path / "t", SHIPPED).get("evil").render({}, "")
    assert not (tmp_path / "MARK").exists()


@pytest.mark.parametrize(
    "name",
    [
        "../outside/x",
        "../../../outside/x",
        "/abs/outside/x",
        "sub/../../outside/x",
        "..",
        "x\x00y",
        "",
        " ",
    ],
)
def test_template_names_stay_inside_the_template_folders(tmp_path: Path, name: str) -> None:
    workspace_dir = tmp_path / "ws" / "templates" / "mail"
    workspace_dir.mkdir(parents=True)
    _write(tmp_path / "outside", "x", "SECRET")
    _write(tmp_path / "ws" / "outside", "x", "SECRET")
    ts = TemplateSet(workspace_dir, SHIPPED)
    assert not ts.exists(name)
    with pytest.raises(KopsError) as err:
        ts.get(name)
    assert "SECRET" not in str(err.value)


def test_an_include_outside_the_template_folders_is_refused(tmp_path: Path) -> None:
    workspace_dir = tmp_path / "ws" / "templates" / "mail"
    _write(tmp_path / "ws" / "templates", "secret", "SECRET")
    (tmp_path / "ws" / "templates" / "plain.txt").write_text("SECRET", encoding="utf-8")
    _write(workspace_dir, "inc", "{% include '../plain.txt' %}")
    ts = TemplateSet(workspace_dir, SHIPPED)
    with pytest.raises(KopsError) as err:
        ts.get("inc").render({}, "")
    assert "SECRET" not in str(err.value)


def test_a_symlink_out_of_the_template_folder_is_refused(tmp_path: Path) -> None:
    workspace_dir = tmp_path / "ws" / "templates" / "mail"
    _write(tmp_path / "outside", "x", "SECRET")
    workspace_dir.mkdir(parents=True)
    os.symlink(tmp_path / "outside" / "x.txt", workspace_dir / "link.txt")
    (workspace_dir / "part.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "outside" / "x.txt", workspace_dir / "_part.txt")
    _write(workspace_dir, "inc", "{% include '_part.txt' %}")
    ts = TemplateSet(workspace_dir, SHIPPED)
    with pytest.raises(KopsError) as err:
        ts.get("link").render({}, "")
    assert "outside the template folder" in str(err.value)
    with pytest.raises(KopsError) as err:
        ts.get("inc").render({}, "")
    assert "SECRET" not in str(err.value)


def test_preview_with_a_hostile_template_is_refused_and_runs_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    mark = tmp_path / "MARK"
    _write(
        sample_copy.mail_templates_dir,
        "evil",
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(mark) + "').read() }}",
    )
    result = Cli(sample_copy)(
        "mail", "preview", "--segment", "no_recurrence", "--template", "evil", ok=False
    )
    assert result.exit_code == 1
    assert "Internal error" not in result.stderr
    assert "evil.txt" in result.stderr
    assert not mark.exists()


def test_preview_with_a_template_path_outside_is_refused(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    _write(tmp_path / "outside", "x", "SECRET")
    rel = os.path.relpath(tmp_path / "outside" / "x", sample_copy.mail_templates_dir)
    result = Cli(sample_copy)(
        "mail", "preview", "--segment", "no_recurrence", "--template", rel, ok=False
    )
    assert result.exit_code == 1
    assert "SECRET" not in result.stdout
    assert "Internal error" not in result.stderr


def test_shipped_templates_still_render_in_the_sandbox(sample_copy: Workspace) -> None:
    text = Cli(sample_copy)("mail", "preview", "--segment", "no_recurrence").stdout
    assert "【KAKEAI事務局】" in text


@pytest.mark.parametrize(
    "payload",
    [
        "{{ range(999999999)|list }}",
        "{{ 'x' * 1000000000 }}",
        "{{ [1] * 1000000000 }}",
        "{{ 9 ** 9999999 }}",
        "{{ '%s' % ('x' * 999999999) }}",
        "{% for i in range(99999999) %}{% endfor %}",
    ],
)
def test_a_template_cannot_exhaust_memory_or_time(tmp_path: Path, payload: str) -> None:
    _write(tmp_path / "t", "big", payload)
    with pytest.raises(KopsError) as err:
        TemplateSet(tmp_path / "t", SHIPPED).get("big").render({}, "")
    assert "big.txt" in str(err.value)


def test_a_template_saved_by_notepad_with_a_bom_is_read(sample_copy: Workspace) -> None:
    """Windows Notepad saves UTF-8 with a BOM (and CRLF): the edited template was refused
    ("expected 'subject: …', got '\\ufeffsubject: …'"), and an included footer would have
    carried the invisible U+FEFF into every mail."""
    folder = sample_copy.mail_templates_dir
    for name in ("no_recurrence.manager.txt", "_footer.txt"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    result = Cli(sample_copy)("mail", "preview", "--segment", "no_recurrence")
    assert "【KAKEAI事務局】" in result.stdout or "KAKEAI" in result.stdout, result.stdout
    assert "\ufeff" not in result.stdout

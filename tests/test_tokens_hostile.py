"""Token commands that print without end, flood stderr or are misquoted: stopped and refused by their key."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_a_token_command_printing_without_end_is_stopped_early(tmp_path: Path) -> None:
    """`yes` as a token command: kops stops reading at a bound and says so, well before its
    timeout, instead of holding gigabytes; the output (maybe a secret) is not shown."""
    import sys
    import time

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    endless = tmp_path / "endless.py"
    endless.write_text(
        "import sys\nchunk = 'eyJ' * 100000\nwhile True:\n    sys.stdout.write(chunk)\n"
    )
    started = time.monotonic()
    with pytest.raises(TokenError, match="printed too much") as caught:
        CommandToken([sys.executable, str(endless)], 60).token()
    assert time.monotonic() - started < 30
    assert "eyJeyJ" not in str(caught.value) + str(caught.value.hint)


def test_a_token_of_megabytes_on_one_line_is_refused(tmp_path: Path) -> None:
    import sys

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    huge = tmp_path / "huge.py"
    huge.write_text("print('a' * 3_000_000)")
    with pytest.raises(TokenError, match="printed too much"):
        CommandToken([sys.executable, str(huge)], 60).token()


def test_a_token_command_whose_stderr_floods_still_reports_its_exit(tmp_path: Path) -> None:
    """A failing command's last stderr line is shown, bounded, with terminal escapes made
    visible by the error printer (never raw ESC)."""
    import sys

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    noisy = tmp_path / "noisy.py"
    noisy.write_text(
        "import sys\nsys.stderr.write('x' * 5_000_000 + '\\n')\n"
        "sys.stderr.write('denied by policy\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(TokenError, match="exit code 3") as caught:
        CommandToken([sys.executable, str(noisy)], 60).token()
    assert "denied by policy" in str(caught.value)


def test_a_token_command_with_an_unbalanced_quote_is_refused_by_its_key(
    sample_copy: Workspace,
) -> None:
    """token_command: 'get-token "x' stopped `kops mail check` with an internal
    ValueError (No closing quotation) from the shell-like split."""
    import yaml

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["mail"]["transport"] = "smtp"
    data["mail"]["smtp"].update(
        {
            "host": "127.0.0.1",
            "user": "kakeai-office@example.co.jp",
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": 'get-token --user "office'},
        }
    )
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    result = Cli(sample_copy)("mail", "check", ok=False)
    assert result.exit_code == 1, result.stderr
    assert "mail.smtp.oauth.token_command" in result.stderr
    assert "quot" in result.stderr and "Internal error" not in result.stderr

"""Japanese by default, English with KOPS_LANG=en: the catalog, its coverage, and the CLI."""

from __future__ import annotations

import functools
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from typer.main import get_command

from conftest import REPO, Cli
from kakeai_ops import i18n
from kakeai_ops.cli.app import COMMANDS, app, load_commands
from kakeai_ops.cli.localized import cells, usage_message, wrap

LOCALE = REPO / "src" / "kakeai_ops" / "locale"
SRC = REPO / "src" / "kakeai_ops"
PO = LOCALE / "ja" / "LC_MESSAGES" / "kops.po"
MO = LOCALE / "ja" / "LC_MESSAGES" / "kops.mo"


def _catalog() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle)


CATALOG = _catalog()
MESSAGES = [message for message in CATALOG if message.id]


def _msgid(message: object) -> str:
    ident = message.id  # type: ignore[attr-defined]
    return ident[0] if isinstance(ident, tuple) else ident


def _strings(message: object) -> list[str]:
    string = message.string  # type: ignore[attr-defined]
    return list(string) if isinstance(string, tuple) else [string]


@functools.cache  # two tests read it; walking the source takes half a second
def _extracted() -> dict[str, list[str]]:
    """What `make messages` extracts from the source: message id -> where."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        with (REPO / "babel.cfg").open() as handle:
            method_map, options_map = parse_mapping_cfg(handle)
        found: dict[str, list[str]] = {}
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(REPO / "src"), method_map, options_map, keywords=DEFAULT_KEYWORDS
        ):
            ident = message[0] if isinstance(message, tuple) else message
            found.setdefault(ident, []).append(f"{filename}:{lineno}")
        return found
    finally:
        sys.path.remove(str(REPO / "scripts"))


# --- the catalog ---------------------------------------------------------------------------


def test_every_message_in_the_source_has_a_japanese_translation() -> None:
    extracted = _extracted()
    assert (
        "Error:" in extracted and "Show this message and exit." in extracted
    )  # it sees both kinds
    assert any(ident.startswith("Create a workspace") for ident in extracted)  # docstrings too
    missing = []
    for ident, where in sorted(extracted.items()):
        message = CATALOG.get(ident)
        if message is None or message.fuzzy or not all(_strings(message)):
            missing.append(f"{where[0]}: {ident!r}")
    assert not missing, "run `make messages` and translate in kops.po:\n" + "\n".join(missing)


def test_the_catalog_holds_nothing_the_source_no_longer_says() -> None:
    extracted = _extracted()
    stale = [_msgid(message) for message in MESSAGES if _msgid(message) not in extracted]
    assert not stale, stale


def test_the_compiled_catalog_is_the_po_file() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in MESSAGES:
        if message.pluralizable:
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], singular
        else:
            assert compiled.gettext(message.id) == message.string, message.id
    assert len(compiled._catalog) - 1 == len(MESSAGES)  # type: ignore[attr-defined]  # "" is the header


def catalog_errors(catalog: Catalog) -> list[str]:
    """What `pybabel compile` reports as an error: Babel's own checkers (a %-format in the
    message id the translation lacks, a wrong plural count), run through its Python API."""
    return [
        f"{_msgid(message)!r}: {error}" for message, errors in catalog.check() for error in errors
    ]


def test_the_checkers_see_a_false_placeholder() -> None:
    """A help text with「PCT% of」reads to Babel as the format「% o」: the check above
    would catch it (and `pybabel compile` would refuse it)."""
    catalog = Catalog(locale="ja")
    catalog.add("Hold out PCT% of the audience.", "対象者の PCT% を残します。")
    assert catalog_errors(catalog)


def test_pybabel_compile_reports_no_error(tmp_path: Path) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    if not pybabel.exists():
        pytest.skip("pybabel is not installed beside this Python")
    done = subprocess.run(
        [str(pybabel), "compile", "-i", str(PO), "-o", str(tmp_path / "kops.mo"), "-l", "ja"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr


_FIELDS = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@pytest.mark.parametrize("message", MESSAGES, ids=_msgid)
def test_a_translation_keeps_the_placeholders_and_adds_no_markup(message: object) -> None:
    ident = _msgid(message)
    for string in _strings(message):
        assert sorted(_FIELDS.findall(string)) == sorted(_FIELDS.findall(ident))
        # Messages are printed through Rich: a bracket the English lacks would be markup.
        assert string.count("[") <= ident.count("["), string
        assert string != ident or not re.search(r"[a-z]{4}", ident), "copied, not translated"


def test_glossary_terms_have_one_spelling() -> None:
    banned = {
        "上長": "上司",
        "メンバー": "部下",
        "すっきり度": "スッキリ度",
        "実施割合": "1on1実施率",
    }
    for message in MESSAGES:
        for string in _strings(message):
            for wrong, right in banned.items():
                assert wrong not in string, f"{string!r}: say {right}, not {wrong}"


# --- the language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language"),
    [
        (None, "ja"),
        ("", "ja"),
        ("ja", "ja"),
        ("ja_JP.UTF-8", "ja"),
        ("fr", "ja"),
        ("en", "en"),
        ("EN", "en"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
    ],
)
def test_the_language_comes_from_kops_lang(
    monkeypatch: pytest.MonkeyPatch, value: str | None, language: str
) -> None:
    if value is None:
        monkeypatch.delenv("KOPS_LANG", raising=False)
    else:
        monkeypatch.setenv("KOPS_LANG", value)
    assert i18n.language() == language
    assert i18n._("Error:") == ("エラー:" if language == "ja" else "Error:")


def test_help_is_translated_paragraph_by_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")
    text = """Create a workspace: kops.yaml, mail templates and the state directory.

        Example: kops init ~/somewhere
        """
    assert i18n.translate_help(text) == (
        "ワークスペースを作ります: kops.yaml、メールのテンプレート、状態のフォルダ（state/）。\n\n"
        "例: kops init ~/somewhere"
    )
    assert i18n.translate_help("Not in the catalog.") == "Not in the catalog."


def test_every_help_text_of_every_command_is_in_the_catalog() -> None:
    """The extractor's view of help texts against the commands as Typer builds them."""
    for module, _first in COMMANDS.values():
        load_commands(module)
    known = {_msgid(message) for message in MESSAGES}
    missing: list[str] = []

    def walk(command: object, path: str) -> None:
        texts = [getattr(command, "help", None)]
        texts += [getattr(param, "help", None) for param in command.params]  # type: ignore[attr-defined]
        for text in filter(None, texts):
            missing.extend(
                f"{path}: {part!r}" for part in i18n.help_messages(text) if part not in known
            )
        for name, child in (getattr(command, "commands", None) or {}).items():
            walk(child, f"{path} {name}")

    walk(get_command(app), "kops")
    assert not missing, "\n".join(missing)


# --- the layout ----------------------------------------------------------------------------


def test_japanese_help_wraps_by_display_width() -> None:
    text = "最初の1通を送る前に、すべてのメールを作成します。除外して件数を示すのは、メールアドレスなし、休職、退職、配信停止リスト、送付頻度の上限を超える人です。"
    lines = wrap(text, 40)
    assert "".join(lines) == text
    assert all(cells(line) <= 42 for line in lines)  # closing punctuation may hang
    assert max(cells(line) for line in lines) >= 38
    assert not any(line[0] in "、。）" for line in lines)
    english = wrap("Send at most N messages in this invocation. --all-advisors stays whole", 30)
    assert "--all-advisors" in " ".join(english).split()


def test_click_usage_errors_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")
    assert usage_message("No such option: --bogus") == "オプション --bogus はありません"
    # The options click offers instead (`kops audit --out`): in Japanese too.
    assert usage_message("No such option: --out (Possible options: --format)") == (
        "オプション --out はありません （使えるオプション: --format）"
    )
    assert usage_message("Missing argument 'CAMPAIGN'.") == "引数 'CAMPAIGN' がありません。"
    assert (
        usage_message("Invalid value for '--format': 'x' is not one of 'table', 'csv', 'json'.")
        == "'--format' の値が正しくありません: 'x' は 'table', 'csv', 'json' のいずれでもありません。"
    )
    assert usage_message(
        "Invalid value for '--format' / '-f': Value error, 'xml' is not one of 'table', 'csv'."
    ) == (
        "'--format' / '-f' の値が正しくありません: 'xml' は 'table', 'csv' のいずれでもありません。"
    )
    assert usage_message("Option '--explain' requires 2 arguments.") == (
        "オプション '--explain' には値が 2 つ必要です。"
    )
    assert usage_message("Option '--out' requires an argument.") == (
        "オプション '--out' には値が必要です。"
    )
    # A check of kops' own, already in Japanese, without click's English before it.
    assert usage_message("Invalid value: --force には --reason が必要です") == (
        "値が正しくありません: --force には --reason が必要です"
    )
    assert usage_message("Something click says.") == "Something click says."


@pytest.mark.parametrize(
    "args, said",
    [
        (("audit", "--limit", "0"), "'--limit' の値が正しくありません: 1 以上にしてください"),
        (
            ("mail", "send", "--segment", "no_prep", "--holdout", "95", "--dry-run"),
            "'--holdout' の値が正しくありません: 90 以下にしてください",
        ),
        (
            ("interview", "shortlist", "--n", "abc"),
            "'--n' の値が正しくありません: 整数にしてください",
        ),
        (
            ("mail", "send", "--segment", "no_prep", "--holdout", "x", "--dry-run"),
            "'--holdout' の値が正しくありません: 数にしてください",
        ),
    ],
)
def test_a_number_out_of_range_is_said_in_japanese(
    sample_ws: Any, args: tuple[str, ...], said: str
) -> None:
    """Typer says these in pydantic's English (「Input should be greater than or equal to 1」)."""
    result = Cli(sample_ws)(*args, ok=False, env={"KOPS_LANG": "ja"})
    assert result.exit_code == 2 and said in result.stderr
    assert "Input should" not in result.stderr


# --- end to end ----------------------------------------------------------------------------


def _kops(
    *args: str, lang: str | None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("KOPS_LANG", "KOPS_WORKSPACE")
    }
    if lang is not None:
        env["KOPS_LANG"] = lang
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "kakeai_ops", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
    )


def test_help_is_japanese_without_kops_lang_and_english_with_en() -> None:
    japanese = _kops("--help", lang=None)
    assert japanese.returncode == 0
    assert "使い方: kops" in japanese.stdout and "コマンド:" in japanese.stdout
    assert "ワークスペースを作ります" in japanese.stdout
    assert "Create a workspace" not in japanese.stdout
    english = _kops("--help", lang="en")
    assert "Usage: kops" in english.stdout and "Create a workspace" in english.stdout
    assert not re.search(r"[ぁ-ん]", english.stdout)  # Japanese words only as terms (定例会)


# The rest in this process (the fresh process above and the pipe below are the two that
# need their own): no KOPS_LANG means Japanese.
NO_LANG: dict[str, str | None] = {"KOPS_LANG": None}


def test_a_subcommands_help_is_japanese() -> None:
    cli = Cli(None)
    result = cli("mail", "send", "--help", env=NO_LANG)
    assert "配信を計画し、確認のうえ送ります。" in result.stdout
    assert "例: kops mail send" in result.stdout
    assert "オプション:" in result.stdout and "このヘルプを表示して終わります。" in result.stdout
    english = cli("mail", "send", "--help", env={"KOPS_LANG": "en"})
    assert "Plan, confirm and send a mail run" in english.stdout


def test_errors_are_japanese_without_kops_lang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli = Cli(None)
    result = cli("status", env=NO_LANG, ok=False)
    assert result.exit_code == 1
    assert "エラー: ここには kops のワークスペースがありません" in result.stderr
    assert "ヒント: " in result.stderr and "kops init DIR" in result.stderr
    english = cli("status", env={"KOPS_LANG": "en"}, ok=False)
    assert "Error: no kops workspace here" in english.stderr
    assert "Hint: create one with `kops init DIR`" in english.stderr


def test_usage_errors_are_japanese_without_kops_lang() -> None:
    cli = Cli(None)
    result = cli("init", "--bogus", env=NO_LANG, ok=False)
    assert result.exit_code == 2
    assert "使い方: kops init" in result.stderr
    assert "ヘルプは 'kops init --help' で表示できます。" in result.stderr
    assert "エラー: オプション --bogus はありません" in result.stderr
    unknown = cli("segmnt", env=NO_LANG, ok=False)
    # Typer's suggestion too, in Japanese (it read 「…ありません。. Did you mean 'segment'?」).
    assert (
        "エラー: コマンド 'segmnt' はありません。'segment', 'seminar' のことですか？"
        in unknown.stderr
    )
    assert "Did you mean" not in unknown.stderr and "。." not in unknown.stderr
    nested = cli("mail", "sned", env=NO_LANG, ok=False)
    assert "コマンド 'sned' はありません。'send' のことですか？" in nested.stderr
    said = cli("segmnt", env={"KOPS_LANG": "en"}, ok=False).stderr
    assert "Error: No such command 'segmnt'. Did you mean 'segment', 'seminar'?" in said
    english = cli("init", "--bogus", env={"KOPS_LANG": "en"}, ok=False)
    assert "Error: No such option: --bogus" in english.stderr
    # A value after a flag (`--left-out out.csv`): click says 「argument(s)」 now, and the
    # pattern knew only 「argument」 and 「arguments」: it came out in English.
    extra = cli("status", "extra", env=NO_LANG, ok=False).stderr
    assert "エラー: 余分な引数があります（extra）" in extra and "unexpected" not in extra


def test_a_success_message_is_japanese(tmp_path: Path) -> None:
    cli = Cli(None)
    result = cli("init", str(tmp_path / "ws"), env={**NO_LANG, "KOPS_QUIET": None})
    assert result.exit_code == 0
    assert "ワークスペースを作成しました" in result.stderr
    assert "Created workspace" not in result.stderr
    english = cli("init", str(tmp_path / "ws2"), env={"KOPS_LANG": "en", "KOPS_QUIET": None})
    assert "Created workspace" in english.stderr


def test_in_process_runs_switch_language(tmp_path: Path) -> None:
    """A process that runs several commands (the tests, `kops demo`) sees each one's KOPS_LANG."""
    cli = Cli(None)
    japanese = cli("init", "--help", env={"KOPS_LANG": "ja"})
    assert "ワークスペースを作ります" in japanese.stdout
    english = cli("init", "--help", env={"KOPS_LANG": "en"})
    assert "Create a workspace" in english.stdout
    again = cli("init", "--help", env={"KOPS_LANG": "ja"})
    assert again.stdout == japanese.stdout


def test_help_survives_a_windows_code_page_pipe() -> None:
    """Redirected on Windows, Python writes cp932, which has no – (U+2013): kops must not fail."""
    env = {key: value for key, value in os.environ.items() if key != "KOPS_LANG"}
    env["PYTHONIOENCODING"] = "cp932"
    for lang, shown in (("ja", "毎月のセミナー（Month1～4）"), ("en", "series (Month1?4)")):
        env["KOPS_LANG"] = lang
        result = subprocess.run(
            # The command list says it too, without loading the seminar commands.
            [sys.executable, "-m", "kakeai_ops", "--help"],
            capture_output=True,
            env=env,
        )
        assert result.returncode == 0, result.stderr.decode("cp932", "replace")
        assert shown in result.stdout.decode("cp932")  # a character cp932 lacks is replaced


def test_the_catalog_ships_with_the_package() -> None:
    import tomllib
    from fnmatch import fnmatch

    with (REPO / "pyproject.toml").open("rb") as handle:
        patterns = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["kakeai_ops"]
    relative = MO.relative_to(REPO / "src" / "kakeai_ops").as_posix()
    assert any(fnmatch(relative, pattern) for pattern in patterns), patterns


def test_a_core_error_and_its_hint_in_both_languages(cli: Cli) -> None:
    japanese = cli("mail", "unsuppress", "nobody@example.co.jp", env={"KOPS_LANG": "ja"}, ok=False)
    assert japanese.exit_code == 1
    assert "エラー: nobody@example.co.jp は配信停止リストにありません" in japanese.stderr
    assert "ヒント: `kops mail suppressed` で一覧を確認できます" in japanese.stderr
    english = cli("mail", "unsuppress", "nobody@example.co.jp", ok=False)
    assert "Error: nobody@example.co.jp is not on the suppression list" in english.stderr


def test_a_date_error_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakeai_ops.dates import parse_date
    from kakeai_ops.errors import KopsError

    monkeypatch.setenv("KOPS_LANG", "ja")
    with pytest.raises(KopsError) as caught:
        parse_date("2026-02-30", "--as-of")
    assert (
        caught.value.message == "--as-of: '2026-02-30' は日付ではありません: 2026年2月は1〜28日です"
    )
    assert (
        caught.value.hint
        == "日付は 2026-11-20、2026/11/20、2026/1/5 または 20261120 のように書いてください"
    )


def test_an_id_without_its_zeros_is_suggested_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakeai_ops.ids import did_you_mean

    monkeypatch.setenv("KOPS_LANG", "ja")
    assert did_you_mean("120", ["000120", "0120", "000121"]) == "000120、0120 のことですか？"


def test_an_input_problem_is_said_in_japanese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kakeai_ops.errors import InputError, Problem

    monkeypatch.setenv("KOPS_LANG", "ja")
    found = InputError([Problem("users.csv", 3, "メールアドレス", "required value is blank", "''")])
    assert found.message.splitlines() == [
        "入力に問題が 1件あります。何も変更していません:",
        "  users.csv:3: メールアドレス: 必須の値が空欄です ('')",
    ]
    monkeypatch.setenv("KOPS_LANG", "en")
    assert str(Problem("users.csv", 3, "メールアドレス", "required value is blank")).endswith(
        ": required value is blank"
    )


def test_a_kops_yaml_error_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakeai_ops.config import parse_settings
    from kakeai_ops.errors import ConfigError

    monkeypatch.setenv("KOPS_LANG", "ja")
    with pytest.raises(ConfigError) as caught:
        parse_settings({"rules": {"lapse_days": 0, "lapse_dayz": 3}})
    lines = caught.value.message.splitlines()
    assert "kops.yaml: rules.lapse_days: 正の整数にしてください（指定された値: 0）" in lines
    assert "kops.yaml: rules.lapse_dayz: 不明な設定です（'lapse_days' のことですか？）" in lines
    assert caught.value.hint and caught.value.hint.startswith("kops.yaml を直してください。")


def test_kops_yaml_refusals_with_values_and_pydantic_s_own_are_in_japanese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refusal with numbers in it (its template travels with it) and pydantic's own
    (known by type) read in Japanese, and as before in English."""
    from kakeai_ops.config import parse_settings
    from kakeai_ops.errors import ConfigError

    wrong = {
        "privacy": {"min_group": "abc"},
        "rules": {"lapse_days": 99999},
        "campaigns": {"weekly": {"months": "three", "milestones": [10, 5]}},
    }

    def lines() -> list[str]:
        with pytest.raises(ConfigError) as caught:
            parse_settings(wrong)
        return caught.value.message.splitlines()

    monkeypatch.setenv("KOPS_LANG", "ja")
    japanese = "\n".join(lines())
    assert "privacy.min_group: 3〜1,000 の整数にしてください（指定された値: 'abc'）" in japanese
    assert "rules.lapse_days: 3,650 日以下にしてください（指定された値: 99999）" in japanese
    assert "must be" not in japanese and "Input should" not in japanese
    monkeypatch.setenv("KOPS_LANG", "en")
    english = "\n".join(lines())
    assert "privacy.min_group: must be an integer from 3 to 1,000, got 'abc'" in english
    assert "rules.lapse_days: must be at most 3,650 days, got 99999" in english


def test_babel_finds_no_error_in_the_catalog() -> None:
    """What `pybabel compile` checks (e.g. a `%` the translation treats differently)."""
    problems = [f"{message.id!r}: {errors}" for message, errors in CATALOG.check()]
    assert not problems, problems


def test_the_division_report_refuses_a_31d_window_in_japanese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import datetime as dt

    from kakeai_ops.errors import KopsError
    from kakeai_ops.jobs.division_report import period_family

    monkeypatch.setenv("KOPS_LANG", "ja")
    with pytest.raises(KopsError) as refused:
        period_family("31d", dt.date(2026, 11, 30))
    assert "共有できる期間は 30d と 90d だけです" in str(refused.value)
    assert "事務局内だけで見るもの" in (refused.value.hint or "")


def test_an_advisor_scope_error_is_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from kakeai_ops.analyses.advisor_scopes import resolve_scope
    from kakeai_ops.config.mail_settings import Advisor
    from kakeai_ops.errors import KopsError

    monkeypatch.setenv("KOPS_LANG", "ja")
    users = pd.DataFrame({"division": ["営業"], "department": ["第一営業部"]})
    with pytest.raises(KopsError) as refused:
        resolve_scope(users, "HRBP", Advisor(email="a@example.com", scope=["人事"]))
    assert "'人事' に当てはまる人がこのスナップショットにいません" in str(refused.value)
    assert "ユーザーのエクスポートのとおり" in (refused.value.hint or "")


def test_an_export_problem_with_values_is_shown_in_japanese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle

    from kakeai_ops.errors import Phrase, Problem
    from kakeai_ops.i18n import N_

    what = Phrase(N_("has {fields} fields, the header {header}"), fields=5, header=4)
    problem = Problem("users.csv", 3, None, what, "'a,b,c,d,e'")
    # read as a string (a --problems file) it stays English, through a pickle too
    assert problem.what == "has 5 fields, the header 4"
    assert pickle.loads(pickle.dumps(problem)).what.translated() == what.translated()
    monkeypatch.setenv("KOPS_LANG", "ja")
    assert str(problem) == "users.csv:3: 列が 5 個あります（見出し行は 4 個） ('a,b,c,d,e')"
    monkeypatch.setenv("KOPS_LANG", "en")
    assert str(problem) == "users.csv:3: has 5 fields, the header 4 ('a,b,c,d,e')"


def test_a_mail_and_draw_error_is_japanese(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kakeai_ops.errors import KopsError
    from kakeai_ops.mail.rendering import ensure_inside

    monkeypatch.setenv("KOPS_LANG", "ja")
    inside, outside = tmp_path / "templates", tmp_path / "elsewhere.txt"
    inside.mkdir()
    outside.write_text("x", encoding="utf-8")
    with pytest.raises(KopsError) as refused:
        ensure_inside(outside, [inside])
    assert "テンプレートフォルダの外にあります" in str(refused.value)
    assert "templates/mail/ に通常のファイルとして置いてください" in (refused.value.hint or "")


def test_a_missing_smtp_password_is_said_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakeai_ops.config import Smtp
    from kakeai_ops.errors import KopsError
    from kakeai_ops.mail import transport

    monkeypatch.setenv("KOPS_LANG", "ja")
    monkeypatch.delenv(transport.PASSWORD_ENV, raising=False)
    monkeypatch.setattr(transport, "keyring_get", lambda user: None)
    with pytest.raises(KopsError) as refused:
        transport.smtp_password(Smtp(host="mail.example.com", user="office"))
    assert str(refused.value) == "office の SMTP パスワードがありません"
    assert "kops.yaml からは読みません" in (refused.value.hint or "")


def test_a_malformed_access_token_is_named_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    from kakeai_ops.mail.tokens import TokenError, checked_token

    monkeypatch.setenv("KOPS_LANG", "ja")
    with pytest.raises(TokenError) as refused:
        checked_token("two words", "token_command")
    assert str(refused.value).startswith("token_command: アクセストークンの形式が正しくありません")
    assert refused.value.hint == "トークンだけを1行で出力するようにしてください"


def test_a_google_sign_in_error_is_japanese(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kakeai_ops.config import Smtp
    from kakeai_ops.mail import oauth_google
    from kakeai_ops.mail.tokens import TokenError

    monkeypatch.setenv("KOPS_LANG", "ja")
    settings = Smtp(
        host="smtp.gmail.com",
        user="office@example.co.jp",
        auth="xoauth2",
        oauth={"provider": "google", "client_id": "123-abc.apps.googleusercontent.com"},
    )
    token = oauth_google.GoogleToken(settings)
    monkeypatch.setattr(token.store, "load", lambda: None)
    with pytest.raises(TokenError) as refused:
        token.token()
    assert str(refused.value) == "office@example.co.jp としてサインインしていません"
    assert refused.value.hint == "kops mail login でサインインしてください"


# Refusals whose English stays: a technical detail for a bug report (the privacy audit's
# own failure), the YAML library's words, a dependency kops always installs.
ENGLISH_ALLOWED = {
    ("privacy/audit.py", "privacy audit:"),
    ("privacy/lp.py", "privacy audit:"),
    ("config/loading.py", "{…}: {…}: {…}"),
    ("mail/bounces.py", "{…}: reading .msg files needs extract-msg"),
}
ERROR_CLASS = re.compile(r"(Kops|Input|Config|Workspace|Audience|Recoding|Header|Token)Error$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _english_text(node: object) -> str | None:
    """The text of a literal (or f-string) that reads as English, else None: what a
    Japanese reader would meet untranslated. A command line (``kops …``) is not prose."""
    import ast

    if isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values
        )
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.BinOp):
        return _english_text(node.left) or _english_text(node.right)
    else:
        return None
    if JAPANESE.search(text) or text.startswith(("kops ", "pip ")):
        return None
    return text if re.search(r"[A-Za-z]{3}", text) else None


def test_no_refusal_is_english_outside_the_catalog() -> None:
    """Every message and hint a refusal shows goes through the catalog (``_``, ``N_`` or a
    ``Phrase``): an f-string or a plain English string would reach a Japanese reader as
    it is (``later than now …`` did, in the middle of Japanese lines)."""
    import ast

    from conftest import source_trees

    found = []
    for path, tree in source_trees(SRC):
        where = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if not ERROR_CLASS.search(name):
                continue
            for argument in [*node.args[:1], *(k.value for k in node.keywords if k.arg == "hint")]:
                text = _english_text(argument)
                if text and not any(
                    where == file and text.startswith(start) for file, start in ENGLISH_ALLOWED
                ):
                    found.append(f"{where}:{node.lineno}: {text[:70]}")
    assert found == []


# --- commands in hints ---------------------------------------------------------------------


# What kops always knows when it says the hint: never left for the reader to fill in.
KNOWN_PLACEHOLDERS = re.compile(r"`kops [^`]*\b(RUN|ID|CAMPAIGN)\b[^`]*`")


def _help_texts() -> set[str]:
    """Every paragraph of every command's and option's help, as the catalog holds them."""
    for module, _first in COMMANDS.values():
        load_commands(module)
    found: set[str] = set()

    def walk(command: object) -> None:
        texts = [getattr(command, "help", None)]
        texts += [getattr(param, "help", None) for param in command.params]  # type: ignore[attr-defined]
        for text in filter(None, texts):
            found.update(i18n.help_messages(text))
        for child in (getattr(command, "commands", None) or {}).values():
            walk(child)

    walk(get_command(app))
    return found


def test_no_hint_leaves_a_run_or_campaign_for_the_reader_to_fill_in() -> None:
    """Messages, not help texts: a command's help says its usage with placeholders."""
    helps = _help_texts()
    found = [
        _msgid(m)
        for m in MESSAGES
        if KNOWN_PLACEHOLDERS.search(_msgid(m)) and _msgid(m) not in helps
    ]
    assert found == []

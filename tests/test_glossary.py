"""One word per term: docs/glossary.md is the glossary module written out, and no
shipped template spells a term another way."""

from __future__ import annotations

import importlib.util

import yaml

from conftest import REPO
from kakeai_ops import glossary


def _make_glossary() -> str:
    spec = importlib.util.spec_from_file_location(
        "make_glossary", REPO / "scripts" / "make_glossary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.glossary_markdown())


def proper_names() -> list[str]:
    """Titles given by others (the seminars' names): quoted as they are, never respelt."""
    config = yaml.load(
        (REPO / "src" / "kakeai_ops" / "resources" / "kops.yaml").read_text("utf-8"),
        Loader=yaml.CSafeLoader,
    )
    titles = [str(s["title"]) for s in config["seminars"].values() if s.get("title")]
    return sorted({*titles, *(t.split("：", 1)[-1] for t in titles)}, key=len, reverse=True)


def second_spellings(text: str) -> list[str]:
    """Each forbidden spelling in ``text`` (proper names left out), as 'term ← spelling'."""
    for name in proper_names():
        text = text.replace(name, "")
    return [
        f"{term.term} ← {wrong}"
        for term in glossary.TERMS
        for wrong in term.not_spelt
        if wrong in text
    ]


def test_the_document_is_the_module() -> None:
    written = (REPO / "docs" / "glossary.md").read_text("utf-8")
    assert written == _make_glossary(), "run: python scripts/make_glossary.py > docs/glossary.md"


def test_templates_use_one_spelling() -> None:
    found = {
        path.name: second_spellings(path.read_text("utf-8"))
        for path in sorted((REPO / "templates").rglob("*.txt"))
    }
    assert any(found) or found, "no templates found"
    assert not {name: words for name, words in found.items() if words}


def test_a_second_spelling_is_caught() -> None:
    assert second_spellings("上長の方へ：メンバーの方と1on1を") == [
        "上司 ← 上長",
        "部下 ← メンバー",
    ]
    assert second_spellings("データから紐解く！メンバーとの効果的な1on1を行うコツ") == []


def test_every_list_workbook_sheet_has_a_japanese_name() -> None:
    """`mail status --out 配信一覧.xlsx` wrote its runs on a sheet named 「runs」 (its 列の説明
    said 「runs」 too): every sheet a command names is in glossary.SHEETS."""
    import re
    from pathlib import Path

    from kakeai_ops import glossary

    source = Path(glossary.__file__).parent
    named = {
        match
        for path in source.rglob("*.py")
        for match in re.findall(r'\bsheet="([a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert "runs" in named and len(named) >= 8
    assert sorted(named - set(glossary.SHEETS)) == []


def test_a_count_of_one_role_says_which() -> None:
    """The segment list's 直近の1on1数 counts 1on1s as a member (as 事前準備率 beside it
    does): 0 beside a manager's 81 held read as untrue until the header said so. The
    shortlist's 職種 and 年代 are the member's, beside the manager's."""
    from kakeai_ops import glossary

    assert glossary.column_label("recent_count").endswith("（部下として）")
    assert glossary.column_label("member_job_type") == "部下の職種"
    assert glossary.column_label("manager_job_type") == "上司の職種"

"""Write docs/glossary.md from kakeai_ops.glossary (tests/test_glossary.py checks they agree).

Usage: python scripts/make_glossary.py > docs/glossary.md
"""

from __future__ import annotations

from kakeai_ops import glossary as g


def glossary_markdown() -> str:
    lines = [
        "# 用語集（Glossary）",
        "",
        "kops が人に見せるファイル（Excel・CSV・PowerPoint・メール）では、"
        "ひとつの言葉をひとつの書き方で使います。",
        "コードは `src/kakeai_ops/glossary.py` からだけ読み、この文書はそこから作ります"
        "（`python scripts/make_glossary.py > docs/glossary.md`）。",
        "テスト（`tests/test_glossary.py`）は、この文書とコードが同じであること、"
        "テンプレート・デッキ・ブックの見出しに「使わない書き方」が出てこないことを確かめます。",
        "",
        "## 用語",
        "",
        "| 用語 | 意味 | 使わない書き方 |",
        "|---|---|---|",
    ]
    lines += [f"| {t.term} | {t.meaning} | {'、'.join(t.not_spelt) or '－'} |" for t in g.TERMS]
    lines += ["", "## 役割", "", "| キー | 表示 |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in g.ROLES.items()]
    lines += ["", "## スタックポイント", "", "| キー | 表示 |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in g.STUCK_POINTS.items()]
    lines += [
        "",
        "## 列（ファイルの見出し）",
        "",
        "`--format json` と標準出力の `--format csv` は英語のキー、ファイル（`--out`）は"
        "日本語の見出しです。ブックの「列の説明」シートにも同じ対応が載ります。",
        "",
        "| キー | 見出し | 表示形式 |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{k}` | {c.label} | {('`' + c.format + '`') if c.format else '－'} |"
        for k, c in g.COLUMNS.items()
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(glossary_markdown(), end="")

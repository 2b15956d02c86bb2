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
        "## 数値の定義と表示場所",
        "",
        "人や集団について kops が示す数値は、どこ（画面・ブック・デッキ・メール）でも"
        "次の見出しと定義で示します。期間や対象を添えるときは見出しの後ろに（）で"
        "書きます（例: 1on1実施率（部下・直近30日））。「スライド n」は"
        "`kops review` のレビュー資料の n 番目の項目（1. サマリー … 9. 次のアクション）、"
        "「レビューのシート n」は `kops review --xlsx` のブックの n_ で始まるシートです。"
        "`tests/test_glossary_outputs.py` が実際の出力（画面・.xlsx・.pptx・メール）から"
        "見出しを集めてこの表と照らし合わせ、数値をサンプルのエクスポートから数え直します。",
        "",
        "| キー | 見出し | 単位 | 数えるもの（分子） | 分母 | 期間・基準日 | まるめ "
        "| 表示される場所 | 使わない書き方 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{k}` | {f.label} | {f.unit} | {f.counts} | {f.out_of} | {f.period} | {f.rounding} "
        f"| {f.shown} | {'、'.join(f.not_spelt) or '－'} |"
        for k, f in g.FIGURES.items()
    ]
    lines += ["", "## 非表示のしるし", "", "| 表示 | 意味 |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in g.HIDDEN.items()]
    lines += ["", f"凡例（ブック・画面・デッキで同じ文）: {g.HIDDEN_LEGEND}"]
    lines += ["", f"使わない書き方: {'、'.join(g.HIDDEN_NOT_SPELT)}"]
    lines += ["", "## 前回からの動き", "", "| キー | 表示 |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in g.MOVEMENT.items()]
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

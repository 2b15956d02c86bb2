"""The disclosure rules have one owner: ``kakeai_ops.privacy``.

Every other module asks it whether a figure may be shown; none compares a
count with the minimum itself (five modules in three layers did, with three
``<N`` label functions that disagreed on zero).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kakeai_ops.analyses.survey_text import suppressed
from kakeai_ops.config import Settings
from kakeai_ops.config.rule_settings import Privacy
from kakeai_ops.privacy import rules

SRC = Path(__file__).resolve().parents[1] / "src" / "kakeai_ops"
# Names that stand for a minimum group size wherever they appear.
MINIMUM_NAMES = {"min_group", "min_group_sensitive", "minimum", "threshold", "MIN_GROUP"}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _names(node: ast.AST) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
    return found


def comparisons_with_minimum(source: str) -> list[int]:
    """Lines where a size is ordered against something named like a minimum."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
            operands = [node.left, *node.comparators]
            if any(_names(o) & MINIMUM_NAMES for o in operands):
                lines.append(node.lineno)
    return lines


def test_no_module_outside_privacy_compares_a_count_with_the_minimum() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if "privacy" in path.relative_to(SRC).parts[:1]:
            continue
        source = path.read_text(encoding="utf-8")
        if not any(name in source for name in MINIMUM_NAMES):
            continue  # no such name in the text, so none in the code: not worth parsing
        for line in comparisons_with_minimum(source):
            offenders.append(f"{path.relative_to(SRC)}:{line}")
    assert offenders == [], "ask kakeai_ops.privacy.rules instead: " + ", ".join(offenders)


def test_the_scan_finds_the_comparisons_it_forbids() -> None:
    """The meta-test itself: each way of writing the comparison is caught."""
    assert comparisons_with_minimum("n < settings.privacy.min_group") == [1]
    assert comparisons_with_minimum("x = 1\nif len(a) >= min_group: pass") == [2]
    assert comparisons_with_minimum("ok = cell.size < cell.threshold") == [1]
    assert comparisons_with_minimum("n == min_group") == []  # not an ordering


def test_zero_is_a_small_group_everywhere() -> None:
    """The rules: a suppressed count shows as <5, not 0 (a 0 next to <5 says who is empty)."""
    assert rules.count_or_label(0, 5) == "<5"
    assert rules.count_or_label(4, 5) == "<5"
    assert rules.count_or_label(5, 5) == 5
    assert suppressed(0, 5) == "<5"
    assert rules.share_or_none(0, 20, 5) is None
    assert rules.share_or_none(6, 20, 5) == pytest.approx(0.3)


def test_sensitive_topics_take_their_own_minimum() -> None:
    privacy = Privacy(min_group=5, min_group_sensitive=10, sensitive_topics=["心身の状態"])
    assert rules.minimum(privacy) == 5
    assert rules.minimum(privacy, "心身の状態") == 10
    assert rules.minimum(privacy, "キャリア") == 5
    assert rules.minimum_of(privacy, ["キャリア", "心身の状態"]) == 10
    assert rules.minimum(Settings()) == 5
    assert rules.is_small(None, 5) and rules.is_small(float("nan"), 5)


def test_the_fallback_hides_what_ties_a_finding_instead_of_refusing() -> None:
    from kakeai_ops.privacy.audit import audit, settle
    from kakeai_ops.privacy.cells import PRIMARY, Cell

    def people(division: str | None, raw: int) -> Cell:
        return Cell(
            table="overview",
            period="p",
            division=division,
            department=None,
            metric="headcount",
            unit="people",
            raw=raw,
            size=raw,
            threshold=5,
            additive=True,
            at_least_size=True,
            at_most_size=True,
        )

    cells = [people(None, 20), people("A", 17), people("B", 3)]
    cells[2].state = PRIMARY
    assert audit(cells)  # B = 20 − 17: what the report would have refused
    assert settle(cells) >= 1
    assert audit(cells) == []
    assert cells[2].shown == "<5"

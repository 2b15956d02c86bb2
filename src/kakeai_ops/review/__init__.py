"""The monthly review deck: figures from the workspace, then a PowerPoint deck and a workbook."""

from __future__ import annotations

from pathlib import Path

from ..outputs.files import write_table
from ..outputs.review_pptx import write_deck
from .build import build_review
from .figures import Review
from .sheets import TEXT_COLUMNS, review_sheets
from .slides import build_slides

__all__ = ["Review", "build_review", "write_review_deck", "write_review_workbook"]


def write_review_deck(review: Review, path: Path) -> Path:
    return write_deck(build_slides(review), path)


def write_review_workbook(review: Review, path: Path) -> Path:
    """One sheet per slide; ids as text cells."""
    sheets = review_sheets(review)
    first_name, first = sheets[0]
    return write_table(
        first, path, sheet=first_name, extra_sheets=sheets[1:], text_columns=TEXT_COLUMNS
    )

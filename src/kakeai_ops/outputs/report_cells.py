"""Moved to :mod:`kakeai_ops.privacy.cells` (kept so older imports still work)."""

from ..privacy.cells import (
    ANY,
    ARROWS,
    COMPLEMENT,
    COUNT_UNITS,
    NO_TREND,
    PLACES,
    PRIMARY,
    SECONDARY,
    Cell,
    half_step,
    rows_of,
)

__all__ = [
    "ANY",
    "ARROWS",
    "COMPLEMENT",
    "COUNT_UNITS",
    "NO_TREND",
    "PLACES",
    "PRIMARY",
    "SECONDARY",
    "Cell",
    "half_step",
    "rows_of",
]

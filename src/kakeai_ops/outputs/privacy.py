"""Moved to :mod:`kakeai_ops.privacy.effect` (kept so older imports still work)."""

from ..privacy.effect import EFFECT_FIGURES, below, protect_effect, shown_difference

__all__ = ["EFFECT_FIGURES", "below", "protect_effect", "shown_difference"]

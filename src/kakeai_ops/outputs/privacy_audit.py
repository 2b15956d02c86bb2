"""Moved to :mod:`kakeai_ops.privacy.audit` (kept so older imports still work)."""

from ..privacy.audit import PrivacyAuditError, audit, check, protect

__all__ = ["PrivacyAuditError", "audit", "check", "protect"]

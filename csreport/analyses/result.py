"""What every analysis result shares: ``reason`` says why there is no result (None when there is one)."""

from __future__ import annotations


class AnalysisResult:
    """Base of the analysis result dataclasses, which define ``reason: str | None`` as their last field."""

    reason: str | None

    @property
    def available(self) -> bool:
        """True when the analysis produced a result (no "not enough data" reason)."""
        return self.reason is None

"""Is a sentence supported by the passages it cites? (Interface; implementation in progress.)"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Support(BaseModel):
    """The checker's verdict on one sentence."""

    supported: bool
    score: float = Field(description="0..1, how strongly the passages support the sentence.")
    reasons: list[str] = Field(default_factory=list, description="Why not, in words a user can read.")


class GroundingChecker:
    """Offline support check: exact/fuzzy span match, number/date/name agreement, embeddings."""

    def check(self, sentence: str, passages: list[str]) -> Support:
        raise NotImplementedError

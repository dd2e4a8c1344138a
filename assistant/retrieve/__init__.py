"""Retrieval: the passages a question is answered from (dense + BM25, fused, filtered, diversified)."""

from assistant.retrieve.hybrid import HybridRetriever, Mode, ScoredChunk, matches
from assistant.retrieve.naming import NAMED_OUTRIGHT

__all__ = ["NAMED_OUTRIGHT", "HybridRetriever", "Mode", "ScoredChunk", "matches"]

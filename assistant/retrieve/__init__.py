"""Retrieval: the passages a question is answered from (dense + BM25, fused, filtered, diversified)."""

from assistant.retrieve.hybrid import HybridRetriever, Mode, ScoredChunk, matches

__all__ = ["HybridRetriever", "Mode", "ScoredChunk", "matches"]

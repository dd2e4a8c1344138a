"""Policy assistant: grounded, cited answers from a library of health and social care documents.

This package's top level is the facade: the CLI, the web app, the JSON API and the evals import
from `assistant` only. Names are loaded on first use, so `policy-assistant --help` and other
light commands do not import the model, the vector store or the web stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.config import Settings, force_offline
    from assistant.conversation import Session
    from assistant.facade import (
        SUPPORTED_SUFFIXES,
        Assistant,
        AssistantBusy,
        ChromaUnavailable,
        DocumentNotFound,
        IngestProgress,
        LLMNotConfigured,
        LocalLLMServer,
        QuestionTooLong,
        Removal,
        llm_throughput,
        local_llm_server,
        set_aside_note,
    )
    from assistant.feedback import MAX_COMMENT_CHARS, FeedbackStore, Rating
    from assistant.models import (
        Answer,
        AnswerSentence,
        Chunk,
        Citation,
        DocumentMeta,
        FileProblem,
        IndexedDocument,
        IngestReport,
        MetaEdit,
        Passage,
        SearchFilters,
    )

_WHERE = {
    "Settings": "assistant.config", "force_offline": "assistant.config",
    "Session": "assistant.conversation",
    "Assistant": "assistant.facade", "AssistantBusy": "assistant.facade", "QuestionTooLong": "assistant.facade", "IngestProgress": "assistant.facade",
    "SUPPORTED_SUFFIXES": "assistant.facade", "ChromaUnavailable": "assistant.facade",
    "DocumentNotFound": "assistant.facade", "Removal": "assistant.facade",
    "LLMNotConfigured": "assistant.facade", "LocalLLMServer": "assistant.facade",
    "local_llm_server": "assistant.facade", "llm_throughput": "assistant.facade",
    "set_aside_note": "assistant.facade",
    "FeedbackStore": "assistant.feedback", "Rating": "assistant.feedback", "MAX_COMMENT_CHARS": "assistant.feedback",
    **{name: "assistant.models" for name in (
        "Answer", "AnswerSentence", "Chunk", "Citation", "DocumentMeta", "FileProblem", "IndexedDocument",
        "IngestReport", "MetaEdit", "Passage", "SearchFilters",
    )},
}

__all__ = [
    "MAX_COMMENT_CHARS",
    "SUPPORTED_SUFFIXES",
    "Answer",
    "AnswerSentence",
    "Assistant",
    "AssistantBusy",
    "ChromaUnavailable",
    "Chunk",
    "Citation",
    "DocumentMeta",
    "DocumentNotFound",
    "FeedbackStore",
    "FileProblem",
    "IndexedDocument",
    "IngestProgress",
    "IngestReport",
    "LLMNotConfigured",
    "LocalLLMServer",
    "MetaEdit",
    "Passage",
    "QuestionTooLong",
    "Rating",
    "Removal",
    "SearchFilters",
    "Session",
    "Settings",
    "force_offline",
    "llm_throughput",
    "local_llm_server",
    "set_aside_note",
]



def __getattr__(name: str) -> Any:
    """Import the module that defines `name` the first time someone asks for it."""
    if name not in _WHERE:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value

"""Policy assistant: grounded, cited answers from a library of health and social care documents."""

from assistant.assistant import Assistant, QuestionTooLong
from assistant.config import Settings
from assistant.conversation import Session
from assistant.models import Answer, Citation, SearchFilters

__all__ = ["Answer", "Assistant", "Citation", "QuestionTooLong", "SearchFilters", "Session", "Settings"]

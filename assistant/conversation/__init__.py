"""Conversations: the turns so far, and follow-ups rewritten into questions that stand alone."""

from assistant.conversation.followups import standalone_question
from assistant.conversation.session import Session, Turn

__all__ = ["Session", "Turn", "standalone_question"]

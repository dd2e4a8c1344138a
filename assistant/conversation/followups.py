"""Rewriting a follow-up into a question that stands on its own.

Offline and rule-based: a pronoun that points back ("he", "it", "they") is replaced by what it
most likely refers to in the previous turn (a person named there, or the document it cited), and
a bare follow-up ("and the other article?") borrows the previous question's subject.
"""

from __future__ import annotations

import re

from assistant.conversation.session import Session, Turn

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_THING_PRONOUN = re.compile(r"\b(it|its)\b|\b(this|that)\b(?=\s*[?.!,]|\s*$)", re.I)
_THEY = re.compile(r"\b(they|them|their)\b", re.I)
_BARE_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|also|then|so)\b", re.I)
_NAME = re.compile(r"\b(?:(?:Dr|Sir|Mr|Mrs|Ms|Lord|Dame)\.? )?[A-Z][a-z]+(?: [A-Z][a-zA-Z'’-]+)+")
_NOT_PEOPLE = {"Health", "Social", "Care", "Labour", "National", "Department", "Local", "Milton", "Greater",
               "Town", "Country", "Public", "Clinical", "Whole", "Integrated", "Spending", "Review"}
_POSSESSIVE = {"his": "'s", "her": "'s", "its": "'s", "their": "'s"}


def standalone_question(question: str, session: Session | None) -> str:
    """The question rewritten so it needs no earlier turn; unchanged when it already does."""
    question = question.strip()
    if session is None or not session.turns:
        return question
    last = session.turns[-1]
    person = _last_person(last)
    thing = _last_thing(last)
    rewritten = question
    if person:
        rewritten = _PERSON_PRONOUN.sub(lambda m: _substitute(m.group(0), person), rewritten)
    if thing:
        rewritten = _THING_PRONOUN.sub(lambda m: _substitute(m.group(0), thing), rewritten)
        rewritten = _THEY.sub(lambda m: _substitute(m.group(0), person or thing), rewritten)
    if rewritten == question and (_BARE_FOLLOW_UP.match(question) or len(question.split()) <= 4):
        rewritten = f"{question.rstrip('?')} ({last.standalone_question.rstrip('?')})?"
    return _BARE_FOLLOW_UP.sub("", rewritten).strip() or rewritten


def _substitute(pronoun: str, referent: str) -> str:
    suffix = _POSSESSIVE.get(pronoun.lower(), "")
    return referent + suffix


def _last_person(turn: Turn) -> str:
    """A person named in the last question, else whoever the last answer mostly quoted."""
    for name in _NAME.findall(turn.standalone_question):
        if name.split()[0] not in _NOT_PEOPLE:
            return str(name)
    for citation in turn.answer.citations:
        if citation.section == "comment" and citation.speaker:
            return citation.speaker
        if citation.author:
            return citation.author.split(",")[0]
    return ""


def _last_thing(turn: Turn) -> str:
    """The document the last answer cited first, by title."""
    if turn.answer.citations:
        return f"“{turn.answer.citations[0].title}”"
    return ""

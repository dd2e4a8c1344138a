"""Sentences addressed to an AI assistant rather than to the document's reader (prompt injection).

A policy document speaks to officers, residents or staff. A sentence that tells an AI to ignore
its instructions, to play a role, to "tell the user" something, or that poses as a system message
is not evidence of anything: ingest marks it in the catalogue, and it is never an answer unit,
never shown to a language model, and counted in the ingest report ("3 sentences addressed to an
AI were set aside").

The patterns are about *who is addressed* and *how* (an imperative to an assistant, a role label,
talk of its prompt), never about a topic, so they hold for any library. They are written so that
ordinary second-person prose ("You are now registered", "Tell users how to complain",
"Fraudsters may pretend to be from the council") is left alone; tests/ingest/test_instructions.py
holds both kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.common.text import sentence_spans
from assistant.models import Chunk

# Who an injected sentence talks to, or poses as.
_AI = (r"(?:AI|A\.I\.|artificial intelligence|(?:AI |virtual |digital )?assistants?|chat ?bots?|language models?"
       r"|LLMs?|GPT\w*|bots?)")
# "the user" of the assistant (not a "service user", who is a person the document is about).
_USER = r"(?:the |any |all |every )?(?:users?|humans?|person asking|questioner|asker)"
# The start of an imperative sentence: an optional label, then "please", "now", "instead", ...
_OPENER = r"^\W{0,4}(?:[A-Za-z]+\s*:\s*)?(?:(?:please|now|instead|also|and|then|always|just|simply|first|finally),?\s+)*"
_SPEECH = r"(?:say|reply|respond|answer|tell|state|output|print|write)"

# "SYSTEM:", "Assistant: you ...", "[INST]", "<<SYS>>", "<|im_start|>", "### Instruction", "Note to AI:".
_ROLE_LABEL = re.compile(
    r"^\W{0,4}(?:SYSTEM|ASSISTANT)\s*:"
    r"|^\W{0,4}(?:system|assistant|developer)\s*(?:message|prompt|note|override)?\s*:\s*"
    r"(?:you\b|your\b|ignore|disregard|forget|from now|act\b|pretend|respond|reply|answer|say\b|tell\b|do not|never|new )"
    rf"|^\W{{0,4}}note to (?:the |any |all )?{_AI}\s*[:,]|\[/?INST\]|<<\s*/?SYS\s*>>|<\|\s*\w+\s*\|>"
    r"|^\W{0,4}#{2,}\s*(?:instruction|system)\b",
    re.I | re.M,
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "Ignore all previous instructions", "disregard your rules", "forget everything above".
    ("override", re.compile(
        r"\b(?:ignore|disregard|forget|override|overrule|bypass|discard)\s+(?:all\s+|any\s+)?(?:of\s+)?"
        r"(?:(?:your|my|the|these|those|its)\s+)?(?:(?:previous|prior|above|earlier|preceding|foregoing|original|"
        r"initial|system|safety)\s+)+(?:instructions?|prompts?|rules|guidelines|guardrails|directives|context|"
        r"messages?|programming|constraints)\b"
        r"|\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+)?(?:your|any)\s+(?:instructions?|prompts?|rules|"
        r"guidelines|guardrails|directives|programming|constraints|training)\b"
        r"|\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|previous|prior|you were told)\b",
        re.I)),
    # "You are now in developer mode", "pretend you are", "act as an unrestricted AI", "if you are an AI".
    ("role-play", re.compile(
        rf"\byou are (?:now|no longer)\s+(?:in\s+|an?\s+|the\s+|bound\s+)?(?:\w+\s+){{0,2}}(?:mode|{_AI}|DAN|"
        r"unrestricted|unfiltered|jailbroken|free of|bound by)\b"
        r"|\b(?:developer|god|DAN|jailbreak|unrestricted|debug) mode\b|\bjailbr(?:eak|oken)\b"
        rf"|\bfrom now on,?\s+(?:you|your)\b.{{0,60}}\b(?:{_SPEECH}|act|behave|pretend|ignore)\b"
        rf"|{_OPENER}pretend\b|\byou (?:must|should|will|are to) (?:now )?pretend\b"
        rf"|{_OPENER}(?:act|behave|respond|answer) as (?:if you were |though you were )?(?:an? |the )?"
        rf"(?:unrestricted |unfiltered |different |new |evil )?{_AI}\b"
        rf"|\bif you are (?:an? )?{_AI}\b|\bdear {_AI}\b|\bto (?:any|all|the) {_AI} (?:reading|processing|summari[sz]ing)\b",
        re.I)),
    # "Tell the user that ...", "reply only with ...", "when asked about X, say ...", "do not cite sources".
    ("tell the user", re.compile(
        rf"{_OPENER}(?:tell|inform|remind|warn|assure|convince|notify)\s+{_USER}\s+(?:that\b|:|[\"“‘']|you\b|"
        r"instead\b|only\b|it is\b)"
        rf"|{_OPENER}{_SPEECH}\s+(?:only\s+|exactly\s+|just\s+|simply\s+)?(?:with\s+|back\s+)?"
        r"(?:the (?:words?|phrase|text)\s+)?[\"“‘']"
        r"|\b(?:reply|respond|answer)\s+(?:only|exclusively)\s+with\b"
        r"|\b(?:do not|don't|never)\s+(?:cite|mention|reveal|disclose)\s+(?:any\s+|the\s+|your\s+|these\s+|this\s+)?"
        r"(?:sources?|citations?|instructions?|prompt)\b"
        rf"|\bwhen(?:ever)?\s+(?:you are |you're )?(?:asked|questioned|queried)\b[^.]{{0,80}},\s*(?:always\s+)?{_SPEECH}\b"
        rf"|\bif {_USER} asks?\b[^.]{{0,80}},\s*(?:always\s+)?{_SPEECH}\b"
        rf"|\b{_AI}\b[^.]{{0,40}}\b(?:must|should|shall|is to|are to|needs? to)\s+(?:now\s+|always\s+)?"
        r"(?:ignore|disregard|pretend|say|reply|respond|tell (?:the |all )?users?)\b",
        re.I)),
    # Talk of the assistant's own prompt, or a fake delimiter of the prompt it is given.
    ("system prompt", re.compile(
        r"\byour\s+(?:system|hidden|initial|original|secret)\s+(?:prompt|message|instructions)\b"
        r"|\b(?:reveal|print|show|repeat|output|ignore|disregard|override|leak)\s+(?:the\s+)?(?:system|hidden)\s+prompt\b"
        r"|<\s*/?\s*source\b",
        re.I)),
]


@dataclass(frozen=True)
class Instruction:
    """One sentence addressed to an AI: absolute offsets into the text, and why it was flagged."""

    start: int
    end: int
    kind: str


@lru_cache(maxsize=16384)
def addressed_to_ai(sentence: str) -> str | None:
    """The kind of AI-addressed sentence this is ('role label', 'override', 'role-play',
    'tell the user', 'system prompt'), or None for ordinary prose. Remembered: the answerer
    asks it of every candidate unit of every question, and the same units come back."""
    if _ROLE_LABEL.search(sentence):
        return "role label"
    for kind, pattern in _PATTERNS:
        if pattern.search(sentence):
            return kind
    return None


def find_instructions(text: str) -> list[Instruction]:
    """Every sentence of `text` addressed to an AI. A line that opens with a role label
    ("SYSTEM: ...") is an injected message as a whole, so all of its sentences are set aside."""
    found: list[Instruction] = []
    labelled_until = -1
    for span in sentence_spans(text):
        sentence = text[span.start : span.end]
        kind = addressed_to_ai(sentence)
        line_start = text.rfind("\n", 0, span.start) + 1
        if kind == "role label" and not text[line_start : span.start].strip():
            line_end = text.find("\n", span.start)
            labelled_until = len(text) if line_end < 0 else line_end
        elif kind is None and span.start < labelled_until:
            kind = "role label"
        if kind is not None:
            found.append(Instruction(span.start, span.end, kind))
    return found


def is_set_aside(chunk: Chunk, start: int, end: int) -> bool:
    """May the span [start, end) of this chunk (document offsets) never be quoted or shown to a model?

    The one test every answerer applies: the span overlaps a sentence ingest marked in the
    catalogue, or (for a catalogue written before marks existed) reads as addressed to an AI itself.
    """
    if overlaps(start, end, chunk.set_aside):
        return True
    return addressed_to_ai(chunk.text[max(start - chunk.start, 0) : max(end - chunk.start, 0)]) is not None


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Does [start, end) share a character with one of the (start, end) spans?"""
    return any(s < end and start < e for s, e in spans)

"""What in an answer is a claim to check: its sentences, and which of them assert something.

Models frame their answers ("Here is a summary of the article in 118 words:", "Sure, I can help
with that!", "Based on the passages provided, ..."), hedge, say the sources do not cover a point,
and repeat the question. None of that asserts anything about the world, so none of it is checked
(or counted) against the passages; a framing lead-in is cut off and what follows is checked.
The guard and the evals both read answers through this module, so they agree on what a claim is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.common.markers import leading_markers, marker_numbers, strip_markers
from assistant.common.text import content_stems, sentence_spans, words

SentenceKind = Literal["claim", "framing", "no_answer", "question", "fragment", "restated"]

_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_ECHO = re.compile(r"^\s*(?:(?:question|sources?|standalone question)\s*:|answer using only\b)", re.I)
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:answer|response|summary)\s*:\s*(?:\*\*)?\s*", re.I)
_SOURCE_WORDS = r"(?:(?:provided|given|above|available|retrieved|cited)\s+)?(?:sources?|documents?|passages?|" \
                r"context|texts?|articles?|information|excerpts?|library|news|report|story|data)"
_NO_ANSWER = re.compile(
    r"\b(sources?|documents?|passages?|context|library|articles?|texts?|information)\b.{0,60}"
    r"\b(do|does|did|can|could|is|are)\s*(not|n't)\b"
    r".{0,40}\b(answer|say|state|mention|contain|provide|include|cover|specify|address|give|offer|discuss|"
    r"clear|available|detail|indicate|explain|list)"
    r"|\bnot enough information\b|\bno (specific |further |additional )?(information|mention|details?)\b"
    r"|\b(i am|i'm|it is|we are)\s+(unable|not able)\b|\bi (cannot|can't|could not|couldn't)\b"
    r"|\b(?:is|are) not (?:mentioned|specified|stated|provided|given|addressed|discussed)\b",
    re.I,
)
# A whole sentence that talks about the answer rather than the world.
_META = re.compile(
    r"^(?:(?:sure|certainly|of course|absolutely|okay|ok|great|hello|hi)\b[\s,!.]*"
    r"(?:(?:i|we)(?:'d| would| can| will|'ll)? (?:be happy to |be glad to )?(?:help|assist|do that|summari[sz]e))?"
    r"|here(?:'s| is| are)\b.{0,80}\b(?:summary|answer|response|overview|points?|information|breakdown|list)\b"
    r"|here(?:'s| is| are) what\b.{0,60}\b(?:says?|said|shows?|states?|tells?|reports?|finds?)[.!:]?$"
    r"|(?:i hope|hope) (?:this|that) helps|let me know\b|feel free\b|please (?:note|let|feel)\b"
    r"|(?:the )?(?:following|below) (?:is|are)\b|(?:in|within) (?:summary|conclusion|short|brief)\s*[:.]?$"
    r"|(?:to )?(?:answer|summari[sz]e) (?:your|the|this) (?:question|article|passage|news)\b"
    r"|(?:i|we) (?:will|'ll|can) (?:now )?(?:summari[sz]e|answer|provide|explain)\b"
    r"|(?:i|we)(?:'d| would| can| will|'ll| am| are)? (?:be )?(?:happy|glad|able)? ?(?:to )?(?:help|assist)\b"
    r"|is there anything else\b)",
    re.I,
)
# A lead-in that frames what follows: cut off, and the rest is the claim.
_LEAD_IN = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|great)[,!.]\s*"
    r"|here(?:'s| is| are)\b[^:]{0,100}:\s*"
    r"|(?:based (?:solely |only )?(?:on|upon)|according to|from|in|as (?:stated|mentioned|described|noted|"
    r"indicated|shown) in|per)\s+(?:the\s+|this\s+|these\s+)?" + _SOURCE_WORDS +
    r"(?:\s+(?:provided|given|above|you (?:provided|gave|shared)))?(?:\s*(?:\d+|\[\d+\]))?(?:\s*(?:and|,)\s*\d+)*"
    r"(?:\s*\([^)]*\))?\s*,\s*"
    r"|(?:the\s+|this\s+|these\s+)?" + _SOURCE_WORDS + r"(?:\s*(?:\d+|\[\d+\]))?(?:\s*(?:and|,|&)\s*(?:"
    + _SOURCE_WORDS + r"\s*)?\d+)*\s+(?:both\s+|all\s+|also\s+|further\s+|clearly\s+)?(?:states?|says?|"
    r"mentions?|indicates?|notes?|suggests?|explains?|reports?|describes?|highlights?|discusses?|reveals?|"
    r"shows?|confirms?|claims?|emphasi[sz]es?|provides? information (?:on|about)|points? out)\s+(?:that\s+)?"
    r"|(?:it is|it's) (?:important|worth) (?:to note|noting) (?:that\s+)?"
    r"|(?:in summary|in conclusion|overall|to summari[sz]e|in short|in brief|in other words|that said)\s*,\s*)",
    re.I,
)
_RESTATE_SHARE = 1.0
# Words that make a sentence built of the question's words an answer to it ("Yes, ...", "not").
_ANSWERS = re.compile(r"^\s*(?:yes|no)\b|\b(?:not|no|never|n't|cannot)\b", re.I)  # every content word of a restated sentence is the question's


@dataclass
class Draft:
    """One sentence of an answer: its text without citation markers, the markers, and where it is."""

    text: str
    markers: list[int]
    line: int
    bullet: str = ""
    start: int = 0  # characters of the answer this sentence spans
    end: int = 0

    @property
    def no_answer(self) -> bool:
        """It says the sources do not answer (a refusal, not a claim about the world)."""
        return bool(_NO_ANSWER.search(self.text))

    @property
    def fragment(self) -> bool:
        """Not a claim: a heading or stray word ('Sources:'), a question, or the prompt echoed
        back ('Question: ...', 'Answer using only the sources above')."""
        return (not self.markers and len(words(self.text)) < 3) or self.text.rstrip().endswith("?") \
            or bool(_ECHO.match(self.text))


def parse(raw: str) -> list[Draft]:
    """Sentences of the model's text with their [n] markers; markers a sentence begins with
    belong to the sentence before (models write 'Foo. [1] Bar.')."""
    drafts: list[Draft] = []
    offset = 0
    for line_no, line in enumerate(raw.split("\n")):
        base = offset
        offset += len(line) + 1
        label = _LABEL.match(line)
        cut = label.end() if label else 0
        bullet = _BULLET.match(line, cut)
        body_at = bullet.end() if bullet else cut
        body = line[body_at:]
        for i, (start, end) in enumerate(sentence_spans(body)):
            piece = body[start:end]
            lead = leading_markers(piece)
            if lead and drafts and drafts[-1].line == line_no:
                drafts[-1].markers.extend(marker_numbers(lead.group()))
                piece, start = piece[lead.end() :], start + lead.end()
            markers = marker_numbers(piece)
            text = strip_markers(piece).replace("**", "").strip()
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if not text.strip(" .,;:"):
                continue
            drafts.append(Draft(text=text, markers=markers, line=line_no,
                                bullet=bullet.group().strip() if bullet and i == 0 else "",
                                start=base + body_at + start, end=base + body_at + end))
    return drafts


def kind(text: str, question: str = "", *, cited: bool = False) -> SentenceKind:
    """What a sentence of an answer is: a claim to check, or framing, a refusal, a question, a
    fragment, or the question restated (all its content words are the question's)."""
    body = text.strip()
    if body.endswith("?") or _ECHO.match(body):
        return "question"
    if not cited and len(words(body)) < 3:
        return "fragment"
    claim = lead_stripped(body)
    if _META.match(claim) or claim.endswith(":") or len(words(claim)) < 2:
        return "framing"
    if _NO_ANSWER.search(claim):
        return "no_answer"
    stems = set(content_stems(claim))
    asked = set(content_stems(question))
    if question and stems and len(stems & asked) >= _RESTATE_SHARE * len(stems) and not _ANSWERS.search(claim):
        return "restated"
    return "claim"


def lead_stripped(text: str) -> str:
    """The sentence without a framing lead-in ("Based on the passages provided, X" -> "X")."""
    body = text.strip()
    while (m := _LEAD_IN.match(body)) and m.end() < len(body):
        body = body[m.end() :].lstrip()
    return body


def is_claim(text: str, question: str = "", *, cited: bool = False) -> bool:
    """Whether a sentence asserts something the passages must bear out."""
    return kind(text, question, cited=cited) == "claim"


def asked(question: str, standalone: str = "") -> str:
    """What the user asked, as the checker reads it: the question and, when the conversation
    rewrote it, the standalone question too (an answer may repeat either)."""
    parts = [p.strip() for p in (question, standalone) if p and p.strip()]
    return "\n".join(dict.fromkeys(parts))

"""Answers written by a language model from numbered sources, then put through the guard.

The model sees the retrieved passages as numbered, clearly delimited <source> blocks and is
told to cite [n] after every sentence and to say when the sources do not answer. Nothing it
writes reaches the user unchecked: the raw text streams to the chat as it comes (so a slow
local model still feels alive), and the final Answer is whatever the guard lets through.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from assistant.answer.citations import refusal
from assistant.answer.guard import Checker, Guard, Source, make_source
from assistant.common.prompts import template
from assistant.common.text import content_stems
from assistant.config import Settings
from assistant.conversation import Session
from assistant.index.library import Library
from assistant.models import Answer
from assistant.retrieve import ScoredChunk

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)

_SOURCE_TAG = re.compile(r"<\s*/?\s*source\b", re.I)
_HISTORY_TURNS = 3


class GenerativeAnswerer:
    """Prompts the configured LLM with numbered sources and guards what it writes."""

    def __init__(self, library: Library, settings: Settings, llm: LLM, checker: Checker) -> None:
        self.library = library
        self.settings = settings
        self.llm = llm
        self.guard = Guard(checker, settings, library.catalog.document_text)

    def sources(self, retrieved: list[ScoredChunk]) -> list[Source]:
        """The first llm_passages retrieved chunks, numbered from 1 as the prompt shows them."""
        metas = self.library.metas()
        placeholder = self.guard.words["withheld"]
        return [make_source(n, s, metas[s.chunk.doc_id], placeholder)
                for n, s in enumerate(retrieved[: self.settings.llm_passages], start=1)]

    def messages(self, question: str, sources: list[Source]) -> list[ChatMessage]:
        """System rules, then the delimited sources and the question (templates in prompts/)."""
        from llama_index.core.base.llms.types import ChatMessage, MessageRole

        folder = self.settings.prompts_dir
        block = template(folder, "generative_source.txt")
        rendered = "\n\n".join(block.format(
            n=s.n, title=_attribute(s.meta.title), author=_attribute(s.meta.author_line or "unknown"),
            date=_attribute(s.meta.date or "unknown"), text=_defuse(s.text),
        ) for s in sources)
        system = template(folder, "generative_system.txt").format(
            max_sentences=self.settings.max_answer_sentences)
        user = template(folder, "generative_user.txt").format(sources=rendered, question=_defuse(question))
        return [ChatMessage(role=MessageRole.SYSTEM, content=system),
                ChatMessage(role=MessageRole.USER, content=user)]

    def stream(
        self, question: str, standalone: str, retrieved: list[ScoredChunk], fallback: Callable[[], Answer],
    ) -> Iterator[str | Answer]:
        """The model's text so far, token by token, then the guarded Answer."""
        if not retrieved:
            yield refusal(question, standalone, [], {}, self.settings).model_copy(update={"mode": "llm"})
            return
        sources = self.sources(retrieved)
        raw = ""
        try:
            for response in self.llm.stream_chat(self.messages(standalone, sources)):
                if response.delta:
                    raw += response.delta
                    yield raw
        except Exception as err:  # any client or network failure: the user still gets an answer
            log.warning("LLM call failed: %s", err)
            notice = self.guard.words["llm_failed"].format(error=type(err).__name__)
            answer = fallback()
            yield answer.model_copy(update={"notice": " ".join(p for p in (notice, answer.notice) if p),
                                            "raw_answer": raw, "mode": "extractive"})
            return
        yield self.guard.answer(question, standalone, raw, sources, retrieved, self.library.metas(), fallback)

    def answer(
        self, question: str, standalone: str, retrieved: list[ScoredChunk], fallback: Callable[[], Answer],
    ) -> Answer:
        """The guarded Answer, without streaming."""
        final = None
        for item in self.stream(question, standalone, retrieved, fallback):
            final = item
        assert isinstance(final, Answer)
        return final

    def condense(self, question: str, session: Session | None) -> str | None:
        """The follow-up rewritten by the model to stand alone; None (use the rule-based
        rewrite) when there is no history, the call fails, or the rewrite lost the question."""
        if session is None or not session.turns:
            return None
        history = "\n".join(
            f"User: {t.question}\nAssistant: {_shorten(t.answer.answer_markdown)}"
            for t in session.turns[-_HISTORY_TURNS:]
        )
        prompt = template(self.settings.prompts_dir, "condense.txt").format(
            history=history, question=question)
        try:
            text = self.llm.complete(prompt).text
        except Exception as err:  # the rule-based rewrite is a fine fallback
            log.warning("LLM condense failed: %s", err)
            return None
        return _plausible_rewrite(question, text)


def _plausible_rewrite(question: str, text: str) -> str | None:
    """The first line, if it is a question of sensible length keeping most of the follow-up's words."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    line = re.sub(r"^(standalone question:)\s*", "", lines[0], flags=re.I).strip(' "“”') if lines else ""
    own = set(content_stems(question))
    kept = own & set(content_stems(line))
    if not line or len(line) > 3 * len(question) + 200 or (own and len(kept) < len(own) / 2):
        return None
    return line


def _shorten(markdown: str, limit: int = 300) -> str:
    text = re.sub(r"\s*\[\d+\]", "", markdown).replace("\n", " ")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def _defuse(text: str) -> str:
    """A passage (or question) cannot open or close a <source> block of its own."""
    return _SOURCE_TAG.sub(lambda m: m.group(0).replace("<", "‹"), text)


def _attribute(value: str) -> str:
    return _defuse(value).replace('"', "'").replace("\n", " ")

"""The llm answer mode through the Assistant facade, with a scripted model standing in for the network."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from llm_helpers import ScriptedLLM, assert_citations_valid, source_numbers

from assistant import Assistant
from assistant.conversation import Session
from assistant.grounding import GroundingChecker
from assistant.llm.backends import LLMNotConfigured
from assistant.models import Answer
from evals.dataset import Question
from evals.evaluate import score
from evals.runner import Observation

QUESTION = "How many residents does Milton Keynes have now?"


def cite(needle: str, claim: str) -> Callable[[str], str]:
    """A model that writes `claim` citing whichever numbered source contains `needle`."""

    def script(prompt: str) -> str:
        n = next((n for n, text in source_numbers(prompt).items() if needle in text), 1)
        return f"{claim} [{n}]."

    return script


def _stream(assistant: Assistant, question: str = QUESTION) -> tuple[list[str], Answer]:
    items = list(assistant.ask_stream(question, mode="llm"))
    *texts, final = items
    assert all(isinstance(t, str) for t in texts) and isinstance(final, Answer)
    return texts, final  # type: ignore[return-value]


def test_llm_mode_streams_the_model_then_the_guarded_answer(llm_assistant: Callable[..., Assistant]) -> None:
    assistant = llm_assistant(ScriptedLLM(script=cite("288,000", "Milton Keynes now has 288,000 residents")))
    texts, answer = _stream(assistant)
    assert len(texts) > 3 and texts[-1].startswith("Milton Keynes now has 288,000")
    assert answer.mode == "llm" and answer.raw_answer == texts[-1]
    assert answer.answer_markdown == "Milton Keynes now has 288,000 residents [1]."
    assert answer.sentences[0].verified and "288,000" in answer.citations[0].quote
    assert "answer_ms" in answer.timings_ms
    assert_citations_valid(assistant, answer)


def test_the_mode_defaults_to_the_settings(llm_assistant: Callable[..., Assistant]) -> None:
    llm = ScriptedLLM(script=cite("288,000", "Milton Keynes now has 288,000 residents"))
    assert llm_assistant(llm).ask(QUESTION).mode == "llm"
    offline = llm_assistant(llm, llm_backend="none")
    assert offline.answer_mode() == "extractive"
    assert offline.ask(QUESTION).mode == "extractive"
    assert llm_assistant(llm).ask(QUESTION, mode="extractive").raw_answer == ""


def test_llm_mode_without_a_backend_is_a_clear_error(llm_assistant: Callable[..., Assistant]) -> None:
    assistant = llm_assistant(None, llm_backend="none")
    with pytest.raises(LLMNotConfigured, match="POLICY_ASSISTANT_LLM_BACKEND"):
        assistant.ask(QUESTION, mode="llm")


def test_a_fabricating_model_gets_the_extractive_answer_with_a_notice(
    llm_assistant: Callable[..., Assistant],
) -> None:
    raw = "Milton Keynes now has 412,000 residents [1]. It became a city in 1850 [2]."
    assistant = llm_assistant(ScriptedLLM(script=lambda prompt: raw))
    answer = assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.raw_answer == raw
    assert "could not be verified" in answer.notice
    assert "288,000" in answer.answer_markdown and "412,000" not in answer.answer_markdown
    assert_citations_valid(assistant, answer)


def test_an_unreachable_model_falls_back(llm_assistant: Callable[..., Assistant]) -> None:
    def down(prompt: str) -> str:
        raise ConnectionError("connection refused")

    answer = llm_assistant(ScriptedLLM(script=down)).ask(QUESTION)
    assert answer.mode == "extractive" and "could not be reached" in answer.notice
    assert "288,000" in answer.answer_markdown


def test_the_prompt_numbers_and_delimits_the_sources(llm_assistant: Callable[..., Assistant]) -> None:
    llm = ScriptedLLM(script=cite("288,000", "Milton Keynes now has 288,000 residents"))
    llm_assistant(llm, llm_passages=4).ask(QUESTION)
    prompt = llm.prompts[-1]
    assert list(source_numbers(prompt)) == [1, 2, 3, 4]
    assert prompt.split("Sources:", 1)[1].count("</source>") == 4 and "square brackets" in prompt
    assert "The sources do not answer this question." in prompt


def test_a_follow_up_is_condensed_by_the_model(llm_assistant: Callable[..., Assistant]) -> None:
    def script(prompt: str) -> str:
        if "Follow-up question:" in prompt:
            return "Standalone question: How many residents did Milton Keynes have when it was designed?"
        return cite("288,000", "Milton Keynes now has 288,000 residents")(prompt)

    assistant = llm_assistant(ScriptedLLM(script=script))
    session = Session()
    assistant.ask(QUESTION, session=session)
    follow_up = assistant.ask("And how many residents was it designed for?", session=session)
    assert follow_up.standalone_question == "How many residents did Milton Keynes have when it was designed?"


def test_a_rewrite_that_loses_the_question_is_ignored(llm_assistant: Callable[..., Assistant]) -> None:
    def script(prompt: str) -> str:
        if "Follow-up question:" in prompt:
            return "Milton Keynes has 288,000 residents."  # answered instead of rewriting
        return cite("288,000", "Milton Keynes now has 288,000 residents")(prompt)

    assistant = llm_assistant(ScriptedLLM(script=script))
    session = Session()
    assistant.ask(QUESTION, session=session)
    follow_up = assistant.ask("Who wrote it?", session=session)
    assert re.search(r"wrote", follow_up.standalone_question)  # the rule-based rewrite


def test_nothing_network_bound_is_imported_by_default() -> None:
    import subprocess
    import sys

    code = ("import sys; from assistant import Assistant, Settings; "
            "from assistant.llm.backends import make_llm; "
            "assert make_llm(Settings()) is None; "
            "print([m for m in sys.modules if m.split('.')[0] in ('openai', 'httpx', 'llama_cpp') "
            "or m.startswith(('llama_index.llms.openai', 'llama_index.llms.azure'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"POLICY_ASSISTANT_LLM_BACKEND": "none", "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_the_guard_and_the_evals_judge_agree_on_what_is_kept(
    llm_assistant: Callable[..., Assistant], checker: GroundingChecker,
) -> None:
    """Every sentence the guard lets through is supported by the evals' own judge: faithfulness
    1.0 by construction, while the raw answer (framing and a fabrication included) scores less."""
    raw = ("Sure, here is what the sources say. Milton Keynes now has 288,000 residents [1]. "
           "It has 40 hospitals and a cathedral [1].")
    assistant = llm_assistant(ScriptedLLM(script=lambda prompt: raw))
    answer = assistant.ask(QUESTION)
    assert answer.mode == "llm" and "40 hospitals" not in answer.answer_markdown
    assert "Sure" not in answer.answer_markdown  # framing is not shown, nor checked
    context = [s.chunk.text for s in assistant.retriever.search(answer.standalone_question)]
    seen = Observation(answer=answer, ranked=context, context=context, cited={}, latency_ms=1.0)
    gold = Question(id="q", question=QUESTION, key_facts=["288,000"], type="factual")
    result = score(gold, seen, lambda s, p, q="": checker.check(s, p, q).supported, assistant.document_text)
    assert result.faithfulness == 1.0
    assert result.raw_faithfulness is not None and result.raw_faithfulness < 1.0

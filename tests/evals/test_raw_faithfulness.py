"""In llm mode the report sets the model's unguarded faithfulness beside the guarded one."""

from assistant.models import Answer
from evals.dataset import Question
from evals.evaluate import score
from evals.runner import Observation

CONTEXT = ["Milton Keynes now has 288,000 residents.", "The city was planned in 1969."]


def supported(sentence: str, passages: list[str], question: str = "") -> bool:
    return any(sentence.rstrip(".") in p for p in passages)


def observe(answer: Answer) -> Observation:
    return Observation(answer=answer, ranked=CONTEXT, context=CONTEXT, cited={1: CONTEXT[0]}, latency_ms=1.0)


QUESTION = Question(id="q", question="How many residents?", key_facts=["288,000"], type="factual")


def test_raw_faithfulness_judges_the_model_text_before_the_guard() -> None:
    answer = Answer(
        question="How many residents?", standalone_question="How many residents?", refused=False,
        answer_markdown="Milton Keynes now has 288,000 residents [1].", mode="llm",
        raw_answer="Milton Keynes now has 288,000 residents [1]. It has 40 hospitals [2].",
    )
    result = score(QUESTION, observe(answer), supported, lambda doc_id: "")
    assert result.raw_faithfulness == 0.5


def test_an_extractive_answer_has_no_raw_faithfulness() -> None:
    answer = Answer(
        question="How many residents?", standalone_question="How many residents?", refused=False,
        answer_markdown="“Milton Keynes now has 288,000 residents.” [1]",
    )
    assert score(QUESTION, observe(answer), supported, lambda doc_id: "").raw_faithfulness is None

"""A short concurrent-users run against a real server: no errors, answers as for one user."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.ui.app import ChatApp
from evals.bench.load import LoadConfig, chat_event, follow_up_events, require_loopback, run_load
from evals.bench.processes import dev_questions
from tests.fakes import HashingEmbedder


@pytest.mark.server
def test_ten_clients_for_ten_seconds_get_the_single_user_answers(tmp_path: Path) -> None:
    config = LoadConfig(clients=10, seconds=10, questions=3, data_dir=tmp_path / "data", out=tmp_path / "load")
    result = run_load(config, dev_questions(config.questions))
    assert result["requests"] >= config.clients, result
    assert result["errors"] == 0, result["error_samples"]
    assert result["mismatches"] == 0, result["mismatch_samples"]
    assert result["channels"]["api"]["ok"] and result["channels"]["chat"]["ok"]
    assert result["wall_seconds"] < config.seconds + 150  # bounded: it stops by itself


def test_only_loopback_is_ever_a_target() -> None:
    require_loopback("http://127.0.0.1:7860")
    require_loopback("http://localhost:7860")
    with pytest.raises(SystemExit):
        require_loopback("http://10.0.0.5:7860")


def test_the_chat_channel_runs_the_event_the_question_box_submits(tmp_path: Path) -> None:
    """The chat's ask event is internal to the page (not in the Gradio API): the load test finds it
    in /config as a browser does, by the question box's submit."""
    assistant = Assistant(Settings(data_dir=tmp_path / "data"), embedder=HashingEmbedder())
    chat = ChatApp(assistant, assistant.feedback)
    config = chat.build().get_config_file()

    event, components = chat_event(config)

    assert event["api_visibility"] == "private"
    assert [components[c]["type"] for c in event["inputs"]][:2] == ["textbox", "chatbot"]
    assert components[event["targets"][0][0]]["props"].get("elem_id") == "question"


def test_the_chat_channel_also_runs_what_the_page_runs_after_an_answer(tmp_path: Path) -> None:
    """The briefing controls are a second event after the answer's: the browser runs it, so the
    load test does too (its server time is part of what a question costs)."""
    assistant = Assistant(Settings(data_dir=tmp_path / "data"), embedder=HashingEmbedder())
    chat = ChatApp(assistant, assistant.feedback)
    config = chat.build().get_config_file()
    event, components = chat_event(config)

    follow_ups = follow_up_events(config, event)

    assert len(follow_ups) == 1 and not follow_ups[0]["queue"]
    written = {components[c]["props"].get("elem_id") for c in follow_ups[0]["outputs"]}
    assert {"brief-docx", "brief-md", "briefing-choose"} <= written

"""The runner's checks before a long run: the answer mode must exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.runner import ModeUnavailable, check_mode


class UnconfiguredAssistant:
    """ask(mode=...) exists, but no LLM backend is configured."""

    def ask(self, question: str, *, retrieval: str | None = None, mode: str | None = None) -> None: ...

    @property
    def generative(self) -> Any:
        raise RuntimeError("mode='llm' needs an LLM: set POLICY_ASSISTANT_LLM_BACKEND")


def test_llm_mode_fails_clearly_without_configuration() -> None:
    with pytest.raises(ModeUnavailable, match="POLICY_ASSISTANT_LLM_BACKEND"):
        check_mode(UnconfiguredAssistant(), "llm")  # type: ignore[arg-type]
    check_mode(UnconfiguredAssistant(), "extractive")  # type: ignore[arg-type]


def test_run_in_llm_mode_without_a_backend_stops_before_ingesting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICY_ASSISTANT_LLM_BACKEND", raising=False)
    result = CliRunner().invoke(app, ["run", "--mode", "llm", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--mode llm is not available" in result.output
    assert not (tmp_path / "out").exists()

"""A short concurrent-users run against a real server: no errors, answers as for one user."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.bench.load import LoadConfig, require_loopback, run_load
from evals.bench.processes import dev_questions

pytestmark = pytest.mark.server


def test_ten_clients_for_ten_seconds_get_the_single_user_answers(tmp_path: Path) -> None:
    config = LoadConfig(clients=10, seconds=10, questions=3, data_dir=tmp_path / "data", out=tmp_path / "load")
    result = run_load(config, dev_questions(config.questions))
    assert result["requests"] >= config.clients, result
    assert result["errors"] == 0, result["error_samples"]
    assert result["mismatches"] == 0, result["mismatch_samples"]
    assert result["channels"]["api"]["ok"] and result["channels"]["gradio"]["ok"]
    assert result["wall_seconds"] < config.seconds + 150  # bounded: it stops by itself


def test_only_loopback_is_ever_a_target() -> None:
    require_loopback("http://127.0.0.1:7860")
    require_loopback("http://localhost:7860")
    with pytest.raises(SystemExit):
        require_loopback("http://10.0.0.5:7860")

"""The README documents what the code does."""

from pathlib import Path

from assistant.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [name for name in Settings.model_fields if f"POLICY_ASSISTANT_{name.upper()}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_the_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README

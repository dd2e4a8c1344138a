"""Units that only name something (a title, a caption, a bibliography entry) or are extraction
noise are labels: they never lead an answer and are never quoted."""

from __future__ import annotations

import pytest

from assistant.answer.scoring import garbled, names_only
from assistant.models import AnswerUnit

TITLE = "Defining the integrated neighbourhood model: a systematic review"


def _unit(text: str, heading: str = "") -> AnswerUnit:
    return AnswerUnit(unit_id="u", doc_id="d", text=text, start=0, end=len(text), position=0, heading=heading)


@pytest.mark.parametrize("text", [
    "Simpson M. Health creation: how can primary care networks succeed in reducing health inequalities?",
    "Dickerson J, Moss R, Hou B, Kelly B, Reece S, Mohammed M, et al.",
    "25. Goddard M. Integrated care systems and equity: prospects and plans.",
    "[12] Bosdijk A, Nieboer AP, Cramm JM.",
    "Figure 3: Workforce growth by staff group, 2020 to 2030",
    "Defining the integrated neighbourhood model: a systematic review 2.",
])
def test_a_bibliography_entry_a_caption_or_a_title_repeat_only_names(text: str) -> None:
    assert names_only(_unit(text), TITLE)


@pytest.mark.parametrize("text", [
    "Simpson said the networks had reduced admissions by a fifth.",
    "NHS England will support adoption of the FDP to 85% of all secondary care trusts by March 2026.",
    "Annex B sets out the methodology in full.",
    "Strong community engagement helped integrated neighbourhood models succeed.",
])
def test_a_sentence_that_says_something_is_no_label(text: str) -> None:
    assert not names_only(_unit(text), TITLE)


@pytest.mark.parametrize("text", [
    ", with population ong go the ly positiv communit national scalabilit",
    ", social t ematur minants y po y car ages er",
])
def test_text_whose_words_are_mostly_no_words_is_extraction_noise(text: str) -> None:
    assert garbled(text)


@pytest.mark.parametrize("text", [
    "The ICB and FDP team will publish deprescribing guidance for multimorbidity clinics in 2026.",
    "IFR manager (1 attendee per Panel; ex-officio).",
    "Partners agreed that social workers should see hospital discharge summaries within a day.",
])
def test_prose_with_names_acronyms_and_a_few_rare_words_is_not_noise(text: str) -> None:
    assert not garbled(text)

"""Planted-fabrication figures for the report: how many planted errors the grounding checker flags.

evals.grounding.fabrication plants one wrong number, date, name or negation in real sentences;
the report carries its figures because citation recall and faithfulness are only as good as the
checker that judges them.
"""

from __future__ import annotations

from assistant.grounding import GroundingChecker
from evals.grounding import fabrication
from evals.results import PlantedFabrication, PlantedKind


def planted_fabrication(checker: GroundingChecker, include_shared: bool = True) -> PlantedFabrication:
    """Detection and false-alarm rates of `checker` on the default planted cases."""
    cases = fabrication.default_cases(include_shared=include_shared)
    result = fabrication.evaluate_checker(checker, cases)
    libraries = ", ".join(fabrication.library_paths(include_shared))
    return PlantedFabrication(
        available=True, cases=len(cases),
        note=f"{len(cases)} planted cases from {libraries or 'the libraries'}; the bar is ≥ 95% of "
             "fabrications flagged with ≤ 5% of true sentences flagged.",
        detection_rate=result.detection_rate, false_alarm_rate=result.false_alarm_rate,
        meets_bar=result.meets_bar, ms_per_sentence=round(result.ms_per_sentence, 2),
        by_kind=[PlantedKind(kind=r.kind, fabricated=r.fabricated, total=r.total, flagged=r.flagged)
                 for r in result.by_kind],
    )

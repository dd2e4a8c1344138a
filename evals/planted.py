"""Planted-fabrication figures for the report, from evals.fabrication when it is there.

evals.fabrication (a separate piece of work) plants one wrong number, date, name or negation in
real sentences and measures how many the grounding checker flags. The report carries its
figures because citation recall and faithfulness are only as good as that checker; when the
module (or the checker) is not available the report says so instead of failing.
"""

from __future__ import annotations

import importlib
from typing import Any

from evals.results import PlantedFabrication, PlantedKind


def planted_fabrication(checker: Any | None, include_shared: bool = True) -> PlantedFabrication:
    """Detection and false-alarm rates of `checker` on the default planted cases."""
    if checker is None:
        return PlantedFabrication(available=False, note="the grounding checker is not available")
    try:
        fabrication = importlib.import_module("evals.fabrication")
    except ImportError as err:
        return PlantedFabrication(available=False, note=f"evals.fabrication is not available ({err})")
    try:
        cases = fabrication.default_cases(include_shared=include_shared)
        result = fabrication.evaluate_checker(checker, cases)
    except (AttributeError, NotImplementedError, TypeError) as err:
        return PlantedFabrication(available=False, note=f"evals.fabrication could not be run ({err!r})")
    named = getattr(fabrication, "library_paths", None)
    libraries = ", ".join(named(include_shared)) if named else ""
    return PlantedFabrication(
        available=True, cases=len(cases),
        note=f"{len(cases)} planted cases from {libraries or 'the libraries'}; the bar is ≥ 95% of "
             "fabrications flagged with ≤ 5% of true sentences flagged.",
        detection_rate=result.detection_rate, false_alarm_rate=result.false_alarm_rate,
        meets_bar=result.meets_bar, ms_per_sentence=round(result.ms_per_sentence, 2),
        by_kind=[PlantedKind(kind=r.kind, fabricated=r.fabricated, total=r.total, flagged=r.flagged)
                 for r in result.by_kind],
    )

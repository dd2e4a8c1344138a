"""The CI gate: a report passes when the system under test meets every threshold of its set.

gate.toml has one section per set, named as the report's dataset (dev, dev_nhs, dev_pdf), with
[SET.min] and [SET.max] tables; for a report of half A or B, a [SET.A.min] (etc.) table, where
there is one, replaces [SET.min] (a half has fewer questions, so its own figures and its own
choice of what is gated: a refusal figure that is n/a on a half cannot be gated there).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.metrics import METRIC_BY_KEY
from evals.results import RunReport

GATE_FILE = Path(__file__).with_name("gate.toml")


class GateError(ValueError):
    """A gate file that cannot be used, or a report it has no section for."""


class Limits(BaseModel):
    """Minimums / maximums by metric key."""

    model_config = ConfigDict(extra="forbid")

    min: dict[str, float] = Field(default_factory=dict)
    max: dict[str, float] = Field(default_factory=dict)


class SetGate(Limits):
    """One set's section: limits for the whole set, and each half's own tables where it has them."""

    A: Limits = Field(default_factory=Limits)
    B: Limits = Field(default_factory=Limits)


class GateSpec(Limits):
    """The thresholds one report is checked against: which system is gated, and its limits."""

    system: str = "assistant"


class GateFile(BaseModel):
    """gate.toml: the gated system and a section per set."""

    system: str = "assistant"
    sets: dict[str, SetGate]

    def spec_for(self, report: RunReport) -> GateSpec:
        """The section named as the report's dataset, with its half's overrides for a half."""
        section = self.sets.get(report.dataset)
        if section is None:
            raise GateError(f"the gate has no section for dataset {report.dataset!r} "
                            f"(it has {', '.join(sorted(self.sets))})")
        half: Limits | None = getattr(section, report.split) if report.split else None
        given = half.model_fields_set if half else set()
        return GateSpec(system=self.system, min=half.min if half and "min" in given else section.min,
                        max=half.max if half and "max" in given else section.max)


class Check(BaseModel):
    key: str
    bound: Literal["min", "max"]
    limit: float
    value: float | None

    @property
    def passed(self) -> bool:
        """A missing figure (n/a) fails: the gate only lists figures the run must produce."""
        if self.value is None:
            return False
        return self.value >= self.limit if self.bound == "min" else self.value <= self.limit

    def describe(self) -> str:
        metric = METRIC_BY_KEY.get(self.key)
        shown = metric.format(self.value) if metric else str(self.value)
        limit = metric.format(self.limit) if metric else str(self.limit)
        sign = "≥" if self.bound == "min" else "≤"
        return f"{self.key} = {shown} (needs {sign} {limit})"


class GateResult(BaseModel):
    system: str
    gated: str = Field("", description="What was gated: the set and half, e.g. 'dev_nhs half A'.")
    checks: list[Check]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        on = f" on {self.gated}" if self.gated else ""
        if self.passed:
            return f"gate passed: {len(self.checks)} threshold(s) met by {self.system}{on}"
        return f"gate FAILED for {self.system}{on}: " + "; ".join(c.describe() for c in self.failures)


def load_gate(path: Path = GATE_FILE) -> GateFile:
    """gate.toml read and checked: every key a metric of evals/metrics.py."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        system = data.pop("system", "assistant")
        gate = GateFile.model_validate({"system": system, "sets": data})
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as err:
        raise GateError(f"{path}: {err}") from err
    limits = [limits for section in gate.sets.values() for limits in (section, section.A, section.B)]
    unknown = sorted({k for li in limits for k in (*li.min, *li.max)} - set(METRIC_BY_KEY))
    if unknown:
        raise GateError(f"{path}: unknown metric keys {', '.join(unknown)}")
    return gate


def check_gate(report: RunReport, gate: GateFile | GateSpec | None = None) -> GateResult:
    """Every threshold checked against the gated system's overall figures; a gate file is read
    for the report's set (and half)."""
    gate = load_gate() if gate is None else gate
    spec = gate.spec_for(report) if isinstance(gate, GateFile) else gate
    system = report.system(spec.system)
    if system is None:
        raise GateError(f"the report has no system named {spec.system!r}")
    figures = system.overall
    checks = [Check(key=k, bound="min", limit=v, value=figures.value(k)) for k, v in spec.min.items()]
    checks += [Check(key=k, bound="max", limit=v, value=figures.value(k)) for k, v in spec.max.items()]
    return GateResult(system=spec.system, gated=report.described, checks=checks)

"""The CI gate: a report passes when the system under test meets every threshold in gate.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from evals.metrics import METRIC_BY_KEY
from evals.results import RunReport

GATE_FILE = Path(__file__).with_name("gate.toml")


class GateSpec(BaseModel):
    """gate.toml: which system is gated, and minimums / maximums by metric key."""

    system: str = "assistant"
    min: dict[str, float] = Field(default_factory=dict)
    max: dict[str, float] = Field(default_factory=dict)


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
    checks: list[Check]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.passed:
            return f"gate passed: {len(self.checks)} thresholds met by {self.system}"
        return f"gate FAILED for {self.system}: " + "; ".join(c.describe() for c in self.failures)


def load_gate(path: Path = GATE_FILE) -> GateSpec:
    spec = GateSpec.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    unknown = sorted((set(spec.min) | set(spec.max)) - set(METRIC_BY_KEY))
    if unknown:
        raise ValueError(f"{path}: unknown metric keys {', '.join(unknown)}")
    return spec


def check_gate(report: RunReport, spec: GateSpec | None = None) -> GateResult:
    """Every threshold checked against the gated system's overall figures."""
    spec = spec or load_gate()
    system = report.system(spec.system)
    if system is None:
        raise ValueError(f"the report has no system named {spec.system!r}")
    figures = system.overall
    checks = [Check(key=k, bound="min", limit=v, value=figures.value(k)) for k, v in spec.min.items()]
    checks += [Check(key=k, bound="max", limit=v, value=figures.value(k)) for k, v in spec.max.items()]
    return GateResult(system=spec.system, checks=checks)

"""The fixed halves A and B of a question set: tune on one half, report the other too.

A split is a function of the questions' ids and types only, so it is the same on every run and
machine, and a complete report can be split after the fact (compare, gate and the report's
"By half" table do this) without the dataset file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

Half = Literal["A", "B"]
HALVES: tuple[Half, ...] = ("A", "B")


class SplitError(ValueError):
    """A split that cannot be taken (an unknown half, or a report of only part of a set)."""


def assign_halves(questions: Iterable[tuple[str, str]]) -> dict[str, Half]:
    """Each question's half, from (id, type) pairs: the questions of each type (types in
    alphabetical order) are ordered by the SHA-256 of their id and dealt alternately to A and B,
    the alternation running on from one type to the next. So both halves get every type (a type
    of n questions gives one half ceil(n/2), the other floor(n/2)) and the halves differ in size
    by at most one question. Adding or removing a question can move others of its type."""
    by_type: dict[str, list[str]] = {}
    for qid, qtype in questions:
        by_type.setdefault(qtype, []).append(qid)
    halves: dict[str, Half] = {}
    dealt = 0
    for qtype in sorted(by_type):
        for qid in sorted(by_type[qtype], key=lambda i: (hashlib.sha256(i.encode("utf-8")).hexdigest(), i)):
            halves[qid] = HALVES[dealt % 2]
            dealt += 1
    return halves


def half_ids(questions: Iterable[tuple[str, str]], half: str) -> list[str]:
    """The ids in `half`, in the order given."""
    pairs = list(questions)
    wanted = check_half(half)
    halves = assign_halves(pairs)
    return [qid for qid, _ in pairs if halves[qid] == wanted]


def check_half(half: str) -> Half:
    """`half` as a Half, or a SplitError saying what the halves are called."""
    for known in HALVES:
        if half.upper() == known:
            return known
    raise SplitError(f"unknown split {half!r}: the halves are A and B")

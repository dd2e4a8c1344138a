"""A bounded number of answering slots, shared by every caller: first come first served within a
face, weighted between faces.

The chat and the JSON API run in one process on a few cores. Without a bound they pile up
(each answer then takes N times as long and the first caller to give up is the chat); with a
bound per face, one starves the other. So both take a slot from here: at most `size` answers
run at once, and later callers wait in their face's line (its *lane*: "api", "chat"). A freed
slot is handed to a waiter, never grabbed by a newcomer: the longest waiter of the lane whose
turn it is. When several lanes wait, a lane of weight w is served w times for each time a lane
of weight 1 is (stride scheduling), so a program calling the API, which answers one question at
a time, is not held behind a room of chat users, and neither face ever starves. At most
`max_waiting` callers wait, each for at most `wait_seconds`; then they hear `AssistantBusy`
instead of piling up.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class AssistantBusy(RuntimeError):
    """Every slot stayed taken for the whole wait, or too many callers are waiting already."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Slots:
    """`size` slots; waiters first come first served within a lane, lanes served by weight."""

    def __init__(self, size: int, wait_seconds: float, max_waiting: int,
                 weights: dict[str, int] | None = None) -> None:
        if size < 1:
            raise ValueError("at least one slot")
        if any(w < 1 for w in (weights or {}).values()):
            raise ValueError("lane weights are whole numbers of at least 1")
        self.size = size
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self.weights = dict(weights or {})
        self._free = size
        self._lanes: dict[str, deque[threading.Event]] = {}
        self._passes: dict[str, float] = {}  # stride scheduling: the lane with the lowest pass goes next
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        return sum(len(line) for line in self._lanes.values())

    @property
    def running(self) -> int:
        return self.size - self._free

    @contextmanager
    def held(self, lane: str = "") -> Iterator[None]:
        """Hold a slot for the block; raises AssistantBusy when none comes free in time."""
        self.acquire(lane)
        try:
            yield
        finally:
            self.release()

    def acquire(self, lane: str = "") -> None:
        with self._lock:
            if self._free and not self.waiting:
                self._free -= 1
                return
            if self.waiting >= self.max_waiting:
                raise AssistantBusy(f"{self.running} questions are being answered and {self.waiting} are "
                           "waiting; please ask again in a few seconds.", retry_after=self._retry_after())
            turn = threading.Event()
            line = self._lanes.setdefault(lane, deque())
            if not line:  # a lane that starts waiting has no credit saved from when it was idle
                self._passes[lane] = max(self._passes.get(lane, 0.0), self._lowest_pass())
            line.append(turn)
        began = time.monotonic()
        if turn.wait(self.wait_seconds):
            return
        with self._lock:
            if turn.is_set():  # handed a slot just as the wait ran out: keep it
                return
            self._lanes[lane].remove(turn)
        raise AssistantBusy(f"No answering slot came free within {time.monotonic() - began:.0f} s; please ask again "
                   "in a few seconds.", retry_after=self._retry_after())

    def release(self) -> None:
        with self._lock:
            waiting = [lane for lane, line in self._lanes.items() if line]
            if not waiting:
                self._free += 1
                return
            lane = min(waiting, key=lambda name: (self._passes[name], -self.weights.get(name, 1)))
            self._passes[lane] += 1 / self.weights.get(lane, 1)
            self._lanes[lane].popleft().set()  # the slot passes straight to that lane's longest waiter

    def _lowest_pass(self) -> float:
        passes = [self._passes[lane] for lane, line in self._lanes.items() if line]
        return min(passes, default=0.0)

    def _retry_after(self) -> float:
        return max(1.0, min(self.wait_seconds, 5.0))

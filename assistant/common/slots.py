"""A bounded number of answering slots, shared by every caller and handed out in arrival order.

The chat and the JSON API run in one process on a few cores. Without a bound they pile up
(each answer then takes N times as long and the first caller to give up is the chat); with a
bound per face, one starves the other. So both take a slot from here: at most `size` answers
run at once, later callers wait first come first served (a freed slot is handed to the longest
waiter, never grabbed by a newcomer), at most `max_waiting` of them and each for at most
`wait_seconds`, and then hear `AssistantBusy` instead of piling up.
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
    """`size` slots, first come first served, with a bounded wait and a bounded queue."""

    def __init__(self, size: int, wait_seconds: float, max_waiting: int) -> None:
        if size < 1:
            raise ValueError("at least one slot")
        self.size = size
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._free = size
        self._waiters: deque[threading.Event] = deque()
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def running(self) -> int:
        return self.size - self._free

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold a slot for the block; raises AssistantBusy when none comes free in time."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return
            if len(self._waiters) >= self.max_waiting:
                raise AssistantBusy(f"{self.running} questions are being answered and {len(self._waiters)} are "
                           "waiting; please ask again in a few seconds.", retry_after=self._retry_after())
            turn = threading.Event()
            self._waiters.append(turn)
        began = time.monotonic()
        if turn.wait(self.wait_seconds):
            return
        with self._lock:
            if turn.is_set():  # handed a slot just as the wait ran out: keep it
                return
            self._waiters.remove(turn)
        raise AssistantBusy(f"No answering slot came free within {time.monotonic() - began:.0f} s; please ask again "
                   "in a few seconds.", retry_after=self._retry_after())

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()  # the slot passes straight to the longest waiter
            else:
                self._free += 1

    def _retry_after(self) -> float:
        return max(1.0, min(self.wait_seconds, 5.0))

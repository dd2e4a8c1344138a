"""Answering slots: a bound on answers at once, shared fairly, with a bounded queue and wait."""

from __future__ import annotations

import threading

from assistant.common.slots import AssistantBusy, Slots


def _wait_until(condition: object, what: str) -> None:
    for _ in range(2000):
        if condition():  # type: ignore[operator]
            return
        threading.Event().wait(0.005)
    raise AssertionError(f"timed out waiting until {what}")


def _in_another_thread(slots: Slots) -> BaseException | None:
    """Try to take a slot from a thread that holds none; the error it got, if any (then let go)."""
    caught: list[BaseException] = []

    def take() -> None:
        try:
            slots.acquire()
        except AssistantBusy as err:
            caught.append(err)
        else:
            slots.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(10)
    return caught[0] if caught else None


def test_no_more_than_size_hold_a_slot_at_once() -> None:
    slots = Slots(2, wait_seconds=30, max_waiting=10)
    inside, most, lock, gate = [0], [0], threading.Lock(), threading.Event()

    def work() -> None:
        with slots.held():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            gate.wait(5)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    _wait_until(lambda: slots.waiting == 4, "four callers wait")
    assert slots.running == 2
    gate.set()
    for t in threads:
        t.join(10)
    assert most[0] == 2 and slots.running == 0 and slots.waiting == 0


def test_a_freed_slot_goes_to_the_longest_waiter_first() -> None:
    slots = Slots(1, wait_seconds=30, max_waiting=10)
    order: list[int] = []
    slots.acquire()  # the test holds the only slot while the others line up

    def work(n: int) -> None:
        with slots.held():
            order.append(n)

    threads = []
    for n in range(5):
        thread = threading.Thread(target=work, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: slots.waiting == n + 1, f"caller {n} waits")
    slots.release()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2, 3, 4]


def test_a_caller_that_waits_too_long_hears_busy_and_leaves_the_queue() -> None:
    slots = Slots(1, wait_seconds=0.05, max_waiting=10)
    slots.acquire()

    busy = _in_another_thread(slots)

    assert isinstance(busy, AssistantBusy) and "No answering slot came free" in str(busy)
    assert busy.retry_after >= 1
    assert slots.waiting == 0
    slots.release()
    assert _in_another_thread(slots) is None  # the slot given back is free again


def test_beyond_the_queue_limit_callers_hear_busy_at_once() -> None:
    slots = Slots(1, wait_seconds=30, max_waiting=0)
    slots.acquire()

    busy = _in_another_thread(slots)

    assert isinstance(busy, AssistantBusy) and "1 questions are being answered and 0 are waiting" in str(busy)
    slots.release()


def _line_up(slots: Slots, lanes: list[str], order: list[str]) -> list[threading.Thread]:
    """Callers of the given lanes, each waiting in turn for the slot the test holds."""
    threads = []
    for n, lane in enumerate(lanes):
        def work(lane: str = lane, n: int = n) -> None:
            with slots.held(lane):
                order.append(f"{lane}{n}")
        thread = threading.Thread(target=work)
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: slots.waiting == n + 1, f"caller {n} waits")
    return threads


def test_when_both_faces_wait_the_api_is_served_by_its_weight_and_the_chat_is_never_starved() -> None:
    slots = Slots(1, wait_seconds=30, max_waiting=20, weights={"api": 2, "chat": 1})
    order: list[str] = []
    slots.acquire()
    threads = _line_up(slots, ["chat", "chat", "chat", "api", "api", "api", "api"], order)
    slots.release()
    for t in threads:
        t.join(10)
    lanes = [name.rstrip("0123456789") for name in order]
    assert lanes == ["api", "chat", "api", "api", "chat", "api", "chat"]
    assert order.index("chat0") < order.index("chat1") < order.index("chat2")  # first come first served within a face
    assert order.index("api3") < order.index("api4") < order.index("api5") < order.index("api6")


def test_a_face_that_was_idle_saves_no_credit_for_later() -> None:
    slots = Slots(1, wait_seconds=30, max_waiting=20, weights={"api": 1, "chat": 1})
    first: list[str] = []
    slots.acquire()
    threads = _line_up(slots, ["api"] * 4, first)  # the chat asks nothing meanwhile
    slots.release()
    for t in threads:
        t.join(10)
    then: list[str] = []
    slots.acquire()
    threads = _line_up(slots, ["api", "api", "api", "chat", "chat", "chat"], then)
    slots.release()
    for t in threads:
        t.join(10)
    assert [name.rstrip("0123456789") for name in then] == ["api", "chat"] * 3

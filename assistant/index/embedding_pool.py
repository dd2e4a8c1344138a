"""Encoding on every core for a batch ingest: worker processes of one PyTorch thread each.

Why processes: on a busy 2-core machine two PyTorch threads in one process encode *slower* than
one (at every layer each thread spins waiting for the other, which the scheduler has parked),
while two one-thread processes never wait for each other and keep most of the gain.
sentence-transformers' own multi-process pool starts its workers at torch's default thread
count (every core, in every worker), which oversubscribes the cores; this one sets one thread.
Serving keeps the in-process one-thread embedder: the pool is for `policy-assistant ingest`
and the server's first indexing, not for uploads while officers are asking.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cached_property, partial
from types import TracebackType

import numpy as np

from assistant.config import Settings
from assistant.index.embedder import Embedder

_worker_embedder: Embedder | None = None  # in a worker process: its own model


def _start_worker(settings: Settings) -> None:
    """In each worker: leave Ctrl+C to the parent, die with it, and load the model."""
    global _worker_embedder
    from assistant.index.library import make_embedder

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool; no traceback per worker
    parent = multiprocessing.parent_process()
    if parent is not None:  # a SIGKILLed parent cannot stop us: leave as soon as it is gone
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()

    _worker_embedder = make_embedder(settings.model_copy(update={"embed_threads": 1}))
    _worker_embedder.embed(["load the model now, while the parent reads and chunks"])


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _embed_in_worker(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None, "worker not started"
    return _worker_embedder.embed(texts)


class Encoding:
    """Texts on their way to vectors, in parts; `wait` returns the vectors in the texts' order
    and tells `done` how many texts each part held as it finishes (for progress)."""

    def __init__(self, empty: Callable[[], np.ndarray], order: list[int], parts: list[Callable[[], np.ndarray]]) -> None:
        self.empty, self.order, self.parts = empty, order, parts  # empty: no vectors, of the model's width

    def wait(self, done: Callable[[int], None] | None = None) -> np.ndarray:
        vectors: np.ndarray | None = None
        start = 0
        for part in self.parts:
            found = part()
            if vectors is None:
                vectors = np.empty((len(self.order), found.shape[1]), dtype=np.float32)
            vectors[self.order[start : start + len(found)]] = found
            start += len(found)
            if done:
                done(len(found))
        return self.empty() if vectors is None else vectors


def longest_first(texts: list[str], size: int) -> tuple[list[int], list[list[str]]]:
    """The texts longest first, in parts of `size`: a batch of alike lengths pads least (a
    sentence batched with a 256-token chunk costs as much as the chunk)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    return order, [[texts[i] for i in order[j : j + size]] for j in range(0, len(order), size)]


def start_encoding(embedder: Embedder, texts: list[str], size: int) -> Encoding:
    """Encode `texts`: a pool starts now; an in-process embedder encodes a part of `size` at a
    time when the caller waits (serving has one thread, nothing to overlap)."""
    if isinstance(embedder, EmbeddingPool):
        return embedder.start(texts)
    order, parts = longest_first(texts, size)
    return Encoding(partial(embedder.embed, []), order, [partial(embedder.embed, part) for part in parts])


class EmbeddingPool:
    """An Embedder whose `embed` is shared out across `workers` processes (started on first use).

    Token counting stays in this process (`local`: the fast tokenizer, no model), so chunking
    needs no worker; vectors come back in the order of the texts."""

    def __init__(self, local: Callable[[], Embedder], settings: Settings, workers: int) -> None:
        self._local = local  # called when first needed: an unchanged ingest touches no model
        self.settings = settings
        self.workers = workers
        self.batch_size = max(1, settings.embed_batch_size)
        self._executor: ProcessPoolExecutor | None = None

    @cached_property
    def local(self) -> Embedder:
        return self._local()

    @property
    def name(self) -> str:
        return self.local.name

    @property
    def max_tokens(self) -> int:
        return self.local.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.local.count_tokens(text)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.start(texts).wait()

    def start(self, texts: list[str]) -> Encoding:
        """Hand the texts to the workers now and return at once, so the caller can read and
        chunk the next document while these encode."""
        if not texts:
            return Encoding(partial(self.local.embed, []), [], [])
        size = min(self.batch_size, math.ceil(len(texts) / self.workers))  # every worker gets a share
        order, parts = longest_first(texts, size)
        pool = self._pool()
        futures = [pool.submit(_embed_in_worker, part) for part in parts]
        return Encoding(partial(self.local.embed, []), order, [future.result for future in futures])

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.settings,),
            )
        return self._executor

    def close(self, wait: bool = True) -> None:
        """Stop the workers (`wait=False`: without waiting for a batch they are encoding)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> EmbeddingPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close(wait=error is None)  # on Ctrl+C or an error, leave at once: the workers follow

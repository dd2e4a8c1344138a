"""The batch-ingest encoding pool: the same vectors as in-process, in order; workers that end;
texts batched with texts of their own length, and progress told a part at a time."""

from __future__ import annotations

import numpy as np
from fakes import HashingEmbedder

from assistant.config import Settings
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.index.embedding_pool import EmbeddingPool, longest_first, start_encoding

TEXTS = [f"Paragraph {i}: integrated care boards commission {'community services ' * (i % 7)}for their area."
         for i in range(23)]


def test_the_pool_gives_the_in_process_vectors_in_the_order_of_the_texts(
    embedder: SentenceTransformerEmbedder,
) -> None:
    with EmbeddingPool(lambda: embedder, Settings(embed_batch_size=4), workers=2) as pool:
        pooled = pool.embed(TEXTS)
        assert pool.embed([]).shape[0] == 0
        workers = list(pool._pool()._processes.values())  # to check below that they end

    assert pooled.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(pooled, embedder.embed(TEXTS), atol=1e-4)
    for worker in workers:
        worker.join(timeout=60)
        assert not worker.is_alive()


def test_texts_are_batched_longest_first_so_a_batch_holds_alike_lengths() -> None:
    order, parts = longest_first(TEXTS, 5)
    assert sorted(order) == list(range(len(TEXTS))) and [len(p) for p in parts] == [5, 5, 5, 5, 3]
    lengths = [len(text) for part in parts for text in part]
    assert lengths == sorted(lengths, reverse=True)


def test_an_encoding_gives_vectors_in_the_order_of_the_texts_and_tells_each_part_as_it_ends() -> None:
    fake = HashingEmbedder()
    encoding = start_encoding(fake, TEXTS, 5)
    assert fake.embedded == 0  # in-process: nothing is encoded until the caller waits
    done: list[int] = []
    np.testing.assert_array_equal(encoding.wait(done.append), HashingEmbedder().embed(TEXTS))
    assert done == [5, 5, 5, 5, 3]
    assert start_encoding(fake, [], 5).wait().shape == (0, 384)

"""The batch-ingest encoding pool: the same vectors as in-process, in order; workers that end."""

from __future__ import annotations

import numpy as np

from assistant.config import Settings
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.index.embedding_pool import EmbeddingPool

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

"""The ONNX Runtime backend: exported locally, same vectors as PyTorch, and switching re-indexes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.index.embedder import SentenceTransformerEmbedder
from assistant.index.library import make_embedder
from assistant.index.onnx_embedder import OnnxEmbedder

pytest.importorskip("onnx", reason="the onnx package exports the model (pip install onnx)")

TEXTS = [
    "Integrated care boards took over from clinical commissioning groups in July 2022.",
    "Neighbourhood health teams bring GPs, community nurses and social workers together.",
    "",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-models")


def test_the_onnx_export_gives_pytorchs_vectors_and_token_counts(
    embedder: SentenceTransformerEmbedder, onnx_cache: Path
) -> None:
    onnx = OnnxEmbedder(cache_dir=onnx_cache)
    ours, reference = onnx.embed(TEXTS), embedder.embed(TEXTS)
    assert ours.shape == reference.shape
    assert np.min(np.sum(ours * reference, axis=1)) > 0.9999
    assert onnx.count_tokens(TEXTS[0]) == embedder.count_tokens(TEXTS[0])
    assert onnx.model_path.parent == onnx_cache and onnx.model_path.is_file()
    assert OnnxEmbedder(cache_dir=onnx_cache).model_path == onnx.model_path  # cached, not re-exported


def test_the_backend_is_a_setting(tmp_path: Path) -> None:
    assert isinstance(make_embedder(Settings(data_dir=tmp_path)), SentenceTransformerEmbedder)
    chosen = make_embedder(Settings(data_dir=tmp_path, embedding_backend="onnx-int8"))
    assert isinstance(chosen, OnnxEmbedder) and chosen.precision == "int8"
    assert chosen.cache_dir == tmp_path / "models"


def test_changing_the_backend_re_indexes(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, onnx_cache: Path
) -> None:
    data = tmp_path / "data"
    first = Assistant(Settings(data_dir=data), embedder=embedder).ingest()
    onnx = Assistant(Settings(data_dir=data, embedding_backend="onnx"),
                     embedder=OnnxEmbedder(cache_dir=onnx_cache))
    second = onnx.ingest()
    assert sorted(second.updated) == sorted(first.added) and not second.unchanged
    assert "288,000" in onnx.ask("How many residents does Milton Keynes have now?").answer_markdown

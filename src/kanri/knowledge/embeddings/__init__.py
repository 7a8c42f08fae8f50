"""Embedding models behind one interface: the local MiniLM, a provider of the project, and
OpenAI-compatible endpoints named by URL."""

from __future__ import annotations

import asyncio
import threading
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any, Protocol

import httpx
import numpy as np

from kanri.core.errors import NotFound
from kanri.core.net import BlockedDestination, check_url, guarded_client
from kanri.knowledge.embeddings import minilm
from kanri.knowledge.embeddings.minilm import Vectors
from kanri.providers import clients
from kanri.providers.sdk import ProviderError

LOCAL_PROVIDER = "local"
OPENAI_PROVIDER = "openai"


def embedding_key(embedding: dict[str, Any]) -> str:
    """What identifies a model: vectors are comparable only under one key."""
    return "|".join(
        str(embedding.get(name) or "")
        for name in ("provider", "model", "base_url", "provider_id", "dimension")
    )


class EmbeddingFailed(RuntimeError):
    """The model could not embed (endpoint down, bad answer); the message is safe to show."""


class Embedder(Protocol):
    model: str
    dimension: int | None
    max_tokens: int

    async def embed(self, texts: list[str]) -> Vectors:
        """One unit float32 vector per text, in order. Raises EmbeddingFailed."""
        ...


class WordPieces:
    """Token counting for chunking: the MiniLM WordPiece tokenizer (its own file only)."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        with zipfile.ZipFile(minilm._zip_path()) as archive:
            self._tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode())
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def counts(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self.ids(texts)]

    def ids(self, texts: list[str]) -> list[list[int]]:
        # Without character offsets, which the chunker does not read here: ~15 % less CPU.
        encoded = self._tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        return [e.ids for e in encoded]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return list(self._tokenizer.encode(text, add_special_tokens=False).offsets)


@cache
def word_pieces() -> WordPieces:
    return WordPieces()


_local_lock = threading.Lock()


class LocalEmbedder:
    """all-MiniLM-L6-v2 in this process (PyTorch when installed, numpy otherwise); one
    embedding call at a time per process, off the event loop."""

    model = minilm.MODEL_NAME
    dimension: int | None = minilm.DIMENSION
    max_tokens = minilm.MAX_TOKENS

    async def embed(self, texts: list[str]) -> Vectors:
        return await asyncio.to_thread(self.embed_sync, texts)

    @staticmethod
    def embed_sync(texts: list[str]) -> Vectors:
        with _local_lock:
            return minilm.shared_model().embed(texts)

    async def embed_pieces(self, pieces: list[Sequence[int]]) -> Vectors:
        """`embed` of texts given as their word pieces (the chunker's, without [CLS]/[SEP])."""
        return await asyncio.to_thread(self.embed_pieces_sync, pieces)

    @staticmethod
    def embed_pieces_sync(pieces: list[Sequence[int]]) -> Vectors:
        with _local_lock:
            return minilm.shared_model().embed_pieces(pieces)

    @staticmethod
    def embed_one_sync(text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        vector: np.ndarray[Any, np.dtype[np.float32]] = LocalEmbedder.embed_sync([text])[0]
        return vector


def normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


class ProviderEmbedder:
    """A provider of the project (kind openai): `POST /embeddings` through the official SDK
    client the providers module builds (its endpoint, key, timeout, retries, headers)."""

    batch = 64

    def __init__(
        self,
        *,
        resolve: Callable[[], Awaitable[Any]],
        model: str,
        dimension: int | None,
        max_tokens: int,
    ) -> None:
        self._resolve = resolve
        self.model = model
        self.dimension = dimension
        self.max_tokens = max_tokens

    async def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        try:
            provider = await self._resolve()
        except NotFound:
            raise EmbeddingFailed("the namespace's embedding provider no longer exists") from None
        rows: list[Vectors] = []
        for start in range(0, len(texts), self.batch):
            part = texts[start : start + self.batch]
            try:
                answer = await clients.embed(provider, self.model, part)
            except ProviderError as exc:
                raise EmbeddingFailed(exc.message) from None
            matrix = np.array(answer, dtype=np.float32)
            if matrix.ndim != 2 or matrix.shape[1] == 0 or not np.isfinite(matrix).all():
                raise EmbeddingFailed("the provider answered unusable embeddings")
            rows.append(matrix)
        if len({row.shape[1] for row in rows}) != 1:
            raise EmbeddingFailed("the provider answered vectors of different lengths")
        out = normalise(np.concatenate(rows))
        if self.dimension is not None and out.shape[1] != self.dimension:
            raise EmbeddingFailed(
                f"the provider returned {out.shape[1]} dimensions; the namespace has "
                f"{self.dimension}"
            )
        return out


class OpenAIEmbedder:
    """Any endpoint speaking OpenAI's `POST {base_url}/embeddings` (batches of 64 inputs)."""

    batch = 64

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        dimension: int | None,
        max_tokens: int,
        allow_private: bool,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.allow_private = allow_private
        self.timeout = timeout

    async def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        rows: list[Vectors] = []
        try:
            url = check_url(f"{self.base_url}/embeddings", allow_private=self.allow_private)
            async with guarded_client(allow_private=self.allow_private, timeout=self.timeout) as c:
                for start in range(0, len(texts), self.batch):
                    part = texts[start : start + self.batch]
                    response = await c.post(
                        url, json={"model": self.model, "input": part}, headers=headers
                    )
                    rows.append(self._parse(response, len(part)))
        except BlockedDestination as exc:
            raise EmbeddingFailed(exc.detail) from None
        except httpx.HTTPError as exc:
            raise EmbeddingFailed(f"embedding endpoint unreachable: {type(exc).__name__}") from None
        out = normalise(np.concatenate(rows))
        if self.dimension is not None and out.shape[1] != self.dimension:
            raise EmbeddingFailed(
                f"the endpoint returned {out.shape[1]} dimensions; the namespace has "
                f"{self.dimension}"
            )
        return out

    def _parse(self, response: Any, count: int) -> Vectors:
        if response.status_code != 200:
            raise EmbeddingFailed(f"embedding endpoint answered HTTP {response.status_code}")
        try:
            items = sorted(response.json()["data"], key=lambda item: item["index"])
            matrix = np.array([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingFailed(
                f"embedding endpoint answered an unexpected body ({type(exc).__name__})"
            ) from None
        if matrix.ndim != 2 or matrix.shape[0] != count or matrix.shape[1] == 0:
            raise EmbeddingFailed("embedding endpoint answered the wrong number of vectors")
        if not np.isfinite(matrix).all():
            raise EmbeddingFailed("embedding endpoint answered non-finite values")
        return matrix

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import numpy as np
import pytest

from kanri.knowledge.embeddings import (
    EmbeddingFailed,
    OpenAIEmbedder,
    minilm,
    minilm_torch,
    word_pieces,
)
from kanri.knowledge.embeddings.minilm import DIMENSION
from kanri.runtime import Kanri
from tests.engine.factories import until_status
from tests.factories import make_tenant
from tests.knowledge.factories import make_namespace, put_entry, search

# First values of all-MiniLM-L6-v2's vectors as sentence-transformers (torch) computes them.
REFERENCE = {
    "The cat sits on the mat.": [0.13418, -0.0329, -0.0248, 0.04144, -0.03635, 0.04181],
    "Quarterly revenue grew by twelve percent.": [
        0.08904, 0.00212, -0.05224, -0.06673, -0.01405, -0.01408,
    ],
}  # fmt: skip


# The numpy encoder (float32) is the reference; PyTorch runs in bfloat16 on CPUs with
# bfloat16 units, within these bounds of it.
RUNTIMES = [
    "numpy",
    pytest.param(
        "torch",
        marks=pytest.mark.skipif(not minilm_torch.available(), reason="PyTorch not installed"),
    ),
]
TOLERANCE = {"numpy": 1e-4, "torch": 3e-3}


@cache
def _model(runtime: str) -> minilm.Encoder:
    return minilm.load(runtime)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_local_model_matches_the_reference_implementation(runtime: str) -> None:
    vectors = _model(runtime).embed(list(REFERENCE))
    for vector, expected in zip(vectors, REFERENCE.values(), strict=True):
        assert np.allclose(vector[:6], expected, atol=TOLERANCE[runtime])


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_local_vectors_are_unit_float32_deterministic_and_semantic(runtime: str) -> None:
    model = _model(runtime)
    texts = [
        "The cat sits on the mat.",
        "A kitten is resting on a rug.",
        "Quarterly revenue grew by twelve percent.",
    ]
    vectors = model.embed(texts)
    assert vectors.shape == (3, DIMENSION)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, model.embed(texts))
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > 0.5 > unrelated + 0.3
    # Texts given as their word pieces (as chunks are) embed exactly as the texts do.
    pieces = word_pieces().ids(texts)
    assert np.array_equal(model.embed_pieces(pieces), vectors)
    # Batching and padding do not change a text's vector.
    alone = model.embed([texts[1]])[0]
    assert np.allclose(alone, vectors[1], atol=TOLERANCE[runtime])


@pytest.mark.skipif(not minilm_torch.available(), reason="PyTorch not installed")
def test_the_torch_runtime_agrees_with_the_numpy_reference_on_any_length() -> None:
    words = (
        "pump valve pressure alarm shift operator report, the sensor's calibration. " * 60
    ).split()
    # From three words to past the 256-piece window (truncated alike), in mixed batches.
    texts = [" ".join(words[: 3 + 17 * n]) for n in range(24)] + ["", "ünïcödé ✓ 数据"]
    fast, reference = _model("torch").embed(texts), _model("numpy").embed(texts)
    cosines = (fast * reference).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    for bf16 in (False, True):
        encoder = minilm_torch.TorchMiniLM(bf16=bf16)
        assert encoder.runtime == ("torch-bf16" if bf16 else "torch-fp32")
        assert ((encoder.embed(texts[:5]) * reference[:5]).sum(axis=1) >= 0.999).all()


@pytest.mark.skipif(not minilm_torch.available(), reason="PyTorch not installed")
def test_bfloat16_without_onednn_fused_linear_gives_the_same_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = ["pump pressure alarm at the north platform", "valve " * 300, "x"]
    fused = minilm_torch.TorchMiniLM(bf16=True)
    monkeypatch.setattr(minilm_torch, "_fused_linear_available", lambda torch: False)
    plain = minilm_torch.TorchMiniLM(bf16=True)
    assert not plain.fused
    assert ((fused.embed(texts) * plain.embed(texts)).sum(axis=1) >= 0.9999).all()
    reference = _model("numpy").embed(texts)
    assert ((plain.embed(texts) * reference).sum(axis=1) >= 0.999).all()


def test_the_runtime_is_chosen_by_setting_with_numpy_as_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KANRI_EMBEDDING_RUNTIME", "numpy")
    assert minilm.load().runtime == "numpy"
    monkeypatch.setenv("KANRI_EMBEDDING_RUNTIME", "gpu")
    with pytest.raises(ValueError, match="KANRI_EMBEDDING_RUNTIME"):
        minilm.load()
    monkeypatch.setenv("KANRI_EMBEDDING_RUNTIME", "auto")
    monkeypatch.setattr(minilm_torch, "available", lambda: False)
    assert minilm.load().runtime == "numpy"


class _FakeEmbeddings(BaseHTTPRequestHandler):
    """An OpenAI-compatible /embeddings: bag-of-words vectors of 16 dimensions."""

    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        data = []
        for index, text in enumerate(body["input"]):
            vector = [0.0] * 16
            for word in text.lower().split():
                vector[sum(word.encode()) % 16] += 1.0
            data.append({"object": "embedding", "index": index, "embedding": vector})
        payload = json.dumps({"object": "list", "data": list(reversed(data))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def fake_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeEmbeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_openai_embedder_speaks_the_embeddings_protocol(fake_endpoint: str) -> None:
    embedder = OpenAIEmbedder(
        base_url=fake_endpoint, model="bag", api_key="sk-test", dimension=None,
        max_tokens=8191, allow_private=True,
    )  # fmt: skip
    vectors = await embedder.embed(["alpha beta", "gamma", "alpha beta"])
    assert vectors.shape == (3, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[2])
    last = _FakeEmbeddings.requests[-1]
    assert last["path"] == "/v1/embeddings"
    assert last["auth"] == "Bearer sk-test"
    assert last["input"] == ["alpha beta", "gamma", "alpha beta"]
    broken = OpenAIEmbedder(
        base_url=fake_endpoint, model="broken", api_key=None, dimension=None,
        max_tokens=8191, allow_private=True,
    )  # fmt: skip
    with pytest.raises(EmbeddingFailed, match="HTTP 500"):
        await broken.embed(["x"])
    guarded = OpenAIEmbedder(
        base_url=fake_endpoint, model="bag", api_key=None, dimension=None,
        max_tokens=8191, allow_private=False,
    )  # fmt: skip
    with pytest.raises(EmbeddingFailed):
        await guarded.embed(["x"])


async def test_a_namespace_on_an_openai_endpoint_and_a_model_change_re_embeds(
    client: httpx.AsyncClient, kanri: Kanri, fake_endpoint: str
) -> None:
    tenant = await make_tenant(client, kanri, allow_private_network=True)
    ns = await make_namespace(
        client,
        tenant,
        embedding={
            "provider": "openai",
            "model": "bag",
            "base_url": fake_endpoint,
            "api_key": "sk-1",
        },
    )
    assert ns["embedding"]["api_key_set"] is True
    assert "sk-1" not in json.dumps(ns)
    await put_entry(client, tenant, ns["id"], "a", "zebra stripes pattern")
    await put_entry(client, tenant, ns["id"], "b", "ocean waves tide")
    learned = (
        await client.get(f"/v1/knowledge/namespaces/{ns['id']}", headers=tenant.headers)
    ).json()
    assert learned["embedding"]["dimension"] == 16
    found = await search(client, tenant, ns["id"], "zebra stripes", mode="vector", top_k=1)
    assert [f["entry_id"] for f in found] == ["a"]
    assert _FakeEmbeddings.requests[-1]["input"] == ["zebra stripes"]

    changed = await client.patch(
        f"/v1/knowledge/namespaces/{ns['id']}",
        json={"embedding": {"provider": "local"}},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["embedding"]["dimension"] == DIMENSION
    entry = (
        await client.get(f"/v1/knowledge/namespaces/{ns['id']}/entries/a", headers=tenant.headers)
    ).json()
    assert entry["status"] == "processing"
    run = await until_status(client, tenant, entry["job_run_id"], {"completed", "failed"}, 60)
    assert run["status"] == "completed", run
    for entry_id in ("a", "b"):
        ready = (
            await client.get(
                f"/v1/knowledge/namespaces/{ns['id']}/entries/{entry_id}", headers=tenant.headers
            )
        ).json()
        assert ready["status"] == "ready"
    found = await search(client, tenant, ns["id"], "zebra stripes", mode="vector", top_k=1)
    assert [f["entry_id"] for f in found] == ["a"]


async def test_an_unreachable_endpoint_fails_inline_writes_with_503(
    client: httpx.AsyncClient, kanri: Kanri, fake_endpoint: str
) -> None:
    tenant = await make_tenant(client, kanri, allow_private_network=True)
    ns = await make_namespace(
        client,
        tenant,
        embedding={"provider": "openai", "model": "broken", "base_url": fake_endpoint},
    )
    response = await client.put(
        f"/v1/knowledge/namespaces/{ns['id']}/entries/x",
        json={"text": "hello"},
        headers=tenant.headers,
    )
    assert response.status_code == 503
    assert "HTTP 500" in response.json()["detail"]
    missing = await client.get(
        f"/v1/knowledge/namespaces/{ns['id']}/entries/x", headers=tenant.headers
    )
    assert missing.status_code == 404
    queued = await client.put(
        f"/v1/knowledge/namespaces/{ns['id']}/entries/x",
        params={"wait": "false"},
        json={"text": "hello"},
        headers=tenant.headers,
    )
    assert queued.status_code == 202
    await until_status(client, tenant, queued.json()["job_run_id"], {"completed", "failed"}, 30)
    failed = (
        await client.get(f"/v1/knowledge/namespaces/{ns['id']}/entries/x", headers=tenant.headers)
    ).json()
    assert failed["status"] == "failed"
    assert "HTTP 500" in failed["error"]

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow
from kanri.runtime import Kanri
from tests.engine.factories import until_status
from tests.factories import Tenant
from tests.knowledge.factories import make_namespace, pdf_with_text, put_entry, search

NS = "/v1/knowledge/namespaces"


def _chunks(tx: Session, namespace_id: str) -> list[KnowledgeChunkRow]:
    return list(
        tx.execute(
            select(KnowledgeChunkRow)
            .where(KnowledgeChunkRow.namespace_id == namespace_id)
            .order_by(KnowledgeChunkRow.pk)
        ).scalars()
    )


def _keyword_index_rows(tx: Session, word: str) -> int:
    """Entries of the keyword index (of every tenant) that match `word`."""
    if tx.get_bind().dialect.name == "sqlite":
        sql = "SELECT count(*) FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH :w"
    else:
        sql = (
            "SELECT count(*) FROM knowledge_chunks WHERE to_tsvector('english'::regconfig, "
            "context || ' ' || text) @@ to_tsquery('english', :w)"
        )
    return int(tx.execute(text(sql), {"w": word}).scalar_one())


async def test_a_namespace_is_created_read_renamed_listed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant, description="runbooks")
    assert ns["id"].startswith("kns_")
    assert ns["embedding"] == {
        "provider": "local",
        "model": "all-MiniLM-L6-v2",
        "dimension": 384,
        "max_tokens": 256,
        "provider_id": None,
        "base_url": None,
        "api_key_set": False,
    }
    assert ns["chunking"] == {"max_tokens": 256, "overlap_tokens": 32}
    again = await client.post(NS, json={"name": ns["name"]}, headers=tenant.headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.name"
    by_name = await client.get(f"{NS}/{ns['name']}", headers=tenant.headers)
    assert by_name.json()["id"] == ns["id"]
    renamed = await client.patch(
        f"{NS}/{ns['id']}", json={"name": "renamed-kb"}, headers=tenant.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "renamed-kb"
    listed = await client.get(NS, params={"filter": 'name = "renamed-kb"'}, headers=tenant.headers)
    assert [n["id"] for n in listed.json()["data"]] == [ns["id"]]
    assert (await client.delete(f"{NS}/{ns['id']}", headers=tenant.headers)).status_code == 204
    assert (await client.get(f"{NS}/{ns['id']}", headers=tenant.headers)).status_code == 404


async def test_invalid_settings_name_the_offending_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bad = await client.post(
        NS,
        json={"name": "x", "chunking": {"max_tokens": 100, "overlap_tokens": 80}},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("body.chunking")
    remote = await client.post(
        NS, json={"name": "y", "embedding": {"provider": "openai"}}, headers=tenant.headers
    )
    assert remote.status_code == 422
    assert remote.json()["errors"][0]["field"].startswith("body.embedding")


async def test_a_small_text_entry_is_ready_in_the_answer_with_its_chunks(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    body = "# Deploys\n\n## Rollback\n\n" + "Roll back with kanri rollback. " * 60
    entry = await put_entry(
        client, tenant, ns["id"], "runbook-1", body, title="Runbook", metadata={"team": "ops"}
    )
    assert entry["id"] == "runbook-1"
    assert entry["status"] == "ready"
    assert entry["chunk_count"] >= 2
    assert entry["metadata"] == {"team": "ops"}
    chunks = await kanri.db.read(_chunks, ns["id"])
    assert len(chunks) == entry["chunk_count"]
    assert {c.context for c in chunks} == {"Deploys > Rollback"}
    assert all(c.embedding is not None and len(c.embedding) == 384 * 4 for c in chunks)
    assert all(c.token_count <= 256 for c in chunks)
    got = await client.get(f"{NS}/{ns['id']}/entries/runbook-1", headers=tenant.headers)
    assert got.json()["chunk_count"] == entry["chunk_count"]
    assert (await client.get(f"{NS}/{ns['name']}", headers=tenant.headers)).json()[
        "entry_count"
    ] == 1


async def test_upload_takes_text_markdown_html_pdf_and_json(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    files = [
        ("files", ("notes.txt", b"The walrus sleeps on ice floes.", "text/plain")),
        ("files", ("guide.md", b"# Guide\n\nThe pelican stores fish.", "text/markdown")),
        (
            "files",
            (
                "page.html",
                b"<html><head><title>Zoo page</title><style>p{}</style></head>"
                b"<body><h1>Animals</h1><p>The narwhal has a tusk.</p>"
                b"<script>var hidden = 'octopus';</script></body></html>",
                "text/html",
            ),
        ),
        ("files", ("report.pdf", pdf_with_text("The capybara swims well."), "application/pdf")),
        (
            "files",
            ("data.json", b'{"animal": {"name": "axolotl", "legs": 4}}', "application/json"),
        ),
    ]
    response = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=files,
        data={"metadata": '{"source": "upload"}'},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    entries = response.json()["data"]
    assert [e["content_type"] for e in entries] == [
        "text/plain",
        "text/markdown",
        "text/html",
        "application/pdf",
        "application/json",
    ]
    assert all(e["status"] == "ready" and e["chunk_count"] == 1 for e in entries)
    assert entries[2]["title"] == "Zoo page"
    assert entries[3]["title"] == "report.pdf"
    assert all(e["metadata"] == {"source": "upload"} for e in entries)
    for word, title in [
        ("walrus", "notes.txt"),
        ("pelican", "guide.md"),
        ("narwhal", "Zoo page"),
        ("capybara", "report.pdf"),
        ("axolotl", "data.json"),
    ]:
        found = await search(client, tenant, ns["id"], word, mode="keyword")
        assert [f["title"] for f in found] == [title]
    # Script and style content is not text of the page.
    assert await search(client, tenant, ns["id"], "octopus", mode="keyword") == []
    html = (await search(client, tenant, ns["id"], "narwhal", mode="keyword"))[0]
    assert html["context"] == "Animals"


async def test_an_unsupported_upload_is_415_and_stores_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    response = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[
            ("files", ("ok.txt", b"fine", "text/plain")),
            ("files", ("image.png", b"\x89PNG....", "image/png")),
        ],
        headers=tenant.headers,
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] == "body.files.1"
    listed = await client.get(f"{NS}/{ns['id']}/entries", headers=tenant.headers)
    assert listed.json()["data"] == []
    guessed = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("readme.md", b"# Hi\n\nthere", "application/octet-stream"))],
        headers=tenant.headers,
    )
    assert guessed.status_code == 201
    assert guessed.json()["data"][0]["content_type"] == "text/markdown"


@pytest.mark.parametrize(("metadata", "status"), [("null", 201), ("{}", 201), ("[1]", 422)])
async def test_upload_metadata_is_a_json_object_or_null(
    client: httpx.AsyncClient, tenant: Tenant, metadata: str, status: int
) -> None:
    ns = await make_namespace(client, tenant)
    response = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("notes.txt", b"plain words", "text/plain"))],
        data={"metadata": metadata},
        headers=tenant.headers,
    )
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["data"][0]["metadata"] == {}
    else:
        assert response.json()["errors"][0]["field"] == "body.metadata"


async def test_an_upload_over_the_size_cap_is_413(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    big = b"a" * (kanri.settings.max_body_bytes + 10)
    response = await client.post(
        f"{NS}/{ns['id']}/entries:upload",
        files=[("files", ("big.txt", big, "text/plain"))],
        headers=tenant.headers,
    )
    assert response.status_code == 413
    listed = await client.get(f"{NS}/{ns['id']}/entries", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_bad_content_is_422_on_its_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ns = await make_namespace(client, tenant)
    url = f"{NS}/{ns['id']}/entries/doc"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"content_base64": "***", "content_type": "text/plain"}, 422, "body.content_base64"),
        ({"content_base64": "e30=", "content_type": "image/gif"}, 415, "body.content_type"),
        (
            {
                "content_base64": base64.b64encode(b"not a pdf").decode(),
                "content_type": "application/pdf",
            },
            422,
            "body.content_base64",
        ),
        ({"text": "{broken", "content_type": "application/json"}, 422, "body.text"),
    ]
    for body, status, field in cases:
        response = await client.put(url, json=body, headers=tenant.headers)
        assert response.status_code == status, response.text
        assert response.json()["errors"][0]["field"] == field
    both = await client.put(
        url, json={"text": "a", "content_base64": "YQ=="}, headers=tenant.headers
    )
    assert both.status_code == 422
    assert (await client.get(url, headers=tenant.headers)).status_code == 404


async def test_put_replaces_the_entry_and_its_chunks_in_one_step(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    first = await put_entry(client, tenant, ns["id"], "faq", "Flamingos are pink.", title="v1")
    before = await kanri.db.read(_chunks, ns["id"])
    second = await put_entry(client, tenant, ns["id"], "faq", "Penguins are tuxedoed.", title="v2")
    assert second["create_time"] == first["create_time"]
    assert second["title"] == "v2"
    after = await kanri.db.read(_chunks, ns["id"])
    assert [c.text for c in after] == ["Penguins are tuxedoed."]
    assert len(before) == 1
    assert await kanri.db.read(_keyword_index_rows, "flamingos") == 0
    assert await search(client, tenant, ns["id"], "flamingos", mode="keyword") == []
    assert [f["title"] for f in await search(client, tenant, ns["id"], "penguins")][:1] == ["v2"]
    # A failing replacement leaves the entry as it was.
    bad = await client.put(
        f"{NS}/{ns['id']}/entries/faq",
        json={"content_base64": "!!", "content_type": "text/plain", "title": "v3"},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    kept = await client.get(f"{NS}/{ns['id']}/entries/faq", headers=tenant.headers)
    assert kept.json()["title"] == "v2"
    assert [c.text for c in await kanri.db.read(_chunks, ns["id"])] == ["Penguins are tuxedoed."]


async def test_post_makes_an_id_and_refuses_a_used_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    made = await client.post(
        f"{NS}/{ns['id']}/entries", json={"text": "hello"}, headers=tenant.headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["id"].startswith("ent_")
    assert made.headers["Location"] == f"{NS}/{ns['id']}/entries/{made.json()['id']}"
    named = await client.post(
        f"{NS}/{ns['id']}/entries", json={"id": "mine", "text": "a"}, headers=tenant.headers
    )
    assert named.status_code == 201
    again = await client.post(
        f"{NS}/{ns['id']}/entries", json={"id": "mine", "text": "b"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.id"


async def test_post_with_an_idempotency_key_makes_the_entry_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    url = f"{NS}/{ns['id']}/entries"
    headers = {**tenant.headers, "Idempotency-Key": "doc-7"}
    first = await client.post(url, json={"text": "the first version"}, headers=headers)
    second = await client.post(url, json={"text": "the first version"}, headers=headers)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Location"] == first.headers["Location"]
    other = await client.post(url, json={"text": "another text"}, headers=headers)
    assert other.status_code == 409  # the same key with another body
    listed = await client.get(url, headers=tenant.headers)
    assert [e["id"] for e in listed.json()["data"]] == [first.json()["id"]]
    queued = await client.post(
        url,
        params={"wait": "false"},
        json={"text": "later"},
        headers={**headers, "Idempotency-Key": "doc-8"},
    )
    again = await client.post(
        url,
        params={"wait": "false"},
        json={"text": "later"},
        headers={**headers, "Idempotency-Key": "doc-8"},
    )
    assert queued.status_code == again.status_code == 202
    assert queued.json()["id"] == again.json()["id"]


async def test_production_and_development_knowledge_never_mix(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    dev = {**tenant.headers, "Kanri-Environment": "development"}
    prod = {**tenant.headers, "Kanri-Environment": "production"}
    in_prod = await make_namespace(client, tenant, headers=prod, name="docs")
    in_dev = await make_namespace(client, tenant, headers=dev, name="docs")
    assert in_prod["environment_id"] != in_dev["environment_id"]
    await put_entry(client, tenant, "docs", "e", "Production secret: the owl.", headers=prod)
    await put_entry(client, tenant, "docs", "e", "Development note: the newt.", headers=dev)
    assert [f["text"] for f in await search(client, tenant, "docs", "owl newt", headers=dev)] == [
        "Development note: the newt."
    ]
    assert [f["text"] for f in await search(client, tenant, "docs", "owl newt", headers=prod)] == [
        "Production secret: the owl."
    ]
    other_env = await client.get(f"{NS}/{in_prod['id']}", headers=dev)
    assert other_env.status_code == 404
    listed = await client.get(NS, headers=dev)
    assert [n["id"] for n in listed.json()["data"]] == [in_dev["id"]]


async def test_metadata_filters_select_entries_in_lists_and_in_every_search_mode(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    docs = {
        "a": (
            {"team": "ops", "year": 2024, "public": True, "tags": ["kafka", "paging"]},
            "Kafka consumer lag alerts.",
        ),
        "b": (
            {"team": "ops", "year": 2026, "public": False, "tags": ["kafka"]},
            "Kafka broker disk alerts.",
        ),
        "c": ({"team": "web", "year": 2026}, "Kafka topic naming for the web team."),
    }
    for entry_id, (metadata, body) in docs.items():
        await put_entry(client, tenant, ns["id"], entry_id, body, metadata=metadata)
    listed = await client.get(
        f"{NS}/{ns['id']}/entries",
        params={"filter": 'metadata.team = "ops" AND metadata.year >= 2025'},
        headers=tenant.headers,
    )
    assert [e["id"] for e in listed.json()["data"]] == ["b"]
    tagged = await client.get(
        f"{NS}/{ns['id']}/entries",
        params={"filter": 'metadata.tags:"paging"'},
        headers=tenant.headers,
    )
    assert [e["id"] for e in tagged.json()["data"]] == ["a"]
    scalar = await client.get(
        f"{NS}/{ns['id']}/entries", params={"filter": 'metadata.team:"web"'}, headers=tenant.headers
    )
    assert [e["id"] for e in scalar.json()["data"]] == ["c"]
    for mode in ("hybrid", "keyword", "vector"):
        found = await search(
            client, tenant, ns["id"], "kafka alerts", mode=mode, filter='metadata.team = "ops"'
        )
        assert sorted(f["entry_id"] for f in found) == ["a", "b"], mode
        newer = await search(
            client, tenant, ns["id"], "kafka", mode=mode, filter="metadata.year > 2024"
        )
        assert sorted(f["entry_id"] for f in newer) == ["b", "c"], mode
        paging = await search(
            client, tenant, ns["id"], "kafka", mode=mode, filter='metadata.tags:"paging"'
        )
        assert [f["entry_id"] for f in paging] == ["a"], mode
        hidden = await search(
            client, tenant, ns["id"], "kafka", mode=mode, filter="metadata.public != true"
        )
        assert sorted(f["entry_id"] for f in hidden) == ["b", "c"], mode
    bad = await client.post(
        f"{NS}/{ns['id']}/search", json={"query": "x", "filter": "nope = 1"}, headers=tenant.headers
    )
    assert bad.status_code == 400
    assert "nope" in bad.json()["detail"]


async def test_deleting_an_entry_removes_its_chunks_from_both_indexes(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    await put_entry(client, tenant, ns["id"], "keep", "Otters hold hands while sleeping.")
    await put_entry(client, tenant, ns["id"], "drop", "Sea otters use rocks as tools.")
    for mode in ("keyword", "vector"):
        assert "drop" in [
            f["entry_id"] for f in await search(client, tenant, ns["id"], "otters", mode=mode)
        ]
    deleted = await client.delete(f"{NS}/{ns['id']}/entries/drop", headers=tenant.headers)
    assert deleted.status_code == 204
    for mode in ("keyword", "vector", "hybrid"):
        found = await search(client, tenant, ns["id"], "sea otters rocks tools", mode=mode)
        assert [f["entry_id"] for f in found] == ["keep"], mode
    await client.delete(f"{NS}/{ns['id']}/entries/drop2", headers=tenant.headers)
    assert await kanri.db.read(_keyword_index_rows, "pebblestones") == 0
    assert [c.text for c in await kanri.db.read(_chunks, ns["id"])] == [
        "Otters hold hands while sleeping."
    ]
    missing = await client.get(f"{NS}/{ns['id']}/entries/drop", headers=tenant.headers)
    assert missing.status_code == 404


# A fixed corpus whose keyword ranking is the same under FTS5's BM25 and PostgreSQL's
# ts_rank_cd: the expected lists below are asserted on both databases.
FIXED_CORPUS = {
    "both-twice": "Solar panels and solar batteries store solar energy for the night.",
    "both-once": "A battery bank for panels.",
    "panels-only": "Roof panels need cleaning every spring.",
    "unrelated": "The bakery sells sourdough bread on Sundays.",
    "solar-only": "Solar eclipses are rare events.",
}


async def test_keyword_search_of_a_fixed_corpus_gives_the_same_ranking_on_both_databases(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    for entry_id, body in FIXED_CORPUS.items():
        await put_entry(client, tenant, ns["id"], entry_id, body)
    found = await search(client, tenant, ns["id"], "solar battery", mode="keyword", top_k=10)
    assert [f["entry_id"] for f in found] == ["both-twice", "both-once", "solar-only"]
    assert all(f["ranks"]["vector"] is None for f in found)
    assert [f["ranks"]["keyword"] for f in found] == [1, 2, 3]
    bakery = await search(client, tenant, ns["id"], "sourdough bread", mode="keyword")
    assert [f["entry_id"] for f in bakery] == ["unrelated"]
    assert await search(client, tenant, ns["id"], '"; DROP TABLE x; --', mode="keyword") == []
    assert await search(client, tenant, ns["id"], "zeppelin", mode="keyword") == []


async def test_hybrid_search_fuses_both_rankings_and_honours_min_score(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    for entry_id, body in FIXED_CORPUS.items():
        await put_entry(client, tenant, ns["id"], entry_id, body)
    found = await search(client, tenant, ns["id"], "solar battery", top_k=5)
    assert found[0]["entry_id"] == "both-twice"
    top = found[0]
    assert top["ranks"]["keyword"] == 1
    assert top["ranks"]["vector"] is not None
    assert top["score"] == round(1 / 61 + 1 / (60 + top["ranks"]["vector"]), 6)
    scores = [f["score"] for f in found]
    assert scores == sorted(scores, reverse=True)
    vector = await search(client, tenant, ns["id"], "photovoltaic power storage", mode="vector")
    assert all(-1 <= f["score"] <= 1 for f in vector)
    strict = await search(
        client, tenant, ns["id"], "solar battery", mode="vector", min_score=vector[0]["score"] + 0.5
    )
    assert strict == []
    keyword_only = await search(
        client, tenant, ns["id"], "solar battery", weights={"keyword": 1, "vector": 0}
    )
    assert [f["entry_id"] for f in keyword_only][:3] == ["both-twice", "both-once", "solar-only"]


async def test_search_across_namespaces_merges_their_results(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await make_namespace(client, tenant)
    second = await make_namespace(client, tenant)
    await put_entry(client, tenant, first["id"], "x", "Hedgehogs eat beetles.")
    await put_entry(client, tenant, second["id"], "y", "Hedgehogs hibernate in winter.")
    response = await client.post(
        "/v1/knowledge/search",
        json={"query": "hedgehogs", "namespaces": [first["name"], second["id"]]},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert {(f["namespace"], f["entry_id"]) for f in response.json()["data"]} == {
        (first["name"], "x"),
        (second["name"], "y"),
    }
    unknown = await client.post(
        "/v1/knowledge/search",
        json={"query": "hedgehogs", "namespaces": [first["id"], "nope"]},
        headers=tenant.headers,
    )
    assert unknown.status_code == 404


async def test_a_large_input_is_ingested_by_an_engine_job(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    ns = await make_namespace(client, tenant)
    body = "\n\n".join(f"Paragraph {i} about lighthouse keeper number {i}." for i in range(40))
    response = await client.put(
        f"{NS}/{ns['id']}/entries/log",
        params={"wait": "false"},
        json={"text": body, "metadata": {"kind": "log"}},
        headers=tenant.headers,
    )
    assert response.status_code == 202, response.text
    entry = response.json()
    assert entry["status"] == "processing"
    assert entry["chunk_count"] == 0
    run = await until_status(client, tenant, entry["job_run_id"], {"completed", "failed"}, 60)
    assert run["status"] == "completed", run
    ready = (await client.get(f"{NS}/{ns['id']}/entries/log", headers=tenant.headers)).json()
    assert ready["status"] == "ready"
    assert ready["chunk_count"] >= 2
    found = await search(client, tenant, ns["id"], "lighthouse keeper 17", mode="keyword")
    assert found[0]["entry_id"] == "log"
    stored = await kanri.db.read(
        lambda tx: tx.execute(
            select(KnowledgeEntryRow.status).where(KnowledgeEntryRow.entry_id == "log")
        ).scalar_one()
    )
    assert stored == "ready"


async def test_keyword_search_finds_the_exact_best_matches_behind_other_namespaces_and_filters(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # The keyword index spans every namespace: another namespace holds the best matches
    # for the word, and the filter keeps only a weak match of this one; the search still
    # returns this namespace's exact best matches in order.
    crowded = await make_namespace(client, tenant)
    for n in range(30):
        await put_entry(client, tenant, crowded["id"], f"x{n}", "zirconia zirconia zirconia")
    ns = await make_namespace(client, tenant)
    await put_entry(client, tenant, ns["id"], "strong", "zirconia zirconia crowns")
    await put_entry(
        client,
        tenant,
        ns["id"],
        "weak",
        "Dental crowns are made of many materials; one of them is zirconia, others are "
        "porcelain, gold, resin and metal alloys of various kinds and colours.",
        metadata={"keep": True},
    )
    found = await search(client, tenant, ns["id"], "zirconia", mode="keyword", top_k=2)
    assert [f["entry_id"] for f in found] == ["strong", "weak"]
    filtered = await search(
        client, tenant, ns["id"], "zirconia", mode="keyword", top_k=1, filter="metadata.keep = true"
    )
    assert [f["entry_id"] for f in filtered] == ["weak"]
    hybrid = await search(
        client, tenant, ns["id"], "zirconia", top_k=5, filter="metadata.keep = true"
    )
    assert [f["entry_id"] for f in hybrid] == ["weak"]
    assert hybrid[0]["ranks"]["keyword"] == 1

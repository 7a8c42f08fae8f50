"""The knowledge step kinds: `knowledge.ingest` chunks and embeds knowledge entries (the
background job the knowledge API starts for large inputs and model changes; only entries of
the run's own project); `knowledge.search` searches the project's namespaces, and its
output cites each chunk's entry id and title, which the run records."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind
from kanri.knowledge import flows, schemas, service


class KnowledgeIngestConfig(StepConfig):
    """`knowledge.ingest`: chunk and embed a namespace's entries (or one of them)."""

    """Chunk and embed a namespace's pending entries: the background job kanri starts for
    long entries and model changes (not for definitions)."""

    namespace_id: str = Field(min_length=1, max_length=40, description="the namespace's id")
    entry: str | None = Field(default=None, max_length=40, description="one entry (internal id)")
    generation: int | None = Field(
        default=None, ge=0, description="the namespace's embedding model generation"
    )


@step_kind("knowledge.ingest", KnowledgeIngestConfig)
async def run_ingest(ctx: StepContext, config: KnowledgeIngestConfig) -> Outcome:
    outcome = await flows.ingest(
        ctx.services.kanri, ctx.project_id, config.namespace_id, config.entry, config.generation
    )
    return Done(outcome)


class KnowledgeSearchConfig(StepConfig):
    """`knowledge.search`: the `top_k` best chunks of `namespaces` for `query`, with
    citations."""

    """Search namespaces of the run's project and environment. The output is `results`
    (text, score, metadata) and `citations` (namespace, entry id, chunk id, title)."""

    namespaces: list[str] = Field(min_length=1, max_length=20, description="names or ids")
    query: str = Field(min_length=1, max_length=2000, description="what to look for")
    top_k: int = Field(default=5, ge=1, le=100, description="results at most")
    mode: Literal["hybrid", "keyword", "vector"] = Field(
        default="hybrid", description="keyword and vector rankings fused, or one of them"
    )
    filter: str | None = Field(
        default=None, max_length=2000, description="AIP-160 over metadata.<key>, entry_id, title"
    )
    min_score: float | None = Field(default=None, description="drop results scoring less")


@step_kind("knowledge.search", KnowledgeSearchConfig)
async def run_search(ctx: StepContext, config: KnowledgeSearchConfig) -> Outcome:
    kanri = ctx.services.kanri
    organization = await kanri.db.read(service.project_organization, ctx.project_id)
    # The run acts in its own project and environment, as the system.
    who = Principal(
        organization_id=organization or "",
        project_id=ctx.project_id,
        environment_id=ctx.environment_id,
        key_id=f"run:{ctx.run_id}",
        kind="system",
        scopes=frozenset({"knowledge:read"}),
    )
    request = schemas.SearchBase(
        query=config.query,
        top_k=config.top_k,
        mode=config.mode,
        filter=config.filter,
        min_score=config.min_score,
    )
    try:
        found = await flows.search_knowledge(kanri, who, config.namespaces, request)
    except KanriError as exc:
        return Fail(exc.detail, retryable=exc.status >= 500)
    results = [flows.to_result(f).model_dump() for f in found]
    citations = [
        {"namespace": f.namespace, "entry_id": f.entry_id, "chunk_id": f.chunk_id, "title": f.title}
        for f in found
    ]
    return Done({"results": results, "citations": citations})

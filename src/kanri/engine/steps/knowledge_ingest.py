"""`knowledge.ingest`: chunk and embed knowledge entries (the background job the knowledge
API starts for large inputs and model changes). Only entries of the run's own project."""

from __future__ import annotations

from pydantic import Field

from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind
from kanri.knowledge import flows


class KnowledgeIngestConfig(StepConfig):
    namespace_id: str = Field(min_length=1, max_length=40)
    entry: str | None = Field(default=None, max_length=40, description="one entry (internal id)")
    generation: int | None = Field(default=None, ge=0)


@step_kind("knowledge.ingest", KnowledgeIngestConfig)
async def run(ctx: StepContext, config: KnowledgeIngestConfig) -> Outcome:
    outcome = await flows.ingest(
        ctx.services.kanri, ctx.project_id, config.namespace_id, config.entry, config.generation
    )
    return Done(outcome)

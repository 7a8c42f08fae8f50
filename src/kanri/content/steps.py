"""`content.publish` and `content.get`: publish and read CMS entries from a run.

The steps act in the run's project and environment as the system actor `engine`.
`content.publish` is also what scheduled publishing runs after its `wait`: with
`scheduled`, it publishes only an entry still scheduled by this very run, so a run retried
or an entry rescheduled meanwhile publishes nothing twice.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from kanri.content import delivery, entry_service, schemas
from kanri.content.entry_service import PUBLISH_KIND, View
from kanri.content.generate import DRAFT_KIND
from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind
from kanri.tenancy import service as tenancy

EntryRef = Field(min_length=1, max_length=100, description="the entry's id")


class PublishConfig(StepConfig):
    """`content.publish`: publish an entry's current draft version."""

    """Publish an entry (its current draft version); the output is the entry's id and
    published version."""

    entry: str = EntryRef
    scheduled: bool = Field(
        default=False,
        description="only if the entry is still scheduled by this run (scheduled publishing)",
    )


class GetConfig(StepConfig):
    """`content.get`: read an entry's draft in a locale."""

    """Read an entry; the output is the entry."""

    entry: str = EntryRef
    locale: str | None = Field(default=None, max_length=35, description="BCP 47 locale")


def _organization(tx: Session, project_id: str) -> str:
    found = tenancy.project_settings(tx, project_id)
    return found.organization_id if found is not None else ""


async def _principal(ctx: StepContext) -> Principal:
    organization_id = await ctx.services.kanri.db.read(_organization, ctx.project_id)
    return Principal(
        organization_id=organization_id,
        project_id=ctx.project_id,
        environment_id=ctx.environment_id,
        key_id="engine",
        kind="system",
        scopes=frozenset({"*"}),
    )


def _refused(error: KanriError) -> Fail:
    details: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "errors": [e.as_dict() for e in error.errors],
    }
    return Fail(error.detail, retryable=error.status >= 500, details=details)


class DraftConfig(StepConfig):
    """`content.draft`: save a step's JSON output as a new draft entry."""

    """Save the `json` output of an earlier step (an `llm` step) as a draft entry of `type`,
    linked to the run; the output is the entry."""

    type: str = Field(min_length=1, max_length=100, description="content type slug or id")
    from_step: str = Field(min_length=1, max_length=100, description="the step whose `json`")
    locale: str | None = Field(default=None, max_length=35, description="BCP 47 locale")
    slug: str | None = Field(
        default=None, max_length=200, description="default: `generated-` and the run's id"
    )


@step_kind(DRAFT_KIND, DraftConfig)
async def draft(ctx: StepContext, config: DraftConfig) -> Outcome:
    values = ((ctx.steps.get(config.from_step) or {}).get("output") or {}).get("json")
    if not isinstance(values, dict):
        return Fail(f"step '{config.from_step}' has no JSON object output", retryable=False)
    who = await _principal(ctx)
    slug = config.slug or f"generated-{ctx.run_id.removeprefix('run_').lower()}"
    try:
        body = schemas.ContentEntryCreate(
            type=config.type, slug=slug, fields=values, locale=config.locale
        )
        entry = await ctx.services.kanri.db.write(
            entry_service.create_entry, who, body, generated_by_run_id=ctx.run_id
        )
    except KanriError as exc:
        if exc.extra.get("conflicting_id"):  # made by this step before a crash
            found = await ctx.services.kanri.db.read(
                entry_service.get_entry, who, exc.extra["conflicting_id"], View()
            )
            if found.generated_by_run_id == ctx.run_id:
                return Done(found.model_dump(mode="json"))
        return _refused(exc)
    except ValueError as exc:
        return Fail(f"the draft is not valid: {exc}"[:500], retryable=False)
    return Done(entry.model_dump(mode="json"))


@step_kind(PUBLISH_KIND, PublishConfig)
async def publish(ctx: StepContext, config: PublishConfig) -> Outcome:
    who = await _principal(ctx)
    db = ctx.services.kanri.db
    try:
        if config.scheduled:
            return Done(
                await db.write(entry_service.publish_scheduled, who, config.entry, ctx.run_id)
            )
        entry = await db.write(
            entry_service.publish_entry,
            who,
            config.entry,
            schemas.PublishRequest(),
            None,
        )
    except KanriError as exc:
        return _refused(exc)
    finally:
        delivery.CACHE.invalidate(ctx.project_id)
    return Done({"id": entry.id, "published": True, "version": entry.published_version})


@step_kind("content.get", GetConfig)
async def get(ctx: StepContext, config: GetConfig) -> Outcome:
    who = await _principal(ctx)
    try:
        entry = await ctx.services.kanri.db.read(
            entry_service.get_entry, who, config.entry, View(locale=config.locale)
        )
    except KanriError as exc:
        return _refused(exc)
    return Done(entry.model_dump(mode="json"))

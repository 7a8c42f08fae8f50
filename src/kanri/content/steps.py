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

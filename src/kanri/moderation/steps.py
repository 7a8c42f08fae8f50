"""The moderation step kinds: `moderate` checks one piece of content (a chat message, a
form's text) before an automation stores or sends it; `moderation.scan` is the durable job
`POST /v1/moderation/scan` starts. Both act in the run's project and environment as the
system actor `run:<id>`."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.core.schemas import DatetimeText
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind
from kanri.moderation import flows, schemas, service


class ModerateConfig(StepConfig):
    """`moderate`: submit one item to moderation; the output is the item (`status`, `action`,
    `category`, `rule_name`, `scores`)."""

    """Moderate content; branch on `steps.<id>.output.status` (approved, flagged, hidden,
    warned, rejected). The same `external_id` again moderates the item anew."""

    external_id: str = Field(min_length=1, max_length=200, description="your id of the content")
    content: str = Field(max_length=1_048_576, description="the text")
    author: dict[str, Any] = Field(description="`{id, name?}`")
    item_kind: schemas.Kind = Field(
        default="message", description="the item's kind: post, comment, message, …"
    )
    context: dict[str, Any] = Field(default_factory=dict, description="thread_id, url, parent_id")
    metadata: dict[str, Any] = Field(default_factory=dict, description="anything to keep")


class ScanConfig(StepConfig):
    """`moderation.scan`: moderate stored items again with the current rules."""

    """Re-moderate items (not those a reviewer decided); the output is `{scanned, flagged,
    actions}`."""

    since: DatetimeText | None = Field(default=None, description="items created since")
    filter: str | None = Field(default=None, max_length=2000, description="AIP-160 as the list")
    limit: int = Field(default=1000, ge=1, le=100_000, description="items at most")


async def principal(ctx: StepContext) -> Principal:
    organization = await ctx.services.kanri.db.read(service.organization_of, ctx.project_id)
    return Principal(
        organization_id=organization,
        project_id=ctx.project_id,
        environment_id=ctx.environment_id,
        key_id=f"run:{ctx.run_id}",
        kind="system",
        scopes=frozenset({"moderation:write"}),
    )


def _refused(error: KanriError) -> Fail:
    details = {"status": error.status, "code": error.code}
    return Fail(error.detail, retryable=error.status >= 500, details=details)


@step_kind("moderate", ModerateConfig)
async def run_moderate(ctx: StepContext, config: ModerateConfig) -> Outcome:
    try:
        body = schemas.ItemSubmit.model_validate(
            {
                "external_id": config.external_id,
                "kind": config.item_kind,
                "content": config.content,
                "author": config.author,
                "context": config.context,
                "metadata": config.metadata,
            },
            strict=False,
        )
    except ValidationError as exc:
        return Fail(f"invalid item: {exc.errors()[0].get('msg')}", retryable=False)
    who = await principal(ctx)
    try:
        items = await flows.submit(ctx.services.kanri, who, [body])
    except KanriError as exc:
        return _refused(exc)
    return Done(items[0].model_dump(mode="json"))


@step_kind(service.SCAN_KIND, ScanConfig)
async def run_scan(ctx: StepContext, config: ScanConfig) -> Outcome:
    who = await principal(ctx)
    spec = {"since": config.since, "filter": config.filter, "limit": config.limit}
    try:
        result = await flows.scan(
            ctx.services.kanri, who, spec, progress=lambda text: ctx.log("info", text)
        )
    except KanriError as exc:
        return _refused(exc)
    return Done(result)

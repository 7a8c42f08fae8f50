"""`content_create_draft`: a new CMS entry as a draft (never published by the tool)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, parse, principal, refused, tool
from kanri.content import entry_service, schemas
from kanri.core.errors import KanriError
from kanri.core.schemas import Model


class DraftArguments(Model):
    type: str = Field(min_length=1, max_length=100)
    slug: str = Field(min_length=1, max_length=200)
    fields: dict[str, Any] = Field(default_factory=dict)
    locale: str | None = Field(default=None, max_length=35)


@tool(
    "content_create_draft",
    "Create a content entry as a draft (a person publishes it). Fields by name; an invalid "
    "value is refused naming the field.",
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "the content type's slug"},
            "slug": {"type": "string", "description": "lowercase words joined by dashes"},
            "fields": {"type": "object", "description": "field name → value"},
            "locale": {"type": "string"},
        },
        "required": ["type", "slug"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = parse(DraftArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    try:
        body = schemas.ContentEntryCreate(
            type=args.type, slug=args.slug, fields=args.fields, locale=args.locale
        )
    except ValidationError as exc:
        errors = [
            {"argument": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        return ToolResult({"error": "invalid arguments", "errors": errors}, ok=False)
    try:
        who = await principal(ctx, "content:write")
        entry = await ctx.services.kanri.db.write(
            entry_service.create_entry, who, body, generated_by_run_id=ctx.run_id
        )
    except KanriError as exc:
        return refused(exc)
    return ToolResult(entry.model_dump(mode="json"))

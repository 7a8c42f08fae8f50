"""`content_get`: one CMS entry (its draft) by id, in a locale."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, parse, principal, refused, tool
from kanri.content import entry_service
from kanri.content.entry_service import View
from kanri.core.errors import KanriError
from kanri.core.schemas import Model


class GetArguments(Model):
    entry: str = Field(min_length=1, max_length=100)
    locale: str | None = Field(default=None, max_length=35)


@tool(
    "content_get",
    "Read one content entry (its current draft) by its id, optionally in a locale.",
    {
        "type": "object",
        "properties": {
            "entry": {"type": "string", "description": "the entry's id (cen_…)"},
            "locale": {"type": "string", "description": "BCP 47 locale, e.g. de"},
        },
        "required": ["entry"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = parse(GetArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    try:
        who = await principal(ctx, "content:read")
        entry = await ctx.services.kanri.db.read(
            entry_service.get_entry, who, args.entry, View(locale=args.locale)
        )
    except KanriError as exc:
        return refused(exc)
    return ToolResult(entry.model_dump(mode="json"))

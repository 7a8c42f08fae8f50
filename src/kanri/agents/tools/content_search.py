"""`content_search`: CMS entries of a type by words, filter and order."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, parse, principal, refused, tool
from kanri.content import entry_service
from kanri.content.entry_service import View
from kanri.core.errors import KanriError
from kanri.core.pagination import ListParams
from kanri.core.schemas import Model


class SearchArguments(Model):
    type: str = Field(min_length=1, max_length=100)
    q: str | None = Field(default=None, max_length=200)
    filter: str | None = Field(default=None, max_length=2000)
    order_by: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=10, ge=1, le=50)
    locale: str | None = Field(default=None, max_length=35)


@tool(
    "content_search",
    "Find content entries of a type: words of their text (q), an AIP-160 filter over "
    "fields.<name>, status, labels.<key>, and an order.",
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "the content type's slug"},
            "q": {"type": "string", "description": "words the text fields contain"},
            "filter": {"type": "string", "description": 'e.g. status = "published"'},
            "order_by": {"type": "string", "description": "e.g. update_time desc"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            "locale": {"type": "string"},
        },
        "required": ["type"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = parse(SearchArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    kanri = ctx.services.kanri
    params = ListParams(
        page_size=args.limit,
        page_token=None,
        filter=args.filter,
        order_by=args.order_by,
        include_total=False,
        codec=kanri.page_codec,
    )
    try:
        who = await principal(ctx, "content:read")
        page = await kanri.db.read(
            entry_service.list_entries, who, params, View(locale=args.locale), args.type, args.q
        )
    except KanriError as exc:
        return refused(exc)
    return ToolResult({"data": [e.model_dump(mode="json") for e in page.items]})

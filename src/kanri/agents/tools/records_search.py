"""`records_search`: list records of an object matching an AIP-160 filter."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, principal, refused, tool
from kanri.agents.tools._records import MAX_PAGE, OBJECT_SCHEMA, ObjectArgument, checked, shown
from kanri.core.errors import KanriError
from kanri.core.pagination import ListParams
from kanri.core.schemas import Model
from kanri.records import record_service


class QueryArguments(Model):
    object: str = ObjectArgument
    filter: str | None = Field(default=None, max_length=20_000)
    order_by: str | None = Field(default=None, max_length=500)
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE)
    page_token: str | None = Field(default=None, max_length=2000)


@tool(
    "records_search",
    "Find records of an object (contacts, companies, deals…) with a filter over their fields.",
    {
        "type": "object",
        "properties": {
            "object": OBJECT_SCHEMA,
            "filter": {
                "type": "string",
                "maxLength": 20_000,
                "description": 'AIP-160 over field slugs, e.g. `email = "ada@example.com"` '
                'or `amount > 1000 AND stage = "won"`',
            },
            "order_by": {
                "type": "string",
                "description": "`create_time`, `update_time` or `id`, `desc` to reverse",
            },
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 20},
            "page_token": {
                "type": "string",
                "description": "`next_page_token` of the previous page",
            },
        },
        "required": ["object"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = checked(ctx, QueryArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    kanri = ctx.services.kanri
    params = ListParams(
        page_size=args.page_size,
        page_token=args.page_token,
        filter=args.filter,
        order_by=args.order_by,
        include_total=False,
        codec=kanri.page_codec,
    )
    try:
        who = await principal(ctx, "records:read")
        page = await kanri.db.read(record_service.query_records, who, args.object, params)
    except KanriError as exc:
        return refused(exc)
    return ToolResult(
        {"data": [shown(r) for r in page.items], "next_page_token": page.next_page_token}
    )

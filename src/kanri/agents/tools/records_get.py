"""`records_get`: one record of an object by id."""

from __future__ import annotations

from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, principal, refused, tool
from kanri.agents.tools._records import (
    OBJECT_SCHEMA,
    RECORD_SCHEMA,
    ObjectArgument,
    RecordArgument,
    checked,
    shown,
)
from kanri.core.errors import KanriError
from kanri.core.schemas import Model
from kanri.records import record_service


class GetArguments(Model):
    object: str = ObjectArgument
    record: str = RecordArgument


@tool(
    "records_get",
    "Read one record of an object by its id.",
    {
        "type": "object",
        "properties": {"object": OBJECT_SCHEMA, "record": RECORD_SCHEMA},
        "required": ["object", "record"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = checked(ctx, GetArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    try:
        who = await principal(ctx, "records:read")
        record = await ctx.services.kanri.db.read(
            record_service.get_record, who, args.object, args.record
        )
    except KanriError as exc:
        return refused(exc)
    return ToolResult(shown(record))

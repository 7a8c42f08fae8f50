"""`records_update`: change some fields of a record (the others keep their values)."""

from __future__ import annotations

from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, principal, refused, tool
from kanri.agents.tools._records import (
    FIELD_VALUES_SCHEMA,
    OBJECT_SCHEMA,
    RECORD_SCHEMA,
    ObjectArgument,
    RecordArgument,
    checked,
    shown,
)
from kanri.core.errors import KanriError
from kanri.core.schemas import Model
from kanri.records import record_service, schemas


class UpdateArguments(Model):
    object: str = ObjectArgument
    record: str = RecordArgument
    field_values: schemas.FieldValues


@tool(
    "records_update",
    "Change fields of a record (fields not given keep their values); "
    "invalid values are answered with the field and the reason.",
    {
        "type": "object",
        "properties": {
            "object": OBJECT_SCHEMA,
            "record": RECORD_SCHEMA,
            "field_values": FIELD_VALUES_SCHEMA,
        },
        "required": ["object", "record", "field_values"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = checked(ctx, UpdateArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    body = schemas.RecordWrite(field_values=args.field_values)
    try:
        who = await principal(ctx, "records:write")
        record = await ctx.services.kanri.db.write(
            record_service.update_record, who, args.object, args.record, body
        )
    except KanriError as exc:
        return refused(exc)
    return ToolResult(shown(record))

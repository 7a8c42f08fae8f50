"""`records_create`: create a record; its id derives from the tool call, so a call executed
again after a crash returns the record it made the first time."""

from __future__ import annotations

from functools import partial
from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, principal, refused, tool
from kanri.agents.tools._records import (
    FIELD_VALUES_SCHEMA,
    OBJECT_SCHEMA,
    ObjectArgument,
    checked,
    shown,
)
from kanri.core.errors import KanriError
from kanri.core.schemas import Model
from kanri.records import record_service, schemas
from kanri.records.record_service import record_id_for


class CreateArguments(Model):
    object: str = ObjectArgument
    field_values: schemas.FieldValues


@tool(
    "records_create",
    "Create a record of an object with field values; invalid values are answered with the "
    "field and the reason.",
    {
        "type": "object",
        "properties": {"object": OBJECT_SCHEMA, "field_values": FIELD_VALUES_SCHEMA},
        "required": ["object", "field_values"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = checked(ctx, CreateArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    body = schemas.RecordWrite(field_values=args.field_values)
    command = partial(
        record_service.create_record, record_id=record_id_for(ctx.run_id, ctx.idempotency_key)
    )
    try:
        who = await principal(ctx, "records:write")
        record = await ctx.services.kanri.db.write(command, who, args.object, body)
    except KanriError as exc:
        return refused(exc)
    return ToolResult(shown(record))

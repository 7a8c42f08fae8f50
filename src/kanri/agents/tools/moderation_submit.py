"""`moderation_submit`: submit content to moderation (the rules and the classifier) and
answer with the decision, so an agent checks a message before it stores or sends it."""

from __future__ import annotations

from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, parse, principal, refused, tool
from kanri.core.errors import KanriError
from kanri.moderation import flows, schemas


@tool(
    "moderation_submit",
    "Submit user content to moderation. The answer is the decision: `status` (approved, "
    "flagged, hidden, warned, rejected), `action`, `category`, `rule_name` and `reason`.",
    {
        "type": "object",
        "properties": {
            "external_id": {"type": "string", "minLength": 1, "maxLength": 200},
            "content": {"type": "string"},
            "author": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                "required": ["id"],
            },
            "kind": {"type": "string", "enum": ["post", "comment", "message", "profile", "other"]},
        },
        "required": ["external_id", "content", "author"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    body = parse(schemas.ItemSubmit, {"kind": "message", **arguments})
    if isinstance(body, ToolResult):
        return body
    try:
        who = await principal(ctx, "moderation:write")
        [item] = await flows.submit(ctx.services.kanri, who, [body])
    except KanriError as exc:
        return refused(exc)
    return ToolResult(
        {
            "id": item.id,
            "external_id": item.external_id,
            "status": item.status,
            "action": item.action,
            "category": item.category,
            "rule_name": item.rule_name,
            "reason": item.reason,
        }
    )

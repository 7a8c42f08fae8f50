"""`emit_event`: append a domain event (`agent.<type>`) to the outbox."""

from __future__ import annotations

import re
from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, tool

_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@tool(
    "emit_event",
    "Emit an event (delivered to the project's webhooks and streams).",
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "description": "e.g. `ticket.escalated`"},
            "data": {"type": "object"},
        },
        "required": ["type"],
    },
    pure=True,
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    event_type = arguments.get("type")
    data = arguments.get("data") or {}
    if not isinstance(event_type, str) or len(event_type) > 90 or not _TYPE.match(event_type):
        return ToolResult({"error": "type must look like `word.word` in lowercase"}, ok=False)
    if not isinstance(data, dict):
        return ToolResult({"error": "data must be an object"}, ok=False)
    full = f"agent.{event_type}"
    ctx.emit(full, {"run_id": ctx.run_id, "agent_id": ctx.agent_id, "data": data})
    return ToolResult({"emitted": full})
